//! A text field saved by splicing only what changed, and the document's
//! JSON kept between saves (`Document::json`): whatever the old and new
//! text, the document ends up holding the new text, a colleague's
//! concurrent edit among the characters both share survives, and nothing
//! kept is used once the document has moved on.

use proptest::prelude::*;
use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::DocKind;
use rounds_core::testing::{actor, ctx, doc, fork};
use serde_json::json;

const ID: &str = "0193a5b0-0000-7000-8000-0000000000c7";

fn plan(methods: &str) -> Document {
    let mut d = doc(ID, DocKind::LESSON_PLAN, "新生儿窒息复苏")
        .author("主备人")
        .at(1_000)
        .ids("a")
        .fields(json!({
            "methods": methods,
            "summary": "复苏流程回顾",
            // Rows, so the search text from the kept JSON walks a list too.
            "objectives": [
                {"domain": "knowledge", "level": "master", "text": "掌握复苏的初步步骤"},
                {"domain": "skills", "level": "familiar", "text": "熟悉正压通气的指征"}
            ]
        }))
        .create();
    d.set_actor(actor(1));
    d
}

fn methods(d: &Document) -> String {
    d.to_json()["methods"].as_str().unwrap().to_owned()
}

fn save(d: &mut Document, key: &str, value: &str, at: i64) {
    let mut ids = SeqIds::new("s");
    d.apply_patch(&json!({ key: value }), &mut ctx("主备人", &mut ids, at))
        .unwrap();
}

#[test]
fn a_colleagues_deletion_between_two_changed_places_stays_deleted() {
    // Two places change in one save (a replace-all); the text between
    // them is kept, not deleted and typed again, so a colleague who
    // deleted part of it concurrently still sees it deleted.
    let mut mine = plan("先评估呼吸，再评估心率，最后评估肤色。");
    let mut theirs = fork(&mut mine, 2);
    save(&mut theirs, "methods", "先评估呼吸，最后评估肤色。", 2_000);
    save(
        &mut mine,
        "methods",
        "先观察呼吸，再评估心率，最后观察肤色。",
        2_000,
    );
    mine.merge_bytes(&theirs.save()).unwrap();
    assert_eq!(methods(&mine), "先观察呼吸，最后观察肤色。");
}

#[test]
fn typing_beside_a_colleagues_insertion_keeps_both() {
    let mut mine = plan("清理气道。正压通气。");
    let mut theirs = fork(&mut mine, 2);
    save(
        &mut theirs,
        "methods",
        "清理气道。擦干保暖。正压通气。",
        2_000,
    );
    save(&mut mine, "methods", "清理气道。正压通气30秒。", 2_000);
    mine.merge_bytes(&theirs.save()).unwrap();
    assert_eq!(methods(&mine), "清理气道。擦干保暖。正压通气30秒。");
}

#[test]
fn the_kept_json_is_not_used_after_a_merge() {
    let mut mine = plan("初步复苏");
    // Kept at the current heads...
    assert_eq!(mine.json()["methods"], "初步复苏");
    // ...then a colleague's text arrives: the heads move, and the next
    // save diffs against the text as it is, not as it was kept.
    let mut theirs = fork(&mut mine, 2);
    save(&mut theirs, "methods", "初步复苏与评估", 2_000);
    mine.merge_bytes(&theirs.save()).unwrap();
    assert_eq!(mine.json()["methods"], "初步复苏与评估");
    save(&mut mine, "methods", "初步复苏与再评估", 3_000);
    assert_eq!(methods(&mine), "初步复苏与再评估");
    assert_eq!(mine.json(), mine.to_json());
}

/// Texts of characters that differ in width: ASCII, Chinese, an emoji
/// (outside the Basic Multilingual Plane), a combining accent, newlines.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just(' '),
            Just('\n'),
            Just('呼'),
            Just('吸'),
            Just('。'),
            Just('😀'),
            Just('\u{301}'),
        ],
        0..40,
    )
    .prop_map(|c| c.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any sequence of saves leaves exactly the text saved last, whether
    /// the save diffs against the kept JSON or reads the text again, and
    /// the search text from the kept JSON is the one read from Automerge.
    #[test]
    fn every_save_holds_exactly_the_new_text(
        start in text(),
        saves in proptest::collection::vec((text(), any::<bool>()), 1..6),
    ) {
        let mut d = plan(&start);
        for (i, (value, keep)) in saves.iter().enumerate() {
            if *keep {
                d.json();
            }
            save(&mut d, "methods", value, 2_000 + i as i64);
            prop_assert_eq!(methods(&d), value.clone());
            d.json();
            prop_assert_eq!(d.index_text(), d.search_text());
            prop_assert_eq!(d.json(), d.to_json());
        }
        // And the bytes say the same to anyone who loads them.
        let loaded = Document::load(&d.save()).unwrap();
        prop_assert_eq!(methods(&loaded), saves.last().unwrap().0.clone());
    }

    /// A colleague's insertion anywhere survives a concurrent save of
    /// any new text: it is merged into what this teacher saved.
    #[test]
    fn a_concurrent_insertion_survives_any_save(
        start in text(),
        mine_value in text(),
        at in 0usize..40,
    ) {
        let mut mine = plan(&start);
        let mut theirs = fork(&mut mine, 2);
        let mut c: Vec<char> = start.chars().collect();
        let at = at.min(c.len());
        c.insert(at, '¶');
        let theirs_value: String = c.into_iter().collect();
        save(&mut theirs, "methods", &theirs_value, 2_000);
        save(&mut mine, "methods", &mine_value, 2_000);
        mine.merge_bytes(&theirs.save()).unwrap();
        let merged = methods(&mine);
        prop_assert_eq!(merged.matches('¶').count(), 1);
        prop_assert_eq!(merged.replace('¶', ""), mine_value);
    }
}
