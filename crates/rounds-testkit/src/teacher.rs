//! A teacher's device: a real store in a temporary directory, joined to
//! an office and synced over HTTP through rounds-client, as the CLI and
//! the desktop app do.

use rounds_client::{ClientError, Connection, HttpTransport};
use rounds_core::schema::{DocKind, Lang};
use rounds_core::sync::Report;
use rounds_office::db::Role;
use rounds_proto::EnrollResponse;
use rounds_store::Store;
use serde_json::Value;

use crate::Office;

/// The name a test's device enrolls under.
const DEVICE: &str = "test device";

/// One teacher's device.
pub struct Teacher {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl Teacher {
    /// A device of a user named `name` that has joined nothing yet.
    pub fn new(name: &str) -> Teacher {
        let dir = tempfile::tempdir().expect("a temporary directory for a device");
        let mut store = Store::open_dir(dir.path()).expect("a store");
        store.set_user_name(name).expect("a user name");
        Teacher { store, dir }
    }

    /// A new teacher who joins `office` as a new member.
    pub fn joined(office: &Office, office_id: &str, name: &str) -> Teacher {
        Teacher::joined_as(office, office_id, name, Role::Teacher)
    }

    /// [`Teacher::joined`] as a member with `role`.
    pub fn joined_as(office: &Office, office_id: &str, name: &str, role: Role) -> Teacher {
        let mut t = Teacher::new(name);
        let member = office.add_member_as(office_id, name, role);
        t.join(office, &office.code(&member)).unwrap();
        t
    }

    pub fn join(&mut self, office: &Office, code: &str) -> Result<EnrollResponse, ClientError> {
        let conn = Connection {
            url: office.url.clone(),
            ..Default::default()
        };
        self.join_with(&conn, code, DEVICE)
    }

    /// Joins through `conn` (another address of the office, a pinned
    /// fingerprint, an authority) as the device `device`.
    pub fn join_with(
        &mut self,
        conn: &Connection,
        code: &str,
        device: &str,
    ) -> Result<EnrollResponse, ClientError> {
        rounds_client::join(&mut self.store, self.dir.path(), conn, code, device)
    }

    /// The device's token, as the client keeps it on disk.
    pub fn token(&self) -> String {
        std::fs::read_to_string(self.dir.path().join(rounds_store::TOKEN_FILE))
            .expect("a joined device's token")
    }

    pub fn sync(&mut self) -> Result<Report, ClientError> {
        rounds_client::sync_joined(&mut self.store, self.dir.path())
    }

    /// Points the device at another address (a proxy) of the same office.
    pub fn set_url(&self, url: &str) {
        self.store
            .sync_set("office_url", Some(url))
            .expect("setting the office URL");
    }

    /// A transport to the office the device joined, for [`Teacher::sync_with`].
    pub fn transport(&self) -> HttpTransport {
        HttpTransport::for_store(&self.store, self.dir.path()).expect("a transport")
    }

    /// One sync through the client library, over a transport the caller
    /// keeps (so that its thread, and its CPU time, outlive the sync).
    pub fn sync_with(&mut self, t: &mut HttpTransport) -> Result<Report, ClientError> {
        rounds_client::sync(&mut self.store, t, &rounds_sqlite::now_ms)
    }

    pub fn create(&mut self, kind: DocKind, title: &str, fields: Value) -> String {
        self.store
            .create(kind, title, Lang::Zh, Some(&fields))
            .unwrap()
            .id
    }

    pub fn json(&self, id: &str) -> Value {
        self.store.load(id).unwrap().to_json()
    }

    /// The ids of every document the device lists, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .store
            .list(&rounds_store::Filter::default())
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        v.sort();
        v
    }
}
