//! What the office counts, served as `GET /metrics` in the Prometheus text
//! format (version 0.0.4): requests by route and status, their latency as
//! histograms, syncs, documents accepted and refused (by code and rule),
//! what was sent back, long polls waiting, and the database's log head.
//! Counters live in this process (several office processes are scraped one
//! by one and summed by the monitoring, as Prometheus does).
//!
//! Written here rather than with a metrics crate: a handful of counters and
//! one histogram family, rendered in a page of code, need none of a
//! registry's machinery, and nothing here may ever block a request.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The latency buckets, in seconds: from a "nothing changed" sync on the
/// same machine to a large first sync on a poor link.
pub const BOUNDS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at most each bound (not yet cumulative).
    buckets: [u64; BOUNDS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    refusals: Mutex<BTreeMap<(String, String), u64>>,
    pub syncs: AtomicU64,
    pub docs_accepted: AtomicU64,
    pub changes_sent: AtomicU64,
    pub snapshots_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
}

/// The routes counted by name; anything else is `other`, so that made-up
/// paths cannot grow the office's memory.
pub fn route_of(path: &str) -> &'static str {
    match path {
        "/v1/sync" => "/v1/sync",
        "/v1/wait" => "/v1/wait",
        "/v1/enroll" => "/v1/enroll",
        "/v1/members" => "/v1/members",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

/// What the database says when the page is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub waiting: u32,
    pub log_head: i64,
    pub backend: &'static str,
    pub pool: crate::db::PoolGauge,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    pub fn request(&self, route: &'static str, status: u16, seconds: f64) {
        *lock(&self.requests).entry((route, status)).or_default() += 1;
        lock(&self.latency)
            .entry(route)
            .or_default()
            .observe(seconds);
    }

    /// A refused document: its code and the rule its message starts with
    /// (`stage: …` → `stage`), or `-` for a message without one.
    pub fn refusal(&self, code: &str, message: &str) {
        let rule = message
            .split_once(':')
            .map(|(r, _)| r)
            .filter(|r| {
                !r.is_empty()
                    && r.len() <= 32
                    && r.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
            .unwrap_or("-");
        *lock(&self.refusals)
            .entry((code.to_owned(), rule.to_owned()))
            .or_default() += 1;
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The page `GET /metrics` answers.
    pub fn render(&self, g: Gauges) -> String {
        let mut o = String::new();
        let counter = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let _ = writeln!(
            o,
            "# HELP rounds_office_requests_total HTTP requests answered, by route and status.\n# TYPE rounds_office_requests_total counter"
        );
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                o,
                "rounds_office_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            o,
            "# HELP rounds_office_request_seconds Time to answer a request, by route (a wait's long poll included).\n# TYPE rounds_office_request_seconds histogram"
        );
        for (route, h) in lock(&self.latency).iter() {
            let mut cumulative = 0;
            for (b, n) in BOUNDS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    o,
                    "rounds_office_request_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                o,
                "rounds_office_request_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\nrounds_office_request_seconds_sum{{route=\"{route}\"}} {}\nrounds_office_request_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        let _ = writeln!(
            o,
            "# HELP rounds_office_refusals_total Pushed documents refused, by code and rule.\n# TYPE rounds_office_refusals_total counter"
        );
        for ((code, rule), n) in lock(&self.refusals).iter() {
            let _ = writeln!(
                o,
                "rounds_office_refusals_total{{code=\"{code}\",rule=\"{rule}\"}} {n}"
            );
        }
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        counter(
            &mut o,
            "rounds_office_syncs_total",
            "Sync requests answered.",
            get(&self.syncs),
        );
        counter(
            &mut o,
            "rounds_office_documents_accepted_total",
            "Pushed documents accepted (all their changes stored or known).",
            get(&self.docs_accepted),
        );
        counter(
            &mut o,
            "rounds_office_changes_sent_total",
            "Changes sent to devices in sync pages.",
            get(&self.changes_sent),
        );
        counter(
            &mut o,
            "rounds_office_snapshots_sent_total",
            "Whole documents sent to devices in sync pages.",
            get(&self.snapshots_sent),
        );
        counter(
            &mut o,
            "rounds_office_sync_bytes_sent_total",
            "Bytes of sync answers sent.",
            get(&self.bytes_sent),
        );
        let _ = writeln!(
            o,
            "# HELP rounds_office_waiting Devices waiting on the wake-up channel now.\n# TYPE rounds_office_waiting gauge\nrounds_office_waiting {}",
            g.waiting
        );
        let _ = writeln!(
            o,
            "# HELP rounds_office_log_head The office's last change-log position.\n# TYPE rounds_office_log_head gauge\nrounds_office_log_head {}",
            g.log_head
        );
        let b = g.backend;
        let _ = writeln!(
            o,
            "# HELP rounds_office_db_connections The database connections of this process, by state.\n# TYPE rounds_office_db_connections gauge\nrounds_office_db_connections{{backend=\"{b}\",state=\"idle\"}} {}\nrounds_office_db_connections{{backend=\"{b}\",state=\"busy\"}} {}",
            g.pool.idle,
            g.pool.open.saturating_sub(g.pool.idle)
        );
        let _ = writeln!(
            o,
            "# HELP rounds_office_db_connections_max The connections this process may open.\n# TYPE rounds_office_db_connections_max gauge\nrounds_office_db_connections_max{{backend=\"{b}\"}} {}",
            g.pool.max
        );
        let _ = writeln!(
            o,
            "# HELP rounds_office_db_waiting Requests waiting for a database connection.\n# TYPE rounds_office_db_waiting gauge\nrounds_office_db_waiting{{backend=\"{b}\"}} {}",
            g.pool.waiting
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_cumulative_and_counts_everything() {
        let m = Metrics::default();
        for s in [0.0005, 0.02, 0.02, 3.0, 60.0] {
            m.request("/v1/sync", 200, s);
        }
        let page = m.render(Gauges::default());
        assert!(
            page.contains(
                "rounds_office_request_seconds_bucket{route=\"/v1/sync\",le=\"0.001\"} 1\n"
            )
        );
        assert!(
            page.contains(
                "rounds_office_request_seconds_bucket{route=\"/v1/sync\",le=\"0.025\"} 3\n"
            )
        );
        assert!(
            page.contains("rounds_office_request_seconds_bucket{route=\"/v1/sync\",le=\"10\"} 4\n")
        );
        assert!(
            page.contains(
                "rounds_office_request_seconds_bucket{route=\"/v1/sync\",le=\"+Inf\"} 5\n"
            )
        );
        assert!(page.contains("rounds_office_request_seconds_count{route=\"/v1/sync\"} 5\n"));
        assert!(
            page.contains("rounds_office_requests_total{route=\"/v1/sync\",status=\"200\"} 5\n")
        );
    }

    #[test]
    fn refusals_are_counted_by_code_and_rule_and_made_up_rules_do_not_grow_it() {
        let m = Metrics::default();
        m.refusal(
            "forbidden",
            "stage: only the lead preparer moves the preparation stages",
        );
        m.refusal("forbidden", "stage: again");
        m.refusal("identifier", "identifier: change … would add …");
        m.refusal("malformed", "change 3 is not an Automerge change: whatever");
        m.refusal("malformed", "Weird Rule!: x");
        let page = m.render(Gauges::default());
        assert!(
            page.contains("rounds_office_refusals_total{code=\"forbidden\",rule=\"stage\"} 2\n")
        );
        assert!(
            page.contains(
                "rounds_office_refusals_total{code=\"identifier\",rule=\"identifier\"} 1\n"
            )
        );
        assert!(page.contains("rounds_office_refusals_total{code=\"malformed\",rule=\"-\"} 2\n"));
        assert_eq!(route_of("/v1/../../etc/passwd"), "other");
    }
}
