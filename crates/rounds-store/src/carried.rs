//! Documents of a kind this version of Rounds does not know, made by a
//! newer version and received through sync.
//!
//! They must never stop sync: an older device stores them byte for byte,
//! merges whatever the office sends for them, lists them as "made by a newer
//! version of Rounds", never edits or pushes them, and once Rounds is
//! updated and knows their kind, opens them like any other document with
//! nothing lost. Their bytes live in `documents`/`doc_chunks` like every
//! document's (so backup, compaction and sync treat them alike); the
//! `carried` table stands in for the projections, which only a version that
//! knows the kind can compute.

use automerge::{AutoCommit, ChangeHash};
use rounds_core::doc::{DocError, Document, RawMeta};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::{Result, Store, StoreError, append_bytes, write_projection, write_tx};

/// The listing row of a carried document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarriedDoc {
    pub id: String,
    /// The kind's stored name, which this version does not know.
    pub kind: String,
    pub schema: u64,
    pub title: String,
    pub owner: String,
    pub visibility: String,
    pub updated: i64,
}

/// The kind of a carried document, if `id` is one.
pub(crate) fn carried_kind(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT kind FROM carried WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

/// The (row, id) of the documents listed in `table` (`carried` or
/// `doc_index`) whose kind this process knows (`known`) or does not.
pub(crate) fn docs_by_kind(
    conn: &Connection,
    table: &str,
    known: bool,
) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(&format!("SELECT doc, id, kind FROM {table}"))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    Ok(rows
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, _, kind)| rounds_core::schema::DocKind::named(kind).is_some() == known)
        .map(|(doc, id, _)| (doc, id))
        .collect())
}

/// Whether bytes of a document must be carried rather than opened: they are
/// a Rounds document (root keys present) of a kind this version does not
/// know. Anything else that fails to open is an error, as before.
pub(crate) fn must_carry(am: &AutoCommit) -> Result<Option<RawMeta>> {
    let meta = RawMeta::read(am)?;
    Ok(meta.known_kind().is_none().then_some(meta))
}

pub(crate) fn write_row(tx: &Transaction<'_>, rowid: i64, m: &RawMeta) -> Result<()> {
    tx.execute(
        "INSERT INTO carried (doc, id, kind, schema, title, owner, visibility, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (doc) DO UPDATE SET kind = excluded.kind, schema = excluded.schema,
            title = excluded.title, owner = excluded.owner, visibility = excluded.visibility,
            updated = excluded.updated",
        params![
            rowid,
            m.id,
            m.kind,
            m.schema as i64,
            m.title,
            m.owner,
            m.visibility,
            m.updated
        ],
    )?;
    // The device never changes a carried document, so it has nothing to
    // push: the office heads are set by the caller.
    tx.execute(
        "INSERT INTO sync_docs (doc, pending) VALUES (?1, 0)
         ON CONFLICT (doc) DO UPDATE SET pending = 0, local_heads = NULL",
        [rowid],
    )?;
    Ok(())
}

/// Stores a new carried document.
pub(crate) fn insert(tx: &Transaction<'_>, am: &mut AutoCommit, m: &RawMeta) -> Result<i64> {
    tx.execute(
        "INSERT INTO documents (id, snapshot) VALUES (?1, ?2)",
        params![m.id, am.save()],
    )?;
    let rowid = tx.last_insert_rowid();
    write_row(tx, rowid, m)?;
    Ok(rowid)
}

/// Merges incoming changes (or a snapshot) into a carried document.
/// Returns whether it compacted.
pub(crate) fn merge(
    tx: &Transaction<'_>,
    id: &str,
    stored: &[u8],
    incoming: &[u8],
    snapshot: bool,
) -> Result<bool> {
    let mut am = AutoCommit::load(stored).map_err(DocError::from)?;
    let before = am.get_heads();
    if snapshot {
        let mut other = AutoCommit::load(incoming).map_err(DocError::from)?;
        am.merge(&mut other).map_err(DocError::from)?;
    } else {
        am.load_incremental(incoming).map_err(DocError::from)?;
    }
    let meta = RawMeta::read(&am)?;
    if meta.id != id {
        return Err(StoreError::Doc(DocError::NotRounds(
            "the changes alter the document's id".into(),
        )));
    }
    if !am.get_missing_deps(&[]).is_empty() {
        return Err(StoreError::MissingHistory(id.to_owned()));
    }
    if am.get_heads() == before {
        return Ok(false);
    }
    let chunk = am.save_after(&before);
    let (rowid, compact) = append_bytes(tx, id, &chunk, || am.save())?;
    write_row(tx, rowid, &meta)?;
    Ok(compact)
}

/// The heads of a carried document's stored bytes.
pub(crate) fn heads(stored: &[u8]) -> Result<Vec<ChangeHash>> {
    let mut am = AutoCommit::load(stored).map_err(DocError::from)?;
    Ok(am.get_heads())
}

impl Store {
    /// Documents made by a newer version of Rounds that this one keeps and
    /// syncs but cannot open, newest first.
    pub fn carried(&self) -> Result<Vec<CarriedDoc>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, schema, title, owner, visibility, updated FROM carried ORDER BY updated DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CarriedDoc {
                id: r.get(0)?,
                kind: r.get(1)?,
                schema: r.get::<_, i64>(2)? as u64,
                title: r.get(3)?,
                owner: r.get(4)?,
                visibility: r.get(5)?,
                updated: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Opens the carried documents whose kind this version knows: they get
    /// their projections and become ordinary documents. Returns how many.
    /// Runs whenever the store is opened, so updating Rounds is enough.
    pub(crate) fn open_carried(&mut self) -> Result<usize> {
        let known = docs_by_kind(&self.conn, "carried", true)?;
        let mut opened = 0;
        for (rowid, id) in known {
            let tx = write_tx(&mut self.conn)?;
            let bytes =
                crate::raw_bytes(&tx, &id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
            // A document this version should know but cannot open stays
            // carried: opening the library must not fail because of it.
            let Ok(mut doc) = Document::load(&bytes) else {
                continue;
            };
            tx.execute("DELETE FROM carried WHERE doc = ?1", [rowid])?;
            write_projection(&tx, rowid, &mut doc)?;
            tx.commit()?;
            opened += 1;
        }
        Ok(opened)
    }
}
