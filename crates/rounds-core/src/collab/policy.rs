//! Who may change which part of a document's collaboration data: the rules
//! the office enforces on every pushed state (it trusts no member's
//! device), and that a device checks before it saves, so that a teacher
//! learns at once what the office would refuse.
//!
//! [`check`] compares the document before and after a member's changes:
//!
//! - `collab`: the data has the layout of `collab` (keys, types, sizes).
//! - `attribution`: every new entry (thread, message, stage, decision,
//!   best version, reflection, review) names the sender as its author
//!   (member id, and the member's name in the office where it is known),
//!   and entries once written never change author, time or content,
//!   except a message's body by its author and a review by its reviewer;
//!   nothing is removed.
//! - `group`: the preparation group is set by the plan's owner, its lead
//!   preparer or an office admin.
//! - `edit`: once a plan has a group, its content (title, tags, language,
//!   fields) is changed only by the owner, the lead, participants allowed
//!   to edit, or an office admin; everyone else in the group comments. An
//!   edit made on a version whose group still allowed it (the right was
//!   withdrawn while it travelled) is accepted: see `Sender::could_edit_then`.
//! - `comment`: once a plan has a group, threads and replies come from its
//!   owner, lead, participants, lead teachers or office admins.
//! - `stage`: the kind declares its stages and who moves to each
//!   (`KindDecl::stages`; a lesson plan's: the lead preparer, or an office
//!   admin).
//! - `review`: the owner or lead submits; lead teachers and office admins
//!   decide, never on a plan they own or lead; steps follow the track.
//! - `suggestion`: the lead preparer (or the owner, or an office admin)
//!   accepts or rejects a suggestion, once.
//! - `scores`: reviewers are lead teachers or office admins who neither own
//!   nor lead the plan, and each writes only their own review.
//! - `best`: best versions are marked by lead teachers and office admins.
//! - `upstream`: only the copy's owner says what it follows.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use super::read::{Collab, LogEntry, Thread};
use super::rubric::{self, RubricDef};
use super::{BODY_MAX, COLLAB_SCHEMA, NAME_MAX, review_state_known};
use crate::doc::{Document, RESERVED_KEYS};

/// The member whose changes are checked.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub member: &'a str,
    /// `office_admin`, `lead_teacher` or `teacher`.
    pub role: &'a str,
    /// The sender owns the document.
    pub owner: bool,
    /// The member's name in the office, when the checker knows it: new
    /// entries must carry it, so no one comments under a colleague's name
    /// with their own member id.
    pub name: Option<&'a str>,
    /// The office's own review rubrics, beside the built-in ones.
    pub rubrics: &'a [RubricDef],
    /// The sender's changes were made on a version whose group let them
    /// edit (the office looks when the group it has now does not: a right
    /// withdrawn while the sender's edits were on their way must not hold
    /// those edits, and every later change of the document, forever).
    pub could_edit_then: bool,
}

impl Sender<'_> {
    fn signs(&self, name: &str) -> bool {
        self.name.is_none_or(|n| n == name)
    }
}

impl Sender<'_> {
    fn admin(&self) -> bool {
        self.role == "office_admin"
    }

    fn decider(&self) -> bool {
        self.role == "office_admin" || self.role == "lead_teacher"
    }
}

/// A refusal: the rule's name and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)
    }
}

fn no(rule: &'static str, message: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal {
        rule,
        message: message.into(),
    })
}

/// Whether the review track may go from `from` (`None`: never submitted)
/// to `to`.
pub fn review_step_allowed(from: Option<&str>, to: &str) -> bool {
    matches!(
        (from, to),
        (None | Some("changes_requested" | "rejected"), "submitted")
            | (Some("submitted"), "in_review")
            | (
                Some("submitted" | "in_review"),
                "approved" | "changes_requested" | "rejected"
            )
            | (Some("approved"), "published")
    )
}

/// Checks the document `after` a member's changes against `before` (`None`
/// for a document new to the checker).
pub fn check(before: Option<&Document>, after: &Document, who: &Sender<'_>) -> Result<(), Refusal> {
    check_shape(after.automerge())?;
    let b = before.map(Document::collab).unwrap_or_default();
    let a = after.collab();
    if !a.is_empty() && after.schema() < COLLAB_SCHEMA {
        return no(
            "collab",
            format!("a document with collaboration data is schema {COLLAB_SCHEMA} or later"),
        );
    }
    let group_before = b.group.clone();
    let leads_before = group_before.as_ref().is_some_and(|g| g.lead == who.member);
    if a.group != b.group && !(who.owner || who.admin() || leads_before) {
        return no(
            "group",
            "only the plan's owner, its lead preparer or an office admin may set the preparation group",
        );
    }
    if let Some(g) = &a.group
        && g.lead.is_empty()
    {
        return no("group", "a preparation group needs a lead preparer");
    }
    // The group as it was decides who may do what in this push, so no one
    // joins and acts in one step (only the owner or an admin may change it).
    let group = group_before.as_ref().or(a.group.as_ref());
    let leads = group.is_some_and(|g| g.lead == who.member);
    if let (Some(g), Some(before)) = (&group_before, before)
        && content(before) != content(after)
        && !(who.owner || who.admin() || g.may_edit(who.member) || who.could_edit_then)
    {
        return no(
            "edit",
            "only the lead preparer and participants allowed to edit change this plan; you may comment on it",
        );
    }
    let may_comment = group.is_none_or(|g| {
        who.owner || who.decider() || g.lead == who.member || g.is_participant(who.member)
    });

    log_entries(&b.stages, &a.stages, who, "stage")?;
    for e in new_entries(&b.stages, &a.stages) {
        // The kind declares its stages and who moves to each.
        let Some(stage) = after.kind().stage(&e.value) else {
            return no(
                "stage",
                format!("`{}` is not a stage of this kind", e.value),
            );
        };
        if group.is_none() {
            return no("stage", "the plan has no preparation group");
        }
        let moves = stage
            .movers
            .iter()
            .any(|m| (*m == "lead" && leads) || *m == who.role);
        if !moves {
            return no(
                "stage",
                "only the lead preparer moves the preparation stages",
            );
        }
    }

    log_entries(&b.decisions, &a.decisions, who, "review")?;
    // A step must follow from a state the track has been in. Not only the
    // latest: two reviewers deciding offline at once both made a valid
    // step from what they saw, and the second to sync must not be stuck.
    let mut states: Vec<Option<String>> = vec![None];
    states.extend(b.decisions.iter().map(|e| Some(e.value.clone())));
    for e in new_entries(&b.decisions, &a.decisions) {
        if !review_state_known(&e.value) {
            return no("review", format!("`{}` is not a review state", e.value));
        }
        if !states
            .iter()
            .any(|s| review_step_allowed(s.as_deref(), &e.value))
        {
            let state = b.review_state().map(|e| e.value.clone());
            return no(
                "review",
                format!(
                    "a plan that is {} cannot become {}",
                    state.as_deref().unwrap_or("not submitted"),
                    e.value
                ),
            );
        }
        if e.value == "submitted" {
            if !(who.owner || leads || who.admin()) {
                return no(
                    "review",
                    "only the plan's owner or lead preparer submits it for review",
                );
            }
        } else if !who.decider() {
            return no(
                "review",
                "only a lead teacher or an office admin decides a review",
            );
        } else if who.owner || leads {
            return no(
                "review",
                "no one decides the review of a plan they own or lead",
            );
        }
        states.push(Some(e.value.clone()));
    }

    // Approving or publishing a plan on the review track, by a decision or
    // by the status field directly, is never its own owner's or lead's
    // decision. (A plan outside the track keeps the kind's field rule
    // alone: a lead teacher's own approved plans, imported or generated,
    // still sync.)
    let status = |d: &Document| d.choice("status");
    let decided = status(after)
        .filter(|s| matches!(s.as_str(), "approved" | "published"))
        .filter(|s| before.and_then(status).as_ref() != Some(s));
    let on_track = group.is_some() || !a.decisions.is_empty();
    if decided.is_some() && on_track && (who.owner || leads) {
        return no(
            "review",
            "no one approves or publishes a plan they own or lead",
        );
    }

    threads(&b, &a, who, may_comment, leads)?;

    // Reviews: each reviewer's own entry.
    for r in &a.reviews {
        let old = b.reviews.iter().find(|x| x.reviewer == r.reviewer);
        if old == Some(r) {
            continue;
        }
        if r.reviewer != who.member || !who.signs(&r.name) {
            return no("attribution", "a member writes only their own review");
        }
        if !who.decider() {
            return no("scores", "reviewers are lead teachers or office admins");
        }
        if who.owner || leads {
            return no("scores", "no one reviews a plan they own or lead");
        }
        let Some(rubric) = rubric::find(who.rubrics, &r.rubric) else {
            return no("scores", format!("`{}` is not a rubric", r.rubric));
        };
        for (k, v) in &r.scores {
            if let Err(e) = rubric.check_score(k, *v) {
                return no("scores", e);
            }
        }
        if !r.recommendation.is_empty()
            && !super::RECOMMENDATIONS
                .iter()
                .any(|(k, ..)| *k == r.recommendation)
        {
            return no(
                "scores",
                format!("`{}` is not a recommendation", r.recommendation),
            );
        }
    }
    if b.reviews
        .iter()
        .any(|r| !a.reviews.iter().any(|x| x.reviewer == r.reviewer))
    {
        return no("attribution", "a review may not be removed");
    }

    for x in &b.best {
        if !a.best.contains(x) {
            return no(
                "attribution",
                "a best version, once marked, stays as it was",
            );
        }
    }
    for x in a.best.iter().filter(|x| !b.best.contains(x)) {
        if x.by != who.member || !who.signs(&x.by_name) {
            return no(
                "attribution",
                "a best version names the member who marked it",
            );
        }
        if !who.decider() {
            return no(
                "best",
                "best versions are marked by lead teachers and office admins",
            );
        }
    }

    for x in &b.reflections {
        match a.reflections.iter().find(|y| y.id == x.id) {
            None => return no("attribution", "a reflection may not be removed"),
            Some(y) if y != x && (y.by != x.by || x.by != who.member || y.at < x.at) => {
                return no("attribution", "only its author changes a reflection");
            }
            _ => {}
        }
    }
    for x in a
        .reflections
        .iter()
        .filter(|y| !b.reflections.iter().any(|x| x.id == y.id))
    {
        if x.by != who.member || !who.signs(&x.name) {
            return no("attribution", "a reflection names the member who wrote it");
        }
        if !may_comment {
            return no(
                "comment",
                "only members of the preparation group record reflections",
            );
        }
    }

    if a.upstream != b.upstream && !who.owner {
        return no(
            "upstream",
            "only a site copy's owner says which plan it follows",
        );
    }
    Ok(())
}

/// The document's content: everything but its collaboration data and the
/// keys only metadata rules govern.
fn content(d: &Document) -> serde_json::Value {
    let mut j = d.to_json();
    if let Some(o) = j.as_object_mut() {
        o.retain(|k, _| {
            !RESERVED_KEYS.contains(&k.as_str())
                || matches!(k.as_str(), "title" | "tags" | "language")
        });
        // Review decisions set the status; the review rule governs that.
        o.remove("status");
    }
    j
}

fn new_entries<'a>(b: &[LogEntry], a: &'a [LogEntry]) -> impl Iterator<Item = &'a LogEntry> {
    let known: Vec<String> = b.iter().map(|e| e.id.clone()).collect();
    a.iter().filter(move |e| !known.contains(&e.id))
}

fn log_entries(
    b: &[LogEntry],
    a: &[LogEntry],
    who: &Sender<'_>,
    what: &str,
) -> Result<(), Refusal> {
    for e in b {
        if !a.contains(e) {
            return no(
                "attribution",
                format!("a {what} entry, once written, stays as it was"),
            );
        }
    }
    for e in new_entries(b, a) {
        if e.by != who.member || !who.signs(&e.name) {
            return no(
                "attribution",
                format!("a {what} entry names the member who made it"),
            );
        }
    }
    Ok(())
}

/// A thread's parts that never change once written.
fn fixed(t: &Thread) -> impl PartialEq + '_ {
    (
        &t.by,
        &t.name,
        t.at,
        &t.ty,
        &t.field,
        &t.row,
        &t.item,
        &t.anchor,
        &t.quote,
        &t.heads,
        &t.proposed,
    )
}

fn threads(
    b: &Collab,
    a: &Collab,
    who: &Sender<'_>,
    may_comment: bool,
    leads: bool,
) -> Result<(), Refusal> {
    for old in &b.threads {
        let Some(new) = a.thread(&old.id) else {
            return no("attribution", "a thread may not be removed");
        };
        if fixed(old) != fixed(new) {
            return no(
                "attribution",
                "a thread's author, anchor and quote never change",
            );
        }
        check_messages(Some(old), new, who, may_comment)?;
        if (old.state.as_str(), old.state_by.as_str())
            != (new.state.as_str(), new.state_by.as_str())
        {
            if new.state_by != who.member {
                return no(
                    "attribution",
                    "resolving or reopening names the member who did it",
                );
            }
            if !may_comment {
                return no(
                    "comment",
                    "only members of the preparation group resolve threads",
                );
            }
        }
        match (&old.decision, &new.decision) {
            (Some(x), Some(y)) if x == y => {}
            (Some(_), None) => return no("suggestion", "a decision may not be removed"),
            // Devices decide a suggestion once; two deciders deciding it
            // offline at once leave one decision (Automerge keeps one of
            // the two), which either may have pushed: the rule is who.
            (_, Some(d)) => {
                if d.by != who.member || !who.signs(&d.name) {
                    return no("attribution", "a decision names the member who made it");
                }
                if new.ty != "suggestion" || !matches!(d.value.as_str(), "accepted" | "rejected") {
                    return no("suggestion", "only suggestions are accepted or rejected");
                }
                if !(leads || who.owner || who.admin()) {
                    return no("suggestion", "the lead preparer decides suggestions");
                }
            }
            (None, None) => {}
        }
    }
    for new in a.threads.iter().filter(|t| b.thread(&t.id).is_none()) {
        if new.by != who.member || !who.signs(&new.name) {
            return no("attribution", "a thread names the member who started it");
        }
        if !may_comment {
            return no(
                "comment",
                "only members of the preparation group comment on this plan",
            );
        }
        if !matches!(new.ty.as_str(), "comment" | "suggestion") {
            return no("collab", format!("`{}` is not a kind of thread", new.ty));
        }
        if new.ty == "suggestion" && new.anchor.is_none() {
            return no("collab", "a suggestion replaces a selection of text");
        }
        if new.decision.is_some() && !(leads || who.owner || who.admin()) {
            return no("suggestion", "the lead preparer decides suggestions");
        }
        if new.state != "open" && new.state_by != who.member {
            return no("attribution", "resolving names the member who did it");
        }
        check_messages(None, new, who, may_comment)?;
    }
    Ok(())
}

fn check_messages(
    old: Option<&Thread>,
    new: &Thread,
    who: &Sender<'_>,
    may_comment: bool,
) -> Result<(), Refusal> {
    let before: BTreeMap<&str, _> = old
        .map(|t| t.messages.iter().map(|m| (m.id.as_str(), m)).collect())
        .unwrap_or_default();
    for m in &new.messages {
        match before.get(m.id.as_str()) {
            Some(o) if *o == m => {}
            Some(o) => {
                if (o.by.as_str(), o.at) != (m.by.as_str(), m.at) || o.by != who.member {
                    return no("attribution", "only its author edits a message");
                }
            }
            None => {
                if m.by != who.member || !who.signs(&m.name) {
                    return no("attribution", "a message names the member who wrote it");
                }
                if !may_comment {
                    return no(
                        "comment",
                        "only members of the preparation group comment on this plan",
                    );
                }
            }
        }
    }
    if before
        .keys()
        .any(|id| !new.messages.iter().any(|m| m.id == *id))
    {
        return no("attribution", "a message may not be removed");
    }
    Ok(())
}

/// What a value under `collab` may be.
enum S {
    Str(usize),
    Int,
    Bool,
    Bytes,
    /// A map with these keys (all optional).
    Rec(&'static [(&'static str, S)]),
    /// A map of ids to values, at most this many.
    Dict(&'static S, usize),
}

const ID: usize = 64;
const STATE: S = S::Rec(&[("value", S::Str(16)), ("by", S::Str(ID)), ("at", S::Int)]);
const DECISION: S = S::Rec(&[
    ("value", S::Str(16)),
    ("by", S::Str(ID)),
    ("name", S::Str(NAME_MAX)),
    ("at", S::Int),
]);
const MESSAGE: S = S::Rec(&[
    ("by", S::Str(ID)),
    ("name", S::Str(NAME_MAX)),
    ("at", S::Int),
    ("body", S::Str(BODY_MAX)),
    ("mentions", S::Dict(&S::Bool, 100)),
]);
const HEADS: usize = 65 * 64;
const THREAD: S = S::Rec(&[
    ("by", S::Str(ID)),
    ("name", S::Str(NAME_MAX)),
    ("at", S::Int),
    ("type", S::Str(16)),
    ("field", S::Str(ID)),
    ("row", S::Str(ID)),
    ("item", S::Str(ID)),
    ("start", S::Bytes),
    ("end", S::Bytes),
    ("quote", S::Str(BODY_MAX)),
    ("heads", S::Str(HEADS)),
    ("proposed", S::Str(BODY_MAX)),
    ("state", STATE),
    ("decision", DECISION),
    ("messages", S::Dict(&MESSAGE, 2_000)),
]);
const COLLAB: S = S::Rec(&[
    (
        "group",
        S::Rec(&[
            ("lead", S::Str(ID)),
            ("lead_name", S::Str(NAME_MAX)),
            (
                "members",
                S::Dict(
                    &S::Rec(&[
                        ("name", S::Str(NAME_MAX)),
                        ("site", S::Str(NAME_MAX)),
                        ("edit", S::Bool),
                    ]),
                    500,
                ),
            ),
            ("due", S::Dict(&S::Str(10), 16)),
        ]),
    ),
    (
        "stages",
        S::Dict(
            &S::Rec(&[
                ("stage", S::Str(16)),
                ("by", S::Str(ID)),
                ("name", S::Str(NAME_MAX)),
                ("at", S::Int),
            ]),
            1_000,
        ),
    ),
    (
        "decisions",
        S::Dict(
            &S::Rec(&[
                ("state", S::Str(32)),
                ("note", S::Str(BODY_MAX)),
                ("by", S::Str(ID)),
                ("name", S::Str(NAME_MAX)),
                ("at", S::Int),
            ]),
            1_000,
        ),
    ),
    ("threads", S::Dict(&THREAD, 5_000)),
    (
        "reviews",
        S::Dict(
            &S::Rec(&[
                ("name", S::Str(NAME_MAX)),
                ("rubric", S::Str(32)),
                ("scores", S::Dict(&S::Int, 32)),
                ("notes", S::Dict(&S::Str(BODY_MAX), 32)),
                ("comment", S::Str(BODY_MAX)),
                ("recommendation", S::Str(16)),
                ("coi", S::Str(BODY_MAX)),
                ("at", S::Int),
            ]),
            200,
        ),
    ),
    (
        "best",
        S::Dict(
            &S::Rec(&[
                ("name", S::Str(NAME_MAX)),
                ("heads", S::Str(HEADS)),
                ("by", S::Str(ID)),
                ("by_name", S::Str(NAME_MAX)),
                ("at", S::Int),
            ]),
            200,
        ),
    ),
    (
        "upstream",
        S::Rec(&[
            ("doc", S::Str(ID)),
            ("title", S::Str(NAME_MAX)),
            ("heads", S::Str(HEADS)),
        ]),
    ),
    (
        "reflections",
        S::Dict(
            &S::Rec(&[
                ("by", S::Str(ID)),
                ("name", S::Str(NAME_MAX)),
                ("at", S::Int),
                ("worked", S::Str(BODY_MAX)),
                ("change", S::Str(BODY_MAX)),
                ("difficulties", S::Str(BODY_MAX)),
            ]),
            1_000,
        ),
    ),
]);

/// The layout of `collab`, if the document has one.
pub fn check_shape(am: &AutoCommit) -> Result<(), Refusal> {
    for (v, obj) in am.get_all(automerge::ROOT, "collab").unwrap_or_default() {
        if !matches!(v, Value::Object(ObjType::Map)) {
            return no("collab", "`collab` must be a map");
        }
        walk(am, &obj, &COLLAB, "collab")?;
    }
    Ok(())
}

fn well_formed_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= ID
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn walk(am: &AutoCommit, obj: &ObjId, spec: &S, path: &str) -> Result<(), Refusal> {
    match spec {
        S::Rec(keys) => {
            for k in am.keys(obj) {
                let Some((_, s)) = keys.iter().find(|(n, _)| *n == k) else {
                    return no("collab", format!("`{path}.{k}` is not part of the layout"));
                };
                value(am, obj, &k, s, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        S::Dict(s, max) => {
            if am.length(obj) > *max {
                return no("collab", format!("`{path}` has more than {max} entries"));
            }
            for k in am.keys(obj) {
                if !well_formed_key(&k) {
                    return no("collab", format!("`{path}` has a malformed key"));
                }
                value(am, obj, &k, s, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        _ => no("collab", format!("`{path}` must be a map")),
    }
}

/// Every value at `key`, including values that conflict with the one
/// Automerge shows: Rounds reads those too (`read::all_maps`).
fn value(am: &AutoCommit, obj: &ObjId, key: &str, spec: &S, path: &str) -> Result<(), Refusal> {
    for (v, id) in am.get_all(obj, key).unwrap_or_default() {
        one_value(am, v, id, spec, path)?;
    }
    Ok(())
}

fn one_value(
    am: &AutoCommit,
    v: Value<'_>,
    id: ObjId,
    spec: &S,
    path: &str,
) -> Result<(), Refusal> {
    let ok = match (spec, &v) {
        (S::Rec(_) | S::Dict(..), Value::Object(ObjType::Map)) => return walk(am, &id, spec, path),
        (S::Str(max), Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Str(t) => {
                if t.chars().count() > *max {
                    return no(
                        "collab",
                        format!("`{path}` is longer than {max} characters"),
                    );
                }
                !t.chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
            }
            _ => false,
        },
        (S::Int, Value::Scalar(s)) => matches!(
            s.as_ref(),
            ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::Timestamp(_)
        ),
        (S::Bool, Value::Scalar(s)) => matches!(s.as_ref(), ScalarValue::Boolean(_)),
        (S::Bytes, Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Bytes(b) => {
                b.len() <= 256 && automerge::Cursor::try_from(b.as_slice()).is_ok()
            }
            _ => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        no(
            "collab",
            format!("`{path}` does not hold what the layout keeps there"),
        )
    }
}
