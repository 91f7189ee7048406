//! The Word fixtures (`tests/fixtures/`, written by `examples/make_fixtures.rs`)
//! import with nothing dropped, each in its layout; many files import with
//! one report; files that are not Word documents, or too large, are refused
//! clearly.

use std::io::Write;

use rounds_core::schema::{DocKind, FieldType, Lang};
use rounds_docx::{DocxError, ImportOptions, Preview, import, import_many, limits};
use serde_json::{Value as Json, json};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const FIXTURES: &[&str] = &[
    "a-two-column.docx",
    "b-four-column.docx",
    "c-headings.docx",
    "d-english.docx",
    "e-extra-text.docx",
];

/// Every `w:t` of the body, read with a plain scan of the XML that knows
/// nothing of tables, labels or fields.
fn text_runs(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let mut runs = Vec::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<w:t") {
        rest = &rest[i + 4..];
        // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>`, `<w:tc>`…
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let start = rest.find('>').unwrap() + 1;
        let end = rest.find("</w:t>").unwrap();
        runs.push(
            rest[start..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[end..];
    }
    runs
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every run of the source is in the title, a field's placed text, the
/// notes or the labels; and what the preview says it placed in a text
/// field is in that field.
fn assert_nothing_dropped(name: &str, bytes: &[u8], p: &Preview) {
    let mut kept: Vec<String> = p.placed.iter().map(|x| squash(&x.text)).collect();
    kept.extend(p.notes.iter().map(|n| squash(n)));
    kept.extend(p.labels.iter().map(|l| squash(l)));
    kept.push(squash(&p.title));
    let runs = text_runs(bytes);
    assert!(runs.len() > 10, "{name}: only {} runs", runs.len());
    for run in runs {
        let r = squash(&run);
        if r.is_empty() {
            continue;
        }
        // A run is kept whole in one piece, or is made of kept pieces
        // (`课程：儿科学　章节：神经系统疾病`: two labels, two values).
        let mut left = r.clone();
        let mut pieces = kept.clone();
        pieces.sort_by_key(|k| std::cmp::Reverse(k.len()));
        for k in pieces.iter().filter(|k| !k.is_empty()) {
            left = left.replace(k.as_str(), "");
        }
        assert!(
            kept.iter().any(|k| k.contains(&r)) || !left.chars().any(char::is_alphanumeric),
            "{name}: `{run}` was dropped; preview: {}",
            serde_json::to_string_pretty(p).unwrap()
        );
    }
    for x in &p.placed {
        let Some(f) = p.kind.field(&x.field) else {
            continue;
        };
        if let FieldType::Text { .. } = f.ty {
            let v = p.fields[f.key].as_str().unwrap();
            assert!(
                squash(v).contains(&squash(&x.text)),
                "{name}: {} lost `{}`",
                f.key,
                x.text
            );
        }
    }
    let notes = p.fields.get("notes").and_then(Json::as_str).unwrap_or("");
    for n in &p.notes {
        assert!(
            notes.contains(n.as_str()),
            "{name}: note `{n}` not in the notes field"
        );
    }
}

fn imported(name: &str) -> Preview {
    let bytes = fixture(name);
    let p = import(&bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_nothing_dropped(name, &bytes, &p);
    // What it makes is a document the core accepts.
    rounds_core::testing::doc("0190a0b0-0000-7000-8000-000000000001", p.kind, &p.title)
        .language(p.language)
        .fields(Json::Object(p.fields.clone()))
        .try_create()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    p
}

fn rows(p: &Preview, key: &str) -> Vec<Json> {
    p.fields
        .get(key)
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn every_fixture_imports_with_nothing_dropped() {
    for name in FIXTURES {
        let p = imported(name);
        assert_eq!(p.kind, DocKind::LESSON_PLAN, "{name}");
        assert!(p.fields.len() >= 4, "{name}: only {:?}", p.fields.keys());
    }
}

#[test]
fn a_two_column_table_fills_its_fields() {
    let p = imported("a-two-column.docx");
    assert_eq!(p.title, "小儿腹泻病的脱水评估与口服补液");
    assert_eq!(p.language, Lang::Zh);
    assert_eq!(p.fields["course"], "儿科学（见习）");
    assert_eq!(p.fields["session_type"], "bedside");
    assert_eq!(p.fields["learner_level"], "intern");
    assert_eq!(p.fields["class_hours"], json!(2.0));
    assert_eq!(p.fields["date"], "2025-09-18");
    assert_eq!(p.fields["lead_preparer"], "儿科主治医师（消化组）");
    let objectives = rows(&p, "objectives");
    assert_eq!(objectives.len(), 3);
    assert_eq!(objectives[0]["domain"], "knowledge");
    assert_eq!(objectives[0]["level"], "master");
    assert_eq!(objectives[2]["domain"], "attitude");
    assert_eq!(rows(&p, "process").len(), 4);
    assert!(p.fields["references"].as_str().unwrap().contains("第 9 版"));
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn a_four_column_table_and_a_process_table_fill_their_fields() {
    let p = imported("b-four-column.docx");
    assert_eq!(p.title, "新生儿黄疸的识别与光疗指征");
    assert_eq!(p.fields["session_type"], "ward_round");
    assert_eq!(p.fields["learner_level"], "resident");
    assert_eq!(p.fields["learner_count"], json!(12));
    assert_eq!(p.fields["class_hours"], json!(1.5));
    assert_eq!(p.fields["site"], "新生儿科护士站旁示教室");
    assert_eq!(p.fields["co_preparers"], "新生儿科主治医师 2 名");
    assert!(
        p.fields["learner_analysis"]
            .as_str()
            .unwrap()
            .starts_with("住院医师第一年")
    );
    assert_eq!(rows(&p, "key_points")[0]["text"], "按小时龄判读胆红素值");
    assert_eq!(rows(&p, "difficult_points").len(), 1);
    let process = rows(&p, "process");
    assert_eq!(process.len(), 4);
    assert_eq!(process[0]["stage"], "病例导入");
    assert_eq!(process[0]["minutes"], json!(5));
    assert_eq!(process[1]["teacher"], "示范经皮胆红素测定和黄染范围的判断");
    assert_eq!(process[1]["learners"], "学员分组练习测定");
    assert_eq!(process[3]["intent"], "巩固");
    assert!(p.fields["board_plan"].as_str().unwrap().contains("光疗"));
    assert!(
        p.fields["reflection"]
            .as_str()
            .unwrap()
            .contains("讨论环节")
    );
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn headings_and_label_lines_fill_their_fields() {
    let p = imported("c-headings.docx");
    assert_eq!(p.title, "热性惊厥的识别与急诊处理");
    assert_eq!(p.fields["course"], "儿科学");
    assert_eq!(p.fields["chapter"], "神经系统疾病");
    assert_eq!(p.fields["learner_level"], "gp");
    assert_eq!(p.fields["class_hours"], json!(1.0));
    let objectives = rows(&p, "objectives");
    assert_eq!(objectives.len(), 2);
    assert_eq!(objectives[1]["level"], "familiar");
    assert_eq!(rows(&p, "key_points")[0]["text"], "惊厥发作时的现场处置。");
    assert_eq!(
        rows(&p, "difficult_points")[0]["text"],
        "何时需要腰椎穿刺排除颅内感染。"
    );
    assert_eq!(p.fields["methods"], "情景模拟结合病例讨论。");
    assert_eq!(
        p.fields["summary"],
        "多数热性惊厥预后良好，处理重在保持气道通畅和识别危险信号。\n家长宣教同样重要。"
    );
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn english_labels_fill_their_fields() {
    let p = imported("d-english.docx");
    assert_eq!(p.title, "Acute asthma in school-age children");
    assert_eq!(p.language, Lang::En);
    assert_eq!(p.fields["course"], "Paediatrics");
    assert_eq!(p.fields["chapter"], "Respiratory diseases");
    assert_eq!(p.fields["session_type"], "cbl");
    assert_eq!(p.fields["learner_level"], "resident");
    assert_eq!(p.fields["learner_count"], json!(10));
    assert_eq!(p.fields["date"], "2025-12-02");
    assert_eq!(rows(&p, "objectives").len(), 2);
    let process = rows(&p, "process");
    assert_eq!(process.len(), 2);
    assert_eq!(process[1]["minutes"], json!(30));
    assert_eq!(
        process[1]["learners"],
        "Groups classify three short vignettes"
    );
    assert_eq!(
        p.fields["summary"],
        "Recap of the stepwise plan and discharge advice."
    );
    assert_eq!(
        p.fields["homework"],
        "Write an asthma action plan for a family."
    );
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn text_that_fits_no_field_is_kept_in_notes() {
    let p = imported("e-extra-text.docx");
    assert_eq!(p.title, "手足口病的早期识别（教案）");
    assert_eq!(p.fields["learner_level"], "village_doctor");
    assert!(p.fields.get("session_type").is_none());
    let process = rows(&p, "process");
    assert_eq!(process.len(), 2);
    assert_eq!(process[0]["minutes"], json!(15));
    let notes = p.fields["notes"].as_str().unwrap();
    for kept in [
        "授课类型：理论+见习",
        "教研室审核",
        "同意实施",
        "需投影仪",
        "本教案经儿科教研室集体备课讨论",
        "附件：家长告知单一份（另附）",
    ] {
        assert!(notes.contains(kept), "`{kept}` not in notes: {notes}");
    }
}

#[test]
fn a_folder_with_a_corrupt_file_imports_the_rest() {
    let mut files: Vec<(String, Result<Vec<u8>, String>)> = FIXTURES
        .iter()
        .map(|n| (n.to_string(), Ok(fixture(n))))
        .collect();
    let mut broken = fixture("a-two-column.docx");
    broken.truncate(broken.len() / 2);
    files.insert(2, ("broken.docx".into(), Ok(broken)));
    files.push(("unreadable.docx".into(), Err("permission denied".into())));
    let mut saved = 0;
    let report = import_many(
        files,
        &ImportOptions::default(),
        &mut |p| {
            saved += 1;
            Ok(Some(format!("id-{saved}-{}", p.fields.len())))
        },
        false,
    );
    assert_eq!(report.imported, FIXTURES.len());
    assert_eq!(report.failed, 2);
    assert_eq!(saved, FIXTURES.len());
    let broken = &report.files[2];
    assert_eq!(broken.file, "broken.docx");
    assert!(broken.id.is_none());
    assert!(
        broken
            .error
            .as_deref()
            .unwrap()
            .contains("not a Word document"),
        "{broken:?}"
    );
    assert_eq!(
        report.files.last().unwrap().error.as_deref(),
        Some("permission denied")
    );
    for f in report.files.iter().filter(|f| f.error.is_none()) {
        assert!(f.id.is_some() && !f.fields.is_empty(), "{f:?}");
    }
    let extra = report
        .files
        .iter()
        .find(|f| f.file == "e-extra-text.docx")
        .unwrap();
    assert!(extra.notes.iter().any(|n| n.contains("理论+见习")));
}

#[test]
fn a_file_that_names_no_title_takes_its_file_name() {
    let report = import_many(
        [("门诊带教.docx".to_string(), Ok(only_a_table()))],
        &ImportOptions::default(),
        &mut |_| Ok(None),
        true,
    );
    assert_eq!(
        report.files[0].title.as_deref(),
        Some("门诊带教"),
        "{report:?}"
    );
}

/// A .docx holding one two-column table and nothing above it.
fn only_a_table() -> Vec<u8> {
    docx(
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>课程</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>儿科学</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
    )
}

fn docx(body: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip_of(&[("word/document.xml", xml.as_bytes())])
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        z.start_file(*name, o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn what_is_not_a_word_document_is_refused_clearly() {
    let err = |b: &[u8]| import(b, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err(b"%PDF-1.7 ..."), DocxError::NotDocx(m) if m.contains("not a zip")));
    assert!(
        matches!(err(&zip_of(&[("hello.txt", b"hi")])), DocxError::NotDocx(m) if m.contains("word/document.xml"))
    );
    assert!(matches!(
        err(&zip_of(&[(
            "word/document.xml",
            b"<w:document><w:body><w:p>"
        )])),
        DocxError::NotDocx(_)
    ));
    assert!(
        matches!(err(&zip_of(&[("word/document.xml", b"<html/>")])), DocxError::NotDocx(m) if m.contains("no body"))
    );
    let e = err(b"PK\x03\x04 truncated");
    assert!(e.to_string().starts_with("not a Word document"), "{e}");
}

#[test]
fn oversized_files_and_zip_bombs_are_refused_before_reading() {
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(limits::MAX_FILE + 1, 0);
    let e = import(&big, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, DocxError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("the file is over the limit"), "{e}");

    // A few kilobytes that inflate past the limit: refused, never inflated whole.
    let mut xml = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
    xml.resize(limits::MAX_PART + 1024, b' ');
    let bomb = zip_of(&[("word/document.xml", &xml)]);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let e = import(&bomb, &ImportOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("word/document.xml once uncompressed is over the limit"),
        "{e}"
    );
}
