//! What a document kind is, as data: its declaration ([`KindDecl`]), its
//! fields ([`Field`]), sections and choices, and the registry of the kinds
//! this build knows.
//!
//! Everything that treats documents generically — validation, the Automerge
//! mapping, JSON and Markdown export, projections and list filters, the
//! CLI's flags and output, the app's IPC types and the UI's forms, library
//! and print — walks these declarations instead of naming kinds or fields in
//! code. The built-in kinds are declared in `crate::kinds`; adding a kind is
//! one declaration there (see ARCHITECTURE.md, "Adding a kind"). Labels are
//! carried in both languages because the desktop app, Markdown export and
//! print all need them and must agree.

use std::sync::RwLock;

use serde::Serialize;

use crate::generate::Rng;

/// The newest document layout this build knows. A document whose `schema`
/// is higher was written by a newer Rounds and opens read-only.
///
/// 1: the fields and metadata; 2: adds `collab` (see `crate::collab`). A
/// new document is written as [`BASE_SCHEMA`] and raised to 2 only by its
/// first collaborative change, so documents without comments, groups or
/// reviews stay editable by builds that know only 1.
pub const SCHEMA_VERSION: u64 = 2;

/// The layout a new document starts with.
pub const BASE_SCHEMA: u64 = 1;

/// Everything Rounds knows about one kind of document. Declared once, as a
/// `static`, and registered ([`DocKind::register`] for kinds outside the
/// built-in list).
#[derive(Debug)]
pub struct KindDecl {
    /// The stored name (the document's `kind` root key). Never changes once
    /// released: documents carry it.
    pub name: &'static str,
    /// Other names people type on the command line (`lesson`, `教案`).
    pub aliases: &'static [&'static str],
    /// The short name in the CLI's table output.
    pub short: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    /// The desktop app's button that makes one (en, zh).
    pub new_doc: (&'static str, &'static str),
    /// The title a new document gets in the desktop app (en, zh).
    pub untitled: (&'static str, &'static str),
    /// The heading of a printed document (en, zh).
    pub print_title: (&'static str, &'static str),
    /// Every field, in the order of the form and the printout.
    pub fields: &'static [Field],
    /// Whether documents of this kind describe patients ([`DocKind::holds_patient_data`]).
    pub patient_data: bool,
    /// The choice fields the library and `rounds list` can filter by; each
    /// is projected into the store's one filter table.
    pub filters: &'static [&'static str],
    /// Who may set which values ([`FieldRule`]), enforced by the office.
    pub field_rules: &'static [FieldRule],
    /// Fields printed as the form's header grid rather than in their sections.
    pub print_header: &'static [&'static str],
    /// Sections a learner's copy leaves out (a case's teacher version); a
    /// kind with any prints a student and a teacher version.
    pub teacher_only: &'static [Section],
    /// The stages of preparing a document of this kind together (集体备课),
    /// in order, and who moves to each; none: the kind is not prepared in
    /// stages (its documents may still be commented on and reviewed).
    pub stages: &'static [StageDecl],
    /// Sample documents (file name, JSON as `rounds import` reads it).
    pub samples: &'static [(&'static str, &'static str)],
    /// Makes a generated document of this kind for tests and benchmarks:
    /// its title and fields, from a topic and a number, with long texts of
    /// about `body` characters.
    pub generate: Option<fn(&mut Rng, &GenSpec<'_>) -> (String, serde_json::Value)>,
}

/// One stage of preparing a document together, and who may move the
/// document to it: `lead` (the group's lead preparer) and office roles
/// (`office_admin`, `lead_teacher`, `teacher`). The office enforces it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StageDecl {
    pub key: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub movers: &'static [&'static str],
}

/// What [`KindDecl::generate`] is asked for.
#[derive(Debug, Clone, Copy)]
pub struct GenSpec<'a> {
    pub lang: Lang,
    pub topic: &'a str,
    pub n: usize,
    pub body: usize,
}

/// What a document is: a handle on its kind's declaration. Two handles are
/// equal when they name the same stored kind.
#[derive(Clone, Copy)]
pub struct DocKind(&'static KindDecl);

impl PartialEq for DocKind {
    fn eq(&self, other: &DocKind) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for DocKind {}

impl std::hash::Hash for DocKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state)
    }
}

impl std::fmt::Debug for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for DocKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> serde::Deserialize<'de> for DocKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DocKind, D::Error> {
        let s = String::deserialize(d)?;
        DocKind::named(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown kind `{s}`")))
    }
}

/// Kinds registered at run time, after the built-in ones. A process
/// registers before it opens a store or serves an office; tests use it to
/// prove that a declaration is all a kind needs.
static REGISTERED: RwLock<Vec<&'static KindDecl>> = RwLock::new(Vec::new());

/// Why a kind could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("the kind name or alias `{0}` is taken")]
    Taken(String),
    #[error("kind `{kind}`: {why}")]
    Invalid { kind: String, why: String },
}

/// Who may move a field to some of its values, whatever the client: the
/// office enforces these per kind (`rounds-office` `validate`). Roles are
/// the office's: `office_admin`, `lead_teacher`, `teacher`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    pub field: &'static str,
    /// The values only `roles` may set.
    pub values: &'static [&'static str],
    pub roles: &'static [&'static str],
}

impl DocKind {
    /// The built-in lesson plan (教案).
    pub const LESSON_PLAN: DocKind = DocKind(&crate::kinds::lesson_plan::DECL);
    /// The built-in teaching case (教学病例).
    pub const CASE: DocKind = DocKind(&crate::kinds::case::DECL);

    /// Every kind this process knows: the built-in ones, then the registered.
    pub fn all() -> Vec<DocKind> {
        let extra = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
        crate::kinds::BUILTIN
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .map(DocKind)
            .collect()
    }

    /// Makes `decl` a kind of this process, after checking that its names
    /// are free and its declaration is consistent ([`KindDecl::check`]).
    /// Registering the same declaration twice is harmless.
    pub fn register(decl: &'static KindDecl) -> Result<DocKind, RegisterError> {
        decl.check()?;
        let mut extra = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
        let known: Vec<&'static KindDecl> = crate::kinds::BUILTIN
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        if let Some(same) = known.iter().find(|k| k.name == decl.name) {
            return if std::ptr::eq(*same, decl) {
                Ok(DocKind(decl))
            } else {
                Err(RegisterError::Taken(decl.name.to_owned()))
            };
        }
        for name in std::iter::once(&decl.name).chain(decl.aliases) {
            if known
                .iter()
                .any(|k| k.name == *name || k.aliases.contains(name))
            {
                return Err(RegisterError::Taken((*name).to_owned()));
            }
        }
        extra.push(decl);
        Ok(DocKind(decl))
    }

    /// The declaration behind this kind.
    pub fn decl(self) -> &'static KindDecl {
        self.0
    }

    /// Whether documents of this kind describe patients: such a document
    /// is checked for identifiers as it is typed, never leaves its device
    /// while private, reaches the office only through sharing (a checked
    /// copy), has its edits checked and squashed before each push, and is
    /// re-checked by the office. This one method decides it everywhere.
    pub fn holds_patient_data(self) -> bool {
        self.0.patient_data
    }

    /// The stored names of the kinds that hold patient data, as an SQL
    /// list (`'case'`), for the store's queries of what may be pushed.
    /// Names are checked to be lowercase ASCII words at registration, so
    /// they need no quoting beyond the quotes.
    pub fn patient_kinds_sql() -> String {
        let list: Vec<String> = DocKind::all()
            .iter()
            .filter(|k| k.holds_patient_data())
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        if list.is_empty() {
            // `IN ()` is not SQL; a name no kind has matches nothing.
            "''".to_owned()
        } else {
            list.join(", ")
        }
    }

    /// The field rules of this kind (see [`FieldRule`]).
    pub fn field_rules(self) -> &'static [FieldRule] {
        self.0.field_rules
    }

    /// The stages of preparing a document of this kind together.
    pub fn stages(self) -> &'static [StageDecl] {
        self.0.stages
    }

    pub fn stage(self, key: &str) -> Option<&'static StageDecl> {
        self.0.stages.iter().find(|s| s.key == key)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// The short name in table output.
    pub fn short(self) -> &'static str {
        self.0.short
    }

    /// The kind whose stored name is exactly `s`.
    pub fn named(s: &str) -> Option<DocKind> {
        DocKind::all().into_iter().find(|k| k.as_str() == s)
    }

    /// Parses the stored name and the short forms people type on the command line.
    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::all()
            .into_iter()
            .find(|k| k.as_str() == s || k.0.aliases.contains(&s))
    }

    pub fn fields(self) -> &'static [Field] {
        self.0.fields
    }

    pub fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }

    /// The fields this kind can be filtered by, in declaration order.
    pub fn filters(self) -> impl Iterator<Item = &'static Field> {
        self.0.filters.iter().filter_map(move |k| self.field(k))
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.0.zh,
            Lang::En => self.0.en,
        }
    }

    /// The sections in the order their first field appears, each with its fields.
    pub fn sections(self) -> Vec<(Section, Vec<&'static Field>)> {
        let mut out: Vec<(Section, Vec<&'static Field>)> = Vec::new();
        for f in self.fields() {
            match out.iter_mut().find(|(s, _)| *s == f.section) {
                Some((_, v)) => v.push(f),
                None => out.push((f.section, vec![f])),
            }
        }
        out
    }

    /// The signature of every known kind's filters, `kind:field,field;…`
    /// sorted by kind: the store re-projects a kind's documents when its
    /// part changes.
    pub fn filter_signature() -> String {
        let mut kinds = DocKind::all();
        kinds.sort_by_key(|k| k.as_str());
        kinds
            .iter()
            .map(|k| format!("{}:{}", k.as_str(), k.0.filters.join(",")))
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl KindDecl {
    /// Checks what the type system cannot: names are lowercase ASCII words
    /// (they appear in SQL lists and file names), field keys are unique and
    /// not reserved, filters name choice fields, print-header and rule
    /// fields exist, and list items avoid the element keys.
    pub fn check(&self) -> Result<(), RegisterError> {
        let bad = |why: String| RegisterError::Invalid {
            kind: self.name.to_owned(),
            why,
        };
        let word = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !word(self.name) {
            return Err(bad(
                "the name must be lowercase letters, digits and `_`".into()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for f in self.fields {
            if !seen.insert(f.key) {
                return Err(bad(format!("`{}` is declared twice", f.key)));
            }
            if crate::doc::RESERVED_KEYS.contains(&f.key) || !word(f.key) {
                return Err(bad(format!("`{}` cannot be a field key", f.key)));
            }
            if let FieldType::List { item, .. } = f.ty {
                let mut keys = std::collections::HashSet::new();
                for i in item {
                    if !keys.insert(i.key) || ["id", "order", "removed"].contains(&i.key) {
                        return Err(bad(format!("`{}.{}` cannot be an item key", f.key, i.key)));
                    }
                }
            }
        }
        let field = |k: &str| self.fields.iter().find(|f| f.key == k);
        for k in self.filters {
            if !matches!(field(k).map(|f| &f.ty), Some(FieldType::Choice { .. })) {
                return Err(bad(format!("filter `{k}` is not a choice field")));
            }
        }
        for k in self
            .print_header
            .iter()
            .chain(self.field_rules.iter().map(|r| &r.field))
        {
            if field(k).is_none() {
                return Err(bad(format!("`{k}` is not a field")));
            }
        }
        let mut stages = std::collections::HashSet::new();
        for st in self.stages {
            if !word(st.key) || st.key.len() > 16 || !stages.insert(st.key) {
                return Err(bad(format!(
                    "stage `{}` must be a short word, once",
                    st.key
                )));
            }
            let known = ["lead", "office_admin", "lead_teacher", "teacher"];
            if st.movers.is_empty() || st.movers.iter().any(|m| !known.contains(m)) {
                return Err(bad(format!(
                    "stage `{}`: movers are lead, office_admin, lead_teacher or teacher",
                    st.key
                )));
            }
        }
        Ok(())
    }
}

/// The two languages Rounds speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh_CN" | "cn" | "中文" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One allowed value of a choice field.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Choice {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The type of a field and its limits.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Automerge text, edited in place so concurrent edits to different parts
    /// both survive. `max` counts Unicode scalar values.
    Text { max: usize, multiline: bool },
    /// One value from a fixed list; concurrent sets resolve deterministically
    /// (Automerge's last-writer-wins by actor order).
    Choice { choices: &'static [Choice] },
    /// A whole number within bounds.
    Int { min: i64, max: i64 },
    /// A decimal number within bounds, such as class hours.
    Number { min: f64, max: f64 },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A reference to another document (and optionally one element of
    /// it), stored by id as one string, `DOC` or `DOC#ELEMENT`
    /// (`crate::refs`). `kinds` names the kinds it may point at; empty
    /// means any kind.
    Ref { kinds: &'static [&'static str] },
    /// A list of elements with stable ids, each a record of `fields`.
    List {
        item: &'static [Field],
        max_items: usize,
    },
}

/// One field of a document kind.
#[derive(Debug, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub section: Section,
    pub en: &'static str,
    pub zh: &'static str,
    #[serde(flatten)]
    pub ty: FieldType,
}

impl Field {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    pub fn item_field(&self, key: &str) -> Option<&'static Field> {
        match self.ty {
            FieldType::List { item, .. } => item.iter().find(|f| f.key == key),
            _ => None,
        }
    }

    pub fn choice(&self, value: &str) -> Option<&'static Choice> {
        match self.ty {
            FieldType::Choice { choices } => choices.iter().find(|c| c.value == value),
            _ => None,
        }
    }
}

/// Where a field sits in the editor, the printout and the Markdown export.
/// Sections are declared beside the kinds that use them (`crate::kinds`);
/// two are the same section when their keys are equal.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The stable key (`key_points`, `act1`), used by the UI.
    pub key: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl PartialEq for Section {
    fn eq(&self, other: &Section) -> bool {
        self.key == other.key
    }
}

impl Eq for Section {}

impl std::hash::Hash for Section {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

impl Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key)
    }
}

impl Section {
    pub const fn new(key: &'static str, en: &'static str, zh: &'static str) -> Section {
        Section { key, en, zh }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The limits of one-line, paragraph and long texts.
pub const SHORT: usize = 200;
pub const MEDIUM: usize = 2_000;
pub const LONG: usize = 50_000;

pub const fn line(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: SHORT,
            multiline: false,
        },
    }
}

pub const fn para(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: MEDIUM,
            multiline: true,
        },
    }
}

pub const fn long(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: LONG,
            multiline: true,
        },
    }
}

pub const fn choice(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
    choices: &'static [Choice],
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Choice { choices },
    }
}

pub const fn reference(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
    kinds: &'static [&'static str],
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Ref { kinds },
    }
}

pub const fn c(value: &'static str, en: &'static str, zh: &'static str) -> Choice {
    Choice { value, en, zh }
}

pub const fn list(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
    item: &'static [Field],
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::List {
            item,
            max_items: 200,
        },
    }
}

/// The most characters a title may have.
pub const TITLE_MAX: usize = 200;
/// The most tags a document may carry, and the most characters in one.
pub const TAGS_MAX: usize = 50;
pub const TAG_MAX: usize = 64;
/// The most characters in an author's display name.
pub const AUTHOR_MAX: usize = 100;
/// The years a date field may name. A teaching date outside them is a
/// typing or locale mix-up (`2026-03-15` read as month/day/year once stored
/// `0015-12-03`), so it is refused rather than saved and printed.
pub const DATE_YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn field_keys_are_unique_and_not_reserved() {
        for kind in DocKind::all() {
            let mut seen = HashSet::new();
            for f in kind.fields() {
                assert!(seen.insert(f.key), "{} repeats {}", kind.as_str(), f.key);
                assert!(
                    !crate::doc::RESERVED_KEYS.contains(&f.key),
                    "{} is reserved",
                    f.key
                );
                if let FieldType::List { item, .. } = f.ty {
                    let keys: HashSet<_> = item.iter().map(|i| i.key).collect();
                    assert_eq!(keys.len(), item.len(), "{} repeats an item key", f.key);
                    assert!(
                        !keys.contains("id")
                            && !keys.contains("order")
                            && !keys.contains("removed")
                    );
                }
            }
        }
    }
}
