//! Preparing a document together (集体备课): the preparation group and its
//! stages, comment threads anchored to text, suggestions, the review track
//! with rubric scores, best versions (精华), site copies (二次备课) and
//! reflections.
//!
//! Everything lives in the document itself, under the root key `collab`, so
//! it travels, merges and is validated like the rest: a comment made offline
//! is an Automerge change like any edit. Layout (document schema 2; a
//! document gains the key, and schema 2, with its first collaborative
//! change, so documents without one stay readable by older builds):
//!
//! | key under `collab` | value |
//! |---|---|
//! | `group` | map: `lead` (member id), `lead_name`, `members` (map member id → map `name`, `site`, `edit` bool), `due` (map stage → `YYYY-MM-DD`) |
//! | `stages` | map entry id → map `stage`, `by`, `name`, `at`: a log, the latest entry is the stage (the stages are the kind's, `KindDecl::stages`) |
//! | `decisions` | map entry id → map `state`, `by`, `name`, `at`, `note`: the review track's log |
//! | `threads` | map thread id → [`Thread`]'s map (below) |
//! | `reviews` | map reviewer member id → map `name`, `rubric`, `scores` (criterion → int), `notes` (criterion → str), `comment`, `recommendation`, `coi`, `at` |
//! | `best` | map entry id → map `name`, `heads` (space-separated hashes), `by`, `by_name`, `at` |
//! | `upstream` | map `doc`, `title`, `heads` (what the site copy was made from or last took) |
//! | `reflections` | map entry id → map `by`, `name`, `at`, `worked`, `change`, `difficulties` |
//!
//! A thread: `by`, `name`, `at`, `type` (`comment`/`suggestion`), `field`
//! (empty for the whole document, `section:<key>` for a whole section),
//! `row`, `item` (a list element and its
//! field), `start`/`end` (Automerge cursors, bytes, for a selection), `quote`
//! and `heads` (the selected text and the version it was made on), `proposed`
//! (a suggestion's text), `state` (map `value` open/resolved, `by`, `at`),
//! `decision` (map `value` accepted/rejected, `by`, `name`, `at`), `messages`
//! (map message id → map `by`, `name`, `at`, `body`, `mentions` map member → true).
//!
//! Logs are maps of entries rather than scalars so that concurrent moves
//! both stay, attributed, and the latest (by time, then id) decides:
//! nothing anyone did is overwritten silently. Entries are immutable once
//! written, except the parts their author (or the role that decides them)
//! may change, which [`policy`] spells out and the office enforces.
//!
//! Who is who: members are named by their office member id (the office
//! checks that every new entry's `by` is the sender). Anchors are a cursor
//! pair, not marks: marks of one name overwrite each other and vanish with
//! their text, while a cursor pair resolves inverted once its text is gone,
//! which is how an orphaned thread is told apart.

mod anchor;
mod compare;
mod events;
mod merge3;
pub mod policy;
mod read;
mod record;
pub mod rubric;
mod site;
mod write;

pub use anchor::Anchor;
pub use compare::{FieldDiff, Piece, compare};
pub use events::{DECIDERS, Event, events};
pub use merge3::merge3;
pub use read::*;
pub use record::{review_record, review_record_in};
pub use site::{site_copy_fields, upstream_changed};
pub(crate) use write::carry;
pub use write::*;

use serde::Serialize;

/// The keys under which `collab` keeps what people write (message bodies,
/// suggested and quoted text, review comments and reflections): what the
/// identifier checks read, as they read the text of fields.
pub const TEXT_KEYS: &[&str] = &[
    "body",
    "proposed",
    "quote",
    "note",
    "comment",
    "coi",
    "worked",
    "change",
    "difficulties",
];

/// Whether a key under `collab` holds what people write: [`TEXT_KEYS`], or
/// a rubric criterion (a review's note on it).
pub fn is_text_key(k: &str) -> bool {
    is_text_key_in(k, &[])
}

/// [`is_text_key`], with the criteria of the office's rubrics too.
pub fn is_text_key_in(k: &str, office: &[rubric::RubricDef]) -> bool {
    TEXT_KEYS.contains(&k)
        || rubric::Rubric::all()
            .iter()
            .any(|r| r.criterion(k).is_some())
        || office.iter().any(|r| r.criterion(k).is_some())
}

/// The schema a document has once it holds collaboration data.
pub const COLLAB_SCHEMA: u64 = 2;

/// The longest comment, reply, reflection or suggested text.
pub const BODY_MAX: usize = 10_000;
/// The longest name of a best version or note of a decision.
pub const NAME_MAX: usize = 200;

/// The review track's states.
pub const REVIEW_STATES: &[(&str, &str, &str)] = &[
    ("submitted", "Submitted", "已提交"),
    ("in_review", "In review", "审核中"),
    ("approved", "Approved", "已通过"),
    ("changes_requested", "Changes requested", "需修改"),
    ("rejected", "Rejected", "未通过"),
    ("published", "Published", "已发布"),
];

/// A reviewer's recommendation.
pub const RECOMMENDATIONS: &[(&str, &str, &str)] = &[
    ("accept", "Accept", "接受"),
    ("minor", "Minor revision", "小修"),
    ("major", "Major revision", "大修"),
    ("reject", "Reject", "拒绝"),
];

pub fn review_state_known(s: &str) -> bool {
    REVIEW_STATES.iter().any(|(k, ..)| *k == s)
}

/// The member acting: their office member id and the name shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Who {
    pub member: String,
    pub name: String,
}

impl Who {
    pub fn new(member: impl Into<String>, name: impl Into<String>) -> Who {
        Who {
            member: member.into(),
            name: name.into(),
        }
    }
}
