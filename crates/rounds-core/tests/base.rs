//! Saves based on the version an editor showed (`apply_patch_at`) and the
//! caret mapped through what merged since (`map_text_position`): a
//! colleague's concurrent text survives whatever the editor held.

use automerge::ChangeHash;
use proptest::prelude::*;
use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::DocKind;
use rounds_core::testing::{actor, ctx, doc, fork};
use serde_json::json;

const ID: &str = "0193a5b0-0000-7000-8000-0000000000b1";

fn plan(methods: &str) -> Document {
    let mut d = doc(ID, DocKind::LESSON_PLAN, "小儿腹泻")
        .author("主备人")
        .at(1_000)
        .ids("a")
        .fields(json!({ "methods": methods }))
        .create();
    d.set_actor(actor(1));
    d
}

fn text(doc: &Document, key: &str) -> String {
    doc.to_json()[key].as_str().unwrap().to_owned()
}

fn insert(s: &str, at: usize, what: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let at = at.min(c.len());
    c.splice(at..at, what.chars());
    c.into_iter().collect()
}

/// The editor's situation: it showed `methods` at `base`; meanwhile a
/// colleague's change arrived. Returns (document, base).
fn colleague_edited_meanwhile(
    start: &str,
    colleague_value: &str,
) -> (Document, Vec<ChangeHash>, Document) {
    let mut mine = plan(start);
    let base = mine.heads();
    let mut theirs = fork(&mut mine, 2);
    let mut ids = SeqIds::new("c");
    theirs
        .apply_patch(
            &json!({ "methods": colleague_value }),
            &mut ctx("参与人", &mut ids, 2_000),
        )
        .unwrap();
    mine.merge_bytes(&theirs.save()).unwrap();
    (mine, base, theirs)
}

#[test]
fn a_save_from_a_stale_editor_keeps_the_colleagues_insertion() {
    let (mut mine, base, _) = colleague_edited_meanwhile("讲授。讨论。", "讲授。病例讨论。");
    // The editor still holds the text it showed, plus what this teacher typed.
    let mut ids = SeqIds::new("m");
    mine.apply_patch_at(
        &json!({ "methods": "讲授。讨论。总结。" }),
        &base,
        &mut ctx("主备人", &mut ids, 3_000),
    )
    .unwrap();
    assert_eq!(text(&mine, "methods"), "讲授。病例讨论。总结。");
}

#[test]
fn the_same_save_without_its_base_deletes_the_colleagues_insertion() {
    // What the editor did before saves carried their base: the diff against
    // the current text removes what the teacher never saw. This is the bug
    // `apply_patch_at` exists to prevent.
    let (mut mine, _, _) = colleague_edited_meanwhile("讲授。讨论。", "讲授。病例讨论。");
    let mut ids = SeqIds::new("m");
    mine.apply_patch(
        &json!({ "methods": "讲授。讨论。总结。" }),
        &mut ctx("主备人", &mut ids, 3_000),
    )
    .unwrap();
    assert_eq!(text(&mine, "methods"), "讲授。讨论。总结。");
}

#[test]
fn a_base_equal_to_the_current_heads_is_a_plain_edit() {
    let mut d = plan("问诊");
    let base = d.heads();
    let mut ids = SeqIds::new("m");
    let h = d
        .apply_patch_at(
            &json!({ "methods": "问诊与查体" }),
            &base,
            &mut ctx("主备人", &mut ids, 2_000),
        )
        .unwrap();
    assert!(h.is_some());
    assert_eq!(text(&d, "methods"), "问诊与查体");
    assert_eq!(d.heads(), vec![h.unwrap()]);
}

#[test]
fn a_base_no_longer_in_the_document_still_saves_what_was_typed() {
    // A shared case's unpushed history is folded into one change before a
    // push, so the version an editor showed can disappear; the save must
    // not be lost for it.
    let mut d = plan("问诊");
    let mut ids = SeqIds::new("m");
    let h = d
        .apply_patch_at(
            &json!({ "methods": "问诊与查体" }),
            &[ChangeHash([7; 32])],
            &mut ctx("主备人", &mut ids, 2_000),
        )
        .unwrap();
    assert!(h.is_some());
    assert_eq!(text(&d, "methods"), "问诊与查体");
}

#[test]
fn a_base_older_than_this_devices_own_last_save_still_saves() {
    // Two saves from one device, the second still based on the version
    // before the first (a second window): Automerge numbers an actor's
    // changes, so the edit must build on the device's own last change.
    let (mut mine, base, _) = colleague_edited_meanwhile("甲乙", "甲丙乙");
    let mut ids = SeqIds::new("m");
    mine.apply_patch_at(
        &json!({ "methods": "甲乙丁" }),
        &base,
        &mut ctx("主备人", &mut ids, 3_000),
    )
    .unwrap();
    mine.apply_patch_at(
        &json!({ "methods": "甲乙丁戊" }),
        &base,
        &mut ctx("主备人", &mut ids, 4_000),
    )
    .unwrap();
    let t = text(&mine, "methods");
    assert!(
        t.contains('丙') && t.contains('丁') && t.contains('戊'),
        "{t}"
    );
    // And the result loads again (no duplicate sequence numbers).
    let reloaded = Document::load(&mine.save()).unwrap();
    assert_eq!(text(&reloaded, "methods"), t);
}

#[test]
fn choices_and_rows_a_colleague_added_meanwhile_are_kept() {
    let mut mine = plan("");
    let base = mine.heads();
    let mut theirs = fork(&mut mine, 2);
    let mut ids = SeqIds::new("c");
    theirs
        .apply_patch(
            &json!({
                "session_type": "cbl",
                "objectives": [{"domain": "knowledge", "level": "master", "text": "掌握脱水程度的评估"}]
            }),
            &mut ctx("参与人", &mut ids, 2_000),
        )
        .unwrap();
    mine.merge_bytes(&theirs.save()).unwrap();
    // The stale editor sends the list as it saw it (empty) plus its own row.
    let mut ids = SeqIds::new("m");
    mine.apply_patch_at(
        &json!({
            "learner_level": "resident",
            "objectives": [{"domain": "skills", "level": "familiar", "text": "熟悉口服补液盐的配制"}]
        }),
        &base,
        &mut ctx("主备人", &mut ids, 3_000),
    )
    .unwrap();
    let j = mine.to_json();
    assert_eq!(j["session_type"], "cbl");
    assert_eq!(j["learner_level"], "resident");
    let rows: Vec<&str> = j["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.contains(&"掌握脱水程度的评估"));
    assert!(rows.contains(&"熟悉口服补液盐的配制"));
}

// ---- caret mapping ----------------------------------------------------------

/// The caret at `pos` of `start` (as the editor showed it), after a
/// colleague changed the text to `theirs`.
fn mapped(start: &str, theirs: &str, pos: usize) -> usize {
    let (mut mine, base, _) = colleague_edited_meanwhile(start, theirs);
    mine.map_text_position("methods", None, &base, pos).unwrap()
}

#[test]
fn an_insertion_before_the_caret_moves_it() {
    // Caret after "abc" in "abcdef"; "XY" inserted at 1.
    assert_eq!(mapped("abcdef", "aXYbcdef", 3), 5);
}

#[test]
fn an_insertion_after_the_caret_leaves_it() {
    assert_eq!(mapped("abcdef", "abcdeXYf", 3), 3);
}

#[test]
fn an_insertion_at_the_end_stays_after_a_caret_at_the_end() {
    assert_eq!(mapped("abc", "abcXY", 3), 3);
}

#[test]
fn a_caret_at_the_start_stays_there() {
    assert_eq!(mapped("abc", "XYabc", 0), 0);
}

#[test]
fn a_deletion_around_the_caret_collapses_onto_what_survives() {
    // Caret between "c" and "d"; "bcde" deleted: the caret lands between
    // "a" and "f".
    assert_eq!(mapped("abcdef", "af", 3), 1);
    // Caret at the end; the last three deleted.
    assert_eq!(mapped("abcdef", "abc", 6), 3);
    // Everything deleted.
    assert_eq!(mapped("abcdef", "", 4), 0);
}

#[test]
fn positions_count_characters_not_bytes() {
    assert_eq!(mapped("发热三天", "患儿发热三天", 2), 4);
}

#[test]
fn the_caret_in_a_list_row_is_mapped_too() {
    let mut mine = plan("");
    let mut ids = SeqIds::new("m");
    mine.apply_patch(
        &json!({"key_points": [{"text": "补液原则"}]}),
        &mut ctx("主备人", &mut ids, 2_000),
    )
    .unwrap();
    let row = mine.to_json()["key_points"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = mine.heads();
    let mut theirs = fork(&mut mine, 2);
    let mut ids = SeqIds::new("c");
    theirs
        .apply_patch(
            &json!({"key_points": [{"id": row, "text": "小儿补液原则"}]}),
            &mut ctx("参与人", &mut ids, 3_000),
        )
        .unwrap();
    mine.merge_bytes(&theirs.save()).unwrap();
    let p = mine
        .map_text_position("key_points", Some((&row, "text")), &base, 4)
        .unwrap();
    assert_eq!(p, 6);
    assert!(
        mine.map_text_position("key_points", Some(("nope", "text")), &base, 1)
            .is_err()
    );
}

// ---- property ---------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the colleague inserted and whatever the editor typed and
    /// deleted in the text it saw, both survive: removing the two markers
    /// leaves the starting text minus what the editor deleted.
    #[test]
    fn nothing_either_side_typed_is_lost(
        start in "[a-z一-龥]{0,40}",
        their_at in 0usize..50,
        my_at in 0usize..50,
        del in proptest::option::of((0usize..50, 0usize..8)),
    ) {
        let n = start.chars().count();
        let their_at = their_at.min(n);
        let theirs = insert(&start, their_at, "«T»");
        let (mut mine, base, _) = colleague_edited_meanwhile(&start, &theirs);

        // The editor's value: the text it saw, with a range deleted (not one
        // holding the colleague's insertion point strictly inside) and a
        // marker typed.
        let mut chars: Vec<char> = start.chars().collect();
        let mut expected = chars.clone();
        if let Some((d0, len)) = del {
            let d0 = d0.min(n);
            let d1 = (d0 + len).min(n);
            if !(d0 < their_at && their_at < d1) {
                chars.drain(d0..d1);
                expected.drain(d0..d1);
            }
        }
        let my_at = my_at.min(chars.len());
        let mut typed = chars.clone();
        typed.splice(my_at..my_at, "«M»".chars());
        let value: String = typed.into_iter().collect();

        let mut ids = SeqIds::new("m");
        mine.apply_patch_at(&json!({ "methods": value }), &base, &mut ctx("主备人", &mut ids, 3_000)).unwrap();
        let merged = text(&mine, "methods");
        prop_assert!(merged.contains("«T»"), "colleague's text lost: {merged}");
        prop_assert!(merged.contains("«M»"), "own text lost: {merged}");
        let rest = merged.replace("«T»", "").replace("«M»", "");
        prop_assert_eq!(rest, expected.into_iter().collect::<String>());
    }
}

/// The editor showed the document at its own last save; since then the
/// device merged a colleague's text and made another change of its own on
/// top (a comment), so a new change must build on that one. The editor's
/// value is rebased onto it: the colleague's text, merged under the
/// device's later change, is not taken for a deletion.
#[test]
fn a_save_based_before_this_devices_later_change_keeps_what_was_merged_under_it() {
    let mut mine = plan("讲授。");
    let mut theirs = fork(&mut mine, 2);
    let mut ids = SeqIds::new("m");
    // The editor saves and keeps showing the document at that save.
    mine.apply_patch(
        &json!({ "methods": "讲授。讨论。" }),
        &mut ctx("主备人", &mut ids, 2_000),
    )
    .unwrap();
    let shown = mine.heads();
    // A colleague's sentence arrives, and this device comments after it.
    let mut tids = SeqIds::new("t");
    theirs
        .apply_patch(
            &json!({ "methods": "病史采集。讲授。" }),
            &mut ctx("参与人", &mut tids, 2_100),
        )
        .unwrap();
    mine.merge_bytes(&theirs.save()).unwrap();
    mine.comment(
        &rounds_core::collab::Target::default(),
        "请补充补液量的计算",
        None,
        &[],
        &rounds_core::collab::Who::new("m-lead", "主备人"),
        &mut ctx("主备人", &mut ids, 2_200),
    )
    .unwrap();
    // The editor, still at `shown`, adds a closing sentence.
    mine.apply_patch_at(
        &json!({ "methods": "讲授。讨论。总结。" }),
        &shown,
        &mut ctx("主备人", &mut ids, 2_300),
    )
    .unwrap();
    let now = text(&mine, "methods");
    assert!(now.contains("病史采集。"), "the colleague's text: {now}");
    assert!(now.contains("总结。"), "the editor's text: {now}");
    assert_eq!(mine.collab().threads.len(), 1);
}
