//! References between documents, as the device sees them.
//!
//! `doc_links` projects every reference a document holds (from document,
//! field and row, to document and element), so "what links here" is one
//! indexed query. A reference's target is shown only if this device holds
//! it: a document the office never sent here (a colleague's private draft,
//! another office's) is "not available to you", with neither its title nor
//! anything else about it.

use rounds_core::refs::{Link, Target};
use rounds_core::schema::{DocKind, FieldType};
use rounds_core::{DocError, Document};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::{Result, Store, StoreError};

/// One reference of a document, resolved on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    pub field: String,
    pub row: Option<String>,
    pub to: String,
    pub element: Option<String>,
    /// Whether this device holds the target; when not, nothing else is known.
    pub available: bool,
    pub title: Option<String>,
    pub kind: Option<DocKind>,
}

/// A document that refers to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backlink {
    pub id: String,
    pub title: String,
    pub kind: DocKind,
    pub field: String,
    pub row: Option<String>,
}

pub(crate) fn write_links(tx: &Transaction<'_>, rowid: i64, doc: &Document) -> Result<()> {
    tx.prepare_cached("DELETE FROM doc_links WHERE doc = ?1")?
        .execute([rowid])?;
    for l in doc.links() {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO doc_links (doc, field, row, to_doc, to_element)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            rowid,
            l.field,
            l.row.unwrap_or_default(),
            l.to.doc,
            l.to.element.unwrap_or_default()
        ])?;
    }
    Ok(())
}

/// The title and kind of a document this device lists, if it does.
fn listed(conn: &Connection, id: &str) -> Result<Option<(String, DocKind)>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT title, kind FROM doc_index WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(t, k)| DocKind::named(&k).map(|k| (t, k))))
}

/// Checks the references an edit adds: each must point at a document this
/// device holds, of a kind the field allows, and at an element it has.
/// References that were there before the edit are left alone (a
/// colleague's, to a document this device never received).
pub(crate) fn check_new_links(conn: &Connection, before: &[Link], after: &Document) -> Result<()> {
    let kind = after.kind();
    for l in after.links() {
        if before.contains(&l) {
            continue;
        }
        let name = match &l.row {
            Some(_) => format!("{}[…]", l.field),
            None => l.field.clone(),
        };
        let allowed = allowed_kinds(kind, &l);
        let invalid = |why: String| {
            StoreError::Doc(DocError::Invalid {
                field: name.clone(),
                problem: why,
            })
        };
        if l.to.doc == after.id() {
            return Err(invalid("cannot refer to the document itself".to_owned()));
        }
        let Some((_, to_kind)) = listed(conn, &l.to.doc)? else {
            return Err(invalid(format!(
                "no document `{}` in your library",
                l.to.doc
            )));
        };
        if !allowed.is_empty() && !allowed.contains(&to_kind.as_str()) {
            return Err(invalid(format!(
                "must refer to a {}, not a {}",
                allowed.join(" or "),
                to_kind.as_str()
            )));
        }
        if let Some(e) = &l.to.element {
            let bytes = crate::raw_bytes(conn, &l.to.doc)?
                .ok_or_else(|| StoreError::NotFound(l.to.doc.clone()))?;
            let target = Document::load(&bytes)?;
            if !has_element(&target, e) {
                return Err(invalid(format!("`{}` has no element `{e}`", l.to.doc)));
            }
        }
    }
    Ok(())
}

fn allowed_kinds(kind: DocKind, l: &Link) -> &'static [&'static str] {
    let Some(f) = kind.field(&l.field) else {
        return &[];
    };
    match &f.ty {
        FieldType::Ref { kinds } => kinds,
        FieldType::List { item, .. } => item
            .iter()
            .find_map(|i| match &i.ty {
                FieldType::Ref { kinds } => Some(*kinds),
                _ => None,
            })
            .unwrap_or(&[]),
        _ => &[],
    }
}

/// Whether a live row of one of the document's lists has the id `element`.
fn has_element(doc: &Document, element: &str) -> bool {
    let j = doc.to_json();
    doc.kind()
        .fields()
        .iter()
        .filter(|f| matches!(f.ty, FieldType::List { .. }))
        .filter_map(|f| j[f.key].as_array())
        .flatten()
        .any(|row| row["id"] == element)
}

impl Store {
    /// The references `id` holds, each with its target's title and kind if
    /// this device holds the target.
    pub fn links(&self, id: &str) -> Result<Vec<LinkView>> {
        self.links_of(&self.load(id)?)
    }

    /// The references of `doc` (any version of a document of this
    /// library), resolved as [`Store::links`] does.
    pub fn links_of(&self, doc: &Document) -> Result<Vec<LinkView>> {
        doc.links()
            .into_iter()
            .map(|l| {
                let target = listed(&self.conn, &l.to.doc)?;
                let Target { doc, element } = l.to;
                Ok(LinkView {
                    field: l.field,
                    row: l.row,
                    to: doc,
                    element,
                    available: target.is_some(),
                    title: target.as_ref().map(|(t, _)| t.clone()),
                    kind: target.map(|(_, k)| k),
                })
            })
            .collect()
    }

    /// The live documents on this device that refer to `id` ("what links
    /// here"), by title.
    pub fn linked_from(&self, id: &str) -> Result<Vec<Backlink>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.title, i.kind, l.field, l.row FROM doc_links l
             JOIN doc_index i ON i.doc = l.doc
             WHERE l.to_doc = ?1 AND i.deleted = 0
             ORDER BY i.title, i.id, l.field, l.row",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, kind, field, row) = row?;
            let Some(kind) = DocKind::named(&kind) else {
                continue;
            };
            out.push(Backlink {
                id,
                title,
                kind,
                field,
                row: (!row.is_empty()).then_some(row),
            });
        }
        Ok(out)
    }

    /// A resolver for Markdown and print: the title of a referenced
    /// document this device holds.
    pub fn title_of(&self, id: &str) -> Result<Option<String>> {
        Ok(listed(&self.conn, id)?.map(|(t, _)| t))
    }
}
