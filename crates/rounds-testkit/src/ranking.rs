//! Ranking quality of search: a labelled set of queries
//! (`data/ranking-queries.tsv`, Chinese and English, written for Rounds
//! over the sample library), run against the samples among generated
//! documents on the same diseases, which share the samples' topics in
//! their titles and many of their phrases. The tests hold search to it
//! (`tests/ranking.rs`) and `make bench` reports it.
//!
//! For each query: the rank of the first document labelled as one that
//! should come first (reciprocal rank), how many of the top five are
//! labelled (precision at 5), and whether every labelled document was
//! found at all.

use std::collections::{BTreeSet, HashMap};

use rounds_store::{Filter, Store};

/// A labelled query.
pub struct Query {
    pub text: String,
    /// The samples (file names without `.json`) that should come first.
    pub relevant: BTreeSet<String>,
}

/// The labelled set.
pub fn queries() -> Vec<Query> {
    include_str!("../data/ranking-queries.tsv")
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

/// The library the set is measured on: the samples, and 600 generated
/// documents of 5–20 KB in both languages (seeded, so every run has the
/// same ones).
pub fn library(store: &mut Store) {
    store.import_samples().expect("the samples");
    for (i, body) in [3_000, 5_000, 8_000].into_iter().enumerate() {
        store
            .generate(200, 40 + i as u64, body)
            .expect("generated documents");
    }
}

/// What one query found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub text: String,
    pub chinese: bool,
    /// The rank of the first labelled document, from 1.
    pub rank: Option<usize>,
    /// Labelled documents among the first five.
    pub top5: usize,
    /// Labelled documents found, and how many there are.
    pub found: usize,
    pub relevant: usize,
    /// The first hit: a sample's name, or `(generated)`.
    pub first: String,
}

/// Runs every query of the set on `store` (which holds [`library`]).
pub fn evaluate(store: &Store) -> Vec<Outcome> {
    let ids: HashMap<String, String> = rounds_core::samples::all()
        .into_iter()
        .map(|(name, text)| {
            let v: serde_json::Value = serde_json::from_str(text).expect("a sample");
            (
                v["id"].as_str().expect("a sample's id").to_owned(),
                name.trim_end_matches(".json").to_owned(),
            )
        })
        .collect();
    queries()
        .into_iter()
        .map(|q| {
            for r in &q.relevant {
                assert!(
                    ids.values().any(|n| n == r),
                    "{}: there is no sample {r}",
                    q.text
                );
            }
            let hits = store
                .search(
                    &q.text,
                    &Filter {
                        limit: Some(1_000),
                        ..Filter::default()
                    },
                )
                .expect("a search");
            let names: Vec<&str> = hits
                .iter()
                .map(|h| ids.get(&h.summary.id).map_or("(generated)", String::as_str))
                .collect();
            Outcome {
                chinese: q
                    .text
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                rank: names
                    .iter()
                    .position(|n| q.relevant.contains(*n))
                    .map(|i| i + 1),
                top5: names
                    .iter()
                    .take(5)
                    .filter(|n| q.relevant.contains(**n))
                    .count(),
                found: q
                    .relevant
                    .iter()
                    .filter(|r| names.contains(&r.as_str()))
                    .count(),
                relevant: q.relevant.len(),
                first: names.first().copied().unwrap_or("").to_owned(),
                text: q.text,
            }
        })
        .collect()
}

/// The set's figures over some of its queries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub queries: usize,
    /// Mean reciprocal rank (a query whose labelled documents are not
    /// found counts 0).
    pub mrr: f64,
    /// Mean precision at 5.
    pub p5: f64,
    /// The highest precision at 5 the labels allow (a query with one
    /// labelled document can reach 0.2).
    pub best_p5: f64,
    /// Queries whose first hit is labelled.
    pub first_right: usize,
    /// Queries that found every labelled document.
    pub all_found: usize,
}

/// [`Scores`] of the outcomes `which` keeps.
pub fn scores(outcomes: &[Outcome], which: impl Fn(&Outcome) -> bool) -> Scores {
    let kept: Vec<&Outcome> = outcomes.iter().filter(|o| which(o)).collect();
    let n = kept.len().max(1) as f64;
    Scores {
        queries: kept.len(),
        mrr: kept
            .iter()
            .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / n,
        p5: kept.iter().map(|o| o.top5 as f64 / 5.0).sum::<f64>() / n,
        best_p5: kept
            .iter()
            .map(|o| o.relevant.min(5) as f64 / 5.0)
            .sum::<f64>()
            / n,
        first_right: kept.iter().filter(|o| o.rank == Some(1)).count(),
        all_found: kept.iter().filter(|o| o.found == o.relevant).count(),
    }
}
