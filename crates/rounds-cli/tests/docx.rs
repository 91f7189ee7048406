//! `rounds import-docx` and `rounds export --format docx`, driven as a
//! teacher would: a folder of Word 教案 brought in, a document handed out
//! as a Word file and read back.

mod common;

use std::path::{Path, PathBuf};

use common::{fails, json, ok, rounds};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rounds-docx/tests/fixtures")
}

/// A teacher's folder: the Word fixtures, one in a subfolder, a damaged
/// file, and the lock file Word leaves beside an open document.
fn folder(dir: &Path) -> PathBuf {
    let f = dir.join("教案");
    std::fs::create_dir_all(f.join("2024")).unwrap();
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_owned();
        let to = if name.to_string_lossy().starts_with('c') {
            f.join("2024").join(name)
        } else {
            f.join(name)
        };
        std::fs::copy(&p, to).unwrap();
    }
    std::fs::write(f.join("损坏的文件.docx"), b"PK\x03\x04 not really").unwrap();
    std::fs::write(f.join("~$二-four-column.docx"), b"lock").unwrap();
    std::fs::write(f.join("readme.txt"), b"not a plan").unwrap();
    f
}

fn report(data: &Path, args: &[&str]) -> (Value, bool, String) {
    let out = rounds(data, args);
    let v: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    (
        v,
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_folder_of_word_plans_is_previewed_then_imported_with_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    let f = folder(dir.path());
    let f = f.to_str().unwrap();

    // A dry run shows what would go where and saves nothing.
    let (r, success, err) = report(data, &["import-docx", f, "--dry-run", "--json"]);
    assert!(
        !success,
        "one file is damaged, so the run reports a failure"
    );
    assert!(err.contains("1 of 6 files could not be imported"), "{err}");
    assert_eq!(r["imported"], 5);
    assert_eq!(r["failed"], 1);
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 6, "{r:#}");
    assert!(files.iter().all(|f| f["id"].is_null()));
    let broken = files
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("损坏的文件.docx"))
        .unwrap();
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("not a Word document"),
        "{broken}"
    );
    let extra = files
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("e-extra-text.docx"))
        .unwrap();
    assert!(extra["preview"]["placed"].as_array().unwrap().len() > 3);
    assert!(extra["notes"].to_string().contains("理论+见习"), "{extra}");
    assert_eq!(json(data, &["list", "--json"]).as_array().unwrap().len(), 0);

    // The text report names each file and what went where.
    let out = rounds(data, &["import-docx", f, "--dry-run"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("would add 新生儿黄疸的识别与光疗指征"),
        "{text}"
    );
    assert!(text.contains("process[0].stage"), "{text}");
    assert!(text.contains("5 of 6 files can be imported"), "{text}");

    // Imported for real: one lesson plan per readable file.
    let (r, _, _) = report(data, &["import-docx", f, "--json"]);
    assert_eq!(r["imported"], 5);
    let listed = json(data, &["list", "--json", "--kind", "lesson"]);
    assert_eq!(listed.as_array().unwrap().len(), 5);
    let made = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("b-four-column.docx"))
        .unwrap();
    let doc = json(data, &["show", made["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["title"], "新生儿黄疸的识别与光疗指征");
    assert_eq!(doc["session_type"], "ward_round");
    assert_eq!(doc["process"].as_array().unwrap().len(), 4);
    assert_eq!(doc["process"][0]["minutes"], 5);
    let extra = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("e-extra-text.docx"))
        .unwrap();
    let doc = json(data, &["show", extra["id"].as_str().unwrap(), "--json"]);
    assert!(
        doc["notes"]
            .as_str()
            .unwrap()
            .contains("附件：家长告知单一份"),
        "{doc:#}"
    );
}

#[test]
fn a_document_exported_to_word_reads_back_and_files_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    ok(data, &["samples"]);
    let cases = json(data, &["list", "--json", "--kind", "case"]);
    let case = cases[0]["id"].as_str().unwrap().to_owned();
    let teacher = dir.path().join("病例-教师版.docx");
    let student = dir.path().join("case-student.docx");
    ok(
        data,
        &[
            "export",
            &case,
            "--format",
            "docx",
            "--out",
            teacher.to_str().unwrap(),
        ],
    );
    ok(
        data,
        &[
            "export",
            &case,
            "--format",
            "docx",
            "--student",
            "--lang",
            "en",
            "-o",
            student.to_str().unwrap(),
        ],
    );
    assert!(std::fs::read(&teacher).unwrap().starts_with(b"PK"));
    // Nothing is left beside the file but the files asked for.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "data")
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let err = fails(
        data,
        &[
            "export",
            &case,
            "--format",
            "docx",
            "--out",
            teacher.to_str().unwrap(),
        ],
    );
    assert!(err.contains("exists"), "{err}");
    let err = fails(data, &["export", &case, "--format", "docx"]);
    assert!(err.contains("--out FILE"), "{err}");
    let err = fails(data, &["export", &case, "--format", "md", "--student"]);
    assert!(err.contains("--student is for --format docx"), "{err}");

    // The teacher's copy comes back as the same case, every field.
    let (r, success, err) = report(data, &["import-docx", teacher.to_str().unwrap(), "--json"]);
    assert!(success, "{err}");
    let back = json(
        data,
        &["show", r["files"][0]["id"].as_str().unwrap(), "--json"],
    );
    let orig = json(data, &["show", &case, "--json"]);
    assert_eq!(back["kind"], "case");
    assert_eq!(back["title"], orig["title"]);
    for (k, v) in orig.as_object().unwrap() {
        if [
            "id",
            "created",
            "updated",
            "tags",
            "owner",
            "author",
            "attestation",
        ]
        .contains(&k.as_str())
        {
            continue;
        }
        let strip = |v: &Value| -> Value {
            match v {
                Value::Array(rows) => Value::Array(
                    rows.iter()
                        .map(|r| {
                            let mut r = r.clone();
                            r.as_object_mut().map(|m| m.remove("id"));
                            r
                        })
                        .collect(),
                ),
                v => v.clone(),
            }
        };
        assert_eq!(strip(&back[k]), strip(v), "{k}");
    }

    // The student's copy has no teacher version to bring back.
    let (r, _, _) = report(
        data,
        &[
            "import-docx",
            student.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    let fields = r["files"][0]["fields"].to_string();
    assert!(fields.contains("chief_complaint"), "{fields}");
    assert!(
        !fields.contains("teaching_points") && !fields.contains("questions"),
        "{fields}"
    );
}

#[test]
fn import_docx_refuses_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    let err = fails(
        data,
        &[
            "import-docx",
            dir.path().join("nowhere.docx").to_str().unwrap(),
        ],
    );
    assert!(err.contains("nowhere.docx"), "{err}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = fails(data, &["import-docx", empty.to_str().unwrap()]);
    assert!(err.contains("no .docx files"), "{err}");
    let pdf = dir.path().join("plan.docx");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    let out = rounds(data, &["import-docx", pdf.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("not a zip archive"));
    assert_eq!(json(data, &["list", "--json"]).as_array().unwrap().len(), 0);
}
