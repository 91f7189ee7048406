//! Sharing a case as a checked copy, the attestation, and the squash of a shared case's unpushed changes.

use super::*;

impl Document {
    /// Who confirmed that this case carries no identifiers, and when.
    pub fn attestation(&self) -> Option<Attestation> {
        let Ok(Some((Value::Object(ObjType::Map), obj))) = self.am.get(ROOT, "attestation") else {
            return None;
        };
        Some(Attestation {
            by: get_str(&self.am, &obj, "by")?,
            at: time::rfc3339(get_i64(&self.am, &obj, "at")?),
        })
    }

    /// A copy of this document to share with the office: a new document
    /// (new id, new history) holding the current state only, visible to the
    /// office and carrying the author's attestation. The private history,
    /// which may hold text that was later removed, stays with this one.
    pub fn share_copy(
        &self,
        new_id: &str,
        actor: ActorId,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Document, DocError> {
        let mut state = self.to_json();
        let title = state["title"].as_str().unwrap_or_default().to_owned();
        let language = state["language"]
            .as_str()
            .and_then(Lang::parse)
            .unwrap_or(Lang::Zh);
        if let Some(o) = state.as_object_mut() {
            for k in RESERVED_KEYS
                .iter()
                .filter(|k| !["title", "tags", "language"].contains(k))
            {
                o.remove(*k);
            }
        }
        let new = NewDoc {
            id: new_id.to_owned(),
            kind: self.kind,
            title,
            language,
            owner: self.owner(),
        };
        let mut copy = Document::create(&new, actor, ctx, Some(&state))?;
        copy.am
            .put(ROOT, "visibility", Visibility::Office.as_str())?;
        let att = copy.am.put_object(ROOT, "attestation", ObjType::Map)?;
        copy.am.put(&att, "by", ctx.author)?;
        copy.am.put(&att, "at", ctx.now_ms)?;
        copy.touch(ctx.now_ms)?;
        copy.commit(ctx, vec!["visibility".into(), "attestation".into()]);
        Ok(copy)
    }

    /// Marks this (private) document as shared under another id.
    pub fn set_shared_as(&mut self, id: &str, ctx: &mut EditCtx<'_>) -> Result<(), DocError> {
        self.am.put(ROOT, "shared_as", id)?;
        self.am.put(ROOT, "deleted", true)?;
        self.touch(ctx.now_ms)?;
        self.commit(ctx, vec!["shared_as".into(), "deleted".into()]);
        Ok(())
    }

    /// The id of the shared copy made of this document, if any.
    pub fn shared_as(&self) -> Option<String> {
        get_str(&self.am, &ROOT, "shared_as")
    }

    /// This document rebuilt as the state at `since` (heads the office has,
    /// or may have) plus one change that brings it to the current state.
    /// Edits made in between are folded into that one change, so text typed
    /// and removed again never leaves the device.
    pub fn squashed(
        &mut self,
        since: &[ChangeHash],
        actor: ActorId,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Document, DocError> {
        let state = self.to_json();
        let mut base = Document::from_automerge(self.am.fork_at(since)?)?;
        base.set_actor(actor);
        let mut changed = Vec::new();
        base.apply_state_pending(&state, ctx, &mut changed)?;
        // Comments, decisions and the rest of `collab` are folded into the
        // same change: a squash must never drop what colleagues said.
        if crate::collab::carry(self, &mut base)? {
            changed.push("collab".into());
        }
        base.commit_pending(ctx, changed)?;
        Ok(base)
    }

    /// Commits what is pending, if anything, as one change.
    fn commit_pending(
        &mut self,
        ctx: &mut EditCtx<'_>,
        mut changed: Vec<String>,
    ) -> Result<(), DocError> {
        if self.am.pending_ops() > 0 {
            // Touching only when something changed keeps a squash of
            // nothing from making a change.
            self.touch(ctx.now_ms)?;
            changed.push("squashed".into());
            self.commit(ctx, changed);
        }
        Ok(())
    }

    /// Makes this document's content equal `state` (a `to_json` export),
    /// including sharing, deletion and attestation, left pending for one
    /// commit.
    fn apply_state_pending(
        &mut self,
        state: &Json,
        ctx: &mut EditCtx<'_>,
        changed: &mut Vec<String>,
    ) -> Result<(), DocError> {
        let mut fields = state.clone();
        if let Some(o) = fields.as_object_mut() {
            for k in RESERVED_KEYS
                .iter()
                .filter(|k| !["title", "tags", "language"].contains(k))
            {
                o.remove(*k);
            }
        }
        let obj = fields.as_object().cloned().unwrap_or_default();
        self.validate_patch(&obj, true)?;
        self.apply_validated(&obj, ctx, changed)?;
        let vis = state["visibility"].as_str().unwrap_or("private");
        if get_str(&self.am, &ROOT, "visibility").as_deref() != Some(vis) {
            self.am.put(ROOT, "visibility", vis)?;
        }
        let deleted = state["deleted"].as_bool().unwrap_or(false);
        if self.deleted() != deleted {
            self.am.put(ROOT, "deleted", deleted)?;
        }
        if let Some(a) = state["attestation"].as_object()
            && self.attestation().as_ref().map(|x| (&x.by, &x.at))
                != Some((
                    &a["by"].as_str().unwrap_or_default().to_owned(),
                    &a["at"].as_str().unwrap_or_default().to_owned(),
                ))
        {
            let att = self.am.put_object(ROOT, "attestation", ObjType::Map)?;
            self.am
                .put(&att, "by", a["by"].as_str().unwrap_or_default())?;
            let at = a["at"]
                .as_str()
                .and_then(time::parse_rfc3339)
                .unwrap_or(ctx.now_ms);
            self.am.put(&att, "at", at)?;
        }
        Ok(())
    }
}
