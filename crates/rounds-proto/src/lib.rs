//! The wire types of Rounds sync and their compact binary encoding.
//!
//! One request carries the client's cursor and its unpushed changes; one
//! response carries acknowledgements, rejections, a page of changes the
//! device may read, and the next cursor. `docs/sync-protocol.md` is the
//! normative description; this crate is its only implementation, shared by
//! the office and the client. It does no IO, except reading and writing
//! USB bundle files (`bundle::file`), which both sides share.
//!
//! Encoding: a frame is `[version][flags][payload]`. Bit 0 of `flags` says the
//! payload is raw-DEFLATE compressed (done only when it helps). Integers in
//! the payload are unsigned LEB128; byte strings are a length then the bytes;
//! document ids are 16 raw bytes (a UUID).

use std::io::{Read, Write};

pub mod bundle;

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. A frame with another version is refused.
pub const PROTOCOL_VERSION: u8 = 1;

/// The media type of sync frames.
pub const CONTENT_TYPE: &str = "application/x-rounds-sync";

/// Payloads shorter than this are sent uncompressed: DEFLATE would only add bytes.
const COMPRESS_FROM: usize = 200;

const FLAG_DEFLATE: u8 = 1;

/// A document id: the 16 bytes of its UUID.
pub type DocId = [u8; 16];

/// One sync request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncRequest {
    /// The cursor from the last applied response; empty for a device that has none.
    pub cursor: Vec<u8>,
    /// The most response bytes the client wants in one page; 0 lets the office choose.
    pub max_page_bytes: u32,
    /// Per document, the changes the office has not acknowledged.
    pub pushes: Vec<DocChanges>,
}

/// Changes of one document, each an encoded Automerge change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocChanges {
    pub doc: DocId,
    pub changes: Vec<Vec<u8>>,
}

/// One sync response: a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncResponse {
    /// Documents whose pushed changes are all stored.
    pub acks: Vec<DocId>,
    /// Documents whose pushed changes were refused, none of them stored.
    pub rejections: Vec<Rejection>,
    /// What the device should apply, in order.
    pub items: Vec<Item>,
    /// The cursor to send next time, valid once `items` are applied.
    pub cursor: Vec<u8>,
    /// Another page is waiting: ask again at once with the new cursor.
    pub more: bool,
    /// The office did not recognise the cursor sent (its database was
    /// restored from a backup, or replaced): it sends everything again,
    /// and what it has of the device's documents is unknown, so the device
    /// must offer all of them again. On the wire, bit 1 of the byte whose
    /// bit 0 is `more` (an older client reads the byte as `more` and only
    /// asks once more).
    pub restarted: bool,
}

/// Why a document's pushed changes were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub doc: DocId,
    pub code: RejectCode,
    pub message: String,
}

/// Machine-readable rejection reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// A change is not a valid Automerge change.
    Malformed,
    /// The document belongs to another office.
    OtherOffice,
    /// The sender may not write this document.
    Forbidden,
    /// A change's actor is not bound to the sending device.
    ForgedActor,
    /// A change or the document is over the size limits.
    TooLarge,
    /// A change depends on changes the office does not have.
    MissingDeps,
    /// The result would not be a valid Rounds document.
    InvalidDocument,
    /// The change would bring a patient identifier into a shared document.
    Identifier,
}

impl RejectCode {
    const ALL: [RejectCode; 8] = [
        RejectCode::Malformed,
        RejectCode::OtherOffice,
        RejectCode::Forbidden,
        RejectCode::ForgedActor,
        RejectCode::TooLarge,
        RejectCode::MissingDeps,
        RejectCode::InvalidDocument,
        RejectCode::Identifier,
    ];

    fn to_u8(self) -> u8 {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as u8 + 1
    }

    fn from_u8(b: u8) -> Option<RejectCode> {
        Self::ALL.get(usize::from(b).checked_sub(1)?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Malformed => "malformed",
            RejectCode::OtherOffice => "other_office",
            RejectCode::Forbidden => "forbidden",
            RejectCode::ForgedActor => "forged_actor",
            RejectCode::TooLarge => "too_large",
            RejectCode::MissingDeps => "missing_deps",
            RejectCode::InvalidDocument => "invalid_document",
            RejectCode::Identifier => "identifier",
        }
    }
}

/// Something for the device to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Changes of a document, in causal order.
    Changes(DocChanges),
    /// A whole document (compacted): for a device without a cursor, or a
    /// document that has just become visible to the device.
    Snapshot { doc: DocId, bytes: Vec<u8> },
}

impl Item {
    pub fn doc(&self) -> &DocId {
        match self {
            Item::Changes(c) => &c.doc,
            Item::Snapshot { doc, .. } => doc,
        }
    }

    /// The bytes of Automerge data the item carries.
    pub fn data_len(&self) -> usize {
        match self {
            Item::Changes(c) => c.changes.iter().map(Vec::len).sum(),
            Item::Snapshot { bytes, .. } => bytes.len(),
        }
    }
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("empty frame")]
    Empty,
    #[error("protocol version {0} is not supported (this build speaks {PROTOCOL_VERSION})")]
    Version(u8),
    #[error("unknown flags {0:#04x}")]
    Flags(u8),
    #[error("frame ends early")]
    Truncated,
    #[error("a length of {0} bytes is more than the frame holds")]
    Length(u64),
    #[error("a number is too long")]
    Varint,
    #[error("decompressed frame is larger than {0} bytes")]
    TooLarge(usize),
    #[error("compressed data is corrupt")]
    Compression,
    #[error("unknown item type {0}")]
    ItemType(u8),
    #[error("unknown rejection code {0}")]
    RejectCode(u8),
    #[error("text is not UTF-8")]
    Utf8,
    #[error("{0} bytes left over after the message")]
    Trailing(usize),
}

// ---- encoding -------------------------------------------------------------

/// Appends `v` as unsigned LEB128, the encoding of every integer in the
/// protocol (and of the office's cursors).
pub fn put_uint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn put_doc_changes(out: &mut Vec<u8>, d: &DocChanges) {
    out.extend_from_slice(&d.doc);
    put_uint(out, d.changes.len() as u64);
    for c in &d.changes {
        put_bytes(out, c);
    }
}

fn frame(payload: Vec<u8>) -> Vec<u8> {
    if payload.len() >= COMPRESS_FROM {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        if enc.write_all(&payload).is_ok()
            && let Ok(z) = enc.finish()
            && z.len() < payload.len()
        {
            let mut out = Vec::with_capacity(z.len() + 2);
            out.push(PROTOCOL_VERSION);
            out.push(FLAG_DEFLATE);
            out.extend_from_slice(&z);
            return out;
        }
    }
    let mut out = Vec::with_capacity(payload.len() + 2);
    out.push(PROTOCOL_VERSION);
    out.push(0);
    out.extend_from_slice(&payload);
    out
}

impl SyncRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::new();
        put_bytes(&mut p, &self.cursor);
        put_uint(&mut p, u64::from(self.max_page_bytes));
        put_uint(&mut p, self.pushes.len() as u64);
        for d in &self.pushes {
            put_doc_changes(&mut p, d);
        }
        frame(p)
    }

    /// Decodes a request, refusing frames that would decompress to more
    /// than `max_len` bytes.
    pub fn decode(frame: &[u8], max_len: usize) -> Result<SyncRequest, DecodeError> {
        let payload = unframe(frame, max_len)?;
        let mut r = Reader {
            buf: &payload,
            at: 0,
        };
        let cursor = r.bytes()?.to_vec();
        let max_page_bytes = u32::try_from(r.uint()?).unwrap_or(u32::MAX);
        let n = r.count(17)?;
        let mut pushes = Vec::with_capacity(n);
        for _ in 0..n {
            pushes.push(r.doc_changes()?);
        }
        r.finish()?;
        Ok(SyncRequest {
            cursor,
            max_page_bytes,
            pushes,
        })
    }
}

impl SyncResponse {
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::new();
        put_uint(&mut p, self.acks.len() as u64);
        for a in &self.acks {
            p.extend_from_slice(a);
        }
        put_uint(&mut p, self.rejections.len() as u64);
        for r in &self.rejections {
            p.extend_from_slice(&r.doc);
            p.push(r.code.to_u8());
            put_bytes(&mut p, r.message.as_bytes());
        }
        put_uint(&mut p, self.items.len() as u64);
        for it in &self.items {
            match it {
                Item::Changes(c) => {
                    p.push(1);
                    put_doc_changes(&mut p, c);
                }
                Item::Snapshot { doc, bytes } => {
                    p.push(2);
                    p.extend_from_slice(doc);
                    put_bytes(&mut p, bytes);
                }
            }
        }
        put_bytes(&mut p, &self.cursor);
        p.push(u8::from(self.more) | (u8::from(self.restarted) << 1));
        frame(p)
    }

    pub fn decode(frame: &[u8], max_len: usize) -> Result<SyncResponse, DecodeError> {
        let payload = unframe(frame, max_len)?;
        let mut r = Reader {
            buf: &payload,
            at: 0,
        };
        let n = r.count(16)?;
        let mut acks = Vec::with_capacity(n);
        for _ in 0..n {
            acks.push(r.doc()?);
        }
        let n = r.count(18)?;
        let mut rejections = Vec::with_capacity(n);
        for _ in 0..n {
            let doc = r.doc()?;
            let c = r.byte()?;
            let code = RejectCode::from_u8(c).ok_or(DecodeError::RejectCode(c))?;
            let message = String::from_utf8(r.bytes()?.to_vec()).map_err(|_| DecodeError::Utf8)?;
            rejections.push(Rejection { doc, code, message });
        }
        let n = r.count(18)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            match r.byte()? {
                1 => items.push(Item::Changes(r.doc_changes()?)),
                2 => {
                    let doc = r.doc()?;
                    items.push(Item::Snapshot {
                        doc,
                        bytes: r.bytes()?.to_vec(),
                    });
                }
                t => return Err(DecodeError::ItemType(t)),
            }
        }
        let cursor = r.bytes()?.to_vec();
        // Bits a newer office may add are ignored.
        let flags = r.byte()?;
        r.finish()?;
        Ok(SyncResponse {
            acks,
            rejections,
            items,
            cursor,
            more: flags & 1 != 0,
            restarted: flags & 2 != 0,
        })
    }
}

fn unframe(frame: &[u8], max_len: usize) -> Result<Vec<u8>, DecodeError> {
    let (&version, rest) = frame.split_first().ok_or(DecodeError::Empty)?;
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::Version(version));
    }
    let (&flags, body) = rest.split_first().ok_or(DecodeError::Truncated)?;
    match flags {
        0 if body.len() > max_len => Err(DecodeError::TooLarge(max_len)),
        0 => Ok(body.to_vec()),
        FLAG_DEFLATE => {
            // Read at most one byte past the limit, so a small frame that
            // inflates hugely costs no more than the limit.
            let mut out = Vec::new();
            let mut dec = flate2::read::DeflateDecoder::new(body).take(max_len as u64 + 1);
            dec.read_to_end(&mut out)
                .map_err(|_| DecodeError::Compression)?;
            if out.len() > max_len {
                return Err(DecodeError::TooLarge(max_len));
            }
            Ok(out)
        }
        f => Err(DecodeError::Flags(f)),
    }
}

/// Reads an unsigned LEB128 integer from the start of `b`: its value and
/// how many bytes it took. One that does not fit in 64 bits is refused, not
/// cut short.
pub fn get_uint(b: &[u8]) -> Result<(u64, usize), DecodeError> {
    let mut v: u64 = 0;
    for (i, shift) in (0..64).step_by(7).enumerate() {
        let byte = *b.get(i).ok_or(DecodeError::Truncated)?;
        let part = u64::from(byte & 0x7f);
        if shift == 63 && part > 1 {
            return Err(DecodeError::Varint);
        }
        v |= part << shift;
        if byte & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    Err(DecodeError::Varint)
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.at).ok_or(DecodeError::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    fn uint(&mut self) -> Result<u64, DecodeError> {
        let (v, n) = get_uint(&self.buf[self.at..])?;
        self.at += n;
        Ok(v)
    }

    /// A count of elements each at least `min_size` bytes long: checked
    /// against what is left, so a huge count cannot make us allocate.
    fn count(&mut self, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.uint()?;
        if n.saturating_mul(min_size as u64) > self.remaining() as u64 {
            return Err(DecodeError::Length(n));
        }
        Ok(n as usize)
    }

    fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.uint()?;
        if n > self.remaining() as u64 {
            return Err(DecodeError::Length(n));
        }
        let s = &self.buf[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(s)
    }

    fn doc(&mut self) -> Result<DocId, DecodeError> {
        let s = self
            .buf
            .get(self.at..self.at + 16)
            .ok_or(DecodeError::Truncated)?;
        self.at += 16;
        let mut d = [0; 16];
        d.copy_from_slice(s);
        Ok(d)
    }

    fn doc_changes(&mut self) -> Result<DocChanges, DecodeError> {
        let doc = self.doc()?;
        let n = self.count(1)?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            changes.push(self.bytes()?.to_vec());
        }
        Ok(DocChanges { doc, changes })
    }

    fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeError::Trailing(n)),
        }
    }
}

// ---- JSON endpoints -----------------------------------------------------------

/// `POST /v1/enroll`: a device joins with a one-time code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The device's Automerge actor id, hex; its changes must carry it.
    pub actor: String,
    /// A name for the device, shown to administrators.
    #[serde(default)]
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The device's secret; sent as `Authorization: Bearer <token>`.
    pub token: String,
    pub device_id: String,
    pub office_id: String,
    pub office_name: String,
    pub member_id: String,
    pub member_name: String,
    pub role: String,
}

/// `POST /v1/bundle-key`: a device registers the public key it signs its
/// USB bundles with (`bundle.rs`), over its authenticated connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleKeyRequest {
    /// The device's Ed25519 public key, hex (32 bytes).
    pub public_key: String,
}

/// The office's answer: the public key its own bundles are signed with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleKeyResponse {
    pub office_id: String,
    /// The office's Ed25519 public key, hex (32 bytes).
    pub office_key: String,
}

/// `GET /v1/members`: the member directory of the sender's office, so that
/// a device can name colleagues (a lead preparer, participants at other
/// sites, reviewers) and knows its own member id, by which the office
/// attributes what the device sends. Lists the office's current members
/// only: removed ones are left out, and no other office's ever appear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersResponse {
    /// The member id of the device that asked.
    pub you: String,
    /// The id of the sender's office.
    pub office: String,
    /// The office's current members, in the order they were added.
    pub members: Vec<MemberEntry>,
    /// The review rubrics the office defined beside the built-in ones
    /// (absent from an older office's answer).
    #[serde(default)]
    pub rubrics: Vec<RubricEntry>,
}

/// A review rubric an office defined (`rounds-office rubric add`): the
/// shape of `rounds_core::collab::rubric::RubricDef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricEntry {
    pub name: String,
    pub en: String,
    pub zh: String,
    pub min: i64,
    pub max: i64,
    pub criteria: Vec<CriterionEntry>,
}

/// One criterion of a [`RubricEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionEntry {
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// One member of an office, as [`MembersResponse`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEntry {
    pub id: String,
    pub name: String,
    /// `office_admin`, `lead_teacher` or `teacher`; a device that meets a
    /// role it does not know should treat it as `teacher`.
    pub role: String,
    /// The hospital or site the member works at (free text, may be empty).
    #[serde(default)]
    pub site: String,
}

/// `GET /v1/wait?cursor=<hex>&wait=<seconds>`: the wake-up channel. The
/// office answers as soon as something after the cursor is there for the
/// device to read, or after `wait` seconds with `more: false`. It never
/// carries document data: the device then syncs as usual.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct WaitResponse {
    pub more: bool,
}

/// The longest wait the office grants; a client asking for more gets this.
pub const MAX_WAIT_SECS: u64 = 50;

/// The body of every non-2xx response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Converts a UUID string to the wire id.
pub fn doc_id_from_str(s: &str) -> Option<DocId> {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    let mut out = [0u8; 16];
    hex::decode_to_slice(&digits, &mut out).ok()?;
    Some(out)
}

/// Converts a wire id to the canonical UUID string.
pub fn doc_id_to_string(d: &DocId) -> String {
    let h = hex::encode(d);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nothing_changed_is_a_few_bytes_each_way() {
        let req = SyncRequest {
            cursor: vec![1, 0x90, 0x4e],
            max_page_bytes: 0,
            pushes: vec![],
        };
        let resp = SyncResponse {
            cursor: vec![1, 0x90, 0x4e],
            ..SyncResponse::default()
        };
        assert!(req.encode().len() <= 8, "{}", req.encode().len());
        assert!(resp.encode().len() <= 10, "{}", resp.encode().len());
    }

    #[test]
    fn ids_convert_both_ways() {
        let s = "01a20156-1cd2-756b-a8d3-6078bac8ecce";
        assert_eq!(doc_id_to_string(&doc_id_from_str(s).unwrap()), s);
        assert!(doc_id_from_str("xyz").is_none());
        assert!(doc_id_from_str("01a20156-1cd2-756b-a8d3-6078bac8ecc+").is_none());
        assert!(doc_id_from_str("01a20156-1cd2-756b-a8d3-6078bac8ecc").is_none());
    }

    #[test]
    fn integers_are_leb128_and_too_long_ones_are_refused() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut b = Vec::new();
            put_uint(&mut b, v);
            b.push(0xaa);
            assert_eq!(get_uint(&b), Ok((v, b.len() - 1)), "{v}");
        }
        let mut b = vec![0x90, 0x4e];
        assert_eq!(get_uint(&b), Ok((10_000, 2)));
        b[1] |= 0x80;
        assert_eq!(get_uint(&b), Err(DecodeError::Truncated));
        // Ten bytes whose last carries more than the 64th bit.
        let mut over = vec![0xff; 9];
        over.push(0x02);
        assert_eq!(get_uint(&over), Err(DecodeError::Varint));
        assert_eq!(get_uint(&[0x80; 11]), Err(DecodeError::Varint));
    }

    #[test]
    fn hostile_frames_are_refused_without_panicking() {
        assert_eq!(SyncRequest::decode(&[], 1000), Err(DecodeError::Empty));
        assert_eq!(
            SyncRequest::decode(&[9, 0], 1000),
            Err(DecodeError::Version(9))
        );
        assert_eq!(
            SyncRequest::decode(&[1, 7], 1000),
            Err(DecodeError::Flags(7))
        );
        // A length prefix far beyond the frame.
        assert_eq!(
            SyncRequest::decode(&[1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f], 1000),
            Err(DecodeError::Length(0xffff_ffff))
        );
        // A push count that would need gigabytes.
        assert_eq!(
            SyncRequest::decode(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f], 1000),
            Err(DecodeError::Length(0xfff_ffff))
        );
        // A compression bomb: a megabyte of zeros in a tiny frame.
        let bomb = {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&vec![0u8; 1 << 20]).unwrap();
            let mut f = vec![1, FLAG_DEFLATE];
            f.extend(enc.finish().unwrap());
            f
        };
        assert!(bomb.len() < 2000);
        assert_eq!(
            SyncRequest::decode(&bomb, 64 * 1024),
            Err(DecodeError::TooLarge(64 * 1024))
        );
        let mut ok = SyncRequest::default().encode();
        ok.push(0);
        assert_eq!(
            SyncRequest::decode(&ok, 1000),
            Err(DecodeError::Trailing(1))
        );
    }

    fn doc_changes() -> impl Strategy<Value = DocChanges> {
        (
            any::<[u8; 16]>(),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..4),
        )
            .prop_map(|(doc, changes)| DocChanges { doc, changes })
    }

    fn item() -> impl Strategy<Value = Item> {
        prop_oneof![
            doc_changes().prop_map(Item::Changes),
            (
                any::<[u8; 16]>(),
                proptest::collection::vec(any::<u8>(), 0..500)
            )
                .prop_map(|(doc, bytes)| Item::Snapshot { doc, bytes }),
        ]
    }

    proptest! {
        #[test]
        fn requests_round_trip(cursor in proptest::collection::vec(any::<u8>(), 0..20), max in any::<u32>(), pushes in proptest::collection::vec(doc_changes(), 0..5)) {
            let req = SyncRequest { cursor, max_page_bytes: max, pushes };
            prop_assert_eq!(SyncRequest::decode(&req.encode(), 1 << 24).unwrap(), req);
        }

        #[test]
        fn responses_round_trip(items in proptest::collection::vec(item(), 0..5), acks in proptest::collection::vec(any::<[u8; 16]>(), 0..3), more in any::<bool>(), restarted in any::<bool>(), msg in "\\PC{0,40}") {
            let resp = SyncResponse {
                acks,
                rejections: vec![Rejection { doc: [7; 16], code: RejectCode::ForgedActor, message: msg }],
                items,
                cursor: vec![1, 2, 3],
                more,
                restarted,
            };
            prop_assert_eq!(SyncResponse::decode(&resp.encode(), 1 << 24).unwrap(), resp);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = SyncRequest::decode(&bytes, 1 << 16);
            let _ = SyncResponse::decode(&bytes, 1 << 16);
        }

        #[test]
        fn mutated_frames_never_panic(pushes in proptest::collection::vec(doc_changes(), 1..3), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
            let mut f = SyncRequest { cursor: vec![1], max_page_bytes: 0, pushes }.encode();
            for (at, b) in flips {
                let i = at % f.len();
                f[i] ^= b;
            }
            let _ = SyncRequest::decode(&f, 1 << 16);
        }
    }
}
