//! Starting documents from others: duplicates, templates (samples and the
//! office's approved documents), and the Markdown export.

use rounds_app::{App, ErrorCode, Kind, Language, TemplateOrigin};
use rounds_core::schema::DocKind;
use rounds_testkit::app::new_doc;
use serde_json::json;

fn app() -> (App, tempfile::TempDir) {
    rounds_testkit::app::open("陈老师")
}

#[test]
fn a_duplicate_takes_the_content_with_new_rows_and_no_workflow() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "手足口病的识别", Language::Zh);
    let id = a.summary.id;
    let saved = app
        .edit(
            &id,
            &json!({
                "course": "儿科学",
                "tags": ["传染病"],
                "status": "approved",
                "process": [{"stage": "导入", "minutes": 5}, {"stage": "讨论", "minutes": 30}],
            }),
        )
        .unwrap();
    let source_rows: Vec<String> = saved.fields["process"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();

    let copy = app
        .create_from(&format!("doc:{id}"), "手足口病的识别（副本）")
        .unwrap();
    assert_ne!(copy.summary.id, id);
    assert_eq!(copy.summary.title, "手足口病的识别（副本）");
    assert_eq!(copy.fields["course"], "儿科学");
    assert_eq!(copy.summary.tags, ["传染病"]);
    assert!(copy.fields["status"].is_null(), "the copy is a new draft");
    let rows = copy.fields["process"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["stage"], "讨论");
    for r in rows {
        assert!(!source_rows.contains(&r["id"].as_str().unwrap().to_owned()));
    }
    // The source is unchanged.
    assert_eq!(app.get(&id).unwrap().fields["status"], "approved");
}

#[test]
fn templates_are_the_samples_of_the_kind_and_the_approved_documents() {
    let (app, _d) = app();
    let cases = app.templates(Kind::from(DocKind::CASE)).unwrap();
    assert!(!cases.is_empty());
    assert!(cases.iter().all(|t| t.source.starts_with("sample:case-")));

    let a = new_doc(&app, DocKind::LESSON_PLAN, "婴儿湿疹的护理", Language::Zh);
    let draft = new_doc(&app, DocKind::LESSON_PLAN, "未审核的教案", Language::Zh);
    app.edit(&a.summary.id, &json!({"status": "approved"}))
        .unwrap();
    let plans = app.templates(Kind::from(DocKind::LESSON_PLAN)).unwrap();
    let approved: Vec<_> = plans
        .iter()
        .filter(|t| t.origin == TemplateOrigin::Approved)
        .collect();
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].source, format!("doc:{}", a.summary.id));
    assert!(!plans.iter().any(|t| t.source.ends_with(&draft.summary.id)));
    let sample = plans
        .iter()
        .find(|t| t.origin == TemplateOrigin::Sample)
        .unwrap();

    let v = app.create_from(&sample.source, &sample.title).unwrap();
    assert_eq!(v.summary.title, sample.title);
    assert!(v.summary.mine);
    assert!(!v.fields["process"].as_array().unwrap().is_empty());
    // The sample library itself was not imported.
    assert_eq!(
        app.list(&rounds_app::ListQuery {
            kind: None,
            filters: Default::default(),
            scope: rounds_app::Scope::All,
            limit: None,
            offset: 0
        })
        .unwrap()
        .len(),
        3
    );
}

#[test]
fn a_bad_source_is_refused_and_changes_nothing() {
    let (app, _d) = app();
    let e = app.create_from("elsewhere", "x").unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("source"));
    let e = app.create_from("sample:nope.json", "x").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = app.create_from("doc:0000", "x").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(
        app.templates(Kind::from(DocKind::LESSON_PLAN))
            .unwrap()
            .iter()
            .all(|t| t.origin == TemplateOrigin::Sample)
    );
}

#[test]
fn markdown_export_is_the_document_in_the_language_asked() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "Croup", Language::En);
    app.edit(
        &a.summary.id,
        &json!({"learner_analysis": "Interns on their first paediatric rotation."}),
    )
    .unwrap();
    let (title, md) = app.markdown(&a.summary.id, Language::Zh).unwrap();
    assert_eq!(title, "Croup");
    assert!(md.contains("学情分析"), "{md}");
    assert!(md.contains("Interns on their first paediatric rotation."));
}
