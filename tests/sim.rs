//! A deterministic, seeded simulation of several teachers and an office,
//! with faults: requests and responses lost, requests delivered twice,
//! office restarts and client crashes (reopening what is on disk) between
//! any two steps. Every device has two connections to its database, as
//! the desktop app does: an editor, whose saves are based on the version it
//! shows (often older than what the sync worker has written since), and a
//! sync worker; their steps interleave at random. After the network heals
//! and everyone syncs, every replica must agree with the office, every
//! saved edit must be present unless a later edit removed it, and no
//! replica may hold a document it may not read.
//!
//! The seed decides everything: the schedule, and every id, code, token,
//! epoch and time the office and the stores make (they are given a seeded
//! `Entropy` and the world's clock), so the same seed writes the same
//! databases byte for byte (`a_seed_replays_byte_for_byte`).
//!
//! The same world runs with its office as three processes on one
//! PostgreSQL database (`..._with_three_processes_on_postgres`): every
//! exchange goes to one of them at random, as through a load balancer, and
//! restarts, revocations and snapshot compaction hit one process at a time.
//! Each process has its own service and its own pool, so nothing passes
//! between them but the database, as between `rounds-office serve`
//! processes (`tests/office_processes.rs` runs the real binaries).
//!
//! One world has a site without a link (`..._by_usb_bundle`): one device
//! syncs only by USB bundle, each leg of the trip subject to the faults.
//!
//! `cargo test -p rounds-tests --test sim -- --nocapture` prints the counts.
//! `SIM_SEEDS=500 SIM_STEPS=300` (see `make soak`) runs more. A failing seed
//! is printed with the command that replays it; add it to
//! `tests/regressions/sim-seeds.txt` so it runs forever after.

// The crate root of this test is `sim.rs`, so its module lives beside it.
#[path = "sim/world.rs"]
mod world;

use world::{Backend, Counts, Sim};

fn run(seed: u64, steps: usize) -> Result<Counts, String> {
    play(Sim::new(seed), steps)
}

fn play(mut sim: Sim, steps: usize) -> Result<Counts, String> {
    for _ in 0..steps {
        sim.step();
    }
    sim.heal();
    sim.check().map(|()| sim.counts)
}

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn replicas_converge_under_faults() {
    let seeds = env_usize("SIM_SEEDS", 12);
    let steps = env_usize("SIM_STEPS", 120);
    let first = env_usize("SIM_FIRST_SEED", 1) as u64;
    let _ = converge("", seeds, steps, first, &mut |seed| run(seed, steps));
}

/// The office as three processes on one PostgreSQL database.
#[test]
fn replicas_converge_under_faults_with_three_processes_on_postgres() {
    if rounds_testkit::pg::PgTestDb::new().is_none() {
        return;
    }
    let seeds = env_usize("SIM_PG_SEEDS", 6);
    let steps = env_usize("SIM_STEPS", 120);
    let first = env_usize("SIM_FIRST_SEED", 1) as u64;
    let total = converge(" SIM_PG_SEEDS=1", seeds, steps, first, &mut |seed| {
        // A database of its own per schedule: a seed's ids repeat.
        let db = rounds_testkit::pg::PgTestDb::new().expect("a server was found above");
        let sim = Sim::with_office(seed, Backend::Postgres(db.url.clone()), 3);
        let r = play(sim, steps);
        drop(db);
        r
    });
    // Every process served: the load balancer really spread the syncs.
    assert!(
        steps < 50 || (total.by_process.len() == 3 && total.by_process.iter().all(|&n| n > 0)),
        "syncs by process: {:?}",
        total.by_process
    );
}

/// One of the teachers works at a site without a link and syncs only by
/// USB bundle, through the same faults (a bundle or its answer lost, a
/// bundle imported twice, an old answer carried in again); the world must
/// converge as it does over the network.
#[test]
fn replicas_converge_with_a_site_that_syncs_by_usb_bundle() {
    let seeds = env_usize("SIM_USB_SEEDS", 6);
    let steps = env_usize("SIM_STEPS", 120);
    let first = env_usize("SIM_FIRST_SEED", 1) as u64;
    let total = converge(" SIM_USB_SEEDS=1", seeds, steps, first, &mut |seed| {
        play(Sim::with_usb_site(seed), steps)
    });
    assert!(
        steps < 50 || total.bundles > 0,
        "no bundle was carried: {total:?}"
    );
}

/// Runs the saved regression seeds and `seeds` more from `first`; fails
/// with the command that replays each failing seed.
fn converge(
    replay_env: &str,
    seeds: usize,
    steps: usize,
    first: u64,
    run: &mut dyn FnMut(u64) -> Result<Counts, String>,
) -> Counts {
    let regressions: Vec<u64> = include_str!("regressions/sim-seeds.txt")
        .lines()
        .filter_map(|l| l.split('#').next()?.trim().parse().ok())
        .collect();
    let mut total = Counts::default();
    let mut schedules = 0;
    let mut failures = Vec::new();
    for seed in regressions
        .iter()
        .copied()
        .chain(first..first + seeds as u64)
    {
        schedules += 1;
        match run(seed) {
            Ok(c) => {
                total.operations += c.operations;
                total.faults += c.faults;
                total.restarts += c.restarts;
                total.crashes += c.crashes;
                total.syncs += c.syncs;
                total.edits_checked += c.edits_checked;
                total.interleavings += c.interleavings;
                total.compactions += c.compactions;
                total.bundles += c.bundles;
                if total.by_process.len() < c.by_process.len() {
                    total.by_process.resize(c.by_process.len(), 0);
                }
                for (t, n) in total.by_process.iter_mut().zip(&c.by_process) {
                    *t += n;
                }
            }
            Err(e) => {
                total.edits_lost += 1;
                failures.push(format!(
                    "seed {seed}: {e}\n  replay: SIM_SEEDS=1{replay_env} SIM_FIRST_SEED={seed} SIM_STEPS={steps} cargo test -p rounds-tests --test sim -- --nocapture"
                ));
            }
        }
    }
    println!(
        "simulation: {schedules} schedules, {} operations, {} syncs, {} faults injected, {} office restarts, {} client crashes, {} snapshots compacted, {} edits checked, {} edits lost",
        total.operations,
        total.syncs,
        total.faults,
        total.restarts,
        total.crashes,
        total.compactions,
        total.edits_checked,
        total.edits_lost
    );
    println!("two-connection interleavings: {}", total.interleavings);
    println!(
        "bundle round trips (a site without a link): {}",
        total.bundles
    );
    println!(
        "syncs answered by each office process: {:?}",
        total.by_process
    );
    assert!(
        failures.is_empty(),
        "{} failing seeds (add them to tests/regressions/sim-seeds.txt):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The editor's saves must really race the worker's writes, or the
    // simulation proves nothing about two connections.
    assert!(
        steps < 50 || total.interleavings > 0,
        "no editor save was based on a version older than the worker's"
    );
    // Compaction ran against live pushes, or the schedule proves nothing
    // about it.
    assert!(
        steps < 50 || total.compactions > 0,
        "no snapshot was compacted"
    );
    total
}

/// The same seed, run twice in fresh directories, writes the same office
/// database and the same device databases, row for row; another seed does
/// not (so the comparison can tell).
#[test]
fn a_seed_replays_byte_for_byte() {
    let steps = env_usize("SIM_STEPS", 120);
    let first = env_usize("SIM_FIRST_SEED", 1) as u64;
    let world = |seed: u64| {
        let mut sim = Sim::new(seed);
        for _ in 0..steps {
            sim.step();
        }
        sim.heal();
        (sim.dumps(), sim.counts.clone())
    };
    for seed in first..first + 3 {
        let (a, ca) = world(seed);
        let (b, cb) = world(seed);
        assert_eq!(ca, cb, "seed {seed}: the schedules differ");
        assert_eq!(
            a.len(),
            b.len(),
            "seed {seed}: a different number of databases"
        );
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            if x != y {
                let line = x
                    .lines()
                    .zip(y.lines())
                    .position(|(l, m)| l != m)
                    .unwrap_or(0);
                let show = |d: &str| {
                    d.lines()
                        .nth(line)
                        .unwrap_or("")
                        .chars()
                        .take(300)
                        .collect::<String>()
                };
                panic!(
                    "seed {seed}: {name}'s database differs between two runs at line {line}:\n  {}\n  {}",
                    show(x),
                    show(y)
                );
            }
        }
        // Something was written: documents reached the office.
        assert!(a[0].1.contains("table log\n") && a[0].1.matches('\n').count() > 50);
        let (other, _) = world(seed + 1000);
        assert_ne!(
            a[0].1, other[0].1,
            "seed {seed}: another seed wrote the same office"
        );
    }
}
