//! CPU time per thread, peak memory and percentiles, read from `/proc`.
//!
//! The office and the client run in one process, so process CPU time would
//! mix them. Every thread the office uses is named `office…`, the loopback
//! proxies' threads `proxy…` and samod's runtimes `samod-a…`/`samod-b…`; the
//! CPU time of each side is the sum over its threads of the nanoseconds in
//! `/proc/self/task/*/schedstat`, which is exact. Threads that end within a
//! measurement are no longer listed there; the process's CPU clock, which
//! keeps the time of ended threads, gives their sum.

use std::collections::HashMap;
use std::time::Duration;

/// CPU time of the calling thread so far.
pub fn thread_cpu() -> Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Nanoseconds on CPU per live thread, with the thread's name, and the
/// whole process's, ended threads included.
#[derive(Debug, Clone, Default)]
pub struct CpuSnapshot {
    threads: HashMap<u32, (String, u64)>,
    process: u64,
}

pub fn cpu_snapshot() -> CpuSnapshot {
    let mut map = HashMap::new();
    let process = process_cpu_ns();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return CpuSnapshot {
            threads: map,
            process,
        };
    };
    for entry in dir.flatten() {
        let Some(tid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ns = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        map.insert(tid, (comm.trim().to_owned(), ns));
    }
    CpuSnapshot {
        threads: map,
        process,
    }
}

/// The CPU time of the whole process, in nanoseconds, ended threads
/// included (the process's CPU clock; `/proc` has it only in clock ticks).
fn process_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Which side of a measurement a thread belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Office,
    Client,
    Ignored,
}

/// Office threads, samod's "server" repo and the proxies are named by the
/// benchmark; every other thread (the main thread, reqwest's runtime,
/// samod's client repo) counts as the client.
pub fn side_of(name: &str) -> Side {
    if name.starts_with("office") || name.starts_with("samod-a") {
        Side::Office
    } else if name.starts_with("proxy") || name.starts_with("loadgen") {
        Side::Ignored
    } else {
        Side::Client
    }
}

/// CPU time of each side between two snapshots. The office's threads and
/// the proxies' live on across a measurement (tokio's blocking threads are
/// kept for an hour, the office's push pool for the process); a thread that
/// ended in between is the client's (a sync reads its next slice of
/// documents on a thread that ends with each request), counted as the
/// process's time less that of the threads still alive.
pub fn cpu_between(before: &CpuSnapshot, after: &CpuSnapshot) -> (Duration, Duration) {
    let mut office = 0u64;
    let mut client = 0u64;
    let mut live = 0u64;
    for (tid, (name, ns)) in &after.threads {
        let start = before.threads.get(tid).map_or(0, |(_, n)| *n);
        let d = ns.saturating_sub(start);
        live += d;
        match side_of(name) {
            Side::Office => office += d,
            Side::Client => client += d,
            Side::Ignored => {}
        }
    }
    // The process's time less the live threads' is that of threads that
    // ended: one alive at the first snapshot counts only from there, as the
    // process's total does.
    let ended = after
        .process
        .saturating_sub(before.process)
        .saturating_sub(live);
    client += ended;
    (Duration::from_nanos(client), Duration::from_nanos(office))
}

/// The peak resident set size of this process, in bytes (VmHWM).
pub fn peak_rss() -> u64 {
    status_kb("VmHWM:") * 1024
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// The `p`-th percentile (0..=100) of the samples, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

pub fn bytes(n: u64) -> String {
    if n >= 10 * 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 10 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
