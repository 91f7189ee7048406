//! What the office does, independent of HTTP and of the database engine:
//! enrollment, authentication, validating pushed changes, and paging the
//! log out to devices.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use automerge::{AutoCommit, Change};
use rounds_core::doc::Document;
use rounds_core::schema::DocKind;
use rounds_proto::{
    DocChanges, EnrollRequest, EnrollResponse, Item, RejectCode, Rejection, SyncRequest,
    SyncResponse, doc_id_from_str, doc_id_to_string,
};
use sha2::{Digest, Sha256};

use crate::db::*;

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
}

/// How many client addresses the failed-enrollment table remembers.
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// How stale a device's recorded last sync may be, for `status`.
const RECORD_SYNC_EVERY_MS: i64 = 60_000;

/// SHA-256, the only form in which tokens and codes are stored.
pub fn hash_secret(s: &str) -> Vec<u8> {
    Sha256::digest(s.as_bytes()).to_vec()
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

const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A one-time enrollment code: 10 characters of Crockford base32 (50
/// random bits), grouped for reading aloud over the phone.
pub fn new_code() -> String {
    code_from(random_bytes())
}

fn code_from(b: [u8; 8]) -> String {
    let mut v = u64::from_le_bytes(b);
    let mut s = String::new();
    for i in 0..10 {
        if i == 5 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[(v & 31) as usize] as char);
        v >>= 5;
    }
    s
}

/// Reads a code the way people type it: any case, with or without the dash,
/// with O for 0 and I or L for 1.
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A new device token: 256 random bits.
pub fn new_token() -> String {
    token_from(random_bytes())
}

fn token_from(b: [u8; 32]) -> String {
    format!("rt_{}", hex::encode(b))
}

/// The office's cursor, opaque to clients: `[phase][epoch: u32 LE][…]`.
/// Phase 1 (log): the position as LEB128 (`rounds_proto::put_uint`).
/// Phase 2 (bootstrap): the LEB128 position the bootstrap ends at, then
/// the last document id sent (16 bytes, absent at the start).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    Log(i64),
    Bootstrap { upto: i64, after: Option<String> },
}

impl Cursor {
    fn encode(&self, epoch: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        match self {
            Cursor::Log(pos) => {
                out.push(1);
                out.extend_from_slice(&epoch.to_le_bytes());
                rounds_proto::put_uint(&mut out, *pos as u64);
            }
            Cursor::Bootstrap { upto, after } => {
                out.push(2);
                out.extend_from_slice(&epoch.to_le_bytes());
                rounds_proto::put_uint(&mut out, *upto as u64);
                if let Some(id) = after.as_deref().and_then(doc_id_from_str) {
                    out.extend_from_slice(&id);
                }
            }
        }
        out
    }

    /// Decodes a cursor; `None` for an empty, foreign or damaged one, which
    /// the office answers by starting the device over from snapshots.
    fn decode(b: &[u8], epoch: u32) -> Option<Cursor> {
        let (&phase, rest) = b.split_first()?;
        let e = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
        if e != epoch {
            return None;
        }
        let (v, n) = rounds_proto::get_uint(&rest[4..]).ok()?;
        let v = i64::try_from(v).ok()?;
        let tail = &rest[4 + n..];
        match (phase, tail.len()) {
            (1, 0) => Some(Cursor::Log(v)),
            (2, 0) => Some(Cursor::Bootstrap {
                upto: v,
                after: None,
            }),
            (2, 16) => {
                let mut id = [0u8; 16];
                id.copy_from_slice(tail);
                Some(Cursor::Bootstrap {
                    upto: v,
                    after: Some(doc_id_to_string(&id)),
                })
            }
            _ => None,
        }
    }
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
            clock: system_clock(),
            entropy: Mutex::new(Box::new(OsEntropy)),
            failed_enrolls: Mutex::new(HashMap::new()),
            last_recorded: Mutex::new(HashMap::new()),
            wake: Arc::new(crate::wake::Wake::default()),
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

    // ---- administration -------------------------------------------------------

    /// Issues a one-time code for a member, valid for `hours`. The code is
    /// returned once and stored only as a hash.
    pub fn issue_code(&self, member: &str, hours: i64) -> Result<String, DbError> {
        let code = code_from(self.random());
        let now = self.now();
        self.db.create_code(
            member,
            &hash_secret(&normalize_code(&code)),
            now + hours * 3_600_000,
            now,
        )?;
        Ok(code)
    }

    // ---- enrollment and authentication ------------------------------------------

    fn too_many_failures(&self, client: &str) -> bool {
        let now = self.now();
        let map = self
            .failed_enrolls
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.get(client).is_some_and(|(start, n)| {
            now - start < self.limits.enroll_window_ms && *n >= self.limits.enroll_attempts
        })
    }

    fn note_failure(&self, client: &str) {
        let now = self.now();
        let mut map = self
            .failed_enrolls
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Forget old windows, and the oldest beyond a cap, so the map
        // cannot grow without bound however many addresses guess.
        map.retain(|_, (start, _)| now - *start < self.limits.enroll_window_ms);
        if map.len() >= MAX_TRACKED_CLIENTS
            && !map.contains_key(client)
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (start, _))| *start)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        let e = map.entry(client.to_owned()).or_insert((now, 0));
        e.1 += 1;
    }

    /// A device joins with a code. `client` names where the request came
    /// from, for rate limiting failed attempts.
    pub fn enroll(&self, req: &EnrollRequest, client: &str) -> Result<EnrollResponse, ApiError> {
        if self.too_many_failures(client) {
            return Err(ApiError::new(
                429,
                "too_many_attempts",
                "too many failed enrollment attempts; wait ten minutes",
            ));
        }
        let actor = hex::decode(&req.actor)
            .ok()
            .filter(|a| (1..=64).contains(&a.len()))
            .ok_or_else(|| {
                ApiError::new(400, "invalid_actor", "actor must be 1 to 64 bytes in hex")
            })?;
        let name = req.device_name.trim();
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ApiError::new(
                400,
                "invalid_device_name",
                "device name must be at most 100 printable characters",
            ));
        }
        let code = normalize_code(&req.code);
        let token = token_from(self.random());
        let device_id = self.fresh_id();
        let result = self.db.enroll(
            &hash_secret(&code),
            &device_id,
            name,
            &hash_secret(&token),
            &actor,
            self.now(),
        )?;
        match result {
            Ok((office, member)) => {
                tracing::info!(device = %device_id, member = %member.id, office = %office.id, "device enrolled");
                Ok(EnrollResponse {
                    token,
                    device_id,
                    office_id: office.id,
                    office_name: office.name,
                    member_id: member.id,
                    member_name: member.name,
                    role: member.role.as_str().to_owned(),
                })
            }
            Err(failure) => {
                self.note_failure(client);
                tracing::warn!(?failure, client = %client, "enrollment refused");
                Err(match failure {
                    EnrollFailure::Unknown => {
                        ApiError::new(403, "invalid_code", "this enrollment code is not valid")
                    }
                    EnrollFailure::Used => ApiError::new(
                        403,
                        "code_used",
                        "this enrollment code has already been used",
                    ),
                    EnrollFailure::Expired => ApiError::new(
                        403,
                        "code_expired",
                        "this enrollment code has expired; ask for a new one",
                    ),
                    EnrollFailure::ActorTaken => ApiError::new(
                        409,
                        "actor_taken",
                        "this device's identity is already enrolled; reset the device's sync first",
                    ),
                })
            }
        }
    }

    /// The device behind an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>) -> Result<DeviceCtx, ApiError> {
        // The scheme is case-insensitive (RFC 9110 §11.1).
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or_else(ApiError::unauthorized)?;
        if token.len() > 200 {
            return Err(ApiError::unauthorized());
        }
        self.db
            .device_for_token(&hash_secret(token))?
            .ok_or_else(ApiError::unauthorized)
    }

    // ---- sync ---------------------------------------------------------------------

    /// Answers one sync request: stores the pushes it accepts, then pages
    /// out what the device has not seen.
    pub fn sync(&self, ctx: &DeviceCtx, req: SyncRequest) -> Result<SyncResponse, ApiError> {
        let now = self.now();
        let mut resp = SyncResponse::default();
        // A device without a cursor starts from snapshots of everything up
        // to now; what it pushes in this same request is not sent back.
        let epoch = self.db.epoch();
        let cursor = Cursor::decode(&req.cursor, epoch).unwrap_or(Cursor::Bootstrap {
            upto: self.db.head()?,
            after: None,
        });
        let mut actors: HashMap<Vec<u8>, bool> = HashMap::new();
        let deadline = now.saturating_add(self.limits.push_time_ms);
        for (i, push) in req.pushes.into_iter().enumerate() {
            // The first push is always done, so every request makes progress.
            if i > 0 && (i >= self.limits.max_pushes || self.now() > deadline) {
                tracing::info!(device = %ctx.device, done = i, "pushes left for the next request");
                break;
            }
            let doc = push.doc;
            match self.push(ctx, push, now, &mut actors)? {
                Ok(()) => resp.acks.push(doc),
                Err(r) => {
                    tracing::info!(device = %ctx.device, doc = %doc_id_to_string(&r.doc), code = r.code.as_str(), "push rejected");
                    resp.rejections.push(r);
                }
            }
        }
        if !resp.acks.is_empty() {
            // Waiting devices re-check; one that may read none of it goes
            // back to waiting.
            self.wake.bump();
        }
        let budget = match req.max_page_bytes {
            0 => self.limits.page_bytes,
            n => (n as usize).clamp(16 << 10, self.limits.max_page_bytes),
        };
        let mut used = 0usize;
        let log_from = match cursor {
            Cursor::Log(pos) => pos,
            Cursor::Bootstrap { upto, after } => {
                let (docs, more) =
                    self.db
                        .read_snapshots(ctx, after.as_deref().unwrap_or(""), upto, budget)?;
                let last = docs.last().map(|(d, _)| d.clone());
                for (doc, bytes) in docs {
                    used += bytes.len();
                    if let Some(id) = doc_id_from_str(&doc) {
                        resp.items.push(Item::Snapshot { doc: id, bytes });
                    }
                }
                if more {
                    resp.cursor = Cursor::Bootstrap {
                        upto,
                        after: last.or(after),
                    }
                    .encode(epoch);
                    resp.more = true;
                    self.record_sync(&ctx.device, now)?;
                    return Ok(resp);
                }
                upto
            }
        };
        let page = self
            .db
            .read_log(ctx, log_from, budget.saturating_sub(used).max(1))?;
        for entry in page.entries {
            match entry {
                LogEntry::Change { doc, bytes, .. } => {
                    let Some(id) = doc_id_from_str(&doc) else {
                        continue;
                    };
                    // Consecutive changes of one document share one item.
                    if let Some(Item::Changes(last)) = resp.items.last_mut()
                        && last.doc == id
                    {
                        last.changes.push(bytes);
                    } else {
                        resp.items.push(Item::Changes(DocChanges {
                            doc: id,
                            changes: vec![bytes],
                        }));
                    }
                }
                LogEntry::Reveal { doc, bytes, .. } => {
                    if let Some(id) = doc_id_from_str(&doc) {
                        resp.items.push(Item::Snapshot { doc: id, bytes });
                    }
                }
            }
        }
        resp.cursor = Cursor::Log(page.scanned).encode(epoch);
        resp.more = page.more;
        self.record_sync(&ctx.device, now)?;
        Ok(resp)
    }

    /// Whether the office has something after `cursor` for this device:
    /// the wake-up channel's question. A cursor the office cannot read (none
    /// yet, another office database's, or one in the middle of the first
    /// sync's snapshots) always has more: the device must sync to go on.
    pub fn has_more(&self, ctx: &DeviceCtx, cursor: &[u8]) -> Result<bool, ApiError> {
        match Cursor::decode(cursor, self.db.epoch()) {
            Some(Cursor::Log(pos)) => Ok(self.db.readable_after(ctx, pos)?),
            Some(Cursor::Bootstrap { .. }) | None => Ok(true),
        }
    }

    /// Notes a device's sync, at most once a minute per device.
    fn record_sync(&self, device: &str, now: i64) -> Result<(), DbError> {
        {
            let mut map = self.last_recorded.lock().unwrap_or_else(|p| p.into_inner());
            if map
                .get(device)
                .is_some_and(|t| now - t < RECORD_SYNC_EVERY_MS)
            {
                return Ok(());
            }
            map.insert(device.to_owned(), now);
        }
        self.db.record_sync(device, now)
    }

    /// Validates and stores one document's pushed changes: all or nothing.
    fn push(
        &self,
        ctx: &DeviceCtx,
        push: DocChanges,
        now: i64,
        actors: &mut HashMap<Vec<u8>, bool>,
    ) -> Result<Result<(), Rejection>, ApiError> {
        let doc = push.doc;
        let doc_str = doc_id_to_string(&doc);
        if push.changes.len() > self.limits.max_changes_per_push {
            return Ok(Err(reject(
                doc,
                RejectCode::TooLarge,
                format!(
                    "the push has {} changes; the limit is {} per document",
                    push.changes.len(),
                    self.limits.max_changes_per_push
                ),
            )));
        }
        let mut changes = Vec::with_capacity(push.changes.len());
        for (i, bytes) in push.changes.into_iter().enumerate() {
            if bytes.len() > self.limits.max_change_bytes {
                return Ok(Err(reject(
                    doc,
                    RejectCode::TooLarge,
                    format!(
                        "change {i} is {} bytes; the limit is {}",
                        bytes.len(),
                        self.limits.max_change_bytes
                    ),
                )));
            }
            match Change::from_bytes(bytes) {
                Ok(c) => changes.push(c),
                Err(e) => {
                    return Ok(Err(reject(
                        doc,
                        RejectCode::Malformed,
                        format!("change {i} is not an Automerge change: {e}"),
                    )));
                }
            }
        }
        if changes.is_empty() {
            return Ok(Ok(()));
        }
        for c in &changes {
            let actor = c.actor_id().to_bytes().to_vec();
            if let std::collections::hash_map::Entry::Vacant(e) = actors.entry(actor) {
                let ok = self.db.device_has_actor(&ctx.device, e.key())?;
                e.insert(ok);
            }
        }
        let limits = &self.limits;
        let mut decide = |state: Option<&DocState>| -> Result<Accepted, Rejection> {
            let mut am = match state {
                Some(s) => {
                    if s.office != ctx.office {
                        return Err(reject(
                            doc,
                            RejectCode::OtherOffice,
                            "this document belongs to another office",
                        ));
                    }
                    if s.visibility != "office" && s.owner != ctx.member {
                        return Err(reject(
                            doc,
                            RejectCode::Forbidden,
                            "this is another teacher's private document",
                        ));
                    }
                    AutoCommit::load(&s.bytes).map_err(|e| {
                        tracing::error!(doc = %doc_str, error = %e, "stored document does not load");
                        reject(doc, RejectCode::InvalidDocument, "the office cannot read its copy of this document")
                    })?
                }
                None => AutoCommit::new(),
            };
            let before = state.map(|s| s.visibility.as_str());
            let mut fresh = Vec::new();
            for c in &changes {
                if am.get_change_by_hash(&c.hash()).is_some() {
                    continue;
                }
                // Only changes the office does not have yet must be the
                // sender's own: replaying a known change is harmless.
                if actors.get(c.actor_id().to_bytes()) != Some(&true) {
                    return Err(reject(
                        doc,
                        RejectCode::ForgedActor,
                        format!(
                            "change {} is signed by an actor that is not this device's",
                            c.hash()
                        ),
                    ));
                }
                fresh.push(c.clone());
            }
            if fresh.is_empty() {
                // Everything is stored already (a retried request): nothing changes.
                return current_meta(doc, &am);
            }
            let base = am.clone();
            am.apply_changes(fresh.iter().cloned()).map_err(|e| {
                reject(
                    doc,
                    RejectCode::Malformed,
                    format!("changes do not apply: {e}"),
                )
            })?;
            if !am.get_missing_deps(&[]).is_empty() {
                return Err(reject(
                    doc,
                    RejectCode::MissingDeps,
                    "changes depend on changes the office does not have; send those first",
                ));
            }
            let total: usize = state.map_or(0, |s| s.bytes.len())
                + fresh.iter().map(|c| c.raw_bytes().len()).sum::<usize>();
            if total > limits.max_doc_bytes {
                return Err(reject(
                    doc,
                    RejectCode::TooLarge,
                    format!(
                        "the document would be {total} bytes; the limit is {}",
                        limits.max_doc_bytes
                    ),
                ));
            }
            let d = Document::from_automerge(am)
                .map_err(|e| reject(doc, RejectCode::InvalidDocument, e.to_string()))?;
            if d.id() != doc_str {
                return Err(reject(
                    doc,
                    RejectCode::InvalidDocument,
                    "the changes carry another document's id",
                ));
            }
            let stored = match state {
                Some(s) => Some((
                    Document::from_automerge(base.clone()).map_err(|e| {
                        tracing::error!(doc = %doc_str, error = %e, "stored document is not a Rounds document");
                        reject(doc, RejectCode::InvalidDocument, "the office cannot read its copy of this document")
                    })?,
                    s.owner.as_str(),
                )),
                None => None,
            };
            crate::validate::check_state(stored.as_ref().map(|(d, o)| (d, *o)), &d, ctx)
                .map_err(|r| reject(doc, r.code, r.message))?;
            // Kinds that hold patient data are checked for every
            // high-confidence identifier; the others (lesson plans, whose
            // free text may quote a case) for the kinds no teaching text
            // needs (`lesson_plan_may_not_hold`). Every kind is checked.
            check_case(doc, &d, base, &fresh)?;
            let visibility = d.visibility().as_str().to_owned();
            Ok(Accepted {
                changes: fresh
                    .iter()
                    .map(|c| (c.hash().as_ref().to_vec(), c.raw_bytes().to_vec()))
                    .collect(),
                kind: d.kind().as_str().to_owned(),
                reveal: before == Some("private") && visibility == "office",
                deleted: d.deleted(),
                visibility,
                owner_id: d.owner(),
            })
        };
        Ok(self.db.push_doc(ctx, &doc_str, now, &mut decide)?)
    }

    /// Brings up to `limit` stale snapshots up to date; returns how many.
    /// Runs off the request path (a background task in `serve`).
    pub fn compact_snapshots(&self, limit: usize) -> Result<usize, DbError> {
        let docs = self.db.stale_snapshots(limit)?;
        let mut n = 0;
        for doc in docs {
            let (snapshot, pos, rest, last) = self.db.doc_log_since_snapshot(&doc)?;
            if last <= pos {
                continue;
            }
            let mut bytes = snapshot;
            bytes.extend_from_slice(&rest);
            match AutoCommit::load(&bytes) {
                Ok(mut am) => {
                    self.db.put_snapshot(&doc, pos, last, &am.save())?;
                    n += 1;
                }
                Err(e) => {
                    tracing::error!(doc = %doc, error = %e, "cannot compact a stored document")
                }
            }
        }
        Ok(n)
    }
}

/// How often `check_case` scans the state within one push; see there.
const CHECK_EVERY: usize = 6;

/// Defence in depth for teaching cases and lesson plans, whatever the
/// client: a private case never reaches the office (cases are shared as new
/// documents made from a checked state), and no change may add a
/// high-confidence patient identifier to a shared case or to a lesson plan
/// (whose free text may quote a case). Each change is checked in turn, so an
/// identifier added and removed again within one push is refused too.
fn check_case(
    doc: [u8; 16],
    after: &Document,
    mut state: AutoCommit,
    fresh: &[Change],
) -> Result<(), Rejection> {
    let what = if after.kind().holds_patient_data() {
        "a shared case"
    } else {
        "a lesson plan"
    };
    if after.kind().holds_patient_data() && after.visibility() != rounds_core::Visibility::Office {
        return Err(reject(
            doc,
            RejectCode::Forbidden,
            "a private case stays on its author's device; share it to send it to the office",
        ));
    }
    let mut known: Vec<(rounds_deid::Kind, String)> = Document::from_automerge(state.clone())
        .map(|d| rounds_core::deid::identifiers(&d))
        .unwrap_or_default();
    for (i, c) in fresh.iter().enumerate() {
        // The text this change inserts, scanned on its own: an identifier
        // pasted or typed in one save is caught even if a later change of
        // the same push removes it again.
        let mut inserted = String::new();
        let mut last_obj = None;
        for op in c.decode().operations.iter().filter(|op| op.insert) {
            if let Some(automerge::ScalarValue::Str(text)) = op.primitive_value() {
                // Text of different objects must not run together into one
                // number that no field holds.
                if last_obj.as_ref() != Some(&op.obj) {
                    inserted.push('\n');
                    last_obj = Some(op.obj.clone());
                }
                inserted.push_str(&text);
            }
        }
        if let Some(f) = rounds_deid::scan(&inserted)
            .into_iter()
            .find(|f| f.blocks_sharing() && lesson_plan_may_not_hold(after.kind(), f.kind))
            && !known.iter().any(|(k, t)| *k == f.kind && *t == f.text)
        {
            return Err(reject(
                doc,
                RejectCode::Identifier,
                format!(
                    "identifier: change {} would add a likely patient identifier ({}) to {what}",
                    c.hash(),
                    f.kind.label_en()
                ),
            ));
        }
        state.apply_changes([c.clone()]).map_err(|e| {
            reject(
                doc,
                RejectCode::Malformed,
                format!("changes do not apply: {e}"),
            )
        })?;
        // Scanning the whole state after every change of a long
        // keystroke-level history costs quadratic time. Every CHECK_EVERY-th
        // state and the last are scanned: an identifier typed key by key
        // and deleted again lives through one change per character, so it
        // is caught unless it is shorter than CHECK_EVERY characters (and
        // one inserted at once is caught by the scan above).
        if i + 1 != fresh.len() && (i + 1) % CHECK_EVERY != 0 {
            continue;
        }
        let Ok(d) = Document::from_automerge(state.clone()) else {
            continue;
        };
        let now = rounds_core::deid::identifiers(&d);
        let added: Vec<&(rounds_deid::Kind, String)> =
            now.iter().filter(|x| !known.contains(x)).collect();
        if !added.is_empty() {
            let kinds: std::collections::BTreeSet<&str> =
                added.iter().map(|(k, _)| k.label_en()).collect();
            return Err(reject(
                doc,
                RejectCode::Identifier,
                format!(
                    "identifier: change {} would add {} likely patient identifier(s) ({}) to {what}",
                    c.hash(),
                    added.len(),
                    kinds.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        known = now;
    }
    Ok(())
}

/// Which identifiers refuse a change to a document of a kind that holds no
/// patient data, such as a lesson plan. A plan legitimately
/// names its teachers, its hospital, its teaching dates and the beds of a
/// ward round, so only the identifiers that never belong in a plan — a
/// resident ID, a phone number, a bank card — refuse it; a case is checked
/// for every kind.
fn lesson_plan_may_not_hold(doc: DocKind, kind: rounds_deid::Kind) -> bool {
    doc.holds_patient_data()
        || matches!(
            kind,
            rounds_deid::Kind::ResidentId | rounds_deid::Kind::Phone | rounds_deid::Kind::BankCard
        )
}

/// The stored metadata of a document whose push brought nothing new.
fn current_meta(doc: [u8; 16], am: &AutoCommit) -> Result<Accepted, Rejection> {
    let d = Document::from_automerge(am.clone())
        .map_err(|e| reject(doc, RejectCode::InvalidDocument, e.to_string()))?;
    Ok(Accepted {
        changes: Vec::new(),
        kind: d.kind().as_str().to_owned(),
        visibility: d.visibility().as_str().to_owned(),
        deleted: d.deleted(),
        reveal: false,
        owner_id: d.owner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_reset() {
        for c in [
            Cursor::Log(0),
            Cursor::Log(1 << 40),
            Cursor::Bootstrap {
                upto: 7,
                after: None,
            },
            Cursor::Bootstrap {
                upto: 9,
                after: Some("01a20156-1cd2-756b-a8d3-6078bac8ecce".into()),
            },
        ] {
            assert_eq!(Cursor::decode(&c.encode(42), 42), Some(c.clone()));
            assert_eq!(Cursor::decode(&c.encode(42), 43), None);
        }
        assert_eq!(Cursor::decode(&[], 1), None);
        assert_eq!(Cursor::decode(&[1, 1, 0, 0, 0, 0x80], 1), None);
        assert!(Cursor::Log(1000).encode(1).len() <= 8);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_failures_are_bounded() {
        let db = Arc::new(
            crate::sqlite::SqliteDb::open_dir(&std::env::temp_dir().join(new_id())).unwrap(),
        );
        let svc = Service::new(db, Limits::default());
        for h in ["bearer rt_x", "BEARER rt_x", "Bearer rt_x"] {
            // Unknown token: 401 from the lookup, not from the scheme.
            assert_eq!(svc.authenticate(Some(h)).unwrap_err().status, 401);
        }
        assert!(svc.authenticate(Some("Basic abc")).is_err());
        for i in 0..MAX_TRACKED_CLIENTS + 50 {
            svc.note_failure(&format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255));
        }
        assert!(svc.failed_enrolls.lock().unwrap().len() <= MAX_TRACKED_CLIENTS);
    }

    #[test]
    fn a_seeded_service_replays_its_ids_codes_and_tokens_and_the_default_does_not() {
        // What a service hands out on a fresh database: a member id, a code,
        // and the device id and token of an enrollment with that code.
        let run = |entropy: Option<u64>| {
            let dir = tempfile::tempdir().unwrap();
            let db = Arc::new(crate::sqlite::SqliteDb::open_dir(dir.path()).unwrap());
            let mut svc =
                Service::new(db.clone(), Limits::default()).with_clock(Box::new(|| 1_000));
            if let Some(seed) = entropy {
                svc = svc.with_entropy(Box::new(SeededEntropy::new(seed)));
            }
            let office = db.create_office(&svc.fresh_id(), "教研室", 0).unwrap().id;
            let member = svc.fresh_id();
            db.add_member(&member, &office, "老师", Role::Teacher, 0)
                .unwrap();
            let code = svc.issue_code(&member, 1).unwrap();
            let e = svc
                .enroll(
                    &EnrollRequest {
                        code: code.clone(),
                        actor: "0a".into(),
                        device_name: "d".into(),
                    },
                    "t",
                )
                .unwrap();
            (member, code, e.device_id, e.token)
        };
        let a = run(Some(3));
        assert_eq!(a, run(Some(3)));
        let differ = |x: &(String, String, String, String),
                      y: &(String, String, String, String)| {
            x.0 != y.0 && x.1 != y.1 && x.2 != y.2 && x.3 != y.3
        };
        assert!(differ(&a, &run(Some(4))));
        // Without a seed, every office's secrets are its own.
        let (d, e) = (run(None), run(None));
        assert!(differ(&d, &e) && differ(&d, &a));
    }

    #[test]
    fn codes_are_typable() {
        let c = new_code();
        assert_eq!(c.len(), 11);
        assert_eq!(normalize_code(&c.to_lowercase()), normalize_code(&c));
        assert_eq!(normalize_code("o1il-"), "0111");
        assert!(new_token().len() > 64);
    }
}
