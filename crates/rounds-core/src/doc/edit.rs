//! Edits: patches of field values (at the editor's version or the current one), imports, the trash, visibility and restoring rows.

use super::*;

impl Document {
    /// Validates a JSON object of changes and, only if all of it is valid,
    /// applies it as one change. Returns the change's hash, or `None` if the
    /// values were already as asked.
    ///
    /// Keys: `title`, `tags` (the whole set), `language`, and any field of
    /// the document's kind. Text fields are diffed against their current
    /// value, so a concurrent edit elsewhere in the same text survives. A list
    /// field takes the whole list: elements with an `id` are kept and updated,
    /// elements without one are added, and elements left out are removed.
    pub fn apply_patch(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.apply(patch, ctx, false)
    }

    /// Like [`Document::apply_patch`], for values a person edited while the
    /// document stood at `base` (the heads the editor last showed).
    ///
    /// The patch is applied to the document as it was at `base` and the
    /// result merged into the document as it is now. A text field is
    /// therefore diffed against the text the person saw, not against text a
    /// colleague added since: the colleague's insertion survives whatever
    /// the editor held. Choices merge as concurrent writes and list elements
    /// a colleague added since are kept. With `base` equal to the current
    /// heads (or empty), or a base no longer in the document (a shared
    /// case's squashed history), this is exactly `apply_patch`.
    ///
    /// Automerge numbers each actor's changes, so a new change must build on
    /// this device's own latest one. If this device saved since `base` (a
    /// comment, or another connection such as the CLI), the edit is made on
    /// top of that save, which may also hold colleagues' text merged before
    /// it; each text the editor sent is then three-way merged from what it
    /// showed into that version (`collab::merge3`), so neither the device's
    /// other edit nor a colleague's text is taken for a deletion.
    pub fn apply_patch_at(
        &mut self,
        patch: &Json,
        base: &[ChangeHash],
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        let mut current = self.am.get_heads();
        current.sort();
        let mut at = base.to_vec();
        at.sort();
        at.dedup();
        if at.is_empty() || at == current {
            return self.apply_patch(patch, ctx);
        }
        self.check_writable()?;
        if at.iter().any(|h| self.am.get_change_by_hash(h).is_none()) {
            // The version is gone: a shared case's unpushed history is
            // folded into one change before it is pushed. What the person
            // typed must still be saved, so it is diffed against the
            // current text, as without a base.
            return self.apply_patch(patch, ctx);
        }
        let actor = self.am.get_actor().clone();
        let mut fork = self.am.fork_at(&at)?;
        let mut patch = patch.clone();
        let mut shown = None;
        // A new change of this actor must follow its latest one (Automerge
        // numbers an actor's changes): if the base is older than this
        // device's own last save, edit on top of that save as well. That
        // save may hold more than the editor showed: the device's other
        // edits and, merged under it, colleagues' text. The editor's
        // values are then rebased onto it (a three-way merge of each text
        // it sent, from what it showed), so that none of that is taken
        // for text the person deleted.
        if let Some(last) = self
            .am
            .get_changes(&[])
            .iter()
            .rev()
            .find(|c| c.actor_id() == &actor)
            .map(|c| c.hash())
            && fork.get_change_by_hash(&last).is_none()
        {
            shown = Some(Document::from_automerge(fork)?.to_json());
            at.push(last);
            fork = self.am.fork_at(&at)?;
        }
        fork.set_actor(actor);
        let mut past = Document::from_automerge(fork)?;
        if let Some(shown) = shown {
            rebase_patch(self.kind, &mut patch, &shown, &past.to_json());
        }
        let Some(hash) = past.apply(&patch, ctx, false)? else {
            return Ok(None);
        };
        let new = past.am.get_changes(&at);
        self.am.apply_changes(new)?;
        self.refresh_schema();
        Ok(Some(hash))
    }

    /// Where position `pos` of a text field as it was at `base` is now:
    /// the caret of an editor that showed the field at `base`, mapped
    /// through everything merged since (insertions before it move it,
    /// deleted text around it collapses onto the next surviving
    /// character). Positions count Unicode code points, as Automerge's
    /// text does. `row` names a list element for a field inside a list.
    pub fn map_text_position(
        &mut self,
        field: &str,
        row: Option<(&str, &str)>,
        base: &[ChangeHash],
        pos: usize,
    ) -> Result<usize, DocError> {
        let obj = self
            .text_obj(field, row)
            .ok_or_else(|| invalid(field, "is not a text field of this document"))?;
        let now = self.am.get_heads();
        let mut at = base.to_vec();
        at.sort();
        at.dedup();
        if at == now {
            // Nothing merged since: the caret is where it was. (Asking
            // Automerge for the text's length then and for an empty diff
            // still walks the whole text, which a save pays on every
            // keystroke pause.)
            return Ok(pos.min(self.am.length(&obj)));
        }
        let mut pos = pos.min(self.am.length_at(&obj, base));
        // Walk what changed in this text since `base`, in order. (Automerge's
        // cursors would do the same, but in automerge 0.12 resolving a cursor
        // whose character was deleted disagrees with itself.) An insertion
        // exactly at the caret stays after it, so a colleague's text never
        // pushes the caret of the teacher typing there.
        for p in self.am.diff(base, &now) {
            if p.obj != obj {
                continue;
            }
            match p.action {
                PatchAction::SpliceText { index, value, .. } if index < pos => {
                    pos += value.make_string().chars().count();
                }
                PatchAction::DeleteSeq { index, length } => {
                    if index + length <= pos {
                        pos -= length;
                    } else if index < pos {
                        pos = index;
                    }
                }
                _ => {}
            }
        }
        Ok(pos.min(self.am.length(&obj)))
    }

    pub(crate) fn text_obj(&self, field: &str, row: Option<(&str, &str)>) -> Option<ObjId> {
        if field == "title" && row.is_none() {
            return match self.am.get(ROOT, "title") {
                Ok(Some((Value::Object(ObjType::Text), t))) => Some(t),
                _ => None,
            };
        }
        let fields = self.fields_obj()?;
        let (parent, key) = match row {
            None => (fields, field),
            Some((row_id, sub)) => {
                let list = match self.am.get(&fields, field) {
                    Ok(Some((Value::Object(ObjType::Map), l))) => l,
                    _ => return None,
                };
                let el = match self.am.get(&list, row_id) {
                    Ok(Some((Value::Object(ObjType::Map), e))) => e,
                    _ => return None,
                };
                (el, sub)
            }
        };
        match self.am.get(&parent, key) {
            Ok(Some((Value::Object(ObjType::Text), t))) => Some(t),
            _ => None,
        }
    }

    /// Like [`Document::apply_patch`], for restoring a JSON export: list
    /// elements keep the ids they carry even when this document does not
    /// have them yet, so an export imported back is the same document.
    pub fn apply_import(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.apply(patch, ctx, true)
    }

    pub(crate) fn apply(
        &mut self,
        patch: &Json,
        ctx: &mut EditCtx<'_>,
        keep_ids: bool,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        validate_author(ctx.author)?;
        let obj = patch
            .as_object()
            .ok_or_else(|| invalid("edit", "must be a JSON object of field names and values"))?;
        self.validate_patch(obj, keep_ids)?;
        let mut changed = Vec::new();
        let result = self.apply_validated(obj, ctx, &mut changed);
        if let Err(e) = result {
            self.am.rollback();
            return Err(e);
        }
        if self.am.pending_ops() == 0 {
            return Ok(None);
        }
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, changed))
    }

    pub(super) fn validate_patch(
        &self,
        obj: &Map<String, Json>,
        keep_ids: bool,
    ) -> Result<(), DocError> {
        let fields = self.fields_obj();
        validate_entries(self.kind, obj, |field, value, k| {
            let existing = match (&field.ty, &fields) {
                (FieldType::List { .. }, Some(fobj)) if !keep_ids => {
                    list_items(&self.am, fobj, field.key)
                        .into_iter()
                        .map(|e| e.id)
                        .collect()
                }
                _ => HashSet::new(),
            };
            let ids = if keep_ids {
                KnownIds::AnyWellFormed
            } else {
                KnownIds::Only(&existing)
            };
            validate_value(field, value, k, ids)
        })
    }

    pub(super) fn apply_validated(
        &mut self,
        obj: &Map<String, Json>,
        ctx: &mut EditCtx<'_>,
        changed: &mut Vec<String>,
    ) -> Result<(), DocError> {
        // The texts as they are before this edit, when already read: each
        // text field is diffed against them instead of being read again.
        let known = match self.remembered() {
            Some(_) => self.read.take().map(|(_, j)| j),
            None => None,
        };
        for (key, value) in obj {
            let before = self.am.pending_ops();
            match key.as_str() {
                "title" => {
                    let t = match self.am.get(ROOT, "title")? {
                        Some((Value::Object(ObjType::Text), t)) => t,
                        _ => self.am.put_object(ROOT, "title", ObjType::Text)?,
                    };
                    let current = self.am.text(&t)?;
                    update_text(
                        &mut self.am,
                        &t,
                        &current,
                        value.as_str().unwrap_or_default().trim(),
                    )?;
                }
                "tags" => self.apply_tags(value)?,
                "language" => {
                    let lang = value.as_str().and_then(Lang::parse).unwrap_or(Lang::Zh);
                    if get_str(&self.am, &ROOT, "language").as_deref() != Some(lang.as_str()) {
                        self.am.put(ROOT, "language", lang.as_str())?;
                    }
                }
                k => {
                    let Some(field) = self.kind.field(k) else {
                        continue;
                    };
                    let fields = match self.fields_obj() {
                        Some(f) => f,
                        None => self.am.put_object(ROOT, "fields", ObjType::Map)?,
                    };
                    let was = known.as_ref().and_then(|j| j.get(k)).and_then(Json::as_str);
                    write_field(&mut self.am, &fields, field, value, ctx, was)?;
                }
            }
            if self.am.pending_ops() > before {
                changed.push(key.clone());
            }
        }
        Ok(())
    }

    pub(super) fn apply_tags(&mut self, value: &Json) -> Result<(), DocError> {
        let want: HashSet<String> = value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let obj = match self.am.get(ROOT, "tags")? {
            Some((Value::Object(ObjType::Map), obj)) => obj,
            _ => self.am.put_object(ROOT, "tags", ObjType::Map)?,
        };
        let have: HashSet<String> = self.am.keys(&obj).collect();
        for gone in have.difference(&want) {
            self.am.delete(&obj, gone.as_str())?;
        }
        for new in want.difference(&have) {
            self.am.put(&obj, new.as_str(), true)?;
        }
        Ok(())
    }

    /// Marks the document deleted (a tombstone that syncs) or restores it.
    pub fn set_deleted(
        &mut self,
        deleted: bool,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        if self.deleted() == deleted {
            return Ok(None);
        }
        self.am.put(ROOT, "deleted", deleted)?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(
            ctx,
            vec![if deleted { "deleted" } else { "restored" }.into()],
        ))
    }

    /// Changes who may read the document.
    pub fn set_visibility(
        &mut self,
        v: Visibility,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        if self.visibility() == v {
            return Ok(None);
        }
        self.am.put(ROOT, "visibility", v.as_str())?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, vec!["visibility".into()]))
    }

    /// Shows a removed row of a list field again, with whatever its fields
    /// hold now and in its old place (see [`crate::removed`]).
    pub fn restore_row(
        &mut self,
        field: &str,
        row: &str,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        self.check_writable()?;
        let Some(fields) = self.fields_obj() else {
            return Err(invalid(field, "the document has no such row"));
        };
        let Some(el) = list_items(&self.am, &fields, field)
            .into_iter()
            .find(|e| e.id == row)
        else {
            return Err(invalid(field, format!("no row `{row}`")));
        };
        if !el.removed {
            return Ok(None);
        }
        self.am.put(&el.obj, "removed", false)?;
        self.touch(ctx.now_ms)?;
        Ok(self.commit(ctx, vec![field.to_owned()]))
    }
}

impl Document {
    /// [`Document::apply_patch`] for values a person edited on a version
    /// this document no longer holds (a shared case's squash folded it),
    /// given as the editor showed it (`shown`, a `to_json` export): each
    /// text becomes the person's changes since `shown` merged into the
    /// text as it is now, so a colleague's text merged since is not taken
    /// for a deletion.
    pub fn apply_patch_from(
        &mut self,
        patch: &Json,
        shown: &Json,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Option<ChangeHash>, DocError> {
        let mut patch = patch.clone();
        rebase_patch(self.kind, &mut patch, shown, &self.to_json());
        self.apply_patch(&patch, ctx)
    }
}

/// Makes an editor's values, sent for the document as it showed it
/// (`shown`), apply to `under` instead: each text (the title, text fields,
/// text fields of list rows matched by id) becomes the editor's changes
/// since `shown` merged into `under`'s text; other values stay as sent.
/// Both are `to_json` exports.
fn rebase_patch(kind: DocKind, patch: &mut Json, shown: &Json, under: &Json) {
    let Some(obj) = patch.as_object_mut() else {
        return;
    };
    for (key, v) in obj.iter_mut() {
        if key == "title" {
            rebase_text(v, &shown[key.as_str()], &under[key.as_str()]);
        } else if let Some(f) = kind.fields().iter().find(|f| f.key == key) {
            rebase_value(f, v, &shown[key.as_str()], &under[key.as_str()]);
        }
    }
}

fn rebase_value(f: &Field, v: &mut Json, shown: &Json, under: &Json) {
    match &f.ty {
        FieldType::Text { .. } => rebase_text(v, shown, under),
        FieldType::List { item, .. } => {
            let Some(rows) = v.as_array_mut() else {
                return;
            };
            let row_of = |list: &Json, id: &str| -> Json {
                list.as_array()
                    .and_then(|l| l.iter().find(|r| r["id"].as_str() == Some(id)))
                    .cloned()
                    .unwrap_or(Json::Null)
            };
            for row in rows {
                let Some(id) = row["id"].as_str().map(str::to_owned) else {
                    continue;
                };
                let (s, u) = (row_of(shown, &id), row_of(under, &id));
                if s.is_null() || u.is_null() {
                    continue;
                }
                let Some(cells) = row.as_object_mut() else {
                    continue;
                };
                for sub in *item {
                    if let Some(cell) = cells.get_mut(sub.key) {
                        rebase_value(sub, cell, &s[sub.key], &u[sub.key]);
                    }
                }
            }
        }
        _ => {}
    }
}

fn rebase_text(v: &mut Json, shown: &Json, under: &Json) {
    if let (Some(new), Some(s), Some(u)) = (v.as_str(), shown.as_str(), under.as_str()) {
        *v = Json::String(crate::collab::merge3(s, u, new));
    }
}

/// The checks of a patch's entries for a document of `kind`: the title,
/// tags and language here, every field's value through `check_field`
/// (which knows which list element ids the patch may name).
pub(super) fn validate_entries(
    kind: DocKind,
    obj: &Map<String, Json>,
    mut check_field: impl FnMut(&'static Field, &Json, &str) -> Result<(), DocError>,
) -> Result<(), DocError> {
    for (key, value) in obj {
        match key.as_str() {
            "title" => {
                let s = value
                    .as_str()
                    .ok_or_else(|| invalid("title", "must be text"))?;
                validate_title(s)?;
            }
            "tags" => {
                validate_tags(value)?;
            }
            "language" => {
                let ok = value.as_str().and_then(Lang::parse).is_some();
                if !ok {
                    return Err(invalid("language", "must be `zh` or `en`"));
                }
            }
            "visibility" => {
                return Err(invalid(
                    "visibility",
                    "is changed by sharing the document, not by editing it",
                ));
            }
            k if RESERVED_KEYS.contains(&k) => {
                return Err(invalid(k, "is set by Rounds and cannot be edited"));
            }
            k => {
                let field = kind.field(k).ok_or_else(|| {
                    invalid(
                        k,
                        format!(
                            "is not a field of a {}",
                            kind.label(Lang::En).to_lowercase()
                        ),
                    )
                })?;
                check_field(field, value, k)?;
            }
        }
    }
    Ok(())
}
