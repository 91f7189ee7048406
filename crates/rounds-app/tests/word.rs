//! Word files from the app: a folder of Word 教案 previewed (nothing
//! saved) and imported (every file a lesson plan, nothing dropped), a
//! plan exported as Word and read back, a student version without the
//! teacher-only sections; bad paths said plainly.

use rounds_app::{Language, ListQuery};
use rounds_core::schema::DocKind;
use rounds_testkit::app::{new_doc, open};
use serde_json::json;

fn fixtures() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../rounds-docx/tests/fixtures").to_owned()
}

#[test]
fn a_folder_of_word_plans_is_previewed_then_imported() {
    let (app, _dir) = open("王老师");
    let before = app.list(&ListQuery::default()).unwrap().len();
    let preview = app.import_docx(&[fixtures()], true).unwrap();
    assert!(preview.files.len() >= 5, "{preview:?}");
    assert_eq!(preview.failed, 0, "{preview:?}");
    assert!(
        preview
            .files
            .iter()
            .all(|f| f.id.is_none() && !f.placed.is_empty())
    );
    assert!(
        preview.files.iter().any(|f| !f.notes.is_empty()),
        "the fixture with extra text keeps it in the notes"
    );
    assert_eq!(
        app.list(&ListQuery::default()).unwrap().len(),
        before,
        "a preview saves nothing"
    );

    let done = app.import_docx(&[fixtures()], false).unwrap();
    assert_eq!(done.imported as usize, done.files.len());
    for f in &done.files {
        let id = f.id.as_deref().unwrap();
        let view = app.get(id).unwrap();
        assert_eq!(view.summary.kind.0, "lesson_plan");
        assert_eq!(Some(view.summary.title.clone()), f.title);
        if !f.notes.is_empty() {
            let notes = view.fields["notes"].as_str().unwrap();
            for n in &f.notes {
                assert!(notes.contains(n.as_str()), "{n} not in the notes: {notes}");
            }
        }
    }
    assert_eq!(
        app.list(&ListQuery::default()).unwrap().len(),
        before + done.files.len()
    );

    for bad in [
        vec![],
        vec!["  ".to_owned()],
        vec!["/no/such/folder".to_owned()],
    ] {
        let e = app.import_docx(&bad, true).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("paths"), "{bad:?}: {e:?}");
    }
    let empty = tempfile::tempdir().unwrap();
    let e = app
        .import_docx(&[empty.path().display().to_string()], false)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("paths"));
}

#[test]
fn a_document_exported_as_word_reads_back_and_the_student_version_is_shorter() {
    let (app, _dir) = open("王老师");
    let plan = new_doc(&app, DocKind::LESSON_PLAN, "小儿热性惊厥", Language::Zh);
    let id = plan.summary.id.clone();
    app.edit(
        &id,
        &json!({"course": "儿科学", "learner_analysis": "学生已学习神经系统查体。", "reflection": "讨论时间偏紧。"}),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let read_back = |bytes: &[u8]| {
        std::fs::write(dir.path().join("导出.docx"), bytes).unwrap();
        app.import_docx(&[dir.path().display().to_string()], true)
            .unwrap()
            .files
            .remove(0)
    };
    let f = read_back(&app.docx(&id, Language::Zh, false).unwrap());
    assert_eq!(f.title.as_deref(), Some("小儿热性惊厥"));
    let text = |f: &rounds_app::WordFile, field: &str| {
        f.placed
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.text.clone())
    };
    assert_eq!(text(&f, "course").as_deref(), Some("儿科学"));
    assert_eq!(text(&f, "reflection").as_deref(), Some("讨论时间偏紧。"));

    // A case's student version leaves out what only the teacher reads.
    let case = new_doc(&app, DocKind::CASE, "婴儿腹泻", Language::Zh);
    let cid = case.summary.id.clone();
    app.edit(
        &cid,
        &json!({"chief_complaint": "腹泻三天", "teaching_points": "脱水程度的评估"}),
    )
    .unwrap();
    let teacher = read_back(&app.docx(&cid, Language::Zh, false).unwrap());
    assert_eq!(
        text(&teacher, "teaching_points").as_deref(),
        Some("脱水程度的评估")
    );
    let student = read_back(&app.docx(&cid, Language::Zh, true).unwrap());
    assert_eq!(
        text(&student, "chief_complaint").as_deref(),
        Some("腹泻三天")
    );
    assert!(text(&student, "teaching_points").is_none(), "{student:?}");
    assert!(app.docx("no-such-doc", Language::Zh, false).is_err());
}
