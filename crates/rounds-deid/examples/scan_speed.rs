//! How long `scan` takes on a 20 KB case: the checker runs on every save,
//! so it must stay well under 10 ms on an old PC.
//!
//! `cargo run --release -p rounds-deid --example scan_speed`
//!
//! The text is both labelled corpora with their marks removed, repeated to
//! 20 KB: denser in identifiers than any real case. The figure is printed,
//! not asserted (a timed assertion would fail on a busy machine for no
//! reason of the code's).

use std::time::Instant;

const SOURCES: [&str; 2] = [
    include_str!("../tests/corpus.txt"),
    include_str!("../tests/heldout.txt"),
];

/// The corpora as plain text: marks removed, comments dropped.
fn plain() -> String {
    let mut out = String::new();
    for line in SOURCES
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut rest = line;
        while let Some(open) = rest.find('⟦') {
            out.push_str(&rest[..open]);
            let after = &rest[open + '⟦'.len_utf8()..];
            let close = after.find('⟧').unwrap_or(after.len());
            let value_start = after[..close].find(':').map_or(0, |i| i + 1);
            out.push_str(&after[value_start..close]);
            rest = after.get(close + '⟧'.len_utf8()..).unwrap_or("");
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

fn main() {
    let source = plain();
    let mut text = String::new();
    while text.len() < 20 * 1024 {
        text.push_str(&source);
    }
    let cut = (20 * 1024..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text.truncate(cut);

    // The first scan compiles the lazily built patterns; that happens once
    // per process, so it is reported apart.
    let started = Instant::now();
    let findings = rounds_deid::scan(&text).len();
    let first = started.elapsed();

    let runs = 200;
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(rounds_deid::scan(std::hint::black_box(&text)));
    }
    let per_scan = started.elapsed() / runs;
    println!(
        "scan of {} bytes ({findings} findings): {per_scan:?} per scan over {runs} runs; first scan (builds the patterns) {first:?}",
        text.len()
    );
}
