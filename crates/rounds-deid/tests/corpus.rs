//! Precision and recall of `scan` over two labelled corpora: `corpus.txt`,
//! the project's corpus that the rules are developed against, and
//! `heldout.txt`, a split written before a round of rule changes and scored
//! only at its end (see its header).
//!
//! For each kind the table gives the recall of high-confidence findings
//! alone — what the sharing gate blocks on (`Finding::blocks_sharing`) — and
//! of every finding a teacher is shown (Medium and High), with the precision
//! of each. Labels may carry a category (`address@school`,
//! `record_number@bed`), reported as rows of their own.
//!
//! The tables are printed with `println!`, so they are visible with
//! `cargo test -p rounds-deid --test corpus -- --nocapture`; they are also
//! written with `eprintln!`, which `cargo test` shows whenever a test fails.
//! The misses and false alarms of `corpus.txt` are listed under its table;
//! those of the held-out split are listed only when
//! `ROUNDS_DEID_HELDOUT_MISSES=1` is set, for the once-per-round look after
//! scoring, so that nobody tunes against them by accident.
//!
//! The bars and the reasons for them are documented on the crate root.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rounds_deid::{Confidence, Finding, Kind, mask_all, scan};

const CORPUS: &str = include_str!("corpus.txt");
const HELDOUT: &str = include_str!("heldout.txt");

/// One corpus line: the plain text and the labelled identifiers in it.
struct Sample {
    line: usize,
    text: String,
    expected: Vec<Expected>,
}

struct Expected {
    kind: Kind,
    /// The label's category after `@`, such as `school` or `bed`.
    category: Option<String>,
    start: usize,
    end: usize,
}

fn parse_kind(name: &str, line: usize) -> (Kind, Option<String>) {
    let (kind, category) = match name.split_once('@') {
        Some((k, c)) => (k, Some(c.to_owned())),
        None => (name, None),
    };
    let kind = serde_json::from_str(&format!("\"{kind}\""))
        .unwrap_or_else(|_| panic!("line {line}: unknown kind {kind:?}"));
    (kind, category)
}

/// Parses a corpus, turning each `⟦kind:text⟧` mark into a span of the
/// plain text.
fn samples(source: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for (i, raw) in source.lines().enumerate() {
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
            let (kind, category) = parse_kind(kind, line);
            expected.push(Expected {
                kind,
                category,
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

/// Findings a teacher is shown: Medium and High.
fn shown(text: &str) -> Vec<Finding> {
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
    /// Labels that some blocking finding of the same kind overlaps.
    recalled_gate: usize,
    /// Labels that some shown finding of the same kind overlaps.
    recalled_all: usize,
    /// Blocking findings, and those that overlap a label of their kind.
    found_gate: usize,
    correct_gate: usize,
    /// Shown findings, and those that overlap a label of their kind.
    found_all: usize,
    correct_all: usize,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.expected += o.expected;
        self.recalled_gate += o.recalled_gate;
        self.recalled_all += o.recalled_all;
        self.found_gate += o.found_gate;
        self.correct_gate += o.correct_gate;
        self.found_all += o.found_all;
        self.correct_all += o.correct_all;
    }

    fn recall_gate(&self) -> f64 {
        ratio(self.recalled_gate, self.expected)
    }

    fn recall_all(&self) -> f64 {
        ratio(self.recalled_all, self.expected)
    }

    fn precision_gate(&self) -> f64 {
        ratio(self.correct_gate, self.found_gate)
    }

    fn precision_all(&self) -> f64 {
        ratio(self.correct_all, self.found_all)
    }
}

struct Report {
    name: &'static str,
    per_kind: BTreeMap<Kind, Tally>,
    /// Rows for labelled categories (`school`, `bed`): recall only.
    per_category: BTreeMap<String, Tally>,
    total: Tally,
    positive_lines: usize,
    negative_lines: usize,
    /// Human-readable misses and false alarms, for diagnosing a failure.
    problems: Vec<String>,
}

fn evaluate(name: &'static str, source: &str) -> Report {
    let mut per_kind: BTreeMap<Kind, Tally> =
        Kind::ALL.iter().map(|&k| (k, Tally::default())).collect();
    let mut per_category: BTreeMap<String, Tally> = BTreeMap::new();
    let mut problems = Vec::new();
    let (mut positive_lines, mut negative_lines) = (0, 0);
    for sample in samples(source) {
        if sample.expected.is_empty() {
            negative_lines += 1;
        } else {
            positive_lines += 1;
        }
        let findings = shown(&sample.text);
        for e in &sample.expected {
            let all = findings.iter().any(|f| overlaps(f, e));
            let gate = findings
                .iter()
                .any(|f| f.blocks_sharing() && overlaps(f, e));
            let count = |row: &mut Tally| {
                row.expected += 1;
                row.recalled_all += usize::from(all);
                row.recalled_gate += usize::from(gate);
            };
            count(per_kind.entry(e.kind).or_default());
            if let Some(c) = &e.category {
                count(per_category.entry(c.clone()).or_default());
            }
            if !gate {
                problems.push(format!(
                    "line {}: {} {:?} {:?} in {:?}",
                    sample.line,
                    if all { "not blocking" } else { "missed" },
                    e.kind,
                    &sample.text[e.start..e.end],
                    sample.text
                ));
            }
        }
        for f in &findings {
            let tally = per_kind.entry(f.kind).or_default();
            let correct = sample.expected.iter().any(|e| overlaps(f, e));
            tally.found_all += 1;
            tally.correct_all += usize::from(correct);
            if f.blocks_sharing() {
                tally.found_gate += 1;
                tally.correct_gate += usize::from(correct);
            }
            if !correct {
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
        name,
        per_kind,
        per_category,
        total,
        positive_lines,
        negative_lines,
        problems,
    }
}

fn table(report: &Report, with_problems: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} positive lines, {} negative lines, {} labelled identifiers",
        report.name, report.positive_lines, report.negative_lines, report.total.expected
    );
    let _ = writeln!(
        out,
        "{:<16} {:>6} | {:>11} {:>11} {:>6} | {:>10} {:>10} {:>6}",
        "kind", "labels", "recall high", "prec. high", "high", "recall all", "prec. all", "shown"
    );
    let kinds = report.per_kind.iter().map(|(k, t)| (format!("{k:?}"), *t));
    let categories = report
        .per_category
        .iter()
        .map(|(c, t)| (format!("  of which {c}"), *t));
    let rows = kinds
        .chain(categories)
        .chain(std::iter::once(("overall".to_owned(), report.total)));
    for (name, t) in rows {
        let (high_prec, all_prec, high, all) = if name.starts_with(' ') {
            ("".to_owned(), "".to_owned(), "".to_owned(), "".to_owned())
        } else {
            (
                format!("{:.3}", t.precision_gate()),
                format!("{:.3}", t.precision_all()),
                t.found_gate.to_string(),
                t.found_all.to_string(),
            )
        };
        let _ = writeln!(
            out,
            "{:<16} {:>6} | {:>11.3} {:>11} {:>6} | {:>10.3} {:>10} {:>6}",
            name,
            t.expected,
            t.recall_gate(),
            high_prec,
            high,
            t.recall_all(),
            all_prec,
            all
        );
    }
    if with_problems {
        for p in &report.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    out
}

fn show(report: &Report, with_problems: bool) {
    let table = table(report, with_problems);
    // Shown with --nocapture.
    println!("{table}");
    // Shown by cargo test whenever the test fails.
    eprintln!("{table}");
}

#[test]
fn corpus_meets_the_quality_bars() {
    let report = evaluate("corpus.txt", CORPUS);
    show(&report, true);

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

    // The bars hold for what the gate blocks on (High findings), not for
    // the looser count of everything shown.
    let gate = |k: Kind| report.per_kind[&k].recall_gate();
    let category = |c: &str| report.per_category[c].recall_gate();
    let bars = [
        ("resident ID", gate(Kind::ResidentId), 1.0),
        ("phone", gate(Kind::Phone), 1.0),
        ("record/bed number", gate(Kind::RecordNumber), 0.95),
        ("bed", category("bed"), 0.95),
        ("name", gate(Kind::Name), 0.90),
        ("school", category("school"), 0.90),
        ("overall", report.total.recall_gate(), 0.95),
        (
            "precision of blocking findings",
            report.total.precision_gate(),
            0.97,
        ),
        (
            "precision of shown findings",
            report.total.precision_all(),
            0.97,
        ),
    ];
    for (what, value, bar) in bars {
        assert!(value >= bar, "{what}: {value:.3} < {bar}");
    }
}

/// The held-out split is scored and printed; its figures are reported in
/// the crate docs, not tuned to.
#[test]
fn heldout_is_scored() {
    let report = evaluate("heldout.txt", HELDOUT);
    let with_misses = std::env::var("ROUNDS_DEID_HELDOUT_MISSES").is_ok_and(|v| v == "1");
    show(&report, with_misses);
    assert!(report.total.expected >= 100 && report.negative_lines >= 90);
    // Only a loose floor: the held-out split is not tuned to, so its
    // figures are reported, not held to the corpus bars.
    assert!(report.total.recall_gate() >= 0.80 && report.total.precision_gate() >= 0.90);
}

/// Masking every finding must leave nothing that still scans as a
/// high-confidence identifier: the suggested masks are themselves safe, and
/// no identifier is left half-masked.
#[test]
fn masked_positive_samples_rescan_clean() {
    let mut leftovers = Vec::new();
    for sample in samples(CORPUS)
        .into_iter()
        .filter(|s| !s.expected.is_empty())
    {
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
    let noisy: Vec<String> = samples(CORPUS)
        .into_iter()
        .filter(|s| s.expected.is_empty())
        .filter_map(|s| {
            let found = shown(&s.text);
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
