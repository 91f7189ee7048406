//! Word files: `import-docx` (files or folders of .docx lesson plans, each
//! made a document through the same `Store::create` as `rounds new`) and
//! `export --format docx`. The mapping is rounds-docx's; this file reads
//! and writes the files and prints the report.

use std::path::Path;

use rounds_core::Document;
use rounds_core::schema::Lang;
use rounds_docx::{ExportOptions, ImportOptions, Report, Version};
use rounds_store::Store;
use serde_json::Value as Json;

use crate::args::{ExportArgs, ImportDocxArgs};
use crate::common::{Failure, open, print_json, write_new_file_whole};

pub fn export(store: &Store, doc: &Document, a: &ExportArgs) -> Result<(), Failure> {
    let path = a
        .output
        .as_deref()
        .ok_or_else(|| Failure("a Word file is written to a file: give --out FILE".into()))?;
    let lang = a.lang.map_or(doc.summary().language, Lang::from);
    let bytes = rounds_docx::export(
        &doc.to_json(),
        &ExportOptions {
            lang,
            version: if a.student {
                Version::Student
            } else {
                Version::Teacher
            },
            title_of: &|id| store.title_of(id).ok().flatten(),
        },
    )?;
    write_new_file_whole(path, &bytes)
}

pub fn import(data: Option<&Path>, a: ImportDocxArgs) -> Result<(), Failure> {
    let files = rounds_docx::files::docx_files(&a.paths).map_err(Failure)?;
    if files.is_empty() {
        return Err(Failure("no .docx files in the paths given".into()));
    }
    // Read one file at a time, as the import asks for it, each refused
    // unread when it is over the size limit.
    let inputs = files
        .iter()
        .map(|f| (f.display().to_string(), rounds_docx::files::read_capped(f)));
    let report = if a.dry_run {
        rounds_docx::import_many(inputs, &ImportOptions::default(), &mut |_| Ok(None), true)
    } else {
        let mut store = open(data)?;
        rounds_docx::import_many(
            inputs,
            &ImportOptions::default(),
            &mut |p| {
                store
                    .create(
                        p.kind,
                        &p.title,
                        p.language,
                        Some(&Json::Object(p.fields.clone())),
                    )
                    .map(|s| Some(s.id))
                    .map_err(|e| e.to_string())
            },
            false,
        )
    };
    if a.json {
        print_json(&serde_json::to_value(&report)?);
    } else {
        print_report(&report, a.dry_run);
    }
    if report.failed > 0 {
        return Err(Failure(format!(
            "{} of {} files could not be imported (see the report)",
            report.failed,
            report.files.len()
        )));
    }
    Ok(())
}

fn print_report(r: &Report, dry_run: bool) {
    for f in &r.files {
        match (&f.error, &f.id) {
            (Some(e), _) => outln!("failed  {}: {e}", f.file),
            (None, id) => {
                let what = match id {
                    Some(id) => format!("added   {id}"),
                    None if dry_run => "would add".to_owned(),
                    None => "added  ".to_owned(),
                };
                outln!(
                    "{what} {} ({}): {} fields, {} to notes",
                    f.title.as_deref().unwrap_or(""),
                    f.file,
                    f.fields.len(),
                    f.notes.len()
                );
                if let Some(p) = &f.preview {
                    for x in &p.placed {
                        outln!("  {:<28} ← {}", x.field, one_line(&x.text));
                    }
                    for n in &p.notes {
                        outln!("  {:<28} ← {}", "notes", one_line(n));
                    }
                }
            }
        }
    }
    outln!(
        "{} of {} files {}",
        r.imported,
        r.files.len(),
        if dry_run {
            "can be imported"
        } else {
            "imported"
        }
    );
}

/// A text on one line, cut at 60 characters.
fn one_line(s: &str) -> String {
    let flat = s.replace('\n', " / ");
    let mut out: String = flat.chars().take(60).collect();
    if flat.chars().count() > 60 {
        out.push('…');
    }
    out
}
