//! `rounds export --format pdf`, driven as a teacher would: a case's
//! student and teacher copies in Chinese and English, into a new file only.

mod common;

use common::{fails, json, ok};

use rounds_testkit::pdf::text_of_file as pdf_text;

#[test]
fn a_case_exports_as_a_students_and_a_teachers_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    ok(data, &["samples"]);
    let cases = json(data, &["list", "--kind", "case", "--json"]);
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains("热性惊厥"))
        .expect("the febrile seizure case")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = json(data, &["show", &case, "--json"]);
    let pitfalls = shown["pitfalls"].as_str().unwrap();
    let pitfalls: String = pitfalls.split_whitespace().collect::<String>();
    let pitfalls: String = pitfalls.chars().take(10).collect();

    // A Chinese file name, in a directory of its own.
    let student = dir.path().join("病例-学生版.pdf");
    ok(
        data,
        &[
            "export",
            &case,
            "--format",
            "pdf",
            "--student",
            "--out",
            student.to_str().unwrap(),
        ],
    );
    let text = pdf_text(&student);
    assert!(
        text.contains("教学病例") && text.contains("学生版"),
        "{text}"
    );
    assert!(text.contains("第1页/共"), "{text}");
    assert!(text.contains("第1版·"), "the version: {text}");
    assert!(
        !text.contains(&pitfalls),
        "the student's copy shows the pitfalls"
    );

    let teacher = dir.path().join("case-teacher.pdf");
    ok(
        data,
        &[
            "export",
            &case,
            "--format",
            "pdf",
            "--lang",
            "en",
            "-o",
            teacher.to_str().unwrap(),
        ],
    );
    let text = pdf_text(&teacher);
    assert!(
        text.contains("TeachingCase") && text.contains("Teacherversion"),
        "{text}"
    );
    assert!(
        text.contains("Pitfalls") && text.contains(&pitfalls),
        "{text}"
    );
    assert!(text.contains("Page1of"), "{text}");

    // Never over an existing file, which stays as it was; no temporary
    // file is left behind.
    let before = std::fs::read(&teacher).unwrap();
    let err = fails(
        data,
        &[
            "export",
            &case,
            "--format",
            "pdf",
            "--out",
            teacher.to_str().unwrap(),
        ],
    );
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&teacher).unwrap(), before);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["case-teacher.pdf", "data", "病例-学生版.pdf"]);

    // A PDF goes to a file; a student's copy is a PDF's.
    let err = fails(data, &["export", &case, "--format", "pdf"]);
    assert!(err.contains("--out FILE"), "{err}");
    let err = fails(data, &["export", &case, "--format", "md", "--student"]);
    assert!(err.contains("--format pdf"), "{err}");
}
