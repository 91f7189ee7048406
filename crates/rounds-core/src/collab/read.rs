//! Reading `collab` out of a document into plain values.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::Serialize;

use super::anchor::{Anchor, Resolved};
use crate::doc::Document;

/// A member of a preparation group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub member: String,
    pub name: String,
    pub site: String,
    /// May edit the plan itself, not only comment on it.
    pub edit: bool,
}

/// The preparation group: the lead preparer (主备人) and participants (参与人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Group {
    pub lead: String,
    pub lead_name: String,
    pub participants: Vec<Participant>,
    /// Stage → due date (`YYYY-MM-DD`).
    pub due: BTreeMap<String, String>,
}

impl Group {
    pub fn is_participant(&self, member: &str) -> bool {
        self.participants.iter().any(|p| p.member == member)
    }

    pub fn may_edit(&self, member: &str) -> bool {
        self.lead == member
            || self
                .participants
                .iter()
                .any(|p| p.member == member && p.edit)
    }

    /// The lead and every participant.
    pub fn people(&self) -> Vec<String> {
        let mut v = vec![self.lead.clone()];
        v.extend(self.participants.iter().map(|p| p.member.clone()));
        v
    }
}

/// One entry of a log (stages, review decisions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub id: String,
    pub value: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    pub body: String,
    pub mentions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// `accepted` or `rejected`.
    pub value: String,
    pub by: String,
    pub name: String,
    pub at: i64,
}

/// Where a thread points now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Place {
    /// A whole field, row or the document.
    Whole,
    /// A selection, at these character positions now, holding this text.
    Range {
        from: usize,
        to: usize,
        text: String,
    },
    /// All of the selected text was deleted: shown with its quote.
    Orphaned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    pub id: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    /// `comment` or `suggestion`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The field it is about; empty for the whole document.
    pub field: String,
    pub row: String,
    pub item: String,
    #[serde(skip)]
    pub anchor: Option<Anchor>,
    pub quote: String,
    /// The version it was made on, space-separated change hashes.
    pub heads: String,
    pub proposed: String,
    /// `open` or `resolved`.
    pub state: String,
    pub state_by: String,
    pub decision: Option<Decision>,
    pub messages: Vec<Message>,
    pub place: Place,
}

impl Thread {
    pub fn orphaned(&self) -> bool {
        self.place == Place::Orphaned
    }

    /// Everyone who wrote in it.
    pub fn voices(&self) -> Vec<String> {
        let mut v = vec![self.by.clone()];
        for m in &self.messages {
            if !v.contains(&m.by) {
                v.push(m.by.clone());
            }
        }
        v
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub reviewer: String,
    pub name: String,
    pub rubric: String,
    pub scores: BTreeMap<String, i64>,
    pub notes: BTreeMap<String, String>,
    pub comment: String,
    pub recommendation: String,
    /// A declared conflict of interest; empty when none.
    pub coi: String,
    pub at: i64,
}

impl Review {
    pub fn total(&self) -> i64 {
        self.scores.values().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Best {
    pub id: String,
    pub name: String,
    pub heads: String,
    pub by: String,
    pub by_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub doc: String,
    pub title: String,
    pub heads: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reflection {
    pub id: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    pub worked: String,
    pub change: String,
    pub difficulties: String,
}

/// Everything a document says about preparing it together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Collab {
    pub group: Option<Group>,
    pub stages: Vec<LogEntry>,
    pub decisions: Vec<LogEntry>,
    pub threads: Vec<Thread>,
    pub reviews: Vec<Review>,
    pub best: Vec<Best>,
    pub upstream: Option<Upstream>,
    pub reflections: Vec<Reflection>,
}

impl Collab {
    /// The current stage: the latest entry of the log.
    pub fn stage(&self) -> Option<&LogEntry> {
        self.stages.last()
    }

    /// The review track's current state.
    pub fn review_state(&self) -> Option<&LogEntry> {
        self.decisions.last()
    }

    pub fn thread(&self, id: &str) -> Option<&Thread> {
        self.threads.iter().find(|t| t.id == id)
    }

    pub fn is_empty(&self) -> bool {
        *self == Collab::default()
    }
}

impl Document {
    /// The document's collaboration data, with every thread's anchor
    /// resolved against the document as it is now.
    pub fn collab(&self) -> Collab {
        read_collab(self)
    }
}

pub(super) fn collab_obj(am: &AutoCommit) -> Option<ObjId> {
    map_at(am, &ROOT, "collab")
}

/// Every map at `key`: the one Automerge shows first, then any that
/// conflict with it. Two devices that first comment on a plan at the same
/// time each create `collab` (or its `threads`) as a map of their own;
/// Automerge keeps both but shows one, so reading only that one would hide
/// the other device's comments. Rounds reads the union; writes go to the
/// map shown.
pub(super) fn all_maps(am: &AutoCommit, obj: &ObjId, key: &str) -> Vec<ObjId> {
    let mut out: Vec<ObjId> = map_at(am, obj, key).into_iter().collect();
    for (v, id) in am.get_all(obj, key).unwrap_or_default() {
        if matches!(v, Value::Object(ObjType::Map)) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Every map a section of `collab` (`threads`, `stages`…) is kept in.
pub(super) fn section(am: &AutoCommit, key: &str) -> Vec<ObjId> {
    all_maps(am, &ROOT, "collab")
        .iter()
        .flat_map(|c| all_maps(am, c, key))
        .collect()
}

/// The entries of several maps of maps, the first of each key kept.
pub(super) fn union(am: &AutoCommit, objs: &[ObjId]) -> Vec<(String, ObjId)> {
    let mut out: Vec<(String, ObjId)> = Vec::new();
    for o in objs {
        for (k, e) in entries(am, o) {
            if !out.iter().any(|(x, _)| *x == k) {
                out.push((k, e));
            }
        }
    }
    out
}

pub(super) fn map_at(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<ObjId> {
    match am.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

pub(super) fn s(am: &AutoCommit, obj: &ObjId, key: &str) -> String {
    crate::doc::get_str(am, obj, key).unwrap_or_default()
}

pub(super) fn int(am: &AutoCommit, obj: &ObjId, key: &str) -> i64 {
    match am.get(obj, key) {
        Ok(Some((Value::Scalar(v), _))) => match v.as_ref() {
            ScalarValue::Int(i) => *i,
            ScalarValue::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
            ScalarValue::Timestamp(t) => *t,
            _ => 0,
        },
        _ => 0,
    }
}

pub(super) fn flag(am: &AutoCommit, obj: &ObjId, key: &str) -> bool {
    matches!(am.get(obj, key), Ok(Some((Value::Scalar(v), _))) if matches!(v.as_ref(), ScalarValue::Boolean(true)))
}

pub(super) fn bytes(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<Vec<u8>> {
    match am.get(obj, key) {
        Ok(Some((Value::Scalar(v), _))) => match v.as_ref() {
            ScalarValue::Bytes(b) => Some(b.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The entries of a map of maps, as (key, object).
pub(super) fn entries(am: &AutoCommit, obj: &ObjId) -> Vec<(String, ObjId)> {
    am.keys(obj)
        .filter_map(|k| map_at(am, obj, &k).map(|o| (k, o)))
        .collect()
}

fn log(am: &AutoCommit, key: &str, value_key: &str) -> Vec<LogEntry> {
    let mut v: Vec<LogEntry> = union(am, &section(am, key))
        .into_iter()
        .map(|(id, e)| LogEntry {
            value: s(am, &e, value_key),
            by: s(am, &e, "by"),
            name: s(am, &e, "name"),
            at: int(am, &e, "at"),
            note: s(am, &e, "note"),
            id,
        })
        .collect();
    v.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    v
}

fn read_collab(d: &Document) -> Collab {
    let am = d.automerge();
    if collab_obj(am).is_none() {
        return Collab::default();
    }
    let group = section(am, "group").first().cloned().map(|g| {
        let mut participants: Vec<Participant> = map_at(am, &g, "members")
            .map(|m| {
                entries(am, &m)
                    .into_iter()
                    .map(|(member, p)| Participant {
                        name: s(am, &p, "name"),
                        site: s(am, &p, "site"),
                        edit: flag(am, &p, "edit"),
                        member,
                    })
                    .collect()
            })
            .unwrap_or_default();
        participants
            .sort_by(|a, b| (&a.site, &a.name, &a.member).cmp(&(&b.site, &b.name, &b.member)));
        let due = map_at(am, &g, "due")
            .map(|m| am.keys(&m).map(|k| (k.clone(), s(am, &m, &k))).collect())
            .unwrap_or_default();
        Group {
            lead: s(am, &g, "lead"),
            lead_name: s(am, &g, "lead_name"),
            participants,
            due,
        }
    });
    let mut threads: Vec<Thread> = union(am, &section(am, "threads"))
        .into_iter()
        .map(|(id, o)| read_thread(d, am, id, &o))
        .collect();
    threads.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let mut reviews: Vec<Review> = Some(union(am, &section(am, "reviews")))
        .map(|r| {
            r.into_iter()
                .map(|(reviewer, o)| Review {
                    name: s(am, &o, "name"),
                    rubric: s(am, &o, "rubric"),
                    scores: map_at(am, &o, "scores")
                        .map(|m| am.keys(&m).map(|k| (k.clone(), int(am, &m, &k))).collect())
                        .unwrap_or_default(),
                    notes: map_at(am, &o, "notes")
                        .map(|m| am.keys(&m).map(|k| (k.clone(), s(am, &m, &k))).collect())
                        .unwrap_or_default(),
                    comment: s(am, &o, "comment"),
                    recommendation: s(am, &o, "recommendation"),
                    coi: s(am, &o, "coi"),
                    at: int(am, &o, "at"),
                    reviewer,
                })
                .collect()
        })
        .unwrap_or_default();
    reviews.sort_by(|a, b| (a.at, &a.reviewer).cmp(&(b.at, &b.reviewer)));
    let mut best: Vec<Best> = Some(union(am, &section(am, "best")))
        .map(|b| {
            b.into_iter()
                .map(|(id, o)| Best {
                    name: s(am, &o, "name"),
                    heads: s(am, &o, "heads"),
                    by: s(am, &o, "by"),
                    by_name: s(am, &o, "by_name"),
                    at: int(am, &o, "at"),
                    id,
                })
                .collect()
        })
        .unwrap_or_default();
    best.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let upstream = section(am, "upstream").first().cloned().map(|u| Upstream {
        doc: s(am, &u, "doc"),
        title: s(am, &u, "title"),
        heads: s(am, &u, "heads"),
    });
    let mut reflections: Vec<Reflection> = Some(union(am, &section(am, "reflections")))
        .map(|r| {
            r.into_iter()
                .map(|(id, o)| Reflection {
                    by: s(am, &o, "by"),
                    name: s(am, &o, "name"),
                    at: int(am, &o, "at"),
                    worked: s(am, &o, "worked"),
                    change: s(am, &o, "change"),
                    difficulties: s(am, &o, "difficulties"),
                    id,
                })
                .collect()
        })
        .unwrap_or_default();
    reflections.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Collab {
        group,
        stages: log(am, "stages", "stage"),
        decisions: log(am, "decisions", "state"),
        threads,
        reviews,
        best,
        upstream,
        reflections,
    }
}

fn read_thread(d: &Document, am: &AutoCommit, id: String, o: &ObjId) -> Thread {
    let mut messages: Vec<Message> = Some(union(am, &all_maps(am, o, "messages")))
        .map(|m| {
            m.into_iter()
                .map(|(mid, e)| Message {
                    by: s(am, &e, "by"),
                    name: s(am, &e, "name"),
                    at: int(am, &e, "at"),
                    body: s(am, &e, "body"),
                    mentions: map_at(am, &e, "mentions")
                        .map(|x| am.keys(&x).collect())
                        .unwrap_or_default(),
                    id: mid,
                })
                .collect()
        })
        .unwrap_or_default();
    messages.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let (state, state_by) = map_at(am, o, "state")
        .map(|st| (s(am, &st, "value"), s(am, &st, "by")))
        .unwrap_or_default();
    let decision = map_at(am, o, "decision").map(|x| Decision {
        value: s(am, &x, "value"),
        by: s(am, &x, "by"),
        name: s(am, &x, "name"),
        at: int(am, &x, "at"),
    });
    let field = s(am, o, "field");
    let row = s(am, o, "row");
    let item = s(am, o, "item");
    let anchor = match (bytes(am, o, "start"), bytes(am, o, "end")) {
        (Some(a), Some(b)) => Anchor::from_bytes(&a, &b),
        _ => None,
    };
    let place = match &anchor {
        None => Place::Whole,
        Some(a) => match a.resolve(d, &field, &row, &item, None) {
            Resolved::Range { from, to, text } => Place::Range { from, to, text },
            Resolved::Gone => Place::Orphaned,
        },
    };
    Thread {
        by: s(am, o, "by"),
        name: s(am, o, "name"),
        at: int(am, o, "at"),
        ty: s(am, o, "type"),
        quote: s(am, o, "quote"),
        heads: s(am, o, "heads"),
        proposed: s(am, o, "proposed"),
        state: if state.is_empty() {
            "open".into()
        } else {
            state
        },
        state_by,
        decision,
        messages,
        place,
        anchor,
        field,
        row,
        item,
        id,
    }
}
