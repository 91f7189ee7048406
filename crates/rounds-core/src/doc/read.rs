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
        let fields = self.fields_obj().map(|obj| MapView::of(&self.am, &obj));
        for f in self.kind.fields() {
            let v = fields
                .as_ref()
                .map_or(Json::Null, |view| read_field(&self.am, view, f));
            m.insert(f.key.into(), v);
        }
        Json::Object(m)
    }

    /// [`Document::to_json`], kept until the document changes. Saving an
    /// edit needs the document's text three times (the next edit's diff,
    /// the search index, the editor's view) and reading a long text out of
    /// Automerge costs a tenth of a save each time; kept, it is read once.
    pub fn json(&mut self) -> Json {
        if let Some(j) = self.remembered() {
            return j.clone();
        }
        let j = self.to_json();
        if self.am.pending_ops() == 0 {
            let heads = self.am.get_heads();
            self.read = Some((heads, j.clone()));
        }
        j
    }

    /// The JSON [`Document::json`] kept, if it is of the document as it is
    /// now: at the same heads, with no change under way.
    pub(super) fn remembered(&mut self) -> Option<&Json> {
        if self.read.is_none() || self.am.pending_ops() != 0 {
            return None;
        }
        let heads = self.am.get_heads();
        self.read
            .as_ref()
            .filter(|(h, _)| *h == heads)
            .map(|(_, j)| j)
    }

    /// [`Document::search_text`], from the JSON [`Document::json`] kept
    /// when it is current (the same text, without reading it again).
    pub fn index_text(&mut self) -> String {
        let kind = self.kind;
        match self.remembered() {
            Some(j) => {
                let mut out = String::new();
                json_text(kind.fields(), j, &mut out);
                out
            }
            None => self.search_text(),
        }
    }
}

/// [`collect_text`] over the document's JSON: the same texts in the same
/// order.
fn json_text(fields: &[Field], obj: &Json, out: &mut String) {
    for f in fields {
        match &f.ty {
            FieldType::Text { .. } => {
                if let Some(t) = obj
                    .get(f.key)
                    .and_then(Json::as_str)
                    .filter(|t| !t.is_empty())
                {
                    out.push_str(t);
                    out.push('\n');
                }
            }
            FieldType::List { item, .. } => {
                for e in obj
                    .get(f.key)
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    json_text(item, e, out);
                }
            }
            _ => {}
        }
    }
}

/// A document's time: the latest of `created` and every actor's `updated`.
pub(super) fn updated_of(am: &AutoCommit) -> i64 {
    let created = get_i64(am, &ROOT, "created").unwrap_or(0);
    let Ok(Some((Value::Object(ObjType::Map), obj))) = am.get(ROOT, "updated") else {
        return created;
    };
    updated_in(am, &obj, created)
}

/// The latest of `created` and the times in the `updated` map `obj`.
pub(super) fn updated_in(am: &AutoCommit, obj: &ObjId, created: i64) -> i64 {
    am.map_range(obj, ..)
        .filter_map(|item| scalar_i64(&item.value))
        .fold(created, i64::max)
}

/// One map object's entries, read in a single pass. `AutoCommit::get`
/// seeks through the object's ops again for every key: reading a
/// document's 31 fields key by key cost three times what one pass over the
/// map costs (0.14 ms against 0.05 ms a document, texts included), and
/// every document a new device receives is read this way for the index.
pub(crate) struct MapView {
    /// By key, in key order (for the binary search).
    entries: Vec<(String, Entry)>,
}

enum Entry {
    Scalar(ScalarValue),
    Object(ObjType, ObjId),
}

impl MapView {
    pub(crate) fn of(am: &AutoCommit, obj: &ObjId) -> MapView {
        let mut entries: Vec<(String, Entry)> = am
            .map_range(obj, ..)
            .map(|item| {
                let entry = match &item.value {
                    automerge::ValueRef::Object(t) => Entry::Object(*t, item.id()),
                    automerge::ValueRef::Scalar(s) => Entry::Scalar(scalar_owned(s)),
                };
                (item.key.into_owned(), entry)
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        MapView { entries }
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// A string or text value, as [`get_str`] reads it.
    pub(crate) fn str(&self, am: &AutoCommit, key: &str) -> Option<String> {
        match self.entry(key)? {
            Entry::Scalar(ScalarValue::Str(s)) => Some(s.to_string()),
            Entry::Object(ObjType::Text, id) => am.text(id).ok(),
            _ => None,
        }
    }

    /// An integer, as [`get_i64`] reads it.
    pub(crate) fn i64(&self, key: &str) -> Option<i64> {
        match self.entry(key)? {
            Entry::Scalar(ScalarValue::Int(i)) => Some(*i),
            Entry::Scalar(ScalarValue::Uint(u)) => i64::try_from(*u).ok(),
            Entry::Scalar(ScalarValue::Timestamp(t)) => Some(*t),
            _ => None,
        }
    }

    fn scalar(&self, key: &str) -> Option<&ScalarValue> {
        match self.entry(key)? {
            Entry::Scalar(s) => Some(s),
            Entry::Object(..) => None,
        }
    }

    pub(crate) fn is_true(&self, key: &str) -> bool {
        matches!(self.scalar(key), Some(ScalarValue::Boolean(true)))
    }

    /// The map object under `key`.
    pub(crate) fn map(&self, key: &str) -> Option<&ObjId> {
        match self.entry(key)? {
            Entry::Object(ObjType::Map, id) => Some(id),
            _ => None,
        }
    }
}

/// An owned copy of the scalars a document's fields hold (strings,
/// numbers, times, booleans); others read as null, as `get_str` and
/// `get_i64` read them.
fn scalar_owned(s: &automerge::ScalarValueRef<'_>) -> ScalarValue {
    use automerge::ScalarValueRef as R;
    match s {
        R::Str(s) => ScalarValue::Str(s.as_ref().into()),
        R::Int(i) => ScalarValue::Int(*i),
        R::Uint(u) => ScalarValue::Uint(*u),
        R::F64(x) => ScalarValue::F64(*x),
        R::Timestamp(t) => ScalarValue::Timestamp(*t),
        R::Boolean(b) => ScalarValue::Boolean(*b),
        // Key-by-key reads never took a counter for a number either.
        R::Counter(_) | R::Bytes(_) | R::Unknown { .. } | R::Null => ScalarValue::Null,
    }
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

pub(super) fn read_field(am: &AutoCommit, parent: &MapView, f: &Field) -> Json {
    match &f.ty {
        FieldType::Text { .. } => json!(parent.str(am, f.key).unwrap_or_default()),
        FieldType::Choice { .. } | FieldType::Date | FieldType::Ref { .. } => {
            parent.str(am, f.key).map_or(Json::Null, Json::String)
        }
        FieldType::Int { .. } => parent.i64(f.key).map_or(Json::Null, |i| json!(i)),
        FieldType::Number { .. } => match parent.scalar(f.key) {
            Some(ScalarValue::F64(x)) => json!(x),
            Some(ScalarValue::Int(i)) => json!(i),
            _ => Json::Null,
        },
        FieldType::List { item, .. } => {
            let Some(list) = parent.map(f.key) else {
                return json!([]);
            };
            let els: Vec<Json> = list_items_of(am, list)
                .into_iter()
                .filter(|e| !e.removed)
                .map(|e| {
                    let mut m = Map::new();
                    m.insert("id".into(), json!(e.id));
                    for sub in *item {
                        m.insert(sub.key.into(), read_field(am, &e.view, sub));
                    }
                    Json::Object(m)
                })
                .collect();
            Json::Array(els)
        }
    }
}

pub(super) fn collect_text(am: &AutoCommit, parent: &MapView, f: &Field, out: &mut String) {
    match &f.ty {
        FieldType::Text { .. } => {
            if let Some(t) = parent.str(am, f.key).filter(|t| !t.is_empty()) {
                out.push_str(&t);
                out.push('\n');
            }
        }
        FieldType::List { item, .. } => {
            if let Some(list) = parent.map(f.key) {
                for e in list_items_of(am, list).into_iter().filter(|e| !e.removed) {
                    for sub in *item {
                        collect_text(am, &e.view, sub, out);
                    }
                }
            }
        }
        _ => {}
    }
}
