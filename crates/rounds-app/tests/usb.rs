//! Sync by USB drive from the app: a site's app writes its bundle to a
//! drive, the office imports it and leaves its answer there, the app
//! imports the answer; bad folders and missing answers say what to do.

use rounds_app::{App, ErrorCode, Language};
use rounds_core::schema::DocKind;
use rounds_testkit::app::new_doc;
use serde_json::json;

#[test]
fn the_app_syncs_through_a_drive_and_says_what_is_missing() {
    let office = rounds_testkit::Office::start();
    let office_id = office.create_office("县域儿科教研室");
    let member = office.add_member(&office_id, "赵医生");
    let code = office.code(&member);
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    app.join(&office.url, &code, "卫生院电脑", None).unwrap();

    let mut centre = rounds_testkit::Teacher::joined(&office, &office_id, "王主任");
    let theirs = centre.create(DocKind::LESSON_PLAN, "新生儿黄疸", json!({}));
    centre
        .store
        .set_visibility(&theirs, rounds_core::doc::Visibility::Office)
        .unwrap();
    centre.sync().unwrap();
    let mine = new_doc(&app, DocKind::LESSON_PLAN, "小儿腹泻", Language::Zh);
    let id = mine.summary.id.clone();
    app.share(&id, false).unwrap();

    let drive = tempfile::tempdir().unwrap();
    let drive_path = drive.path().to_str().unwrap();
    // Nothing from the office on the drive yet.
    let e = app.usb_import(drive_path).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("bundle_missing"))
    );
    let e = app.usb_export("/no/such/drive").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("folder"));

    let out = app.usb_export(drive_path).unwrap();
    assert_eq!(out.docs_sent, 1, "{out:?}");
    assert!(std::path::Path::new(&out.file).starts_with(drive.path()));
    let bytes = std::fs::read(&out.file).unwrap();
    let answer = office.service.import_bundle(&bytes).unwrap().answer;
    assert!(office.document(&id).is_some());
    // What `rounds-office bundle import` writes beside the device's file.
    let back = out.file.replace(".rounds", "-return.rounds");
    std::fs::write(&back, &answer).unwrap();

    let r = app.usb_import(drive_path).unwrap();
    assert_eq!((r.acknowledged, r.refused), (1, 0), "{r:?}");
    assert!(r.received >= 1 && r.cursor_moved, "{r:?}");
    assert_eq!(app.get(&theirs).unwrap().summary.title, "新生儿黄疸");
    assert_eq!(app.sync_status().unwrap().pending, 0);

    // A damaged answer is refused and changes nothing.
    let mut bad = answer.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    std::fs::write(&back, &bad).unwrap();
    let e = app.usb_import(drive_path).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("bundle"), "{e:?}");
}
