//! Starting a document from another one: a duplicate of a document in the
//! library, or a template — a sample, or a lesson plan or case the office
//! has approved. The new document is the teacher's own private draft: it
//! takes the content fields, new list rows (so nothing is tied to the
//! source's elements) and none of the source's workflow (status, review).

use rounds_core::kinds::WORKFLOW;
use rounds_core::schema::{DocKind, FieldType};
use serde_json::{Map, Value as Json};

/// The content of `doc` (a document's JSON) that a copy takes.
pub fn content_of(kind: DocKind, doc: &Json) -> Json {
    let mut out = Map::new();
    for f in kind.fields() {
        if f.section == WORKFLOW {
            continue;
        }
        let Some(v) = doc.get(f.key) else { continue };
        let v = match (&f.ty, v) {
            (FieldType::List { .. }, Json::Array(rows)) => Json::Array(
                rows.iter()
                    .map(|r| {
                        let mut r = r.clone();
                        if let Some(o) = r.as_object_mut() {
                            o.remove("id");
                        }
                        r
                    })
                    .collect(),
            ),
            _ => v.clone(),
        };
        out.insert(f.key.to_owned(), v);
    }
    if let Some(tags) = doc.get("tags") {
        out.insert("tags".to_owned(), tags.clone());
    }
    Json::Object(out)
}

/// The samples of a kind, as (file name, its JSON).
pub fn samples(kind: DocKind) -> Vec<(&'static str, Json)> {
    rounds_core::samples::all()
        .iter()
        .filter_map(|(name, text)| {
            let j: Json = serde_json::from_str(text).ok()?;
            (j.get("kind").and_then(Json::as_str) == Some(kind.as_str())).then_some((*name, j))
        })
        .collect()
}
