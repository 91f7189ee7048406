//! The collaborative actions, each one Automerge change with its author.

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::Deserialize;

use super::anchor::{Anchor, Resolved};
use super::read::{Thread, all_maps, section, union};
use super::rubric::{self, RubricDef};
use super::*;
use crate::doc::{DocError, Document, EditCtx, check_chars, check_len, invalid};

/// How a thread's `field` names a whole section: `section:<key>`.
pub const SECTION: &str = "section:";

/// What a comment or suggestion is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Target {
    /// A field key, `title`, `section:<key>` for a whole section, or empty
    /// for the whole document.
    #[serde(default)]
    pub field: String,
    /// A list element's id, with `item` the field inside it.
    #[serde(default)]
    pub row: String,
    #[serde(default)]
    pub item: String,
    /// A selection of the text, in characters (code points), end exclusive.
    #[serde(default)]
    pub range: Option<(usize, usize)>,
}

/// A preparation group as set by the lead or the owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GroupInput {
    pub lead: Who,
    pub participants: Vec<Participant>,
    /// Stage → due date.
    #[serde(default)]
    pub due: Vec<(String, String)>,
}

/// A reviewer's scores and words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReviewInput {
    pub rubric: String,
    #[serde(default)]
    pub scores: Vec<(String, i64)>,
    #[serde(default)]
    pub notes: Vec<(String, String)>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub recommendation: String,
    #[serde(default)]
    pub coi: String,
}

impl<'de> Deserialize<'de> for Who {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Who, D::Error> {
        #[derive(Deserialize)]
        struct W {
            member: String,
            #[serde(default)]
            name: String,
        }
        let w = W::deserialize(d)?;
        Ok(Who::new(w.member, w.name))
    }
}

impl<'de> Deserialize<'de> for Participant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Participant, D::Error> {
        #[derive(Deserialize)]
        struct P {
            member: String,
            #[serde(default)]
            name: String,
            #[serde(default)]
            site: String,
            #[serde(default)]
            edit: bool,
        }
        let p = P::deserialize(d)?;
        Ok(Participant {
            member: p.member,
            name: p.name,
            site: p.site,
            edit: p.edit,
        })
    }
}

pub fn heads_string(heads: &[ChangeHash]) -> String {
    let mut v: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    v.sort();
    v.join(" ")
}

/// The heads a `heads` string names, if every one is a change hash.
pub fn parse_heads(s: &str) -> Option<Vec<ChangeHash>> {
    s.split_whitespace().map(|h| h.parse().ok()).collect()
}

fn check_body(what: &str, s: &str, required: bool) -> Result<(), DocError> {
    if required && s.trim().is_empty() {
        return Err(invalid(what, "may not be empty"));
    }
    check_len(what, s, BODY_MAX)?;
    check_chars(what, s, true)
}

impl Document {
    /// What people write in comments travels to the office like the
    /// fields: it may hold no identifier the document itself may not.
    fn check_said(&self, what: &str, s: &str) -> Result<(), DocError> {
        match crate::deid::forbidden_in(self.kind(), s) {
            Some(f) => Err(invalid(
                what,
                format!(
                    "holds what looks like a patient identifier ({} “{}”), which may not leave this computer; write it without",
                    f.kind.label_en(),
                    f.text
                ),
            )),
            None => Ok(()),
        }
    }
}

fn check_name(what: &str, s: &str) -> Result<(), DocError> {
    check_len(what, s, NAME_MAX)?;
    check_chars(what, s, false)
}

fn check_member(what: &str, m: &str) -> Result<(), DocError> {
    if m.is_empty()
        || m.len() > 64
        || !m
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(what, format!("`{m}` is not a member id")));
    }
    Ok(())
}

fn put_map(am: &mut automerge::AutoCommit, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
    Ok(match am.get(obj, key)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => am.put_object(obj, key, ObjType::Map)?,
    })
}

fn put_entry(
    am: &mut automerge::AutoCommit,
    obj: &ObjId,
    who: &Who,
    now: i64,
) -> Result<(), DocError> {
    am.put(obj, "by", who.member.as_str())?;
    am.put(obj, "name", who.name.as_str())?;
    am.put(obj, "at", now)?;
    Ok(())
}

impl Document {
    /// The `collab` map, made (and the document raised to schema 2) on the
    /// first collaborative change.
    fn collab_mut(&mut self) -> Result<ObjId, DocError> {
        self.check_writable()?;
        let am = self.automerge_mut();
        let c = put_map(am, &ROOT, "collab")?;
        let schema = crate::doc::get_i64(am, &ROOT, "schema").unwrap_or(0);
        if schema < COLLAB_SCHEMA as i64 {
            am.put(ROOT, "schema", COLLAB_SCHEMA)?;
        }
        Ok(c)
    }

    fn collab_section(&mut self, key: &str) -> Result<ObjId, DocError> {
        let c = self.collab_mut()?;
        put_map(self.automerge_mut(), &c, key)
    }

    fn finish(&mut self, ctx: &EditCtx<'_>, what: &str) -> Result<ChangeHash, DocError> {
        self.touch(ctx.now_ms)?;
        self.refresh_after_collab();
        self.commit(ctx, vec![format!("collab.{what}")])
            .ok_or_else(|| invalid(what, "nothing changed"))
    }

    fn refresh_after_collab(&mut self) {
        // `schema` may have been raised.
        let s = crate::doc::get_i64(self.automerge(), &ROOT, "schema").unwrap_or(0);
        self.set_schema(s as u64);
    }

    /// Sets the preparation group: lead preparer, participants, due dates.
    pub fn set_group(
        &mut self,
        g: &GroupInput,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        check_member("lead", &g.lead.member)?;
        check_name("lead", &g.lead.name)?;
        for p in &g.participants {
            check_member("participant", &p.member)?;
            check_name("participant", &p.name)?;
            check_name("site", &p.site)?;
        }
        for (stage, date) in &g.due {
            if self.kind().stage(stage).is_none() {
                return Err(invalid("due", format!("`{stage}` is not a stage")));
            }
            let ok = crate::time::parse_date(date)
                .is_some_and(|(y, m, d)| crate::time::is_real_date(y, m, d));
            if !ok {
                return Err(invalid(
                    "due",
                    format!("`{date}` is not a date (YYYY-MM-DD)"),
                ));
            }
        }
        let grp = self.collab_section("group")?;
        let am = self.automerge_mut();
        am.put(&grp, "lead", g.lead.member.as_str())?;
        am.put(&grp, "lead_name", g.lead.name.as_str())?;
        let members = put_map(am, &grp, "members")?;
        let keep: Vec<&str> = g.participants.iter().map(|p| p.member.as_str()).collect();
        for old in am.keys(&members).collect::<Vec<_>>() {
            if !keep.contains(&old.as_str()) {
                am.delete(&members, old.as_str())?;
            }
        }
        for p in &g.participants {
            let e = put_map(am, &members, &p.member)?;
            am.put(&e, "name", p.name.as_str())?;
            am.put(&e, "site", p.site.as_str())?;
            am.put(&e, "edit", p.edit)?;
        }
        let due = put_map(am, &grp, "due")?;
        for old in am.keys(&due).collect::<Vec<_>>() {
            if !g.due.iter().any(|(s, _)| *s == old) {
                am.delete(&due, old.as_str())?;
            }
        }
        for (stage, date) in &g.due {
            am.put(&due, stage.as_str(), date.as_str())?;
        }
        self.finish(ctx, "group")
    }

    /// Moves the preparation to a stage (an entry of the stage log).
    pub fn move_stage(
        &mut self,
        stage: &str,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        if self.kind().stage(stage).is_none() {
            let known: Vec<&str> = self.kind().stages().iter().map(|s| s.key).collect();
            return Err(invalid(
                "stage",
                if known.is_empty() {
                    format!("a {} is not prepared in stages", self.kind().as_str())
                } else {
                    format!("`{stage}` is not a stage ({})", known.join(", "))
                },
            ));
        }
        if self.collab().group.is_none() {
            return Err(invalid("stage", "the plan has no preparation group yet"));
        }
        let id = ctx.ids.next_id();
        let log = self.collab_section("stages")?;
        let am = self.automerge_mut();
        let e = am.put_object(&log, id.as_str(), ObjType::Map)?;
        am.put(&e, "stage", stage)?;
        put_entry(am, &e, who, ctx.now_ms)?;
        self.finish(ctx, "stage")
    }

    /// A step of the review track. An approval or publication also sets the
    /// plan's `status`, which the library lists and filters by.
    pub fn review_decision(
        &mut self,
        state: &str,
        note: &str,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        if !review_state_known(state) {
            let known: Vec<&str> = REVIEW_STATES.iter().map(|(k, ..)| *k).collect();
            return Err(invalid(
                "review",
                format!("`{state}` is not a review state ({})", known.join(", ")),
            ));
        }
        check_body("note", note, false)?;
        self.check_said("note", note)?;
        let current = self.collab().review_state().map(|e| e.value.clone());
        if !policy::review_step_allowed(current.as_deref(), state) {
            return Err(invalid(
                "review",
                format!(
                    "a plan that is {} cannot become {state}",
                    current.as_deref().unwrap_or("not submitted")
                ),
            ));
        }
        let id = ctx.ids.next_id();
        let log = self.collab_section("decisions")?;
        let am = self.automerge_mut();
        let e = am.put_object(&log, id.as_str(), ObjType::Map)?;
        am.put(&e, "state", state)?;
        am.put(&e, "note", note)?;
        put_entry(am, &e, who, ctx.now_ms)?;
        let status = match state {
            "submitted" | "in_review" => Some("in_review"),
            "approved" => Some("approved"),
            "published" => Some("published"),
            "changes_requested" | "rejected" => Some("draft"),
            _ => None,
        };
        if let Some(status) = status
            && self.kind().field("status").is_some()
            && let Some(fields) = self.fields_obj()
        {
            self.automerge_mut().put(&fields, "status", status)?;
        }
        self.finish(ctx, "review")
    }

    /// Starts a thread: a comment (or a suggestion, with `proposed`, which
    /// needs a selection) on a target. Returns the thread's id.
    pub fn comment(
        &mut self,
        target: &Target,
        body: &str,
        proposed: Option<&str>,
        mentions: &[String],
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<String, DocError> {
        check_member("by", &who.member)?;
        check_body("comment", body, proposed.is_none())?;
        if let Some(p) = proposed {
            check_body("suggestion", p, false)?;
            if target.range.is_none() {
                return Err(invalid(
                    "suggestion",
                    "a suggestion replaces a selection of text: give its range",
                ));
            }
        }
        for m in mentions {
            check_member("mention", m)?;
        }
        self.check_said("comment", body)?;
        self.check_said("suggestion", proposed.unwrap_or_default())?;
        let mut anchor = None;
        let mut quote = String::new();
        if !target.field.is_empty() {
            let row =
                (!target.row.is_empty()).then_some((target.row.as_str(), target.item.as_str()));
            match self.text_obj(&target.field, row) {
                Some(obj) => {
                    if let Some((from, to)) = target.range {
                        let a = Anchor::new(self, &obj, from, to)?;
                        if let Resolved::Range { text, .. } = a.resolve_in(self, &obj, None) {
                            quote = text;
                        }
                        anchor = Some(a);
                    }
                }
                None if target.field.starts_with(SECTION) => {
                    let key = &target.field[SECTION.len()..];
                    let known = self.kind().sections().iter().any(|(sec, _)| sec.key == key);
                    if !known || target.range.is_some() || !target.row.is_empty() {
                        return Err(invalid(
                            "target",
                            format!("`{key}` is not a section of this document"),
                        ));
                    }
                }
                None => {
                    let known =
                        self.kind().field(&target.field).is_some() || target.field == "title";
                    if !known || target.range.is_some() || !self.has_row(&target.field, &target.row)
                    {
                        return Err(invalid(
                            "target",
                            format!("`{}` is not a text of this document", target.field),
                        ));
                    }
                }
            }
        }
        let heads = heads_string(&self.automerge_mut().get_heads());
        let id = ctx.ids.next_id();
        let mid = ctx.ids.next_id();
        let threads = self.collab_section("threads")?;
        let am = self.automerge_mut();
        let t = am.put_object(&threads, id.as_str(), ObjType::Map)?;
        put_entry(am, &t, who, ctx.now_ms)?;
        am.put(
            &t,
            "type",
            if proposed.is_some() {
                "suggestion"
            } else {
                "comment"
            },
        )?;
        am.put(&t, "field", target.field.as_str())?;
        am.put(&t, "row", target.row.as_str())?;
        am.put(&t, "item", target.item.as_str())?;
        if let Some(a) = &anchor {
            let (s, e) = a.to_bytes();
            am.put(&t, "start", ScalarValue::Bytes(s))?;
            am.put(&t, "end", ScalarValue::Bytes(e))?;
        }
        am.put(&t, "quote", quote.as_str())?;
        am.put(&t, "heads", heads.as_str())?;
        if let Some(p) = proposed {
            am.put(&t, "proposed", p)?;
        }
        let msgs = am.put_object(&t, "messages", ObjType::Map)?;
        write_message(am, &msgs, &mid, body, mentions, who, ctx.now_ms)?;
        self.finish(
            ctx,
            if proposed.is_some() {
                "suggestion"
            } else {
                "comment"
            },
        )?;
        Ok(id)
    }

    fn has_row(&self, field: &str, row: &str) -> bool {
        if row.is_empty() {
            return true;
        }
        self.fields_obj()
            .map(|f| crate::doc::list_items(self.automerge(), &f, field))
            .is_some_and(|items| items.iter().any(|e| e.id == row && !e.removed))
    }

    fn thread_obj(&self, thread: &str) -> Result<ObjId, DocError> {
        let am = self.automerge();
        union(am, &section(am, "threads"))
            .into_iter()
            .find(|(id, _)| id == thread)
            .map(|(_, o)| o)
            .ok_or_else(|| invalid("thread", format!("this document has no thread `{thread}`")))
    }

    /// Answers a thread. Returns the message's id.
    pub fn reply(
        &mut self,
        thread: &str,
        body: &str,
        mentions: &[String],
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<String, DocError> {
        check_member("by", &who.member)?;
        check_body("reply", body, true)?;
        for m in mentions {
            check_member("mention", m)?;
        }
        self.check_said("reply", body)?;
        let t = self.thread_obj(thread)?;
        self.collab_mut()?;
        let mid = ctx.ids.next_id();
        let am = self.automerge_mut();
        let msgs = put_map(am, &t, "messages")?;
        write_message(am, &msgs, &mid, body, mentions, who, ctx.now_ms)?;
        self.finish(ctx, "reply")?;
        Ok(mid)
    }

    /// Resolves or reopens a thread.
    pub fn set_thread_resolved(
        &mut self,
        thread: &str,
        resolved: bool,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        let t = self.thread_obj(thread)?;
        self.collab_mut()?;
        let am = self.automerge_mut();
        // A new map each time, so two members resolving at once leave one
        // whole state (theirs or the other's), never a mix of both.
        let st = am.put_object(&t, "state", ObjType::Map)?;
        am.put(&st, "value", if resolved { "resolved" } else { "open" })?;
        am.put(&st, "by", who.member.as_str())?;
        am.put(&st, "at", ctx.now_ms)?;
        self.finish(ctx, if resolved { "resolve" } else { "reopen" })
    }

    /// Accepts or rejects a suggestion. Accepting writes its text in place of
    /// the selection as it is now; what a colleague changed inside the
    /// selection since is kept (a three-way merge of quote, text now and
    /// proposal). The decision is kept, attributed, either way.
    pub fn decide_suggestion(
        &mut self,
        thread: &str,
        accept: bool,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        let th =
            self.collab().thread(thread).cloned().ok_or_else(|| {
                invalid("thread", format!("this document has no thread `{thread}`"))
            })?;
        if th.ty != "suggestion" {
            return Err(invalid(
                "thread",
                "this thread is a comment, not a suggestion",
            ));
        }
        if let Some(d) = &th.decision {
            return Err(invalid(
                "thread",
                format!("this suggestion was already {} by {}", d.value, d.name),
            ));
        }
        let t = self.thread_obj(thread)?;
        if accept {
            let Place::Range { from, text, .. } = th.place.clone() else {
                return Err(invalid(
                    "thread",
                    "the text this suggestion replaces was deleted; it can only be rejected",
                ));
            };
            let row = (!th.row.is_empty()).then_some((th.row.as_str(), th.item.as_str()));
            let obj = self
                .text_obj(&th.field, row)
                .ok_or_else(|| invalid("thread", "the field of this suggestion is gone"))?;
            let new = merge3(&th.quote, &text, &th.proposed);
            // Only what differs is replaced, so the characters the new text
            // keeps stay the same characters: the thread (and any other
            // anchored there) keeps pointing at them.
            let old: Vec<char> = text.chars().collect();
            let new: Vec<char> = new.chars().collect();
            let am = self.automerge_mut();
            // In order: the text before each hunk is already the new text.
            for h in crate::diff::hunks(&old, &new)
                .into_iter()
                .filter(|h| !h.equal)
            {
                let ins: String = new[h.new.clone()].iter().collect();
                am.splice_text(&obj, from + h.new.start, h.old.len() as isize, &ins)?;
            }
        }
        self.collab_mut()?;
        let am = self.automerge_mut();
        let d = am.put_object(&t, "decision", ObjType::Map)?;
        am.put(&d, "value", if accept { "accepted" } else { "rejected" })?;
        put_entry(am, &d, who, ctx.now_ms)?;
        let st = am.put_object(&t, "state", ObjType::Map)?;
        am.put(&st, "value", "resolved")?;
        am.put(&st, "by", who.member.as_str())?;
        am.put(&st, "at", ctx.now_ms)?;
        let mut fields = vec![format!(
            "collab.{}",
            if accept { "accept" } else { "reject" }
        )];
        if accept {
            fields.push(th.field.clone());
        }
        self.touch(ctx.now_ms)?;
        self.refresh_after_collab();
        self.commit(ctx, fields)
            .ok_or_else(|| invalid("thread", "nothing changed"))
    }

    /// Writes (or rewrites) the acting reviewer's review, on a built-in
    /// rubric.
    pub fn write_review(
        &mut self,
        r: &ReviewInput,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        self.write_review_in(r, &[], who, ctx)
    }

    /// [`Document::write_review`], on a built-in rubric or one of the
    /// office's (`office`).
    pub fn write_review_in(
        &mut self,
        r: &ReviewInput,
        office: &[RubricDef],
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        check_member("reviewer", &who.member)?;
        let rubric = rubric::find(office, &r.rubric).ok_or_else(|| {
            let names: Vec<String> = rubric::with_office(office)
                .into_iter()
                .map(|r| r.name)
                .collect();
            invalid(
                "rubric",
                format!("`{}` is not a rubric ({})", r.rubric, names.join(", ")),
            )
        })?;
        for (k, v) in &r.scores {
            rubric.check_score(k, *v).map_err(|e| invalid("score", e))?;
        }
        for (k, n) in &r.notes {
            if rubric.criterion(k).is_none() {
                return Err(invalid(
                    "note",
                    format!("`{k}` is not a criterion of {}", rubric.name),
                ));
            }
            check_body("note", n, false)?;
        }
        check_body("comment", &r.comment, false)?;
        if !r.recommendation.is_empty()
            && !RECOMMENDATIONS.iter().any(|(k, ..)| *k == r.recommendation)
        {
            return Err(invalid(
                "recommendation",
                format!(
                    "`{}` is not accept, minor, major or reject",
                    r.recommendation
                ),
            ));
        }
        check_body("conflict of interest", &r.coi, false)?;
        for (what, text) in [("comment", &r.comment), ("conflict of interest", &r.coi)]
            .into_iter()
            .chain(r.notes.iter().map(|(_, n)| ("note", n)))
        {
            self.check_said(what, text)?;
        }
        let reviews = self.collab_section("reviews")?;
        let am = self.automerge_mut();
        let e = put_map(am, &reviews, &who.member)?;
        am.put(&e, "name", who.name.as_str())?;
        am.put(&e, "rubric", rubric.name.as_str())?;
        let scores = put_map(am, &e, "scores")?;
        for (k, v) in &r.scores {
            am.put(&scores, k.as_str(), *v)?;
        }
        let notes = put_map(am, &e, "notes")?;
        for (k, n) in &r.notes {
            am.put(&notes, k.as_str(), n.as_str())?;
        }
        if !r.comment.is_empty() {
            am.put(&e, "comment", r.comment.as_str())?;
        }
        if !r.recommendation.is_empty() {
            am.put(&e, "recommendation", r.recommendation.as_str())?;
        }
        am.put(&e, "coi", r.coi.as_str())?;
        am.put(&e, "at", ctx.now_ms)?;
        self.finish(ctx, "review_scores")
    }

    /// Marks the document as it is now as a best version (精华). Returns
    /// the entry's id.
    pub fn mark_best(
        &mut self,
        name: &str,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<String, DocError> {
        check_name("name", name)?;
        if name.trim().is_empty() {
            return Err(invalid("name", "may not be empty"));
        }
        let heads = heads_string(&self.automerge_mut().get_heads());
        let id = ctx.ids.next_id();
        let best = self.collab_section("best")?;
        let am = self.automerge_mut();
        let e = am.put_object(&best, id.as_str(), ObjType::Map)?;
        am.put(&e, "name", name)?;
        am.put(&e, "heads", heads.as_str())?;
        am.put(&e, "by", who.member.as_str())?;
        am.put(&e, "by_name", who.name.as_str())?;
        am.put(&e, "at", ctx.now_ms)?;
        self.finish(ctx, "best")?;
        Ok(id)
    }

    /// Records a reflection after teaching. Returns its id.
    pub fn reflect(
        &mut self,
        worked: &str,
        change: &str,
        difficulties: &str,
        who: &Who,
        ctx: &mut EditCtx<'_>,
    ) -> Result<String, DocError> {
        check_body("worked", worked, false)?;
        check_body("change", change, false)?;
        check_body("difficulties", difficulties, false)?;
        if [worked, change, difficulties]
            .iter()
            .all(|s| s.trim().is_empty())
        {
            return Err(invalid(
                "reflection",
                "write at least one of what worked, what to change, learners' difficulties",
            ));
        }
        let id = ctx.ids.next_id();
        let refl = self.collab_section("reflections")?;
        let am = self.automerge_mut();
        let e = am.put_object(&refl, id.as_str(), ObjType::Map)?;
        put_entry(am, &e, who, ctx.now_ms)?;
        am.put(&e, "worked", worked)?;
        am.put(&e, "change", change)?;
        am.put(&e, "difficulties", difficulties)?;
        self.finish(ctx, "reflection")?;
        Ok(id)
    }

    /// Records which version of which shared plan this site copy follows.
    pub fn set_upstream(
        &mut self,
        doc: &str,
        title: &str,
        heads: &[ChangeHash],
        ctx: &mut EditCtx<'_>,
    ) -> Result<ChangeHash, DocError> {
        crate::doc::validate_id(doc)?;
        let up = self.collab_section("upstream")?;
        let am = self.automerge_mut();
        am.put(&up, "doc", doc)?;
        am.put(&up, "title", title)?;
        am.put(&up, "heads", heads_string(heads).as_str())?;
        self.finish(ctx, "upstream")
    }
}

fn write_message(
    am: &mut automerge::AutoCommit,
    msgs: &ObjId,
    id: &str,
    body: &str,
    mentions: &[String],
    who: &Who,
    now: i64,
) -> Result<(), DocError> {
    let m = am.put_object(msgs, id, ObjType::Map)?;
    put_entry(am, &m, who, now)?;
    am.put(&m, "body", body)?;
    let men = am.put_object(&m, "mentions", ObjType::Map)?;
    for x in mentions {
        am.put(&men, x.as_str(), true)?;
    }
    Ok(())
}

/// Makes `dst`'s collaboration data equal `src`'s, as pending operations
/// (a squash folds a shared case's unpushed changes into one, and must
/// carry what people said with them). Threads new since `dst`'s version
/// are anchored again on `dst`'s text, which by then equals `src`'s: their
/// cursors named characters typed in the changes the squash replaces.
/// Returns whether anything changed.
pub(crate) fn carry(src: &Document, dst: &mut Document) -> Result<bool, DocError> {
    // Every `collab` map of `src`, not only the one Automerge shows: what
    // two devices wrote into maps they each created is all carried.
    let from = all_maps(src.automerge(), &ROOT, "collab");
    if from.is_empty() {
        return Ok(false);
    }
    let before = dst.automerge().pending_ops();
    let known: Vec<String> = dst.collab().threads.iter().map(|t| t.id.clone()).collect();
    let to = dst.collab_mut()?;
    copy_map(src.automerge(), &from, dst.automerge_mut(), &to)?;
    let moved: Vec<(String, Thread)> = src
        .collab()
        .threads
        .into_iter()
        .filter(|t| !known.contains(&t.id))
        .map(|t| (t.id.clone(), t))
        .collect();
    for (id, t) in moved {
        let Place::Range { from, to, .. } = t.place else {
            continue;
        };
        let row = (!t.row.is_empty()).then_some((t.row.as_str(), t.item.as_str()));
        let Some(obj) = dst.text_obj(&t.field, row) else {
            continue;
        };
        let Ok(a) = Anchor::new(dst, &obj, from, to) else {
            continue;
        };
        let tobj = dst.thread_obj(&id)?;
        let (s, e) = a.to_bytes();
        let am = dst.automerge_mut();
        am.put(&tobj, "start", ScalarValue::Bytes(s))?;
        am.put(&tobj, "end", ScalarValue::Bytes(e))?;
    }
    dst.refresh_after_collab();
    Ok(dst.automerge().pending_ops() > before)
}

/// Makes the map `to` of `dst` hold the union of the maps `from` of `src`
/// (conflicting maps at one key, the one shown first): keys in none of
/// them are deleted, maps are merged level by level, and a scalar comes
/// from the first map that has the key.
fn copy_map(
    src: &automerge::AutoCommit,
    from: &[ObjId],
    dst: &mut automerge::AutoCommit,
    to: &ObjId,
) -> Result<(), DocError> {
    let mut keys: Vec<String> = Vec::new();
    for f in from {
        for k in src.keys(f) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    for old in dst.keys(to).collect::<Vec<_>>() {
        if !keys.contains(&old) {
            dst.delete(to, old.as_str())?;
        }
    }
    for k in keys {
        let maps: Vec<ObjId> = from.iter().flat_map(|f| all_maps(src, f, &k)).collect();
        if !maps.is_empty() {
            let d = put_map(dst, to, &k)?;
            copy_map(src, &maps, dst, &d)?;
            continue;
        }
        // `collab` holds only maps and scalars (see the layout).
        let scalar = from.iter().find_map(|f| match src.get(f, k.as_str()) {
            Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
            _ => None,
        });
        if let Some(v) = scalar {
            let same = matches!(dst.get(to, k.as_str())?, Some((Value::Scalar(w), _)) if *w == v);
            if !same {
                dst.put(to, k.as_str(), v)?;
            }
        }
    }
    Ok(())
}
