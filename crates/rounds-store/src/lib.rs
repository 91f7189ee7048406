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

mod carried;
mod links;
mod migrate;
mod projection;
mod removed;
mod sync;

pub use carried::CarriedDoc;
pub use links::{Backlink, LinkView};
pub use removed::RemovedEdit;

pub use sync::{SyncInfo, TOKEN_FILE};

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

/// The per-user data directory that the CLI and the desktop app share
/// (on Linux `~/.local/share/rounds`).
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
}

/// Which documents a listing or search returns.
#[derive(Debug, Default, Clone)]
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
        };
        // Documents carried for a newer version: this one may know them now;
        // documents of a kind this process does not know are carried.
        store.open_carried()?;
        store.carry_unknown()?;
        // A kind whose filter declarations changed gets its rows again.
        projection::refresh(&mut store)?;
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

    // ---- documents ----------------------------------------------------------

    /// Creates a document, optionally with initial field values; all of it
    /// is validated before anything is stored.
    pub fn create(
        &mut self,
        kind: DocKind,
        title: &str,
        language: Lang,
        fields: Option<&Json>,
    ) -> Result<Summary> {
        let id = new_doc_id((self.clock)(), self.entropy.as_mut());
        self.create_with_id(&id, kind, title, language, fields, true)
    }

    fn create_with_id(
        &mut self,
        id: &str,
        kind: DocKind,
        title: &str,
        language: Lang,
        fields: Option<&Json>,
        check_links: bool,
    ) -> Result<Summary> {
        let now = (self.clock)();
        let author = self.author().to_owned();
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        let new = NewDoc {
            id: id.to_owned(),
            kind,
            title: title.to_owned(),
            language,
            owner: self.user_id.clone(),
        };
        let mut doc = Document::create(&new, self.actor.clone(), &mut ctx, fields)?;
        let tx = write_tx(&mut self.conn)?;
        if raw_bytes(&tx, id)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "id: a document `{id}` already exists"
            )));
        }
        // A new document's references must point at what this library
        // holds; an imported one keeps its references as written (their
        // targets may arrive later, or be a colleague's).
        if check_links {
            links::check_new_links(&tx, &[], &doc)?;
        }
        insert_doc(&tx, &mut doc)?;
        tx.commit()?;
        Ok(doc.summary())
    }

    /// Finds the full id of a document from its id, or a unique start or
    /// end of it. Ids are UUIDv7, whose start is a timestamp shared by
    /// documents made the same minute, so the short form that `rounds list`
    /// shows is the random end.
    pub fn resolve(&self, id_or_part: &str) -> Result<String> {
        let p = id_or_part.trim().to_lowercase();
        if p.len() < 4 || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StoreError::NotFound(id_or_part.to_owned()));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM documents WHERE (id >= ?1 AND id < ?1 || 'g') OR id LIKE '%' || ?1 LIMIT 3",
        )?;
        let found: Vec<String> = stmt
            .query_map([&p], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match found.len() {
            0 => Err(StoreError::NotFound(id_or_part.to_owned())),
            1 => Ok(found.into_iter().next().unwrap_or_default()),
            _ if found.contains(&p) => Ok(p),
            _ => {
                let n: i64 = self.conn.query_row(
                    "SELECT count(*) FROM documents WHERE (id >= ?1 AND id < ?1 || 'g') OR id LIKE '%' || ?1",
                    [&p],
                    |r| r.get(0),
                )?;
                Err(StoreError::Ambiguous(id_or_part.to_owned(), n as usize))
            }
        }
    }

    /// The short form of an id that `resolve` accepts: its last 8 digits.
    pub fn short_id(id: &str) -> &str {
        &id[id.len().saturating_sub(8)..]
    }

    fn rowid(&self, id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT doc FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The stored bytes of a document: its snapshot followed by its chunks.
    pub fn raw_bytes(&self, id: &str) -> Result<Vec<u8>> {
        raw_bytes(&self.conn, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    /// Loads a document.
    pub fn load(&self, id: &str) -> Result<Document> {
        load_in(&self.conn, id, &self.actor, &self.stats)
    }

    /// Applies a JSON object of field values to a document as one change.
    pub fn edit(&mut self, id: &str, patch: &Json) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.apply_patch(patch, ctx).map(|_| ()))
    }

    /// Applies field values that were edited on the document as it stood at
    /// `base`, merged into the document as it is now
    /// ([`Document::apply_patch_at`]). Returns the new change, if any.
    pub fn edit_at(
        &mut self,
        id: &str,
        patch: &Json,
        base: &[automerge::ChangeHash],
    ) -> Result<(Summary, Option<automerge::ChangeHash>)> {
        self.change_in(id, |tx, doc, ctx| {
            // A base the sync worker has squashed away since the editor
            // read it is replaced by the change that holds it now.
            let base = sync::unfold(tx, id, doc, base)?;
            Ok(doc.apply_patch_at(patch, &base, ctx)?)
        })
    }

    /// Marks a document deleted; it stays restorable and the deletion syncs.
    pub fn delete(&mut self, id: &str) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.set_deleted(true, ctx).map(|_| ()))
    }

    /// Restores a deleted document.
    pub fn restore(&mut self, id: &str) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.set_deleted(false, ctx).map(|_| ()))
    }

    /// Likely patient identifiers in a document, field by field.
    pub fn check(&self, id: &str) -> Result<Vec<rounds_core::deid::FieldFinding>> {
        Ok(rounds_core::deid::check(&self.load(id)?))
    }

    /// Replaces the given findings (or all, if `only` is `None`) by their
    /// suggested masks, as one edit.
    pub fn mask(&mut self, id: &str, only: Option<&[usize]>) -> Result<(Summary, usize)> {
        // The findings are computed from the document as it is inside the
        // write transaction, so a colleague's text that arrived a moment ago
        // is neither masked blindly nor overwritten.
        self.change_with(id, |doc, ctx| {
            let all = rounds_core::deid::check(doc);
            let chosen: Vec<_> = match only {
                None => all,
                Some(idx) => {
                    if let Some(bad) = idx.iter().find(|i| **i == 0 || **i > all.len()) {
                        return Err(StoreError::Invalid(format!(
                            "finding {bad}: there are {} findings, numbered from 1",
                            all.len()
                        )));
                    }
                    idx.iter().map(|i| all[i - 1].clone()).collect()
                }
            };
            if chosen.is_empty() {
                return Ok(0);
            }
            let patch = rounds_core::deid::mask_patch(doc, &chosen);
            doc.apply_patch(&patch, ctx)?;
            Ok(chosen.len())
        })
    }

    /// Shares a document with the office. A lesson plan simply becomes
    /// visible. A case must hold no high-confidence identifiers and needs
    /// the author's attestation; the office then gets a new document made
    /// from its current state, and the private original (whose history may
    /// hold removed text) stays on this device, in the trash, pointing to it.
    pub fn share(&mut self, id: &str, attest: bool) -> Result<Summary> {
        let s = self.summary(id)?;
        if !s.kind.holds_patient_data() || s.visibility == Visibility::Office {
            return self.set_visibility(id, Visibility::Office);
        }
        let now = (self.clock)();
        let author = self.author().to_owned();
        let actor = self.actor.clone();
        let tx = write_tx(&mut self.conn)?;
        let mut doc = load_in(&tx, id, &actor, &self.stats)?;
        let findings = rounds_core::deid::check(&doc);
        let blocking = findings
            .iter()
            .filter(|f| f.finding.blocks_sharing())
            .count();
        if blocking > 0 {
            return Err(StoreError::Identifiers(blocking));
        }
        if !attest {
            return Err(StoreError::NotAttested);
        }
        let new_id = new_doc_id(now, self.entropy.as_mut());
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        let mut copy = doc.share_copy(&new_id, actor, &mut ctx)?;
        let before = doc.heads();
        doc.set_shared_as(&new_id, &mut ctx)?;
        let chunk = doc.automerge_mut().save_after(&before);
        insert_doc(&tx, &mut copy)?;
        // The copy was made from a checked state: later edits are squashed
        // onto it, never onto anything before.
        tx.execute(
            "UPDATE sync_docs SET sent_heads = ?2 WHERE doc = (SELECT doc FROM documents WHERE id = ?1)",
            params![new_id, rounds_core::sync::heads_to_bytes(&copy.heads())],
        )?;
        append_chunk(&tx, &mut doc, &chunk)?;
        tx.commit()?;
        Ok(copy.summary())
    }

    /// Changes who may read a document. A private case becomes visible only
    /// through [`Store::share`], which checks it for identifiers.
    pub fn set_visibility(&mut self, id: &str, v: Visibility) -> Result<Summary> {
        let s = self.summary(id)?;
        if s.kind.holds_patient_data()
            && s.visibility == Visibility::Private
            && v == Visibility::Office
        {
            return Err(StoreError::Invalid(
                "a case is shared with `rounds share`, which checks it for identifiers".into(),
            ));
        }
        self.change(id, |doc, ctx| doc.set_visibility(v, ctx).map(|_| ()))
    }

    /// Runs `f` on the loaded document and saves what it changed, with the
    /// projections, in one transaction. Nothing is written if `f` fails.
    pub fn change(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>) -> Result<(), DocError>,
    ) -> Result<Summary> {
        self.change_with(id, |doc, ctx| Ok(f(doc, ctx)?))
            .map(|(s, ())| s)
    }

    /// Like [`Store::change`], for edits that decide what to do from the
    /// document itself and return something.
    ///
    /// The document is read, changed and written inside one IMMEDIATE
    /// transaction: the write lock is taken before its bytes are read, so
    /// no other connection (the sync worker, the CLI, a second window) can
    /// commit in between and have its changes overwritten by a compaction
    /// of stale bytes.
    pub fn change_with<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        self.change_in(id, |_, doc, ctx| f(doc, ctx))
    }

    /// [`Store::change_with`], with the transaction for `f` to read in.
    fn change_in<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&Transaction<'_>, &mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        self.change_in_opts(id, true, f)
    }

    /// [`Store::change_in`]; `check_links` says whether references the
    /// change adds must point at documents of this library (every local
    /// edit; not an import, which keeps references as they were written).
    fn change_in_opts<T>(
        &mut self,
        id: &str,
        check_links: bool,
        f: impl FnOnce(&Transaction<'_>, &mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        let now = (self.clock)();
        let author = self.author().to_owned();
        let actor = self.actor.clone();
        let tx = write_tx(&mut self.conn)?;
        let mut doc = load_in(&tx, id, &actor, &self.stats)?;
        let before = doc.heads();
        let links_before = doc.links();
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        let out = f(&tx, &mut doc, &mut ctx)?;
        if check_links {
            links::check_new_links(&tx, &links_before, &doc)?;
        }
        let compacted = save_since(&tx, &mut doc, &before)?;
        tx.commit()?;
        if compacted {
            self.bump_compactions();
        }
        Ok((doc.summary(), out))
    }

    fn bump_compactions(&self) {
        let mut s = self.stats.get();
        s.compactions += 1;
        self.stats.set(s);
    }

    /// Merges bytes from another replica (a whole saved document or
    /// changes of it) into the store, creating the document if it is new.
    /// Returns the merged summary.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<Summary> {
        let incoming = Document::load(bytes)?;
        let id = incoming.id().to_owned();
        rounds_core::doc::validate_id(&id)?;
        let actor = self.actor.clone();
        let tx = write_tx(&mut self.conn)?;
        if raw_bytes(&tx, &id)?.is_none() {
            let mut doc = incoming;
            insert_doc(&tx, &mut doc)?;
            tx.commit()?;
            return Ok(doc.summary());
        }
        let mut doc = load_in(&tx, &id, &actor, &self.stats)?;
        let before = doc.heads();
        doc.merge_bytes(bytes)?;
        let compacted = save_since(&tx, &mut doc, &before)?;
        tx.commit()?;
        if compacted {
            self.bump_compactions();
        }
        Ok(doc.summary())
    }

    // ---- reading projections ------------------------------------------------

    /// Lists documents, newest change first, from the projection alone.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let (where_sql, args) = filter_sql(filter, &self.user_id);
        let sql = format!(
            "SELECT {SUMMARY_COLS} FROM doc_index i WHERE {where_sql} ORDER BY i.updated DESC, i.id LIMIT ?{} OFFSET ?{}",
            args.len() + 1,
            args.len() + 2
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut params: Vec<rusqlite::types::Value> = args;
        params.push((filter.limit.unwrap_or(usize::MAX >> 2) as i64).into());
        params.push((filter.offset as i64).into());
        let rows = stmt.query_map(rusqlite::params_from_iter(params), summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts the documents a filter selects.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        let (where_sql, args) = filter_sql(filter, &self.user_id);
        let sql = format!("SELECT count(*) FROM doc_index i WHERE {where_sql}");
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The listing row of one document.
    pub fn summary(&self, id: &str) -> Result<Summary> {
        let sql = format!("SELECT {SUMMARY_COLS} FROM doc_index i WHERE i.id = ?1");
        self.conn
            .query_row(&sql, [id], summary_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    /// Full-text search, best match first, with highlighted snippets.
    /// Finds Chinese substrings and English words (by prefix).
    pub fn search(&self, query: &str, filter: &Filter) -> Result<Vec<Hit>> {
        let Some(q) = search::fts_query(query) else {
            return Ok(Vec::new());
        };
        let (where_sql, mut args) = filter_sql(filter, &self.user_id);
        let n = args.len();
        // Ranking runs over every match, so it reads only row ids and the
        // index columns; the texts (kilobytes each) are read for the page
        // of hits alone. Joining them in before the sort made SQLite carry
        // every matching body through the sorter.
        let sql = format!(
            "SELECT {SUMMARY_COLS}, t.title, t.body FROM (
                 SELECT f.rowid AS doc, bm25(doc_fts, 30.0, 1.0) AS score, i.updated AS updated
                 FROM doc_fts f JOIN doc_index i ON i.doc = f.rowid
                 WHERE doc_fts MATCH ?{} AND {where_sql}
                 ORDER BY score, updated DESC
                 LIMIT ?{} OFFSET ?{}
             ) m
             JOIN doc_index i ON i.doc = m.doc
             JOIN doc_text t ON t.doc = m.doc
             ORDER BY m.score, m.updated DESC",
            n + 1,
            n + 2,
            n + 3
        );
        args.push(q.into());
        args.push((filter.limit.unwrap_or(50) as i64).into());
        args.push((filter.offset as i64).into());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                summary_from_row(r)?,
                r.get::<_, String>(SUMMARY_N)?,
                r.get::<_, String>(SUMMARY_N + 1)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (summary, title, body) = row?;
            let body_snip = search::snippet(&body, query, 80);
            let snippet = if body_snip.iter().any(|p| p.hit) {
                body_snip
            } else {
                search::snippet(&title, query, 80)
            };
            hits.push(Hit { summary, snippet });
        }
        Ok(hits)
    }

    /// Adds `n` generated documents (see [`rounds_core::generate`]) in one
    /// transaction, for load tests, benchmarks and `rounds generate`.
    pub fn generate(&mut self, n: usize, seed: u64, body: usize) -> Result<Vec<String>> {
        let mut rng = rounds_core::generate::Rng::new(seed);
        let author = self.author().to_owned();
        let now = (self.clock)();
        let tx = write_tx(&mut self.conn)?;
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let (kind, title, language, fields) = rounds_core::generate::document(&mut rng, body);
            let id = new_doc_id(now, self.entropy.as_mut());
            let mut idgen = RandomIds(self.entropy.as_mut());
            let mut ctx = EditCtx {
                now_ms: now - (n - i) as i64 * 60_000,
                author: &author,
                ids: &mut idgen,
            };
            let new = NewDoc {
                id: id.clone(),
                kind,
                title,
                language,
                owner: self.user_id.clone(),
            };
            let mut doc = Document::create(&new, self.actor.clone(), &mut ctx, Some(&fields))?;
            insert_doc(&tx, &mut doc)?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    // ---- history --------------------------------------------------------------

    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        Ok(self.load(id)?.history())
    }

    /// The document as it was right after the change `hash` (or a unique
    /// prefix of it, or its 1-based index in the history).
    pub fn at(&self, id: &str, change: &str) -> Result<Document> {
        let mut doc = self.load(id)?;
        let history = doc.history();
        let hash = if let Ok(i) = change.parse::<usize>()
            && change.len() < 8
        {
            history.get(i.wrapping_sub(1)).map(|h| h.hash.clone())
        } else {
            let m: Vec<&HistoryEntry> = history
                .iter()
                .filter(|h| h.hash.starts_with(change))
                .collect();
            (m.len() == 1).then(|| m[0].hash.clone())
        };
        let hash = hash.ok_or_else(|| {
            StoreError::Invalid(format!(
                "change: `{change}` names no single change of this document"
            ))
        })?;
        Ok(doc.at(&hash)?)
    }

    // ---- import and export ----------------------------------------------------

    /// Imports one document from its JSON export (or a hand-written object
    /// with `kind`, `title` and fields). A document whose id already exists
    /// is updated with the fields instead of duplicated, so importing the
    /// same file twice changes nothing.
    pub fn import_json(&mut self, text: &str) -> Result<(Summary, bool)> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(StoreError::Invalid(format!(
                "import: larger than {} MB",
                MAX_IMPORT_BYTES / 1024 / 1024
            )));
        }
        let mut v: Json = serde_json::from_str(text)?;
        let obj = v
            .as_object_mut()
            .ok_or_else(|| StoreError::Invalid("import: must be a JSON object".into()))?;
        let kind_s = obj
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        let kind = DocKind::parse(&kind_s).ok_or_else(|| {
            StoreError::Invalid(format!(
                "kind: must be `lesson_plan` or `case`, not `{kind_s}`"
            ))
        })?;
        let id = obj.get("id").and_then(Json::as_str).map(str::to_owned);
        // Metadata that Rounds sets itself is carried by the document, not by
        // the import: drop it so the rest can be validated as an edit.
        for k in rounds_core::doc::RESERVED_KEYS
            .iter()
            .filter(|k| !["title", "tags", "language"].contains(k))
        {
            obj.remove(*k);
        }
        if let Some(id) = &id {
            rounds_core::doc::validate_id(id)?;
            if self.rowid(id)?.is_some() {
                let (s, ()) = self.change_in_opts(id, false, |_, doc, ctx| {
                    doc.apply_import(&v, ctx)?;
                    Ok(())
                })?;
                return Ok((s, false));
            }
        }
        let title = obj
            .get("title")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        let language = match obj.get("language").and_then(Json::as_str) {
            Some(l) => Lang::parse(l)
                .ok_or_else(|| StoreError::Invalid("language: must be `zh` or `en`".into()))?,
            None => Lang::Zh,
        };
        let id = match id {
            Some(id) => id,
            None => new_doc_id((self.clock)(), self.entropy.as_mut()),
        };
        let s = self.create_with_id(&id, kind, &title, language, Some(&v), false)?;
        Ok((s, true))
    }

    /// Imports the sample library, skipping samples already in the store
    /// (also ones the user has since edited or deleted). Returns how many
    /// were added.
    pub fn import_samples(&mut self) -> Result<usize> {
        let mut added = 0;
        for (name, text) in rounds_core::samples::all() {
            let id = serde_json::from_str::<Json>(text)?
                .get("id")
                .and_then(Json::as_str)
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Invalid(format!("sample {name} has no id")))?;
            if self.rowid(&id)?.is_none() {
                // A sample keeps the date it was written (its `created`),
                // so the library does not show every sample as changed
                // just now.
                let written = serde_json::from_str::<Json>(text)?
                    .get("created")
                    .and_then(Json::as_str)
                    .and_then(rounds_core::time::parse_rfc3339);
                let saved =
                    written.map(|t| std::mem::replace(&mut self.clock, Box::new(move || t)));
                let r = self.import_json(text);
                if let Some(c) = saved {
                    self.clock = c;
                }
                r?;
                added += 1;
            }
        }
        Ok(added)
    }

    // ---- backup ---------------------------------------------------------------

    /// Writes the whole library, every document with its full history, to
    /// one file: a consistent copy of the database made by SQLite itself.
    pub fn backup(&self, path: &Path) -> Result<usize> {
        if path.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists",
                path.display()
            )));
        }
        let p = path
            .to_str()
            .ok_or_else(|| StoreError::Backup("the path is not valid UTF-8".into()))?;
        self.conn.execute("VACUUM INTO ?1", [p])?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Restores documents from a backup file. Documents that are not in the
    /// store are restored byte for byte; documents that are get the backup's
    /// changes merged in, so nothing written since the backup is lost.
    /// Returns (restored, merged).
    pub fn restore_backup(&mut self, path: &Path) -> Result<(usize, usize)> {
        let src = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| StoreError::Backup(format!("cannot open {}: {e}", path.display())))?;
        let version: i64 = src
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|_| {
                StoreError::Backup(format!("{} is not a Rounds backup", path.display()))
            })?;
        if version > CLIENT_MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew {
                found: version,
                known: CLIENT_MIGRATIONS.len() as i64,
            });
        }
        let has_docs: bool = src
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n == 1)
            .unwrap_or(false);
        if version < 1 || !has_docs {
            return Err(StoreError::Backup(format!(
                "{} is not a Rounds backup",
                path.display()
            )));
        }
        let mut stmt = src.prepare("SELECT id, snapshot FROM documents ORDER BY doc")?;
        let docs: Vec<(String, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut chunk_stmt = src.prepare("SELECT c.data FROM doc_chunks c JOIN documents d ON d.doc = c.doc WHERE d.id = ?1 ORDER BY c.seq")?;
        let (mut restored, mut merged) = (0, 0);
        for (id, snapshot) in docs {
            let chunks: Vec<Vec<u8>> = chunk_stmt
                .query_map([&id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut all = snapshot.clone();
            for c in &chunks {
                all.extend_from_slice(c);
            }
            // A document of a kind this version does not know (from a
            // newer Rounds) is carried, never refused: refusing it would
            // make the whole backup unrestorable.
            let am = automerge::AutoCommit::load(&all)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?;
            if let Some(meta) = carried::must_carry(&am)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?
            {
                if meta.id != id {
                    return Err(StoreError::Backup(format!(
                        "document {id} holds the bytes of another document"
                    )));
                }
                let tx = write_tx(&mut self.conn)?;
                match raw_bytes(&tx, &id)? {
                    Some(stored) => {
                        carried::merge(&tx, &id, &stored, &all, true)?;
                        merged += 1;
                    }
                    None => {
                        let mut am = am;
                        carried::insert(&tx, &mut am, &meta)?;
                        restored += 1;
                    }
                }
                tx.commit()?;
                continue;
            }
            if self.rowid(&id)?.is_some() {
                self.merge_bytes(&all)?;
                merged += 1;
                continue;
            }
            // Check the bytes are a sound Rounds document before storing them.
            let mut doc = Document::load(&all)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?;
            if doc.id() != id {
                return Err(StoreError::Backup(format!(
                    "document {id} holds the bytes of another document"
                )));
            }
            let tx = write_tx(&mut self.conn)?;
            if raw_bytes(&tx, &id)?.is_some() {
                // Written by another connection since the check above.
                drop(tx);
                self.merge_bytes(&all)?;
                merged += 1;
                continue;
            }
            tx.execute(
                "INSERT INTO documents (id, snapshot, chunks_size, next_chunk) VALUES (?1, ?2, ?3, ?4)",
                params![id, snapshot, chunks.iter().map(Vec::len).sum::<usize>() as i64, chunks.len() as i64],
            )?;
            let rowid = tx.last_insert_rowid();
            for (seq, c) in chunks.iter().enumerate() {
                tx.execute(
                    "INSERT INTO doc_chunks (doc, seq, data) VALUES (?1, ?2, ?3)",
                    params![rowid, seq as i64, c],
                )?;
            }
            write_projection(&tx, rowid, &mut doc)?;
            tx.commit()?;
            restored += 1;
        }
        Ok((restored, merged))
    }

    /// Every row of every table as text, ordered by primary key
    /// ([`rounds_sqlite::dump`]): equal for two stores exactly when they
    /// hold the same data, which is how the simulation proves a seed
    /// replays.
    pub fn dump(&self) -> Result<String> {
        Ok(rounds_sqlite::dump(&self.conn)?)
    }

    /// Checks the database file for corruption.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

// ---- writing ------------------------------------------------------------------

pub(crate) fn raw_bytes(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT doc, snapshot FROM documents WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((rowid, mut bytes)) = row else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT data FROM doc_chunks WHERE doc = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([rowid])?;
    while let Some(r) = rows.next()? {
        let chunk: Vec<u8> = r.get(0)?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// The one way the store starts a transaction that writes: IMMEDIATE, so
/// it holds SQLite's write lock from its first read. A document read inside
/// it cannot be changed by another connection before it is written back.
pub(crate) fn write_tx(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
}

/// Loads a document inside a transaction, with this device's actor.
pub(crate) fn load_in(
    conn: &Connection,
    id: &str,
    actor: &ActorId,
    stats: &Cell<Stats>,
) -> Result<Document> {
    let bytes = raw_bytes(conn, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    let mut s = stats.get();
    s.docs_loaded += 1;
    stats.set(s);
    let mut doc = match Document::load(&bytes) {
        Ok(d) => d,
        Err(e) => {
            return Err(match carried::carried_kind(conn, id)? {
                Some(kind) => StoreError::NewerKind {
                    id: id.to_owned(),
                    kind,
                },
                None => e.into(),
            });
        }
    };
    doc.set_actor(actor.clone());
    Ok(doc)
}

/// Saves what changed in `doc` since `before`, with its projections, in
/// the caller's transaction (nothing if nothing changed). Returns whether
/// it compacted.
pub(crate) fn save_since(
    tx: &Transaction<'_>,
    doc: &mut Document,
    before: &[automerge::ChangeHash],
) -> Result<bool> {
    if doc.heads() == before {
        return Ok(false);
    }
    let chunk = doc.automerge_mut().save_after(before);
    append_chunk(tx, doc, &chunk)
}

/// Replaces a document's bytes by a new history (a squash), dropping its chunks.
pub(crate) fn replace_doc(tx: &Transaction<'_>, doc: &mut Document) -> Result<()> {
    let rowid: i64 = tx.query_row("SELECT doc FROM documents WHERE id = ?1", [doc.id()], |r| {
        r.get(0)
    })?;
    tx.execute(
        "UPDATE documents SET snapshot = ?2, chunks_size = 0, next_chunk = 0 WHERE doc = ?1",
        params![rowid, doc.save()],
    )?;
    tx.execute("DELETE FROM doc_chunks WHERE doc = ?1", [rowid])?;
    write_projection(tx, rowid, doc)
}

pub(crate) fn insert_doc(tx: &Transaction<'_>, doc: &mut Document) -> Result<()> {
    let snapshot = doc.save();
    tx.execute(
        "INSERT INTO documents (id, snapshot) VALUES (?1, ?2)",
        params![doc.id(), snapshot],
    )?;
    let rowid = tx.last_insert_rowid();
    write_projection(tx, rowid, doc)
}

/// Saves the bytes of one save and refreshes the projections; compacts
/// when the chunks have outgrown the snapshot. Returns whether it compacted.
pub(crate) fn append_chunk(tx: &Transaction<'_>, doc: &mut Document, chunk: &[u8]) -> Result<bool> {
    let id = doc.id().to_owned();
    let (rowid, compact) = append_bytes(tx, &id, chunk, || doc.save())?;
    write_projection(tx, rowid, doc)?;
    Ok(compact)
}

/// Appends one chunk of a document's bytes, or, when the chunks have
/// outgrown the snapshot, replaces snapshot and chunks by `full()` (which
/// holds every change, this chunk's too) in the same transaction. Returns
/// the document's row and whether it compacted.
pub(crate) fn append_bytes(
    tx: &Transaction<'_>,
    id: &str,
    chunk: &[u8],
    full: impl FnOnce() -> Vec<u8>,
) -> Result<(i64, bool)> {
    let (rowid, snapshot_len, chunks_size, next): (i64, i64, i64, i64) = tx.query_row(
        "SELECT doc, length(snapshot), chunks_size, next_chunk FROM documents WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let compact = chunks_size + chunk.len() as i64 > snapshot_len;
    if compact {
        // The new snapshot holds every change, including this one; the old
        // chunks are deleted in the same transaction that writes it.
        tx.execute(
            "UPDATE documents SET snapshot = ?2, chunks_size = 0, next_chunk = 0 WHERE doc = ?1",
            params![rowid, full()],
        )?;
        tx.execute("DELETE FROM doc_chunks WHERE doc = ?1", [rowid])?;
    } else {
        tx.execute(
            "INSERT INTO doc_chunks (doc, seq, data) VALUES (?1, ?2, ?3)",
            params![rowid, next, chunk],
        )?;
        tx.execute(
            "UPDATE documents SET chunks_size = chunks_size + ?2, next_chunk = next_chunk + 1 WHERE doc = ?1",
            params![rowid, chunk.len() as i64],
        )?;
    }
    Ok((rowid, compact))
}
