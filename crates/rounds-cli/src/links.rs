//! `rounds links ID`: the references a document holds, each with its
//! target's title (or "not available to you" when this device does not
//! hold the target), and the documents of this library that refer to it.

use std::path::Path;

use rounds_store::{Backlink, LinkView, Store};
use serde_json::{Value as Json, json};

use crate::args::LinksArgs;
use crate::common::{Failure, open, print_json};
use crate::output::pad;

pub fn links(data: Option<&Path>, a: LinksArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let as_json = a.json;
    let id = store.resolve(&a.id)?;
    let links = store.links(&id)?;
    let back = store.linked_from(&id)?;
    if as_json {
        print_json(&json!({
            "links": links.iter().map(link_json).collect::<Vec<_>>(),
            "linked_from": back.iter().map(back_json).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    let doc = store.load(&id)?;
    // Rows are named by their position, as `rounds show` shows them.
    let rows = doc.to_json();
    let place = |field: &str, row: &Option<String>| match row {
        Some(r) => {
            let n = rows[field]
                .as_array()
                .and_then(|a| a.iter().position(|e| e["id"] == r.as_str()))
                .map_or_else(|| "?".to_owned(), |i| (i + 1).to_string());
            format!("{field}[{n}]")
        }
        None => field.to_owned(),
    };
    if links.is_empty() {
        outln!("no references");
    } else {
        outln!("References:");
        for l in &links {
            let target = if l.available {
                format!(
                    "{}  {}  {}",
                    Store::short_id(&l.to),
                    pad(l.kind.map_or("-", |k| k.short()), 6),
                    l.title.as_deref().unwrap_or_default()
                )
            } else {
                "not available to you".to_owned()
            };
            let element = l
                .element
                .as_deref()
                .map(|e| format!(" (element {e})"))
                .unwrap_or_default();
            outln!(
                "  {} → {target}{element}",
                pad(&place(&l.field, &l.row), 14)
            );
        }
    }
    if !back.is_empty() {
        outln!("\nLinked from:");
        for b in &back {
            outln!(
                "  {}  {}  {}  ({})",
                Store::short_id(&b.id),
                pad(b.kind.short(), 6),
                b.title,
                b.field
            );
        }
    }
    Ok(())
}

fn link_json(l: &LinkView) -> Json {
    // A target this device does not hold is its id alone: nothing else is known.
    json!({
        "field": l.field,
        "row": l.row,
        "to": l.to,
        "element": l.element,
        "available": l.available,
        "title": l.title,
        "kind": l.kind.map(|k| k.as_str()),
    })
}

fn back_json(b: &Backlink) -> Json {
    json!({"id": b.id, "title": b.title, "kind": b.kind.as_str(), "field": b.field, "row": b.row})
}
