//! Ranking quality of search, measured: a labelled set of queries
//! (`ranking/queries.tsv`, Chinese and English, written for Rounds over the
//! sample library) run against the samples among generated documents on
//! the same topics, which share their titles' diseases and many of their
//! phrases. For each query the rank of the first document that should
//! come first gives the reciprocal rank; precision at 5 is the share of the
//! top five that are labelled. Printed as a table (`cargo test -p
//! rounds-store --test ranking -- --nocapture`); the test holds search to
//! finding every labelled document and to the floors below, so a change
//! that ranks worse fails.

use std::collections::{BTreeSet, HashMap};

use rounds_store::{Filter, Store};

struct Query {
    text: String,
    relevant: BTreeSet<String>,
}

fn queries() -> Vec<Query> {
    include_str!("ranking/queries.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (text, rel) = l.split_once('\t').expect("query<TAB>samples");
            Query {
                text: text.to_owned(),
                relevant: rel.split(',').map(|s| s.trim().to_owned()).collect(),
            }
        })
        .collect()
}

/// Each sample's document id, by its file name without `.json`.
fn sample_ids() -> HashMap<String, String> {
    rounds_core::samples::all()
        .into_iter()
        .map(|(name, text)| {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            (
                name.trim_end_matches(".json").to_owned(),
                v["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[derive(Debug, Default)]
struct Scores {
    queries: usize,
    rr: f64,
    p5: f64,
    first: usize,
    all_found: usize,
}

impl Scores {
    fn mrr(&self) -> f64 {
        self.rr / self.queries as f64
    }
    fn p5(&self) -> f64 {
        self.p5 / self.queries as f64
    }
}

#[test]
fn labelled_queries_rank_their_documents_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    store.set_user_name("排序测试").unwrap();
    assert_eq!(store.import_samples().unwrap(), 11);
    // Distractors: 5–20 KB documents on the samples' topics, in both
    // languages, as the benchmark's library.
    for (i, body) in [3_000, 5_000, 8_000].into_iter().enumerate() {
        store.generate(200, 40 + i as u64, body).unwrap();
    }
    let ids = sample_ids();
    let name_of: HashMap<&str, &str> = ids
        .iter()
        .map(|(n, id)| (id.as_str(), n.as_str()))
        .collect();

    let qs = queries();
    assert!(qs.len() >= 40, "{} queries", qs.len());
    let (mut zh, mut en) = (Scores::default(), Scores::default());
    println!("{:<28} {:>5} {:>5}  first hit", "query", "rank", "P@5");
    for q in &qs {
        for r in &q.relevant {
            assert!(ids.contains_key(r), "{}: no sample {r}", q.text);
        }
        let hits = store
            .search(
                &q.text,
                &Filter {
                    limit: Some(1_000),
                    ..Filter::default()
                },
            )
            .unwrap();
        let names: Vec<&str> = hits
            .iter()
            .map(|h| {
                name_of
                    .get(h.summary.id.as_str())
                    .copied()
                    .unwrap_or("(generated)")
            })
            .collect();
        let rank = names
            .iter()
            .position(|n| q.relevant.contains(*n))
            .map(|i| i + 1);
        let found = q
            .relevant
            .iter()
            .filter(|r| names.contains(&r.as_str()))
            .count();
        let top5 = names
            .iter()
            .take(5)
            .filter(|n| q.relevant.contains(**n))
            .count();
        assert_eq!(
            found,
            q.relevant.len(),
            "{}: search must find every labelled document (found {names:?})",
            q.text
        );
        let s = if q
            .text
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            &mut zh
        } else {
            &mut en
        };
        s.queries += 1;
        s.rr += rank.map_or(0.0, |r| 1.0 / r as f64);
        s.p5 += top5 as f64 / 5.0;
        s.first += usize::from(rank == Some(1));
        s.all_found += usize::from(found == q.relevant.len());
        println!(
            "{:<28} {:>5} {:>5.2}  {}",
            q.text,
            rank.map_or("-".into(), |r| r.to_string()),
            top5 as f64 / 5.0,
            names.first().unwrap_or(&"")
        );
    }
    let best_p5 = qs
        .iter()
        .map(|q| q.relevant.len().min(5) as f64 / 5.0)
        .sum::<f64>()
        / qs.len() as f64;
    for (lang, s) in [("Chinese", &zh), ("English", &en)] {
        println!(
            "{lang}: {} queries, MRR {:.3}, P@5 {:.3}, first hit right in {}",
            s.queries,
            s.mrr(),
            s.p5(),
            s.first
        );
    }
    let all = Scores {
        queries: zh.queries + en.queries,
        rr: zh.rr + en.rr,
        p5: zh.p5 + en.p5,
        first: zh.first + en.first,
        all_found: zh.all_found + en.all_found,
    };
    println!(
        "all: {} queries, MRR {:.3}, P@5 {:.3} (the labels allow at most {best_p5:.3}), first hit right in {}",
        all.queries,
        all.mrr(),
        all.p5(),
        all.first
    );
    assert_eq!(all.all_found, all.queries);
    assert!(all.mrr() >= FLOOR_MRR, "MRR {:.3} < {FLOOR_MRR}", all.mrr());
}

/// Below what this set measured when it was written (MRR 0.833: 37 of 45
/// first hits right; Chinese 0.907, English 0.699), so that only a real
/// regression fails. The misses are broad terms (a disease's name, "IMCI",
/// "danger signs") for which generated documents that repeat the term and
/// carry the disease in a short title outrank the sample that teaches it.
const FLOOR_MRR: f64 = 0.75;
