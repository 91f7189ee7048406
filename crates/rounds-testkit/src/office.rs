//! A real office server on a free port of this machine, and real teachers'
//! devices (stores in temporary directories) that join and sync with it
//! over HTTP, as the CLI and the desktop app do.

use std::sync::Arc;

use rounds_core::doc::Document;
use rounds_core::schema::{DocKind, Lang};
use rounds_core::sync::Report;
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Limits, Service, new_id};
use rounds_office::sqlite::SqliteDb;
use rounds_store::Store;
use serde_json::Value;

#[path = "tls_office.rs"]
pub mod tls_office;

/// An office server running in a thread of its own.
pub struct Office {
    pub url: String,
    pub service: Arc<Service>,
    pub db: Arc<SqliteDb>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Office {
    pub fn start() -> Office {
        Office::start_with(Limits::default())
    }

    pub fn start_with(limits: Limits) -> Office {
        Office::start_with_clock(limits, None)
    }

    /// An office whose clock is `clock` (the system's when `None`): a
    /// frozen clock keeps the office from writing down a device's last
    /// sync again, so that tests can compare whole database dumps.
    pub fn start_with_clock(
        limits: Limits,
        clock: Option<rounds_office::service::Clock>,
    ) -> Office {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(SqliteDb::open_dir(dir.path()).unwrap());
        let mut service = Service::new(db.clone(), limits);
        if let Some(c) = clock {
            service = service.with_clock(c);
        }
        let service = Arc::new(service);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let svc = service.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                rounds_office::http::serve(svc, listener, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Office {
            url: format!("http://{addr}"),
            service,
            db,
            dir,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn create_office(&self, name: &str) -> String {
        self.db.create_office(&new_id(), name, 0).unwrap().id
    }

    pub fn add_member(&self, office: &str, name: &str) -> String {
        self.db
            .add_member(&new_id(), office, name, Role::Teacher, 0)
            .unwrap()
            .id
    }

    /// A new member with a role other than teacher.
    pub fn add_member_as(&self, office: &str, name: &str, role: Role) -> String {
        self.db
            .add_member(&new_id(), office, name, role, 0)
            .unwrap()
            .id
    }

    pub fn code(&self, member: &str) -> String {
        self.service.issue_code(member, 24).unwrap()
    }

    /// The office's own copy of a document.
    pub fn document(&self, id: &str) -> Option<Document> {
        let (snapshot, _, rest, _) = self.db.doc_log_since_snapshot(id).ok()?;
        let mut bytes = snapshot;
        bytes.extend_from_slice(&rest);
        Document::load(&bytes).ok()
    }

    /// How many log rows and documents the office holds: a fingerprint of its state.
    pub fn counts(&self, office: &str) -> (usize, usize) {
        let s = self.db.status(office).unwrap();
        (s.documents, s.changes)
    }
}

impl Drop for Office {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One teacher's device.
pub struct Teacher {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl Teacher {
    pub fn new(name: &str) -> Teacher {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_dir(dir.path()).unwrap();
        store.set_user_name(name).unwrap();
        Teacher { store, dir }
    }

    /// A new teacher who joins `office` as a new member.
    pub fn joined(office: &Office, office_id: &str, name: &str) -> Teacher {
        let mut t = Teacher::new(name);
        let member = office.add_member(office_id, name);
        t.join(office, &office.code(&member)).unwrap();
        t
    }

    /// [`Teacher::joined`] as a member with `role`.
    pub fn joined_as(office: &Office, office_id: &str, name: &str, role: Role) -> Teacher {
        let mut t = Teacher::new(name);
        let member = office.add_member_as(office_id, name, role);
        t.join(office, &office.code(&member)).unwrap();
        t
    }

    pub fn join(
        &mut self,
        office: &Office,
        code: &str,
    ) -> Result<rounds_proto::EnrollResponse, rounds_client::ClientError> {
        let conn = rounds_client::Connection {
            url: office.url.clone(),
            ..Default::default()
        };
        rounds_client::join(&mut self.store, self.dir.path(), &conn, code, "test device")
    }

    pub fn sync(&mut self) -> Result<Report, rounds_client::ClientError> {
        rounds_client::sync_joined(&mut self.store, self.dir.path())
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
