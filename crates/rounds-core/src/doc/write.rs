//! Writing field values into Automerge: text by diff, scalars only when changed, lists as maps of elements with an order key.

use super::*;

pub(super) fn write_field(
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

pub(super) fn put_scalar_if_changed(
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
    pub(super) order: String,
    pub(crate) removed: bool,
    pub(super) obj: ObjId,
    /// The element's entries, read once (see [`MapView`]).
    pub(super) view: MapView,
}

/// The elements of the list field `key` of `parent`; see [`list_items_of`].
pub(crate) fn list_items(am: &AutoCommit, parent: &ObjId, key: &str) -> Vec<ListEl> {
    match am.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), list))) => list_items_of(am, &list),
        _ => Vec::new(),
    }
}

pub(super) fn write_list(
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
pub(super) fn list_items_of(am: &AutoCommit, list: &ObjId) -> Vec<ListEl> {
    let mut els: Vec<ListEl> = am
        .map_range(list, ..)
        .filter_map(|item| {
            let obj = match item.value {
                automerge::ValueRef::Object(ObjType::Map) => item.id(),
                _ => return None,
            };
            let view = MapView::of(am, &obj);
            let order = view.str(am, "order").unwrap_or_default();
            let removed = view.is_true("removed");
            Some(ListEl {
                id: item.key.to_string(),
                order,
                removed,
                obj,
                view,
            })
        })
        .collect();
    els.sort_by(|a, b| (a.removed, &a.order, &a.id).cmp(&(b.removed, &b.order, &b.id)));
    els
}
