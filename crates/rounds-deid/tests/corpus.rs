//! Precision and recall of `scan` over the labelled corpus in `corpus.txt`.
//!
//! The per-kind table is printed with `println!`, so it is visible with
//! `cargo test -p rounds-deid --test corpus -- --nocapture`; it is also
//! written with `eprintln!`, which `cargo test` shows whenever a test fails,
//! so a failing bar always comes with the numbers behind it.
//!
//! The bars and the reasons for them are documented on the crate root.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rounds_deid::{Confidence, Finding, Kind, mask_all, scan};

const CORPUS: &str = include_str!("corpus.txt");

/// One corpus line: the plain text and the labelled identifiers in it.
struct Sample {
    line: usize,
    text: String,
    expected: Vec<Expected>,
}

struct Expected {
    kind: Kind,
    start: usize,
    end: usize,
}

fn parse_kind(name: &str, line: usize) -> Kind {
    serde_json::from_str(&format!("\"{name}\""))
        .unwrap_or_else(|_| panic!("line {line}: unknown kind {name:?}"))
}

/// Parses the corpus, turning each `⟦kind:text⟧` mark into a span of the
/// plain text.
fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for (i, raw) in CORPUS.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut text = String::new();
        let mut expected = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find('⟦') {
            text.push_str(&rest[..open]);
            let after = &rest[open + '⟦'.len_utf8()..];
            let close = after
                .find('⟧')
                .unwrap_or_else(|| panic!("line {line}: unclosed mark"));
            let (kind, value) = after[..close]
                .split_once(':')
                .unwrap_or_else(|| panic!("line {line}: mark without kind"));
            let start = text.len();
            text.push_str(value);
            expected.push(Expected {
                kind: parse_kind(kind, line),
                start,
                end: text.len(),
            });
            rest = &after[close + '⟧'.len_utf8()..];
        }
        text.push_str(rest);
        out.push(Sample {
            line,
            text,
            expected,
        });
    }
    out
}

/// Findings the bars count: Medium and High.
fn counted(text: &str) -> Vec<Finding> {
    scan(text)
        .into_iter()
        .filter(|f| f.confidence >= Confidence::Medium)
        .collect()
}

fn overlaps(f: &Finding, e: &Expected) -> bool {
    f.kind == e.kind && f.start < e.end && e.start < f.end
}

#[derive(Default, Clone, Copy)]
struct Tally {
    /// Labelled identifiers.
    expected: usize,
    /// Labelled identifiers that some finding of the same kind overlaps.
    recalled: usize,
    /// Counted findings.
    found: usize,
    /// Counted findings that overlap a label of the same kind.
    correct: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.expected += other.expected;
        self.recalled += other.recalled;
        self.found += other.found;
        self.correct += other.correct;
    }

    fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.recalled as f64 / self.expected as f64
        }
    }

    fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.correct as f64 / self.found as f64
        }
    }
}

struct Report {
    per_kind: BTreeMap<Kind, Tally>,
    total: Tally,
    positive_lines: usize,
    negative_lines: usize,
    /// Human-readable misses and false alarms, for diagnosing a failure.
    problems: Vec<String>,
}

fn evaluate() -> Report {
    let mut per_kind: BTreeMap<Kind, Tally> =
        Kind::ALL.iter().map(|&k| (k, Tally::default())).collect();
    let mut problems = Vec::new();
    let (mut positive_lines, mut negative_lines) = (0, 0);
    for sample in samples() {
        if sample.expected.is_empty() {
            negative_lines += 1;
        } else {
            positive_lines += 1;
        }
        let findings = counted(&sample.text);
        for e in &sample.expected {
            let tally = per_kind.entry(e.kind).or_default();
            tally.expected += 1;
            if findings.iter().any(|f| overlaps(f, e)) {
                tally.recalled += 1;
            } else {
                problems.push(format!(
                    "line {}: missed {:?} {:?} in {:?}",
                    sample.line,
                    e.kind,
                    &sample.text[e.start..e.end],
                    sample.text
                ));
            }
        }
        for f in &findings {
            let tally = per_kind.entry(f.kind).or_default();
            tally.found += 1;
            if sample.expected.iter().any(|e| overlaps(f, e)) {
                tally.correct += 1;
            } else {
                problems.push(format!(
                    "line {}: false alarm {:?}/{:?} {:?} in {:?}",
                    sample.line, f.kind, f.confidence, f.text, sample.text
                ));
            }
        }
    }
    let mut total = Tally::default();
    for tally in per_kind.values() {
        total.add(*tally);
    }
    Report {
        per_kind,
        total,
        positive_lines,
        negative_lines,
        problems,
    }
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "corpus: {} positive lines, {} negative lines, {} labelled identifiers",
        report.positive_lines, report.negative_lines, report.total.expected
    );
    let _ = writeln!(
        out,
        "{:<14} {:>8} {:>8} {:>8} {:>10} {:>8}",
        "kind", "labels", "found", "correct", "precision", "recall"
    );
    let rows = report.per_kind.iter().map(|(k, t)| (format!("{k:?}"), *t));
    for (name, t) in rows.chain(std::iter::once(("overall".to_owned(), report.total))) {
        let _ = writeln!(
            out,
            "{:<14} {:>8} {:>8} {:>8} {:>10.3} {:>8.3}",
            name,
            t.expected,
            t.found,
            t.correct,
            t.precision(),
            t.recall()
        );
    }
    for p in &report.problems {
        let _ = writeln!(out, "  {p}");
    }
    out
}

#[test]
fn corpus_meets_the_quality_bars() {
    let report = evaluate();
    let table = table(&report);
    // Shown with --nocapture.
    println!("{table}");
    // Shown by cargo test whenever this test fails.
    eprintln!("{table}");

    assert!(
        report.total.expected >= 150,
        "the corpus needs at least ~150 labelled identifiers"
    );
    assert!(
        report.negative_lines >= 150,
        "the corpus needs at least ~150 negative samples"
    );
    for (kind, tally) in &report.per_kind {
        assert!(
            tally.expected >= 8,
            "too few samples of {kind:?} to measure it"
        );
    }

    let recall = |k: Kind| report.per_kind[&k].recall();
    assert!(
        recall(Kind::ResidentId) >= 0.98,
        "resident ID recall {:.3} < 0.98",
        recall(Kind::ResidentId)
    );
    assert!(
        recall(Kind::Phone) >= 0.98,
        "phone recall {:.3} < 0.98",
        recall(Kind::Phone)
    );
    assert!(
        report.total.recall() >= 0.90,
        "overall recall {:.3} < 0.90",
        report.total.recall()
    );
    assert!(
        report.total.precision() >= 0.95,
        "overall precision {:.3} < 0.95",
        report.total.precision()
    );
}

/// Masking every finding must leave nothing that still scans as a
/// high-confidence identifier: the suggested masks are themselves safe, and
/// no identifier is left half-masked.
#[test]
fn masked_positive_samples_rescan_clean() {
    let mut leftovers = Vec::new();
    for sample in samples().into_iter().filter(|s| !s.expected.is_empty()) {
        let masked = mask_all(&sample.text, &scan(&sample.text));
        for f in scan(&masked)
            .into_iter()
            .filter(|f| f.confidence == Confidence::High)
        {
            leftovers.push(format!(
                "line {}: {:?} {:?} left in {masked:?}",
                sample.line, f.kind, f.text
            ));
        }
    }
    assert!(
        leftovers.is_empty(),
        "high-confidence findings after masking:\n{}",
        leftovers.join("\n")
    );
}

/// Every negative sample must stay clean on its own, so a regression points
/// at the exact sentence rather than only moving the precision figure.
#[test]
fn negative_samples_have_no_counted_findings() {
    let noisy: Vec<String> = samples()
        .into_iter()
        .filter(|s| s.expected.is_empty())
        .filter_map(|s| {
            let found = counted(&s.text);
            (!found.is_empty()).then(|| {
                format!(
                    "line {}: {:?} -> {:?}",
                    s.line,
                    s.text,
                    found.iter().map(|f| (&f.kind, &f.text)).collect::<Vec<_>>()
                )
            })
        })
        .collect();
    assert!(
        noisy.is_empty(),
        "negative samples with findings:\n{}",
        noisy.join("\n")
    );
}
