//! The client store with many documents. Generation runs in one child
//! process and measurement in another, so that the peak memory reported is
//! that of opening, listing, searching and editing, not of generating.

use std::path::Path;
use std::time::{Duration, Instant};

use rounds_core::doc::{Document, SeqIds};
use rounds_core::sync::PageUpdate;
use rounds_proto::{DocChanges, Item, doc_id_from_str};
use rounds_store::{Filter, Store};
use rounds_testkit::doc::ctx;
use serde_json::json;

use crate::measure::{peak_rss, percentile};

pub const ZH_QUERIES: &[&str] = &[
    "黄疸",
    "热性惊厥",
    "呼吸急促",
    "口服补液盐",
    "川崎病",
    "转诊",
];
pub const EN_QUERIES: &[&str] = &[
    "bronchiolitis",
    "oxygen saturation",
    "phototherapy",
    "zinc",
    "referral",
    "immunoglobulin",
];

/// `rounds-bench --child store-gen DIR N SMALL`
pub fn child_generate(dir: &Path, n: usize, small: bool) {
    let mut store = Store::open_dir(dir).expect("a store");
    store.set_user_name("王老师").expect("a name");
    crate::library::generate(&mut store, n, 23, small);
}

/// `rounds-bench --child store-measure DIR`: prints one JSON line.
pub fn child_measure(dir: &Path) {
    let start = Instant::now();
    let mut store = Store::open_dir(dir).expect("a store");
    let listed = store.list(&Filter::default()).expect("a listing");
    let open_list = start.elapsed();
    let loaded_by_list = store.stats().docs_loaded;

    // The floor: the bare FTS5 query Rounds builds, ranked the same way
    // and returning row ids only, over the same index on its own read-only
    // connection. Timed right after each search of Rounds' own, so both
    // meet the machine in the same state; what Rounds adds on top is the
    // filter (deleted, visibility), the listing rows, the texts and the
    // snippets.
    let floor_conn = rusqlite::Connection::open_with_flags(
        dir.join("rounds.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("the store's database");
    let mut floor_stmt = floor_conn
        .prepare(
            "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?1
             ORDER BY bm25(doc_fts, 30.0, 1.0) LIMIT 50",
        )
        .expect("the bare query");
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut zh_floor = Vec::new();
    let mut en_floor = Vec::new();
    let mut hits = 0usize;
    let mut per_query: Vec<(String, Vec<Duration>, Vec<Duration>)> = Vec::new();
    for round in 0..10 {
        for (queries, out, floor) in [
            (ZH_QUERIES, &mut zh, &mut zh_floor),
            (EN_QUERIES, &mut en, &mut en_floor),
        ] {
            for q in queries.iter() {
                let t = Instant::now();
                let h = store.search(q, &Filter::default()).expect("a search");
                let took = t.elapsed();
                out.push(took);
                let expr = rounds_core::search::fts_query(q).expect("a query");
                let t = Instant::now();
                let rows = floor_stmt
                    .query_map([&expr], |r| r.get::<_, i64>(0))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .expect("the bare query");
                let bare = t.elapsed();
                floor.push(bare);
                assert_eq!(rows.len(), h.len(), "the floor finds what Rounds finds");
                let key = (*q).to_owned();
                match per_query.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, v, f)) => {
                        v.push(took);
                        f.push(bare);
                    }
                    None => per_query.push((key, vec![took], vec![bare])),
                }
                if round == 0 {
                    hits += h.len();
                }
            }
        }
    }
    // How many documents each query matches (outside the timing): the cost
    // of ranking grows with it.
    let per_query: Vec<serde_json::Value> = per_query
        .into_iter()
        .map(|(q, mut times, mut bare)| {
            times.sort();
            bare.sort();
            let all = Filter {
                limit: Some(usize::MAX >> 1),
                ..Filter::default()
            };
            let matches = store.search(&q, &all).map_or(0, |h| h.len());
            json!({
                "query": q,
                "matches": matches,
                "p50_ms": percentile(&times, 50.0).as_secs_f64() * 1e3,
                "floor_p50_ms": percentile(&bare, 50.0).as_secs_f64() * 1e3,
            })
        })
        .collect();
    let mut all: Vec<Duration> = zh.iter().chain(en.iter()).copied().collect();
    zh.sort();
    en.sort();
    all.sort();
    zh_floor.sort();
    en_floor.sort();

    // Edits and remote changes on documents spread over the library; the
    // median of five, each a durable transaction (synchronous=FULL).
    let ids: Vec<String> = listed
        .iter()
        .step_by((listed.len() / 5).max(1))
        .take(5)
        .map(|s| s.id.clone())
        .collect();
    let mut edits = Vec::new();
    for id in &ids {
        let t = Instant::now();
        crate::library::edit_once(&mut store, id, "课后布置复习题。");
        edits.push(t.elapsed());
    }
    edits.sort();
    let other = automerge::ActorId::from(uuid::Uuid::new_v4().as_bytes().to_vec());
    let mut applies = Vec::new();
    for id in &ids {
        let mut doc = Document::load(&store.raw_bytes(id).expect("bytes")).expect("a document");
        doc.set_actor(other.clone());
        let mut seq = SeqIds::new("r");
        let title = format!("{}（修订）", doc.title());
        doc.apply_patch(
            &json!({ "title": title }),
            &mut ctx("李老师", &mut seq, crate::office::now_ms()),
        )
        .expect("a remote edit");
        let change = doc
            .automerge_mut()
            .get_last_local_change()
            .map(|c| c.raw_bytes().to_vec())
            .expect("a change");
        let update = PageUpdate {
            items: vec![Item::Changes(DocChanges {
                doc: doc_id_from_str(id).expect("an id"),
                changes: vec![change],
            })],
            cursor: store.sync_cursor().unwrap_or_default(),
            ..Default::default()
        };
        let t = Instant::now();
        store
            .apply_page(&update, crate::office::now_ms())
            .expect("applying a remote change");
        applies.push(t.elapsed());
    }
    applies.sort();
    let out = json!({
        "docs": listed.len(),
        "loaded_by_list": loaded_by_list,
        "open_list_ms": open_list.as_secs_f64() * 1e3,
        "search_p50_ms": percentile(&all, 50.0).as_secs_f64() * 1e3,
        "search_p95_ms": percentile(&all, 95.0).as_secs_f64() * 1e3,
        "search_zh_p95_ms": percentile(&zh, 95.0).as_secs_f64() * 1e3,
        "search_en_p95_ms": percentile(&en, 95.0).as_secs_f64() * 1e3,
        "floor_zh_p95_ms": percentile(&zh_floor, 95.0).as_secs_f64() * 1e3,
        "floor_en_p95_ms": percentile(&en_floor, 95.0).as_secs_f64() * 1e3,
        "search_hits": hits,
        "search_queries": per_query,
        "edit_ms": edits[edits.len() / 2].as_secs_f64() * 1e3,
        "apply_ms": applies[applies.len() / 2].as_secs_f64() * 1e3,
        "peak_rss": peak_rss(),
        "db_bytes": std::fs::metadata(dir.join("rounds.sqlite3")).map(|m| m.len()).unwrap_or(0),
    });
    println!("RESULT {out}");
}

/// Runs both children and returns the measurement.
pub fn run(n: usize, small: bool) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    run_in(&dir.path().join("store"), n, small)
}

/// Like [`run`], with the store kept at `path` (the desktop app's part
/// opens the same library afterwards).
pub fn run_in(path: &Path, n: usize, small: bool) -> Result<serde_json::Value, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let status = std::process::Command::new(&exe)
        .args(["--child", "store-gen"])
        .arg(path)
        .arg(n.to_string())
        .arg(if small { "small" } else { "full" })
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("generating the store failed: {status}"));
    }
    let out = std::process::Command::new(&exe)
        .args(["--child", "store-measure"])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| {
            format!(
                "the store measurement printed nothing: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let mut v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    ranking(&mut v);
    Ok(v)
}

/// Ranking quality (rounds-testkit's labelled set: the samples among 600
/// generated documents on their topics), added to the store's figures.
fn ranking(v: &mut serde_json::Value) {
    use rounds_testkit::ranking::{evaluate, library, scores};
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let Ok(mut store) = Store::open_dir(dir.path()) else {
        return;
    };
    let _ = store.set_user_name("王老师");
    library(&mut store);
    let outcomes = evaluate(&store);
    let all = scores(&outcomes, |_| true);
    let zh = scores(&outcomes, |o| o.chinese);
    let en = scores(&outcomes, |o| !o.chinese);
    v["ranking"] = json!({
        "queries": all.queries,
        "zh_queries": zh.queries,
        "en_queries": en.queries,
        "mrr": all.mrr,
        "zh_mrr": zh.mrr,
        "en_mrr": en.mrr,
        "p5": all.p5,
        "best_p5": all.best_p5,
        "first_right": all.first_right,
        "all_found": all.all_found,
    });
}
