//! Two versions of a document side by side, field by field, with what was
//! inserted and deleted marked.

use serde::Serialize;
use serde_json::Value as Json;
use similar::{ChangeTag, TextDiff};

use crate::doc::{DocError, Document, invalid};
use crate::schema::FieldType;

/// A run of text that is in both versions, only the old, or only the new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum Piece {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// One field that differs between the versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    pub field: String,
    pub label_en: String,
    pub label_zh: String,
    pub old: String,
    pub new: String,
    pub pieces: Vec<Piece>,
}

/// The document at `old` and at `new` (space-separated change hashes;
/// empty for the document as it is), every field that differs.
pub fn compare(d: &mut Document, old: &str, new: &str) -> Result<Vec<FieldDiff>, DocError> {
    let a = version(d, old)?;
    let b = version(d, new)?;
    let (ja, jb) = (a.to_json(), b.to_json());
    let mut out = Vec::new();
    let mut push = |key: &str, en: &str, zh: &str, x: String, y: String| {
        if x != y {
            out.push(FieldDiff {
                field: key.to_owned(),
                label_en: en.to_owned(),
                label_zh: zh.to_owned(),
                pieces: pieces(&x, &y),
                old: x,
                new: y,
            });
        }
    };
    push("title", "Title", "标题", a.title(), b.title());
    for f in d.kind().fields() {
        let x = flat(&f.ty, &ja[f.key]);
        let y = flat(&f.ty, &jb[f.key]);
        push(f.key, f.en, f.zh, x, y);
    }
    Ok(out)
}

fn version(d: &mut Document, heads: &str) -> Result<Document, DocError> {
    if heads.trim().is_empty() {
        let am = d.automerge().clone();
        return Document::from_automerge(am);
    }
    let hs = super::write::parse_heads(heads)
        .ok_or_else(|| invalid("version", format!("`{heads}` is not a version")))?;
    if hs
        .iter()
        .any(|h| d.automerge_mut().get_change_by_hash(h).is_none())
    {
        return Err(invalid("version", "this document has no such version"));
    }
    let am = d.automerge_mut().fork_at(&hs)?;
    let mut v = Document::from_automerge(am)?;
    v.set_actor(automerge::ActorId::random());
    Ok(v)
}

/// A field's value as text to compare: text as it is, a list as one line
/// per row (its item fields joined), anything else as written.
fn flat(ty: &FieldType, v: &Json) -> String {
    match (ty, v) {
        (_, Json::Null) => String::new(),
        (_, Json::String(s)) => s.clone(),
        (FieldType::List { item, .. }, Json::Array(rows)) => rows
            .iter()
            .map(|r| {
                item.iter()
                    .filter_map(|f| match &r[f.key] {
                        Json::Null => None,
                        Json::String(s) if s.is_empty() => None,
                        Json::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (_, other) => other.to_string(),
    }
}

fn pieces(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::from_chars(old, new);
    let mut out: Vec<Piece> = Vec::new();
    for c in diff.iter_all_changes() {
        let s = c.value();
        match (c.tag(), out.last_mut()) {
            (ChangeTag::Equal, Some(Piece::Same(t)))
            | (ChangeTag::Delete, Some(Piece::Deleted(t)))
            | (ChangeTag::Insert, Some(Piece::Inserted(t))) => t.push_str(s),
            (ChangeTag::Equal, _) => out.push(Piece::Same(s.to_owned())),
            (ChangeTag::Delete, _) => out.push(Piece::Deleted(s.to_owned())),
            (ChangeTag::Insert, _) => out.push(Piece::Inserted(s.to_owned())),
        }
    }
    out
}
