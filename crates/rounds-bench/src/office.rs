//! A real office (rounds-office's service over SQLite, served by its own
//! axum router on a loopback port) and real teacher devices, as in
//! `tests/harness.rs`, with the office's threads named so that its CPU time
//! can be told apart from the client's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rounds_core::sync::Report;
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Limits, Service, new_id};
use rounds_office::sqlite::SqliteDb;
use rounds_store::Store;

pub struct Office {
    pub addr: SocketAddr,
    pub url: String,
    pub service: Arc<Service>,
    pub db: Arc<SqliteDb>,
    pub office_id: String,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Office {
    pub fn start(workers: usize) -> Office {
        let dir = tempfile::tempdir().expect("a temporary directory for the office");
        let db = Arc::new(SqliteDb::open_dir(dir.path()).expect("the office database"));
        let service = Arc::new(Service::new(db.clone(), Limits::default()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let svc = service.clone();
        let thread = std::thread::Builder::new()
            .name("office-main".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .thread_name("office")
                    // Blocking threads that end take their CPU time with
                    // them out of /proc; keeping them makes the count exact.
                    .thread_keep_alive(Duration::from_secs(3600))
                    .enable_all()
                    .build()
                    .expect("the office's runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("a loopback port for the office");
                    let _ = addr_tx.send(listener.local_addr().expect("the office's address"));
                    let _ = rounds_office::http::serve(svc, listener, async {
                        let _ = rx.await;
                    })
                    .await;
                });
            })
            .expect("a thread for the office");
        let addr: SocketAddr = addr_rx.recv().expect("the office's address");
        let office_id = db
            .create_office(&new_id(), "基准测试教研室", 0)
            .expect("an office")
            .id;
        Office {
            addr,
            url: format!("http://{addr}"),
            service,
            db,
            office_id,
            _dir: dir,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// A one-time code for a new member: a lead teacher, since the
    /// generated library holds approved plans, which only lead teachers
    /// (and office admins) may push.
    pub fn code_for_new_member(&self, name: &str) -> String {
        let member = self
            .db
            .add_member(&new_id(), &self.office_id, name, Role::LeadTeacher, 0)
            .expect("a member")
            .id;
        self.service.issue_code(&member, 24).expect("a code")
    }

    /// Brings every snapshot up to date, as the office's background task
    /// does, so that a new device is measured against compacted snapshots.
    pub fn compact_all(&self) {
        for _ in 0..10_000 {
            match self.service.compact_snapshots(500) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
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

/// One teacher's device: a real store in a temporary directory.
pub struct Teacher {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl Teacher {
    /// A device that joined `office` through `url` (the office or a proxy).
    pub fn joined(office: &Office, url: &str, name: &str) -> Teacher {
        let dir = tempfile::tempdir().expect("a temporary directory for a device");
        let mut store = Store::open_dir(dir.path()).expect("a store");
        store.set_user_name(name).expect("a user name");
        let code = office.code_for_new_member(name);
        let conn = rounds_client::Connection {
            url: url.to_owned(),
            ..Default::default()
        };
        rounds_client::join(&mut store, dir.path(), &conn, &code, "bench device")
            .expect("joining the office");
        Teacher { store, dir }
    }

    /// Points the device at another address (a proxy) of the same office.
    pub fn set_url(&self, url: &str) {
        self.store
            .sync_set("office_url", Some(url))
            .expect("setting the office URL");
    }

    pub fn transport(&self) -> rounds_client::HttpTransport {
        rounds_client::HttpTransport::for_store(&self.store, self.dir.path()).expect("a transport")
    }

    /// One sync through the client library, over a transport the caller
    /// keeps (so that its thread, and its CPU time, outlive the sync).
    pub fn sync_with(
        &mut self,
        t: &mut rounds_client::HttpTransport,
    ) -> Result<Report, rounds_client::ClientError> {
        rounds_client::sync(&mut self.store, t, &now_ms)
    }

    /// Shares documents with the office through `Store::share`, as a
    /// teacher would, so that every device of every member receives them.
    /// A case is shared as a new document (checked for identifiers), so the
    /// ids that come back are the ones the office knows; a document the
    /// check refuses stays private and is left out.
    pub fn share_all(&mut self, ids: &[String]) -> Vec<String> {
        fast_writes(&self.store, true);
        let shared = ids
            .iter()
            .filter_map(|id| self.store.share(id, true).ok().map(|s| s.id))
            .collect();
        fast_writes(&self.store, false);
        shared
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Setting up thousands of documents one transaction at a time would spend
/// minutes in fsync; setup turns durability off and measurement turns it
/// back on, so that measured writes pay what a teacher's save pays.
pub fn fast_writes(store: &Store, fast: bool) {
    let mode = if fast { "OFF" } else { "FULL" };
    let _ = store
        .connection()
        .execute_batch(&format!("PRAGMA synchronous = {mode}"));
}
