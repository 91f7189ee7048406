//! The device's side of sync, without IO.
//!
//! A [`Session`] is built from what the store says is unpushed and the
//! cursor it last stored. It hands out encoded requests and takes encoded
//! responses; for each response it returns a [`PageUpdate`] that the store
//! applies in one transaction (documents, acknowledgements and the new
//! cursor together), so a cut at any point resumes from the last applied
//! page. Transport, storage, time and retries belong to the caller.

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::{Change, ChangeHash};
use rounds_proto::{DocChanges, Item, Rejection, SyncRequest, SyncResponse, doc_id_to_string};
use serde::Serialize;

/// What one sync moved, for `rounds sync` and the desktop's status line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub round_trips: u32,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub docs_pushed: u32,
    pub changes_pushed: u32,
    pub docs_received: u32,
    pub changes_received: u32,
    pub snapshots_received: u32,
    pub rejections: Vec<RejectionReport>,
    /// The office did not recognise this device's cursor (it was restored
    /// from a backup): everything is read and offered again.
    pub restarted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectionReport {
    pub doc: String,
    pub code: String,
    pub message: String,
}

/// What the store must apply, atomically, after one response.
#[derive(Debug, Clone, Default)]
pub struct PageUpdate {
    /// Pushed changes the office has stored.
    pub acked: Vec<DocChanges>,
    /// Pushed changes the office refused, with its reason.
    pub rejected: Vec<(DocChanges, Rejection)>,
    /// Changes and documents to merge, in order.
    pub items: Vec<Item>,
    /// The cursor to store with them.
    pub cursor: Vec<u8>,
    /// The office did not recognise this device's cursor: what it holds of
    /// the device's documents is unknown, and all must be offered again.
    pub restarted: bool,
    /// The heads each push brought the office to, when they come from
    /// elsewhere than the store's record of its last push: a USB bundle's
    /// answer names the heads of the bundle it answers, and the device may
    /// have pushed (or tried to) since.
    pub pushed_heads: HashMap<rounds_proto::DocId, Vec<ChangeHash>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the office sent a response this version cannot read: {0}")]
    Decode(#[from] rounds_proto::DecodeError),
    #[error("the office acknowledged a document that was not sent")]
    Protocol,
}

/// Limits of one session.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Pushes beyond this many bytes wait for the next request.
    pub max_request_bytes: usize,
    /// The page size asked of the office first (0: its default, kept).
    pub page_bytes: u32,
    /// The largest page size a session grows to while full pages arrive
    /// quickly (see [`Session::on_response_in`]); 0 keeps `page_bytes`.
    pub grow_page_to: u32,
    /// The largest response accepted, after decompression.
    pub max_response_bytes: usize,
}

impl Default for SessionLimits {
    fn default() -> Self {
        // Pages of 32 KB first: on a 64 kbit/s link whose connections are
        // cut every ten seconds, neither 1 MB nor 128 KB pages ever arrive
        // whole (measured in BENCHMARKS.md). Where they arrive quickly the
        // pages grow to the office's default of 1 MB: a new device on a good
        // link then needs dozens of round trips instead of a thousand (each
        // a commit on the device and, across a province, a network round
        // trip).
        SessionLimits {
            max_request_bytes: 4 << 20,
            page_bytes: 32 << 10,
            grow_page_to: 1 << 20,
            max_response_bytes: 64 << 20,
        }
    }
}

#[derive(Debug)]
pub struct Session {
    cursor: Vec<u8>,
    queue: VecDeque<DocChanges>,
    in_flight: Vec<DocChanges>,
    limits: SessionLimits,
    /// The page size the next request asks for.
    page: u32,
    more: bool,
    started: bool,
    pub report: Report,
}

/// A full page that arrived within this time doubles the next one (up to
/// `SessionLimits::grow_page_to`): the next then takes at most about twice
/// as long, so a cut connection loses little.
pub const GROW_PAGE_UNDER_MS: i64 = 1_000;

impl Session {
    pub fn new(cursor: Vec<u8>, pushes: Vec<DocChanges>, limits: SessionLimits) -> Session {
        Session {
            cursor,
            queue: pushes
                .into_iter()
                .filter(|p| !p.changes.is_empty())
                .collect(),
            in_flight: Vec::new(),
            limits,
            page: limits.page_bytes,
            more: false,
            started: false,
            report: Report::default(),
        }
    }

    /// Adds pushes the store decided after the session began (a long
    /// upload reads its documents a slice at a time); they go after those
    /// already queued.
    pub fn push_more(&mut self, pushes: Vec<DocChanges>) {
        self.queue
            .extend(pushes.into_iter().filter(|p| !p.changes.is_empty()));
    }

    /// Whether no push waits for a request.
    pub fn nothing_queued(&self) -> bool {
        self.queue.is_empty()
    }

    /// The next request to send, encoded; `None` when the session is done.
    pub fn next_request(&mut self) -> Option<Vec<u8>> {
        if self.started && !self.more && self.queue.is_empty() {
            return None;
        }
        self.started = true;
        let mut size = 0usize;
        let mut pushes = Vec::new();
        // At least one document per request, however large, so that a big
        // document cannot stall the queue; the office answers 413 if it is
        // over its own limit.
        while let Some(p) = self.queue.front() {
            let s: usize = p.changes.iter().map(|c| c.len() + 4).sum::<usize>() + 20;
            if !pushes.is_empty() && size + s > self.limits.max_request_bytes {
                break;
            }
            size += s;
            if let Some(p) = self.queue.pop_front() {
                pushes.push(p);
            }
        }
        self.in_flight = pushes.clone();
        let req = SyncRequest {
            cursor: self.cursor.clone(),
            max_page_bytes: self.page,
            pushes,
        };
        let bytes = req.encode();
        self.report.round_trips += 1;
        self.report.bytes_up += bytes.len() as u64;
        Some(bytes)
    }

    /// Takes the response to the last request. The caller applies the
    /// returned update to the store, then asks for the next request.
    pub fn on_response(&mut self, bytes: &[u8]) -> Result<PageUpdate, SyncError> {
        self.report.bytes_down += bytes.len() as u64;
        let resp = SyncResponse::decode(bytes, self.limits.max_response_bytes)?;
        let mut in_flight = std::mem::take(&mut self.in_flight);
        let mut update = PageUpdate {
            cursor: resp.cursor.clone(),
            ..PageUpdate::default()
        };
        for id in &resp.acks {
            let i = in_flight
                .iter()
                .position(|p| &p.doc == id)
                .ok_or(SyncError::Protocol)?;
            let p = in_flight.swap_remove(i);
            self.report.docs_pushed += 1;
            self.report.changes_pushed += p.changes.len() as u32;
            update.acked.push(p);
        }
        for r in resp.rejections {
            let i = in_flight
                .iter()
                .position(|p| p.doc == r.doc)
                .ok_or(SyncError::Protocol)?;
            let p = in_flight.swap_remove(i);
            self.report.rejections.push(RejectionReport {
                doc: doc_id_to_string(&r.doc),
                code: r.code.as_str().to_owned(),
                message: r.message.clone(),
            });
            update.rejected.push((p, r));
        }
        // Anything neither acknowledged nor refused goes again next time.
        for p in in_flight.into_iter().rev() {
            self.queue.push_front(p);
        }
        for item in &resp.items {
            match item {
                Item::Changes(c) => {
                    self.report.docs_received += 1;
                    self.report.changes_received += c.changes.len() as u32;
                }
                Item::Snapshot { .. } => self.report.snapshots_received += 1,
            }
        }
        update.items = resp.items;
        update.restarted = resp.restarted;
        self.report.restarted |= resp.restarted;
        self.cursor = resp.cursor;
        self.more = resp.more;
        Ok(update)
    }

    /// [`Session::on_response`], told how long the exchange took (from
    /// sending the request to having the whole response): a full page that
    /// came within [`GROW_PAGE_UNDER_MS`] doubles the page the next request
    /// asks for, up to `grow_page_to`.
    pub fn on_response_in(&mut self, bytes: &[u8], took_ms: i64) -> Result<PageUpdate, SyncError> {
        let update = self.on_response(bytes)?;
        if self.more && self.page != 0 && took_ms < GROW_PAGE_UNDER_MS {
            self.page = self
                .page
                .saturating_mul(2)
                .min(self.limits.grow_page_to)
                .max(self.page);
        }
        Ok(update)
    }

    /// The page size the next request asks for.
    pub fn page_bytes(&self) -> u32 {
        self.page
    }

    /// The request failed in transit: its pushes go back to the queue.
    /// Sending them again is harmless (the office deduplicates by hash).
    /// The page size starts again from the first: the link may be worse
    /// than the quick pages promised.
    pub fn on_failure(&mut self) {
        self.page = self.limits.page_bytes;
        for p in std::mem::take(&mut self.in_flight).into_iter().rev() {
            self.queue.push_front(p);
        }
    }
}

/// The heads of what the office has of a document, after it also got
/// `changes`: the old heads and the new changes, less every change that
/// one of the new changes depends on.
pub fn advance_heads(heads: &[ChangeHash], changes: &[Change]) -> Vec<ChangeHash> {
    let mut set: HashSet<ChangeHash> = heads.iter().copied().collect();
    for c in changes {
        set.insert(c.hash());
    }
    for c in changes {
        for d in c.deps() {
            set.remove(d);
        }
    }
    let mut out: Vec<ChangeHash> = set.into_iter().collect();
    out.sort();
    out
}

/// Whether `bytes` are exactly one Automerge document chunk (what
/// `save()` writes), as opposed to change chunks or a document chunk with
/// changes after it. The chunk header is Automerge's stable binary format:
/// four magic bytes, a four-byte checksum, the chunk type (0: document)
/// and the length of the rest as unsigned LEB128. A store can keep such
/// bytes as its compact copy instead of saving the document again.
pub fn is_one_document_chunk(bytes: &[u8]) -> bool {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    const DOCUMENT: u8 = 0;
    if bytes.len() < 10 || bytes[..4] != MAGIC || bytes[8] != DOCUMENT {
        return false;
    }
    match rounds_proto::get_uint(&bytes[9..]) {
        Ok((len, n)) => (9 + n) as u64 + len == bytes.len() as u64,
        Err(_) => false,
    }
}

/// Encodes heads for storage: 32 bytes each.
pub fn heads_to_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    let mut v: Vec<ChangeHash> = heads.to_vec();
    v.sort();
    v.iter().flat_map(|h| h.as_ref().to_vec()).collect()
}

/// Decodes stored heads; damaged trailing bytes are ignored.
pub fn heads_from_bytes(b: &[u8]) -> Vec<ChangeHash> {
    b.chunks_exact(32)
        .filter_map(|c| ChangeHash::try_from(c).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_document_chunk_is_told_from_changes_and_from_a_save_with_changes_after() {
        use automerge::transaction::Transactable;
        let mut am = automerge::AutoCommit::new();
        am.put(automerge::ROOT, "a", 1).unwrap();
        let saved = am.save();
        assert!(super::is_one_document_chunk(&saved));
        let heads = am.get_heads();
        am.put(automerge::ROOT, "b", 2).unwrap();
        let after = am.save_after(&heads);
        assert!(!after.is_empty());
        assert!(!super::is_one_document_chunk(&after), "a change chunk");
        let both = [saved.clone(), after].concat();
        assert!(automerge::AutoCommit::load(&both).is_ok());
        assert!(
            !super::is_one_document_chunk(&both),
            "a save with a change after it"
        );
        assert!(!super::is_one_document_chunk(&saved[..saved.len() - 1]));
        assert!(!super::is_one_document_chunk(b""));
        assert!(super::is_one_document_chunk(&am.save()));
    }

    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    #[test]
    fn heads_advance_past_what_new_changes_depend_on() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        let first = doc.get_heads();
        doc.put(ROOT, "a", 2).unwrap();
        doc.commit();
        doc.put(ROOT, "a", 3).unwrap();
        doc.commit();
        let new = doc.get_changes(&first);
        assert_eq!(advance_heads(&first, &new), doc.get_heads());
        assert_eq!(
            heads_from_bytes(&heads_to_bytes(&doc.get_heads())),
            doc.get_heads()
        );
    }

    #[test]
    fn unanswered_pushes_are_sent_again() {
        let push = DocChanges {
            doc: [1; 16],
            changes: vec![vec![1, 2, 3]],
        };
        let mut s = Session::new(vec![], vec![push.clone()], SessionLimits::default());
        let first = s.next_request().unwrap();
        s.on_failure();
        let again = s.next_request().unwrap();
        assert_eq!(first, again);
        let resp = SyncResponse {
            acks: vec![[1; 16]],
            cursor: vec![9],
            ..SyncResponse::default()
        }
        .encode();
        let update = s.on_response(&resp).unwrap();
        assert_eq!(update.acked, vec![push]);
        assert_eq!(update.cursor, vec![9]);
        assert!(s.next_request().is_none(), "nothing more to do");
        assert_eq!(s.report.round_trips, 2);
    }

    #[test]
    fn pages_continue_while_the_office_has_more() {
        let mut s = Session::new(vec![], vec![], SessionLimits::default());
        s.next_request().unwrap();
        s.on_response(
            &SyncResponse {
                cursor: vec![1],
                more: true,
                ..SyncResponse::default()
            }
            .encode(),
        )
        .unwrap();
        let req = SyncRequest::decode(&s.next_request().unwrap(), 1 << 20).unwrap();
        assert_eq!(req.cursor, vec![1]);
        s.on_response(
            &SyncResponse {
                cursor: vec![2],
                ..SyncResponse::default()
            }
            .encode(),
        )
        .unwrap();
        assert!(s.next_request().is_none());
    }

    /// The page sizes a session asks for, page after page, when each
    /// response says `more` and took the time given.
    fn asked(limits: SessionLimits, took: &[i64]) -> Vec<u32> {
        let mut s = Session::new(vec![], vec![], limits);
        let mut out = Vec::new();
        for (i, &ms) in took.iter().enumerate() {
            let req = SyncRequest::decode(&s.next_request().unwrap(), 1 << 20).unwrap();
            out.push(req.max_page_bytes);
            let resp = SyncResponse {
                cursor: vec![i as u8],
                more: true,
                ..SyncResponse::default()
            };
            s.on_response_in(&resp.encode(), ms).unwrap();
        }
        out
    }

    #[test]
    fn pages_grow_while_they_arrive_quickly_and_not_on_a_slow_link() {
        let d = SessionLimits::default();
        let k = 1024;
        assert_eq!(
            asked(d, &[5; 8]),
            [
                32 * k,
                64 * k,
                128 * k,
                256 * k,
                512 * k,
                1024 * k,
                1024 * k,
                1024 * k
            ]
        );
        // A page that took as long as the limit keeps the size.
        assert_eq!(
            asked(d, &[5, GROW_PAGE_UNDER_MS, 5, 4_000]),
            [32 * k, 64 * k, 64 * k, 128 * k]
        );
        assert_eq!(asked(d, &[4_000; 4]), [32 * k; 4]);
        // Fixed sizes and the office's default do not grow.
        let fixed = SessionLimits {
            grow_page_to: 0,
            ..d
        };
        assert_eq!(asked(fixed, &[5; 3]), [32 * k; 3]);
        let office = SessionLimits { page_bytes: 0, ..d };
        assert_eq!(asked(office, &[5; 3]), [0; 3]);
    }

    #[test]
    fn a_failed_exchange_starts_the_pages_small_again() {
        let mut s = Session::new(vec![], vec![], SessionLimits::default());
        for i in 0..3u8 {
            s.next_request().unwrap();
            let resp = SyncResponse {
                cursor: vec![i],
                more: true,
                ..SyncResponse::default()
            };
            s.on_response_in(&resp.encode(), 1).unwrap();
        }
        assert_eq!(s.page_bytes(), 256 << 10);
        s.next_request().unwrap();
        s.on_failure();
        let req = SyncRequest::decode(&s.next_request().unwrap(), 1 << 20).unwrap();
        assert_eq!(req.max_page_bytes, 32 << 10);
        // The last page of a session is not full: nothing grows after it.
        let resp = SyncResponse {
            cursor: vec![9],
            ..SyncResponse::default()
        };
        s.on_response_in(&resp.encode(), 1).unwrap();
        assert_eq!(s.page_bytes(), 32 << 10);
    }

    #[test]
    fn an_acknowledgement_for_something_not_sent_is_an_error() {
        let mut s = Session::new(vec![], vec![], SessionLimits::default());
        s.next_request().unwrap();
        let resp = SyncResponse {
            acks: vec![[5; 16]],
            ..SyncResponse::default()
        }
        .encode();
        assert!(matches!(s.on_response(&resp), Err(SyncError::Protocol)));
    }
}

/// Squashing a shared case's held edits (`Document::squashed`) forks at
/// the heads the office has and commits as the same actor: Automerge must
/// then continue that actor's sequence, or the office would see two
/// different changes with one sequence number.
#[cfg(test)]
mod squash_assumptions {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ROOT};

    #[test]
    fn fork_at_continues_the_actors_sequence() {
        let a = ActorId::from(vec![1u8; 16]);
        let mut doc = AutoCommit::new().with_actor(a.clone());
        doc.put(ROOT, "x", 1).unwrap();
        doc.commit();
        doc.put(ROOT, "x", 2).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        let mut f = doc.fork_at(&heads).unwrap();
        f.set_actor(a.clone());
        f.put(ROOT, "x", 3).unwrap();
        f.commit();
        let seqs: Vec<u64> = f.get_changes(&[]).iter().map(|c| c.seq()).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        // Loaded from bytes, the same.
        let mut g = AutoCommit::load(&doc.save())
            .unwrap()
            .fork_at(&heads)
            .unwrap();
        g.set_actor(a);
        g.put(ROOT, "x", 4).unwrap();
        g.commit();
        let seqs: Vec<u64> = g.get_changes(&[]).iter().map(|c| c.seq()).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
    }
}
