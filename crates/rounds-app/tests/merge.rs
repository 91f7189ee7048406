//! The open editor and a colleague's change: saves carry the version the
//! editor showed (`edit_at`), refreshes map the caret (`refresh`), and
//! neither loses the other's text.

use rounds_app::{App, Caret, Language};
use rounds_core::schema::DocKind;
use rounds_store::Store;
use rounds_testkit::app::new_doc;
use serde_json::json;

fn app() -> (App, tempfile::TempDir) {
    rounds_testkit::app::open("主备人")
}

fn caret(field: &str, at: u32) -> Caret {
    Caret {
        field: field.into(),
        row: None,
        sub_field: None,
        start: at,
        end: at,
    }
}

/// A colleague's change (made in the colleague's own library, so by
/// another actor) reaching this library the way the sync worker writes it:
/// through another connection to the same database.
fn colleague_edits(dir: &std::path::Path, id: &str, value: &str) {
    let mut worker = Store::open_dir(dir).unwrap();
    let colleague_dir = tempfile::tempdir().unwrap();
    let mut colleague = Store::open_dir(colleague_dir.path()).unwrap();
    colleague
        .merge_bytes(&worker.raw_bytes(id).unwrap())
        .unwrap();
    colleague.edit(id, &json!({ "methods": value })).unwrap();
    worker
        .merge_bytes(&colleague.raw_bytes(id).unwrap())
        .unwrap();
}

#[test]
fn a_save_based_on_what_the_editor_showed_keeps_the_colleagues_text() {
    let (app, dir) = app();
    let v = new_doc(&app, DocKind::LESSON_PLAN, "小儿腹泻", Language::Zh);
    let id = v.summary.id.clone();
    let shown = app
        .edit(&id, &json!({ "methods": "讲授。讨论。" }))
        .unwrap();
    colleague_edits(dir.path(), &id, "讲授。病例讨论。");
    // The editor, which still shows "讲授。讨论。", types "总结。" at the end,
    // caret after it (UTF-16 offset 9).
    let saved = app
        .edit_at(
            &id,
            &json!({ "methods": "讲授。讨论。总结。" }),
            &shown.heads,
            Some(&caret("methods", 9)),
        )
        .unwrap();
    assert_eq!(saved.view.fields["methods"], "讲授。病例讨论。总结。");
    // The caret follows the teacher's text: after "总结。" in the merged text.
    let c = saved.caret.unwrap();
    assert_eq!((c.start, c.end), (11, 11));
    assert!(saved.change.is_some());
    assert_ne!(saved.view.heads, shown.heads);
}

#[test]
fn a_refresh_maps_the_caret_of_the_field_being_typed_in() {
    let (app, dir) = app();
    let v = new_doc(&app, DocKind::LESSON_PLAN, "Croup", Language::En);
    let id = v.summary.id.clone();
    let shown = app
        .edit(&id, &json!({ "methods": "Discuss the case." }))
        .unwrap();
    colleague_edits(dir.path(), &id, "First, Discuss the case.");
    // Caret after "Discuss" (7); a selection would map its two ends alike.
    let mut sel = caret("methods", 7);
    sel.end = 11;
    let r = app
        .refresh(&id, &shown.heads, Some(&sel), Some("Discuss the case."))
        .unwrap();
    assert_eq!(r.view.fields["methods"], "First, Discuss the case.");
    let c = r.caret.unwrap();
    assert_eq!((c.start, c.end), (14, 18));
    assert!(r.change.is_none());
}

#[test]
fn utf16_offsets_are_kept_apart_from_code_points() {
    // An emoji outside the BMP is two UTF-16 units but one code point.
    let (app, dir) = app();
    let v = new_doc(&app, DocKind::LESSON_PLAN, "表情", Language::Zh);
    let id = v.summary.id.clone();
    let shown = app.edit(&id, &json!({ "methods": "😀好" })).unwrap();
    colleague_edits(dir.path(), &id, "很😀好");
    let r = app
        .refresh(&id, &shown.heads, Some(&caret("methods", 2)), Some("😀好"))
        .unwrap();
    // Caret between 😀 and 好 → after "很😀": 1 + 2 units.
    assert_eq!(r.caret.unwrap().start, 3);
}

#[test]
fn a_malformed_base_is_refused_and_changes_nothing() {
    let (app, _dir) = app();
    let v = new_doc(&app, DocKind::LESSON_PLAN, "热性惊厥", Language::Zh);
    let id = v.summary.id.clone();
    let e = app
        .edit_at(&id, &json!({ "methods": "x" }), &["zz".into()], None)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("base"));
    assert_eq!(app.get(&id).unwrap().fields["methods"], "");
}

/// A colleague removes a row this library was editing: the app's view
/// carries the notice, restoring brings the row back with this library's
/// text, and dismissing lets the removal stand. Through a real office, as
/// the sync worker does it (another connection to the same database).
#[test]
fn a_row_removed_over_our_edit_is_noticed_restored_or_dismissed() {
    let office = rounds_testkit::Office::start();
    let o = office.create_office("儿科教研室");
    let (app, dir) = app();
    let code = office.code(&office.add_member(&o, "主备人"));
    app.join(&office.url, &code, "pc", None).unwrap();
    let sync = || {
        let mut worker = Store::open_dir(dir.path()).unwrap();
        rounds_client::sync_joined(&mut worker, dir.path()).unwrap();
    };
    let mut colleague = rounds_testkit::Teacher::joined(&office, &o, "参与人");
    let v = new_doc(&app, DocKind::LESSON_PLAN, "新生儿黄疸", Language::Zh);
    let id = v.summary.id.clone();
    let v = app
        .edit(
            &id,
            &json!({"objectives": [{"text": "区分生理性与病理性黄疸"}, {"text": "说出光疗指征"}, {"text": "了解换血疗法"}]}),
        )
        .unwrap();
    let rows: Vec<String> = v.fields["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    app.share(&id, false).unwrap();
    sync();
    colleague.sync().unwrap();
    // Here the second and third objectives are rewritten; the colleague,
    // not having seen that, removes both.
    app.edit(
        &id,
        &json!({"objectives": [{"id": rows[0]}, {"id": rows[1], "text": "说出光疗指征及其依据"}, {"id": rows[2], "text": "了解换血疗法的指征"}]}),
    )
    .unwrap();
    colleague
        .store
        .edit(&id, &json!({"objectives": [{"id": rows[0]}]}))
        .unwrap();
    colleague.sync().unwrap();
    assert!(app.get(&id).unwrap().removed_rows.is_empty());
    sync();
    let v = app.get(&id).unwrap();
    assert_eq!(v.fields["objectives"].as_array().unwrap().len(), 1);
    let mut notices: Vec<(&str, &str)> = v
        .removed_rows
        .iter()
        .map(|r| (r.row.as_str(), r.text.as_str()))
        .collect();
    notices.sort();
    let mut want = vec![
        (rows[1].as_str(), "说出光疗指征及其依据"),
        (rows[2].as_str(), "了解换血疗法的指征"),
    ];
    want.sort();
    assert_eq!(notices, want);
    let v = app.restore_row(&id, "objectives", &rows[1]).unwrap();
    let texts: Vec<&str> = v.fields["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["区分生理性与病理性黄疸", "说出光疗指征及其依据"]
    );
    assert_eq!(v.removed_rows.len(), 1);
    let v = app.dismiss_removed(&id, "objectives", &rows[2]).unwrap();
    assert!(v.removed_rows.is_empty());
    assert_eq!(v.fields["objectives"].as_array().unwrap().len(), 2);
    // An earlier version shows no notices; a bad row is refused.
    assert!(app.restore_row(&id, "objectives", "nonsense").is_err());
}
