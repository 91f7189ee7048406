//! Rows a colleague removed while this device was editing them.
//!
//! A list row (an objective, a step of the teaching process) is removed by
//! setting its `removed` flag; its fields stay in the document. When one
//! teacher removes a row while another edits it offline, the merge keeps
//! the row removed — the merge rule stays — and the edit lives on inside
//! the hidden row. This module finds such rows after a merge so that the
//! editing teacher can be told and offered the row back with their text:
//! a row that was shown before the merge, is removed after it, and holds a
//! change by this device's actor that the removing change had not seen.

use std::collections::HashSet;

use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, Value};

use crate::doc::{Document, get_str, list_items};
use crate::schema::{Field, FieldType};

/// One row of a list field, named by field key and row id.
pub type RowRef = (String, String);

/// A row removed by a colleague over this device's edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedEdit {
    /// The list field's key.
    pub field: String,
    pub row: String,
    /// The row's text now (its fields joined), which restoring brings back.
    pub text: String,
}

impl Document {
    /// The rows of every list field that are shown (not removed).
    pub fn live_rows(&self) -> HashSet<RowRef> {
        let mut out = HashSet::new();
        let Some(fields) = fields_obj(self.automerge()) else {
            return out;
        };
        for f in self.kind().fields() {
            if let FieldType::List { .. } = f.ty {
                for el in list_items(self.automerge(), &fields, f.key) {
                    if !el.removed {
                        out.insert((f.key.to_owned(), el.id));
                    }
                }
            }
        }
        out
    }

    /// After a merge: the rows of `live_before` that are removed now by a
    /// change that had not seen an edit `me` made to them. `before` are the
    /// heads before the merge; only changes after them can have removed a row.
    pub fn removed_while_edited(
        &mut self,
        before: &[ChangeHash],
        live_before: &HashSet<RowRef>,
        me: &ActorId,
    ) -> Vec<RemovedEdit> {
        let now = self.live_rows();
        let mut gone: Vec<&RowRef> = live_before.difference(&now).collect();
        if gone.is_empty() {
            return Vec::new();
        }
        gone.sort();
        let kind = self.kind();
        let am = self.automerge_mut();
        let arrived = am.get_changes(before);
        let mut out = Vec::new();
        for (field, row) in gone {
            let Some(row_obj) = row_obj(am, field, row) else {
                continue;
            };
            // The op that removed the row, and the change that carries it.
            let Ok(Some((_, automerge::ObjId::Id(counter, actor, _)))) =
                am.get(&row_obj, "removed")
            else {
                continue;
            };
            let Some(remover) = arrived.iter().find(|c| {
                c.actor_id() == &actor
                    && c.start_op().get() <= counter
                    && counter < c.start_op().get() + c.len() as u64
            }) else {
                continue;
            };
            let subtree = subtree_ids(am, &row_obj);
            let unseen = am.get_changes(&[remover.hash()]);
            let edited = unseen.iter().filter(|c| c.actor_id() == me).any(|c| {
                c.decode().operations.iter().any(|op| match &op.obj {
                    automerge::legacy::ObjectId::Id(automerge::legacy::OpId(n, a)) => {
                        subtree.contains(&(*n, a.clone()))
                    }
                    automerge::legacy::ObjectId::Root => false,
                })
            });
            if edited {
                out.push(RemovedEdit {
                    field: field.clone(),
                    row: row.clone(),
                    text: kind
                        .fields()
                        .iter()
                        .find(|f| f.key == field)
                        .map(|f| match &f.ty {
                            FieldType::List { item, .. } => row_text(am, &row_obj, item),
                            _ => String::new(),
                        })
                        .unwrap_or_default(),
                });
            }
        }
        out
    }
}

fn fields_obj(am: &AutoCommit) -> Option<ObjId> {
    match am.get(automerge::ROOT, "fields") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
        _ => None,
    }
}

fn row_obj(am: &AutoCommit, field: &str, row: &str) -> Option<ObjId> {
    let fields = fields_obj(am)?;
    let Ok(Some((Value::Object(ObjType::Map), list))) = am.get(&fields, field) else {
        return None;
    };
    match am.get(&list, row) {
        Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
        _ => None,
    }
}

/// The object ids of a row and everything inside it, as (counter, actor).
fn subtree_ids(am: &AutoCommit, obj: &ObjId) -> HashSet<(u64, ActorId)> {
    let mut out = HashSet::new();
    let mut stack = vec![obj.clone()];
    while let Some(o) = stack.pop() {
        if let ObjId::Id(n, a, _) = &o {
            out.insert((*n, a.clone()));
        }
        if matches!(am.object_type(&o), Ok(ObjType::Map)) {
            for item in am.map_range(&o, ..) {
                if let automerge::ValueRef::Object(_) = item.value {
                    stack.push(item.id());
                }
            }
        }
    }
    out
}

/// A row's text fields, joined, in the schema's order.
fn row_text(am: &AutoCommit, obj: &ObjId, item: &[Field]) -> String {
    item.iter()
        .filter(|f| matches!(f.ty, FieldType::Text { .. }))
        .filter_map(|f| get_str(am, obj, f.key))
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}
