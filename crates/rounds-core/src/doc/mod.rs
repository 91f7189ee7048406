//! A lesson plan or case as an Automerge document.
//!
//! Layout of the Automerge root map (schema version 1):
//!
//! | key | value |
//! |---|---|
//! | `id`, `kind`, `owner`, `author` | strings, set once at creation |
//! | `schema` | the layout version that wrote the document |
//! | `created` | milliseconds since the epoch |
//! | `updated` | map of actor → milliseconds; the document's time is the largest, so concurrent edits never make it go backwards |
//! | `title` | text |
//! | `visibility`, `language` | strings (`private`/`office`, `zh`/`en`) |
//! | `deleted` | boolean tombstone, so deletion syncs and can be undone |
//! | `tags` | map of tag → true: a set, so concurrent additions merge |
//! | `fields` | map of field key → value, per [`crate::schema`] |
//!
//! Text fields are Automerge text objects, created empty with the document so
//! that two devices never race to create the same field. List fields are maps
//! of element id → element map with an `order` key and a `removed` flag; see
//! [`crate::order`] for why.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, PatchAction, ROOT, ReadDoc, ScalarValue, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::order;
use crate::schema::{
    AUTHOR_MAX, BASE_SCHEMA, DocKind, Field, FieldType, Lang, SCHEMA_VERSION, TAG_MAX, TAGS_MAX,
    TITLE_MAX,
};
use crate::time;

// The document model along its seams: this file holds the types and the
// document's life (create, load, merge, history); each child adds the
// methods and helpers of one concern, and sees this module's private items.
mod edit;
mod read;
mod share;
mod summary;
mod validate;
mod write;

use read::*;
pub(crate) use read::{get_i64, get_str};
pub use summary::{Summary, sections, summary_json};
use validate::*;
pub(crate) use validate::{check_chars, check_len};
pub use validate::{parse_field_input, parse_value_input, validate_id};
pub(crate) use write::list_items;
use write::*;

/// Root keys that are not fields.
pub const RESERVED_KEYS: &[&str] = &[
    "id",
    "kind",
    "schema",
    "title",
    "author",
    "owner",
    "created",
    "updated",
    "visibility",
    "language",
    "deleted",
    "tags",
    "fields",
    "attestation",
    "shared_as",
    "collab",
];

/// What went wrong with a document or an edit. Messages name the field.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocError {
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
    #[error(
        "this document was written by a newer version of Rounds (document schema {found}, this version knows {known}); it is open read-only — update Rounds to edit it"
    )]
    ReadOnly { found: u64, known: u64 },
    #[error("not a Rounds document: {0}")]
    NotRounds(String),
    #[error("invalid Automerge data: {0}")]
    Automerge(String),
}

impl From<automerge::AutomergeError> for DocError {
    fn from(e: automerge::AutomergeError) -> Self {
        DocError::Automerge(e.to_string())
    }
}

pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> DocError {
    DocError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Who may read a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only its author's devices.
    Private,
    /// Everyone in the author's office.
    Office,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Office => "office",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "private" => Some(Visibility::Private),
            "office" => Some(Visibility::Office),
            _ => None,
        }
    }
}

/// Makes ids for new list elements. Passed in so the core has no randomness
/// of its own and tests are deterministic.
pub trait IdGen {
    fn next_id(&mut self) -> String;
}

/// Sequential ids for tests and reproducible simulations.
#[derive(Debug, Default)]
pub struct SeqIds {
    prefix: String,
    next: u64,
}

impl SeqIds {
    pub fn new(prefix: &str) -> Self {
        SeqIds {
            prefix: prefix.to_owned(),
            next: 0,
        }
    }
}

impl IdGen for SeqIds {
    fn next_id(&mut self) -> String {
        self.next += 1;
        format!("{}{:04}", self.prefix, self.next)
    }
}

/// The context of one save: when, by whom, and where new ids come from.
pub struct EditCtx<'a> {
    pub now_ms: i64,
    pub author: &'a str,
    pub ids: &'a mut dyn IdGen,
}

/// What a new document starts with.
#[derive(Debug, Clone)]
pub struct NewDoc {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    pub language: Lang,
    pub owner: String,
}

/// An author's confirmation that a shared case carries no identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attestation {
    pub by: String,
    /// RFC 3339.
    pub at: String,
}

/// One change in a document's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Position in causal order, from 1.
    pub index: usize,
    pub hash: String,
    pub actor: String,
    pub time: i64,
    pub author: String,
    pub fields: Vec<String>,
}

/// The commit message Rounds writes into every change, so history can say
/// who changed which fields without diffing.
#[derive(Debug, Serialize, Deserialize, Default)]
struct ChangeNote {
    #[serde(default)]
    by: String,
    #[serde(default)]
    fields: Vec<String>,
}

/// What a Rounds document says about itself at its root, read without
/// knowing its kind or layout: enough for a device to carry a document made
/// by a newer version of Rounds (a kind it does not know) — store it, list
/// it, keep syncing it — and to open it once it is updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMeta {
    pub id: String,
    /// The stored kind name, known to this version or not.
    pub kind: String,
    pub schema: u64,
    pub title: String,
    pub owner: String,
    pub visibility: String,
    /// Milliseconds since the epoch of its latest change, as `Summary`.
    pub updated: i64,
}

impl RawMeta {
    /// Reads the root keys every version of Rounds writes.
    pub fn read(am: &AutoCommit) -> Result<RawMeta, DocError> {
        let id = get_str(am, &ROOT, "id").ok_or_else(|| DocError::NotRounds("no id".into()))?;
        let kind =
            get_str(am, &ROOT, "kind").ok_or_else(|| DocError::NotRounds("no kind".into()))?;
        let schema =
            get_u64(am, &ROOT, "schema").ok_or_else(|| DocError::NotRounds("no schema".into()))?;
        Ok(RawMeta {
            id,
            kind,
            schema,
            title: get_text(am, &ROOT, "title").unwrap_or_default(),
            owner: get_str(am, &ROOT, "owner").unwrap_or_default(),
            visibility: get_str(am, &ROOT, "visibility").unwrap_or_default(),
            updated: updated_of(am),
        })
    }

    /// The kind, if this version of Rounds knows it.
    pub fn known_kind(&self) -> Option<DocKind> {
        DocKind::named(&self.kind)
    }
}

/// A lesson plan or teaching case.
#[derive(Debug, Clone)]
pub struct Document {
    am: AutoCommit,
    id: String,
    kind: DocKind,
    schema: u64,
    /// The document as JSON and the heads it was read at (see
    /// [`Document::json`]); stale, and ignored, once the heads move.
    read: Option<(Vec<ChangeHash>, Json)>,
}

impl Document {
    /// Creates a document with every field present, set from `fields` (as
    /// in [`Document::apply_import`]) or empty, in one change. Invalid
    /// fields fail the whole creation.
    pub fn create(
        new: &NewDoc,
        actor: ActorId,
        ctx: &mut EditCtx<'_>,
        fields: Option<&Json>,
    ) -> Result<Document, DocError> {
        Self::validate_new(new, ctx.author, fields)?;
        let title = validate_title(&new.title)?;
        let mut am = AutoCommit::new().with_actor(actor.clone());
        am.put(ROOT, "id", new.id.as_str())?;
        am.put(ROOT, "kind", new.kind.as_str())?;
        am.put(ROOT, "schema", BASE_SCHEMA)?;
        am.put(ROOT, "owner", new.owner.as_str())?;
        am.put(ROOT, "author", ctx.author)?;
        am.put(ROOT, "created", ctx.now_ms)?;
        let updated = am.put_object(ROOT, "updated", ObjType::Map)?;
        am.put(&updated, actor.to_hex_string(), ctx.now_ms)?;
        let t = am.put_object(ROOT, "title", ObjType::Text)?;
        am.splice_text(&t, 0, 0, &title)?;
        am.put(ROOT, "visibility", Visibility::Private.as_str())?;
        am.put(ROOT, "language", new.language.as_str())?;
        am.put(ROOT, "deleted", false)?;
        am.put_object(ROOT, "tags", ObjType::Map)?;
        let fields_obj = am.put_object(ROOT, "fields", ObjType::Map)?;
        for f in new.kind.fields() {
            create_container(&mut am, &fields_obj, f)?;
        }
        let mut doc = Document {
            am,
            id: new.id.clone(),
            kind: new.kind,
            schema: BASE_SCHEMA,
            read: None,
        };
        let mut changed = vec!["created".to_owned()];
        if let Some(obj) = fields.and_then(Json::as_object) {
            doc.apply_validated(obj, ctx, &mut changed)?;
        }
        doc.commit(ctx, changed);
        Ok(doc)
    }

    /// Everything [`Document::create`] checks (the id, the title, the
    /// author and every value, list element ids kept as they come), without
    /// building the document: `create` fails exactly when this does. The
    /// office checks every pushed state with it, as a new document of the
    /// same values must be valid.
    pub fn validate_new(new: &NewDoc, author: &str, fields: Option<&Json>) -> Result<(), DocError> {
        validate_id(&new.id)?;
        validate_title(&new.title)?;
        validate_author(author)?;
        if let Some(fields) = fields {
            let obj = fields.as_object().ok_or_else(|| {
                invalid("fields", "must be a JSON object of field names and values")
            })?;
            edit::validate_entries(new.kind, obj, |field, value, k| {
                validate_value(field, value, k, KnownIds::AnyWellFormed)
            })?;
        }
        Ok(())
    }

    /// Loads a document from saved bytes (a snapshot followed by any number
    /// of incremental chunks), checking that it is a Rounds document.
    pub fn load(bytes: &[u8]) -> Result<Document, DocError> {
        let am = AutoCommit::load(bytes)?;
        Self::from_automerge(am)
    }

    /// Wraps an Automerge document after checking it is a Rounds document.
    pub fn from_automerge(am: AutoCommit) -> Result<Document, DocError> {
        let id = get_str(&am, &ROOT, "id").ok_or_else(|| DocError::NotRounds("no id".into()))?;
        let kind_s =
            get_str(&am, &ROOT, "kind").ok_or_else(|| DocError::NotRounds("no kind".into()))?;
        let kind = DocKind::named(&kind_s)
            .ok_or_else(|| DocError::NotRounds(format!("unknown kind `{kind_s}`")))?;
        let schema =
            get_u64(&am, &ROOT, "schema").ok_or_else(|| DocError::NotRounds("no schema".into()))?;
        Ok(Document {
            am,
            id,
            kind,
            schema,
            read: None,
        })
    }

    pub fn set_actor(&mut self, actor: ActorId) {
        self.am.set_actor(actor);
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> DocKind {
        self.kind
    }

    pub fn schema(&self) -> u64 {
        self.schema
    }

    /// Why the document cannot be edited, if it cannot.
    pub fn read_only(&self) -> Option<DocError> {
        (self.schema > SCHEMA_VERSION).then_some(DocError::ReadOnly {
            found: self.schema,
            known: SCHEMA_VERSION,
        })
    }

    pub(crate) fn check_writable(&self) -> Result<(), DocError> {
        self.read_only().map_or(Ok(()), Err)
    }

    pub fn automerge(&self) -> &AutoCommit {
        &self.am
    }

    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.am
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.am.get_heads()
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.am.save()
    }

    /// The changes made since the last `save` or `save_incremental`.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.am.save_incremental()
    }

    /// Merges saved bytes or changes from elsewhere. The document's identity
    /// must not change: bytes of another document are refused.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        let mut other = AutoCommit::load(bytes)?;
        let other_id = get_str(&other, &ROOT, "id");
        if other_id.as_deref().is_some_and(|o| o != self.id) {
            return Err(DocError::NotRounds(
                "the data belongs to another document".into(),
            ));
        }
        self.am.merge(&mut other)?;
        self.refresh_schema();
        Ok(())
    }

    /// Applies encoded changes (as a sync page carries them). Changes
    /// whose dependencies are missing wait inside Automerge; callers check
    /// `get_missing_deps` before saving. Changes may not alter the
    /// document's identity.
    pub fn apply_changes_bytes(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        self.am.load_incremental(bytes)?;
        if get_str(&self.am, &ROOT, "id").as_deref() != Some(self.id.as_str()) {
            return Err(DocError::NotRounds(
                "the changes alter the document's id".into(),
            ));
        }
        self.refresh_schema();
        Ok(())
    }

    /// Builds a document from its changes alone.
    pub fn from_changes_bytes(bytes: &[u8]) -> Result<Document, DocError> {
        let mut am = AutoCommit::new();
        am.load_incremental(bytes)?;
        Self::from_automerge(am)
    }

    pub(crate) fn set_schema(&mut self, schema: u64) {
        self.schema = schema;
    }

    fn refresh_schema(&mut self) {
        if let Some(s) = get_u64(&self.am, &ROOT, "schema") {
            self.schema = s;
        }
    }

    pub fn title(&self) -> String {
        get_text(&self.am, &ROOT, "title").unwrap_or_default()
    }

    pub fn visibility(&self) -> Visibility {
        get_str(&self.am, &ROOT, "visibility")
            .and_then(|v| Visibility::parse(&v))
            .unwrap_or(Visibility::Private)
    }

    pub fn owner(&self) -> String {
        get_str(&self.am, &ROOT, "owner").unwrap_or_default()
    }

    pub fn deleted(&self) -> bool {
        matches!(self.am.get(ROOT, "deleted"), Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Boolean(true)))
    }

    pub(crate) fn fields_obj(&self) -> Option<ObjId> {
        match self.am.get(ROOT, "fields") {
            Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
            _ => None,
        }
    }

    /// A scalar choice field's value, if set.
    pub fn choice(&self, key: &str) -> Option<String> {
        let fields = self.fields_obj()?;
        get_str(&self.am, &fields, key).filter(|s| !s.is_empty())
    }

    pub(crate) fn touch(&mut self, now_ms: i64) -> Result<(), DocError> {
        let actor = self.am.get_actor().to_hex_string();
        let obj = match self.am.get(ROOT, "updated")? {
            Some((Value::Object(ObjType::Map), obj)) => obj,
            _ => self.am.put_object(ROOT, "updated", ObjType::Map)?,
        };
        self.am.put(&obj, actor, now_ms)?;
        Ok(())
    }

    pub(crate) fn commit(&mut self, ctx: &EditCtx<'_>, fields: Vec<String>) -> Option<ChangeHash> {
        let note = ChangeNote {
            by: ctx.author.to_owned(),
            fields,
        };
        self.am.commit_with(commit_options(&note, ctx.now_ms))
    }

    /// The changes of the document in causal order, oldest first.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        self.am
            .get_changes_meta(&[])
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let note: ChangeNote = c
                    .message
                    .as_deref()
                    .and_then(|m| serde_json::from_str(m).ok())
                    .unwrap_or_default();
                HistoryEntry {
                    index: i + 1,
                    hash: c.hash.to_string(),
                    actor: c.actor.to_hex_string(),
                    time: c.timestamp,
                    author: note.by,
                    fields: note.fields,
                }
            })
            .collect()
    }

    /// The document as it was right after the given change.
    pub fn at(&mut self, hash: &str) -> Result<Document, DocError> {
        let hash: ChangeHash = hash
            .parse()
            .map_err(|_| invalid("change", format!("`{hash}` is not a change hash")))?;
        if self.am.get_change_by_hash(&hash).is_none() {
            return Err(invalid(
                "change",
                format!("this document has no change {hash}"),
            ));
        }
        self.at_heads(&[hash])
    }

    /// The document as it was at a version (a set of heads, such as a
    /// best version's).
    pub fn at_heads(&mut self, heads: &[ChangeHash]) -> Result<Document, DocError> {
        if heads
            .iter()
            .any(|h| self.am.get_change_by_hash(h).is_none())
        {
            return Err(invalid("version", "this document has no such version"));
        }
        let am = self.am.fork_at(heads)?;
        let mut d = Document::from_automerge(am)?;
        // Reading an old version must never create changes under our actor.
        d.am.set_actor(ActorId::random());
        Ok(d)
    }
}

fn commit_options(note: &ChangeNote, now_ms: i64) -> CommitOptions {
    let msg = serde_json::to_string(note).unwrap_or_default();
    CommitOptions::default().with_message(msg).with_time(now_ms)
}

fn create_container(am: &mut AutoCommit, parent: &ObjId, f: &Field) -> Result<(), DocError> {
    match f.ty {
        FieldType::Text { .. } => {
            am.put_object(parent, f.key, ObjType::Text)?;
        }
        FieldType::List { .. } => {
            am.put_object(parent, f.key, ObjType::Map)?;
        }
        _ => {}
    }
    Ok(())
}
