//! Answering a sync request and paging the log out: the office's opaque
//! cursor, the first sync's snapshots, the log after them, the wake-up
//! channel's question, and bringing stored snapshots up to date.

use std::collections::HashMap;

use automerge::AutoCommit;
use rounds_proto::{
    DocChanges, Item, SyncRequest, SyncResponse, doc_id_from_str, doc_id_to_string,
};

use super::{ApiError, Service};
use crate::db::*;

/// How stale a device's recorded last sync may be, for `status`.
const RECORD_SYNC_EVERY_MS: i64 = 60_000;

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

/// A push's document and whether it was stored or why it was refused.
type PushOutcome = ([u8; 16], Result<(), rounds_proto::Rejection>);

/// How long a compaction holds the documents it claimed: far longer than
/// folding a hundred documents takes, and short enough that documents a
/// stopped process had claimed are soon taken by another.
const COMPACT_CLAIM_MS: i64 = 60_000;

impl Service {
    /// Answers one sync request: stores the pushes it accepts, then pages
    /// out what the device has not seen.
    pub fn sync(&self, ctx: &DeviceCtx, req: SyncRequest) -> Result<SyncResponse, ApiError> {
        let now = self.now();
        let mut resp = SyncResponse::default();
        // A device without a cursor starts from snapshots of everything up
        // to now; what it pushes in this same request is not sent back.
        let epoch = self.db.epoch();
        let known = Cursor::decode(&req.cursor, epoch);
        // A cursor of another database (this one was restored from a
        // backup, whose epoch is its own): the device may hold changes this
        // database never saw, and must offer everything again.
        resp.restarted = known.is_none() && !req.cursor.is_empty();
        let cursor = match known {
            Some(c) => c,
            // The head is read only here: most syncs carry a cursor.
            None => Cursor::Bootstrap {
                upto: self.db.head()?,
                after: None,
            },
        };
        for (doc, outcome) in self.push_all(ctx, req.pushes, now)? {
            match outcome {
                Ok(()) => resp.acks.push(doc),
                Err(r) => {
                    tracing::info!(device = %ctx.device, doc = %doc_id_to_string(&r.doc), code = r.code.as_str(), "push rejected");
                    self.metrics.refusal(r.code.as_str(), &r.message);
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
                let (docs, more) = self.db.read_snapshots(
                    &ctx.office,
                    after.as_deref().unwrap_or(""),
                    upto,
                    budget,
                    &|d| super::access::may_read_doc(ctx, d),
                )?;
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
        let page = self.db.read_log(
            &ctx.office,
            log_from,
            budget.saturating_sub(used).max(1),
            &|r| super::access::may_read_row(ctx, r),
        )?;
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

    /// Validates and stores a request's pushes, each all or nothing, on up
    /// to `push_workers` threads; returns the outcome of every push taken,
    /// in the request's order. The first is always taken, so every request
    /// makes progress; the others until `max_pushes` or `push_time_ms`,
    /// and the rest wait for the device's next request (neither
    /// acknowledged nor refused). Pushes are taken in order, so those taken
    /// are always the first ones. Documents of one request are distinct,
    /// and two pushes of one document would still be stored one after the
    /// other (`push_doc` checks that the document did not move).
    fn push_all(
        &self,
        ctx: &DeviceCtx,
        pushes: Vec<DocChanges>,
        now: i64,
    ) -> Result<Vec<PushOutcome>, ApiError> {
        let deadline = now.saturating_add(self.limits.push_time_ms);
        let limit = pushes.len().min(self.limits.max_pushes.max(1));
        let workers = self.limits.push_workers.clamp(1, limit.max(1));
        let taken = |i: usize| i == 0 || (i < limit && self.now() <= deadline);
        let pool = (workers > 1)
            .then(|| {
                self.push_pool.get_or_init(|| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(self.limits.push_workers)
                        .thread_name(|i| format!("office-push-{i}"))
                        .build()
                        .map_err(|e| tracing::error!(error = %e, "cannot start the push threads"))
                        .ok()
                })
            })
            .and_then(Option::as_ref);
        let Some(pool) = pool else {
            let mut actors = HashMap::new();
            let mut out = Vec::new();
            for (i, push) in pushes.into_iter().enumerate() {
                if !taken(i) {
                    tracing::info!(device = %ctx.device, done = i, "pushes left for the next request");
                    break;
                }
                let doc = push.doc;
                out.push((doc, self.push(ctx, push, now, &mut actors)?));
            }
            return Ok(out);
        };
        let slots: Vec<std::sync::Mutex<Option<DocChanges>>> = pushes
            .into_iter()
            .map(|p| std::sync::Mutex::new(Some(p)))
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let done: std::sync::Mutex<Vec<(usize, PushOutcome)>> = std::sync::Mutex::default();
        let failed: std::sync::Mutex<Option<ApiError>> = std::sync::Mutex::default();
        let work = || {
            // Which of the sender's actors are its own, per thread.
            let mut actors = HashMap::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= slots.len() || !taken(i) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
                let Some(push) = slots[i].lock().unwrap_or_else(|p| p.into_inner()).take() else {
                    continue;
                };
                let doc = push.doc;
                match self.push(ctx, push, now, &mut actors) {
                    Ok(outcome) => done
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((i, (doc, outcome))),
                    Err(e) => {
                        // A database error fails the request, as it does on
                        // one thread; what was stored stays stored and is
                        // acknowledged at the device's next request.
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        failed
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                    }
                }
            }
        };
        pool.scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| work());
            }
        });
        if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut done = done.into_inner().unwrap_or_else(|p| p.into_inner());
        if done.len() < slots.len() {
            tracing::info!(device = %ctx.device, done = done.len(), "pushes left for the next request");
        }
        done.sort_by_key(|(i, _)| *i);
        Ok(done.into_iter().map(|(_, o)| o).collect())
    }

    /// Whether the office has something after `cursor` for this device:
    /// the wake-up channel's question. A cursor the office cannot read (none
    /// yet, another office database's, or one in the middle of the first
    /// sync's snapshots) always has more: the device must sync to go on.
    pub fn has_more(&self, ctx: &DeviceCtx, cursor: &[u8]) -> Result<bool, ApiError> {
        match Cursor::decode(cursor, self.db.epoch()) {
            Some(Cursor::Log(pos)) => Ok(self
                .db
                .readable_after(&ctx.office, pos, &|r| super::access::may_read_row(ctx, r))?),
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

    /// Brings up to `limit` stale snapshots up to date; returns how many.
    /// Runs off the request path (a background task in `serve`).
    pub fn compact_snapshots(&self, limit: usize) -> Result<usize, DbError> {
        let now = self.now();
        let docs = self
            .db
            .stale_snapshots(limit, now, now.saturating_add(COMPACT_CLAIM_MS))?;
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
}
