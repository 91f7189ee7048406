//! Export → import keeps every field of every sample, in both languages;
//! the student version leaves out the teacher-only sections.

mod common;

use common::{canonical, samples};
use rounds_core::schema::{DocKind, Lang};
use rounds_docx::{ExportOptions, ImportOptions, Version, export, import};
use serde_json::Value as Json;

fn opts(lang: Lang, version: Version) -> ExportOptions<'static> {
    ExportOptions {
        lang,
        version,
        title_of: &|id| Some(id.to_owned()),
    }
}

#[test]
fn every_sample_round_trips_through_word_in_both_languages() {
    let all = samples();
    assert!(all.len() >= 10);
    for (name, doc) in &all {
        let kind = DocKind::named(doc["kind"].as_str().unwrap()).unwrap();
        for lang in [Lang::Zh, Lang::En] {
            let bytes = export(doc, &opts(lang, Version::Teacher)).unwrap();
            let p = import(&bytes, &ImportOptions::default()).unwrap();
            let at = format!("{name} ({})", lang.as_str());
            assert_eq!(p.kind, kind, "{at}");
            assert_eq!(p.title, doc["title"].as_str().unwrap(), "{at}");
            assert!(p.notes.is_empty(), "{at}: sent to notes: {:?}", p.notes);
            for f in kind.fields() {
                assert_eq!(
                    canonical(f, p.fields.get(f.key)),
                    canonical(f, doc.get(f.key)),
                    "{at}: field {}",
                    f.key
                );
            }
            // What the import makes is a document the core accepts.
            rounds_core::testing::doc("0190a0b0-0000-7000-8000-000000000999", kind, &p.title)
                .language(p.language)
                .fields(Json::Object(p.fields.clone()))
                .try_create()
                .unwrap_or_else(|e| panic!("{at}: {e}"));
        }
    }
}

#[test]
fn the_language_of_an_export_is_read_back() {
    let (_, doc) = samples()
        .into_iter()
        .find(|(n, _)| n.starts_with("lesson-diarrhoea"))
        .unwrap();
    let zh = import(
        &export(&doc, &opts(Lang::Zh, Version::Teacher)).unwrap(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(zh.language, Lang::Zh);
}

#[test]
fn the_student_version_leaves_out_teacher_only_sections() {
    for (name, doc) in samples() {
        let kind = DocKind::named(doc["kind"].as_str().unwrap()).unwrap();
        let hidden = kind.decl().teacher_only;
        for lang in [Lang::Zh, Lang::En] {
            let teacher = import(
                &export(&doc, &opts(lang, Version::Teacher)).unwrap(),
                &Default::default(),
            )
            .unwrap();
            let student = import(
                &export(&doc, &opts(lang, Version::Student)).unwrap(),
                &Default::default(),
            )
            .unwrap();
            let shown = pieces(&export(&doc, &opts(lang, Version::Student)).unwrap());
            for f in kind.fields() {
                let t = teacher.fields.get(f.key);
                let s = student.fields.get(f.key);
                if hidden.contains(&f.section) {
                    assert!(s.is_none(), "{name}: the student version has {}", f.key);
                    assert!(
                        !shown.contains(&f.label(lang).to_owned()),
                        "{name}: label {} shown",
                        f.label(lang)
                    );
                } else {
                    assert_eq!(s, t, "{name}: {}", f.key);
                }
            }
            for s in hidden {
                assert!(
                    !shown.contains(&s.label(lang).to_owned()),
                    "{name}: section {} shown",
                    s.label(lang)
                );
            }
        }
    }
    // The case has teacher-only sections, so the test above tested something.
    assert!(!DocKind::CASE.decl().teacher_only.is_empty());
}

/// Every paragraph and cell of a Word file, as text.
fn pieces(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for b in rounds_docx::read::blocks(bytes).unwrap() {
        match b {
            rounds_docx::read::Block::Para(p) => out.push(p.text),
            rounds_docx::read::Block::Table(t) => {
                out.extend(t.rows.iter().flatten().map(|c| c.text()));
            }
        }
    }
    out
}
