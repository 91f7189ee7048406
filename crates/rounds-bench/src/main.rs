//! `rounds-bench`: measures Rounds' sync against samod in the same run, the
//! client store with many documents, the office under many devices and
//! sync over a poor link; prints a table and rewrites BENCHMARKS.md.
//!
//! `--quick` runs a tiny version of every part (the smoke test `make test`
//! runs); `--no-write` leaves BENCHMARKS.md alone. Nothing here asserts on
//! time: the numbers are reported, and targets are judged in the report.

mod app;
mod counts;
mod library;
mod live;
mod load;
mod measure;
mod office;
mod poor;
mod proxy;
mod report;
mod samod_sync;
mod store_bench;
mod sync;
mod targets;

use std::path::PathBuf;
use std::time::Duration;

use measure::bytes;

struct Args {
    quick: bool,
    write: bool,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        write: true,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../BENCHMARKS.md"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--no-write" => args.write = false,
            "--out" => args.out = it.next().ok_or("--out needs a path")?.into(),
            "--library-only" => {
                // A library of small documents uploaded and brought to a new
                // device, printed and not written: for working on the
                // client's speed (`perf record` it).
                let n = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--library-only needs a number of documents")?;
                let b = sync::nothing_changed_at(n, 3);
                for (what, r) in [
                    ("first upload", &b.upload),
                    ("new device", &b.first),
                    ("nothing changed", &b.nothing),
                ] {
                    println!(
                        "{n} documents, {what}: {} round trips, {} up, {} down, client CPU {:.0} ms, office CPU {:.0} ms, wall {:.0} ms{}",
                        r.round_trips,
                        bytes(r.body_up),
                        bytes(r.body_down),
                        millis(r.client_cpu),
                        millis(r.office_cpu),
                        millis(r.wall),
                        if what == "new device" {
                            format!(" (floor: loading them {:.0} ms)", millis(b.floor))
                        } else {
                            String::new()
                        },
                    );
                }
                std::process::exit(0);
            }
            "--search-only" => {
                // The client store alone (its search against the bare FTS5
                // query, ranking), at one size, printed and not written:
                // for sizes the full run leaves out, such as 100,000.
                let n = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--search-only needs a number of documents")?;
                match store_bench::run(n, false) {
                    Ok(v) => {
                        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
                        println!(
                            "{n} documents: search p95 Chinese {:.2} ms (bare FTS5 {:.2} ms), English {:.2} ms (bare FTS5 {:.2} ms); open and list {:.1} ms; database {}",
                            f("search_zh_p95_ms"),
                            f("floor_zh_p95_ms"),
                            f("search_en_p95_ms"),
                            f("floor_en_p95_ms"),
                            f("open_list_ms"),
                            bytes(v["db_bytes"].as_u64().unwrap_or(0)),
                        );
                        let r = &v["ranking"];
                        println!(
                            "ranking, {} queries: precision at 5 {:.3} (at most {:.3}), mean reciprocal rank {:.3} (Chinese {:.3}, English {:.3}), first hit labelled {}, every labelled document found {}",
                            r["queries"],
                            r["p5"].as_f64().unwrap_or(f64::NAN),
                            r["best_p5"].as_f64().unwrap_or(f64::NAN),
                            r["mrr"].as_f64().unwrap_or(f64::NAN),
                            r["zh_mrr"].as_f64().unwrap_or(f64::NAN),
                            r["en_mrr"].as_f64().unwrap_or(f64::NAN),
                            r["first_right"],
                            r["all_found"],
                        );
                        for q in v["search_queries"].as_array().into_iter().flatten() {
                            println!(
                                "  {}: {} matches, p50 {:.2} ms (bare FTS5 {:.2} ms)",
                                q["query"].as_str().unwrap_or("?"),
                                q["matches"],
                                q["p50_ms"].as_f64().unwrap_or(f64::NAN),
                                q["floor_p50_ms"].as_f64().unwrap_or(f64::NAN),
                            );
                        }
                    }
                    Err(e) => println!("{e}"),
                }
                std::process::exit(0);
            }
            "--app-only" => {
                // The desktop app alone on a generated library of 10,000
                // documents, with SECONDS of editing (the 30-minute soak:
                // 1800), printed and not written.
                let secs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--app-only needs the seconds of editing")?;
                let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
                let path = dir.path().join("store");
                let exe = std::env::current_exe().map_err(|e| e.to_string())?;
                let made = std::process::Command::new(exe)
                    .args(["--child", "store-gen"])
                    .arg(&path)
                    .args(["10000", "full"])
                    .status()
                    .map_err(|e| e.to_string())?;
                if !made.success() {
                    return Err("generating the library failed".into());
                }
                let r = app::run(&path, secs, app::SEARCHES);
                let mut o = String::new();
                app::render(&mut o, &r);
                let mut why = Vec::new();
                o.push_str("\n| target | measured | verdict |\n|---|---|---|\n");
                app::targets(&mut o, &r, &mut why);
                for w in why {
                    o.push_str(&format!("\n- {w}"));
                }
                println!("{o}");
                drop(dir);
                std::process::exit(0);
            }
            "--saves-only" => {
                // Saves of a 20 KB field through the app's logic alone, as
                // the desktop part reports them: for `perf record`.
                let n = it.next().and_then(|n| n.parse().ok()).unwrap_or(200);
                let mut t = app::app_saves(n)?;
                t.sort();
                println!(
                    "{n} saves of a 20 KB field: p50 {}, p99 {}, max {}",
                    measure::ms(measure::percentile(&t, 50.0)),
                    measure::ms(measure::percentile(&t, 99.0)),
                    measure::ms(measure::percentile(&t, 100.0))
                );
                std::process::exit(0);
            }
            "--load-only" => {
                // The office load alone, at one size, printed and not
                // written: for working on the office's speed.
                let n = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--load-only needs a number of devices")?;
                // An optional word keeps only the offices whose label
                // contains it ("SQLite", "1 process", "3 processes").
                let only = it.next();
                for r in office_loads_at(&[n], false, only.as_deref()) {
                    match r {
                        Ok(r) => println!(
                            "{}: {} syncs, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} errors, CPU per sync {:.2} + {:.2} ms",
                            r.label,
                            r.syncs,
                            millis(r.p50),
                            millis(r.p99),
                            millis(r.max),
                            r.errors,
                            millis(r.office_cpu / r.syncs.max(1) as u32),
                            millis(r.db_cpu / r.syncs.max(1) as u32),
                        ),
                        Err((label, e)) => println!("{label}: {e}"),
                    }
                }
                std::process::exit(0);
            }
            "--child" => {
                // The store benchmark's child processes.
                let what = it.next().ok_or("--child needs a phase")?;
                let dir = PathBuf::from(it.next().ok_or("--child needs a directory")?);
                match what.as_str() {
                    "store-gen" => {
                        let n = it.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
                        let small = it.next().as_deref() == Some("small");
                        store_bench::child_generate(&dir, n, small);
                    }
                    "store-measure" => store_bench::child_measure(&dir),
                    "count-export" => {
                        let n = it.next().and_then(|n| n.parse().ok()).unwrap_or(200);
                        let small = it.next().as_deref() == Some("small");
                        counts::child_export(&dir, n, small);
                    }
                    "count-upload-prep" => {
                        let n = it.next().and_then(|n| n.parse().ok()).unwrap_or(100);
                        counts::child_upload_prep(&dir, n);
                    }
                    "count-apply" | "count-load" | "count-search" | "count-upload"
                    | "count-saves" => {
                        let k: usize = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                        match what.as_str() {
                            "count-apply" => counts::child_apply(&dir, k),
                            "count-load" => counts::child_load(&dir, k),
                            "count-upload" => counts::child_upload(&dir, k > 0),
                            "count-saves" => counts::child_saves(k),
                            _ => counts::child_search(&dir, k > 0),
                        }
                    }
                    _ => return Err(format!("unknown phase `{what}`")),
                }
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!(
                    "rounds-bench [--quick] [--no-write] [--out BENCHMARKS.md] [--load-only DEVICES [SQLite|PostgreSQL|\"3 processes\"]] [--library-only DOCUMENTS] [--search-only DOCUMENTS] [--app-only SECONDS] [--saves-only SAVES]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("rounds-bench: {e}");
            std::process::exit(2);
        }
    };
    let q = args.quick;
    let started = std::time::Instant::now();
    // How long each part took, for the report: `make bench` must stay
    // short enough to be run for every change that matters.
    let mut parts: Vec<(&str, Duration)> = Vec::new();
    let mut mark = std::time::Instant::now();
    let mut took = |what: &'static str, parts: &mut Vec<(&str, Duration)>| {
        parts.push((what, mark.elapsed()));
        mark = std::time::Instant::now();
    };

    eprintln!("sync: {} documents", if q { 20 } else { 1000 });
    let cfg = sync::SyncConfig {
        docs: if q { 20 } else { 1000 },
        keystroke_docs: if q { 2 } else { 50 },
        keystrokes: if q { 30 } else { 400 },
        changed: if q { 2 } else { 10 },
        repeats: if q { 3 } else { 15 },
        small: q,
        samod: true,
    };
    let mut s = sync::run(&cfg);
    took("sync beside samod", &mut parts);

    let big = if q { 200 } else { 10_000 };
    eprintln!("sync: nothing changed with {big} documents");
    let bigsync = sync::nothing_changed_at(big, cfg.repeats);
    let big_held = bigsync.held;
    took("a large library", &mut parts);

    eprintln!("store: {big} documents");
    let library_dir = tempfile::tempdir().expect("a temporary directory");
    let library = library_dir.path().join("store");
    let store = store_bench::run_in(&library, big, q);
    took("client store", &mut parts);

    // The desktop app on the same library. The quick run leaves it to
    // ui/e2e/appbench.e2e.ts, which `make test` runs small (cargo test
    // has no display and runs before the UI's tests install the driver).
    let app = if q {
        Err("not run by --quick: `make test` runs ui/e2e/appbench.e2e.ts small instead".to_owned())
    } else {
        eprintln!("desktop app: {big} documents");
        app::run(&library, app::EDIT_SECONDS, app::SEARCHES)
    };
    took("desktop app", &mut parts);

    eprintln!("office: a network's devices");
    let loads = office_loads(q);
    took("office load", &mut parts);

    eprintln!("poor link");
    let poor = s.kept.as_mut().map(|k| {
        poor::run(
            k,
            if q { 1 } else { cfg.changed },
            q,
            s.new_device.wire_up + s.new_device.wire_down,
        )
    });
    s.kept = None;
    // A new device over the same link: the office's default page against
    // the client's and a small one, each attempt bounded in time.
    let boots = if q {
        poor::bootstrap(
            4,
            q,
            &[(0, 0), (16 << 10, 1 << 20)],
            Duration::from_secs(10),
        )
    } else {
        poor::bootstrap(
            40,
            q,
            // On this link a growing page never grows, so a fixed 32 KB
            // page would repeat the client's default row.
            &[(0, 0), (32 << 10, 1 << 20), (16 << 10, 0)],
            // The small pages converge in about 20 s; the office's 1 MB
            // page never does through cuts every 10 s, and 40 s show it.
            Duration::from_secs(40),
        )
    };

    eprintln!("live edit");
    took("poor link", &mut parts);
    let live = live::run(if q { 5 } else { 100 });
    took("live edit", &mut parts);

    eprintln!("instruction counts");
    let counts = counts::run(if q { 20 } else { 200 }, q);
    took("instruction counts", &mut parts);

    let report = report::render(
        &args,
        &cfg,
        &s,
        &bigsync,
        big_held,
        &store,
        &loads,
        poor.as_ref(),
        &boots,
        &live,
        &counts,
        &app,
        &parts,
    );
    println!("{report}");
    eprintln!("done in {:.0} s", started.elapsed().as_secs_f64());
    if args.write {
        if let Err(e) = std::fs::write(&args.out, &report) {
            eprintln!("rounds-bench: cannot write {}: {e}", args.out.display());
            std::process::exit(1);
        }
        eprintln!("wrote {}", args.out.display());
    }
}

/// Members per office in the load, and how many of them share a plan.
const LOAD_MEMBERS: usize = 200;
const LOAD_SHARED: usize = 20;
const LOAD_QUICK_DEVICES: usize = 40;

/// The office under 10,000 devices, on SQLite with one process and
/// PostgreSQL with one and three (when a server is configured: `make bench`
/// runs one with pg_virtualenv). `--load-only` measures other sizes; 1,000
/// devices left the full run when it had to fit in 15 minutes, as they
/// told nothing 10,000 did not.
fn office_loads(q: bool) -> Vec<load::Outcome> {
    let sizes: &[usize] = if q { &[LOAD_QUICK_DEVICES] } else { &[10_000] };
    office_loads_at(sizes, q, None)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn office_loads_at(sizes: &[usize], q: bool, only: Option<&str>) -> Vec<load::Outcome> {
    let (members, shared) = if q {
        (20, 3)
    } else {
        (LOAD_MEMBERS, LOAD_SHARED)
    };
    let (interval, duration) = if q {
        (Duration::from_secs(1), Duration::from_secs(2))
    } else {
        // Every device syncs once or twice in the window: 15,000 syncs
        // at 10,000 devices, enough for a steady p99.
        (Duration::from_secs(30), Duration::from_secs(45))
    };
    let mut out = Vec::new();
    for &devices in sizes {
        let made = std::time::Instant::now();
        let prepared = load::Prepared::new(devices, members, shared);
        eprintln!(
            "office: {devices} plans made in {:.0} s",
            made.elapsed().as_secs_f64()
        );
        // SQLite with one process, then PostgreSQL with one and three, one
        // after another on the same network: setting up 10,000 devices
        // costs more than measuring them, so the PostgreSQL windows run on
        // the SQLite office moved there with `rounds-office migrate`.
        let wanted: Vec<(bool, usize)> = [(false, 1), (true, 1), (true, 3)]
            .into_iter()
            .filter(|&(pg, p)| only.is_none_or(|w| load::label(pg, p).contains(w)))
            .collect();
        let pgdb = if wanted.iter().any(|&(pg, _)| pg) {
            rounds_testkit::pg::PgTestDb::new()
        } else {
            None
        };
        let mut phases = Vec::new();
        for &(pg, processes) in &wanted {
            let store = match (pg, &pgdb) {
                (false, _) => load::Store::Sqlite,
                (true, Some(db)) => load::Store::Postgres(db.url.clone()),
                (true, None) => {
                    out.push(Err((
                        load::label(pg, processes),
                        "no PostgreSQL server (PGHOST)".to_owned(),
                    )));
                    continue;
                }
            };
            phases.push(load::Phase { store, processes });
        }
        if phases.is_empty() {
            continue;
        }
        let labels: Vec<String> = phases.iter().map(load::Phase::label).collect();
        eprintln!("office: {devices} devices, {}", labels.join(", then "));
        match load::run(
            &load::Scenario {
                devices,
                members,
                shared,
                interval,
                duration,
                new_per_mille: if q { 50 } else { 10 },
                phases,
            },
            &prepared,
        ) {
            Ok(rs) => out.extend(rs),
            Err(e) => out.extend(labels.into_iter().map(|l| Err((l, e.clone())))),
        }
    }
    out
}
