//! USB bundles at the office (docs/sync-protocol.md, "USB bundles"): a
//! device's key is registered over its authenticated connection; a bundle
//! it carries in is checked (signature, every hash, the device's standing)
//! before anything is applied, then its pushes go through exactly the
//! requests a network sync would make — the same [`Session`] drives
//! [`Service::sync`] — and the pages answered become the return bundle,
//! signed with the office's key.

use rounds_core::sync::{Session, SessionLimits};
use rounds_proto::bundle::{self, Bundle, EntryKind, Manifest, Sender, SigningKey};
use rounds_proto::{BundleKeyRequest, BundleKeyResponse, SyncRequest, SyncResponse};

use super::*;

/// The largest bundle the office reads.
pub const MAX_BUNDLE_BYTES: u64 = 8 << 30;

/// The pages of a return bundle: large, since nobody waits on a slow link
/// for them, but bounded so a page stays an easy allocation.
const RETURN_PAGE_BYTES: u32 = 4 << 20;

/// The largest frame, decompressed: a page holds at least one whole
/// document, which may be up to the office's document limit.
pub const MAX_FRAME_BYTES: usize = 256 << 20;

/// What importing a bundle did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BundleImport {
    /// The bundle's id and the device that wrote it.
    pub bundle: String,
    pub device: String,
    pub docs_accepted: usize,
    /// Refused documents: (id, code, message).
    pub refused: Vec<(String, String, String)>,
    /// Pages and documents in the return bundle.
    pub pages: usize,
    pub items: usize,
    /// The return bundle, signed.
    #[serde(skip)]
    pub answer: Vec<u8>,
}

impl Service {
    /// The office's bundle signing key, made on first use.
    fn office_signing_key(&self, office: &str) -> Result<SigningKey, ApiError> {
        let fresh: [u8; 32] = self.random();
        let seed = self.db.office_key(office, &fresh, self.now())?;
        SigningKey::from_seed(&seed).map_err(|e| {
            tracing::error!(office, error = %e, "the office's bundle key is damaged");
            ApiError::new(500, "internal", "internal error")
        })
    }

    /// `POST /v1/bundle-key`: registers the key the device signs its
    /// bundles with and answers with the office's.
    pub fn register_bundle_key(
        &self,
        ctx: &DeviceCtx,
        req: &BundleKeyRequest,
    ) -> Result<BundleKeyResponse, ApiError> {
        let public = hex::decode(req.public_key.trim())
            .ok()
            .filter(|k| bundle::valid_public_key(k))
            .ok_or_else(|| {
                ApiError::new(400, "bad_request", "public_key must be 32 bytes of hex")
            })?;
        self.db.set_bundle_key(&ctx.device, &public, self.now())?;
        let key = self.office_signing_key(&ctx.office)?;
        Ok(BundleKeyResponse {
            office_id: ctx.office.clone(),
            office_key: hex::encode(key.public()),
        })
    }

    /// Checks a device's bundle and applies its pushes as that device's
    /// network sync would; answers with everything after the device's
    /// cursor, as a return bundle. Nothing is applied unless the signature
    /// and every hash check, the device is enrolled here, not revoked, and
    /// the bundle was not imported before.
    pub fn import_bundle(&self, bytes: &[u8]) -> Result<BundleImport, ApiError> {
        let bad = |m: String| ApiError::new(400, "bad_bundle", m);
        let mut holder = None;
        let Bundle { manifest, frames } =
            bundle::open(bytes, MAX_BUNDLE_BYTES, &mut |m: &Manifest| {
                if m.sender != Sender::Device {
                    return Err("this is a bundle the office wrote; import it on the device".into());
                }
                let (h, key) = self
                    .db
                    .device_by_id(&m.device_id)
                    .map_err(|e| format!("the office's database failed: {e}"))?
                    .ok_or_else(|| format!("device {} is not enrolled at this office", m.device_id))?;
                if h.ctx.office != m.office_id {
                    return Err("this bundle belongs to another office".into());
                }
                if h.revoked || h.member_removed {
                    return Err(format!(
                        "device {} was revoked or its member removed: it must join again",
                        m.device_id
                    ));
                }
                let key = key.ok_or_else(|| {
                    format!(
                        "device {} has not registered a bundle key: it must sync once over the network",
                        m.device_id
                    )
                })?;
                holder = Some(h);
                Ok(key)
            })
            .map_err(|e| bad(e.to_string()))?;
        let ctx = holder
            .and_then(access::authenticates)
            .ok_or_else(|| bad("the bundle's device cannot be authenticated".into()))?;
        if let Some(at) = self.db.bundle_imported(&manifest.id)? {
            return Err(ApiError::new(
                409,
                "bundle_replayed",
                format!(
                    "bundle {} was already imported (at {at} ms); nothing was changed",
                    manifest.id
                ),
            ));
        }
        let cursor = hex::decode(&manifest.cursor)
            .map_err(|_| bad("the bundle's cursor is not hex".into()))?;
        let mut pushes = Vec::new();
        for (e, frame) in manifest.entries.iter().zip(&frames) {
            if e.kind != EntryKind::Push {
                return Err(bad("a device's bundle may carry only pushes".into()));
            }
            let req = SyncRequest::decode(frame, self.limits.max_request_bytes)
                .map_err(|e| bad(format!("a push frame cannot be read: {e}")))?;
            pushes.extend(req.pushes);
        }
        let mut out = BundleImport {
            bundle: manifest.id.clone(),
            device: ctx.device.clone(),
            ..BundleImport::default()
        };
        let limits = SessionLimits {
            max_request_bytes: self.limits.max_request_bytes,
            page_bytes: RETURN_PAGE_BYTES,
            grow_page_to: 0,
            max_response_bytes: MAX_FRAME_BYTES,
        };
        let mut session = Session::new(cursor, pushes, limits);
        let mut pages = Vec::new();
        let mut entries = Vec::new();
        while let Some(req) = session.next_request() {
            let req = SyncRequest::decode(&req, MAX_FRAME_BYTES)
                .map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
            let from = req.cursor.clone();
            let resp: SyncResponse = self.sync(&ctx, req)?;
            out.docs_accepted += resp.acks.len();
            out.items += resp.items.len();
            for r in &resp.rejections {
                out.refused.push((
                    rounds_proto::doc_id_to_string(&r.doc),
                    r.code.as_str().to_owned(),
                    r.message.clone(),
                ));
            }
            let frame = resp.encode();
            session
                .on_response(&frame)
                .map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
            entries.push(bundle::entry(EntryKind::Page, &from, &frame));
            pages.push(frame);
        }
        out.pages = pages.len();
        let answer = Manifest {
            format: bundle::FORMAT,
            id: hex::encode(self.random::<16>()),
            sender: Sender::Office,
            office_id: ctx.office.clone(),
            device_id: ctx.device.clone(),
            created_ms: self.now(),
            cursor: manifest.cursor.clone(),
            answers: manifest.id.clone(),
            pushed: manifest.pushed.clone(),
            entries,
        };
        out.answer = bundle::seal(&answer, &pages, &self.office_signing_key(&ctx.office)?);
        self.db
            .record_bundle(&manifest.id, &ctx.device, self.now())?;
        tracing::info!(device = %ctx.device, bundle = %manifest.id, accepted = out.docs_accepted, refused = out.refused.len(), pages = out.pages, "bundle imported");
        Ok(out)
    }
}
