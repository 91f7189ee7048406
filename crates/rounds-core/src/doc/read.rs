//! Reading a document's values out of Automerge.

use super::*;

impl Document {
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
}

/// A document's time: the latest of `created` and every actor's `updated`.
pub(super) fn updated_of(am: &AutoCommit) -> i64 {
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

pub(super) fn get_text(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    get_str(am, obj, key)
}

pub(crate) fn get_i64(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<i64> {
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

pub(super) fn get_u64(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<u64> {
    get_i64(am, obj, key).and_then(|i| u64::try_from(i).ok())
}

pub(super) fn scalar_i64(v: &automerge::ValueRef<'_>) -> Option<i64> {
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

pub(super) fn read_field(am: &AutoCommit, parent: &ObjId, f: &Field) -> Json {
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

pub(super) fn collect_text(am: &AutoCommit, parent: &ObjId, f: &Field, out: &mut String) {
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
