//! The background sync worker: one thread that syncs at start, shortly
//! after local edits (debounced, so saves of several fields are one sync),
//! every few minutes, at once when asked, and at once when the office says
//! it has something new; while the office cannot be reached it backs off
//! with jitter (so a room of PCs coming back online does not hit the office
//! in step) and keeps trying. Every outcome is reported through the status
//! callback: it never stops silently.
//!
//! A second thread holds the wake-up channel (`GET /v1/wait`, a long poll):
//! when it answers "more", the worker syncs, so a colleague's saved change
//! reaches an open editor within about a second. When the channel fails the
//! periodic sync goes on as before; an office without the channel (older)
//! is asked again only every ten minutes.
//!
//! The worker works on its own connection to the database, so a slow
//! network never holds the lock the UI's commands need.

use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::sync::Condvar;
use std::sync::atomic::{AtomicBool, Ordering};

use rounds_client::{ClientError, Waiter, Woken};
use rounds_core::sync::Report;
use rounds_store::{Store, SyncInfo};

use crate::error::from_client;
use crate::types::{SyncState, SyncStatus};
use rounds_sqlite::now_ms;

/// What the worker syncs with. The real one opens the store in the data
/// directory and talks HTTP; tests put a scripted one in its place.
pub trait Backend: Send + 'static {
    /// What the device knows about its office and what waits to be sent.
    fn info(&mut self) -> Result<SyncInfo, ClientError>;
    /// One full sync; `progress` gets the report so far after each page.
    fn sync(&mut self, progress: &mut dyn FnMut(&Report)) -> Result<Report, ClientError>;
    /// The wake-up channel, on its own connection, run on its own thread;
    /// `None` for a backend without one (the worker then syncs periodically).
    fn waker(&self) -> Option<Box<dyn Waker>> {
        None
    }
}

/// One long poll: waits up to `max` for the office to have something new.
pub trait Waker: Send + 'static {
    fn wait(&mut self, max: Duration) -> Result<Woken, ClientError>;
}

/// The wake-up channel of the store in a data directory.
struct StoreWaker {
    dir: PathBuf,
    store: Option<Store>,
    waiter: Option<Waiter>,
}

impl Waker for StoreWaker {
    fn wait(&mut self, max: Duration) -> Result<Woken, ClientError> {
        if self.store.is_none() {
            self.store = Some(Store::open_dir(&self.dir)?);
        }
        let store = self.store.as_ref().expect("opened above");
        // Read each time: the worker moves the cursor on its own connection.
        let cursor = store.sync_cursor()?;
        if self.waiter.is_none() {
            self.waiter = Some(Waiter::for_store(store, &self.dir)?);
        }
        let result = self.waiter.as_ref().expect("made above").wait(&cursor, max);
        if result.is_err() {
            // The next wait reads the token and the address again (a
            // rejoin replaces both).
            self.waiter = None;
            self.store = None;
        }
        result
    }
}

/// The store in a data directory, synced with the office it joined.
pub struct StoreBackend {
    dir: PathBuf,
    store: Option<Store>,
}

impl StoreBackend {
    pub fn new(dir: PathBuf) -> StoreBackend {
        StoreBackend { dir, store: None }
    }

    fn store(&mut self) -> Result<&mut Store, ClientError> {
        if self.store.is_none() {
            self.store = Some(Store::open_dir(&self.dir)?);
        }
        Ok(self.store.as_mut().expect("opened above"))
    }
}

impl Backend for StoreBackend {
    fn info(&mut self) -> Result<SyncInfo, ClientError> {
        Ok(self.store()?.sync_info()?)
    }

    fn sync(&mut self, progress: &mut dyn FnMut(&Report)) -> Result<Report, ClientError> {
        let dir = self.dir.clone();
        let result = rounds_client::sync_joined_with_progress(self.store()?, &dir, progress);
        if let Err(ClientError::Store(_)) = &result {
            // A database error may have left the connection in a bad state;
            // the next attempt starts from a fresh one.
            self.store = None;
        }
        result
    }

    fn waker(&self) -> Option<Box<dyn Waker>> {
        Some(Box::new(StoreWaker {
            dir: self.dir.clone(),
            store: None,
            waiter: None,
        }))
    }
}

/// How often the worker syncs and how it backs off.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Quiet time after a local edit before syncing it.
    pub debounce: Duration,
    /// Time between syncs when nothing happens.
    pub period: Duration,
    /// The first retry delay after a failure; it doubles per failure.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// How long one wait on the wake-up channel lasts (the office caps it).
    pub wake_wait: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            // Short: the editor saves a second after typing stops, and a
            // colleague with the document open should see it soon after.
            debounce: Duration::from_millis(300),
            period: Duration::from_secs(120),
            backoff_min: Duration::from_secs(5),
            backoff_max: Duration::from_secs(300),
            wake_wait: Duration::from_secs(25),
        }
    }
}

impl Timing {
    /// The delay before retry number `failures` (1 for the first), with up
    /// to ±25% random jitter.
    pub fn backoff(&self, failures: u32, random: u64) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        let base = self
            .backoff_min
            .saturating_mul(1u32 << exp)
            .min(self.backoff_max);
        // A factor between 0.75 and 1.25.
        let factor = 0.75 + (random % 1001) as f64 / 2000.0;
        base.mul_f64(factor)
    }
}

enum Msg {
    Edited,
    SyncNow,
    /// The office has something new (the wake-up channel).
    Remote,
    Stop,
}

/// Counts finished sync attempts, so the wake-up thread can wait for the
/// sync it asked for before it waits on the office again.
#[derive(Default)]
struct Synced {
    attempts: Mutex<u64>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Synced {
    fn count(&self) -> u64 {
        *self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn bump(&self) {
        *self.attempts.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _guard = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        self.changed.notify_all();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Waits until an attempt after `seen` finished, the worker stops, or
    /// `timeout` passes.
    fn wait_past(&self, seen: u64, timeout: Duration) {
        let guard = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self
            .changed
            .wait_timeout_while(guard, timeout, |n| *n == seen && !self.stopped());
    }
}

/// The wake-up thread: waits on the office, tells the worker to sync when
/// it has something, and waits for that sync before waiting again.
fn run_waker(
    mut waker: Box<dyn Waker>,
    tx: mpsc::Sender<Msg>,
    synced: Arc<Synced>,
    wait: Duration,
) {
    let mut failures = 0u32;
    while !synced.stopped() {
        let seen = synced.count();
        match waker.wait(wait) {
            Ok(Woken::More) => {
                failures = 0;
                let seen = synced.count();
                if tx.send(Msg::Remote).is_err() {
                    return;
                }
                synced.wait_past(seen, Duration::from_secs(60));
            }
            Ok(Woken::Quiet) => failures = 0,
            Ok(Woken::Unsupported) => synced.wait_past(u64::MAX, Duration::from_secs(600)),
            // Joining ends with a sync; try again after it.
            Err(ClientError::NotJoined) => synced.wait_past(seen, Duration::from_secs(60)),
            Err(_) => {
                // Offline or refused: the worker reports it; wait longer
                // each time, and try again as soon as a sync succeeds.
                failures = failures.saturating_add(1);
                let delay = Duration::from_secs(5u64 << failures.min(6)).min(wait * 12);
                synced.wait_past(seen, delay);
            }
        }
    }
}

type Callback = Box<dyn Fn(&SyncStatus) + Send>;

/// The handle of the worker thread. Dropping it stops the worker after its
/// current sync, without waiting.
pub struct SyncWorker {
    tx: mpsc::Sender<Msg>,
    synced: Arc<Synced>,
    status: Arc<Mutex<SyncStatus>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SyncWorker {
    /// Starts the worker; `on_status` is called on the worker's thread
    /// whenever the status changes.
    pub fn start(
        backend: impl Backend,
        timing: Timing,
        on_status: impl Fn(&SyncStatus) + Send + 'static,
    ) -> SyncWorker {
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(SyncStatus {
            state: SyncState::Idle,
            office_name: None,
            office_url: None,
            pending: 0,
            rejected: 0,
            last_sync: None,
            received: 0,
        }));
        let synced = Arc::new(Synced::default());
        if let Some(waker) = backend.waker() {
            let (tx, synced, wait) = (tx.clone(), synced.clone(), timing.wake_wait);
            // Detached: a stopped worker's waker ends after its current
            // long poll, without anyone waiting for it.
            let _ = std::thread::Builder::new()
                .name("rounds-wake".into())
                .spawn(move || run_waker(waker, tx, synced, wait));
        }
        let mut w = Worker {
            backend: Box::new(backend),
            synced: synced.clone(),
            timing,
            rx,
            status: status.clone(),
            on_status: Box::new(on_status),
            failures: 0,
            hasher: std::collections::hash_map::RandomState::new(),
        };
        let thread = std::thread::Builder::new()
            .name("rounds-sync".into())
            .spawn(move || w.run())
            .expect("the OS can start a thread");
        SyncWorker {
            tx,
            synced,
            status,
            thread: Some(thread),
        }
    }

    /// Tells the worker that a local edit was saved.
    pub fn edited(&self) {
        let _ = self.tx.send(Msg::Edited);
    }

    /// Asks for a sync now, also while backing off.
    pub fn sync_now(&self) {
        let _ = self.tx.send(Msg::SyncNow);
    }

    /// The last status reported.
    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Stops the worker and waits for its thread (tests; the app just
    /// drops the handle).
    pub fn stop(mut self) {
        self.synced.stop();
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        self.synced.stop();
        let _ = self.tx.send(Msg::Stop);
    }
}

/// Records the status and tells the UI, if it changed.
fn publish_to(status: &Mutex<SyncStatus>, on_status: &Callback, s: SyncStatus) {
    let changed = {
        let mut cur = status.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *cur != s;
        *cur = s.clone();
        changed
    };
    if changed {
        on_status(&s);
    }
}

struct Worker {
    backend: Box<dyn Backend>,
    synced: Arc<Synced>,
    timing: Timing,
    rx: mpsc::Receiver<Msg>,
    status: Arc<Mutex<SyncStatus>>,
    on_status: Callback,
    failures: u32,
    hasher: std::collections::hash_map::RandomState,
}

impl Worker {
    fn random(&self) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    }

    fn run(&mut self) {
        // Sync at start.
        let mut next: Option<Instant> = Some(Instant::now());
        loop {
            let msg = match next {
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    match self.rx.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                None => match self.rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
            };
            match msg {
                Some(Msg::Stop) => return,
                // The office answered the wake-up channel, so it can be
                // reached: sync now, also while backing off.
                Some(Msg::SyncNow | Msg::Remote) => next = Some(Instant::now()),
                Some(Msg::Edited) => {
                    // Show the new number of waiting changes at once.
                    self.refresh_counts();
                    let joined = !matches!(self.current().state, SyncState::NotJoined);
                    // While backing off, an edit does not bring the retry
                    // forward: the office is still unreachable.
                    if joined && self.failures == 0 {
                        let at = Instant::now() + self.timing.debounce;
                        next = Some(next.map_or(at, |n| n.min(at)));
                    }
                }
                None => {
                    next = self.attempt();
                    self.synced.bump();
                }
            }
        }
    }

    fn current(&self) -> SyncStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn publish(&self, s: SyncStatus) {
        publish_to(&self.status, &self.on_status, s);
    }

    fn with_info(&self, state: SyncState, info: &SyncInfo, received: u32) -> SyncStatus {
        SyncStatus {
            state,
            office_name: info.office_name.clone(),
            office_url: info.office_url.clone(),
            pending: info.pending_docs as u32,
            rejected: info.rejected_docs as u32,
            last_sync: info.last_sync,
            received,
        }
    }

    fn refresh_counts(&mut self) {
        let mut s = self.current();
        match self.backend.info() {
            Ok(info) => {
                s.pending = info.pending_docs as u32;
                s.rejected = info.rejected_docs as u32;
                s.received = 0;
            }
            Err(e) => {
                s.state = self.error_state(&e);
            }
        }
        self.publish(s);
    }

    fn error_state(&mut self, e: &ClientError) -> SyncState {
        let err = from_client(e);
        self.failures = self.failures.saturating_add(1);
        let delay = self.timing.backoff(self.failures, self.random());
        let retry_at = now_ms() + delay.as_millis() as i64;
        match e {
            ClientError::Offline(reason) => SyncState::Offline {
                reason: reason.clone(),
                retry_at,
            },
            _ => SyncState::Error {
                code: serde_json::to_value(err.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                message: err.message,
                retry_at,
            },
        }
    }

    /// How long until the retry time a failure state names.
    fn retry_in(state: &SyncState, otherwise: Duration) -> Duration {
        match state {
            SyncState::Offline { retry_at, .. } | SyncState::Error { retry_at, .. } => {
                Duration::from_millis((*retry_at - now_ms()).max(0) as u64)
            }
            _ => otherwise,
        }
    }

    /// One sync attempt; returns when to try next (`None`: only when asked).
    fn attempt(&mut self) -> Option<Instant> {
        let info = match self.backend.info() {
            Ok(i) => i,
            Err(e) => {
                let state = self.error_state(&e);
                let retry = Self::retry_in(&state, self.timing.backoff_min);
                let mut s = self.current();
                s.state = state;
                self.publish(s);
                return Some(Instant::now() + retry);
            }
        };
        if info.office_url.is_none() {
            self.failures = 0;
            self.publish(self.with_info(SyncState::NotJoined, &info, 0));
            return None;
        }
        let syncing = |r: &Report| SyncState::Syncing {
            round_trips: r.round_trips,
            docs_sent: r.docs_pushed,
            docs_received: r.docs_received + r.snapshots_received,
        };
        self.publish(self.with_info(syncing(&Report::default()), &info, 0));
        // A panic inside sync must not end the worker: it is reported and
        // retried like any other failure.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut status = self.with_info(syncing(&Report::default()), &info, 0);
            let (backend, shared, on_status) = (&mut self.backend, &self.status, &self.on_status);
            backend.sync(&mut |r| {
                status.state = syncing(r);
                publish_to(shared, on_status, status.clone());
            })
        }))
        .unwrap_or_else(|_| Err(ClientError::Protocol("sync failed unexpectedly".into())));
        let info = self.backend.info().unwrap_or(info);
        match result {
            Ok(report) => {
                self.failures = 0;
                let received = report.docs_received + report.snapshots_received;
                self.publish(self.with_info(SyncState::Idle, &info, received));
                Some(Instant::now() + self.timing.period)
            }
            Err(ClientError::NotJoined) => {
                self.failures = 0;
                self.publish(self.with_info(SyncState::NotJoined, &info, 0));
                None
            }
            Err(e) => {
                let state = self.error_state(&e);
                let retry_in = Self::retry_in(&state, self.timing.backoff_min);
                self.publish(self.with_info(state, &info, 0));
                Some(Instant::now() + retry_in)
            }
        }
    }
}
