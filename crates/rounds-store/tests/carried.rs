//! Documents of a kind this version does not know, made by a newer Rounds:
//! carried, listed, kept in sync, never a reason for a page to fail, and
//! opened as usual once the store knows their kind.

use automerge::ROOT;
use automerge::transaction::Transactable;
use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::DocKind;
use rounds_core::sync::PageUpdate;
use rounds_core::testing::{actor, ctx, doc};
use rounds_proto::{DocChanges, Item, doc_id_from_str};
use rounds_store::{Filter, Store, StoreError};
use serde_json::json;

const A: &str = "0193a5b0-0000-7000-8000-00000000000a";
const Q: &str = "0193a5b0-0000-7000-8000-00000000000e";
const B: &str = "0193a5b0-0000-7000-8000-00000000000b";

fn plan(id: &str, title: &str) -> Document {
    doc(id, DocKind::LESSON_PLAN, title)
        .owner("u9")
        .author("office")
        .actor(actor(9))
        .ids(id)
        .create()
}

/// A document as a newer Rounds would write it: a kind this version has
/// never heard of, with fields of its own.
fn newer_kind(id: &str) -> Document {
    let mut d = plan(id, "单选题：小儿腹泻脱水程度判断");
    let am = d.automerge_mut();
    am.put(ROOT, "kind", "question_item").unwrap();
    am.put(ROOT, "schema", 3u64).unwrap();
    am.put(ROOT, "stem_future_field", "患儿呕吐腹泻2天……")
        .unwrap();
    am.commit();
    d
}

fn snapshot(d: &mut Document) -> Item {
    Item::Snapshot {
        doc: doc_id_from_str(d.id()).unwrap(),
        bytes: d.save(),
    }
}

fn page(items: Vec<Item>, cursor: u8) -> PageUpdate {
    PageUpdate {
        acked: vec![],
        rejected: vec![],
        items,
        cursor: vec![cursor],
        restarted: false,
        pushed_heads: Default::default(),
    }
}

#[test]
fn a_page_with_an_unknown_kind_between_known_ones_applies_whole() {
    let mut store = Store::open_in_memory().unwrap();
    let (mut a, mut q, mut b) = (plan(A, "热性惊厥"), newer_kind(Q), plan(B, "支气管肺炎"));
    store
        .apply_page(
            &page(
                vec![snapshot(&mut a), snapshot(&mut q), snapshot(&mut b)],
                1,
            ),
            5,
        )
        .unwrap();
    assert_eq!(store.sync_cursor().unwrap(), vec![1]);
    let listed: Vec<String> = store
        .list(&Filter::default())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&A.to_owned()) && listed.contains(&B.to_owned()));
    let carried = store.carried().unwrap();
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].id, Q);
    assert_eq!(carried[0].kind, "question_item");
    assert_eq!(carried[0].schema, 3);
    assert_eq!(carried[0].title, "单选题：小儿腹泻脱水程度判断");
    // It cannot be opened here, and says why.
    match store.load(Q) {
        Err(e @ StoreError::NewerKind { .. }) => {
            assert!(e.to_string().contains("newer version of Rounds"), "{e}")
        }
        other => panic!("expected NewerKind, got {other:?}"),
    }
    // Nor edited.
    assert!(store.edit(Q, &json!({"title": "x"})).is_err());
    // Nothing of it is pushed.
    assert!(store.outgoing().unwrap().is_empty());

    // The newer device keeps working on it; its changes arrive and merge.
    let before = q.heads();
    q.automerge_mut()
        .put(ROOT, "stem_future_field", "患儿呕吐腹泻3天，尿量减少")
        .unwrap();
    q.automerge_mut().commit();
    let changes: Vec<Vec<u8>> = q
        .automerge_mut()
        .get_changes(&before)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let item = Item::Changes(DocChanges {
        doc: doc_id_from_str(Q).unwrap(),
        changes,
    });
    store.apply_page(&page(vec![item], 2), 6).unwrap();
    assert_eq!(store.sync_cursor().unwrap(), vec![2]);
    let mut stored = automerge::AutoCommit::load(&store.raw_bytes(Q).unwrap()).unwrap();
    assert_eq!(stored.get_heads(), q.heads());
}

#[test]
fn a_backup_with_a_newer_kind_restores_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let (mut a, mut q) = (plan(A, "热性惊厥"), newer_kind(Q));
    store
        .apply_page(&page(vec![snapshot(&mut a), snapshot(&mut q)], 1), 5)
        .unwrap();
    let backup = dir.path().join("lib.rounds-backup");
    store.backup(&backup).unwrap();
    let mut other = Store::open(&dir.path().join("b.sqlite3")).unwrap();
    assert_eq!(other.restore_backup(&backup).unwrap(), (2, 0));
    assert_eq!(other.carried().unwrap().len(), 1);
    let mut restored = automerge::AutoCommit::load(&other.raw_bytes(Q).unwrap()).unwrap();
    assert_eq!(restored.get_heads(), q.heads());
    // Restoring again merges and changes nothing.
    assert_eq!(other.restore_backup(&backup).unwrap(), (0, 2));
    assert_eq!(other.carried().unwrap().len(), 1);
}

#[test]
fn once_rounds_knows_the_kind_a_carried_document_opens_with_nothing_lost() {
    // What a device that did not know lesson plans would have stored for
    // one: its bytes and a carried row, no projections. Opening the store
    // with this version, which knows the kind, must open it as usual.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let mut p = plan(A, "新生儿黄疸的光疗指征");
    let mut ids = SeqIds::new("x");
    p.apply_patch(
        &json!({"methods": "病例讨论"}),
        &mut ctx("office", &mut ids, 1_700_000_100_000),
    )
    .unwrap();
    let bytes = p.save();
    {
        let store = Store::open(&path).unwrap();
        let c = store.connection();
        c.execute(
            "INSERT INTO documents (id, snapshot) VALUES (?1, ?2)",
            rusqlite::params![A, bytes],
        )
        .unwrap();
        let doc: i64 = c.last_insert_rowid();
        c.execute(
            "INSERT INTO carried (doc, id, kind, schema, title, owner, visibility, updated)
             VALUES (?1, ?2, 'lesson_plan', 1, '新生儿黄疸的光疗指征', 'u9', 'office', 0)",
            rusqlite::params![doc, A],
        )
        .unwrap();
        c.execute(
            "INSERT INTO sync_docs (doc, office_heads, pending) VALUES (?1, ?2, 0)",
            rusqlite::params![doc, rounds_core::sync::heads_to_bytes(&p.heads())],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert!(store.carried().unwrap().is_empty());
    let listed = store.list(&Filter::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].title, "新生儿黄疸的光疗指征");
    let doc = store.load(A).unwrap();
    assert_eq!(doc.to_json()["methods"], "病例讨论");
    assert_eq!(store.search("光疗", &Filter::default()).unwrap().len(), 1);
    // The office already has all of it: nothing to push.
    let mut store = store;
    assert!(store.outgoing().unwrap().is_empty());
}

#[test]
fn bytes_that_are_not_a_rounds_document_still_fail_the_page() {
    let mut store = Store::open_in_memory().unwrap();
    let mut a = plan(A, "热性惊厥");
    let mut junk = automerge::AutoCommit::new();
    junk.put(ROOT, "hello", "world").unwrap();
    junk.commit();
    let bad = Item::Snapshot {
        doc: doc_id_from_str(Q).unwrap(),
        bytes: junk.save(),
    };
    assert!(
        store
            .apply_page(&page(vec![snapshot(&mut a), bad], 1), 5)
            .is_err()
    );
    // Nothing of the page was applied.
    assert!(store.list(&Filter::default()).unwrap().is_empty());
    assert!(store.sync_cursor().unwrap().is_empty());
}
