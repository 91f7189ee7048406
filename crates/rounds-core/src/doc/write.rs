//! Writing field values into Automerge: text by diff, scalars only when changed, lists as maps of elements with an order key.

use super::*;

pub(super) fn write_field(
    am: &mut AutoCommit,
    parent: &ObjId,
    f: &Field,
    v: &Json,
    ctx: &mut EditCtx<'_>,
    was: Option<&str>,
) -> Result<(), DocError> {
    match &f.ty {
        FieldType::Text { .. } => {
            let new = v.as_str().unwrap_or_default();
            // `was`, the field's text before this edit when the caller has
            // it, saves reading it again; it is only trusted for a text
            // that is there.
            let (t, current) = match am.get(parent, f.key)? {
                Some((Value::Object(ObjType::Text), t)) => {
                    let current = match was {
                        Some(w) => std::borrow::Cow::Borrowed(w),
                        None => std::borrow::Cow::Owned(am.text(&t)?),
                    };
                    debug_assert_eq!(current, am.text(&t)?, "the text kept is the text");
                    (t, current)
                }
                _ => (
                    am.put_object(parent, f.key, ObjType::Text)?,
                    std::borrow::Cow::Borrowed(""),
                ),
            };
            update_text(am, &t, &current, new)?;
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

/// Makes the text object `t`, now `old`, read `new`, replacing only what
/// differs: the characters both share stay the same characters, so a
/// colleague's concurrent edit among them, and a comment anchored there,
/// survive the merge.
///
/// Automerge's `update_text` diffs the whole text, split into grapheme
/// clusters, on every save; an editor's save changes one place, and for a
/// 20 KB field that diff was a quarter of the save. So the common start
/// and end are skipped first, character by character, and only what lies
/// between is diffed (Myers, by character). Indexes are Unicode code
/// points, Automerge's text encoding in Rounds' build.
pub(super) fn update_text(
    am: &mut AutoCommit,
    t: &ObjId,
    old: &str,
    new: &str,
) -> Result<(), DocError> {
    let (mut start, mut start_bytes) = (0usize, 0usize);
    for (a, b) in old.chars().zip(new.chars()) {
        if a != b {
            break;
        }
        start += 1;
        start_bytes += a.len_utf8();
    }
    let (old_rest, new_rest) = (&old[start_bytes..], &new[start_bytes..]);
    let end_bytes: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let old_mid = &old_rest[..old_rest.len() - end_bytes];
    let new_mid = &new_rest[..new_rest.len() - end_bytes];
    if old_mid.is_empty() || new_mid.is_empty() {
        // Typing, deleting, or pasting over a selection: one splice.
        if !(old_mid.is_empty() && new_mid.is_empty()) {
            am.splice_text(t, start, old_mid.chars().count() as isize, new_mid)?;
        }
        return Ok(());
    }
    // Changes in several places (a replace-all, one save after typing
    // here and there): the text between them is kept.
    let o: Vec<char> = old_mid.chars().collect();
    let n: Vec<char> = new_mid.chars().collect();
    // In order: the text before each hunk is already the new text, so a
    // hunk starts at its place in the new text.
    for h in crate::diff::hunks(&o, &n).into_iter().filter(|h| !h.equal) {
        let ins: String = n[h.new.clone()].iter().collect();
        am.splice_text(t, start + h.new.start, h.old.len() as isize, &ins)?;
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
                    write_field(am, &obj, f, v, ctx, None)?;
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
