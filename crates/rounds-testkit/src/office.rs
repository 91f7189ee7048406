//! A real office server (rounds-office's service over SQLite, served by
//! its own axum router) on a free loopback port, in a thread of its own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rounds_core::doc::Document;
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Clock, Limits, Service, new_id};
use rounds_office::sqlite::SqliteDb;
use rounds_office::tls::TlsFiles;

/// An office server running in a thread of its own; dropping it shuts the
/// server down and waits for it.
pub struct Office {
    /// Where devices reach it: `http://127.0.0.1:PORT`, or
    /// `https://HOST:PORT` on TLS.
    pub url: String,
    /// The loopback address it listens on.
    pub addr: SocketAddr,
    pub service: Arc<Service>,
    pub db: Arc<SqliteDb>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How [`OfficeBuilder::start`] starts an office; [`Office::builder`]'s
/// defaults are the tests' (default limits, the system clock, plain HTTP,
/// two worker threads with tokio's names).
pub struct OfficeBuilder {
    limits: Limits,
    clock: Option<Clock>,
    tls: Option<(TlsFiles, String)>,
    workers: usize,
    thread_name: Option<String>,
    keep_alive: Option<Duration>,
}

impl OfficeBuilder {
    pub fn limits(mut self, limits: Limits) -> OfficeBuilder {
        self.limits = limits;
        self
    }

    /// The service's clock: a frozen one keeps the office from writing
    /// down a device's last sync again, so that tests can compare whole
    /// database dumps.
    pub fn clock(mut self, clock: Clock) -> OfficeBuilder {
        self.clock = Some(clock);
        self
    }

    /// Serves HTTPS with `files`; devices reach it as `https://HOST:PORT`.
    pub fn tls(mut self, files: TlsFiles, host: &str) -> OfficeBuilder {
        self.tls = Some((files, host.to_owned()));
        self
    }

    pub fn workers(mut self, workers: usize) -> OfficeBuilder {
        self.workers = workers;
        self
    }

    /// Names the server's threads `NAME-main` (the one that runs the
    /// runtime) and `NAME` (its workers and blocking threads), so that
    /// their CPU time can be told apart from the client's.
    pub fn thread_name(mut self, name: &str) -> OfficeBuilder {
        self.thread_name = Some(name.to_owned());
        self
    }

    /// Keeps idle blocking threads this long: threads that end take their
    /// CPU time with them out of /proc.
    pub fn keep_alive(mut self, keep_alive: Duration) -> OfficeBuilder {
        self.keep_alive = Some(keep_alive);
        self
    }

    pub fn start(self) -> Office {
        let acceptor = self.tls.as_ref().map(|(files, _)| {
            rounds_office::tls::acceptor(files.clone()).expect("the office's TLS acceptor")
        });
        let dir = tempfile::tempdir().expect("a temporary directory for the office");
        let db = Arc::new(SqliteDb::open_dir(dir.path()).expect("the office database"));
        let mut service = Service::new(db.clone(), self.limits);
        if let Some(c) = self.clock {
            service = service.with_clock(c);
        }
        let service = Arc::new(service);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let svc = service.clone();
        let (workers, name, keep_alive) = (self.workers, self.thread_name, self.keep_alive);
        let mut thread = std::thread::Builder::new();
        if let Some(n) = &name {
            thread = thread.name(format!("{n}-main"));
        }
        let thread = thread
            .spawn(move || {
                let mut rt = tokio::runtime::Builder::new_multi_thread();
                rt.worker_threads(workers).enable_all();
                if let Some(n) = name {
                    rt.thread_name(n);
                }
                if let Some(k) = keep_alive {
                    rt.thread_keep_alive(k);
                }
                let rt = rt.build().expect("the office's runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("a loopback port for the office");
                    let _ = addr_tx.send(listener.local_addr().expect("the office's address"));
                    rounds_office::http::serve_with(svc, listener, acceptor, async {
                        let _ = rx.await;
                    })
                    .await
                    .expect("the office serves");
                });
            })
            .expect("a thread for the office");
        let addr: SocketAddr = addr_rx.recv().expect("the office's address");
        let url = match &self.tls {
            Some((_, host)) => format!("https://{host}:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        Office {
            url,
            addr,
            service,
            db,
            dir,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Office {
    pub fn builder() -> OfficeBuilder {
        OfficeBuilder {
            limits: Limits::default(),
            clock: None,
            tls: None,
            workers: 2,
            thread_name: None,
            keep_alive: None,
        }
    }

    pub fn start() -> Office {
        Office::builder().start()
    }

    pub fn start_with(limits: Limits) -> Office {
        Office::builder().limits(limits).start()
    }

    /// An office whose clock is `clock` (the system's when `None`); see
    /// [`OfficeBuilder::clock`].
    pub fn start_with_clock(limits: Limits, clock: Option<Clock>) -> Office {
        let b = Office::builder().limits(limits);
        match clock {
            Some(c) => b.clock(c),
            None => b,
        }
        .start()
    }

    /// An office serving HTTPS with `files` at `https://HOST:PORT`.
    pub fn start_tls(files: TlsFiles, host: &str) -> Office {
        Office::builder().tls(files, host).start()
    }

    pub fn create_office(&self, name: &str) -> String {
        self.db.create_office(&new_id(), name, 0).unwrap().id
    }

    pub fn add_member(&self, office: &str, name: &str) -> String {
        self.add_member_as(office, name, Role::Teacher)
    }

    /// A new member with a role other than teacher.
    pub fn add_member_as(&self, office: &str, name: &str, role: Role) -> String {
        self.db
            .add_member(&new_id(), office, name, role, 0)
            .unwrap()
            .id
    }

    /// A one-time enrollment code for `member`, valid for a day.
    pub fn code(&self, member: &str) -> String {
        self.service.issue_code(member, 24).unwrap()
    }

    /// The office's own bytes of a document: its snapshot and the log
    /// since.
    pub fn bytes(&self, id: &str) -> Option<Vec<u8>> {
        let (snapshot, _, rest, _) = self.db.doc_log_since_snapshot(id).ok()?;
        Some([snapshot, rest].concat())
    }

    /// The office's own copy of a document.
    pub fn document(&self, id: &str) -> Option<Document> {
        Document::load(&self.bytes(id)?).ok()
    }

    /// How many documents and log rows the office holds: a fingerprint of its state.
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
