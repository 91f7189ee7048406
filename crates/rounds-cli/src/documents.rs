//! The commands on documents in the library: new, show, list, search,
//! edit, delete, restore, history, export, import, samples and fields.

use std::path::Path;

use rounds_core::doc::{Visibility, parse_field_input, summary_json};
use rounds_core::schema::{DocKind, FieldType, Lang};
use rounds_store::Filter;
use serde_json::{Map, Value as Json, json};

use crate::args::{
    EditArgs, ExportArgs, FieldsArgs, FilterArgs, Format, HistoryArgs, IdArgs, ImportArgs,
    JsonArgs, ListArgs, NewArgs, SearchArgs, SetArgs, ShowArgs,
};
use crate::common::{Failure, open, print_json, read_input, write_new_file};
use crate::output;

pub fn new(data: Option<&Path>, a: NewArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let fields = collect_patch(a.kind, &a.set)?;
    let fields = (!fields.is_empty()).then_some(Json::Object(fields));
    let s = store.create(a.kind, &a.title, a.lang.into(), fields.as_ref())?;
    if a.json {
        print_json(&summary_json(&s));
    } else {
        outln!("{}", s.id);
    }
    Ok(())
}

pub fn show(data: Option<&Path>, a: ShowArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let id = store.resolve(&a.id)?;
    let doc = match a.at {
        Some(change) => store.at(&id, &change)?,
        None => store.load(&id)?,
    };
    if a.json {
        print_json(&doc.to_json());
    } else {
        let lang = a.lang.map_or(doc.summary().language, Lang::from);
        if let Some(e) = doc.read_only() {
            eprintln!("rounds: note: {e}");
        }
        out!("{}", crate::common::markdown(&store, &doc, lang));
    }
    Ok(())
}

pub fn list(data: Option<&Path>, a: ListArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let rows = store.list(&filter_from(&a.filter))?;
    if a.json {
        print_json(&Json::Array(rows.iter().map(summary_json).collect()));
    } else {
        output::print_table(&rows);
        output::print_carried(&store.carried()?);
    }
    Ok(())
}

pub fn search(data: Option<&Path>, a: SearchArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let hits = store.search(&a.query, &filter_from(&a.filter))?;
    if a.json {
        let v: Vec<Json> = hits
            .iter()
            .map(|h| {
                let mut j = summary_json(&h.summary);
                j["snippet"] = serde_json::to_value(&h.snippet).unwrap_or_default();
                j
            })
            .collect();
        print_json(&Json::Array(v));
    } else {
        output::print_hits(&hits);
    }
    Ok(())
}

pub fn edit(data: Option<&Path>, a: EditArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    let kind = store.summary(&id)?.kind;
    let mut patch = collect_patch(kind, &a.set)?;
    let rows = a.rows.plan(kind)?;
    if patch.is_empty() && rows.is_empty() {
        return Err(Failure(
            "nothing to change: give --set, --set-file, --stdin, --patch, --add, --change, --move or --remove".into(),
        ));
    }
    if let Some(key) = rows.fields().find(|k| patch.contains_key(*k)) {
        return Err(Failure(format!(
            "{key}: give the whole list (--set, --patch) or edit its rows (--add, --change, --move, --remove), not both"
        )));
    }
    // The rows are read in the save's own transaction, so no other
    // connection's edit to the list can fall between reading and writing.
    let (s, ()) = store.change_with(&id, |doc, ctx| {
        if rows.is_empty() {
            doc.apply_patch(&Json::Object(patch), ctx)?;
            return Ok(());
        }
        let lists = rows.apply(&doc.to_json())?;
        patch.extend(lists.patch());
        doc.apply_patch(&Json::Object(patch), ctx)
            .map_err(|e| lists.explain(e))?;
        Ok(())
    })?;
    if a.json {
        print_json(&summary_json(&s));
    }
    Ok(())
}

pub fn delete(data: Option<&Path>, a: IdArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    store.delete(&id)?;
    Ok(())
}

pub fn restore(data: Option<&Path>, a: IdArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    store.restore(&id)?;
    Ok(())
}

pub fn history(data: Option<&Path>, a: HistoryArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let id = store.resolve(&a.id)?;
    let h = store.history(&id)?;
    if a.json {
        let v: Vec<Json> = h
            .iter()
            .map(|e| {
                json!({"index": e.index, "hash": e.hash, "actor": e.actor, "time": rounds_core::time::rfc3339(e.time), "author": e.author, "fields": e.fields})
            })
            .collect();
        print_json(&Json::Array(v));
    } else {
        output::print_history(&h);
    }
    Ok(())
}

pub fn export(data: Option<&Path>, a: ExportArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let id = store.resolve(&a.id)?;
    let doc = match &a.at {
        Some(v) => store.at(&id, v)?,
        None => store.load(&id)?,
    };
    if a.student && !matches!(a.format, Format::Docx | Format::Pdf) {
        return Err(Failure(
            "--student is for --format docx or --format pdf".into(),
        ));
    }
    let text = match a.format {
        Format::Pdf => return crate::pdf::export(&store, doc, &a),
        Format::Json => serde_json::to_string_pretty(&doc.to_json())? + "\n",
        Format::Md => {
            let lang = a.lang.map_or(doc.summary().language, Lang::from);
            crate::common::markdown(&store, &doc, lang)
        }
        Format::Docx => return crate::docx::export(&store, &doc, &a),
    };
    match a.output {
        Some(path) => write_new_file(&path, text.as_bytes())?,
        None => out!("{text}"),
    }
    Ok(())
}

pub fn import(data: Option<&Path>, a: ImportArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let mut out = Vec::new();
    for f in a.files {
        let text = read_input(&f)?;
        let (s, created) = store
            .import_json(&text)
            .map_err(|e| Failure(format!("{}: {e}", f.display())))?;
        if !a.json {
            outln!(
                "{} {} {}",
                if created { "added  " } else { "updated" },
                s.id,
                s.title
            );
        }
        out.push(json!({"id": s.id, "title": s.title, "created": created}));
    }
    if a.json {
        print_json(&Json::Array(out));
    }
    Ok(())
}

pub fn samples(data: Option<&Path>, a: JsonArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let added = store.import_samples()?;
    if a.json {
        print_json(&json!({"added": added, "samples": rounds_core::samples::all().len()}));
    } else {
        outln!(
            "added {added} of {} sample documents",
            rounds_core::samples::all().len()
        );
    }
    Ok(())
}

pub fn fields(a: FieldsArgs) -> Result<(), Failure> {
    if a.json {
        print_json(&serde_json::to_value(a.kind.fields())?);
    } else {
        output::print_fields(a.kind);
    }
    Ok(())
}

fn filter_from(f: &FilterArgs) -> Filter {
    Filter {
        kind: f.kind,
        tag: f.tag.clone(),
        fields: f.fields.0.clone(),
        visibility: f.shared.then_some(Visibility::Office),
        mine: if f.mine {
            Some(true)
        } else if f.shared {
            Some(false)
        } else {
            None
        },
        deleted: f.deleted,
        limit: f.limit,
        offset: 0,
    }
}

fn split_assignment(s: &str) -> Result<(&str, &str), Failure> {
    s.split_once('=')
        .ok_or_else(|| Failure(format!("`{s}`: write FIELD=VALUE")))
}

/// Gathers every way of giving field values into one JSON object.
fn collect_patch(kind: DocKind, set: &SetArgs) -> Result<Map<String, Json>, Failure> {
    let mut patch = Map::new();
    if let Some(p) = &set.patch {
        let text = read_input(p)?;
        let v: Json = serde_json::from_str(&text)
            .map_err(|e| Failure(format!("{}: malformed JSON: {e}", p.display())))?;
        match v {
            Json::Object(o) => patch.extend(o),
            _ => {
                return Err(Failure(format!(
                    "{}: must be a JSON object of fields",
                    p.display()
                )));
            }
        }
    }
    for a in &set.set {
        let (k, v) = split_assignment(a)?;
        patch.insert(k.to_owned(), parse_field_input(kind, k, v)?);
    }
    for a in &set.set_file {
        let (k, p) = split_assignment(a)?;
        let text = read_input(Path::new(p))?;
        patch.insert(k.to_owned(), parse_field_input(kind, k, &text)?);
    }
    if let Some(k) = &set.stdin {
        let text = read_input(Path::new("-"))?;
        patch.insert(k.clone(), parse_field_input(kind, k, &text)?);
    }
    // Long text from files and pipes usually ends with one newline that the
    // user did not mean as part of the field.
    for (k, v) in patch.iter_mut() {
        if let (Some(f), Json::String(s)) = (kind.field(k), &mut *v)
            && matches!(f.ty, FieldType::Text { .. })
            && s.ends_with('\n')
            && (set.set_file.iter().any(|a| a.starts_with(&format!("{k}=")))
                || set.stdin.as_deref() == Some(k))
        {
            s.truncate(s.trim_end_matches('\n').len());
        }
    }
    Ok(patch)
}
