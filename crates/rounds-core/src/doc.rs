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
    AUTHOR_MAX, DocKind, Field, FieldType, Lang, SCHEMA_VERSION, TAG_MAX, TAGS_MAX, TITLE_MAX,
};
use crate::time;

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

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> DocError {
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

/// The listing row of a document: what projections store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub kind: DocKind,
    pub schema: u64,
    pub title: String,
    pub author: String,
    pub owner: String,
    pub created: i64,
    pub updated: i64,
    pub visibility: Visibility,
    pub language: Lang,
    pub deleted: bool,
    pub tags: Vec<String>,
    /// The values of the kind's filterable fields that are set
    /// (`KindDecl::filters`), by field key.
    pub filters: BTreeMap<String, String>,
}

impl Summary {
    /// The value of a filterable field, if set.
    pub fn filter(&self, key: &str) -> Option<&str> {
        self.filters.get(key).map(String::as_str)
    }
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
#[derive(Debug)]
pub struct Document {
    am: AutoCommit,
    id: String,
    kind: DocKind,
    schema: u64,
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
        validate_id(&new.id)?;
        let title = validate_title(&new.title)?;
        validate_author(ctx.author)?;
        let mut am = AutoCommit::new().with_actor(actor.clone());
        am.put(ROOT, "id", new.id.as_str())?;
        am.put(ROOT, "kind", new.kind.as_str())?;
        am.put(ROOT, "schema", SCHEMA_VERSION)?;
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
            schema: SCHEMA_VERSION,
        };
        let mut changed = vec!["created".to_owned()];
        if let Some(fields) = fields {
            let obj = fields.as_object().ok_or_else(|| {
                invalid("fields", "must be a JSON object of field names and values")
            })?;
            doc.validate_patch(obj, true)?;
            doc.apply_validated(obj, ctx, &mut changed)?;
        }
        doc.commit(ctx, changed);
        Ok(doc)
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

    fn check_writable(&self) -> Result<(), DocError> {
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

    fn updated(&self) -> i64 {
        updated_of(&self.am)
    }

    fn tags(&self) -> Vec<String> {
        let Ok(Some((Value::Object(ObjType::Map), obj))) = self.am.get(ROOT, "tags") else {
            return Vec::new();
        };
        self.am.keys(&obj).collect()
    }

    fn fields_obj(&self) -> Option<ObjId> {
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

    /// The listing row.
    pub fn summary(&self) -> Summary {
        Summary {
            id: self.id.clone(),
            kind: self.kind,
            schema: self.schema,
            title: self.title(),
            author: get_str(&self.am, &ROOT, "author").unwrap_or_default(),
            owner: self.owner(),
            created: get_i64(&self.am, &ROOT, "created").unwrap_or(0),
            updated: self.updated(),
            visibility: self.visibility(),
            language: get_str(&self.am, &ROOT, "language")
                .and_then(|l| Lang::parse(&l))
                .unwrap_or(Lang::Zh),
            deleted: self.deleted(),
            tags: self.tags(),
            filters: self
                .kind
                .filters()
                .filter_map(|f| self.choice(f.key).map(|v| (f.key.to_owned(), v)))
                .collect(),
        }
    }

    /// The references this document holds, in field order (list rows that
    /// were removed hold none).
    pub fn links(&self) -> Vec<crate::refs::Link> {
        let mut out = Vec::new();
        let Some(fields) = self.fields_obj() else {
            return out;
        };
        let target = |v: &Json| v.as_str().and_then(crate::refs::Target::parse);
        for f in self.kind.fields() {
            match &f.ty {
                FieldType::Ref { .. } => {
                    if let Some(to) = target(&read_field(&self.am, &fields, f)) {
                        out.push(crate::refs::Link {
                            field: f.key.to_owned(),
                            row: None,
                            to,
                        });
                    }
                }
                FieldType::List { item, .. }
                    if item.iter().any(|i| matches!(i.ty, FieldType::Ref { .. })) =>
                {
                    let rows = read_field(&self.am, &fields, f);
                    for row in rows.as_array().into_iter().flatten() {
                        for i in item
                            .iter()
                            .filter(|i| matches!(i.ty, FieldType::Ref { .. }))
                        {
                            if let Some(to) = target(&row[i.key]) {
                                out.push(crate::refs::Link {
                                    field: f.key.to_owned(),
                                    row: row["id"].as_str().map(str::to_owned),
                                    to,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Every text of the document, field by field, for the search index.
    /// The title is left out: it is indexed on its own.
    pub fn search_text(&self) -> String {
        let mut out = String::new();
        let Some(fields) = self.fields_obj() else {
            return out;
        };
        for f in self.kind.fields() {
            collect_text(&self.am, &fields, f, &mut out);
        }
        out
    }

    /// The document as JSON: metadata, then every field.
    pub fn to_json(&self) -> Json {
        let s = self.summary();
        let mut m = Map::new();
        m.insert("id".into(), json!(s.id));
        m.insert("kind".into(), json!(s.kind.as_str()));
        m.insert("schema".into(), json!(s.schema));
        m.insert("title".into(), json!(s.title));
        m.insert("author".into(), json!(s.author));
        m.insert("owner".into(), json!(s.owner));
        m.insert("created".into(), json!(time::rfc3339(s.created)));
        m.insert("updated".into(), json!(time::rfc3339(s.updated)));
        m.insert("visibility".into(), json!(s.visibility.as_str()));
        m.insert("language".into(), json!(s.language.as_str()));
        m.insert("deleted".into(), json!(s.deleted));
        m.insert("tags".into(), json!(s.tags));
        m.insert(
            "attestation".into(),
            self.attestation().map_or(Json::Null, |a| json!(a)),
        );
        let fields = self.fields_obj();
        for f in self.kind.fields() {
            let v = fields
                .as_ref()
                .map_or(Json::Null, |obj| read_field(&self.am, obj, f));
            m.insert(f.key.into(), v);
        }
        Json::Object(m)
    }

    /// Validates a JSON object of changes and, only if all of it is valid,
    /// applies it as one change. Returns the change's hash, or `None` if the
    /// values were already as asked.
    ///
    /// Keys: `title`, `tags` (the whole set), `language`, and any field of
    /// the document's kind. Text fields are diffed against their current
    /// value, so a concurrent edit elsewhere in the same text survives. A list
    /// field takes the whole list: elements with an `id` are kept and updated,
    /// elements without one are added, and elements left out are removed.
    pub fn apply_patch(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.apply(patch, ctx, false)
    }

    /// Like [`Document::apply_patch`], for values a person edited while the
    /// document stood at `base` (the heads the editor last showed).
    ///
    /// The patch is applied to the document as it was at `base` and the
    /// result merged into the document as it is now. A text field is
    /// therefore diffed against the text the person saw, not against text a
    /// colleague added since: the colleague's insertion survives whatever
    /// the editor held. Choices merge as concurrent writes and list elements
    /// a colleague added since are kept. With `base` equal to the current
    /// heads (or empty), or a base no longer in the document (a shared
    /// case's squashed history), this is exactly `apply_patch`.
    ///
    /// One limit: Automerge numbers each actor's changes, so a new change
    /// must build on this device's own latest one. If another connection of
    /// the same device (the CLI) changed the field after `base`, the edit is
    /// made on top of that change, and the editor's value replaces it.
    pub fn apply_patch_at(
        &mut self,
        patch: &Json,
        base: &[ChangeHash],
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        let mut current = self.am.get_heads();
        current.sort();
        let mut at = base.to_vec();
        at.sort();
        at.dedup();
        if at.is_empty() || at == current {
            return self.apply_patch(patch, ctx);
        }
        self.check_writable()?;
        if at.iter().any(|h| self.am.get_change_by_hash(h).is_none()) {
            // The version is gone: a shared case's unpushed history is
            // folded into one change before it is pushed. What the person
            // typed must still be saved, so it is diffed against the
            // current text, as without a base.
            return self.apply_patch(patch, ctx);
        }
        let actor = self.am.get_actor().clone();
        let mut fork = self.am.fork_at(&at)?;
        // A new change of this actor must follow its latest one (Automerge
        // numbers an actor's changes): if the base is older than this
        // device's own last save, edit on top of that save as well.
        if let Some(last) = self
            .am
            .get_changes(&[])
            .iter()
            .rev()
            .find(|c| c.actor_id() == &actor)
            .map(|c| c.hash())
            && fork.get_change_by_hash(&last).is_none()
        {
            at.push(last);
            fork = self.am.fork_at(&at)?;
        }
        fork.set_actor(actor);
        let mut past = Document::from_automerge(fork)?;
        let Some(hash) = past.apply(patch, ctx, false)? else {
            return Ok(None);
        };
        let new = past.am.get_changes(&at);
        self.am.apply_changes(new)?;
        self.refresh_schema();
        Ok(Some(hash))
    }

    /// Where position `pos` of a text field as it was at `base` is now:
    /// the caret of an editor that showed the field at `base`, mapped
    /// through everything merged since (insertions before it move it,
    /// deleted text around it collapses onto the next surviving
    /// character). Positions count Unicode code points, as Automerge's
    /// text does. `row` names a list element for a field inside a list.
    pub fn map_text_position(
        &mut self,
        field: &str,
        row: Option<(&str, &str)>,
        base: &[ChangeHash],
        pos: usize,
    ) -> Result<usize, DocError> {
        let obj = self
            .text_obj(field, row)
            .ok_or_else(|| invalid(field, "is not a text field of this document"))?;
        let mut pos = pos.min(self.am.length_at(&obj, base));
        // Walk what changed in this text since `base`, in order. (Automerge's
        // cursors would do the same, but in automerge 0.12 resolving a cursor
        // whose character was deleted disagrees with itself.) An insertion
        // exactly at the caret stays after it, so a colleague's text never
        // pushes the caret of the teacher typing there.
        let now = self.am.get_heads();
        for p in self.am.diff(base, &now) {
            if p.obj != obj {
                continue;
            }
            match p.action {
                PatchAction::SpliceText { index, value, .. } if index < pos => {
                    pos += value.make_string().chars().count();
                }
                PatchAction::DeleteSeq { index, length } => {
                    if index + length <= pos {
                        pos -= length;
                    } else if index < pos {
                        pos = index;
                    }
                }
                _ => {}
            }
        }
        Ok(pos.min(self.am.length(&obj)))
    }

    fn text_obj(&self, field: &str, row: Option<(&str, &str)>) -> Option<ObjId> {
        if field == "title" && row.is_none() {
            return match self.am.get(ROOT, "title") {
                Ok(Some((Value::Object(ObjType::Text), t))) => Some(t),
                _ => None,
            };
        }
        let fields = self.fields_obj()?;
        let (parent, key) = match row {
            None => (fields, field),
            Some((row_id, sub)) => {
                let list = match self.am.get(&fields, field) {
                    Ok(Some((Value::Object(ObjType::Map), l))) => l,
                    _ => return None,
                };
                let el = match self.am.get(&list, row_id) {
                    Ok(Some((Value::Object(ObjType::Map), e))) => e,
                    _ => return None,
                };
                (el, sub)
            }
        };
        match self.am.get(&parent, key) {
            Ok(Some((Value::Object(ObjType::Text), t))) => Some(t),
            _ => None,
        }
    }

    /// Like [`Document::apply_patch`], for restoring a JSON export: list
    /// elements keep the ids they carry even when this document does not
    /// have them yet, so an export imported back is the same document.
    pub fn apply_import(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.apply(patch, ctx, true)
    }

    fn apply(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
        keep_ids: bool,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        validate_author(ctx.author)?;
        let obj = patch
            .as_object()
            .ok_or_else(|| invalid("edit", "must be a JSON object of field names and values"))?;
        self.validate_patch(obj, keep_ids)?;
        let mut changed = Vec::new();
        let result = self.apply_validated(obj, ctx, &mut changed);
        if let Err(e) = result {
            self.am.rollback();
            return Err(e);
        }
        if self.am.pending_ops() == 0 {
            return Ok(None);
        }
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, changed))
    }

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
        base.apply_state(&state, ctx)?;
        Ok(base)
    }

    /// Makes this document's content equal `state` (a `to_json` export),
    /// including sharing, deletion and attestation, in one change.
    fn apply_state(&mut self, state: &Json, ctx: &mut EditCtx<'_>) -> Result<(), DocError> {
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
        let mut changed = Vec::new();
        self.apply_validated(&obj, ctx, &mut changed)?;
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
        if self.am.pending_ops() > 0 {
            self.touch(ctx.now_ms)?;
            changed.push("squashed".into());
            self.commit(ctx, changed);
        }
        Ok(())
    }

    /// Marks the document deleted (a tombstone that syncs) or restores it.
    pub fn set_deleted(
        &mut self,
        deleted: bool,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        if self.deleted() == deleted {
            return Ok(None);
        }
        self.am.put(ROOT, "deleted", deleted)?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(
            ctx,
            vec![if deleted { "deleted" } else { "restored" }.into()],
        ))
    }

    /// Changes who may read the document.
    pub fn set_visibility(
        &mut self,
        v: Visibility,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        if self.visibility() == v {
            return Ok(None);
        }
        self.am.put(ROOT, "visibility", v.as_str())?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, vec!["visibility".into()]))
    }

    /// Shows a removed row of a list field again, with whatever its fields
    /// hold now and in its old place (see [`crate::removed`]).
    pub fn restore_row(
        &mut self,
        field: &str,
        row: &str,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        let Some(fields) = self.fields_obj() else {
            return Err(invalid(field, "the document has no such row"));
        };
        let Some(el) = list_items(&self.am, &fields, field)
            .into_iter()
            .find(|e| e.id == row)
        else {
            return Err(invalid(field, format!("no row `{row}`")));
        };
        if !el.removed {
            return Ok(None);
        }
        self.am.put(&el.obj, "removed", false)?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, vec![field.to_owned()]))
    }

    fn touch(&mut self, now_ms: i64) -> Result<(), DocError> {
        let actor = self.am.get_actor().to_hex_string();
        let obj = match self.am.get(ROOT, "updated")? {
            Some((Value::Object(ObjType::Map), obj)) => obj,
            _ => self.am.put_object(ROOT, "updated", ObjType::Map)?,
        };
        self.am.put(&obj, actor, now_ms)?;
        Ok(())
    }

    fn commit(&mut self, ctx: &EditCtx<'_>, fields: Vec<String>) -> Option<ChangeHash> {
        let note = ChangeNote {
            by: ctx.author.to_owned(),
            fields,
        };
        self.am.commit_with(commit_options(&note, ctx.now_ms))
    }

    fn validate_patch(&self, obj: &Map<String, Json>, keep_ids: bool) -> Result<(), DocError> {
        let fields = self.fields_obj();
        for (key, value) in obj {
            match key.as_str() {
                "title" => {
                    let s = value
                        .as_str()
                        .ok_or_else(|| invalid("title", "must be text"))?;
                    validate_title(s)?;
                }
                "tags" => {
                    validate_tags(value)?;
                }
                "language" => {
                    let ok = value.as_str().and_then(Lang::parse).is_some();
                    if !ok {
                        return Err(invalid("language", "must be `zh` or `en`"));
                    }
                }
                "visibility" => {
                    return Err(invalid(
                        "visibility",
                        "is changed by sharing the document, not by editing it",
                    ));
                }
                k if RESERVED_KEYS.contains(&k) => {
                    return Err(invalid(k, "is set by Rounds and cannot be edited"));
                }
                k => {
                    let field = self.kind.field(k).ok_or_else(|| {
                        invalid(
                            k,
                            format!(
                                "is not a field of a {}",
                                self.kind.label(Lang::En).to_lowercase()
                            ),
                        )
                    })?;
                    let existing = match (&field.ty, &fields) {
                        (FieldType::List { .. }, Some(fobj)) => {
                            list_items(&self.am, fobj, field.key)
                                .into_iter()
                                .map(|e| e.id)
                                .collect()
                        }
                        _ => HashSet::new(),
                    };
                    let ids = if keep_ids {
                        KnownIds::AnyWellFormed
                    } else {
                        KnownIds::Only(&existing)
                    };
                    validate_value(field, value, k, ids)?;
                }
            }
        }
        Ok(())
    }

    fn apply_validated(
        &mut self,
        obj: &Map<String, Json>,
        ctx: &mut EditCtx<'_>,
        changed: &mut Vec<String>,
    ) -> Result<(), DocError> {
        for (key, value) in obj {
            let before = self.am.pending_ops();
            match key.as_str() {
                "title" => {
                    let t = match self.am.get(ROOT, "title")? {
                        Some((Value::Object(ObjType::Text), t)) => t,
                        _ => self.am.put_object(ROOT, "title", ObjType::Text)?,
                    };
                    self.am
                        .update_text(&t, value.as_str().unwrap_or_default().trim())?;
                }
                "tags" => self.apply_tags(value)?,
                "language" => {
                    let lang = value.as_str().and_then(Lang::parse).unwrap_or(Lang::Zh);
                    if get_str(&self.am, &ROOT, "language").as_deref() != Some(lang.as_str()) {
                        self.am.put(ROOT, "language", lang.as_str())?;
                    }
                }
                k => {
                    let Some(field) = self.kind.field(k) else {
                        continue;
                    };
                    let fields = match self.fields_obj() {
                        Some(f) => f,
                        None => self.am.put_object(ROOT, "fields", ObjType::Map)?,
                    };
                    write_field(&mut self.am, &fields, field, value, ctx)?;
                }
            }
            if self.am.pending_ops() > before {
                changed.push(key.clone());
            }
        }
        Ok(())
    }

    fn apply_tags(&mut self, value: &Json) -> Result<(), DocError> {
        let want: HashSet<String> = value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let obj = match self.am.get(ROOT, "tags")? {
            Some((Value::Object(ObjType::Map), obj)) => obj,
            _ => self.am.put_object(ROOT, "tags", ObjType::Map)?,
        };
        let have: HashSet<String> = self.am.keys(&obj).collect();
        for gone in have.difference(&want) {
            self.am.delete(&obj, gone.as_str())?;
        }
        for new in want.difference(&have) {
            self.am.put(&obj, new.as_str(), true)?;
        }
        Ok(())
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
        let am = self.am.fork_at(&[hash])?;
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

// ---- validation -------------------------------------------------------------

/// Checks that an id is a UUID in its canonical lowercase form.
pub fn validate_id(id: &str) -> Result<(), DocError> {
    let ok = uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == id);
    if ok {
        Ok(())
    } else {
        Err(invalid("id", format!("`{id}` is not a lowercase UUID")))
    }
}

fn validate_title(s: &str) -> Result<String, DocError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid("title", "must not be empty"));
    }
    check_len("title", t, TITLE_MAX)?;
    check_chars("title", t, false)?;
    Ok(t.to_owned())
}

fn validate_author(s: &str) -> Result<(), DocError> {
    check_len("author", s, AUTHOR_MAX)?;
    check_chars("author", s, false)
}

fn validate_tags(value: &Json) -> Result<(), DocError> {
    let arr = value
        .as_array()
        .ok_or_else(|| invalid("tags", "must be a list of text"))?;
    if arr.len() > TAGS_MAX {
        return Err(invalid("tags", format!("at most {TAGS_MAX} tags")));
    }
    for (i, t) in arr.iter().enumerate() {
        let name = format!("tags[{i}]");
        let s = t
            .as_str()
            .ok_or_else(|| invalid(&name, "must be text"))?
            .trim();
        if s.is_empty() {
            return Err(invalid(&name, "must not be empty"));
        }
        check_len(&name, s, TAG_MAX)?;
        check_chars(&name, s, false)?;
    }
    Ok(())
}

fn check_len(field: &str, s: &str, max: usize) -> Result<(), DocError> {
    let n = s.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

fn check_chars(field: &str, s: &str, multiline: bool) -> Result<(), DocError> {
    for c in s.chars() {
        if c == '\n' || c == '\t' || c == '\r' {
            if !multiline && c != '\t' {
                return Err(invalid(field, "must be a single line"));
            }
        } else if c.is_control() {
            return Err(invalid(
                field,
                format!("contains the control character U+{:04X}", c as u32),
            ));
        }
    }
    Ok(())
}

/// Which element ids a list value may name.
#[derive(Clone, Copy)]
enum KnownIds<'a> {
    /// Only elements the document has (an edit).
    Only(&'a HashSet<String>),
    /// Any well-formed id (an import, which may bring its own elements).
    AnyWellFormed,
}

fn validate_value(f: &Field, v: &Json, name: &str, existing: KnownIds<'_>) -> Result<(), DocError> {
    match &f.ty {
        FieldType::Text { max, multiline } => {
            let s = v.as_str().ok_or_else(|| invalid(name, "must be text"))?;
            check_len(name, s, *max)?;
            check_chars(name, s, *multiline)
        }
        FieldType::Choice { choices } => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() || choices.iter().any(|c| c.value == s) => Ok(()),
            _ => {
                let allowed: Vec<&str> = choices.iter().map(|c| c.value).collect();
                Err(invalid(
                    name,
                    format!("must be one of {}", allowed.join(", ")),
                ))
            }
        },
        FieldType::Int { min, max } => match v {
            Json::Null => Ok(()),
            Json::Number(n) => match n.as_i64() {
                Some(i) if (*min..=*max).contains(&i) => Ok(()),
                Some(i) if i < *min && *min == 0 => Err(invalid(name, "must not be negative")),
                _ => Err(invalid(
                    name,
                    format!("must be a whole number from {min} to {max}"),
                )),
            },
            _ => Err(invalid(
                name,
                format!("must be a whole number from {min} to {max}"),
            )),
        },
        FieldType::Number { min, max } => match v {
            Json::Null => Ok(()),
            Json::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() && (*min..=*max).contains(&x) => Ok(()),
                Some(x) if x < *min && *min == 0.0 => Err(invalid(name, "must not be negative")),
                _ => Err(invalid(
                    name,
                    format!("must be a number from {min} to {max}"),
                )),
            },
            _ => Err(invalid(
                name,
                format!("must be a number from {min} to {max}"),
            )),
        },
        FieldType::Ref { .. } => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() || crate::refs::Target::parse(s).is_some() => Ok(()),
            _ => Err(invalid(
                name,
                "must be a document id, optionally followed by `#` and an element id",
            )),
        },
        FieldType::Date => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() => Ok(()),
            Json::String(s) => match time::parse_date(s) {
                Some((y, ..)) if crate::schema::DATE_YEARS.contains(&y) => Ok(()),
                Some(_) => Err(invalid(
                    name,
                    format!(
                        "must be a date in the years {} to {}",
                        crate::schema::DATE_YEARS.start(),
                        crate::schema::DATE_YEARS.end()
                    ),
                )),
                None => Err(invalid(name, "must be a real date written YYYY-MM-DD")),
            },
            _ => Err(invalid(name, "must be a real date written YYYY-MM-DD")),
        },
        FieldType::List { item, max_items } => {
            let arr = v
                .as_array()
                .ok_or_else(|| invalid(name, "must be a list"))?;
            if arr.len() > *max_items {
                return Err(invalid(
                    name,
                    format!("has {} elements; the limit is {max_items}", arr.len()),
                ));
            }
            let mut seen = HashSet::new();
            for (i, el) in arr.iter().enumerate() {
                let el_name = format!("{name}[{i}]");
                let obj = el
                    .as_object()
                    .ok_or_else(|| invalid(&el_name, "must be an object"))?;
                for (k, val) in obj {
                    if k == "id" {
                        let id = val
                            .as_str()
                            .ok_or_else(|| invalid(format!("{el_name}.id"), "must be text"))?;
                        let known = match existing {
                            KnownIds::Only(ids) => ids.contains(id),
                            KnownIds::AnyWellFormed => {
                                !id.is_empty()
                                    && id.len() <= 64
                                    && id.bytes().all(|b| {
                                        b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
                                    })
                            }
                        };
                        if !known {
                            return Err(invalid(
                                format!("{el_name}.id"),
                                format!("there is no element `{id}`"),
                            ));
                        }
                        if !seen.insert(id.to_owned()) {
                            return Err(invalid(
                                format!("{el_name}.id"),
                                format!("`{id}` appears twice"),
                            ));
                        }
                        continue;
                    }
                    let sub = item.iter().find(|s| s.key == k).ok_or_else(|| {
                        invalid(
                            format!("{el_name}.{k}"),
                            format!("is not a field of {name}"),
                        )
                    })?;
                    validate_value(sub, val, &format!("{el_name}.{k}"), existing)?;
                }
            }
            Ok(())
        }
    }
}

/// Turns text typed on a command line into a field value of the right type.
pub fn parse_field_input(kind: DocKind, key: &str, input: &str) -> Result<Json, DocError> {
    if key == "title" || key == "language" {
        return Ok(json!(input));
    }
    if key == "tags" {
        let tags: Vec<&str> = input
            .split([',', '，'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        return Ok(json!(tags));
    }
    let f = kind.field(key).ok_or_else(|| {
        if RESERVED_KEYS.contains(&key) {
            invalid(key, "is set by Rounds and cannot be edited")
        } else {
            invalid(
                key,
                format!(
                    "is not a field of a {}",
                    kind.label(Lang::En).to_lowercase()
                ),
            )
        }
    })?;
    let t = input.trim();
    Ok(match f.ty {
        FieldType::Text { .. } => json!(input),
        FieldType::Choice { .. } | FieldType::Date | FieldType::Ref { .. } => json!(t),
        FieldType::Int { .. } if t.is_empty() => Json::Null,
        FieldType::Int { min, max } => json!(
            t.parse::<i64>()
                .map_err(|_| invalid(key, format!("must be a whole number from {min} to {max}")))?
        ),
        FieldType::Number { .. } if t.is_empty() => Json::Null,
        FieldType::Number { min, max } => {
            let x = t.parse::<f64>().ok().filter(|x| x.is_finite());
            json!(x.ok_or_else(|| invalid(key, format!("must be a number from {min} to {max}")))?)
        }
        FieldType::List { .. } => serde_json::from_str(input)
            .map_err(|e| invalid(key, format!("must be a JSON list: {e}")))?,
    })
}

// ---- writing ----------------------------------------------------------------

fn write_field(
    am: &mut AutoCommit,
    parent: &ObjId,
    f: &Field,
    v: &Json,
    ctx: &mut EditCtx<'_>,
) -> Result<(), DocError> {
    match &f.ty {
        FieldType::Text { .. } => {
            let new = v.as_str().unwrap_or_default();
            let t = match am.get(parent, f.key)? {
                Some((Value::Object(ObjType::Text), t)) => t,
                _ => am.put_object(parent, f.key, ObjType::Text)?,
            };
            let current = am.text(&t)?;
            if current.is_empty() {
                // Nothing to diff against: a plain insertion is much cheaper.
                am.splice_text(&t, 0, 0, new)?;
            } else if current != new {
                am.update_text(&t, new)?;
            }
        }
        FieldType::Choice { .. } | FieldType::Date | FieldType::Ref { .. } => {
            put_scalar_if_changed(
                am,
                parent,
                f.key,
                v.as_str()
                    .filter(|s| !s.is_empty())
                    .map(|s| ScalarValue::Str(s.into())),
            )?;
        }
        FieldType::Int { .. } => {
            put_scalar_if_changed(am, parent, f.key, v.as_i64().map(ScalarValue::Int))?;
        }
        FieldType::Number { .. } => {
            put_scalar_if_changed(am, parent, f.key, v.as_f64().map(ScalarValue::F64))?;
        }
        FieldType::List { item, .. } => {
            let list = match am.get(parent, f.key)? {
                Some((Value::Object(ObjType::Map), l)) => l,
                _ => am.put_object(parent, f.key, ObjType::Map)?,
            };
            write_list(
                am,
                &list,
                item,
                v.as_array().map(Vec::as_slice).unwrap_or_default(),
                ctx,
            )?;
        }
    }
    Ok(())
}

fn put_scalar_if_changed(
    am: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    v: Option<ScalarValue>,
) -> Result<(), DocError> {
    let current = match am.get(obj, key)? {
        Some((Value::Scalar(s), _)) => Some(s.into_owned()),
        _ => None,
    };
    match v {
        Some(v) if current.as_ref() != Some(&v) => {
            am.put(obj, key, v)?;
        }
        None if current.is_some() => {
            am.delete(obj, key)?;
        }
        _ => {}
    }
    Ok(())
}

pub(crate) struct ListEl {
    pub(crate) id: String,
    order: String,
    pub(crate) removed: bool,
    obj: ObjId,
}

/// The elements of the list field `key` of `parent`; see [`list_items_of`].
pub(crate) fn list_items(am: &AutoCommit, parent: &ObjId, key: &str) -> Vec<ListEl> {
    match am.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), list))) => list_items_of(am, &list),
        _ => Vec::new(),
    }
}

fn write_list(
    am: &mut AutoCommit,
    list: &ObjId,
    item_fields: &'static [Field],
    want: &[Json],
    ctx: &mut EditCtx<'_>,
) -> Result<(), DocError> {
    let current = list_items_of(am, list);
    let by_id: HashMap<&str, &ListEl> = current.iter().map(|e| (e.id.as_str(), e)).collect();
    // The desired sequence of (id, existing element).
    let mut seq: Vec<(String, Option<&ListEl>)> = Vec::with_capacity(want.len());
    for el in want {
        let id = el.get("id").and_then(Json::as_str);
        match (id, id.and_then(|id| by_id.get(id))) {
            (_, Some(e)) => seq.push((e.id.clone(), Some(*e))),
            // Only an import gets here with an id (validation refuses
            // unknown ids in edits): keep it.
            (Some(id), None) => seq.push((id.to_owned(), None)),
            (None, None) => seq.push((ctx.ids.next_id(), None)),
        }
    }
    let keep: HashSet<&str> = seq.iter().map(|(id, _)| id.as_str()).collect();
    for e in &current {
        if !e.removed && !keep.contains(e.id.as_str()) {
            am.put(&e.obj, "removed", true)?;
        }
    }
    let keys: Vec<Option<&str>> = seq
        .iter()
        .map(|(_, e)| e.filter(|e| !e.removed).map(|e| e.order.as_str()))
        .collect();
    let new_keys = order::rekey(&keys);
    for (((id, existing), new_key), el) in seq.iter().zip(new_keys).zip(want) {
        let obj = match existing {
            Some(e) => {
                if e.removed {
                    am.put(&e.obj, "removed", false)?;
                }
                e.obj.clone()
            }
            None => {
                let obj = am.put_object(list, id.as_str(), ObjType::Map)?;
                am.put(&obj, "removed", false)?;
                for f in item_fields {
                    create_container(am, &obj, f)?;
                }
                obj
            }
        };
        if let Some(k) = new_key {
            am.put(&obj, "order", k)?;
        }
        if let Some(fields) = el.as_object() {
            for f in item_fields {
                if let Some(v) = fields.get(f.key) {
                    write_field(am, &obj, f, v, ctx)?;
                }
            }
        }
    }
    Ok(())
}

/// The elements of a list object: visible ones in order, removed ones after.
fn list_items_of(am: &AutoCommit, list: &ObjId) -> Vec<ListEl> {
    let mut els: Vec<ListEl> = am
        .map_range(list, ..)
        .filter_map(|item| {
            let obj = match item.value {
                automerge::ValueRef::Object(ObjType::Map) => item.id(),
                _ => return None,
            };
            let order = get_str(am, &obj, "order").unwrap_or_default();
            let removed = matches!(am.get(&obj, "removed"), Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Boolean(true)));
            Some(ListEl { id: item.key.to_string(), order, removed, obj })
        })
        .collect();
    els.sort_by(|a, b| (a.removed, &a.order, &a.id).cmp(&(b.removed, &b.order, &b.id)));
    els
}

// ---- reading ----------------------------------------------------------------

/// A document's time: the latest of `created` and every actor's `updated`.
fn updated_of(am: &AutoCommit) -> i64 {
    let created = get_i64(am, &ROOT, "created").unwrap_or(0);
    let Ok(Some((Value::Object(ObjType::Map), obj))) = am.get(ROOT, "updated") else {
        return created;
    };
    am.map_range(&obj, ..)
        .filter_map(|item| scalar_i64(&item.value))
        .fold(created, i64::max)
}

pub(crate) fn get_str(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    match am.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        Ok(Some((Value::Object(ObjType::Text), id))) => am.text(&id).ok(),
        _ => None,
    }
}

fn get_text(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    get_str(am, obj, key)
}

fn get_i64(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<i64> {
    match am.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Int(i) => Some(*i),
            ScalarValue::Uint(u) => i64::try_from(*u).ok(),
            ScalarValue::Timestamp(t) => Some(*t),
            _ => None,
        },
        _ => None,
    }
}

fn get_u64(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<u64> {
    get_i64(am, obj, key).and_then(|i| u64::try_from(i).ok())
}

fn scalar_i64(v: &automerge::ValueRef<'_>) -> Option<i64> {
    match v {
        automerge::ValueRef::Scalar(s) => match s {
            automerge::ScalarValueRef::Int(i) => Some(*i),
            automerge::ScalarValueRef::Uint(u) => i64::try_from(*u).ok(),
            automerge::ScalarValueRef::Timestamp(t) => Some(*t),
            _ => None,
        },
        _ => None,
    }
}

fn read_field(am: &AutoCommit, parent: &ObjId, f: &Field) -> Json {
    match &f.ty {
        FieldType::Text { .. } => json!(get_str(am, parent, f.key).unwrap_or_default()),
        FieldType::Choice { .. } | FieldType::Date | FieldType::Ref { .. } => {
            get_str(am, parent, f.key).map_or(Json::Null, Json::String)
        }
        FieldType::Int { .. } => get_i64(am, parent, f.key).map_or(Json::Null, |i| json!(i)),
        FieldType::Number { .. } => match am.get(parent, f.key) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::F64(x) => json!(x),
                ScalarValue::Int(i) => json!(i),
                _ => Json::Null,
            },
            _ => Json::Null,
        },
        FieldType::List { item, .. } => {
            let Ok(Some((Value::Object(ObjType::Map), list))) = am.get(parent, f.key) else {
                return json!([]);
            };
            let els: Vec<Json> = list_items_of(am, &list)
                .into_iter()
                .filter(|e| !e.removed)
                .map(|e| {
                    let mut m = Map::new();
                    m.insert("id".into(), json!(e.id));
                    for sub in *item {
                        m.insert(sub.key.into(), read_field(am, &e.obj, sub));
                    }
                    Json::Object(m)
                })
                .collect();
            Json::Array(els)
        }
    }
}

fn collect_text(am: &AutoCommit, parent: &ObjId, f: &Field, out: &mut String) {
    match &f.ty {
        FieldType::Text { .. } => {
            if let Some(t) = get_str(am, parent, f.key).filter(|t| !t.is_empty()) {
                out.push_str(&t);
                out.push('\n');
            }
        }
        FieldType::List { item, .. } => {
            if let Ok(Some((Value::Object(ObjType::Map), list))) = am.get(parent, f.key) {
                for e in list_items_of(am, &list).into_iter().filter(|e| !e.removed) {
                    for sub in *item {
                        collect_text(am, &e.obj, sub, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Groups fields by section, in schema order, for rendering.
pub fn sections(kind: DocKind) -> Vec<(crate::schema::Section, Vec<&'static Field>)> {
    kind.sections()
}

/// The listing row as the JSON that the CLI prints and the desktop app
/// receives: times as RFC 3339, absent choices as null.
pub fn summary_json(s: &Summary) -> Json {
    let mut out = json!({
        "id": s.id,
        "kind": s.kind.as_str(),
        "schema": s.schema,
        "title": s.title,
        "author": s.author,
        "owner": s.owner,
        "created": time::rfc3339(s.created),
        "updated": time::rfc3339(s.updated),
        "visibility": s.visibility.as_str(),
        "language": s.language.as_str(),
        "deleted": s.deleted,
        "tags": s.tags,
    });
    // Each filterable field of the kind is a key of its own, null when
    // unset, so scripts can read `.status` of any row.
    let m = out.as_object_mut().expect("an object");
    for f in s.kind.filters() {
        m.insert(f.key.to_owned(), json!(s.filter(f.key)));
    }
    out
}
