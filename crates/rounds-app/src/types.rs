//! The types that cross the IPC boundary. They are the one definition: the
//! TypeScript in `ui/src/generated/` is exported from them (see
//! [`export_typescript`]), so the UI and the app cannot drift apart.
//!
//! Times are milliseconds since the epoch as JavaScript numbers (exact up to
//! the year 287,396), not `bigint`, because the UI formats them with `Date`.

use rounds_core::doc::{HistoryEntry, Summary};
use std::collections::BTreeMap;

use rounds_core::schema::{self, DocKind, FieldType, Lang};
use rounds_core::search::SnippetPart;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod collab;
pub use collab::*;

/// A document kind as the UI names it: the kind's stored name
/// (`lesson_plan`, `case`, or any kind a later build declares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Kind(pub String);

impl Kind {
    /// The kind this build knows by that name.
    pub fn doc_kind(&self) -> Result<DocKind, crate::AppError> {
        DocKind::named(&self.0).ok_or_else(|| {
            crate::AppError::invalid(
                "kind",
                format!("this version of Rounds does not know the kind `{}`", self.0),
            )
        })
    }
}

impl From<DocKind> for Kind {
    fn from(k: DocKind) -> Kind {
        Kind(k.as_str().to_owned())
    }
}

/// One of the two languages of Rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Zh,
    En,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::Zh => Lang::Zh,
            Language::En => Lang::En,
        }
    }
}

impl From<Lang> for Language {
    fn from(l: Lang) -> Language {
        match l {
            Lang::Zh => Language::Zh,
            Lang::En => Language::En,
        }
    }
}

/// A label in both languages; the UI picks one at render time so that
/// switching language never needs a round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Label {
    pub zh: String,
    pub en: String,
}

impl Label {
    fn new(zh: &str, en: &str) -> Label {
        Label {
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChoiceInfo {
    pub value: String,
    pub label: Label,
}

/// What the editor needs to build an input for a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldInput {
    Text {
        max: u32,
        multiline: bool,
    },
    Choice {
        choices: Vec<ChoiceInfo>,
    },
    Int {
        #[ts(type = "number")]
        min: i64,
        #[ts(type = "number")]
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    /// A date, `YYYY-MM-DD`, in the years `min_year` to `max_year`.
    Date {
        #[ts(type = "number")]
        min_year: i64,
        #[ts(type = "number")]
        max_year: i64,
    },
    List {
        item: Vec<FieldInfo>,
        max_items: u32,
    },
    /// A reference to a document of one of `kinds` (any, when empty),
    /// stored as `DOC` or `DOC#ELEMENT`.
    Ref {
        kinds: Vec<Kind>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldInfo {
    pub key: String,
    pub label: Label,
    pub input: FieldInput,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SectionInfo {
    pub key: String,
    pub label: Label,
    pub fields: Vec<FieldInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KindInfo {
    pub kind: Kind,
    pub label: Label,
    /// The button that makes one ("New lesson plan").
    pub new_doc: Label,
    /// The title a new document gets.
    pub untitled: Label,
    /// The heading of its printout.
    pub print_title: Label,
    /// Whether it may hold patient data: identifiers are checked as it is
    /// typed and it is shared as a checked copy, with an attestation.
    pub holds_patient_data: bool,
    /// The keys of the fields the library can filter it by.
    pub filters: Vec<String>,
    /// The fields its printout shows as a header grid.
    pub print_header: Vec<String>,
    /// The sections a learner's printout leaves out; when there are any,
    /// it prints as a student and a teacher version.
    pub teacher_only: Vec<String>,
    pub sections: Vec<SectionInfo>,
}

/// A field the library can filter by, with the union of its choices over
/// the kinds that declare it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FilterInfo {
    pub key: String,
    pub label: Label,
    pub choices: Vec<ChoiceInfo>,
    /// The kinds that can be filtered by it.
    pub kinds: Vec<Kind>,
}

/// The kind declarations of rounds-core, shaped for building forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SchemaInfo {
    pub kinds: Vec<KindInfo>,
    pub title_max: u32,
    pub tags_max: u32,
    /// Every filterable field of every kind, once.
    pub filters: Vec<FilterInfo>,
}

fn choices(cs: &[schema::Choice]) -> Vec<ChoiceInfo> {
    cs.iter()
        .map(|c| ChoiceInfo {
            value: c.value.to_owned(),
            label: Label::new(c.zh, c.en),
        })
        .collect()
}

impl FieldInfo {
    pub fn from_field(f: &schema::Field) -> FieldInfo {
        let input = match &f.ty {
            FieldType::Text { max, multiline } => FieldInput::Text {
                max: *max as u32,
                multiline: *multiline,
            },
            FieldType::Choice { choices: cs } => FieldInput::Choice {
                choices: choices(cs),
            },
            FieldType::Int { min, max } => FieldInput::Int {
                min: *min,
                max: *max,
            },
            FieldType::Number { min, max } => FieldInput::Number {
                min: *min,
                max: *max,
            },
            FieldType::Date => FieldInput::Date {
                min_year: *schema::DATE_YEARS.start(),
                max_year: *schema::DATE_YEARS.end(),
            },
            FieldType::Ref { kinds } => FieldInput::Ref {
                kinds: kinds.iter().map(|k| Kind((*k).to_owned())).collect(),
            },
            FieldType::List { item, max_items } => FieldInput::List {
                item: item.iter().map(FieldInfo::from_field).collect(),
                max_items: *max_items as u32,
            },
        };
        FieldInfo {
            key: f.key.to_owned(),
            label: Label::new(f.zh, f.en),
            input,
        }
    }
}

impl SchemaInfo {
    pub fn build() -> SchemaInfo {
        let label = |(en, zh): (&str, &str)| Label::new(zh, en);
        let kinds = DocKind::all()
            .iter()
            .map(|&k| {
                let d = k.decl();
                KindInfo {
                    kind: k.into(),
                    label: Label::new(k.label(Lang::Zh), k.label(Lang::En)),
                    new_doc: label(d.new_doc),
                    untitled: label(d.untitled),
                    print_title: label(d.print_title),
                    holds_patient_data: k.holds_patient_data(),
                    filters: d.filters.iter().map(|f| (*f).to_owned()).collect(),
                    print_header: d.print_header.iter().map(|f| (*f).to_owned()).collect(),
                    teacher_only: d.teacher_only.iter().map(|s| s.key.to_owned()).collect(),
                    sections: k
                        .sections()
                        .into_iter()
                        .map(|(s, fields)| SectionInfo {
                            key: s.key.to_owned(),
                            label: Label::new(s.label(Lang::Zh), s.label(Lang::En)),
                            fields: fields.into_iter().map(FieldInfo::from_field).collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        let mut filters: Vec<FilterInfo> = Vec::new();
        for k in DocKind::all() {
            for f in k.filters() {
                let FieldType::Choice { choices: cs } = &f.ty else {
                    continue;
                };
                let i = match filters.iter().position(|g| g.key == f.key) {
                    Some(i) => i,
                    None => {
                        filters.push(FilterInfo {
                            key: f.key.to_owned(),
                            label: Label::new(f.zh, f.en),
                            choices: Vec::new(),
                            kinds: Vec::new(),
                        });
                        filters.len() - 1
                    }
                };
                let g = &mut filters[i];
                g.kinds.push(k.into());
                for c in choices(cs) {
                    if !g.choices.iter().any(|d| d.value == c.value) {
                        g.choices.push(c);
                    }
                }
            }
        }
        SchemaInfo {
            kinds,
            title_max: schema::TITLE_MAX as u32,
            tags_max: schema::TAGS_MAX as u32,
            filters,
        }
    }
}

/// A document's listing row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocSummary {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub author: String,
    /// Whether this device's user owns the document.
    pub mine: bool,
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number")]
    pub updated: i64,
    /// `private` or `office`.
    pub visibility: String,
    pub language: Language,
    pub deleted: bool,
    pub tags: Vec<String>,
    /// The set values of the kind's filterable fields (`status`,
    /// `organ_system`…), by field key.
    pub filters: BTreeMap<String, String>,
}

impl DocSummary {
    pub fn new(s: Summary, user_id: &str) -> DocSummary {
        DocSummary {
            mine: s.owner == user_id,
            id: s.id,
            kind: s.kind.into(),
            title: s.title,
            author: s.author,
            created: s.created,
            updated: s.updated,
            visibility: s.visibility.as_str().to_owned(),
            language: s.language.into(),
            deleted: s.deleted,
            tags: s.tags,
            filters: s.filters,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SnippetSpan {
    pub text: String,
    pub hit: bool,
}

impl From<SnippetPart> for SnippetSpan {
    fn from(p: SnippetPart) -> SnippetSpan {
        SnippetSpan {
            text: p.text,
            hit: p.hit,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub summary: DocSummary,
    pub snippet: Vec<SnippetSpan>,
}

/// Whose documents a listing shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    All,
    /// Documents this user owns.
    Mine,
    /// Documents colleagues shared with the office.
    Shared,
    /// Deleted documents, which can be restored.
    Trash,
}

/// The library's filters. Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ListQuery {
    pub kind: Option<Kind>,
    /// Filterable field → the value it must have; empty values are ignored.
    pub filters: BTreeMap<String, String>,
    pub scope: Scope,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// A whole document: its listing row, its field values as the CLI's JSON
/// (docs/cli.md, "Document"), and why it cannot be edited, if it cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocView {
    pub summary: DocSummary,
    #[ts(type = "Record<string, unknown>")]
    pub fields: serde_json::Value,
    pub read_only: Option<String>,
    /// Likely patient identifiers in a case, where they are (empty for
    /// lesson plans and earlier versions). Recomputed on every save, so the
    /// editor shows them as the teacher types.
    pub findings: Vec<Finding>,
    /// The version these values are (hex change hashes). The editor sends
    /// them back with its next save (`edit_doc_at`), so the save is merged
    /// onto what it showed and a colleague's newer text survives.
    pub heads: Vec<String>,
    /// Rows a colleague removed while this device was editing them (the
    /// edit is in the hidden row); the editor offers to restore each.
    pub removed_rows: Vec<RemovedRow>,
    /// The references this version holds, each with its target's title
    /// when this device holds the target.
    pub links: Vec<LinkInfo>,
    /// The documents on this device that refer to this one.
    pub linked_from: Vec<Backlink>,
}

/// One reference of a document: in `field` (and list `row`), to `to`
/// (and its element). A target this device does not hold is
/// `available: false` with no title or kind: nothing more is known of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LinkInfo {
    pub field: String,
    pub row: Option<String>,
    pub to: String,
    pub to_element: Option<String>,
    pub available: bool,
    pub title: Option<String>,
    pub kind: Option<Kind>,
}

impl From<rounds_store::LinkView> for LinkInfo {
    fn from(l: rounds_store::LinkView) -> LinkInfo {
        LinkInfo {
            field: l.field,
            row: l.row,
            to: l.to,
            to_element: l.element,
            available: l.available,
            title: l.title,
            kind: l.kind.map(Into::into),
        }
    }
}

/// A document that refers to another ("what links here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Backlink {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub field: String,
    pub row: Option<String>,
}

impl From<rounds_store::Backlink> for Backlink {
    fn from(b: rounds_store::Backlink) -> Backlink {
        Backlink {
            id: b.id,
            title: b.title,
            kind: b.kind.into(),
            field: b.field,
            row: b.row,
        }
    }
}

/// A document made by a newer Rounds, of a kind this version does not know:
/// kept and synced, listed so that nothing seems lost, opened only once
/// Rounds is updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CarriedSummary {
    pub id: String,
    /// The kind's stored name (this version has no label for it).
    pub kind: String,
    pub title: String,
    /// Whether this device's user owns it.
    pub mine: bool,
    pub visibility: String,
    #[ts(type = "number")]
    pub updated: i64,
}

impl CarriedSummary {
    pub fn new(c: rounds_store::CarriedDoc, user_id: &str) -> CarriedSummary {
        CarriedSummary {
            mine: c.owner == user_id,
            id: c.id,
            kind: c.kind,
            title: c.title,
            visibility: c.visibility,
            updated: c.updated,
        }
    }
}

/// A list row a colleague removed over this device's edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemovedRow {
    /// The list field's key.
    pub field: String,
    pub row: String,
    /// The row's text, as restoring would bring it back.
    pub text: String,
    #[ts(type = "number")]
    pub found_at: i64,
}

impl From<rounds_store::RemovedEdit> for RemovedRow {
    fn from(r: rounds_store::RemovedEdit) -> Self {
        RemovedRow {
            field: r.field,
            row: r.row,
            text: r.text,
            found_at: r.found_at,
        }
    }
}

/// Where the caret is in the text field being typed in, so a save can say
/// where it went once a colleague's concurrent change is merged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Caret {
    /// The field key (for a list, the list's key).
    pub field: String,
    /// For a text inside a list row: the row's id and the row's field.
    pub row: Option<String>,
    pub sub_field: Option<String>,
    /// Offsets in UTF-16 code units, as JavaScript strings count them, in
    /// the value the save sent.
    pub start: u32,
    pub end: u32,
}

/// A saved edit (or a refresh): the document as merged, and the caret
/// mapped onto it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Saved {
    pub view: DocView,
    pub caret: Option<Caret>,
    /// The change the save made (none if the values were already so). The
    /// text the editor sent is the document at exactly this version: a
    /// field typed in again before the answer came is based on it.
    pub change: Option<String>,
}

/// A likely patient identifier in one field of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// `title`, `tags[2]`, a field key, or `questions[1].answer`.
    pub path: String,
    /// The field key (for a list, the list's key).
    pub field: String,
    /// The field's label in the document's language, with the row number
    /// for a list: `现病史`, `讨论问题 2 · 参考答案`.
    pub label: String,
    /// For a finding inside a list row: the row's id and the row's field.
    pub row: Option<String>,
    pub sub_field: Option<String>,
    /// What it looks like: `resident_id`, `phone`, `record_number`, `name`,
    /// `date`, `address`, `email`, `url`, `ip_address`, `bank_card`.
    pub kind: String,
    /// A high-confidence finding blocks sharing until it is removed.
    pub blocking: bool,
    /// Where it is in the field's text, in UTF-16 code units as JavaScript
    /// strings count them.
    pub start: u32,
    pub end: u32,
    pub text: String,
    pub reason: Label,
    /// What masking puts in its place.
    pub mask: String,
}

impl Finding {
    /// `fields` is the document's JSON, in which `f.path` names the text.
    pub(crate) fn new(f: &rounds_core::deid::FieldFinding, fields: &serde_json::Value) -> Finding {
        let field_text = text_at(fields, &f.path);
        let utf16 = |byte: usize| {
            field_text
                .get(..byte)
                .map_or(0, |p| p.encode_utf16().count() as u32)
        };
        // `questions[1].answer` → list `questions`, row field `answer`.
        let (field, sub_field) = match f.path.split_once('[') {
            Some((list, rest)) => (
                list.to_owned(),
                rest.split_once("].").map(|(_, sub)| sub.to_owned()),
            ),
            None => (f.path.clone(), None),
        };
        let kind = serde_json::to_value(f.finding.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Finding {
            path: f.path.clone(),
            field,
            label: f.label.clone(),
            row: f.element.clone(),
            sub_field,
            kind,
            blocking: rounds_core::deid::blocks_sharing(std::slice::from_ref(f)),
            start: utf16(f.finding.start),
            end: utf16(f.finding.end),
            text: f.finding.text.clone(),
            reason: Label::new(&f.finding.reason_zh, &f.finding.reason_en),
            mask: f.finding.mask.clone(),
        }
    }
}

/// The text a finding's path names in the document's JSON: `title`,
/// `tags[2]`, `history`, `questions[1].answer`.
fn text_at<'a>(fields: &'a serde_json::Value, path: &str) -> &'a str {
    let value = match path.split_once('[') {
        None => &fields[path],
        Some((list, rest)) => {
            let (index, sub) = rest.split_once(']').unwrap_or((rest, ""));
            let item = &fields[list][index.parse::<usize>().unwrap_or(usize::MAX)];
            match sub.strip_prefix('.') {
                Some(sub) => &item[sub],
                None => item,
            }
        }
    };
    value.as_str().unwrap_or_default()
}

/// Which finding to mask: the one at `start` (UTF-16) in `path` whose text
/// is `text`, as the UI last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FindingRef {
    pub path: String,
    pub start: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryItem {
    pub index: u32,
    pub hash: String,
    #[ts(type = "number")]
    pub time: i64,
    pub author: String,
    /// What the change touched: field keys, or `created`, `deleted`,
    /// `restored`, `visibility`, `title`, `tags`.
    pub fields: Vec<String>,
}

impl From<HistoryEntry> for HistoryItem {
    fn from(h: HistoryEntry) -> HistoryItem {
        HistoryItem {
            index: h.index as u32,
            hash: h.hash,
            time: h.time,
            author: h.author,
            fields: h.fields,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Profile {
    pub name: String,
    pub user_id: String,
    pub data_dir: String,
    /// The system's preferred languages from the environment (`LANGUAGE`,
    /// `LC_ALL`, `LC_MESSAGES`, `LANG`), such as `zh_CN.UTF-8`. The webview
    /// reports only locales the C library has installed, so the UI asks here
    /// first to default to the system language.
    pub system_languages: Vec<String>,
}

/// Where a template comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TemplateOrigin {
    /// One of the sample library's documents.
    Sample,
    /// A document in the library that the office approved or published.
    Approved,
}

/// A document to start a new one from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Template {
    /// What `create_from` takes: `sample:NAME` or `doc:ID`.
    pub source: String,
    pub title: String,
    pub origin: TemplateOrigin,
    pub language: Language,
}

/// What the status bar shows; sent whenever it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// This device has not joined an office; everything stays here.
    NotJoined,
    /// Waiting for the next sync; `pending` documents have changes to send.
    Idle,
    /// A sync is under way: `round_trips` requests so far, which sent
    /// `docs_sent` documents and brought `docs_received`.
    Syncing {
        round_trips: u32,
        docs_sent: u32,
        docs_received: u32,
    },
    /// The office cannot be reached; the next try is at `retry_at`.
    Offline {
        reason: String,
        #[ts(type = "number")]
        retry_at: i64,
    },
    /// The office answered with an error (or refused this device); the
    /// worker keeps retrying, more slowly, from `retry_at`.
    Error {
        code: String,
        message: String,
        #[ts(type = "number")]
        retry_at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    #[serde(flatten)]
    pub state: SyncState,
    pub office_name: Option<String>,
    pub office_url: Option<String>,
    /// Documents with changes the office does not have yet.
    pub pending: u32,
    /// Documents whose last push the office refused.
    pub rejected: u32,
    #[ts(type = "number | null")]
    pub last_sync: Option<i64>,
    /// Documents received from the office by the last sync; the UI reloads
    /// what it shows when this is not zero.
    pub received: u32,
}

/// What importing Word files did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WordImport {
    pub files: Vec<WordFile>,
    pub imported: u32,
    pub failed: u32,
}

/// One Word file: the document made from it (none in a dry run), or why
/// it could not be read; which text went into which field, and what was
/// kept in the notes because it fits no field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WordFile {
    pub file: String,
    pub id: Option<String>,
    pub error: Option<String>,
    pub title: Option<String>,
    pub placed: Vec<WordPlaced>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WordPlaced {
    /// `title`, a field key, or `list[row].column`.
    pub field: String,
    pub text: String,
}

/// A drive offered for sync by USB drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UsbDrive {
    /// What to show: the volume's name, or a drive letter.
    pub label: String,
    pub path: String,
}

/// A document saved as PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PdfSaved {
    /// Where the file went.
    pub path: String,
    pub pages: u32,
    /// Characters no bundled font has, each once: each printed as 〓, which
    /// the UI says rather than let the teacher find on paper.
    pub missing: Vec<String>,
}

impl PdfSaved {
    pub fn new(path: String, pdf: &rounds_pdf::Pdf) -> PdfSaved {
        PdfSaved {
            path,
            pages: pdf.pages as u32,
            missing: pdf.missing.iter().map(char::to_string).collect(),
        }
    }
}

/// What writing or importing a USB bundle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UsbOutcome {
    /// The bundle file written or read.
    pub file: String,
    /// Written: documents and changes the office has not got yet.
    pub docs_sent: u32,
    pub changes_sent: u32,
    /// Imported: documents received (the UI reloads when not zero), own
    /// documents the office acknowledged, and refused.
    pub received: u32,
    pub acknowledged: u32,
    pub refused: u32,
    /// False: the answer was older than this device's last sync; what it
    /// brought was merged and nothing else changed.
    pub cursor_moved: bool,
}

/// The error every command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The field an `invalid` error is about, for highlighting it.
    pub field: Option<String>,
}

/// The small set of error codes the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad input; `field` names what was wrong.
    Invalid,
    NotFound,
    /// The document was written by a newer Rounds and cannot be changed.
    ReadOnly,
    NotJoined,
    /// The office cannot be reached.
    Offline,
    /// The office refused this device (revoked, or a spent code).
    Unauthorized,
    /// The office showed another certificate than the one this device
    /// pinned when it joined; nothing was sent.
    CertificateChanged,
    /// The office's certificate is not trusted here (joining without its
    /// fingerprint, or an expired certificate, or another name); nothing
    /// was sent.
    CertificateUntrusted,
    /// The office's rules do not let this member do that (only the lead
    /// preparer moves stages, …); `field` names the rule.
    Forbidden,
    Internal,
}

/// Writes the TypeScript declarations of every IPC type into `dir` and
/// returns the files written.
pub fn export_typescript(dir: &std::path::Path) -> Result<(), ts_rs::ExportError> {
    let cfg = ts_rs::Config::new()
        .with_out_dir(dir)
        .with_large_int("number");
    SchemaInfo::export_all(&cfg)?;
    DocSummary::export_all(&cfg)?;
    SearchHit::export_all(&cfg)?;
    ListQuery::export_all(&cfg)?;
    FilterInfo::export_all(&cfg)?;
    DocView::export_all(&cfg)?;
    LinkInfo::export_all(&cfg)?;
    Backlink::export_all(&cfg)?;
    CarriedSummary::export_all(&cfg)?;
    FindingRef::export_all(&cfg)?;
    Caret::export_all(&cfg)?;
    Saved::export_all(&cfg)?;
    HistoryItem::export_all(&cfg)?;
    Profile::export_all(&cfg)?;
    Template::export_all(&cfg)?;
    SyncStatus::export_all(&cfg)?;
    AppError::export_all(&cfg)?;
    CollabView::export_all(&cfg)?;
    CompareView::export_all(&cfg)?;
    InboxEntry::export_all(&cfg)?;
    UnreadCount::export_all(&cfg)?;
    TargetInput::export_all(&cfg)?;
    GroupForm::export_all(&cfg)?;
    ReviewForm::export_all(&cfg)?;
    TakenUpstream::export_all(&cfg)?;
    UsbDrive::export_all(&cfg)?;
    UsbOutcome::export_all(&cfg)?;
    PdfSaved::export_all(&cfg)?;
    WordImport::export_all(&cfg)?;
    Ok(())
}
