//! Two connections on one database, as in the desktop app: the editor's
//! saves and the sync worker's pages race, with compactions on both sides.
//! Nothing either of them wrote may be lost.

use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::{DocKind, Lang};
use rounds_core::sync::PageUpdate;
use rounds_core::testing::{actor, ctx};
use rounds_proto::{DocChanges, Item, doc_id_from_str};
use rounds_store::Store;
use serde_json::json;

const ROUNDS: usize = 120;

fn methods(doc: &Document) -> String {
    doc.to_json()["methods"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_editor_and_a_sync_worker_on_one_database_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let mut editor = Store::open(&path).unwrap();
    let id = editor
        .create(DocKind::LESSON_PLAN, "新生儿黄疸", Lang::Zh, None)
        .unwrap()
        .id;
    // A colleague's replica, whose changes reach this device through the
    // sync worker's pages.
    let mut colleague = Document::load(&editor.raw_bytes(&id).unwrap()).unwrap();
    colleague.set_actor(actor(9));
    let mut worker = Store::open(&path).unwrap();
    let doc_id = doc_id_from_str(&id).unwrap();

    let sync = std::thread::spawn(move || {
        let mut ids = SeqIds::new("c");
        for j in 0..ROUNDS {
            // The colleague writes at the start of the field and in another.
            let text = format!("B{j};{}", methods(&colleague));
            let aids = format!(
                "{}b{j};",
                colleague.to_json()["aids"].as_str().unwrap_or_default()
            );
            colleague
                .apply_patch(
                    &json!({ "methods": text, "aids": aids }),
                    &mut ctx("参与人", &mut ids, 1_000 + j as i64),
                )
                .unwrap();
            let change = colleague
                .automerge_mut()
                .get_last_local_change()
                .unwrap()
                .raw_bytes()
                .to_vec();
            let page = PageUpdate {
                acked: vec![],
                rejected: vec![],
                items: vec![Item::Changes(DocChanges {
                    doc: doc_id,
                    changes: vec![change],
                })],
                cursor: (j as u32).to_be_bytes().to_vec(),
                restarted: false,
                pushed_heads: Default::default(),
            };
            worker.apply_page(&page, 1_000 + j as i64).unwrap();
        }
        worker.stats().compactions
    });

    // The editor saves what it shows: its value is the field as it last
    // loaded it plus what the teacher typed since, based on the heads it
    // loaded; it reloads only every few saves, as an open editor does when
    // a change arrives.
    let mut shown = editor.load(&id).unwrap();
    let mut base = shown.heads();
    let mut value = methods(&shown);
    for i in 0..ROUNDS {
        value.push_str(&format!("A{i};"));
        // The document as saved (what the app shows next) holds the save
        // and everything the database held, whatever the worker did: the
        // save is made on the editor's base, so a colleague's change merged
        // since stays a head beside it.
        let (_, (hash, mut saved)) = editor
            .edit_at_saved(&id, &json!({ "methods": value }), &base)
            .unwrap();
        assert!(saved.heads().contains(&hash.unwrap()));
        assert!(methods(&saved).contains(&format!("A{i};")));
        if i % 4 == 3 {
            shown = if i % 8 == 3 {
                saved
            } else {
                editor.load(&id).unwrap()
            };
            base = shown.heads();
            value = methods(&shown);
        }
    }
    let worker_compactions = sync.join().unwrap();

    let end = editor.load(&id).unwrap();
    let text = methods(&end);
    let aids = end.to_json()["aids"].as_str().unwrap().to_owned();
    let lost_a: Vec<usize> = (0..ROUNDS)
        .filter(|i| !text.contains(&format!("A{i};")))
        .collect();
    let lost_b: Vec<usize> = (0..ROUNDS)
        .filter(|j| !text.contains(&format!("B{j};")) || !aids.contains(&format!("b{j};")))
        .collect();
    assert!(lost_a.is_empty(), "the editor's saves {lost_a:?} were lost");
    assert!(
        lost_b.is_empty(),
        "the colleague's changes {lost_b:?} were lost"
    );
    // Both connections compacted along the way, which is where stale bytes
    // used to overwrite the other's chunks.
    assert!(editor.stats().compactions > 0);
    assert!(worker_compactions > 0);
    // The projection agrees with the bytes.
    let hits = editor
        .search(&format!("A{}", ROUNDS - 1), &Default::default())
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(editor.integrity_check().unwrap(), "ok");
}

/// The editor shows a shared case at its own last save; the sync worker
/// folds the unpushed saves into one change before pushing (the squash
/// that keeps removed text from the office), and a colleague's text
/// arrives. The editor's next save, based on a change that no longer
/// exists, must still keep the colleague's text.
#[test]
fn a_save_based_on_a_squashed_version_keeps_a_colleagues_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let mut editor = Store::open(&path).unwrap();
    editor.set_user_name("王老师").unwrap();
    let private = editor
        .create(
            DocKind::CASE,
            "川崎病",
            Lang::Zh,
            Some(&json!({"present_illness": "发热5天。"})),
        )
        .unwrap();
    let id = editor.share(&private.id, true).unwrap().id;
    // The colleague has the case as the office got it.
    let mut colleague = Document::load(&editor.raw_bytes(&id).unwrap()).unwrap();
    colleague.set_actor(actor(7));

    // Two saves, each based on the last: the editor shows the second.
    let mut base = editor.load(&id).unwrap().heads();
    let mut text = "发热5天。".to_owned();
    for add in ["皮疹。", "结膜充血。"] {
        text.push_str(add);
        let (_, h) = editor
            .edit_at(&id, &json!({ "present_illness": text }), &base)
            .unwrap();
        base = vec![h.unwrap()];
    }
    let shown = base.clone();

    // The worker's sync: the squash, then the colleague's change.
    let mut worker = Store::open(&path).unwrap();
    let out = worker.outgoing().unwrap();
    assert_eq!(out.len(), 1);
    assert!(
        editor
            .load(&id)
            .unwrap()
            .automerge_mut()
            .get_change_by_hash(&shown[0])
            .is_none(),
        "the saves were folded into one change"
    );
    let mut ids = SeqIds::new("c");
    colleague
        .apply_patch(
            &json!({"present_illness": "【李】发热5天。"}),
            &mut ctx("李老师", &mut ids, 2_000),
        )
        .unwrap();
    let change = colleague
        .automerge_mut()
        .get_last_local_change()
        .unwrap()
        .raw_bytes()
        .to_vec();
    let page = PageUpdate {
        acked: vec![],
        rejected: vec![],
        items: vec![Item::Changes(DocChanges {
            doc: doc_id_from_str(&id).unwrap(),
            changes: vec![change],
        })],
        cursor: vec![1],
        restarted: false,
        pushed_heads: Default::default(),
    };
    worker.apply_page(&page, 2_000).unwrap();

    // The teacher types on, in the field as the editor shows it.
    text.push_str("口唇皲裂。");
    editor
        .edit_at(&id, &json!({ "present_illness": text }), &shown)
        .unwrap();
    let end = editor.load(&id).unwrap().to_json()["present_illness"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(end, "【李】发热5天。皮疹。结膜充血。口唇皲裂。");
}

/// A teacher typing saves the same document every pause: the store keeps
/// the document it last wrote and edits it again without loading it, but
/// only while the database holds exactly what it wrote. A write by
/// another connection (the sync worker merging a colleague's text) or a
/// refused edit makes it load the document again, so nothing is lost.
#[test]
fn the_next_edit_reuses_the_document_until_another_connection_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let mut editor = Store::open(&path).unwrap();
    let id = editor
        .create(DocKind::LESSON_PLAN, "新生儿黄疸", Lang::Zh, None)
        .unwrap()
        .id;
    let loaded = |s: &Store| s.stats().docs_loaded;

    editor.edit(&id, &json!({ "methods": "一" })).unwrap();
    let after_first = loaded(&editor);
    editor.edit(&id, &json!({ "methods": "一二" })).unwrap();
    editor.edit(&id, &json!({ "methods": "一二三" })).unwrap();
    assert_eq!(loaded(&editor), after_first, "the kept document was edited");

    // Another connection writes the same document.
    let mut worker = Store::open(&path).unwrap();
    worker.edit(&id, &json!({ "aids": "同事的教具" })).unwrap();
    editor.edit(&id, &json!({ "methods": "一二三四" })).unwrap();
    assert_eq!(
        loaded(&editor),
        after_first + 1,
        "loaded again after the other write"
    );
    let j = editor.load(&id).unwrap().to_json();
    assert_eq!(j["methods"], "一二三四");
    assert_eq!(
        j["aids"], "同事的教具",
        "the other connection's text is kept"
    );

    // A refused edit keeps nothing: the next one loads again.
    let before = loaded(&editor);
    assert!(
        editor
            .edit(&id, &json!({ "status": "不存在的状态" }))
            .is_err()
    );
    editor.edit(&id, &json!({ "methods": "五" })).unwrap();
    assert!(loaded(&editor) > before);
    let j = editor.load(&id).unwrap().to_json();
    assert_eq!(j["methods"], "五");
    assert_eq!(j["aids"], "同事的教具");
    assert_ne!(j["status"], "不存在的状态");

    // Another document is loaded, and the first one is no longer kept.
    let other = editor
        .create(DocKind::CASE, "发热3天", Lang::Zh, None)
        .unwrap()
        .id;
    let before = loaded(&editor);
    editor
        .edit(&other, &json!({ "chief_complaint": "发热" }))
        .unwrap();
    editor.edit(&id, &json!({ "methods": "六" })).unwrap();
    assert_eq!(loaded(&editor), before + 2);
}
