//! Site copies (二次备课): a teacher's own copy of a finalised shared plan,
//! adapted to their learners, that knows which plan and version it came
//! from and can take the shared plan's later changes.
//!
//! The copy is a document of its own (its own id, owner and history: the
//! office accepts from a device only changes that device made), so the two
//! cannot merge as Automerge documents. Taking upstream changes is a
//! three-way merge per field instead: the shared plan as the copy last
//! took it, as it is now, and the copy as it is. What the site wrote is
//! kept; what the shared plan changed where the site did not is taken;
//! where both changed a text, both are kept.

use std::collections::HashSet;

use serde_json::{Map, Value as Json, json};

use super::merge3;
use super::write::parse_heads;
use crate::doc::{DocError, Document, EditCtx, invalid};
use crate::schema::FieldType;

/// The field values a new site copy starts with: the shared plan's, list
/// rows keeping their ids so later changes can be matched row by row.
pub fn site_copy_fields(upstream: &Document) -> Json {
    let mut j = upstream.to_json();
    if let Some(o) = j.as_object_mut() {
        o.retain(|k, _| upstream.kind().field(k).is_some());
        // A copy starts as the site's own draft.
        if upstream.kind().field("status").is_some() {
            o.insert("status".into(), json!("draft"));
        }
    }
    j
}

/// Whether the shared plan has changed since the copy last took it.
pub fn upstream_changed(copy: &Document, upstream: &mut Document) -> bool {
    let Some(up) = copy.collab().upstream else {
        return false;
    };
    super::write::heads_string(&upstream.heads()) != up.heads
}

impl Document {
    /// Takes the shared plan's changes since the copy last took it into
    /// this copy (see the module's docs), and records the plan's version
    /// as taken. Returns the fields that changed.
    pub fn take_upstream(
        &mut self,
        upstream: &mut Document,
        ctx: &mut EditCtx<'_>,
    ) -> Result<Vec<String>, DocError> {
        let up = self.collab().upstream.ok_or_else(|| {
            invalid(
                "upstream",
                "this document is not a site copy of a shared plan",
            )
        })?;
        if up.doc != upstream.id() {
            return Err(invalid(
                "upstream",
                format!("this copy follows {}, not {}", up.doc, upstream.id()),
            ));
        }
        if upstream.kind() != self.kind() {
            return Err(invalid("upstream", "the shared plan is of another kind"));
        }
        let heads = parse_heads(&up.heads).unwrap_or_default();
        let base_doc = if heads.is_empty()
            || heads
                .iter()
                .any(|h| upstream.automerge_mut().get_change_by_hash(h).is_none())
        {
            None
        } else {
            let am = upstream.automerge_mut().fork_at(&heads)?;
            Some(Document::from_automerge(am)?)
        };
        let base = base_doc.map(|d| d.to_json()).unwrap_or(Json::Null);
        let theirs = upstream.to_json();
        let mine = self.to_json();
        let mut patch = Map::new();
        let mut changed = Vec::new();
        for f in self.kind().fields() {
            if f.key == "status" {
                continue;
            }
            let (b, m, t) = (&base[f.key], &mine[f.key], &theirs[f.key]);
            let merged = merge_value(&f.ty, b, m, t);
            if &merged != m {
                changed.push(f.key.to_owned());
                patch.insert(f.key.to_owned(), merged);
            }
        }
        if !patch.is_empty() {
            self.apply(&Json::Object(patch), ctx, true)?;
        }
        let title = upstream.title();
        let now = upstream.heads();
        self.set_upstream(upstream.id(), &title, &now, ctx)?;
        Ok(changed)
    }
}

fn merge_value(ty: &FieldType, base: &Json, mine: &Json, theirs: &Json) -> Json {
    match ty {
        FieldType::Text { .. } => Json::String(merge3(
            base.as_str().unwrap_or_default(),
            mine.as_str().unwrap_or_default(),
            theirs.as_str().unwrap_or_default(),
        )),
        FieldType::List { item, .. } => merge_list(item, base, mine, theirs),
        _ => {
            if mine == base || (mine.is_null() && !base.is_null() && base == theirs) {
                theirs.clone()
            } else {
                mine.clone()
            }
        }
    }
}

fn rows(v: &Json) -> Vec<&Map<String, Json>> {
    v.as_array()
        .map(|a| a.iter().filter_map(Json::as_object).collect())
        .unwrap_or_default()
}

fn row_id(r: &Map<String, Json>) -> &str {
    r.get("id").and_then(Json::as_str).unwrap_or_default()
}

/// Rows matched by id: the copy's rows with the plan's changes to each,
/// new rows of the plan after the row they follow there, and rows the plan
/// removed dropped only when the site had not changed them.
fn merge_list(
    item: &'static [crate::schema::Field],
    base: &Json,
    mine: &Json,
    theirs: &Json,
) -> Json {
    let (b, m, t) = (rows(base), rows(mine), rows(theirs));
    let find = |v: &[&Map<String, Json>], id: &str| v.iter().position(|r| row_id(r) == id);
    let mut out: Vec<Json> = Vec::new();
    for r in &m {
        let id = row_id(r);
        let br = find(&b, id).map(|i| b[i]);
        match (br, find(&t, id).map(|i| t[i])) {
            (Some(br), Some(tr)) => {
                let mut merged = Map::new();
                merged.insert("id".into(), json!(id));
                for f in item {
                    let x = merge_value(
                        &f.ty,
                        br.get(f.key).unwrap_or(&Json::Null),
                        r.get(f.key).unwrap_or(&Json::Null),
                        tr.get(f.key).unwrap_or(&Json::Null),
                    );
                    merged.insert(f.key.into(), x);
                }
                out.push(Json::Object(merged));
            }
            (Some(br), None) => {
                // The plan removed it: keep it only if the site changed it.
                let unchanged = item.iter().all(|f| br.get(f.key) == r.get(f.key));
                if !unchanged {
                    out.push(Json::Object((*r).clone()));
                }
            }
            _ => out.push(Json::Object((*r).clone())),
        }
    }
    let had: HashSet<&str> = b.iter().chain(m.iter()).map(|r| row_id(r)).collect();
    for (i, r) in t.iter().enumerate() {
        let id = row_id(r);
        if had.contains(id) {
            continue;
        }
        // After the row it follows in the plan, if the copy has it.
        let after = t[..i]
            .iter()
            .rev()
            .find_map(|p| out.iter().position(|o| o["id"] == json!(row_id(p))));
        let at = after.map_or(0, |p| p + 1);
        out.insert(at, Json::Object((*r).clone()));
    }
    Json::Array(out)
}
