//! The local store: documents, projections, search, history, backup.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use rounds_core::doc::Visibility;
use rounds_core::schema::{DocKind, Lang};
use rounds_store::{Filter, Store, StoreError};
use serde_json::json;

fn store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.set_user_name("王老师").unwrap();
    s
}

fn ticking(s: &mut Store) -> Arc<AtomicI64> {
    let t = Arc::new(AtomicI64::new(1_700_000_000_000));
    let t2 = t.clone();
    s.set_clock(Box::new(move || t2.fetch_add(1000, Ordering::SeqCst)));
    t
}

#[test]
fn create_edit_list_and_show() {
    let mut s = store();
    ticking(&mut s);
    let a = s
        .create(
            DocKind::LESSON_PLAN,
            "热性惊厥",
            Lang::Zh,
            Some(&json!({"course": "儿科学", "status": "draft"})),
        )
        .unwrap();
    let b = s
        .create(
            DocKind::CASE,
            "Bronchiolitis in a 4-month-old",
            Lang::En,
            None,
        )
        .unwrap();
    s.edit(&a.id, &json!({"chapter": "神经系统疾病"})).unwrap();
    let all = s.list(&Filter::default()).unwrap();
    assert_eq!(
        all.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        [a.id.as_str(), b.id.as_str()],
        "newest change first"
    );
    assert_eq!(
        s.list(&Filter {
            kind: Some(DocKind::CASE),
            ..Filter::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.list(&Filter {
            fields: vec![("status".into(), "draft".into())],
            ..Filter::default()
        })
        .unwrap()[0]
            .id,
        a.id
    );
    assert_eq!(
        s.list(&Filter {
            mine: Some(true),
            ..Filter::default()
        })
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        s.list(&Filter {
            mine: Some(false),
            ..Filter::default()
        })
        .unwrap()
        .len(),
        0
    );
    let doc = s.load(&a.id).unwrap();
    assert_eq!(doc.to_json()["chapter"], "神经系统疾病");
    assert_eq!(doc.to_json()["author"], "王老师");
}

/// The document an editor's save returns is the document as stored: the
/// app shows it without loading it again, so it must hold what a load would.
#[test]
fn a_save_returns_the_document_as_stored() {
    let mut s = store();
    let id = s
        .create(DocKind::LESSON_PLAN, "小儿腹泻的补液", Lang::Zh, None)
        .unwrap()
        .id;
    let mut base = s.load(&id).unwrap().heads();
    // A change the editor has not seen, made meanwhile.
    s.edit(&id, &json!({ "aids": "口服补液盐" })).unwrap();
    for text in ["评估脱水程度", "评估脱水程度，计算补液量", "计算补液量"] {
        let (summary, (hash, mut saved)) = s
            .edit_at_saved(&id, &json!({ "methods": text }), &base)
            .unwrap();
        let mut loaded = s.load(&id).unwrap();
        assert_eq!(saved.heads(), loaded.heads());
        assert!(saved.heads().contains(&hash.unwrap()));
        assert_eq!(saved.to_json(), loaded.to_json());
        assert_eq!(saved.to_json()["methods"], text);
        assert_eq!(saved.to_json()["aids"], "口服补液盐");
        assert_eq!(summary.title, "小儿腹泻的补液");
        // The editor's next save is based on this one, as the app's is.
        base = vec![hash.unwrap()];
    }
    // Nothing to change: no change, and still the document as stored.
    let heads = s.load(&id).unwrap().heads();
    let (_, (hash, mut saved)) = s
        .edit_at_saved(&id, &json!({ "methods": "计算补液量" }), &heads)
        .unwrap();
    assert!(hash.is_none());
    assert_eq!(saved.heads(), heads);
}

#[test]
fn invalid_edits_change_nothing() {
    let mut s = store();
    let a = s
        .create(DocKind::LESSON_PLAN, "热性惊厥", Lang::Zh, None)
        .unwrap();
    let bytes = s.raw_bytes(&a.id).unwrap();
    let row = s.summary(&a.id).unwrap();
    let err = s
        .edit(
            &a.id,
            &json!({"course": "儿科学", "process": [{"minutes": -1}]}),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "process[0].minutes: must not be negative");
    assert_eq!(s.raw_bytes(&a.id).unwrap(), bytes);
    assert_eq!(s.summary(&a.id).unwrap(), row);
    let err = s.create(DocKind::CASE, " ", Lang::Zh, None).unwrap_err();
    assert_eq!(err.to_string(), "title: must not be empty");
    let err = s
        .create(
            DocKind::CASE,
            "ok",
            Lang::Zh,
            Some(&json!({"age_band": "teen"})),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("age_band: must be one of neonate"),
        "{err}"
    );
    assert_eq!(s.count(&Filter::default()).unwrap(), 1);
    assert!(matches!(
        s.merge_bytes(b"\x85\x6f\x4a\x83garbage"),
        Err(StoreError::Doc(_))
    ));
    assert_eq!(s.count(&Filter::default()).unwrap(), 1);
}

#[test]
fn search_finds_chinese_substrings_and_english_words_with_snippets() {
    let mut s = store();
    let zh = s
        .create(DocKind::CASE, "新生儿黄疸病例", Lang::Zh, Some(&json!({"present_illness": "生后第3天出现皮肤黄染，逐渐加重。经皮胆红素测定值升高。"})))
        .unwrap();
    let en = s
        .create(
            DocKind::CASE,
            "Kawasaki disease",
            Lang::En,
            Some(&json!({"management": "Give IVIG 2 g/kg over 12 hours with high-dose aspirin."})),
        )
        .unwrap();
    for (q, want) in [
        ("黄疸", &zh.id),
        ("胆红素", &zh.id),
        ("黄", &zh.id),
        ("aspirin", &en.id),
        ("Kawa", &en.id),
        ("ivig 2", &en.id),
    ] {
        let hits = s.search(q, &Filter::default()).unwrap();
        assert_eq!(
            hits.iter().map(|h| &h.summary.id).collect::<Vec<_>>(),
            [want],
            "query {q}"
        );
    }
    let hits = s.search("胆红素", &Filter::default()).unwrap();
    assert!(hits[0].snippet.iter().any(|p| p.hit && p.text == "胆红素"));
    assert!(s.search("肺炎", &Filter::default()).unwrap().is_empty());
    assert!(s.search("\"*()", &Filter::default()).unwrap().is_empty());
    assert!(
        s.search(
            "aspirin",
            &Filter {
                kind: Some(DocKind::LESSON_PLAN),
                ..Filter::default()
            }
        )
        .unwrap()
        .is_empty()
    );
    // Edits reach the index; deleted documents leave search results.
    s.edit(&en.id, &json!({"management": "Supportive care."}))
        .unwrap();
    assert!(s.search("aspirin", &Filter::default()).unwrap().is_empty());
    s.delete(&zh.id).unwrap();
    assert!(s.search("黄疸", &Filter::default()).unwrap().is_empty());
    assert_eq!(
        s.search(
            "黄疸",
            &Filter {
                deleted: true,
                ..Filter::default()
            }
        )
        .unwrap()
        .len(),
        1
    );
    s.restore(&zh.id).unwrap();
    assert_eq!(s.search("黄疸", &Filter::default()).unwrap().len(), 1);
}

#[test]
fn ids_resolve_from_unique_prefixes() {
    let mut s = store();
    let a = s.create(DocKind::CASE, "a", Lang::Zh, None).unwrap();
    let b = s.create(DocKind::CASE, "b", Lang::Zh, None).unwrap();
    assert_eq!(s.resolve(&a.id).unwrap(), a.id);
    assert_eq!(s.resolve(Store::short_id(&a.id)).unwrap(), a.id);
    assert_eq!(s.resolve(Store::short_id(&b.id)).unwrap(), b.id);
    // Ids made the same millisecond share their start.
    assert!(matches!(
        s.resolve(&a.id[..8]),
        Err(StoreError::Ambiguous(_, 2))
    ));
    assert!(matches!(s.resolve("zzzz"), Err(StoreError::NotFound(_))));
    assert!(matches!(s.resolve("01"), Err(StoreError::NotFound(_))));
}

#[test]
fn chunks_are_compacted_once_they_outgrow_the_snapshot_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let id;
    let mut text = String::new();
    {
        let mut s = Store::open_dir(dir.path()).unwrap();
        s.set_user_name("王老师").unwrap();
        id = s
            .create(DocKind::CASE, "长病例", Lang::Zh, None)
            .unwrap()
            .id;
        for i in 0..200 {
            text.push_str(&format!("第{i}次修改。"));
            s.edit(&id, &json!({"present_illness": text})).unwrap();
        }
        assert!(s.stats().compactions > 0);
        let chunks: i64 = s
            .connection()
            .query_row("SELECT count(*) FROM doc_chunks", [], |r| r.get(0))
            .unwrap();
        let (snap, size): (i64, i64) = s
            .connection()
            .query_row(
                "SELECT length(snapshot), chunks_size FROM documents",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(
            size <= snap,
            "chunks {size} B outgrew the snapshot {snap} B"
        );
        assert!(chunks < 200);
    }
    let s = Store::open_dir(dir.path()).unwrap();
    let mut doc = s.load(&id).unwrap();
    assert_eq!(doc.to_json()["present_illness"], text.as_str());
    assert_eq!(doc.history().len(), 201);
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn listing_ten_thousand_documents_loads_none() {
    let mut s = store();
    // Short bodies keep the test quick; `make bench` measures realistic sizes.
    s.generate(10_000, 7, 100).unwrap();
    let before = s.stats().docs_loaded;
    let all = s.list(&Filter::default()).unwrap();
    assert_eq!(all.len(), 10_000);
    let cases = s
        .list(&Filter {
            kind: Some(DocKind::CASE),
            limit: Some(50),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(cases.len(), 50);
    assert!(all.windows(2).all(|w| w[0].updated >= w[1].updated));
    assert!(!s.search("发热", &Filter::default()).unwrap().is_empty());
    assert_eq!(
        s.stats().docs_loaded,
        before,
        "listing or searching loaded a document"
    );
}

#[test]
fn history_and_old_versions() {
    let mut s = store();
    ticking(&mut s);
    let a = s.create(DocKind::CASE, "川崎病", Lang::Zh, None).unwrap();
    s.edit(&a.id, &json!({"diagnosis": "不完全川崎病"}))
        .unwrap();
    s.edit(&a.id, &json!({"diagnosis": "川崎病"})).unwrap();
    let h = s.history(&a.id).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].fields, ["diagnosis"]);
    assert_eq!(
        s.at(&a.id, "2").unwrap().to_json()["diagnosis"],
        "不完全川崎病"
    );
    assert_eq!(
        s.at(&a.id, &h[2].hash[..10]).unwrap().to_json()["diagnosis"],
        "川崎病"
    );
    assert!(s.at(&a.id, "9").is_err());
}

#[test]
fn json_export_imports_back_and_a_second_import_changes_nothing() {
    let mut s = store();
    let a = s
        .create(DocKind::LESSON_PLAN, "Bronchiolitis", Lang::En, Some(&json!({"objectives": [{"domain": "skills", "level": "master", "text": "Assess work of breathing"}], "tags": ["respiratory"]})))
        .unwrap();
    let exported = serde_json::to_string(&s.load(&a.id).unwrap().to_json()).unwrap();
    let mut other = store();
    let (imported, created) = other.import_json(&exported).unwrap();
    assert!(created);
    assert_eq!(imported.id, a.id);
    let back = other.load(&a.id).unwrap().to_json();
    let orig = s.load(&a.id).unwrap().to_json();
    for key in ["title", "tags", "objectives", "course", "language"] {
        let strip = |v: &serde_json::Value| {
            let mut v = v.clone();
            if let Some(arr) = v.as_array_mut() {
                for el in arr {
                    el.as_object_mut().map(|o| o.remove("id"));
                }
            }
            v
        };
        assert_eq!(strip(&back[key]), strip(&orig[key]), "{key}");
    }
    let n = other.history(&a.id).unwrap().len();
    let again = serde_json::to_string(&other.load(&a.id).unwrap().to_json()).unwrap();
    let (_, created) = other.import_json(&again).unwrap();
    assert!(!created);
    assert_eq!(
        other.history(&a.id).unwrap().len(),
        n,
        "re-importing its own export made a change"
    );
    assert_eq!(other.count(&Filter::default()).unwrap(), 1);
    assert!(matches!(
        other.import_json("{not json"),
        Err(StoreError::Json(_))
    ));
    assert_eq!(
        other
            .import_json(r#"{"kind": "poem", "title": "x"}"#)
            .unwrap_err()
            .to_string(),
        "kind: must be `lesson_plan` or `case`, not `poem`"
    );
}

#[test]
fn a_backup_restores_byte_exactly_with_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store();
    let a = s
        .create(DocKind::CASE, "腹泻伴中度脱水", Lang::Zh, None)
        .unwrap();
    for i in 0..5 {
        s.edit(&a.id, &json!({"management": format!("口服补液盐 {i}")}))
            .unwrap();
    }
    let b = s
        .create(DocKind::LESSON_PLAN, "IMCI pneumonia", Lang::En, None)
        .unwrap();
    s.delete(&b.id).unwrap();
    let path = dir.path().join("library.rounds-backup");
    assert_eq!(s.backup(&path).unwrap(), 2);
    assert!(
        s.backup(&path).is_err(),
        "a backup must not overwrite a file"
    );

    let mut fresh = store();
    assert_eq!(fresh.restore_backup(&path).unwrap(), (2, 0));
    for id in [&a.id, &b.id] {
        assert_eq!(fresh.raw_bytes(id).unwrap(), s.raw_bytes(id).unwrap());
        assert_eq!(fresh.summary(id).unwrap(), s.summary(id).unwrap());
    }
    assert_eq!(fresh.history(&a.id).unwrap().len(), 6);
    // Restoring into a store that moved on merges instead of overwriting.
    fresh
        .edit(&a.id, &json!({"diagnosis": "中度脱水"}))
        .unwrap();
    assert_eq!(fresh.restore_backup(&path).unwrap(), (0, 2));
    assert_eq!(
        fresh.load(&a.id).unwrap().to_json()["diagnosis"],
        "中度脱水"
    );
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(matches!(
        fresh.restore_backup(&junk),
        Err(StoreError::Backup(_))
    ));
}

#[test]
fn migrations_run_on_an_empty_database_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rounds.sqlite3");
    {
        let s = Store::open(&path).unwrap();
        let v: i64 = s
            .connection()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, rounds_store::CLIENT_MIGRATIONS.len() as i64);
        let mode: String = s
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        s.connection()
            .pragma_update(None, "user_version", 99)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }));
    assert!(err.to_string().contains("newer version of Rounds"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99, "the refused database was modified");
}

#[test]
fn visibility_changes_are_projected() {
    let mut s = store();
    let a = s.create(DocKind::LESSON_PLAN, "x", Lang::Zh, None).unwrap();
    s.set_visibility(&a.id, Visibility::Office).unwrap();
    assert_eq!(
        s.list(&Filter {
            visibility: Some(Visibility::Office),
            ..Filter::default()
        })
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn the_sample_library_imports_and_is_searchable_in_both_languages() {
    let mut s = store();
    for (name, json) in rounds_core::samples::all() {
        let (_, created) = s
            .import_json(json)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(created, "{name}");
    }
    assert_eq!(
        s.count(&Filter::default()).unwrap(),
        rounds_core::samples::all().len()
    );
    assert_eq!(
        s.count(&Filter {
            kind: Some(DocKind::CASE),
            ..Filter::default()
        })
        .unwrap(),
        6
    );
    assert!(!s.search("川崎病", &Filter::default()).unwrap().is_empty());
    assert!(
        !s.search("bronchiolitis", &Filter::default())
            .unwrap()
            .is_empty()
    );
    assert!(
        !s.search("口服补液盐", &Filter::default())
            .unwrap()
            .is_empty()
    );
    // The sample cases are written to be shareable: no likely identifiers.
    for row in s.list(&Filter::default()).unwrap() {
        let findings = s.check(&row.id).unwrap();
        assert!(
            !rounds_core::deid::blocks_sharing(&findings),
            "{}: {:?}",
            row.title,
            findings.iter().map(|f| &f.finding.text).collect::<Vec<_>>()
        );
    }
    // Importing the samples again adds and changes nothing.
    let id = s.list(&Filter::default()).unwrap()[0].id.clone();
    let bytes = s.raw_bytes(&id).unwrap();
    assert_eq!(s.import_samples().unwrap(), 0);
    assert_eq!(s.raw_bytes(&id).unwrap(), bytes);
    assert_eq!(
        s.count(&Filter::default()).unwrap(),
        rounds_core::samples::all().len()
    );
}

#[test]
fn samples_keep_the_dates_they_were_written() {
    let mut s = Store::open_in_memory().unwrap();
    s.import_samples().unwrap();
    for (name, text) in rounds_core::samples::all() {
        let j: serde_json::Value = serde_json::from_str(text).unwrap();
        let id = j["id"].as_str().unwrap();
        let written = rounds_core::time::parse_rfc3339(j["created"].as_str().unwrap())
            .unwrap_or_else(|| panic!("sample {name} has no date"));
        let row = s.summary(id).unwrap();
        assert_eq!((row.created, row.updated), (written, written), "{name}");
    }
    // The store's own clock is back: a new document is dated now, not at a
    // sample's date.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let d = s
        .create(DocKind::LESSON_PLAN, "新教案", Lang::Zh, None)
        .unwrap();
    assert!(d.created >= before);
}

/// A store given a seeded source and a fixed clock writes the same rows as
/// another given the same (actor, user id, document and element ids,
/// times, compacted bytes); with the operating system's randomness, two
/// stores differ. This is what lets the simulation replay a seed.
#[test]
fn a_seeded_store_writes_the_same_rows_twice() {
    let build = |entropy: Option<u64>| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rounds.sqlite3");
        let mut s = match entropy {
            Some(seed) => Store::open_with(
                &path,
                Box::new(|| 1_700_000_000_000),
                Box::new(rounds_store::SeededEntropy::new(seed)),
            )
            .unwrap(),
            None => {
                let mut s = Store::open(&path).unwrap();
                s.set_clock(Box::new(|| 1_700_000_000_000));
                s
            }
        };
        s.set_user_name("王老师").unwrap();
        let id = s
            .create(
                DocKind::LESSON_PLAN,
                "川崎病",
                Lang::Zh,
                Some(&json!({"summary": "丙种球蛋白"})),
            )
            .unwrap()
            .id;
        for i in 0..30 {
            // Enough saves to compact, and list rows with new element ids.
            s.edit(
                &id,
                &json!({"summary": format!("丙种球蛋白 {i}"), "process": [{"stage": format!("环节{i}")}]}),
            )
            .unwrap();
        }
        s.dump().unwrap()
    };
    let a = build(Some(11));
    assert_eq!(a, build(Some(11)));
    assert!(a.contains("table doc_chunks\n") && a.contains("table doc_fts_data\n"));
    assert!(a.contains("丙种球蛋白 29"));
    assert_ne!(a, build(Some(12)));
    assert_ne!(build(None), build(None));
}

/// A page of search hits is the same slice of the whole ranking whether
/// the store finds it from FTS5's best few or ranks every match: with many
/// documents of exactly equal score (ties broken by date), the best-scoring
/// ones deleted, and pages at every offset.
#[test]
fn search_pages_are_slices_of_the_whole_ranking() {
    let mut s = store();
    ticking(&mut s);
    let mut strong = Vec::new();
    for i in 0..160 {
        // Three texts repeat, so scores tie exactly within each group; the
        // title group scores best (the title weighs more than the body).
        let (title, body) = match i % 4 {
            0 => ("患儿发热就诊 fever", "体温升高。"),
            1 => ("门诊记录", "患儿发热两天，伴咳嗽。Fever for two days."),
            2 => ("门诊记录", "发热，发热，发热。fever fever fever"),
            _ => ("复诊记录", "咳嗽好转。Cough settling."),
        };
        let d = s
            .create(
                DocKind::CASE,
                &format!("{title} {}", i % 2),
                Lang::Zh,
                Some(&json!({ "present_illness": body })),
            )
            .unwrap();
        if i % 4 == 0 {
            strong.push(d.id);
        }
    }
    // Most of the best-scoring documents go to the trash: a page taken
    // from the best few must look past them.
    for id in strong.iter().take(30) {
        s.delete(id).unwrap();
    }
    let everything = Filter {
        limit: Some(100_000),
        ..Filter::default()
    };
    for (q, live) in [("发热", 90), ("fever", 90), ("患儿 fever", 50)] {
        let whole: Vec<String> = s
            .search(q, &everything)
            .unwrap()
            .into_iter()
            .map(|h| h.summary.id)
            .collect();
        assert_eq!(whole.len(), live, "query {q}: every live match");
        for limit in [1, 3, 10, 50] {
            for offset in [0, 1, 7, 40, 115] {
                let page: Vec<String> = s
                    .search(
                        q,
                        &Filter {
                            limit: Some(limit),
                            offset,
                            ..Filter::default()
                        },
                    )
                    .unwrap()
                    .into_iter()
                    .map(|h| h.summary.id)
                    .collect();
                let end = (offset + limit).min(whole.len());
                let want = &whole[offset.min(end)..end];
                assert_eq!(page, want, "query {q}, limit {limit}, offset {offset}");
            }
        }
    }
}
