//! The benchmark in its quick mode, run by `cargo test` (and so by `make
//! test`): every part runs end to end — sync side by side with samod, the
//! client store, the office under simulated devices, the poor link, live editing between
//! two app libraries — and
//! the report is complete. It checks that the benchmark works, never how
//! fast anything was; `make bench` measures.

use std::process::Command;

#[test]
fn the_quick_benchmark_runs_every_part() {
    let out = Command::new(env!("CARGO_BIN_EXE_rounds-bench"))
        .args(["--quick", "--no-write"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for section in [
        "## Sync, 20 documents",
        "## Client store, 200 documents",
        "| ranking: 45 labelled queries",
        "## Office under a network's devices",
        "PostgreSQL, 3 processes",
        "## Poor link",
        "## Live edit",
        "save → there on B",
        "## Targets (issue 7)",
        "samod ÷ Rounds",
        "↳ floor: loading the same 20 documents",
        "↳ Rounds ÷ floor",
        "## Targets (issue 17)",
        "within 2× of the floor",
        "↳ floor: the bare FTS5 query",
        "within 1.5× of the bare FTS5 query",
        "## Instruction counts",
        "| a new device applies a document (`Store::apply_page`), per document |",
        "↳ a new device ÷ floor, in instructions",
        "| a first upload of 20 small shared documents",
        "| a save of one character into the middle of a 20 KB field",
        "`make bench` in under 15 minutes",
        // The quick run leaves the desktop app to ui/e2e/appbench.e2e.ts
        // and says so, in its section and its target rows.
        "## Desktop app\n\nNot measured: not run by --quick",
        "| desktop app: memory, launch, keystroke, save | not measured |",
    ] {
        assert!(report.contains(section), "missing “{section}”:\n{report}");
    }
    // Every office of the load measured, not only named: a row that says
    // "not measured: …" (the move to PostgreSQL failed, say) is a failure.
    // PostgreSQL's rows where the run must have it (`make test` does).
    let postgres = std::env::var("ROUNDS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    for (label, pg) in [
        ("SQLite, 1 process", false),
        ("PostgreSQL, 1 process", true),
        ("PostgreSQL, 3 processes", true),
    ] {
        if pg && !postgres {
            continue;
        }
        let row = format!("| {label} | ");
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&row) && !l.contains("not measured")),
            "the office load on {label} was not measured:\n{report}"
        );
    }
    // Shown by `make test` (--show-output), so CI logs carry the figures.
    println!("{report}");
}
