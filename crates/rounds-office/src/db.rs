//! The office's storage, behind a narrow trait so that a PostgreSQL backend
//! can follow the SQLite one without touching the handlers or the
//! validation in [`crate::service`].
//!
//! Methods are blocking; the HTTP layer calls them on tokio's blocking pool.

use serde::Serialize;

/// A member's role in an office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OfficeAdmin,
    LeadTeacher,
    Teacher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OfficeAdmin => "office_admin",
            Role::LeadTeacher => "lead_teacher",
            Role::Teacher => "teacher",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "office_admin" | "admin" => Some(Role::OfficeAdmin),
            "lead_teacher" | "lead" => Some(Role::LeadTeacher),
            "teacher" => Some(Role::Teacher),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Office {
    pub id: String,
    pub name: String,
    pub created: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: String,
    pub office: String,
    pub name: String,
    pub role: Role,
    pub created: i64,
    pub removed: Option<i64>,
    /// The hospital or site the member works at: free text, empty when
    /// not given (see `service::check_site` for what is accepted).
    pub site: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    pub id: String,
    pub member: String,
    pub member_name: String,
    pub name: String,
    pub created: i64,
    pub revoked: Option<i64>,
    pub last_sync: Option<i64>,
}

/// The authenticated device behind a request.
#[derive(Debug, Clone)]
pub struct DeviceCtx {
    pub device: String,
    pub member: String,
    /// The member's name in the office: what collaborative entries the
    /// device writes must be signed with.
    pub member_name: String,
    pub office: String,
    /// The member's role now: read with the token on every request, so a
    /// changed role counts from the next sync.
    pub role: Role,
}

/// What an office holds, for `rounds-office status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub office: Office,
    pub members: usize,
    pub documents: usize,
    pub changes: usize,
    pub devices: Vec<DeviceInfo>,
}

/// The stored state of one document, as validation needs it.
#[derive(Debug, Clone)]
pub struct DocState {
    pub office: String,
    pub owner: String,
    pub visibility: String,
    /// The snapshot followed by every change logged after it.
    pub bytes: Vec<u8>,
}

/// What validation decided to store for one pushed document.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// New changes (hash, bytes), in causal order; already-known ones are left out.
    pub changes: Vec<(Vec<u8>, Vec<u8>)>,
    pub kind: String,
    pub visibility: String,
    pub deleted: bool,
    /// The document just became visible to the office: log a reveal.
    pub reveal: bool,
    /// The document's root `owner` value (the owner's Rounds user id on
    /// their devices). The office binds each such value to the member who
    /// first pushed a document naming it, so that no member can create a
    /// document that names a colleague as its owner.
    pub owner_id: String,
    /// The document is new: its whole state, saved (Automerge `save`),
    /// which the backend stores as its snapshot up to the push's last
    /// change. The background compaction then has nothing to fold, instead
    /// of loading again what the push had just built.
    pub snapshot: Option<Vec<u8>>,
}

/// One row of the log, as a reader receives it.
#[derive(Debug, Clone)]
pub enum LogEntry {
    Change {
        pos: i64,
        doc: String,
        bytes: Vec<u8>,
    },
    /// The document became visible: send it whole (these are its bytes).
    Reveal {
        pos: i64,
        doc: String,
        bytes: Vec<u8>,
    },
}

/// A page of the log as one device reads it.
#[derive(Debug, Clone, Default)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// The last position looked at, including entries this device may not
    /// read or wrote itself: the cursor can move past them.
    pub scanned: i64,
    /// More entries are waiting beyond this page.
    pub more: bool,
}

impl LogEntry {
    pub fn pos(&self) -> i64 {
        match self {
            LogEntry::Change { pos, .. } | LogEntry::Reveal { pos, .. } => *pos,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("database pool: {0}")]
    Pool(String),
    #[error("{0}")]
    Migrate(#[from] rounds_sqlite::MigrateError),
}

/// Why an enrollment failed. Deliberately coarse towards the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollFailure {
    Unknown,
    Used,
    Expired,
    ActorTaken,
}

/// What an enrollment code names, as stored: the service decides whether
/// it may still be used ([`crate::service::access`]).
#[derive(Debug, Clone)]
pub struct CodeRow {
    pub member: String,
    pub expires: i64,
    pub used: Option<i64>,
}

/// Everything an enrollment is decided on, read in the transaction that
/// then writes it.
#[derive(Debug, Clone)]
pub struct EnrollView {
    pub code: Option<CodeRow>,
    /// The member the code names, removed or not.
    pub member: Option<Member>,
    /// The member whose device holds the actor already, and whether that
    /// device is revoked.
    pub actor_holder: Option<(String, bool)>,
}

/// What an accepted enrollment does with the device's actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorPlan {
    /// The actor is new to the office: bind it to the device.
    Bind,
    /// The actor belongs to a revoked device of the same member: it moves
    /// to the new one.
    Move,
}

/// The device an enrollment registers.
#[derive(Debug, Clone, Copy)]
pub struct NewDevice<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub token_hash: &'a [u8],
    pub actor: &'a [u8],
}

/// The device a token belongs to, as stored, with what the service needs
/// to decide whether it still authenticates.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub ctx: DeviceCtx,
    pub revoked: bool,
    pub member_removed: bool,
}

/// What a log row says about who may read it: the service decides
/// ([`crate::service::access::may_read_row`]); a backend only fetches.
#[derive(Debug, Clone, Copy)]
pub struct RowMeta<'a> {
    /// The device that wrote the row.
    pub device: &'a str,
    /// The document's owner and visibility now.
    pub owner: &'a str,
    pub visibility: &'a str,
    /// The document was visible to the office when the row was written.
    pub shared: bool,
}

/// A document's owner and visibility now.
#[derive(Debug, Clone, Copy)]
pub struct DocMeta<'a> {
    pub owner: &'a str,
    pub visibility: &'a str,
}

/// How an accepted push is decided: the validation of the pushed changes
/// against the stored document, and the owner-id rule, both the service's.
pub struct PushRules<'a> {
    /// Decides what to store, given the stored state (None: a new document).
    pub decide: &'a mut dyn FnMut(Option<&DocState>) -> Result<Accepted, rounds_proto::Rejection>,
    /// Given the stored state and the member the document's owner id is
    /// bound to already (if any), refuses, or names the member to bind a
    /// still unbound owner id to (`Ok(None)`: bound already, rightly).
    pub owner: &'a dyn Fn(
        Option<&DocState>,
        Option<&str>,
    ) -> Result<Option<String>, rounds_proto::Rejection>,
}

/// A backend's connections: how many it may open, has open, and of
/// those are idle, and how many callers wait for one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolGauge {
    pub max: usize,
    pub open: usize,
    pub idle: usize,
    pub waiting: usize,
}

/// One table's content, for comparing two databases (an office moved to
/// PostgreSQL, a conformance test): its rows in key order, each value
/// written the same way by every backend, hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableDigest {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the rows, hex.
    pub sha256: String,
}

pub type DbResult<T> = Result<T, DbError>;

/// A new database's epoch: random, so that a cursor from another office
/// database (or a restored copy) is not taken for one of this one's.
pub fn random_epoch() -> DbResult<u32> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| DbError::Conflict(format!("no randomness: {e}")))?;
    Ok(u32::from_le_bytes(b))
}

/// The storage of an office server. It stores and fetches; every decision
/// about who may read, join or write is the service's, passed in as the
/// filters and rules above, so that every backend enforces the same policy.
pub trait OfficeDb: Send + Sync + 'static {
    /// A random value chosen when the database was created; cursors carry it
    /// so that a cursor from another database is recognised and reset.
    fn epoch(&self) -> u32;

    /// Which backend this is, for logs and metrics: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// The connection pool now, for `/metrics`.
    fn pool(&self) -> PoolGauge;

    fn create_office(&self, id: &str, name: &str, now: i64) -> DbResult<Office>;
    fn offices(&self) -> DbResult<Vec<Office>>;
    fn add_member(
        &self,
        id: &str,
        office: &str,
        name: &str,
        role: Role,
        now: i64,
    ) -> DbResult<Member>;
    fn members(&self, office: &str) -> DbResult<Vec<Member>>;
    /// Changes a member's role.
    fn set_role(&self, member: &str, role: Role) -> DbResult<()>;
    /// Changes the site a member works at (empty: none). The caller has
    /// checked it (`service::check_site`).
    fn set_site(&self, member: &str, site: &str) -> DbResult<()>;
    /// Adds (or replaces) one of the office's review rubrics: its name and
    /// its JSON, checked by the caller.
    fn put_rubric(&self, office: &str, name: &str, body: &str, now: i64) -> DbResult<()>;
    /// The office's review rubrics as (name, JSON), oldest first.
    fn rubrics(&self, office: &str) -> DbResult<Vec<(String, String)>>;
    /// Removes a member and revokes all their devices and unused codes.
    fn remove_member(&self, member: &str, now: i64) -> DbResult<()>;
    fn create_code(&self, member: &str, code_hash: &[u8], expires: i64, now: i64) -> DbResult<()>;
    /// Registers a device with a code, atomically: reads the [`EnrollView`],
    /// asks `decide`, and if it agrees marks the code used, stores the
    /// device with its token hash and binds (or moves) its actor.
    fn enroll(
        &self,
        code_hash: &[u8],
        device: NewDevice<'_>,
        now: i64,
        decide: &mut dyn FnMut(&EnrollView) -> Result<ActorPlan, EnrollFailure>,
    ) -> DbResult<Result<(Office, Member), EnrollFailure>>;
    /// The device a token hash belongs to, revoked or not.
    fn device_for_token(&self, token_hash: &[u8]) -> DbResult<Option<TokenHolder>>;
    fn device_has_actor(&self, device: &str, actor: &[u8]) -> DbResult<bool>;
    fn devices(&self, office: &str) -> DbResult<Vec<DeviceInfo>>;
    fn revoke_device(&self, device: &str, now: i64) -> DbResult<()>;
    fn record_sync(&self, device: &str, now: i64) -> DbResult<()>;
    /// A device by its id, as its token would authenticate it, with the
    /// public key it signs USB bundles with (if it registered one).
    fn device_by_id(&self, device: &str) -> DbResult<Option<(TokenHolder, Option<Vec<u8>>)>>;
    /// Registers (or replaces) the key a device signs its bundles with.
    fn set_bundle_key(&self, device: &str, public: &[u8], now: i64) -> DbResult<()>;
    /// The seed of the office's bundle signing key; `fresh` is stored
    /// first if it has none. Office processes asking at once all get the
    /// one that was stored first.
    fn office_key(&self, office: &str, fresh: &[u8], now: i64) -> DbResult<Vec<u8>>;
    /// When a bundle was imported, if it was.
    fn bundle_imported(&self, id: &str) -> DbResult<Option<i64>>;
    /// Records a bundle as imported; false if it was recorded before.
    fn record_bundle(&self, id: &str, device: &str, now: i64) -> DbResult<bool>;
    fn status(&self, office: &str) -> DbResult<Status>;

    /// Runs `rules.decide` on the document's current state and stores what
    /// it accepts, atomically with respect to other pushes of the same
    /// document, appending the changes to the log. Positions become visible
    /// in the order they are given: a reader never sees a position while
    /// a smaller one can still appear.
    fn push_doc(
        &self,
        ctx: &DeviceCtx,
        doc: &str,
        now: i64,
        rules: PushRules<'_>,
    ) -> DbResult<Result<(), rounds_proto::Rejection>>;

    /// The office's log entries after `after` that `wanted` admits, in
    /// order, until about `max_bytes` (at least one entry if any).
    fn read_log(
        &self,
        office: &str,
        after: i64,
        max_bytes: usize,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<LogPage>;

    /// Whether a log entry after `after` is one that `wanted` admits: what
    /// `read_log` would return something for, without reading any bytes
    /// (the wake-up channel asks this).
    fn readable_after(
        &self,
        office: &str,
        after: i64,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<bool>;

    /// The last log position now.
    fn head(&self) -> DbResult<i64>;

    /// Whole documents of the office that `readable` admits and that
    /// existed at log position `upto` (a row of theirs is at or before it),
    /// ordered by id, after `after_doc`, each as its snapshot plus its
    /// changes up to `upto`; until about `max_bytes`. Returns (doc, bytes)
    /// pairs and whether more wait.
    fn read_snapshots(
        &self,
        office: &str,
        after_doc: &str,
        upto: i64,
        max_bytes: usize,
        readable: &dyn Fn(&DocMeta<'_>) -> bool,
    ) -> DbResult<(Vec<(String, Vec<u8>)>, bool)>;

    /// Claims up to `limit` documents whose snapshot is behind their log
    /// and that no compaction has claimed until after `now` (the oldest
    /// snapshots first), each until `until`, and returns them in id order:
    /// office processes compacting at once take different documents. [`OfficeDb::put_snapshot`] ends a
    /// claim.
    fn stale_snapshots(&self, limit: usize, now: i64, until: i64) -> DbResult<Vec<String>>;
    /// The snapshot, its position, the changes logged after it, and the
    /// position of the last of those changes, read consistently.
    fn doc_log_since_snapshot(&self, doc: &str) -> DbResult<(Vec<u8>, i64, Vec<u8>, i64)>;
    /// Replaces a snapshot if it is still at `old_pos`, and ends the
    /// document's compaction claim.
    fn put_snapshot(&self, doc: &str, old_pos: i64, new_pos: i64, bytes: &[u8]) -> DbResult<()>;

    /// Every table's rows, hashed ([`TableDigest`]), in a fixed table order.
    fn digest(&self) -> DbResult<Vec<TableDigest>>;
}

/// The tables of an office database, in the order they are copied and
/// compared, each with the columns every backend writes its digest from and
/// the key its rows are ordered by.
pub const TABLES: &[(&str, &[&str], &str)] = &[
    ("meta", &["key", "value"], "key"),
    ("offices", &["id", "name", "created"], "id"),
    (
        "members",
        &["id", "office", "name", "role", "created", "removed", "site"],
        "id",
    ),
    (
        "enrollment_codes",
        &["hash", "member", "created", "expires", "used"],
        "hash",
    ),
    (
        "devices",
        &[
            "id",
            "member",
            "name",
            "token_hash",
            "created",
            "revoked",
            "last_sync",
        ],
        "id",
    ),
    ("device_actors", &["actor", "device"], "actor"),
    (
        "documents",
        &[
            "id",
            "office",
            "owner",
            "kind",
            "visibility",
            "deleted",
            "created",
            "snapshot",
            "snapshot_pos",
            "last_pos",
        ],
        "id",
    ),
    (
        "log",
        &[
            "pos", "office", "doc", "kind", "device", "shared", "hash", "bytes",
        ],
        "pos",
    ),
    ("owner_ids", &["owner", "member"], "owner"),
    (
        "rubrics",
        &["office", "name", "body", "created"],
        "office, name",
    ),
    ("bundle_keys", &["device", "public", "created"], "device"),
    ("office_keys", &["office", "seed", "created"], "office"),
    ("bundles", &["id", "device", "imported"], "id"),
];

/// A value of a row, as digests write it: every backend maps its own
/// types onto these, so the same data hashes the same.
#[derive(Debug, Clone)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Hashes rows for [`TableDigest`].
#[derive(Default)]
pub struct DigestWriter {
    hasher: sha2::Sha256,
    rows: u64,
}

impl DigestWriter {
    pub fn row(&mut self, cells: &[Cell]) {
        use sha2::Digest;
        for c in cells {
            // Tagged and length-prefixed, so no two rows write the same bytes.
            match c {
                Cell::Null => self.hasher.update([0u8]),
                Cell::Int(i) => {
                    self.hasher.update([1u8]);
                    self.hasher.update(i.to_le_bytes());
                }
                Cell::Text(t) => {
                    self.hasher.update([2u8]);
                    self.hasher.update((t.len() as u64).to_le_bytes());
                    self.hasher.update(t.as_bytes());
                }
                Cell::Bytes(b) => {
                    self.hasher.update([3u8]);
                    self.hasher.update((b.len() as u64).to_le_bytes());
                    self.hasher.update(b);
                }
            }
        }
        self.rows += 1;
    }

    pub fn finish(self, table: &str) -> TableDigest {
        use sha2::Digest;
        TableDigest {
            table: table.to_owned(),
            rows: self.rows,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }
}

/// One log row's metadata as a backend reads it for [`page_log`].
#[derive(Debug, Clone)]
pub struct LogRow {
    pub pos: i64,
    pub doc: String,
    /// 1: a change, 2: a reveal.
    pub kind: i64,
    pub device: String,
    pub owner: String,
    pub visibility: String,
    pub shared: bool,
    /// The change's size in bytes (0 for a reveal).
    pub size: i64,
}

impl LogRow {
    pub fn meta(&self) -> RowMeta<'_> {
        RowMeta {
            device: &self.device,
            owner: &self.owner,
            visibility: &self.visibility,
            shared: self.shared,
        }
    }
}

/// A document as a bootstrap up to log position `upto` sends it: its
/// snapshot followed by its changes after the snapshot up to `upto`
/// (`changes(base)` reads those), or the snapshot alone when it is newer
/// than `upto`: it cannot be cut back, and the log entries after `upto`
/// then repeat a little of it, which merging makes harmless.
pub fn bootstrap_bytes(
    snapshot: Vec<u8>,
    snap_pos: i64,
    upto: i64,
    mut changes: impl FnMut(i64) -> DbResult<Vec<Vec<u8>>>,
) -> DbResult<Vec<u8>> {
    let mut bytes = snapshot;
    if snap_pos <= upto {
        for b in changes(snap_pos)? {
            bytes.extend_from_slice(&b);
        }
    }
    Ok(bytes)
}

/// What [`page_log`] asks of a backend, inside one consistent read.
pub trait LogSource {
    /// Up to `limit` rows of `office`'s log after `after`, in order.
    fn rows(&mut self, office: &str, after: i64, limit: usize) -> DbResult<Vec<LogRow>>;
    /// The bytes of these changes (positions in order), in the same order.
    fn change_bytes(&mut self, positions: &[i64]) -> DbResult<Vec<Vec<u8>>>;
    /// A document whole: its snapshot and every change after it.
    fn whole_doc(&mut self, doc: &str) -> DbResult<Vec<u8>>;
}

/// Rows fetched per query while paging the log.
pub const LOG_BATCH: usize = 512;

/// The paging of the log, the same for every backend: scans rows in
/// batches, keeps those `wanted` admits until the page is about
/// `max_bytes`, and moves `scanned` past the rest.
pub fn page_log(
    src: &mut dyn LogSource,
    office: &str,
    after: i64,
    max_bytes: usize,
    wanted: &dyn Fn(&RowMeta<'_>) -> bool,
) -> DbResult<LogPage> {
    let mut page = LogPage {
        entries: Vec::new(),
        scanned: after,
        more: false,
    };
    let mut size = 0usize;
    loop {
        let rows = src.rows(office, page.scanned, LOG_BATCH)?;
        let fetched = rows.len();
        // The rows this page takes, decided before any bytes are read.
        let mut take: Vec<&LogRow> = Vec::new();
        let mut cut = false;
        for row in &rows {
            if !wanted(&row.meta()) {
                if !cut {
                    page.scanned = row.pos;
                }
                continue;
            }
            if size >= max_bytes && (!page.entries.is_empty() || !take.is_empty()) {
                cut = true;
                break;
            }
            size += row.size.max(0) as usize + 24;
            page.scanned = row.pos;
            take.push(row);
        }
        let changes: Vec<i64> = take.iter().filter(|r| r.kind != 2).map(|r| r.pos).collect();
        let mut bytes = src.change_bytes(&changes)?.into_iter();
        for row in take {
            let entry = if row.kind == 2 {
                let whole = src.whole_doc(&row.doc)?;
                size += whole.len();
                LogEntry::Reveal {
                    pos: row.pos,
                    doc: row.doc.clone(),
                    bytes: whole,
                }
            } else {
                LogEntry::Change {
                    pos: row.pos,
                    doc: row.doc.clone(),
                    bytes: bytes.next().unwrap_or_default(),
                }
            };
            page.entries.push(entry);
        }
        if cut {
            page.more = true;
            return Ok(page);
        }
        if fetched < LOG_BATCH {
            return Ok(page);
        }
    }
}
