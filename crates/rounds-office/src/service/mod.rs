//! What the office does, independent of HTTP and of the database engine:
//! enrollment, authentication, validating pushed changes, and paging the
//! log out to devices.
//!
//! [`Service`] and its limits, errors, clock and randomness are here; what
//! it does is in one file per seam, each an `impl Service` block:
//! `enroll.rs` (codes, enrollment, token authentication), `paging.rs` (the
//! cursor, a sync request's answer, the wake-up question, snapshot
//! compaction), `push.rs` (validating and storing one document's pushed
//! changes), `check.rs` (the identifier check of every pushed change) and
//! `members.rs` (the member directory a device reads, and what a member's
//! site may be) and `bundle.rs` (USB bundles: device keys, importing a
//! device's bundle and answering with a return bundle).

pub mod access;
mod bundle;
mod check;
mod enroll;
mod members;
mod paging;
mod push;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rounds_proto::{RejectCode, Rejection};

use crate::db::*;

pub use bundle::{BundleImport, MAX_BUNDLE_BYTES};
pub use enroll::{MAX_TRACKED_CLIENTS, hash_secret, new_code, new_token, normalize_code};
pub use members::{MAX_SITE_CHARS, check_site, parse_rubric};

/// Limits on what a device may send and receive.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body accepted (HTTP 413 beyond).
    pub max_request_bytes: usize,
    /// The largest single Automerge change.
    pub max_change_bytes: usize,
    /// The largest document, all history included.
    pub max_doc_bytes: usize,
    /// The page size when the client does not ask for one.
    pub page_bytes: usize,
    /// The largest page a client may ask for.
    pub max_page_bytes: usize,
    /// Failed enrollment attempts allowed per client address per window.
    pub enroll_attempts: u32,
    pub enroll_window_ms: i64,
    /// Documents validated per request; the rest wait for the device's
    /// next request (they are neither acknowledged nor refused).
    pub max_pushes: usize,
    /// Changes in one document's push; more is refused as too large.
    pub max_changes_per_push: usize,
    /// Time spent validating one request's pushes before the rest wait for
    /// the next request, so an answer arrives well within the 60-second
    /// request timeout and a slow push does not run on unseen.
    pub push_time_ms: i64,
    /// Threads validating one request's documents at once (each document is
    /// validated on a reader and appended under the single writer), so a
    /// device's large upload uses the office's cores.
    pub push_workers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_bytes: 16 << 20,
            max_change_bytes: 2 << 20,
            max_doc_bytes: 32 << 20,
            page_bytes: 1 << 20,
            max_page_bytes: 8 << 20,
            enroll_attempts: 10,
            enroll_window_ms: 10 * 60 * 1000,
            max_pushes: 10_000,
            max_changes_per_push: 100_000,
            push_time_ms: 20_000,
            push_workers: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(4),
        }
    }
}

/// An error as the client sees it: a status, a stable code and a message.
/// Internal details are logged, never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn unauthorized() -> Self {
        ApiError::new(
            401,
            "unauthorized",
            "missing, unknown or revoked device token",
        )
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "database error");
        let passing = match &e {
            DbError::Pool(_) => true,
            // A connection PostgreSQL closed (a restart, a failover): the
            // pool drops it, and the next try gets a new one.
            DbError::Postgres(p) => crate::pg::pool::ends_session(p),
            _ => false,
        };
        if passing {
            // No connection free, or the database unreachable: passing, and
            // the device's next try may well succeed.
            return ApiError::new(
                503,
                "unavailable",
                "the office's database is busy or unreachable; try again shortly",
            );
        }
        ApiError::new(
            500,
            "internal",
            "internal error; the office logged the details",
        )
    }
}

pub type Clock = Box<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Box::new(rounds_sqlite::now_ms)
}

pub struct Service {
    pub db: Arc<dyn OfficeDb>,
    pub limits: Limits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see
    /// `http::client_addr`); empty: the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Files offered at `GET /downloads/` (see `crate::downloads`); none
    /// when unset.
    pub downloads: Option<std::path::PathBuf>,
    clock: Clock,
    /// Where ids, codes and tokens come from: the operating system's
    /// randomness unless a simulation seeds it (`with_entropy`).
    entropy: Mutex<Box<dyn Entropy>>,
    failed_enrolls: Mutex<HashMap<String, (i64, u32)>>,
    /// When each device's last sync was last written down: a durable write
    /// on every sync would serialise all syncs behind the single writer.
    last_recorded: Mutex<HashMap<String, i64>>,
    /// Devices waiting for something new (`GET /v1/wait`).
    pub wake: Arc<crate::wake::Wake>,
    /// What this process counts, for `GET /metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The threads validating a request's documents at once
    /// (`Limits::push_workers`, named `office-push-N`), made on the first
    /// request that pushes several; `None` if they could not be made, and
    /// pushes are then validated one after another.
    push_pool: std::sync::OnceLock<Option<rayon::ThreadPool>>,
}

pub use rounds_core::entropy::{Entropy, SeededEntropy};

/// The operating system's randomness: what every office uses, so that
/// tokens and codes cannot be guessed.
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        // Without an operating-system random source no secret can be made;
        // there is no safe fallback.
        getrandom::fill(buf).expect("the operating system's random source failed");
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsEntropy.fill(&mut b);
    b
}

/// A new id for offices, members and devices.
pub fn new_id() -> String {
    id_from(random_bytes())
}

fn id_from(b: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(b).to_string()
}

fn reject(doc: [u8; 16], code: RejectCode, message: impl Into<String>) -> Rejection {
    Rejection {
        doc,
        code,
        message: message.into(),
    }
}

impl Service {
    pub fn new(db: Arc<dyn OfficeDb>, limits: Limits) -> Service {
        Service {
            db,
            limits,
            trusted_proxies: Vec::new(),
            downloads: None,
            clock: system_clock(),
            entropy: Mutex::new(Box::new(OsEntropy)),
            failed_enrolls: Mutex::new(HashMap::new()),
            last_recorded: Mutex::new(HashMap::new()),
            wake: Arc::new(crate::wake::Wake::default()),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            push_pool: std::sync::OnceLock::new(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Service {
        self.clock = clock;
        self
    }

    /// Replaces the source of ids, codes and tokens. Only the simulation
    /// does this (with a [`SeededEntropy`], so a seed replays exactly); an
    /// office serving devices keeps the operating system's.
    pub fn with_entropy(mut self, entropy: Box<dyn Entropy>) -> Service {
        self.entropy = Mutex::new(entropy);
        self
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    fn random<const N: usize>(&self) -> [u8; N] {
        let mut b = [0u8; N];
        self.entropy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fill(&mut b);
        b
    }

    /// A new id for an office, a member or a device, from this service's
    /// source of randomness.
    pub fn fresh_id(&self) -> String {
        id_from(self.random())
    }
}
