//! The store's side of sync: what to push, and applying a page of the
//! office's answer in one transaction with the cursor.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use automerge::{AutoCommit, Change, ChangeHash};
use rounds_core::doc::Document;
use rounds_core::schema::DocKind;
use rounds_core::sync::{PageUpdate, advance_heads, heads_from_bytes, heads_to_bytes};
use rounds_proto::{DocChanges, Item, doc_id_from_str, doc_id_to_string};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::{
    RandomIds, Result, Stats, Store, StoreError, append_chunk, carried, insert_doc,
    insert_doc_bytes, load_in, raw_bytes, replace_doc, write_tx,
};
use rounds_core::doc::EditCtx;

/// The file in the data directory that holds this device's office token,
/// readable only by its user. The database never holds it.
pub const TOKEN_FILE: &str = "office-token";

/// What this device knows about its office.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncInfo {
    pub office_url: Option<String>,
    pub office_name: Option<String>,
    pub member_name: Option<String>,
    pub device_id: Option<String>,
    pub role: Option<String>,
    /// Documents with changes the office does not have yet.
    pub pending_docs: usize,
    /// Documents whose last push the office refused.
    pub rejected_docs: usize,
    /// Shared cases held on this device because an edit brings an identifier.
    pub held_docs: usize,
    /// Private cases, which stay on this device until shared.
    pub local_only_docs: usize,
    /// Documents of kinds this version does not know (made by a newer
    /// Rounds): kept and synced, opened once Rounds is updated.
    pub newer_docs: usize,
    pub last_sync: Option<i64>,
    pub has_cursor: bool,
}

fn decode_changes(doc: &str, raw: &[Vec<u8>]) -> Result<Vec<Change>> {
    raw.iter()
        .map(|b| {
            Change::from_bytes(b.clone()).map_err(|e| {
                StoreError::Invalid(format!("document {doc}: a change does not decode: {e}"))
            })
        })
        .collect()
}

fn office_heads(tx: &Transaction<'_>, rowid: i64) -> Result<Vec<ChangeHash>> {
    let b: Option<Vec<u8>> = tx
        .query_row(
            "SELECT office_heads FROM sync_docs WHERE doc = ?1",
            [rowid],
            |r| r.get(0),
        )
        .optional()?;
    Ok(b.map(|b| heads_from_bytes(&b)).unwrap_or_default())
}

fn set_office_heads(
    tx: &Transaction<'_>,
    rowid: i64,
    heads: &[ChangeHash],
    doc_heads: &[ChangeHash],
) -> Result<()> {
    let office = heads_to_bytes(heads);
    let local = heads_to_bytes(doc_heads);
    tx.prepare_cached("INSERT INTO sync_docs (doc, office_heads, pending) VALUES (?1, ?2, ?3)
         ON CONFLICT (doc) DO UPDATE SET office_heads = excluded.office_heads, pending = excluded.pending")?.execute(params![rowid, office, office != local])?;
    Ok(())
}

/// The office's heads of a document after a page item.
fn page_office_heads(
    tx: &Transaction<'_>,
    rowid: i64,
    id: &str,
    item: &Item,
) -> Result<Vec<ChangeHash>> {
    Ok(match item {
        Item::Changes(c) => {
            advance_heads(&office_heads(tx, rowid)?, &decode_changes(id, &c.changes)?)
        }
        Item::Snapshot { bytes, .. } => {
            let mut snap = AutoCommit::load(bytes).map_err(rounds_core::DocError::from)?;
            let mut heads = snap.get_heads();
            // Heads known before and not inside the snapshot stay.
            for h in office_heads(tx, rowid)? {
                if snap.get_change_by_hash(&h).is_none() {
                    heads.push(h);
                }
            }
            heads
        }
    })
}

/// Applies a page item to a document this version carries without knowing
/// its kind (see `carried.rs`); `None` if it is not one to carry (then the
/// caller reports why it could not be read). Returns the carried heads.
fn apply_carried(
    tx: &Transaction<'_>,
    id: &str,
    existing: Option<&[u8]>,
    item: &Item,
    incoming: &[u8],
) -> Result<Option<Vec<ChangeHash>>> {
    let snapshot = matches!(item, Item::Snapshot { .. });
    match existing {
        Some(stored) => {
            if carried::carried_kind(tx, id)?.is_none() {
                return Ok(None);
            }
            carried::merge(tx, id, stored, incoming, snapshot)?;
        }
        None => {
            let mut am = if snapshot {
                AutoCommit::load(incoming)
            } else {
                let mut am = AutoCommit::new();
                am.load_incremental(incoming).map(|_| am)
            }
            .map_err(rounds_core::DocError::from)?;
            let Some(meta) = carried::must_carry(&am)? else {
                return Ok(None);
            };
            if meta.id != id {
                return Err(StoreError::Invalid(format!(
                    "the office sent document {} as {id}",
                    meta.id
                )));
            }
            if !am.get_missing_deps(&[]).is_empty() {
                return Err(StoreError::MissingHistory(id.to_owned()));
            }
            carried::insert(tx, &mut am, &meta)?;
        }
    }
    let stored = raw_bytes(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    Ok(Some(carried::heads(&stored)?))
}

fn rowid(tx: &Transaction<'_>, id: &str) -> Result<Option<i64>> {
    Ok(tx
        .query_row("SELECT doc FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Checks a shared case's unpushed edits before they leave. If the case
/// now holds a patient identifier, it is held with a message (`None`).
/// Otherwise its unpushed changes are folded into one change from what the
/// office has, so text typed and removed again never leaves the device; the
/// local copy is rewritten to match, in the caller's transaction.
fn prepare_shared_case(
    tx: &Transaction<'_>,
    rowid: i64,
    mut doc: Document,
    base: &[ChangeHash],
    actor: &automerge::ActorId,
    ctx: &mut EditCtx<'_>,
) -> Result<Option<Document>> {
    let found = rounds_core::deid::identifiers(&doc);
    if !found.is_empty() {
        let kinds: Vec<&str> = found
            .iter()
            .map(|(k, _)| k.label_en())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let msg = format!(
            "held on this device: it contains {} likely patient identifier(s) ({}); remove or mask them and it will sync",
            found.len(),
            kinds.join(", ")
        );
        tx.prepare_cached("UPDATE sync_docs SET held_message = ?2 WHERE doc = ?1")?
            .execute(params![rowid, msg])?;
        return Ok(None);
    }
    tx.prepare_cached("UPDATE sync_docs SET held_message = NULL WHERE doc = ?1")?
        .execute([rowid])?;
    // With no base, the case has never been offered and was made from a
    // checked state: its whole history goes as it is.
    if base.is_empty() || doc.automerge_mut().get_changes(base).len() <= 1 {
        return Ok(Some(doc));
    }
    let folded: Vec<(ChangeHash, Vec<u8>)> = doc
        .automerge_mut()
        .get_changes(base)
        .iter()
        .map(|c| (c.hash(), c.raw_bytes().to_vec()))
        .collect();
    let mut squashed = doc.squashed(base, actor.clone(), ctx)?;
    replace_doc(tx, &mut squashed)?;
    // An editor may show the case at one of the folded changes, across
    // several squashes (each sync folds what was saved since the last):
    // the folded changes are kept, so its next save can be rebuilt against
    // exactly what it showed (`shown_at_folded`). Earlier rows point at
    // this squash too (`unfold`, for rows kept before the changes were).
    // The squash's change is the one head (none if the folded changes
    // undid each other and it changed nothing).
    let into = match squashed.heads()[..] {
        [into] if !base.contains(&into) => into.as_ref().to_vec(),
        _ => Vec::new(),
    };
    let mut repoint =
        tx.prepare_cached("UPDATE squashed SET squash = ?3 WHERE doc = ?1 AND squash = ?2")?;
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO squashed (doc, folded, squash, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (h, bytes) in &folded {
        repoint.execute(params![rowid, h.as_ref(), into])?;
        ins.execute(params![rowid, h.as_ref(), into, bytes, ctx.now_ms])?;
    }
    // Kept for the last SQUASHES_KEPT squashes: an editor open across more
    // syncs than that has reloaded (the app refreshes on every sync).
    tx.prepare_cached(
        "DELETE FROM squashed WHERE doc = ?1 AND at < (
            SELECT min(at) FROM (SELECT DISTINCT at FROM squashed WHERE doc = ?1 AND at IS NOT NULL
                                 ORDER BY at DESC LIMIT ?2))",
    )?
    .execute(params![rowid, SQUASHES_KEPT])?;
    Ok(Some(squashed))
}

/// How many squashes of a shared case keep what they folded.
const SQUASHES_KEPT: i64 = 16;

/// What an editor showed, as `to_json`, when its base holds changes that
/// squashes folded away and kept (`prepare_shared_case`): the document
/// with those changes added back, at the base. `None` when the base is
/// all in the document, or a folded change of it was not kept.
pub(crate) fn shown_at_folded(
    tx: &Transaction<'_>,
    id: &str,
    doc: &mut Document,
    base: &[ChangeHash],
) -> Result<Option<serde_json::Value>> {
    if base.is_empty()
        || base
            .iter()
            .all(|h| doc.automerge_mut().get_change_by_hash(h).is_some())
    {
        return Ok(None);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT s.bytes FROM squashed s JOIN documents d ON d.doc = s.doc
         WHERE d.id = ?1 AND s.bytes IS NOT NULL",
    )?;
    let kept: Vec<Vec<u8>> = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if kept.is_empty() {
        return Ok(None);
    }
    // Only the folded changes under the base, on the document as it was
    // below them: a squash's change has the sequence number of the first
    // change it folded, so the folded ones cannot join the document whole.
    let kept: HashMap<ChangeHash, Change> = kept
        .into_iter()
        .filter_map(|b| Change::from_bytes(b).ok())
        .map(|c| (c.hash(), c))
        .collect();
    let am = doc.automerge_mut();
    let mut below: Vec<ChangeHash> = Vec::new();
    let mut chain: Vec<Change> = Vec::new();
    let mut todo: Vec<ChangeHash> = base.to_vec();
    let mut seen: HashSet<ChangeHash> = HashSet::new();
    while let Some(h) = todo.pop() {
        if !seen.insert(h) {
            continue;
        }
        if am.get_change_by_hash(&h).is_some() {
            below.push(h);
        } else if let Some(c) = kept.get(&h) {
            todo.extend(c.deps().iter().copied());
            chain.push(c.clone());
        } else {
            return Ok(None);
        }
    }
    let Ok(mut then) = am.fork_at(&below) else {
        return Ok(None);
    };
    if then.apply_changes(chain).is_err() || !then.get_missing_deps(&[]).is_empty() {
        return Ok(None);
    }
    let Ok(then) = then.fork_at(base) else {
        return Ok(None);
    };
    Ok(Document::from_automerge(then).ok().map(|d| d.to_json()))
}

/// An editor's base with every change a squash folded away replaced by
/// the squash's change, when the document has that (a base the document
/// knows is kept as it is). Read in the save's own transaction, so a
/// squash by another connection is either before it or after it.
pub(crate) fn unfold(
    tx: &Transaction<'_>,
    id: &str,
    doc: &mut Document,
    base: &[ChangeHash],
) -> Result<Vec<ChangeHash>> {
    let mut out = Vec::with_capacity(base.len());
    let mut stmt = tx.prepare_cached(
        "SELECT s.squash FROM squashed s JOIN documents d ON d.doc = s.doc WHERE d.id = ?1 AND s.folded = ?2",
    )?;
    for h in base {
        let mut h = *h;
        if doc.automerge_mut().get_change_by_hash(&h).is_none()
            && let Some(into) = stmt
                .query_row(params![id, h.as_ref()], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
            && let Ok(into) = ChangeHash::try_from(into.as_slice())
            && doc.automerge_mut().get_change_by_hash(&into).is_some()
        {
            h = into;
        }
        if !out.contains(&h) {
            out.push(h);
        }
    }
    Ok(out)
}

/// Documents decided per IMMEDIATE transaction by
/// [`Store::outgoing_of`]: one commit (a sync of the disk) per document made
/// a first upload of thousands wait on the disk; many more would hold the
/// write lock long enough to keep a teacher's save waiting.
const OUTGOING_PER_TRANSACTION: usize = 32;

/// What one document has for the office, decided and recorded inside
/// `tx`, an IMMEDIATE transaction: the document, its sync row and a squash
/// of a shared case are read and written together, so an edit another
/// connection saves meanwhile is neither squashed away nor marked as
/// already at the office.
fn outgoing_doc(
    tx: &Transaction<'_>,
    rowid: i64,
    id: &str,
    actor: &automerge::ActorId,
    stats: &Cell<Stats>,
    ctx: &mut EditCtx<'_>,
) -> Result<Option<(DocChanges, Vec<ChangeHash>)>> {
    let row: Option<(Vec<u8>, Option<Vec<u8>>, Vec<u8>, bool)> = tx
        .query_row(
            "SELECT office_heads, rejected_heads, sent_heads, pending FROM sync_docs WHERE doc = ?1",
            [rowid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((office, rejected, sent, true)) = row else {
        return Ok(None);
    };
    let mut doc = load_in(tx, id, actor, stats)?;
    let have = heads_from_bytes(&office);
    if doc.kind().holds_patient_data() {
        if doc.visibility() == rounds_core::doc::Visibility::Private {
            return Ok(None);
        }
        // Never rewrite what the office has or may have.
        let mut base = heads_from_bytes(&sent);
        base.extend(have.iter().copied());
        base.sort();
        base.dedup();
        match prepare_shared_case(tx, rowid, doc, &base, actor, ctx)? {
            Some(d) => doc = d,
            None => return Ok(None),
        }
    }
    let heads = doc.heads();
    if rejected.as_deref() == Some(heads_to_bytes(&heads).as_slice()) {
        return Ok(None);
    }
    let changes: Vec<Vec<u8>> = doc
        .automerge_mut()
        .get_changes(&have)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    if changes.is_empty() {
        // The office has it all already (heads were stored redundantly).
        tx.prepare_cached("UPDATE sync_docs SET pending = 0, office_heads = ?2 WHERE doc = ?1")?
            .execute(params![rowid, heads_to_bytes(&heads)])?;
        return Ok(None);
    }
    let Some(doc_id) = doc_id_from_str(id) else {
        return Ok(None);
    };
    // From here on the office may have these changes, even if its
    // answer never arrives: they must not be rewritten.
    tx.prepare_cached("UPDATE sync_docs SET sent_heads = ?2 WHERE doc = ?1")?
        .execute(params![rowid, heads_to_bytes(&heads)])?;
    Ok(Some((
        DocChanges {
            doc: doc_id,
            changes,
        },
        heads,
    )))
}

/// A document that may have changes for the office (see
/// [`Store::outgoing_candidates`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingCandidate {
    rowid: i64,
    id: String,
}

impl Store {
    /// Reads a sync setting.
    pub fn sync_get(&self, key: &str) -> Result<Option<String>> {
        sync_get_in(&self.conn, key)
    }

    /// Writes (or with `None` removes) a sync setting.
    pub fn sync_set(&self, key: &str, value: Option<&str>) -> Result<()> {
        let k = format!("sync.{key}");
        match value {
            Some(v) => self.conn.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?.execute(params![k, v])?,
            None => self.conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?.execute([k])?,
        };
        Ok(())
    }

    /// The stored cursor (empty when there is none).
    pub fn sync_cursor(&self) -> Result<Vec<u8>> {
        Ok(self
            .sync_get("cursor")?
            .and_then(|h| hex::decode(h).ok())
            .unwrap_or_default())
    }

    /// Forgets the cursor: the next sync starts over from the office's snapshots.
    pub fn reset_sync_cursor(&self) -> Result<()> {
        self.sync_set("cursor", None)
    }

    pub fn sync_info(&self) -> Result<SyncInfo> {
        let count = |sql: &str| -> Result<usize> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
        };
        Ok(SyncInfo {
            office_url: self.sync_get("office_url")?,
            office_name: self.sync_get("office_name")?,
            member_name: self.sync_get("member_name")?,
            device_id: self.sync_get("device_id")?,
            role: self.sync_get("role")?,
            pending_docs: count(&format!(
                "SELECT count(*) FROM sync_docs s JOIN doc_index i ON i.doc = s.doc
                 WHERE s.pending = 1 AND NOT (i.kind IN ({}) AND i.visibility = 'private')",
                DocKind::patient_kinds_sql()
            ))?,
            rejected_docs: count(
                "SELECT count(*) FROM sync_docs WHERE rejected_heads IS NOT NULL",
            )?,
            held_docs: count("SELECT count(*) FROM sync_docs WHERE held_message IS NOT NULL")?,
            local_only_docs: count(&format!(
                "SELECT count(*) FROM doc_index WHERE kind IN ({}) AND visibility = 'private'",
                DocKind::patient_kinds_sql()
            ))?,
            newer_docs: count("SELECT count(*) FROM carried")?,
            last_sync: self.sync_get("last_sync")?.and_then(|s| s.parse().ok()),
            has_cursor: self.sync_get("cursor")?.is_some(),
        })
    }

    /// Per document, the changes the office does not have yet.
    ///
    /// Private cases are not pushed: they may still hold identifiers a
    /// teacher has not removed, and a case reaches the office only through
    /// sharing. Documents whose last push was refused are held until they
    /// change.
    pub fn outgoing(&mut self) -> Result<Vec<DocChanges>> {
        Ok(self
            .outgoing_with_heads()?
            .into_iter()
            .map(|(d, _)| d)
            .collect())
    }

    /// [`Store::outgoing`], each push with the heads it brings the office
    /// to (a USB bundle names them in its manifest).
    pub fn outgoing_with_heads(&mut self) -> Result<Vec<(DocChanges, Vec<ChangeHash>)>> {
        let rows = self.outgoing_candidates()?;
        self.outgoing_of_with_heads(&rows)
    }

    /// The documents that may have something for the office, cheaply
    /// (nothing is loaded): [`Store::outgoing_of`] decides, a slice at a
    /// time, so a sync can send the first documents while it still reads
    /// the rest.
    pub fn outgoing_candidates(&self) -> Result<Vec<OutgoingCandidate>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.doc, i.id FROM sync_docs s JOIN doc_index i ON i.doc = s.doc
             WHERE s.pending = 1 AND NOT (i.kind IN ({}) AND i.visibility = 'private') ORDER BY s.doc",
            DocKind::patient_kinds_sql()
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(OutgoingCandidate {
                    rowid: r.get(0)?,
                    id: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// [`Store::outgoing`] of these candidates only; each is decided again
    /// inside its own transaction, so one that changed or was pushed since
    /// the candidates were read is handled as it now is.
    pub fn outgoing_of(&mut self, candidates: &[OutgoingCandidate]) -> Result<Vec<DocChanges>> {
        Ok(self
            .outgoing_of_with_heads(candidates)?
            .into_iter()
            .map(|(d, _)| d)
            .collect())
    }

    fn outgoing_of_with_heads(
        &mut self,
        candidates: &[OutgoingCandidate],
    ) -> Result<Vec<(DocChanges, Vec<ChangeHash>)>> {
        let author = self.author().to_owned();
        let mut out = Vec::new();
        for group in candidates.chunks(OUTGOING_PER_TRANSACTION) {
            let now = (self.clock)();
            let tx = write_tx(&mut self.conn)?;
            for c in group {
                let mut ids = RandomIds(self.entropy.as_mut());
                let mut ctx = EditCtx {
                    now_ms: now,
                    author: &author,
                    ids: &mut ids,
                };
                if let Some(d) =
                    outgoing_doc(&tx, c.rowid, &c.id, &self.actor, &self.stats, &mut ctx)?
                {
                    out.push(d);
                }
            }
            tx.commit()?;
            let mut st = self.stats.get();
            st.push_transactions += 1;
            self.stats.set(st);
        }
        Ok(out)
    }

    /// Shared cases whose edits are held back, with the reason.
    pub fn held(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.title, s.held_message FROM sync_docs s JOIN doc_index i ON i.doc = s.doc
             WHERE s.held_message IS NOT NULL ORDER BY i.updated DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Applies one page of the office's answer: acknowledgements, refusals,
    /// incoming changes and documents, and the new cursor, all in one
    /// transaction. If any of it fails, none of it is applied and the
    /// cursor stays where it was.
    pub fn apply_page(&mut self, update: &PageUpdate, now_ms: i64) -> Result<()> {
        let mut compactions = 0;
        let tx = write_tx(&mut self.conn)?;
        for push in &update.acked {
            let id = doc_id_to_string(&push.doc);
            let Some(rowid) = rowid(&tx, &id)? else {
                continue;
            };
            let (sent, local): (Vec<u8>, Option<Vec<u8>>) = tx
                .prepare_cached("SELECT sent_heads, local_heads FROM sync_docs WHERE doc = ?1")?
                .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            // The office now has what this push carried: the heads the
            // document had when the push was made (`outgoing_doc` records
            // them just before sending), without decoding the changes.
            // These are exact; adding the changes to the office heads known
            // before could keep a head that is an ancestor of another
            // (office heads after a merged snapshot need not be minimal),
            // which left the document pending for a push of nothing.
            let office = if let Some(h) = update.pushed_heads.get(&push.doc) {
                h.clone()
            } else if sent.is_empty() {
                advance_heads(
                    &office_heads(&tx, rowid)?,
                    &decode_changes(&id, &push.changes)?,
                )
            } else {
                heads_from_bytes(&sent)
            };
            // Whether anything is still pending: the device's heads, as its
            // last write recorded them (loaded only where none were).
            let local = match local {
                Some(l) => heads_from_bytes(&l),
                None => {
                    let bytes =
                        raw_bytes(&tx, &id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
                    Document::load(&bytes)?.heads()
                }
            };
            set_office_heads(&tx, rowid, &office, &local)?;
            tx.prepare_cached("UPDATE sync_docs SET rejected_heads = NULL, rejected_code = NULL, rejected_message = NULL, rejected_at = NULL WHERE doc = ?1")?.execute([rowid])?;
        }
        for (push, rejection) in &update.rejected {
            let id = doc_id_to_string(&push.doc);
            let Some(rowid) = rowid(&tx, &id)? else {
                continue;
            };
            if let Some(held) = update.pushed_heads.get(&push.doc) {
                // A bundle's refusal: a later push may have carried these
                // changes on, so what was sent stays recorded.
                tx.prepare_cached("UPDATE sync_docs SET rejected_heads = ?2, rejected_code = ?3, rejected_message = ?4, rejected_at = ?5 WHERE doc = ?1")?
                    .execute(params![rowid, heads_to_bytes(held), rejection.code.as_str(), rejection.message, now_ms])?;
                continue;
            }
            let changes = decode_changes(&id, &push.changes)?;
            let held = advance_heads(&office_heads(&tx, rowid)?, &changes);
            tx.prepare_cached("UPDATE sync_docs SET rejected_heads = ?2, rejected_code = ?3, rejected_message = ?4, rejected_at = ?5,
                 sent_heads = office_heads WHERE doc = ?1")?.execute(params![rowid, heads_to_bytes(&held), rejection.code.as_str(), rejection.message, now_ms])?;
        }
        if update.restarted {
            // The office was restored from a backup: what it has of every
            // document is unknown. Everything is offered again (the office
            // keeps what it has by hash), and refusals caused by the gap
            // (changes depending on what the restore lost) are forgotten.
            // `sent_heads` stays: a shared case's squash must never rewrite
            // what an office may have.
            tx.prepare_cached(
                "UPDATE sync_docs SET office_heads = x'', pending = 1, rejected_heads = NULL,
                 rejected_code = NULL, rejected_message = NULL, rejected_at = NULL",
            )?
            .execute([])?;
        }
        for item in &update.items {
            let id = doc_id_to_string(item.doc());
            let incoming: Vec<u8> = match item {
                Item::Changes(c) => c.changes.concat(),
                Item::Snapshot { bytes, .. } => bytes.clone(),
            };
            let existing = raw_bytes(&tx, &id)?;
            let parsed = match (&existing, item) {
                (Some(bytes), _) => Document::load(bytes),
                (None, Item::Changes(_)) => Document::from_changes_bytes(&incoming),
                (None, Item::Snapshot { .. }) => Document::load(&incoming),
            };
            let mut doc = match parsed {
                Ok(doc) => doc,
                // Perhaps a kind this version does not know: that is carried
                // (stored and merged as bytes) and the rest of the page
                // applied. Only then are the bytes read a second time.
                Err(rounds_core::DocError::NotRounds(why)) => {
                    let Some(heads) =
                        apply_carried(&tx, &id, existing.as_deref(), item, &incoming)?
                    else {
                        return Err(rounds_core::DocError::NotRounds(why).into());
                    };
                    let rowid = rowid(&tx, &id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
                    let office = page_office_heads(&tx, rowid, &id, item)?;
                    set_office_heads(&tx, rowid, &office, &heads)?;
                    tx.prepare_cached("UPDATE sync_docs SET pending = 0 WHERE doc = ?1")?
                        .execute([rowid])?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut new_row = None;
            if existing.is_some() {
                let before = doc.heads();
                let live = doc.live_rows();
                match item {
                    Item::Changes(_) => doc.apply_changes_bytes(&incoming)?,
                    Item::Snapshot { .. } => doc.merge_bytes(&incoming)?,
                }
                if doc.heads() != before {
                    let chunk = doc.automerge_mut().save_after(&before);
                    if append_chunk(&tx, &mut doc, &chunk)? {
                        compactions += 1;
                    }
                    let lost = doc.removed_while_edited(&before, &live, &self.actor);
                    if !lost.is_empty() {
                        crate::removed::note(&tx, &id, &lost, now_ms)?;
                    }
                }
            } else {
                if doc.id() != id {
                    return Err(StoreError::Invalid(format!(
                        "the office sent document {} as {id}",
                        doc.id()
                    )));
                }
                // A snapshot that is one compact save is stored as it came;
                // anything else (changes, or a snapshot with changes after
                // it) is saved compactly once.
                let row = if matches!(item, Item::Snapshot { .. })
                    && rounds_core::sync::is_one_document_chunk(&incoming)
                {
                    insert_doc_bytes(&tx, &mut doc, &incoming)?
                } else {
                    insert_doc(&tx, &mut doc)?
                };
                new_row = Some(row);
            }
            if !doc.automerge_mut().get_missing_deps(&[]).is_empty() {
                return Err(StoreError::MissingHistory(id));
            }
            let heads = doc.heads();
            let (rowid, office) = match new_row {
                // A document new to this device: the office has what it
                // sent, which is all the device has (no second load of the
                // snapshot to read its heads).
                Some(row) => (row, heads.clone()),
                None => {
                    let row = rowid(&tx, &id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
                    (row, page_office_heads(&tx, row, &id, item)?)
                }
            };
            set_office_heads(&tx, rowid, &office, &heads)?;
        }
        tx.prepare_cached("INSERT INTO meta (key, value) VALUES ('sync.cursor', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?.execute([hex::encode(&update.cursor)])?;
        tx.prepare_cached("INSERT INTO meta (key, value) VALUES ('sync.last_sync', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?.execute([now_ms.to_string()])?;
        tx.commit()?;
        for _ in 0..compactions {
            self.bump_compactions();
        }
        Ok(())
    }
}

/// [`Store::sync_get`] on a connection or a transaction in progress.
pub(crate) fn sync_get_in(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [format!("sync.{key}")],
            |r| r.get(0),
        )
        .optional()?)
}
