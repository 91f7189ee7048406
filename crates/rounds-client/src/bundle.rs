//! Sync by USB drive, on the device (docs/sync-protocol.md, "USB bundles").
//!
//! While online, the device registers the key it signs bundles with and
//! learns the office's ([`register_key`], done after every sync until it
//! has). Offline, [`export`] writes what the office has not got from this
//! device — exactly the pushes a network sync would send — and [`import`]
//! applies the office's return bundle page by page, each with its cursor
//! in one transaction, as a network sync applies its pages. A return bundle
//! is applied only once its signature and every hash check, and moves the
//! cursor only along its own chain of pages: one older than where the
//! device now is merges what it brings (harmless, by CRDT) and leaves the
//! cursor alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rounds_core::sync::PageUpdate;
use rounds_proto::bundle::{self, EntryKind, Manifest, PushedHeads, Sender, SigningKey};
use rounds_proto::{
    BundleKeyRequest, BundleKeyResponse, DocChanges, SyncRequest, SyncResponse, doc_id_from_str,
    doc_id_to_string,
};
use rounds_store::Store;
use serde::Serialize;

use crate::{
    ClientError, check_url, endpoint, http_client, joined_connection, office_error, read_token,
    write_secret,
};

pub use rounds_proto::bundle::file::PART_BYTES;
pub use rounds_sqlite::now_ms;

/// The file in the data directory holding the seed of this device's
/// bundle key, readable only by its user (like the token).
pub const KEY_FILE: &str = "bundle-key";

/// The store's settings: the office's public key (hex) and the public key
/// this device registered (hex), the office's id.
const OFFICE_KEY: &str = "bundle_office_key";
const OWN_KEY: &str = "bundle_key";
const OFFICE_ID: &str = "office_id";

/// The largest return bundle a device reads.
const MAX_RETURN_BYTES: u64 = 8 << 30;
/// The largest page, decompressed (one whole document at least).
const MAX_FRAME_BYTES: usize = 256 << 20;
/// Pushes per frame: a frame is one request the office validates.
const PUSH_FRAME_BYTES: usize = 4 << 20;

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub bundle: String,
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub docs: usize,
    pub changes: usize,
}

/// What an import applied.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imported {
    pub bundle: String,
    /// The device bundle it answered.
    pub answers: String,
    pub pages: usize,
    pub docs_received: usize,
    pub snapshots_received: usize,
    pub acknowledged: usize,
    pub refused: Vec<(String, String, String)>,
    /// The pages continued from where the device's cursor was; false: the
    /// device had moved on (a network sync, a later bundle), so what the
    /// bundle brings was merged and the cursor left where it was.
    pub cursor_moved: bool,
}

fn key_path(data: &Path) -> PathBuf {
    data.join(KEY_FILE)
}

/// This device's signing key, if it has one.
fn own_key(data: &Path) -> Result<Option<SigningKey>, ClientError> {
    match std::fs::read_to_string(key_path(data)) {
        Ok(hex_seed) => {
            let seed = hex::decode(hex_seed.trim())
                .map_err(|_| ClientError::Protocol(format!("{} is damaged", KEY_FILE)))?;
            Ok(Some(SigningKey::from_seed(&seed).map_err(|e| {
                ClientError::Protocol(format!("{KEY_FILE}: {e}"))
            })?))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether this device has registered a bundle key with its office.
pub fn registered(store: &Store, data: &Path) -> Result<bool, ClientError> {
    let Some(key) = own_key(data)? else {
        return Ok(false);
    };
    Ok(store.sync_get(OFFICE_KEY)?.is_some()
        && store.sync_get(OWN_KEY)?.as_deref() == Some(hex::encode(key.public()).as_str()))
}

/// What registering asks of the office: this device's public key (made
/// now if the device has none). [`register_key`] sends it; a caller with
/// another way to reach the office (the simulation) uses it and
/// [`key_registered`] directly.
pub fn key_request(store: &mut Store, data: &Path) -> Result<BundleKeyRequest, ClientError> {
    let key = match own_key(data)? {
        Some(k) => k,
        None => {
            let seed: [u8; 32] = store.random();
            write_secret(data, KEY_FILE, &hex::encode(seed))?;
            SigningKey::from_seed(&seed).map_err(|e| ClientError::Protocol(e.to_string()))?
        }
    };
    Ok(BundleKeyRequest {
        public_key: hex::encode(key.public()),
    })
}

/// Stores the office's answer to [`key_request`]'s request.
pub fn key_registered(
    store: &mut Store,
    sent: &BundleKeyRequest,
    answer: &BundleKeyResponse,
) -> Result<(), ClientError> {
    if !hex::decode(&answer.office_key).is_ok_and(|k| bundle::valid_public_key(&k)) {
        return Err(ClientError::Protocol(
            "the office's bundle key is not 32 bytes of hex".into(),
        ));
    }
    store.sync_set(OFFICE_KEY, Some(&answer.office_key))?;
    store.sync_set(OFFICE_ID, Some(&answer.office_id))?;
    store.sync_set(OWN_KEY, Some(&sent.public_key))?;
    Ok(())
}

/// Registers this device's bundle key with its office (making the key if
/// there is none) and stores the office's key and id.
pub fn register_key(store: &mut Store, data: &Path) -> Result<(), ClientError> {
    let req = key_request(store, data)?;
    let conn = joined_connection(store)?;
    let url = endpoint(&check_url(&conn)?, &["v1", "bundle-key"])?;
    let http = http_client(&conn)?;
    let resp = http
        .client
        .post(url)
        .bearer_auth(read_token(data)?)
        .json(&req)
        .send()
        .map_err(|e| http.send_error(e))?;
    if !resp.status().is_success() {
        return Err(office_error(resp));
    }
    let answer: BundleKeyResponse = resp
        .json()
        .map_err(|e| ClientError::Protocol(format!("bundle key answer: {e}")))?;
    key_registered(store, &req, &answer)
}

fn not_registered() -> ClientError {
    ClientError::Bundle(
        "this device has not registered for USB bundles yet: sync once over the network (it registers then), and try again".into(),
    )
}

fn setting(store: &Store, key: &str) -> Result<String, ClientError> {
    store.sync_get(key)?.ok_or_else(not_registered)
}

/// Writes what the office has not got from this device to `path` (in
/// parts of at most `part_bytes`), signed with the device's key. `now` is
/// the creation time written in the manifest.
pub fn export(
    store: &mut Store,
    data: &Path,
    path: &Path,
    part_bytes: u64,
    now: i64,
) -> Result<Exported, ClientError> {
    if !registered(store, data)? {
        return Err(not_registered());
    }
    let key = own_key(data)?.ok_or_else(not_registered)?;
    let office_id = setting(store, OFFICE_ID)?;
    let device_id = setting(store, "device_id")?;
    let pushes = store.outgoing_with_heads()?;
    let mut pushed = Vec::new();
    let mut frames: Vec<Vec<u8>> = Vec::new();
    let mut batch: Vec<DocChanges> = Vec::new();
    let mut size = 0usize;
    let (docs, changes) = (
        pushes.len(),
        pushes.iter().map(|(p, _)| p.changes.len()).sum(),
    );
    let flush = |batch: &mut Vec<DocChanges>, frames: &mut Vec<Vec<u8>>| {
        if !batch.is_empty() {
            frames.push(
                SyncRequest {
                    cursor: Vec::new(),
                    max_page_bytes: 0,
                    pushes: std::mem::take(batch),
                }
                .encode(),
            );
        }
    };
    for (p, heads) in pushes {
        let s: usize = p.changes.iter().map(|c| c.len() + 4).sum::<usize>() + 20;
        if size + s > PUSH_FRAME_BYTES {
            flush(&mut batch, &mut frames);
            size = 0;
        }
        size += s;
        pushed.push(PushedHeads {
            doc: doc_id_to_string(&p.doc),
            heads: heads.iter().map(|h| h.to_string()).collect(),
        });
        batch.push(p);
    }
    flush(&mut batch, &mut frames);
    let id = hex::encode(store.random::<16>());
    let manifest = Manifest {
        format: bundle::FORMAT,
        id: id.clone(),
        sender: Sender::Device,
        office_id,
        device_id,
        created_ms: now,
        cursor: hex::encode(store.sync_cursor()?),
        answers: String::new(),
        pushed,
        entries: frames
            .iter()
            .map(|f| bundle::entry(EntryKind::Push, b"", f))
            .collect(),
    };
    let bytes = bundle::seal(&manifest, &frames, &key);
    let files = bundle::file::write(path, &bytes, part_bytes)?;
    Ok(Exported {
        bundle: id,
        files,
        bytes: bytes.len() as u64,
        docs,
        changes,
    })
}

/// Applies the office's return bundle at `path`.
pub fn import(store: &mut Store, path: &Path, now: i64) -> Result<Imported, ClientError> {
    let office_key = hex::decode(setting(store, OFFICE_KEY)?)
        .map_err(|_| ClientError::Protocol("the stored office key is damaged".into()))?;
    let office_id = setting(store, OFFICE_ID)?;
    let device_id = setting(store, "device_id")?;
    let bytes = bundle::file::read(path, MAX_RETURN_BYTES)?;
    let b = bundle::open(&bytes, MAX_RETURN_BYTES, &mut |m: &Manifest| {
        if m.sender != Sender::Office {
            return Err(
                "this bundle was written by a device: it is imported at the office (`rounds-office bundle import`)".into(),
            );
        }
        if m.office_id != office_id {
            return Err("this bundle comes from another office".into());
        }
        if m.device_id != device_id {
            return Err(format!(
                "this bundle answers another device ({}), not this one",
                m.device_id
            ));
        }
        Ok(office_key.clone())
    })
    .map_err(|e| ClientError::Bundle(e.to_string()))?;
    let pushed_heads: HashMap<_, _> = b
        .manifest
        .pushed
        .iter()
        .filter_map(|p| {
            let doc = doc_id_from_str(&p.doc)?;
            let heads = p
                .heads
                .iter()
                .map(|h| h.parse().ok())
                .collect::<Option<Vec<_>>>()?;
            Some((doc, heads))
        })
        .collect();
    // Every frame is read before any is applied: a page this version
    // cannot read changes nothing.
    let mut pages = Vec::new();
    for (e, frame) in b.manifest.entries.iter().zip(&b.frames) {
        if e.kind != EntryKind::Page {
            return Err(ClientError::Bundle(
                "an office's bundle carries only pages".into(),
            ));
        }
        let resp = SyncResponse::decode(frame, MAX_FRAME_BYTES)
            .map_err(|e| ClientError::Bundle(format!("a page cannot be read: {e}")))?;
        let from = hex::decode(&e.from)
            .map_err(|_| ClientError::Bundle("a page's cursor is not hex".into()))?;
        pages.push((from, resp));
    }
    let here = store.sync_cursor()?;
    // Where the chain continues from the device's cursor; pages before it
    // were applied already (their acknowledgements still count).
    let start = pages.iter().position(|(from, _)| *from == here);
    let mut out = Imported {
        bundle: b.manifest.id.clone(),
        answers: b.manifest.answers.clone(),
        pages: pages.len(),
        cursor_moved: start.is_some() && !pages.is_empty(),
        ..Imported::default()
    };
    // Off the chain (the device synced or imported a later bundle since
    // this one was written), the acknowledgements are old news: what the
    // bundle carried was pushed again by then, and an old acknowledgement
    // could only move what the device knows of the office backwards.
    let acks_count = start.is_some();
    for (i, (_, resp)) in pages.into_iter().enumerate() {
        let on_chain = start.is_some_and(|s| i >= s);
        let applied_before = start.is_some_and(|s| i < s);
        let update = PageUpdate {
            acked: resp
                .acks
                .iter()
                .filter(|d| acks_count && pushed_heads.contains_key(*d))
                .map(|d| DocChanges {
                    doc: *d,
                    changes: Vec::new(),
                })
                .collect(),
            rejected: resp
                .rejections
                .iter()
                .filter(|r| acks_count && pushed_heads.contains_key(&r.doc))
                .map(|r| {
                    (
                        DocChanges {
                            doc: r.doc,
                            changes: Vec::new(),
                        },
                        r.clone(),
                    )
                })
                .collect(),
            items: if applied_before {
                Vec::new()
            } else {
                resp.items
            },
            cursor: if on_chain {
                resp.cursor
            } else {
                store.sync_cursor()?
            },
            restarted: resp.restarted && on_chain,
            pushed_heads: pushed_heads.clone(),
        };
        out.acknowledged += update.acked.len();
        for r in &resp.rejections {
            out.refused.push((
                doc_id_to_string(&r.doc),
                r.code.as_str().to_owned(),
                r.message.clone(),
            ));
        }
        for item in &update.items {
            match item {
                rounds_proto::Item::Changes(_) => out.docs_received += 1,
                rounds_proto::Item::Snapshot { .. } => out.snapshots_received += 1,
            }
        }
        store.apply_page(&update, now)?;
    }
    Ok(out)
}
