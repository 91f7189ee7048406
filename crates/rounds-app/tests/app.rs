//! The commands the UI calls, on a real store in a temporary directory.

use rounds_app::{App, ErrorCode, FindingRef, Kind, Language, ListQuery, Scope, SyncState};
use rounds_core::schema::DocKind;
use rounds_testkit::app::new_doc;
use serde_json::json;

fn app() -> (App, tempfile::TempDir) {
    rounds_testkit::app::open("王老师")
}

#[test]
fn schema_describes_every_field_of_both_kinds() {
    let (app, _d) = app();
    let s = app.schema();
    assert_eq!(s.kinds.len(), 2);
    for k in &s.kinds {
        let core = k.kind.doc_kind().unwrap().fields();
        let n: usize = k.sections.iter().map(|s| s.fields.len()).sum();
        assert_eq!(n, core.len(), "{:?}", k.kind);
        for sec in &k.sections {
            assert!(!sec.label.zh.is_empty() && !sec.label.en.is_empty());
        }
    }
    let lesson = &s.kinds[0];
    let process = lesson
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.key == "process")
        .unwrap();
    let json = serde_json::to_value(&process.input).unwrap();
    assert_eq!(json["type"], "list");
    assert!(
        json["item"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "minutes")
    );
    // Every filterable field of every kind is offered once, with the
    // kinds it filters.
    let organ = s.filters.iter().find(|f| f.key == "organ_system").unwrap();
    assert_eq!(organ.kinds, [Kind::from(DocKind::CASE)]);
    assert!(!organ.choices.is_empty());
    let status = s.filters.iter().find(|f| f.key == "status").unwrap();
    assert_eq!(status.kinds.len(), 2);
    assert_eq!(s.filters.iter().filter(|f| f.key == "status").count(), 1);
    let case = s
        .kinds
        .iter()
        .find(|k| k.kind == Kind::from(DocKind::CASE))
        .unwrap();
    assert!(case.holds_patient_data);
    assert_eq!(case.teacher_only, ["teacher", "workflow"]);
    let plan = s
        .kinds
        .iter()
        .find(|k| k.kind == Kind::from(DocKind::LESSON_PLAN))
        .unwrap();
    assert!(!plan.holds_patient_data && plan.print_header.contains(&"course".to_owned()));
}

#[test]
fn create_edit_get_and_list_newest_first() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "热性惊厥", Language::Zh);
    assert!(a.summary.mine);
    assert_eq!(a.fields["title"], "热性惊厥");
    let b = new_doc(&app, DocKind::CASE, "Croup", Language::En);
    let list = app.list(&ListQuery::default()).unwrap();
    assert_eq!(list[0].id, b.summary.id);

    // Autosave sends only what changed; list rows without ids are added and
    // come back with ids.
    let v = app
        .edit(
            &a.summary.id,
            &json!({"course": "儿科学", "process": [{"stage": "导入", "minutes": 5}]}),
        )
        .unwrap();
    assert_eq!(v.fields["course"], "儿科学");
    let row = &v.fields["process"][0];
    assert_eq!(row["stage"], "导入");
    assert!(row["id"].as_str().is_some_and(|s| !s.is_empty()));
    let list = app.list(&ListQuery::default()).unwrap();
    assert_eq!(list[0].id, a.summary.id, "the edited document comes first");

    // Reordering is sending the list in its new order, with ids.
    let id0 = row["id"].as_str().unwrap().to_owned();
    let v = app
        .edit(
            &a.summary.id,
            &json!({"process": [{"stage": "讲授", "minutes": 20}, {"id": id0, "stage": "导入", "minutes": 5}]}),
        )
        .unwrap();
    assert_eq!(v.fields["process"][1]["id"], id0.as_str());
    assert_eq!(v.fields["process"][0]["stage"], "讲授");

    let got = app.get(&a.summary.id).unwrap();
    assert_eq!(got.fields, v.fields);
    assert_eq!(got.read_only, None);
}

#[test]
fn bad_input_is_invalid_and_names_the_field() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "x", Language::Zh);
    let e = app
        .edit(&a.summary.id, &json!({"learner_count": -3}))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("learner_count"));
    let e = app
        .edit(&a.summary.id, &json!({"session_type": "nap"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("session_type"));
    let e = app
        .edit(&a.summary.id, &json!(["not an object"]))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    // Nothing of a refused edit is applied.
    let e = app
        .edit(
            &a.summary.id,
            &json!({"course": "ok", "learner_count": "many"}),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(app.get(&a.summary.id).unwrap().fields["course"], "");
    // The error serialises as the UI reads it.
    let j = serde_json::to_value(&e).unwrap();
    assert_eq!(j["code"], "invalid");
    assert!(j["message"].as_str().unwrap().contains("learner_count"));
}

#[test]
fn unknown_documents_are_not_found() {
    let (app, _d) = app();
    let e = app.get("0190aaaa-0000-7000-8000-000000000000").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(app.history("nope").unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn filters_scopes_and_trash() {
    let (app, _d) = app();
    assert_eq!(app.import_samples().unwrap(), 11);
    assert_eq!(app.import_samples().unwrap(), 0);
    let all = app.list(&ListQuery::default()).unwrap();
    assert_eq!(all.len(), 11);
    let cases = app
        .list(&ListQuery {
            kind: Some(Kind::from(DocKind::CASE)),
            ..Default::default()
        })
        .unwrap();
    assert!(!cases.is_empty() && cases.iter().all(|c| c.kind == Kind::from(DocKind::CASE)));
    let resp = app
        .list(&ListQuery {
            filters: [("organ_system".to_owned(), "respiratory".to_owned())].into(),
            ..Default::default()
        })
        .unwrap();
    assert!(!resp.is_empty());
    assert!(
        resp.iter()
            .all(|c| c.filters.get("organ_system").map(String::as_str) == Some("respiratory"))
    );
    // An empty choice from a <select> means "any".
    let any = app
        .list(&ListQuery {
            filters: [("status".to_owned(), String::new())].into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(any.len(), 11);
    let page = app
        .list(&ListQuery {
            limit: Some(4),
            offset: 8,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.len(), 3);

    let id = all[0].id.clone();
    app.delete(&id).unwrap();
    assert_eq!(app.list(&ListQuery::default()).unwrap().len(), 10);
    let trash = app
        .list(&ListQuery {
            scope: Scope::Trash,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(trash.len(), 1);
    assert!(trash[0].deleted);
    app.restore(&id).unwrap();
    assert_eq!(app.list(&ListQuery::default()).unwrap().len(), 11);
    let shared = app
        .list(&ListQuery {
            scope: Scope::Shared,
            ..Default::default()
        })
        .unwrap();
    assert!(shared.is_empty(), "imported samples are this user's own");
}

#[test]
fn search_in_chinese_and_english_with_snippets() {
    let (app, _d) = app();
    app.import_samples().unwrap();
    let hits = app.search("黄疸", &ListQuery::default()).unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits[0]
            .snippet
            .iter()
            .any(|p| p.hit && p.text.contains("黄疸"))
    );
    let hits = app.search("pneumo", &ListQuery::default()).unwrap();
    assert!(
        !hits.is_empty(),
        "English words match by prefix while typing"
    );
    let lessons = app
        .search(
            "黄疸",
            &ListQuery {
                kind: Some(Kind::from(DocKind::LESSON_PLAN)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        lessons
            .iter()
            .all(|h| h.summary.kind == Kind::from(DocKind::LESSON_PLAN))
    );
    assert!(app.search("  ", &ListQuery::default()).unwrap().is_empty());
    // Query syntax is text, not FTS operators.
    app.search("\"黄疸 OR *", &ListQuery::default()).unwrap();
}

#[test]
fn history_and_earlier_versions() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::CASE, "婴儿腹泻", Language::Zh);
    let id = a.summary.id;
    app.edit(&id, &json!({"chief_complaint": "腹泻3天"}))
        .unwrap();
    app.edit(&id, &json!({"chief_complaint": "腹泻5天"}))
        .unwrap();
    let h = app.history(&id).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].fields, vec!["created"]);
    assert_eq!(h[1].fields, vec!["chief_complaint"]);
    assert_eq!(h[1].author, "王老师");
    let old = app.at(&id, &h[1].hash).unwrap();
    assert_eq!(old.fields["chief_complaint"], "腹泻3天");
    assert!(old.read_only.is_some());
    let by_index = app.at(&id, "2").unwrap();
    assert_eq!(by_index.fields, old.fields);
    assert_eq!(app.get(&id).unwrap().fields["chief_complaint"], "腹泻5天");
    let e = app.at(&id, "99").unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
}

#[test]
fn share_makes_a_document_visible_to_the_office() {
    let (app, _d) = app();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "x", Language::Zh);
    assert_eq!(a.summary.visibility, "private");
    let s = app.share(&a.summary.id, false).unwrap();
    assert_eq!(s.visibility, "office");
    assert_eq!(s.id, a.summary.id, "a lesson plan is shared as it is");
    assert_eq!(
        app.history(&a.summary.id).unwrap()[1].fields,
        vec!["visibility"]
    );
}

#[test]
fn sync_status_before_joining() {
    let (app, _d) = app();
    let s = app.sync_status().unwrap();
    assert_eq!(s.state, SyncState::NotJoined);
    let j = serde_json::to_value(&s).unwrap();
    assert_eq!(j["state"], "not_joined");
    let e = app.join("", "abc", "", None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("url"));
    let e = app.join("http://127.0.0.1:9", "", "", None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("code"));
    let e = app.join("ftp://x", "abc", "", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    // Nothing listens on port 9 (discard): the office cannot be reached.
    let e = app.join("http://127.0.0.1:9", "abc", "", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline);
}

#[test]
fn data_persists_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let app = App::open(dir.path()).unwrap();
        app.set_name("李老师").unwrap();
        let a = new_doc(&app, DocKind::LESSON_PLAN, "川崎病", Language::Zh);
        app.edit(&a.summary.id, &json!({"course": "儿科学"}))
            .unwrap();
        a.summary.id
    };
    let app = App::open(dir.path()).unwrap();
    assert_eq!(app.get(&id).unwrap().fields["course"], "儿科学");
    assert_eq!(app.profile().name, "李老师");
}

/// The TypeScript in ui/src/generated is exported from the Rust types. This
/// test rewrites it and fails if it was stale, so CI catches a Rust change
/// whose TypeScript was not committed.
#[test]
fn typescript_bindings_are_current() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated");
    let tmp = tempfile::tempdir().unwrap();
    rounds_app::export_typescript(tmp.path()).unwrap();
    let mut stale = Vec::new();
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(tmp.path()).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        let new = std::fs::read_to_string(e.path()).unwrap();
        let old = std::fs::read_to_string(out.join(&name)).unwrap_or_default();
        if old != new {
            std::fs::write(out.join(&name), new).unwrap();
            stale.push(name.to_string_lossy().into_owned());
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/generated was stale and has been rewritten ({stale:?}); commit it"
    );
}

/// A valid resident ID (its check character is right) and a mobile number,
/// typed into a case: the editor sees them with their places; masking one
/// by reference and then the rest clears them; sharing is refused until
/// then and without the attestation; the office gets a new document.
#[test]
fn case_findings_masking_and_attested_sharing() {
    let (app, _d) = app();
    let case = new_doc(&app, DocKind::CASE, "发热3天", Language::Zh);
    let id = case.summary.id.clone();
    assert!(case.findings.is_empty());
    let illness = "患儿身份证110105201803071237，家长电话13912345678，发热3天，体温39.2℃。";
    let v = app
        .edit(
            &id,
            &json!({
                "present_illness": illness,
                "questions": [{"question": "下一步？", "answer": "联系家长13812345678"}],
            }),
        )
        .unwrap();
    let kinds: Vec<&str> = v.findings.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["resident_id", "phone", "phone"],
        "{:#?}",
        v.findings
    );
    assert!(v.findings.iter().all(|f| f.blocking));
    let rid = &v.findings[0];
    assert_eq!(rid.field, "present_illness");
    assert_eq!(rid.text, "110105201803071237");
    // Offsets count UTF-16 units, as the UI's strings do: 5 Chinese
    // characters come before the number.
    let utf16: Vec<u16> = illness.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&utf16[rid.start as usize..rid.end as usize]).unwrap(),
        rid.text
    );
    assert_eq!(rid.start, 5);
    assert!(!rid.reason.zh.is_empty() && !rid.reason.en.is_empty());
    let in_row = &v.findings[2];
    assert_eq!(in_row.field, "questions");
    assert_eq!(in_row.sub_field.as_deref(), Some("answer"));
    assert_eq!(
        in_row.row.as_deref(),
        v.fields["questions"][0]["id"].as_str()
    );

    // Lesson plans are not checked.
    let plan = new_doc(&app, DocKind::LESSON_PLAN, "13912345678", Language::Zh);
    assert!(plan.findings.is_empty());

    let e = app.share(&id, true).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("findings"), "{e:?}");

    // A reference to text that is no longer there changes nothing.
    let stale = FindingRef {
        path: "present_illness".into(),
        start: 0,
        text: "13900000000".into(),
    };
    let e = app.mask(&id, Some(&[stale])).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(app.get(&id).unwrap().findings.len(), 3);

    let one = FindingRef {
        path: rid.path.clone(),
        start: rid.start,
        text: rid.text.clone(),
    };
    let v = app.mask(&id, Some(&[one])).unwrap();
    assert_eq!(v.findings.len(), 2);
    let text = v.fields["present_illness"].as_str().unwrap();
    assert!(
        !text.contains("110105201803071237") && text.contains("13912345678"),
        "{text}"
    );
    let v = app.mask(&id, None).unwrap();
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert!(
        v.fields["present_illness"]
            .as_str()
            .unwrap()
            .contains("[电话]")
    );
    assert!(
        v.fields["questions"][0]["answer"]
            .as_str()
            .unwrap()
            .contains("[电话]")
    );

    let e = app.share(&id, false).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("attestation"));
    assert_eq!(app.get(&id).unwrap().summary.visibility, "private");

    let shared = app.share(&id, true).unwrap();
    assert_ne!(shared.id, id, "the office gets a new document");
    assert_eq!(shared.visibility, "office");
    let copy = app.get(&shared.id).unwrap();
    assert_eq!(
        copy.fields["attestation"]["by"], "王老师",
        "{}",
        copy.fields["attestation"]
    );
    assert!(
        copy.fields["present_illness"]
            .as_str()
            .unwrap()
            .contains("[电话]")
    );
    // No version of the copy holds what was masked: its history starts
    // from the checked text.
    for h in app.history(&shared.id).unwrap() {
        let at = app.at(&shared.id, &h.hash).unwrap().fields.to_string();
        assert!(
            !at.contains("110105201803071237") && !at.contains("13912345678"),
            "{at}"
        );
    }
    assert!(
        app.get(&id).unwrap().summary.deleted,
        "the private original is in the trash"
    );
}

/// A document of a kind this version does not know (made by a newer
/// Rounds, arriving by sync) is listed apart, with its stored kind name,
/// and never among the documents the library opens.
#[test]
fn documents_of_a_newer_kind_are_listed_apart() {
    use automerge::transaction::Transactable;
    let (app, dir) = app();
    assert!(app.carried().unwrap().is_empty());
    let mut d = rounds_testkit::doc::doc(
        "0193a5b0-0000-7000-8000-0000000000e1",
        DocKind::LESSON_PLAN,
        "单选题：新生儿黄疸的光疗指征",
    )
    .owner("u-colleague")
    .author("郑老师")
    .actor(rounds_testkit::doc::actor(5))
    .ids("q")
    .create();
    let am = d.automerge_mut();
    am.put(automerge::ROOT, "kind", "question_item").unwrap();
    am.put(automerge::ROOT, "visibility", "office").unwrap();
    am.commit();
    // The sync worker's connection applies the page.
    let mut worker = rounds_store::Store::open_dir(dir.path()).unwrap();
    worker
        .apply_page(
            &rounds_core::sync::PageUpdate {
                acked: vec![],
                rejected: vec![],
                items: vec![rounds_proto::Item::Snapshot {
                    doc: rounds_proto::doc_id_from_str(d.id()).unwrap(),
                    bytes: d.save(),
                }],
                cursor: vec![1],
                ..Default::default()
            },
            1,
        )
        .unwrap();
    let carried = app.carried().unwrap();
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].kind, "question_item");
    assert_eq!(carried[0].title, "单选题：新生儿黄疸的光疗指征");
    assert!(!carried[0].mine);
    assert_eq!(carried[0].visibility, "office");
    let listed = app.list(&ListQuery::default()).unwrap();
    assert!(listed.iter().all(|s| s.id != carried[0].id));
}
