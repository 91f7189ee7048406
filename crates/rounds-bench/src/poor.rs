//! 10 + 10 changed over a poor link: 64 kbit/s, 600 ms round trip, every
//! connection cut every 10 s. Devices retry as the desktop app would, a
//! bounded number of times.

use std::time::{Duration, Instant};

use crate::library;
use crate::proxy::{Link, Proxy};
use crate::sync::Kept;

#[derive(Debug, Default, Clone)]
pub struct PoorResult {
    pub changed: usize,
    pub converged: bool,
    pub time: Duration,
    pub attempts: u32,
    pub failed_attempts: u32,
    /// Wire bytes (both ways) of all attempts, and of the ones a cut ended.
    pub wire_total: u64,
    pub wire_resent: u64,
    pub cuts: u64,
    /// The estimated time a new device's first sync would take on this
    /// link: its measured bytes at the link's rate.
    pub bootstrap_estimate: Duration,
}

pub fn link(quick: bool) -> Link {
    Link {
        rate: Some(8_000),
        delay: Duration::from_millis(300),
        cut_every: Some(if quick {
            Duration::from_secs(2)
        } else {
            Duration::from_secs(10)
        }),
    }
}

pub fn run(kept: &mut Kept, changed: usize, quick: bool, bootstrap_bytes: u64) -> PoorResult {
    let link = link(quick);
    let proxy = Proxy::start(kept.office.server.addr, link);
    kept.a.set_url(&proxy.url);
    kept.b.set_url(&proxy.url);
    let n = kept.ids.len();
    for i in 0..changed {
        let id = kept.ids[(i * 7 + 3) % n].clone();
        library::edit_once(&mut kept.a.store, &id, "补充：出院前再次评估脱水程度。");
        let id = kept.ids[(i * 7 + 5) % n].clone();
        library::edit_once(&mut kept.b.store, &id, " Add a short quiz at the end.");
    }
    let mut res = PoorResult {
        changed,
        bootstrap_estimate: Duration::from_secs_f64(
            bootstrap_bytes as f64 / link.rate.unwrap_or(1) as f64,
        ),
        ..Default::default()
    };
    let start = Instant::now();
    let limit = Duration::from_secs(if quick { 30 } else { 240 });
    // A pushes, B pushes and pulls, A pulls: the two sides converge.
    let mut done = true;
    for which in [0, 1, 0] {
        let t = if which == 0 { &mut kept.a } else { &mut kept.b };
        let mut ok = false;
        for _ in 0..40 {
            if start.elapsed() > limit {
                break;
            }
            let (u0, d0) = proxy.counters.get();
            res.attempts += 1;
            let mut transport = t.transport();
            let r = t.sync_with(&mut transport);
            let (u1, d1) = proxy.counters.get();
            res.wire_total += (u1 - u0) + (d1 - d0);
            if r.is_ok() {
                ok = true;
                break;
            }
            res.failed_attempts += 1;
            res.wire_resent += (u1 - u0) + (d1 - d0);
            std::thread::sleep(Duration::from_millis(200));
        }
        done &= ok;
    }
    res.time = start.elapsed();
    res.converged = done;
    res.cuts = proxy
        .counters
        .cuts
        .load(std::sync::atomic::Ordering::SeqCst);
    kept.a.set_url(&kept.office.server.url);
    kept.b.set_url(&kept.office.server.url);
    res
}

/// A new device's first sync over the poor link, with a given page size
/// (0: the office's default) and the size pages grow to (0: fixed).
#[derive(Debug, Default, Clone)]
pub struct BootResult {
    pub page_bytes: u32,
    /// The page size pages grow to while they arrive quickly (0: fixed).
    pub grow_to: u32,
    pub docs: usize,
    pub converged: bool,
    pub time: Duration,
    pub attempts: u32,
    pub wire_total: u64,
    pub wire_resent: u64,
}

/// Syncs through the real session and store, as `rounds_client::sync`
/// does, but asking for pages of `page_bytes`, growing to `grow_to`.
fn sync_paged(
    t: &mut rounds_testkit::Teacher,
    page_bytes: u32,
    grow_to: u32,
) -> Result<(), rounds_client::ClientError> {
    let mut transport = t.transport();
    let limits = rounds_core::sync::SessionLimits {
        page_bytes,
        grow_page_to: grow_to,
        ..Default::default()
    };
    rounds_client::sync_with_limits(
        &mut t.store,
        &mut transport,
        &crate::office::now_ms,
        limits,
        &mut |_| {},
    )
    .map(|_| ())
}

/// An office with `docs` full-size documents and a new device joining it
/// over the poor link, once per page size (first, grown to); each bounded
/// by `limit`.
pub fn bootstrap(
    docs: usize,
    quick: bool,
    pages: &[(u32, u32)],
    limit: Duration,
) -> Vec<BootResult> {
    let office = crate::office::Office::start(2);
    let mut a = office.teacher(&office.server.url, "王老师");
    let generated = library::generate(&mut a.store, docs, 31, quick);
    let shared = crate::office::share_all(&mut a.store, &generated);
    let mut t = a.transport();
    let _ = a.sync_with(&mut t);
    office.compact_all();
    let mut out = Vec::new();
    for &(page_bytes, grow_to) in pages {
        let proxy = Proxy::start(office.server.addr, link(quick));
        let mut c = office.teacher(&office.server.url, "赵老师");
        c.set_url(&proxy.url);
        let mut r = BootResult {
            page_bytes,
            grow_to,
            docs: shared.len(),
            ..Default::default()
        };
        let start = Instant::now();
        for _ in 0..100 {
            if start.elapsed() > limit {
                break;
            }
            let (u0, d0) = proxy.counters.get();
            r.attempts += 1;
            let ok = sync_paged(&mut c, page_bytes, grow_to).is_ok();
            let (u1, d1) = proxy.counters.get();
            r.wire_total += (u1 - u0) + (d1 - d0);
            if ok {
                r.converged = true;
                break;
            }
            r.wire_resent += (u1 - u0) + (d1 - d0);
            std::thread::sleep(Duration::from_millis(200));
        }
        r.time = start.elapsed();
        out.push(r);
    }
    out
}
