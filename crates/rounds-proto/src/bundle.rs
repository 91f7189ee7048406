//! USB bundles: sync for a site with no usable link.
//!
//! A bundle carries the same frames the network sync sends — a device's
//! pushes one way, the office's answer pages the other — with a manifest
//! that names the office, the device, the cursor the pages start from and
//! the SHA-256 of every frame, signed with Ed25519 (the device's key,
//! registered at the office while it was online; the office's key, which the
//! device learnt then). A reader verifies the signature and every hash
//! before anything is applied, so a tampered or truncated bundle, or one
//! from another office, changes nothing. `docs/sync-protocol.md` ("USB
//! bundles") is the normative description.
//!
//! Layout: `MAGIC`, the manifest's length (u32 LE), the manifest (JSON),
//! the signature's length (u8) and the signature over `MAGIC ‖ manifest`,
//! then every entry's bytes in manifest order. Our own container rather
//! than zip: the entries are frames the protocol already defines, the
//! manifest already lists their sizes and hashes, and a second framing
//! would only add its own limits. A bundle larger than one part (FAT32
//! cannot hold a file of 4 GiB) is cut into parts `FILE`, `FILE.part2`, …
//! that concatenate to it ([`file`]).
//!
//! No IO here except in [`file`], which both sides share.

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"RNDSBDL\x01";
/// The manifest format this build writes and reads.
pub const FORMAT: u32 = 1;
/// The largest manifest a reader accepts.
const MAX_MANIFEST: usize = 16 << 20;
/// An Ed25519 signature's length.
const SIG_LEN: usize = 64;

/// Who wrote a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// A device: its pushes, for the office.
    Device,
    /// The office: its answer to a device's bundle.
    Office,
}

/// What a bundle says about itself; signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Random, unique per bundle (hex).
    pub id: String,
    pub sender: Sender,
    /// The office the device belongs to.
    pub office_id: String,
    /// The device that wrote the bundle, or that the office's bundle is for.
    pub device_id: String,
    pub created_ms: i64,
    /// A device's bundle: the device's cursor when it was written (hex),
    /// from which the office pages its answer.
    #[serde(default)]
    pub cursor: String,
    /// An office's bundle: the id of the device's bundle it answers.
    #[serde(default)]
    pub answers: String,
    /// Per document pushed, the heads the push brings the office to (the
    /// device's heads when it wrote the bundle); an office's bundle repeats
    /// those of the bundle it answers, so that the device records exactly
    /// what the office acknowledged, whatever it pushed since.
    #[serde(default)]
    pub pushed: Vec<PushedHeads>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedHeads {
    /// The document id (UUID text).
    pub doc: String,
    /// Its heads, as hex change hashes.
    pub heads: Vec<String>,
}

/// One frame of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `push`: a sync request frame whose pushes the office applies (its
    /// cursor is empty; the manifest's is used). `page`: a sync response
    /// frame, the office's answer to a request made with cursor `from`.
    pub kind: EntryKind,
    pub size: u64,
    /// SHA-256 of the frame, hex.
    pub sha256: String,
    /// A page: the cursor it was read from (hex).
    #[serde(default)]
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Push,
    Page,
}

/// A bundle read and verified.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub manifest: Manifest,
    /// Each entry's bytes, in manifest order.
    pub frames: Vec<Vec<u8>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("this is not a Rounds bundle")]
    NotABundle,
    #[error("the bundle is cut short: {0}")]
    Truncated(&'static str),
    #[error("the bundle's manifest cannot be read: {0}")]
    Manifest(String),
    #[error("the bundle is format {0}; this Rounds reads format {FORMAT}")]
    Format(u32),
    #[error("{0}")]
    Refused(String),
    #[error("the bundle's signature does not match its contents: it was changed or damaged")]
    BadSignature,
    #[error("entry {0} of the bundle does not match its hash: it was changed or damaged")]
    BadHash(usize),
    #[error("the bundle has {0} bytes after its last entry")]
    Trailing(u64),
    #[error("the bundle is too large ({0} bytes; at most {1})")]
    TooLarge(u64, u64),
}

/// An Ed25519 key pair from its 32-byte seed (the caller supplies the
/// randomness, so tests and the simulation replay exactly).
pub struct SigningKey(Ed25519KeyPair);

impl SigningKey {
    pub fn from_seed(seed: &[u8]) -> Result<SigningKey, BundleError> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(SigningKey)
            .map_err(|_| BundleError::Refused("a signing key is 32 bytes".into()))
    }

    /// The public key (32 bytes).
    pub fn public(&self) -> Vec<u8> {
        self.0.public_key().as_ref().to_vec()
    }
}

/// Whether `public` is a key this module can verify with.
pub fn valid_public_key(public: &[u8]) -> bool {
    public.len() == 32
}

/// The frames' entries for a manifest: sizes and hashes.
pub fn entry(kind: EntryKind, from: &[u8], frame: &[u8]) -> Entry {
    Entry {
        kind,
        size: frame.len() as u64,
        sha256: hex::encode(Sha256::digest(frame)),
        from: hex::encode(from),
    }
}

/// Writes a bundle: `manifest.entries` must describe `frames` (see
/// [`entry`]); the manifest is signed with `key`.
pub fn seal(manifest: &Manifest, frames: &[Vec<u8>], key: &SigningKey) -> Vec<u8> {
    let json = serde_json::to_vec(manifest).expect("a manifest serializes");
    let sig = key.0.sign(&signed_bytes(&json));
    let total: usize = frames.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 5 + json.len() + SIG_LEN + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.push(SIG_LEN as u8);
    out.extend_from_slice(sig.as_ref());
    for f in frames {
        out.extend_from_slice(f);
    }
    out
}

fn signed_bytes(json: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(MAGIC.len() + json.len());
    m.extend_from_slice(MAGIC);
    m.extend_from_slice(json);
    m
}

/// The length of the header (magic, manifest, signature) and of the whole
/// bundle, read from its first bytes; `None` while `head` is too short to
/// say. Lets a reader of parts know how many bytes to expect.
pub fn total_len(head: &[u8]) -> Result<Option<u64>, BundleError> {
    if head.len() < MAGIC.len() {
        return Ok(None);
    }
    if &head[..MAGIC.len()] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let Some(h) = split_header(head)? else {
        return Ok(None);
    };
    let body = h
        .manifest
        .entries
        .iter()
        .try_fold(0u64, |sum, e| sum.checked_add(e.size))
        .ok_or(BundleError::Manifest("entry sizes overflow".into()))?;
    Ok(Some(h.len as u64 + body))
}

/// The parts of a bundle's header.
struct Header<'a> {
    /// The manifest, not yet verified.
    manifest: Manifest,
    json: &'a [u8],
    sig: &'a [u8],
    /// Where the entries start.
    len: usize,
}

/// The header; `None` if `bytes` is too short to hold it.
fn split_header(bytes: &[u8]) -> Result<Option<Header<'_>>, BundleError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let mut at = MAGIC.len();
    let Some(len) = bytes.get(at..at + 4) else {
        return Ok(None);
    };
    let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
    if len > MAX_MANIFEST {
        return Err(BundleError::TooLarge(len as u64, MAX_MANIFEST as u64));
    }
    at += 4;
    let Some(json) = bytes.get(at..at + len) else {
        return Ok(None);
    };
    at += len;
    let Some(&sig_len) = bytes.get(at) else {
        return Ok(None);
    };
    if sig_len as usize != SIG_LEN {
        return Err(BundleError::BadSignature);
    }
    at += 1;
    let Some(sig) = bytes.get(at..at + SIG_LEN) else {
        return Ok(None);
    };
    at += SIG_LEN;
    let manifest: Manifest =
        serde_json::from_slice(json).map_err(|e| BundleError::Manifest(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(BundleError::Format(manifest.format));
    }
    Ok(Some(Header {
        manifest,
        json,
        sig,
        len: at,
    }))
}

/// Reads and verifies a bundle. `signer` is shown the (not yet verified)
/// manifest and answers with the public key that must have signed it, or
/// refuses it (another office's, an unknown device's); then the signature
/// and every entry's hash are checked, and only then are the frames
/// returned. At most `max_bytes` are accepted.
pub fn open(
    bytes: &[u8],
    max_bytes: u64,
    signer: &mut dyn FnMut(&Manifest) -> Result<Vec<u8>, String>,
) -> Result<Bundle, BundleError> {
    if bytes.len() as u64 > max_bytes {
        return Err(BundleError::TooLarge(bytes.len() as u64, max_bytes));
    }
    let Header {
        manifest,
        json,
        sig,
        len: mut at,
    } = split_header(bytes)?.ok_or(BundleError::Truncated("in its header"))?;
    let public = signer(&manifest).map_err(BundleError::Refused)?;
    UnparsedPublicKey::new(&ED25519, &public)
        .verify(&signed_bytes(json), sig)
        .map_err(|_| BundleError::BadSignature)?;
    let mut frames = Vec::with_capacity(manifest.entries.len());
    for (i, e) in manifest.entries.iter().enumerate() {
        let end = usize::try_from(e.size)
            .ok()
            .and_then(|s| at.checked_add(s))
            .filter(|&end| end <= bytes.len())
            .ok_or(BundleError::Truncated("in its entries"))?;
        let frame = &bytes[at..end];
        if hex::encode(Sha256::digest(frame)) != e.sha256 {
            return Err(BundleError::BadHash(i));
        }
        frames.push(frame.to_vec());
        at = end;
    }
    if at != bytes.len() {
        return Err(BundleError::Trailing((bytes.len() - at) as u64));
    }
    Ok(Bundle { manifest, frames })
}

/// Reading and writing bundle files, in parts when large.
pub mod file {
    use std::fs::{self, File};
    use std::io::{self, Read, Write};
    use std::path::{Path, PathBuf};

    /// The largest part written: under FAT32's 4 GiB limit with room to
    /// spare.
    pub const PART_BYTES: u64 = (4 << 30) - (16 << 20);

    /// The name of part `n` (1-based) of the bundle at `path`.
    pub fn part_path(path: &Path, n: usize) -> PathBuf {
        if n <= 1 {
            return path.to_path_buf();
        }
        let mut s = path.as_os_str().to_owned();
        s.push(format!(".part{n}"));
        PathBuf::from(s)
    }

    /// Writes `bytes` at `path` in parts of at most `part_bytes`, each to a
    /// temporary file, synced and renamed; the first part last, so that a
    /// bundle whose first part is there is whole. Returns the paths written.
    pub fn write(path: &Path, bytes: &[u8], part_bytes: u64) -> io::Result<Vec<PathBuf>> {
        let step = usize::try_from(part_bytes.max(1)).unwrap_or(usize::MAX);
        let chunks: Vec<&[u8]> = if bytes.is_empty() {
            vec![bytes]
        } else {
            bytes.chunks(step).collect()
        };
        let mut paths = Vec::new();
        for (i, chunk) in chunks.iter().enumerate().rev() {
            let p = part_path(path, i + 1);
            let mut tmp = p.as_os_str().to_owned();
            tmp.push(".tmp");
            let tmp = PathBuf::from(tmp);
            let mut f = File::create(&tmp)?;
            f.write_all(chunk)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &p)?;
            paths.push(p);
        }
        // A stale later part of an earlier, longer bundle at the same path
        // would not be read (the manifest says how long the bundle is), but
        // it would mislead a person copying the files.
        let mut n = chunks.len() + 1;
        while part_path(path, n).exists() {
            fs::remove_file(part_path(path, n))?;
            n += 1;
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            // Durable renames where the platform allows syncing a directory.
            let _ = d.sync_all();
        }
        paths.reverse();
        Ok(paths)
    }

    /// Reads the bundle at `path` and as many further parts as its header
    /// says it needs, up to `max_bytes`.
    pub fn read(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        File::open(path)?
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut out)?;
        let want = match super::total_len(&out) {
            Ok(Some(n)) => n,
            // Not a bundle, or too short to say: the caller's `open` says why.
            _ => return Ok(out),
        };
        let mut n = 2;
        while (out.len() as u64) < want && (out.len() as u64) <= max_bytes {
            let p = part_path(path, n);
            let mut f = File::open(&p).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "part {n} of the bundle ({}) cannot be read: {e}",
                        p.display()
                    ),
                )
            })?;
            Read::by_ref(&mut f)
                .take(max_bytes.saturating_add(1) - out.len() as u64)
                .read_to_end(&mut out)?;
            n += 1;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(frames: &[Vec<u8>]) -> Manifest {
        Manifest {
            format: FORMAT,
            id: "b1".into(),
            sender: Sender::Device,
            office_id: "office-a".into(),
            device_id: "dev-1".into(),
            created_ms: 1,
            cursor: "01ab".into(),
            answers: String::new(),
            pushed: vec![],
            entries: frames
                .iter()
                .map(|f| entry(EntryKind::Push, b"", f))
                .collect(),
        }
    }

    fn key(b: u8) -> SigningKey {
        SigningKey::from_seed(&[b; 32]).unwrap()
    }

    #[test]
    fn a_sealed_bundle_opens_with_its_key_only() {
        let frames = vec![b"first frame".to_vec(), vec![7u8; 3000], Vec::new()];
        let k = key(1);
        let bytes = seal(&manifest(&frames), &frames, &k);
        let b = open(&bytes, 1 << 20, &mut |_| Ok(k.public())).unwrap();
        assert_eq!(b.frames, frames);
        assert_eq!(b.manifest, manifest(&frames));
        assert_eq!(total_len(&bytes).unwrap(), Some(bytes.len() as u64));
        assert_eq!(
            open(&bytes, 1 << 20, &mut |_| Ok(key(2).public())).unwrap_err(),
            BundleError::BadSignature
        );
        assert_eq!(
            open(&bytes, 1 << 20, &mut |m| Err(format!(
                "not ours: {}",
                m.office_id
            )))
            .unwrap_err(),
            BundleError::Refused("not ours: office-a".into())
        );
        assert!(matches!(
            open(&bytes, 100, &mut |_| Ok(k.public())),
            Err(BundleError::TooLarge(..))
        ));
    }

    #[test]
    fn every_changed_or_missing_byte_is_refused() {
        let frames = vec![b"abc".to_vec(), b"defgh".to_vec()];
        let k = key(3);
        let bytes = seal(&manifest(&frames), &frames, &k);
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert!(
                open(&bad, 1 << 20, &mut |_| Ok(k.public())).is_err(),
                "a change at byte {i} was accepted"
            );
        }
        for cut in 0..bytes.len() {
            assert!(open(&bytes[..cut], 1 << 20, &mut |_| Ok(k.public())).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            open(&longer, 1 << 20, &mut |_| Ok(k.public())).unwrap_err(),
            BundleError::Trailing(1)
        );
        assert_eq!(
            open(b"PK\x03\x04 a zip", 1 << 20, &mut |_| Ok(k.public())).unwrap_err(),
            BundleError::NotABundle
        );
    }

    #[test]
    fn a_bundle_in_parts_reads_back_whole() {
        let dir = std::env::temp_dir().join(format!("rounds-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("病例 bundle.rounds");
        let frames = vec![vec![5u8; 10_000], vec![9u8; 777]];
        let k = key(4);
        let bytes = seal(&manifest(&frames), &frames, &k);
        let parts = file::write(&path, &bytes, 4096).unwrap();
        assert_eq!(parts.len(), bytes.len().div_ceil(4096));
        assert_eq!(parts[1], file::part_path(&path, 2));
        for p in &parts {
            assert!(std::fs::metadata(p).unwrap().len() <= 4096);
        }
        assert_eq!(file::read(&path, 1 << 20).unwrap(), bytes);
        // A missing part is named; a shorter bundle written over it leaves
        // no stale parts behind.
        std::fs::remove_file(&parts[2]).unwrap();
        let err = file::read(&path, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("part 3"), "{err}");
        file::write(&path, &bytes, 1 << 20).unwrap();
        assert!(!file::part_path(&path, 2).exists());
        assert_eq!(file::read(&path, 1 << 20).unwrap(), bytes);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
