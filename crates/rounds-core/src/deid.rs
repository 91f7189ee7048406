//! Patient identifiers in a document: where they are, and how to mask them.
//!
//! The detectors are in `rounds-deid`; this module runs them over every text
//! of a document (title, tags, text fields, text inside list elements) and
//! says which field each finding is in, so the editor can show it in place
//! and one action can mask it.

use rounds_deid::{Confidence, Finding};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use crate::doc::Document;
use crate::schema::{FieldType, Lang};

/// A finding in one field of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldFinding {
    /// Where: `title`, `tags[2]`, a field key, or `questions[1].answer`.
    pub path: String,
    /// The field's label, in the document's language.
    pub label: String,
    /// The list element's id for findings inside a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Whether a set of findings blocks sharing: any of high confidence.
pub fn blocks_sharing(findings: &[FieldFinding]) -> bool {
    findings.iter().any(|f| f.finding.blocks_sharing())
}

/// Scans every text of the document. Low-confidence hints are left out:
/// they are too weak to show a teacher.
pub fn check(doc: &Document) -> Vec<FieldFinding> {
    check_json(doc, &doc.to_json())
}

/// [`check`] over `json`, the document's [`Document::to_json`], for a
/// caller that has built it already (the office, which validates the same
/// state's values from it).
pub fn check_json(doc: &Document, json: &Json) -> Vec<FieldFinding> {
    let lang = doc.summary().language;
    let mut out = Vec::new();
    let mut scan = |path: String, label: String, element: Option<String>, text: &str| {
        for f in rounds_deid::scan(text) {
            if f.confidence >= Confidence::Medium {
                out.push(FieldFinding {
                    path: path.clone(),
                    label: label.clone(),
                    element: element.clone(),
                    finding: f,
                });
            }
        }
    };
    let title_label = if lang == Lang::Zh { "标题" } else { "Title" };
    scan(
        "title".into(),
        title_label.into(),
        None,
        json["title"].as_str().unwrap_or_default(),
    );
    if let Some(tags) = json["tags"].as_array() {
        for (i, t) in tags.iter().enumerate() {
            scan(
                format!("tags[{i}]"),
                if lang == Lang::Zh { "标签" } else { "Tag" }.into(),
                None,
                t.as_str().unwrap_or_default(),
            );
        }
    }
    for f in doc.kind().fields() {
        match &f.ty {
            FieldType::Text { .. } => scan(
                f.key.into(),
                f.label(lang).into(),
                None,
                json[f.key].as_str().unwrap_or_default(),
            ),
            FieldType::List { item, .. } => {
                for (i, el) in json[f.key].as_array().into_iter().flatten().enumerate() {
                    for sub in item
                        .iter()
                        .filter(|s| matches!(s.ty, FieldType::Text { .. }))
                    {
                        scan(
                            format!("{}[{i}].{}", f.key, sub.key),
                            format!("{} {} · {}", f.label(lang), i + 1, sub.label(lang)),
                            el["id"].as_str().map(str::to_owned),
                            el[sub.key].as_str().unwrap_or_default(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// An edit that replaces every given finding by its suggested mask. Pass
/// the findings of [`check`] (all, or the ones the teacher chose).
pub fn mask_patch(doc: &Document, findings: &[FieldFinding]) -> Json {
    let json = doc.to_json();
    let mut patch = Map::new();
    let masked = |text: &str, path: &str| -> String {
        let mine: Vec<Finding> = findings
            .iter()
            .filter(|f| f.path == path)
            .map(|f| f.finding.clone())
            .collect();
        rounds_deid::mask_all(text, &mine)
    };
    if findings.iter().any(|f| f.path == "title") {
        patch.insert(
            "title".into(),
            json!(masked(json["title"].as_str().unwrap_or_default(), "title")),
        );
    }
    if findings.iter().any(|f| f.path.starts_with("tags[")) {
        let tags: Vec<String> = json["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, t)| masked(t.as_str().unwrap_or_default(), &format!("tags[{i}]")))
            .collect();
        patch.insert("tags".into(), json!(tags));
    }
    for f in doc.kind().fields() {
        match &f.ty {
            FieldType::Text { .. } if findings.iter().any(|x| x.path == f.key) => {
                patch.insert(
                    f.key.into(),
                    json!(masked(json[f.key].as_str().unwrap_or_default(), f.key)),
                );
            }
            FieldType::List { item, .. }
                if findings
                    .iter()
                    .any(|x| x.path.starts_with(&format!("{}[", f.key))) =>
            {
                let els: Vec<Json> = json[f.key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, el)| {
                        let mut el = el.clone();
                        for sub in item
                            .iter()
                            .filter(|s| matches!(s.ty, FieldType::Text { .. }))
                        {
                            let path = format!("{}[{i}].{}", f.key, sub.key);
                            let text = el[sub.key].as_str().unwrap_or_default().to_owned();
                            el[sub.key] = json!(masked(&text, &path));
                        }
                        el
                    })
                    .collect();
                patch.insert(f.key.into(), Json::Array(els));
            }
            _ => {}
        }
    }
    Json::Object(patch)
}

/// The high-confidence identifiers in all of a document's text, as
/// (kind, text) pairs: what the office compares before and after a change.
pub fn identifiers(doc: &Document) -> Vec<(rounds_deid::Kind, String)> {
    if !doc.kind().holds_patient_data() {
        return Vec::new();
    }
    identifiers_json(doc, &doc.to_json())
}

/// [`identifiers`] over `json`, the document's [`Document::to_json`].
pub fn identifiers_json(doc: &Document, json: &Json) -> Vec<(rounds_deid::Kind, String)> {
    if !doc.kind().holds_patient_data() {
        return Vec::new();
    }
    let mut v: Vec<(rounds_deid::Kind, String)> = check_json(doc, json)
        .into_iter()
        .filter(|f| f.finding.blocks_sharing())
        .map(|f| (f.finding.kind, f.finding.text))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Which identifiers refuse a change to a document of kind `doc`. A case is
/// refused for every high-confidence identifier. A kind that holds no
/// patient data, such as a lesson plan, legitimately names its teachers,
/// its hospital, its teaching dates and the beds of a ward round, so only
/// the identifiers that never belong in one — a resident ID, a phone
/// number, a bank card — refuse it. The office applies this to every
/// pushed change; devices apply it to comments before they are written.
pub fn may_not_hold(doc: crate::schema::DocKind, kind: rounds_deid::Kind) -> bool {
    doc.holds_patient_data()
        || matches!(
            kind,
            rounds_deid::Kind::ResidentId | rounds_deid::Kind::Phone | rounds_deid::Kind::BankCard
        )
}

/// The first identifier in `text` that a document of kind `doc` may not
/// hold (see [`may_not_hold`]).
pub fn forbidden_in(doc: crate::schema::DocKind, text: &str) -> Option<Finding> {
    rounds_deid::scan(text)
        .into_iter()
        .find(|f| f.blocks_sharing() && may_not_hold(doc, f.kind))
}
