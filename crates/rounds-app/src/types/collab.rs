//! The IPC types of preparing a plan together (集体备课): what the editor's
//! group bar, comment margin, review panel, compare view, site-copy banner
//! and the inbox show, and what their forms send. Built from
//! `rounds_core::collab`'s values in `crate::collab`.

use std::collections::BTreeMap;

use rounds_core::collab::{self, Piece, Place};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{DocView, Label};

/// A member of the office, from the directory the last sync cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemberInfo {
    pub id: String,
    pub name: String,
    /// `office_admin`, `lead_teacher` or `teacher`.
    pub role: String,
    /// The hospital or site the member works at; may be empty.
    pub site: String,
}

/// A stage, a review state or a recommendation: its key and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyLabel {
    pub key: String,
    pub label: Label,
}

impl KeyLabel {
    pub(crate) fn table(t: &[(&str, &str, &str)]) -> Vec<KeyLabel> {
        t.iter()
            .map(|(k, en, zh)| KeyLabel {
                key: (*k).to_owned(),
                label: Label {
                    zh: (*zh).to_owned(),
                    en: (*en).to_owned(),
                },
            })
            .collect()
    }
}

/// A member of a preparation group (also what the group editor sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupMember {
    pub member: String,
    pub name: String,
    pub site: String,
    /// May edit the plan itself, not only comment on it.
    pub edit: bool,
}

/// The preparation group: the lead preparer (主备人) and participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupView {
    pub lead: String,
    pub lead_name: String,
    pub participants: Vec<GroupMember>,
    /// Stage key → due date, `YYYY-MM-DD`.
    pub due: BTreeMap<String, String>,
}

/// What the group editor sends: the lead and participants by member id
/// (names and sites as the directory shows them) and due dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupForm {
    pub lead: GroupMember,
    pub participants: Vec<GroupMember>,
    pub due: BTreeMap<String, String>,
}

/// One entry of a log: a stage moved to, a review decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LogItem {
    pub id: String,
    /// The stage or review state.
    pub value: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
    pub note: String,
}

impl From<&collab::LogEntry> for LogItem {
    fn from(e: &collab::LogEntry) -> LogItem {
        LogItem {
            id: e.id.clone(),
            value: e.value.clone(),
            by: e.by.clone(),
            name: e.name.clone(),
            at: e.at,
            note: e.note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageView {
    pub id: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
    pub body: String,
    /// Member ids mentioned.
    pub mentions: Vec<String>,
}

/// A suggestion's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecisionView {
    /// `accepted` or `rejected`.
    pub value: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// Where a thread points now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PlaceView {
    /// A whole field, row, or the document.
    Whole,
    /// A selection, now at these code-point positions of the field's text.
    Range { from: u32, to: u32, text: String },
    /// Its text was deleted: shown with its quote.
    Orphaned,
}

impl From<&Place> for PlaceView {
    fn from(p: &Place) -> PlaceView {
        match p {
            Place::Whole => PlaceView::Whole,
            Place::Range { from, to, text } => PlaceView::Range {
                from: *from as u32,
                to: *to as u32,
                text: text.clone(),
            },
            Place::Orphaned => PlaceView::Orphaned,
        }
    }
}

/// A comment thread or a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ThreadView {
    pub id: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
    /// `comment` or `suggestion`.
    pub kind: String,
    /// The field (empty: the whole document), and a list row and its field.
    pub field: String,
    pub row: String,
    pub item: String,
    /// The text selected when it was made.
    pub quote: String,
    /// A suggestion's replacement text.
    pub proposed: String,
    /// `open` or `resolved`.
    pub state: String,
    pub decision: Option<DecisionView>,
    pub messages: Vec<MessageView>,
    pub place: PlaceView,
}

impl From<&collab::Thread> for ThreadView {
    fn from(t: &collab::Thread) -> ThreadView {
        ThreadView {
            id: t.id.clone(),
            by: t.by.clone(),
            name: t.name.clone(),
            at: t.at,
            kind: t.ty.clone(),
            field: t.field.clone(),
            row: t.row.clone(),
            item: t.item.clone(),
            quote: t.quote.clone(),
            proposed: t.proposed.clone(),
            state: t.state.clone(),
            decision: t.decision.as_ref().map(|d| DecisionView {
                value: d.value.clone(),
                by: d.by.clone(),
                name: d.name.clone(),
                at: d.at,
            }),
            messages: t
                .messages
                .iter()
                .map(|m| MessageView {
                    id: m.id.clone(),
                    by: m.by.clone(),
                    name: m.name.clone(),
                    at: m.at,
                    body: m.body.clone(),
                    mentions: m.mentions.clone(),
                })
                .collect(),
            place: (&t.place).into(),
        }
    }
}

/// What a comment or suggestion is about: a field (or `title`; empty for
/// the whole document), a list row and its field, and a selection in
/// code points (end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TargetInput {
    pub field: String,
    pub row: String,
    pub item: String,
    pub range: Option<(u32, u32)>,
}

impl From<&TargetInput> for collab::Target {
    fn from(t: &TargetInput) -> collab::Target {
        collab::Target {
            field: t.field.clone(),
            row: t.row.clone(),
            item: t.item.clone(),
            range: t.range.map(|(a, b)| (a as usize, b as usize)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CriterionInfo {
    pub key: String,
    pub label: Label,
}

/// A review rubric: its criteria, each scored from `min` to `max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RubricInfo {
    pub name: String,
    pub label: Label,
    #[ts(type = "number")]
    pub min: i64,
    #[ts(type = "number")]
    pub max: i64,
    pub criteria: Vec<CriterionInfo>,
}

/// One reviewer's scores and words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewView {
    pub reviewer: String,
    pub name: String,
    pub rubric: String,
    #[ts(type = "Record<string, number>")]
    pub scores: BTreeMap<String, i64>,
    pub notes: BTreeMap<String, String>,
    pub comment: String,
    pub recommendation: String,
    /// A declared conflict of interest; empty when none.
    pub coi: String,
    #[ts(type = "number")]
    pub at: i64,
    #[ts(type = "number")]
    pub total: i64,
}

/// What the rubric form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewForm {
    pub rubric: String,
    #[ts(type = "Record<string, number>")]
    pub scores: BTreeMap<String, i64>,
    pub notes: BTreeMap<String, String>,
    pub comment: String,
    pub recommendation: String,
    pub coi: String,
}

/// A best version (精华).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BestView {
    pub id: String,
    pub name: String,
    pub by_name: String,
    #[ts(type = "number")]
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReflectionView {
    pub id: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
    pub worked: String,
    pub change: String,
    pub difficulties: String,
}

/// A run of text in both versions, only the old, or only the new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum PieceView {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldDiffView {
    pub field: String,
    pub label: Label,
    pub old: String,
    pub new: String,
    pub pieces: Vec<PieceView>,
}

impl From<collab::FieldDiff> for FieldDiffView {
    fn from(d: collab::FieldDiff) -> FieldDiffView {
        FieldDiffView {
            field: d.field,
            label: Label {
                zh: d.label_zh,
                en: d.label_en,
            },
            old: d.old,
            new: d.new,
            pieces: d
                .pieces
                .into_iter()
                .map(|p| match p {
                    Piece::Same(t) => PieceView::Same(t),
                    Piece::Deleted(t) => PieceView::Deleted(t),
                    Piece::Inserted(t) => PieceView::Inserted(t),
                })
                .collect(),
        }
    }
}

/// Two versions of a document compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CompareView {
    /// The versions as change hashes (empty: the document as it is).
    pub from: String,
    pub to: String,
    pub fields: Vec<FieldDiffView>,
}

/// The shared plan a site copy (二次备课) follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpstreamView {
    pub doc: String,
    pub title: String,
    /// Whether the shared plan is on this device (it arrives by sync).
    pub available: bool,
    /// Whether it changed since the copy was made or last took it.
    pub changed: bool,
    /// What changed in it since, field by field.
    pub diff: Vec<FieldDiffView>,
}

/// What this member may do on this document, by the office's rules (the
/// buttons shown; the rules are checked again on every action).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Allowed {
    pub comment: bool,
    /// Change the plan's content (not only comment on it).
    pub edit: bool,
    pub set_group: bool,
    pub move_stage: bool,
    pub decide_suggestions: bool,
    pub resolve: bool,
    pub submit: bool,
    pub decide_review: bool,
    pub score: bool,
    pub mark_best: bool,
    pub reflect: bool,
    pub adapt: bool,
}

/// Everything the editor shows about preparing a document together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CollabView {
    pub doc: String,
    /// This device's member in its office; `None` before joining (nothing
    /// collaborative can be done then).
    pub me: Option<MemberInfo>,
    /// The office's member directory, as the last sync cached it.
    pub members: Vec<MemberInfo>,
    pub allowed: Allowed,
    pub group: Option<GroupView>,
    /// The current stage (the last of `stages`).
    pub stage: Option<LogItem>,
    pub stages: Vec<LogItem>,
    /// The stages in order, with labels.
    pub stage_table: Vec<KeyLabel>,
    pub review_state: Option<LogItem>,
    pub decisions: Vec<LogItem>,
    pub review_states: Vec<KeyLabel>,
    pub recommendations: Vec<KeyLabel>,
    pub rubrics: Vec<RubricInfo>,
    pub reviews: Vec<ReviewView>,
    /// Threads whose text is there (or that are about a whole field).
    pub threads: Vec<ThreadView>,
    /// Threads whose selected text was deleted.
    pub orphaned: Vec<ThreadView>,
    pub best: Vec<BestView>,
    pub upstream: Option<UpstreamView>,
    pub reflections: Vec<ReflectionView>,
}

/// An item of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InboxEntry {
    pub doc: String,
    pub title: String,
    /// The item's id, for marking it read.
    pub item: String,
    /// `comment`, `suggestion`, `reply`, `mention`, `decision`, `stage`,
    /// `review_request`, `review`, `scores`, `best`, `reflection`.
    pub kind: String,
    pub by: String,
    pub name: String,
    #[ts(type = "number")]
    pub at: i64,
    /// The thread it belongs to; empty if none.
    pub thread: String,
    pub text: String,
    /// `text` in both languages when it is a stage, a review state or a
    /// suggestion's decision (a key, not what someone wrote).
    pub label: Option<Label>,
    pub read: bool,
}

/// The labels of a key an inbox item's text may be.
fn label_of(kind: &str, text: &str) -> Option<Label> {
    // Every kind's stages: an inbox lists items of all documents.
    let stages: Vec<(&str, &str, &str)> = rounds_core::DocKind::all()
        .into_iter()
        .flat_map(|k| k.stages().iter().map(|s| (s.key, s.en, s.zh)))
        .collect();
    let table: &[(&str, &str, &str)] = match kind {
        "stage" => &stages,
        "review" | "review_request" => collab::REVIEW_STATES,
        "decision" => &[
            ("accepted", "Accepted", "已采纳"),
            ("rejected", "Not accepted", "未采纳"),
        ],
        _ => return None,
    };
    // A decision with a note reads `approved: the note`.
    let (key, note) = text.split_once(": ").unwrap_or((text, ""));
    table.iter().find(|(k, ..)| *k == key).map(|(_, en, zh)| {
        if note.is_empty() {
            Label {
                zh: (*zh).to_owned(),
                en: (*en).to_owned(),
            }
        } else {
            Label {
                zh: format!("{zh}：{note}"),
                en: format!("{en}: {note}"),
            }
        }
    })
}

impl From<rounds_store::InboxItem> for InboxEntry {
    fn from(i: rounds_store::InboxItem) -> InboxEntry {
        InboxEntry {
            label: label_of(&i.kind, &i.text),
            doc: i.doc,
            title: i.title,
            item: i.item,
            kind: i.kind,
            by: i.by,
            name: i.name,
            at: i.at,
            thread: i.thread,
            text: i.text,
            read: i.read,
        }
    }
}

/// Unread inbox items of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UnreadCount {
    pub doc: String,
    pub count: u32,
}

/// A site copy after taking the shared plan's changes: the copy, and the
/// fields that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TakenUpstream {
    pub view: DocView,
    pub changed: Vec<String>,
}
