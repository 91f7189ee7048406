//! The local store of a Rounds device: Automerge documents and their
//! projections in one SQLite database.
//!
//! Invariants:
//! - A document's bytes and its projection rows (listing, tags, search) are
//!   written in one transaction, so they never disagree after a crash.
//! - Bytes are a compacted snapshot plus incremental chunks. Compaction
//!   writes the new snapshot and deletes the chunks it replaces in the same
//!   transaction, so no saved change is ever only in memory.
//! - Listing and searching read projections only; they never load an
//!   Automerge document ([`Stats::docs_loaded`] proves it in tests).

mod backup;
mod carried;
mod collab;
mod documents;
mod history;
mod import;
mod links;
mod migrate;
mod projection;
mod query;
mod removed;
mod sync;
mod write;

pub use collab::InboxItem;

pub use carried::CarriedDoc;
pub use links::{Backlink, LinkView};
pub use removed::RemovedEdit;

pub use sync::{OutgoingCandidate, SyncInfo, TOKEN_FILE};

use std::cell::Cell;
use std::path::Path;

use automerge::ActorId;
use rounds_core::doc::{
    DocError, Document, EditCtx, HistoryEntry, IdGen, NewDoc, Summary, Visibility,
};
use rounds_core::schema::{DocKind, Lang};
use rounds_core::search::{self, SnippetPart};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::Value as Json;

pub use migrate::CLIENT as CLIENT_MIGRATIONS;
pub(crate) use projection::{
    SUMMARY_COLS, SUMMARY_N, filter_sql, summary_from_row, write_projection,
};
pub(crate) use write::*;

/// The per-user data directory that the CLI and the desktop app share
/// (on Linux `~/.local/share/rounds`; on Windows
/// `%APPDATA%\rounds\rounds\data`, which Windows asks for by its known-folder
/// id, so a profile under a Chinese user name or on another drive is found
/// as it is; the installer never removes it).
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("org", "rounds", "rounds").map(|d| d.data_dir().to_path_buf())
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Doc(#[from] DocError),
    #[error("no document matches `{0}`")]
    NotFound(String),
    #[error("`{0}` matches {1} documents; give more of the id")]
    Ambiguous(String, usize),
    #[error(
        "this library was written by a newer version of Rounds (database version {found}, this version knows {known}); update Rounds to open it"
    )]
    TooNew { found: i64, known: i64 },
    #[error("{0}")]
    Migration(rounds_sqlite::MigrateError),
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("the office sent changes of {0} whose earlier history this device lacks")]
    MissingHistory(String),
    #[error(
        "this case still holds {0} likely patient identifier(s) (see `rounds check`); remove or mask them before sharing"
    )]
    Identifiers(usize),
    #[error(
        "sharing a case needs your confirmation that it carries no patient identifiers (--attest)"
    )]
    NotAttested,
    #[error(
        "this document was made by a newer version of Rounds (a {kind}, which this version does not know); it is kept and synced — update Rounds to open it"
    )]
    NewerKind { id: String, kind: String },
    #[error("backup: {0}")]
    Backup(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Counters that let tests see what the store did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Automerge documents loaded from bytes since the store was opened.
    pub docs_loaded: u64,
    /// Compactions performed since the store was opened.
    pub compactions: u64,
    /// Transactions committed while deciding what to push (each a sync of
    /// the disk): a few per slice of documents, not one per document.
    pub push_transactions: u64,
}

/// Which documents a listing or search returns.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Filter {
    pub kind: Option<DocKind>,
    pub tag: Option<String>,
    /// Filterable fields (`KindDecl::filters`) and the value each must
    /// have; a document whose kind has no such field does not match.
    pub fields: Vec<(String, String)>,
    pub visibility: Option<Visibility>,
    /// Only documents this user owns (`true`) or only others' (`false`).
    pub mine: Option<bool>,
    /// List deleted documents (the trash) instead of live ones.
    pub deleted: bool,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub summary: Summary,
    pub snippet: Vec<SnippetPart>,
}

/// Where the store's randomness comes from: this device's actor and user
/// id, new document ids and new list-element ids. The operating system's by
/// default; a seeded source ([`SeededEntropy`]) in simulations, so that a
/// seed replays exactly (with the clock passed to [`Store::open_with`], it
/// is all the store does not decide itself).
pub use rounds_core::entropy::{Entropy, SeededEntropy};

/// The operating system's randomness (through `uuid`'s v4 generator).
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        // The first 6 bytes of a v4 UUID are random (its version and
        // variant bits come later).
        for chunk in buf.chunks_mut(6) {
            chunk.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..chunk.len()]);
        }
    }
}

fn random_bytes<const N: usize>(e: &mut dyn Entropy) -> [u8; N] {
    let mut b = [0u8; N];
    e.fill(&mut b);
    b
}

impl Store {
    /// Random bytes from the store's entropy (a bundle's id, a signing
    /// key's seed), so a seeded store replays exactly.
    pub fn random<const N: usize>(&mut self) -> [u8; N] {
        random_bytes(self.entropy.as_mut())
    }
}

/// A new document id: a UUIDv7 from the store's clock and entropy.
fn new_doc_id(now_ms: i64, e: &mut dyn Entropy) -> String {
    let r: [u8; 10] = random_bytes(e);
    uuid::Builder::from_unix_timestamp_millis(now_ms.max(0) as u64, &r)
        .into_uuid()
        .to_string()
}

/// New list-element ids, from the store's entropy.
pub(crate) struct RandomIds<'a>(pub(crate) &'a mut dyn Entropy);

impl IdGen for RandomIds<'_> {
    fn next_id(&mut self) -> String {
        // Element ids only need to be unique within one document; 12 hex
        // digits (48 random bits) keep exported JSON readable.
        let b: [u8; 6] = random_bytes(self.0);
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

/// The clock the store stamps changes with; tests and simulations replace it.
pub type Clock = Box<dyn Fn() -> i64 + Send>;

fn system_clock() -> Clock {
    Box::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    })
}

/// The local store.
pub struct Store {
    conn: Connection,
    actor: ActorId,
    user_id: String,
    user_name: String,
    pub(crate) clock: Clock,
    pub(crate) entropy: Box<dyn Entropy>,
    stats: Cell<Stats>,
    /// The document this connection last edited, as it wrote it, so that
    /// the next edit of the same document (a teacher typing in one field:
    /// a save every few hundred milliseconds) skips loading it again. Used
    /// only while the device's heads of the document in the database are
    /// still the ones it was written with (see `documents::kept_or_load`).
    kept: Option<documents::Kept>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("actor", &self.actor)
            .field("user", &self.user_name)
            .finish()
    }
}

const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        Store::open(&dir.join("rounds.sqlite3"))
    }

    /// Opens (creating if needed) the store database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, system_clock(), Box::new(OsEntropy))
    }

    /// Opens the store with the given clock and source of randomness
    /// (simulations: a seed then decides every id and time the store makes).
    pub fn open_with(path: &Path, clock: Clock, entropy: Box<dyn Entropy>) -> Result<Store> {
        let conn = Connection::open(path)?;
        Store::from_connection(conn, clock, entropy)
    }

    /// A store that lives in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Store::from_connection(
            Connection::open_in_memory()?,
            system_clock(),
            Box::new(OsEntropy),
        )
    }

    fn from_connection(
        mut conn: Connection,
        clock: Clock,
        mut entropy: Box<dyn Entropy>,
    ) -> Result<Store> {
        // WAL lets the desktop app read while a sync writes; FULL makes every
        // commit durable, because a teacher's save must survive a power cut.
        rounds_sqlite::configure(&conn)?;
        // The write paths keep their statements prepared (a projection
        // alone runs a dozen); the default cache of 16 would evict them.
        conn.set_prepared_statement_cache_capacity(64);
        rounds_sqlite::migrate(&mut conn, CLIENT_MIGRATIONS).map_err(|e| match e {
            rounds_sqlite::MigrateError::TooNew { found, known } => {
                StoreError::TooNew { found, known }
            }
            e => StoreError::Migration(e),
        })?;
        let get = |conn: &Connection, key: &str| -> Result<Option<String>> {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        };
        let actor = match get(&conn, "actor")? {
            Some(hex) => ActorId::try_from(hex.as_str())
                .map_err(|e| StoreError::Invalid(format!("stored actor id: {e}")))?,
            None => {
                let actor = ActorId::from(random_bytes::<16>(entropy.as_mut()).to_vec());
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
                    [actor.to_hex_string()],
                )?;
                actor
            }
        };
        let user_id = match get(&conn, "user_id")? {
            Some(u) => u,
            None => {
                let u = uuid::Builder::from_random_bytes(random_bytes(entropy.as_mut()))
                    .into_uuid()
                    .to_string();
                conn.execute("INSERT INTO meta (key, value) VALUES ('user_id', ?1)", [&u])?;
                u
            }
        };
        let user_name = get(&conn, "user_name")?.unwrap_or_default();
        let mut store = Store {
            conn,
            actor,
            user_id,
            user_name,
            clock,
            entropy,
            stats: Cell::new(Stats::default()),
            kept: None,
        };
        // Documents carried for a newer version: this one may know them now;
        // documents of a kind this process does not know are carried.
        store.open_carried()?;
        store.carry_unknown()?;
        // A kind whose filter declarations changed gets its rows again.
        projection::refresh(&mut store)?;
        // An index written in another form is written again.
        projection::refresh_search(&mut store)?;
        Ok(store)
    }

    /// Replaces the clock (tests and simulations).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    /// Sets the name written as author of this device's changes.
    pub fn set_user_name(&mut self, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > rounds_core::schema::AUTHOR_MAX {
            return Err(StoreError::Invalid(format!(
                "name: must be 1 to {} characters",
                rounds_core::schema::AUTHOR_MAX
            )));
        }
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('user_name', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [name],
        )?;
        self.user_name = name.to_owned();
        Ok(())
    }

    pub fn stats(&self) -> Stats {
        self.stats.get()
    }

    /// The underlying connection, for the sync layer's own tables and for tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn author(&self) -> &str {
        if self.user_name.is_empty() {
            "?"
        } else {
            &self.user_name
        }
    }
}
