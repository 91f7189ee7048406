//! Who may read, join and write: the office's rules, in one place above
//! the storage. Backends only store and fetch ([`crate::db::OfficeDb`]);
//! they are handed these rules as filters and decisions, so SQLite and
//! PostgreSQL enforce exactly the same policy.

use rounds_proto::{RejectCode, Rejection, doc_id_from_str};

use crate::db::*;

/// A log row reaches the device if another device wrote it and its reader
/// owns the document, or the document is shared now and was when the row
/// was written (changes made while it was private reach colleagues only
/// as part of the whole document, with its reveal).
pub fn may_read_row(ctx: &DeviceCtx, row: &RowMeta<'_>) -> bool {
    row.device != ctx.device
        && (row.owner == ctx.member || (row.visibility == "office" && row.shared))
}

/// A member reads the office's shared documents and their own private ones.
pub fn may_read_doc(ctx: &DeviceCtx, doc: &DocMeta<'_>) -> bool {
    doc.visibility == "office" || doc.owner == ctx.member
}

/// Whether a code may still enroll a device, and what becomes of the
/// device's actor: a code is used once, before it expires, by a member who
/// is still in the office. An actor of a revoked device of the same member
/// moves to the new device (a teacher whose device was revoked joins again
/// and keeps pushing the edits it made meanwhile, which carry that actor);
/// an actor of a live device, or of another member's, stays where it is.
pub fn enrollment(view: &EnrollView, now: i64) -> Result<ActorPlan, EnrollFailure> {
    let code = view.code.as_ref().ok_or(EnrollFailure::Unknown)?;
    if code.used.is_some() {
        return Err(EnrollFailure::Used);
    }
    if code.expires <= now {
        return Err(EnrollFailure::Expired);
    }
    let member = view.member.as_ref().ok_or(EnrollFailure::Unknown)?;
    if member.removed.is_some() || member.id != code.member {
        return Err(EnrollFailure::Unknown);
    }
    match &view.actor_holder {
        None => Ok(ActorPlan::Bind),
        Some((holder, true)) if *holder == member.id => Ok(ActorPlan::Move),
        Some(_) => Err(EnrollFailure::ActorTaken),
    }
}

/// A token authenticates while its device is not revoked and its member
/// not removed.
pub fn authenticates(holder: TokenHolder) -> Option<DeviceCtx> {
    (!holder.revoked && !holder.member_removed).then_some(holder.ctx)
}

/// The owner id a document names belongs to the member who first pushed a
/// document naming it; a document of someone else's names its stored
/// owner (the root key cannot change, see validation). Refuses a document
/// that names an id bound to another member; otherwise says whom to bind
/// a new id to.
pub fn owner_binding(
    ctx: &DeviceCtx,
    doc: &str,
    state: Option<&DocState>,
    bound: Option<&str>,
) -> Result<Option<String>, Rejection> {
    let rightful = state.map_or(ctx.member.as_str(), |s| s.owner.as_str());
    match bound {
        Some(m) if m != rightful => Err(Rejection {
            doc: doc_id_from_str(doc).unwrap_or_default(),
            code: RejectCode::Forbidden,
            message: "owner: the document names another member as its owner".into(),
        }),
        Some(_) => Ok(None),
        None => Ok(Some(rightful.to_owned())),
    }
}
