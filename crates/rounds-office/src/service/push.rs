//! Validating and storing one document's pushed changes, all or nothing:
//! decoding, the sender's actors, the document's office and readers, the
//! state's rules (`crate::validate`) and its identifiers (`check.rs`).

use std::collections::HashMap;

use automerge::{AutoCommit, Change};
use rounds_core::doc::Document;
use rounds_proto::{DocChanges, RejectCode, Rejection, doc_id_to_string};

use super::check::check_case;
use super::{ApiError, Service, reject};
use crate::db::*;

impl Service {
    /// Validates and stores one document's pushed changes: all or nothing.
    pub(super) fn push(
        &self,
        ctx: &DeviceCtx,
        push: DocChanges,
        now: i64,
        actors: &mut HashMap<Vec<u8>, bool>,
    ) -> Result<Result<(), Rejection>, ApiError> {
        let doc = push.doc;
        let doc_str = doc_id_to_string(&doc);
        if push.changes.len() > self.limits.max_changes_per_push {
            return Ok(Err(reject(
                doc,
                RejectCode::TooLarge,
                format!(
                    "the push has {} changes; the limit is {} per document",
                    push.changes.len(),
                    self.limits.max_changes_per_push
                ),
            )));
        }
        let mut changes = Vec::with_capacity(push.changes.len());
        for (i, bytes) in push.changes.into_iter().enumerate() {
            if bytes.len() > self.limits.max_change_bytes {
                return Ok(Err(reject(
                    doc,
                    RejectCode::TooLarge,
                    format!(
                        "change {i} is {} bytes; the limit is {}",
                        bytes.len(),
                        self.limits.max_change_bytes
                    ),
                )));
            }
            match Change::from_bytes(bytes) {
                Ok(c) => changes.push(c),
                Err(e) => {
                    return Ok(Err(reject(
                        doc,
                        RejectCode::Malformed,
                        format!("change {i} is not an Automerge change: {e}"),
                    )));
                }
            }
        }
        if changes.is_empty() {
            return Ok(Ok(()));
        }
        for c in &changes {
            let actor = c.actor_id().to_bytes().to_vec();
            if let std::collections::hash_map::Entry::Vacant(e) = actors.entry(actor) {
                let ok = self.db.device_has_actor(&ctx.device, e.key())?;
                e.insert(ok);
            }
        }
        // The office's own rubrics, read once per pushed document and only
        // for a document that is prepared together (reviews may use them,
        // and reviewers' notes under their criteria are checked for
        // identifiers).
        let mut rubrics: Option<Vec<rounds_core::collab::rubric::RubricDef>> = None;
        let limits = &self.limits;
        let mut decide = |state: Option<&DocState>| -> Result<Accepted, Rejection> {
            let mut am = match state {
                Some(s) => {
                    if s.office != ctx.office {
                        return Err(reject(
                            doc,
                            RejectCode::OtherOffice,
                            "this document belongs to another office",
                        ));
                    }
                    if s.visibility != "office" && s.owner != ctx.member {
                        return Err(reject(
                            doc,
                            RejectCode::Forbidden,
                            "this is another teacher's private document",
                        ));
                    }
                    AutoCommit::load(&s.bytes).map_err(|e| {
                        tracing::error!(doc = %doc_str, error = %e, "stored document does not load");
                        reject(doc, RejectCode::InvalidDocument, "the office cannot read its copy of this document")
                    })?
                }
                None => AutoCommit::new(),
            };
            let before = state.map(|s| s.visibility.as_str());
            let mut fresh = Vec::new();
            for c in &changes {
                if am.get_change_by_hash(&c.hash()).is_some() {
                    continue;
                }
                // Only changes the office does not have yet must be the
                // sender's own: replaying a known change is harmless.
                if actors.get(c.actor_id().to_bytes()) != Some(&true) {
                    return Err(reject(
                        doc,
                        RejectCode::ForgedActor,
                        format!(
                            "change {} is signed by an actor that is not this device's",
                            c.hash()
                        ),
                    ));
                }
                fresh.push(c.clone());
            }
            if fresh.is_empty() {
                // Everything is stored already (a retried request): nothing changes.
                return current_meta(doc, &am);
            }
            let base = am.clone();
            am.apply_changes(fresh.iter().cloned()).map_err(|e| {
                reject(
                    doc,
                    RejectCode::Malformed,
                    format!("changes do not apply: {e}"),
                )
            })?;
            if !am.get_missing_deps(&[]).is_empty() {
                return Err(reject(
                    doc,
                    RejectCode::MissingDeps,
                    "changes depend on changes the office does not have; send those first",
                ));
            }
            let total: usize = state.map_or(0, |s| s.bytes.len())
                + fresh.iter().map(|c| c.raw_bytes().len()).sum::<usize>();
            if total > limits.max_doc_bytes {
                return Err(reject(
                    doc,
                    RejectCode::TooLarge,
                    format!(
                        "the document would be {total} bytes; the limit is {}",
                        limits.max_doc_bytes
                    ),
                ));
            }
            let mut d = Document::from_automerge(am)
                .map_err(|e| reject(doc, RejectCode::InvalidDocument, e.to_string()))?;
            if d.id() != doc_str {
                return Err(reject(
                    doc,
                    RejectCode::InvalidDocument,
                    "the changes carry another document's id",
                ));
            }
            let stored = match state {
                Some(s) => Some((
                    Document::from_automerge(base.clone()).map_err(|e| {
                        tracing::error!(doc = %doc_str, error = %e, "stored document is not a Rounds document");
                        reject(doc, RejectCode::InvalidDocument, "the office cannot read its copy of this document")
                    })?,
                    s.owner.as_str(),
                )),
                None => None,
            };
            let rubrics: &[_] = if automerge::ReadDoc::get(d.automerge(), automerge::ROOT, "collab")
                .ok()
                .flatten()
                .is_some()
            {
                rubrics.get_or_insert_with(|| {
                    self.office_rubrics(&ctx.office).unwrap_or_else(|e| {
                        tracing::error!(error = ?e, "reading the office's rubrics");
                        Vec::new()
                    })
                })
            } else {
                &[]
            };
            let stored_ref = stored.as_ref().map(|(d, o)| (d, *o));
            // Built once: the value checks and the identifier check read it.
            let json = d.to_json();
            match crate::validate::check_state_with(stored_ref, &d, &json, ctx, rubrics, false) {
                Ok(()) => {}
                // A participant whose right to edit was withdrawn while
                // their edits travelled: judged by the group of the version
                // they edited (what their changes depend on), so the edits,
                // and everything after them, are not held forever.
                Err(r)
                    if r.message.starts_with("edit:")
                        && could_edit_at(&mut base.clone(), &fresh, &ctx.member) =>
                {
                    crate::validate::check_state_with(stored_ref, &d, &json, ctx, rubrics, true)
                        .map_err(|r| reject(doc, r.code, r.message))?;
                }
                Err(r) => return Err(reject(doc, r.code, r.message)),
            }
            // Kinds that hold patient data are checked for every
            // high-confidence identifier; the others (lesson plans, whose
            // free text may quote a case) for the kinds no teaching text
            // needs (`lesson_plan_may_not_hold`). Every kind is checked.
            check_case(
                doc,
                stored.as_ref().map(|(s, _)| s),
                &d,
                &json,
                base,
                &fresh,
                rubrics,
            )?;
            let visibility = d.visibility().as_str().to_owned();
            let snapshot = state.is_none().then(|| d.save());
            Ok(Accepted {
                changes: fresh
                    .iter()
                    .map(|c| (c.hash().as_ref().to_vec(), c.raw_bytes().to_vec()))
                    .collect(),
                kind: d.kind().as_str().to_owned(),
                reveal: before == Some("private") && visibility == "office",
                deleted: d.deleted(),
                visibility,
                owner_id: d.owner(),
                snapshot,
            })
        };
        let owner = |state: Option<&DocState>, bound: Option<&str>| {
            super::access::owner_binding(ctx, &doc_str, state, bound)
        };
        Ok(self.db.push_doc(
            ctx,
            &doc_str,
            now,
            PushRules {
                decide: &mut decide,
                owner: &owner,
            },
        )?)
    }
}

/// The stored metadata of a document whose push brought nothing new.
fn current_meta(doc: [u8; 16], am: &AutoCommit) -> Result<Accepted, Rejection> {
    let d = Document::from_automerge(am.clone())
        .map_err(|e| reject(doc, RejectCode::InvalidDocument, e.to_string()))?;
    Ok(Accepted {
        changes: Vec::new(),
        kind: d.kind().as_str().to_owned(),
        visibility: d.visibility().as_str().to_owned(),
        deleted: d.deleted(),
        reveal: false,
        owner_id: d.owner(),
        snapshot: None,
    })
}

/// Whether `member` could edit the document as it was when `fresh` were
/// made: at the heads they depend on (leaving out those among themselves).
fn could_edit_at(stored: &mut AutoCommit, fresh: &[Change], member: &str) -> bool {
    let own: std::collections::HashSet<_> = fresh.iter().map(|c| c.hash()).collect();
    let mut base: Vec<_> = fresh
        .iter()
        .flat_map(|c| c.deps().iter().copied())
        .filter(|h| !own.contains(h))
        .collect();
    base.sort();
    base.dedup();
    if base.is_empty() || base.iter().any(|h| stored.get_change_by_hash(h).is_none()) {
        return false;
    }
    let Ok(then) = stored.fork_at(&base) else {
        return false;
    };
    Document::from_automerge(then)
        .map(|d| d.collab().group.is_some_and(|g| g.may_edit(member)))
        .unwrap_or(false)
}
