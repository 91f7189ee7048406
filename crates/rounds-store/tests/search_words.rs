//! Listed words (rounds_core's `search_words.txt`) are indexed whole beside
//! their bigrams and searched as one token: the documents a search finds
//! must be exactly those whose text holds what was typed, as with bigrams
//! alone; and a library indexed before the list is indexed again on open.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rounds_core::schema::{DocKind, Lang};
use rounds_store::{Filter, Store};
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

/// Pieces of text: listed words (新生儿, 新生儿黄疸, 口服补液盐, 川崎病,
/// 热性惊厥), parts of them that are not listed, and what ends a run.
const PIECES: &[&str] = &[
    "新生儿",
    "黄疸",
    "新生",
    "儿",
    "口服补液",
    "盐",
    "补液盐",
    "川崎",
    "病",
    "川崎病",
    "热性",
    "惊厥",
    "热性惊厥",
    "，",
    " ",
    "a",
    "3",
    "复查",
];

/// What a teacher might type: listed words and substrings that are not.
const QUERIES: &[&str] = &[
    "新生儿",
    "新生儿黄疸",
    "口服补液盐",
    "川崎病",
    "热性惊厥",
    "生儿黄",
    "补液盐",
    "液盐",
    "崎病川",
    "儿黄疸",
    "惊厥热性",
];

fn ids(s: &Store, q: &str) -> BTreeSet<String> {
    s.search(q, &Filter::default())
        .unwrap()
        .into_iter()
        .map(|h| h.summary.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]
    #[test]
    fn a_search_finds_exactly_the_documents_holding_what_was_typed(
        texts in proptest::collection::vec(
            proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
            1..10,
        ),
    ) {
        let mut s = Store::open_in_memory().unwrap();
        s.set_user_name("王老师").unwrap();
        let mut docs = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            // Half of them carry the text in the title (after a letter, as
            // a title may not be empty), half in the body.
            let text = t.concat();
            let (title, fields) = if i % 2 == 0 {
                (format!("x{text}"), None)
            } else {
                (format!("教案{i}"), Some(json!({ "chapter": text })))
            };
            let d = s.create(DocKind::LESSON_PLAN, &title, Lang::Zh, fields.as_ref()).unwrap();
            docs.push((d.id, text));
        }
        for q in QUERIES {
            let want: BTreeSet<String> = docs
                .iter()
                .filter(|(_, text)| text.contains(q))
                .map(|(id, _)| id.clone())
                .collect();
            prop_assert_eq!(ids(&s, q), want, "query {}", q);
        }
    }
}

/// The bigram-only form the index had before the word list.
fn bigrams_only(text: &str) -> String {
    let mut out = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if let Some(last) = run.last() {
            out.push(' ');
            for w in run.windows(2) {
                out.extend([w[0], w[1], ' ']);
            }
            out.extend([*last, ' ']);
            run.clear();
        }
    };
    for c in text.chars() {
        if rounds_core::search::is_cjk(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Turns the index back into what the previous release wrote: bigrams
/// only, and no record of the form.
fn index_as_before_the_list(c: &Connection) {
    let rows: Vec<(i64, String, String)> = c
        .prepare("SELECT doc, title, body FROM doc_text")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    c.execute("INSERT INTO doc_fts (doc_fts) VALUES ('delete-all')", [])
        .unwrap();
    for (doc, title, body) in rows {
        c.execute(
            "INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![doc, bigrams_only(&title), bigrams_only(&body)],
        )
        .unwrap();
    }
    c.execute("DELETE FROM meta WHERE key = 'search_form'", [])
        .unwrap();
}

#[test]
fn a_library_indexed_before_the_word_list_is_indexed_again_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let (plan, case) = {
        let mut s = Store::open(&path).unwrap();
        s.set_user_name("王老师").unwrap();
        let plan = s
            .create(DocKind::LESSON_PLAN, "川崎病的识别", Lang::Zh, None)
            .unwrap();
        let case = s
            .create(
                DocKind::CASE,
                "发热5天",
                Lang::Zh,
                Some(&json!({"management": "口服补液盐少量多次"})),
            )
            .unwrap();
        (plan.id, case.id)
    };
    {
        let c = Connection::open(&path).unwrap();
        index_as_before_the_list(&c);
        // Such an index holds no whole word: the listed word's token finds
        // nothing in it.
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM doc_fts WHERE doc_fts MATCH '\"川崎病\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }

    let s = Store::open(&path).unwrap();
    assert_eq!(ids(&s, "川崎病"), BTreeSet::from([plan.clone()]));
    assert_eq!(ids(&s, "口服补液盐"), BTreeSet::from([case.clone()]));
    assert_eq!(ids(&s, "补液盐少"), BTreeSet::from([case]));
    assert_eq!(ids(&s, "的识"), BTreeSet::from([plan]));
    // Nothing was loaded to do it: the index is written from the text.
    assert_eq!(s.stats().docs_loaded, 0);
    drop(s);
    let c = Connection::open(&path).unwrap();
    let form: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'search_form'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(form, rounds_core::search::index_form_version());
}

/// The index is written again in batches, each committed with where it
/// stopped: an open killed part-way is gone on from there, not started
/// again. Documents before the recorded row are taken as done (shown here
/// by leaving them in the old form); a row recorded by a build with
/// another word list is not trusted.
#[test]
fn an_interrupted_rebuild_goes_on_from_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    let docs: Vec<String> = {
        let mut s = Store::open(&path).unwrap();
        s.set_user_name("王老师").unwrap();
        ["川崎病之一", "川崎病之二", "川崎病之三"]
            .iter()
            .map(|t| {
                s.create(DocKind::LESSON_PLAN, t, Lang::Zh, None)
                    .unwrap()
                    .id
            })
            .collect()
    };
    let form = rounds_core::search::index_form_version();
    let make_old = |next: &str| {
        let c = Connection::open(&path).unwrap();
        index_as_before_the_list(&c);
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('search_form.next', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [next],
        )
        .unwrap();
        let second: i64 = c
            .query_row("SELECT doc FROM documents WHERE id = ?1", [&docs[1]], |r| {
                r.get(0)
            })
            .unwrap();
        second
    };

    // Stopped before the second document: the first is not done again.
    // (The first call only learns that document's row.)
    let second = make_old("");
    make_old(&format!("{form}:{second}"));
    let s = Store::open(&path).unwrap();
    assert_eq!(
        ids(&s, "川崎病"),
        BTreeSet::from([docs[1].clone(), docs[2].clone()])
    );
    drop(s);
    let c = Connection::open(&path).unwrap();
    let next: Option<String> = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'search_form.next'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap();
    assert_eq!(next, None, "the record of progress goes once it is done");
    drop(c);

    // A row recorded with another word list: everything is done again.
    make_old(&format!("bigrams+words:0000000000000000:{second}"));
    let s = Store::open(&path).unwrap();
    assert_eq!(ids(&s, "川崎病"), docs.iter().cloned().collect());
}
