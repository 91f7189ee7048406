//! What the tests share: the sample documents as the store would hold them,
//! and a comparison of field values that ignores how they are spelled.

#![allow(dead_code)] // each test file uses some of the helpers

use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use serde_json::{Map, Value as Json};

/// Every sample of every kind, made into a document and read back as the
/// JSON export takes (`Document::to_json`).
pub fn samples() -> Vec<(&'static str, Json)> {
    rounds_core::samples::all()
        .into_iter()
        .enumerate()
        .map(|(n, (name, text))| {
            let v: Json = serde_json::from_str(text).unwrap();
            let kind = DocKind::named(v["kind"].as_str().unwrap()).unwrap();
            let lang = Lang::parse(v["language"].as_str().unwrap()).unwrap();
            let fields: Map<String, Json> = kind
                .fields()
                .iter()
                .filter_map(|f| v.get(f.key).map(|x| (f.key.to_owned(), x.clone())))
                .collect();
            let doc = rounds_core::testing::doc(
                &format!("0190a0b0-0000-7000-8000-{n:012}"),
                kind,
                v["title"].as_str().unwrap(),
            )
            .language(lang)
            .fields(Json::Object(fields))
            .create();
            (name, doc.to_json())
        })
        .collect()
}

/// A field's value with what does not change its meaning taken away:
/// list rows' ids, empty values, integers written as decimals.
pub fn canonical(f: &Field, v: Option<&Json>) -> Json {
    let v = match v {
        None | Some(Json::Null) => return Json::Null,
        Some(v) => v,
    };
    match (&f.ty, v) {
        (_, Json::String(s)) if s.trim().is_empty() => Json::Null,
        (_, Json::String(s)) => Json::String(s.trim().to_owned()),
        (FieldType::Number { .. } | FieldType::Int { .. }, Json::Number(n)) => {
            serde_json::json!(n.as_f64().unwrap())
        }
        (FieldType::List { item, .. }, Json::Array(rows)) => {
            let rows: Vec<Json> = rows
                .iter()
                .map(|r| {
                    let m: Map<String, Json> = item
                        .iter()
                        .filter_map(|i| {
                            let c = canonical(i, r.get(i.key));
                            (!c.is_null()).then(|| (i.key.to_owned(), c))
                        })
                        .collect();
                    Json::Object(m)
                })
                .filter(|r| r.as_object().is_some_and(|m| !m.is_empty()))
                .collect();
            if rows.is_empty() {
                Json::Null
            } else {
                Json::Array(rows)
            }
        }
        (_, v) => v.clone(),
    }
}
