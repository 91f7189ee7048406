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

pub type DbResult<T> = Result<T, DbError>;

/// The storage of an office server.
pub trait OfficeDb: Send + Sync + 'static {
    /// A random value chosen when the database was created; cursors carry it
    /// so that a cursor from another database is recognised and reset.
    fn epoch(&self) -> u32;

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
    /// Removes a member and revokes all their devices.
    fn remove_member(&self, member: &str, now: i64) -> DbResult<()>;
    fn create_code(&self, member: &str, code_hash: &[u8], expires: i64, now: i64) -> DbResult<()>;
    /// Uses a code (once) to register a device with its token hash and actor.
    #[allow(clippy::too_many_arguments)]
    fn enroll(
        &self,
        code_hash: &[u8],
        device_id: &str,
        device_name: &str,
        token_hash: &[u8],
        actor: &[u8],
        now: i64,
    ) -> DbResult<Result<(Office, Member), EnrollFailure>>;
    fn device_for_token(&self, token_hash: &[u8]) -> DbResult<Option<DeviceCtx>>;
    fn device_has_actor(&self, device: &str, actor: &[u8]) -> DbResult<bool>;
    fn devices(&self, office: &str) -> DbResult<Vec<DeviceInfo>>;
    fn revoke_device(&self, device: &str, now: i64) -> DbResult<()>;
    fn record_sync(&self, device: &str, now: i64) -> DbResult<()>;
    fn status(&self, office: &str) -> DbResult<Status>;

    /// Runs `decide` on the document's current state and stores what it
    /// accepts, atomically with respect to other pushes of the same
    /// document, appending the changes to the log.
    fn push_doc(
        &self,
        ctx: &DeviceCtx,
        doc: &str,
        now: i64,
        decide: &mut dyn FnMut(Option<&DocState>) -> Result<Accepted, rounds_proto::Rejection>,
    ) -> DbResult<Result<(), rounds_proto::Rejection>>;

    /// Log entries after `after` that `ctx` may read and did not write, in
    /// order, until about `max_bytes` (at least one entry if any).
    fn read_log(&self, ctx: &DeviceCtx, after: i64, max_bytes: usize) -> DbResult<LogPage>;

    /// Whether a log entry after `after` is one that `ctx` may read and did
    /// not write: what `read_log` would return something for, without
    /// reading any bytes (the wake-up channel asks this).
    fn readable_after(&self, ctx: &DeviceCtx, after: i64) -> DbResult<bool>;

    /// The last log position now.
    fn head(&self) -> DbResult<i64>;

    /// Whole documents that `ctx` may read, ordered by id, after `after_doc`,
    /// each as its snapshot plus its changes up to log position `upto`;
    /// until about `max_bytes`. Returns (doc, bytes) pairs and whether more wait.
    fn read_snapshots(
        &self,
        ctx: &DeviceCtx,
        after_doc: &str,
        upto: i64,
        max_bytes: usize,
    ) -> DbResult<(Vec<(String, Vec<u8>)>, bool)>;

    /// Documents whose snapshot is behind their log, oldest first.
    fn stale_snapshots(&self, limit: usize) -> DbResult<Vec<String>>;
    /// The snapshot, its position, the changes logged after it, and the
    /// position of the last of those changes, read consistently.
    fn doc_log_since_snapshot(&self, doc: &str) -> DbResult<(Vec<u8>, i64, Vec<u8>, i64)>;
    /// Replaces a snapshot if it is still at `old_pos`.
    fn put_snapshot(&self, doc: &str, old_pos: i64, new_pos: i64, bytes: &[u8]) -> DbResult<()>;
}
