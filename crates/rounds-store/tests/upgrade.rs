//! A library written by the previous release (client migrations up to
//! 0005, with a column per filterable choice in `doc_index`) opens with
//! this one: its documents list, filter and search as before, nothing is
//! loaded again to do it, and they stay editable.

use rounds_core::doc::Document;
use rounds_core::schema::DocKind;
use rounds_store::{CLIENT_MIGRATIONS, Filter, Store};
use rusqlite::{Connection, params};
use serde_json::json;

const PLAN: &str = "0193a5b0-0000-7000-8000-0000000000a1";
const CASE: &str = "0193a5b0-0000-7000-8000-0000000000c1";

fn doc(id: &str, kind: DocKind, title: &str, fields: serde_json::Value) -> Document {
    rounds_core::testing::doc(id, kind, title)
        .author("李老师")
        .ids(id)
        .fields(fields)
        .create()
}

/// Writes `d` the way the previous release did: bytes, its `doc_index`
/// row with the six choice columns, its text and search rows.
fn write_as_release_one(c: &Connection, d: &mut Document) {
    let bytes = d.save();
    c.execute(
        "INSERT INTO documents (id, snapshot) VALUES (?1, ?2)",
        params![d.id(), bytes],
    )
    .unwrap();
    let rowid = c.last_insert_rowid();
    let j = d.to_json();
    let s = d.summary();
    c.execute(
        "INSERT INTO doc_index (doc, id, kind, schema, title, author, owner, created, updated,
            visibility, language, deleted, tags, status, organ_system, learner_level,
            session_type, age_band, care_level)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, 'private', 'zh', 0, '[]', ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            rowid,
            s.id,
            s.kind.as_str(),
            s.title,
            s.author,
            s.owner,
            s.created,
            s.updated,
            j.get("status").and_then(|v| v.as_str()),
            j.get("organ_system").and_then(|v| v.as_str()),
            j.get("learner_level").and_then(|v| v.as_str()),
            j.get("session_type").and_then(|v| v.as_str()),
            j.get("age_band").and_then(|v| v.as_str()),
            j.get("care_level").and_then(|v| v.as_str()),
        ],
    )
    .unwrap();
    c.execute(
        "INSERT INTO doc_text (doc, title, body) VALUES (?1, ?2, ?3)",
        params![rowid, s.title, d.search_text()],
    )
    .unwrap();
    c.execute(
        "INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
        params![
            rowid,
            rounds_core::search::index_form(&s.title),
            rounds_core::search::index_form(&d.search_text())
        ],
    )
    .unwrap();
    c.execute(
        "INSERT INTO sync_docs (doc, pending) VALUES (?1, 1)",
        [rowid],
    )
    .unwrap();
}

#[test]
fn a_library_of_the_previous_release_lists_filters_and_edits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    {
        let mut c = Connection::open(&path).unwrap();
        rounds_sqlite::migrate(&mut c, &CLIENT_MIGRATIONS[..5]).unwrap();
        let mut plan = doc(
            PLAN,
            DocKind::LESSON_PLAN,
            "小儿惊厥的急救",
            json!({"session_type": "simulation", "learner_level": "resident", "status": "approved"}),
        );
        let mut case = doc(
            CASE,
            DocKind::CASE,
            "发热伴皮疹5天",
            json!({"organ_system": "immunology", "age_band": "toddler", "care_level": "county",
                   "learner_level": "resident", "present_illness": "持续高热伴双眼结膜充血"}),
        );
        write_as_release_one(&c, &mut plan);
        write_as_release_one(&c, &mut case);
    }

    let mut store = Store::open(&path).unwrap();
    let by = |field: &str, value: &str| -> Vec<String> {
        store
            .list(&Filter {
                fields: vec![(field.into(), value.into())],
                ..Filter::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(by("status", "approved"), [PLAN]);
    assert_eq!(by("session_type", "simulation"), [PLAN]);
    assert_eq!(by("organ_system", "immunology"), [CASE]);
    assert_eq!(by("care_level", "county"), [CASE]);
    let mut both = by("learner_level", "resident");
    both.sort();
    assert_eq!(both, [PLAN, CASE]);
    assert!(by("age_band", "infant").is_empty());
    // The migration moved the values; nothing was loaded to list them.
    assert_eq!(store.stats().docs_loaded, 0);
    let plan = store.summary(PLAN).unwrap();
    assert_eq!(plan.filter("status"), Some("approved"));
    assert_eq!(plan.filter("organ_system"), None);
    assert_eq!(store.search("结膜", &Filter::default()).unwrap().len(), 1);

    // Editing moves the filter with the document.
    store
        .edit(CASE, &json!({"care_level": "tertiary"}))
        .unwrap();
    assert!(
        store
            .list(&Filter {
                fields: vec![("care_level".into(), "county".into())],
                ..Filter::default()
            })
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.summary(CASE).unwrap().filter("care_level"),
        Some("tertiary")
    );

    // Opening again finds the declarations unchanged and projects nothing.
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.stats().docs_loaded, 0);

    // Rows written under other declarations of the case's filters (as by
    // a build that declared fewer) are projected again, the case only.
    store
        .connection()
        .execute(
            "UPDATE meta SET value = 'case:status;lesson_plan:session_type,learner_level,status'
             WHERE key = 'filters'",
            [],
        )
        .unwrap();
    store
        .connection()
        .execute("DELETE FROM doc_filters WHERE field = 'organ_system'", [])
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.stats().docs_loaded, 1);
    assert_eq!(
        store
            .list(&Filter {
                fields: vec![("organ_system".into(), "immunology".into())],
                ..Filter::default()
            })
            .unwrap()
            .len(),
        1
    );
}
