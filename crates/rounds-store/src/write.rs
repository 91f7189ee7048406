//! Writing a document's bytes: snapshots, incremental chunks, compaction, and the projections in the same transaction.

use super::*;

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
    tx.prepare_cached(
        "UPDATE documents SET snapshot = ?2, chunks_size = 0, next_chunk = 0 WHERE doc = ?1",
    )?
    .execute(params![rowid, doc.save()])?;
    tx.prepare_cached("DELETE FROM doc_chunks WHERE doc = ?1")?
        .execute([rowid])?;
    write_projection(tx, rowid, doc)
}

/// Stores a new document, saved compactly. Returns its row.
pub(crate) fn insert_doc(tx: &Transaction<'_>, doc: &mut Document) -> Result<i64> {
    let snapshot = doc.save();
    insert_doc_bytes(tx, doc, &snapshot)
}

/// [`insert_doc`] with the bytes to store given: those `doc` was loaded
/// from, when they are already a compact save. Returns the new row.
pub(crate) fn insert_doc_bytes(
    tx: &Transaction<'_>,
    doc: &mut Document,
    bytes: &[u8],
) -> Result<i64> {
    tx.prepare_cached("INSERT INTO documents (id, snapshot) VALUES (?1, ?2)")?
        .execute(params![doc.id(), bytes])?;
    let rowid = tx.last_insert_rowid();
    write_projection(tx, rowid, doc)?;
    Ok(rowid)
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
        tx.prepare_cached(
            "UPDATE documents SET snapshot = ?2, chunks_size = 0, next_chunk = 0 WHERE doc = ?1",
        )?
        .execute(params![rowid, full()])?;
        tx.prepare_cached("DELETE FROM doc_chunks WHERE doc = ?1")?
            .execute([rowid])?;
    } else {
        tx.prepare_cached("INSERT INTO doc_chunks (doc, seq, data) VALUES (?1, ?2, ?3)")?
            .execute(params![rowid, next, chunk])?;
        tx.prepare_cached("UPDATE documents SET chunks_size = chunks_size + ?2, next_chunk = next_chunk + 1 WHERE doc = ?1")?.execute(params![rowid, chunk.len() as i64])?;
    }
    Ok((rowid, compact))
}
