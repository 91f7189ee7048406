//! A row removed by a colleague while this device edited it: found after
//! the merge (and only then), and restored with the edit in it.

use automerge::ActorId;
use rounds_core::doc::{Document, EditCtx, NewDoc, SeqIds};
use rounds_core::schema::{DocKind, Lang};
use serde_json::{Value, json};

const ID: &str = "0193a5b0-0000-7000-8000-00000000c0de";

fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

fn edit(doc: &mut Document, who: &str, t: i64, patch: Value) {
    let mut ids = SeqIds::new(who);
    let mut ctx = EditCtx {
        now_ms: t,
        author: who,
        ids: &mut ids,
    };
    doc.apply_patch(&patch, &mut ctx).unwrap();
}

/// A plan with two objectives, and a copy of it on two more devices.
fn three() -> (Document, Document, Document) {
    let mut ids = SeqIds::new("o");
    let new = NewDoc {
        id: ID.into(),
        kind: DocKind::LESSON_PLAN,
        title: "小儿脱水的评估与补液".into(),
        language: Lang::Zh,
        owner: "u1".into(),
    };
    let mut base = Document::create(
        &new,
        actor(1),
        &mut EditCtx {
            now_ms: 1,
            author: "主备人",
            ids: &mut ids,
        },
        Some(&json!({"objectives": [
            {"text": "说出脱水程度的临床分度"},
            {"text": "制定首日补液方案"}
        ]})),
    )
    .unwrap();
    let mut copy = |n: u8| {
        let mut d = Document::load(&base.save()).unwrap();
        d.set_actor(actor(n));
        d
    };
    let (a, b) = (copy(2), copy(3));
    (base, a, b)
}

fn rows(doc: &Document) -> Vec<(String, String)> {
    doc.to_json()["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Merges `from` into `into` the way a sync does, and returns what the
/// check finds for `into`'s actor.
fn merge_and_check(
    into: &mut Document,
    from: &mut Document,
) -> Vec<rounds_core::removed::RemovedEdit> {
    let before = into.heads();
    let live = into.live_rows();
    into.merge_bytes(&from.save()).unwrap();
    let me = into.automerge().get_actor().clone();
    into.removed_while_edited(&before, &live, &me)
}

#[test]
fn an_edit_to_a_row_a_colleague_removed_is_found_and_restored() {
    let (_, mut a, mut b) = three();
    let r = rows(&b);
    // B rewrites the second objective; A, not having seen it, removes it.
    edit(
        &mut b,
        "李老师",
        10,
        json!({"objectives": [{"id": r[0].0}, {"id": r[1].0, "text": "制定首日补液方案，并说明含钠液的选择"}]}),
    );
    edit(
        &mut a,
        "王老师",
        11,
        json!({"objectives": [{"id": r[0].0}]}),
    );
    let found = merge_and_check(&mut b, &mut a);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "objectives");
    assert_eq!(found[0].row, r[1].0);
    assert!(found[0].text.contains("含钠液的选择"), "{found:?}");
    // The merge rule stands: the row is gone from view...
    assert_eq!(rows(&b).len(), 1);
    // ...and restoring brings it back, in its place, with B's text.
    let mut ids = SeqIds::new("r");
    let mut ctx = EditCtx {
        now_ms: 12,
        author: "李老师",
        ids: &mut ids,
    };
    assert!(
        b.restore_row("objectives", &r[1].0, &mut ctx)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        rows(&b),
        vec![
            r[0].clone(),
            (
                r[1].0.clone(),
                "制定首日补液方案，并说明含钠液的选择".into()
            )
        ]
    );
    // Restoring twice changes nothing; an unknown row is refused.
    assert!(
        b.restore_row("objectives", &r[1].0, &mut ctx)
            .unwrap()
            .is_none()
    );
    assert!(
        b.restore_row("objectives", "no-such-row", &mut ctx)
            .is_err()
    );
    // A gets the restored row when they merge.
    a.merge_bytes(&b.save()).unwrap();
    assert_eq!(rows(&a).len(), 2);
}

#[test]
fn no_notice_when_nothing_of_ours_was_lost() {
    // A row we never touched.
    let (_, mut a, mut b) = three();
    let r = rows(&b);
    edit(
        &mut a,
        "王老师",
        11,
        json!({"objectives": [{"id": r[0].0}]}),
    );
    assert!(merge_and_check(&mut b, &mut a).is_empty());

    // Our edit went to another row.
    let (_, mut a, mut b) = three();
    edit(
        &mut b,
        "李老师",
        10,
        json!({"objectives": [{"id": r[0].0, "text": "按体重百分比说出脱水分度"}, {"id": r[1].0}]}),
    );
    edit(
        &mut a,
        "王老师",
        11,
        json!({"objectives": [{"id": r[0].0}]}),
    );
    assert!(merge_and_check(&mut b, &mut a).is_empty());

    // The colleague had seen our edit and removed the row anyway: a
    // decision, not a lost edit.
    let (_, mut a, mut b) = three();
    edit(
        &mut b,
        "李老师",
        10,
        json!({"objectives": [{"id": r[0].0}, {"id": r[1].0, "text": "补液方案另行讨论"}]}),
    );
    a.merge_bytes(&b.save()).unwrap();
    edit(
        &mut a,
        "王老师",
        11,
        json!({"objectives": [{"id": r[0].0}]}),
    );
    assert!(merge_and_check(&mut b, &mut a).is_empty());
    assert_eq!(rows(&b).len(), 1);

    // The one who removed the row gets no notice for the colleague's edit.
    let (_, mut a, mut b) = three();
    edit(
        &mut b,
        "李老师",
        10,
        json!({"objectives": [{"id": r[0].0}, {"id": r[1].0, "text": "改写"}]}),
    );
    edit(
        &mut a,
        "王老师",
        11,
        json!({"objectives": [{"id": r[0].0}]}),
    );
    assert!(merge_and_check(&mut a, &mut b).is_empty());
}
