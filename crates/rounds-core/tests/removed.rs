//! A row removed by a colleague while this device edited it: found after
//! the merge (and only then), and restored with the edit in it.

use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::DocKind;
use rounds_core::testing::{ctx, doc, fork};
use serde_json::{Value, json};

const ID: &str = "0193a5b0-0000-7000-8000-00000000c0de";

fn edit(doc: &mut Document, who: &str, t: i64, patch: Value) {
    let mut ids = SeqIds::new(who);
    doc.apply_patch(&patch, &mut ctx(who, &mut ids, t)).unwrap();
}

/// A plan with two objectives, and a copy of it on two more devices.
fn three() -> (Document, Document, Document) {
    let mut base = doc(ID, DocKind::LESSON_PLAN, "小儿脱水的评估与补液")
        .author("主备人")
        .at(1)
        .ids("o")
        .fields(json!({"objectives": [
            {"text": "说出脱水程度的临床分度"},
            {"text": "制定首日补液方案"}
        ]}))
        .create();
    let (a, b) = (fork(&mut base, 2), fork(&mut base, 3));
    (base, a, b)
}

/// 李老师 rewrites the objectives on `b`: `texts[i]` into row `i`, a row
/// given `None` left as it is.
fn rewrites(b: &mut Document, texts: [Option<&str>; 2]) {
    let rows: Vec<Value> = rows(b)
        .iter()
        .zip(texts)
        .map(|((id, _), text)| match text {
            Some(t) => json!({"id": id, "text": t}),
            None => json!({"id": id}),
        })
        .collect();
    edit(b, "李老师", 10, json!({ "objectives": rows }));
}

/// 王老师 removes the second objective on `a`.
fn removes_the_second(a: &mut Document) {
    let first = rows(a)[0].0.clone();
    edit(a, "王老师", 11, json!({"objectives": [{"id": first}]}));
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
    rewrites(&mut b, [None, Some("制定首日补液方案，并说明含钠液的选择")]);
    removes_the_second(&mut a);
    let found = merge_and_check(&mut b, &mut a);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "objectives");
    assert_eq!(found[0].row, r[1].0);
    assert!(found[0].text.contains("含钠液的选择"), "{found:?}");
    // The merge rule stands: the row is gone from view...
    assert_eq!(rows(&b).len(), 1);
    // ...and restoring brings it back, in its place, with B's text.
    let mut ids = SeqIds::new("r");
    let mut ctx = ctx("李老师", &mut ids, 12);
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
    removes_the_second(&mut a);
    assert!(merge_and_check(&mut b, &mut a).is_empty());

    // Our edit went to another row.
    let (_, mut a, mut b) = three();
    rewrites(&mut b, [Some("按体重百分比说出脱水分度"), None]);
    removes_the_second(&mut a);
    assert!(merge_and_check(&mut b, &mut a).is_empty());

    // The colleague had seen our edit and removed the row anyway: a
    // decision, not a lost edit.
    let (_, mut a, mut b) = three();
    rewrites(&mut b, [None, Some("补液方案另行讨论")]);
    a.merge_bytes(&b.save()).unwrap();
    removes_the_second(&mut a);
    assert!(merge_and_check(&mut b, &mut a).is_empty());
    assert_eq!(rows(&b).len(), 1);

    // The one who removed the row gets no notice for the colleague's edit.
    let (_, mut a, mut b) = three();
    rewrites(&mut b, [None, Some("改写")]);
    removes_the_second(&mut a);
    assert!(merge_and_check(&mut a, &mut b).is_empty());
}
