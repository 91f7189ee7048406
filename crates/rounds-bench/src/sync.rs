//! Sync through a real office over loopback HTTP, and the same workload
//! through samod, in the same run.

use std::time::{Duration, Instant};

use rounds_client::HttpTransport;
use rounds_core::sync::Report;

use crate::library;
use crate::measure::{cpu_between, cpu_snapshot, thread_cpu};
use crate::office::{Office, share_all};
use crate::proxy::{Link, Proxy};
use rounds_testkit::Teacher;

/// One measured sync (or samod exchange).
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Frame bytes, client to office and back.
    pub body_up: u64,
    pub body_down: u64,
    /// Bytes on the wire (HTTP headers included), when a proxy counted them.
    pub wire_up: u64,
    pub wire_down: u64,
    pub round_trips: u32,
    pub client_cpu: Duration,
    pub office_cpu: Duration,
    pub wall: Duration,
    /// Messages each way (samod).
    pub messages: (u64, u64),
}

/// Everything the sync part measured, for the table and the targets.
#[derive(Default)]
pub struct SyncResults {
    pub docs: usize,
    pub keystroke_docs: usize,
    pub text_bytes: (usize, usize, usize),
    pub compacted_sum: u64,
    pub upload: Run,
    pub new_device: Run,
    /// The new device's floor: see [`load_floor`].
    pub new_device_floor: Duration,
    pub nothing: Run,
    pub nothing_a: Run,
    pub push_a: Run,
    pub both: Run,
    pub pull_a: Run,
    pub change_bytes_up: u64,
    pub change_bytes_down: u64,
    pub samod_new_device: Option<Run>,
    pub samod_nothing: Option<Run>,
    pub samod_both: Option<Run>,
    pub samod_error: Option<String>,
    /// The retained state, for the poor-link part.
    pub kept: Option<Kept>,
}

pub struct Kept {
    pub office: Office,
    pub a: Teacher,
    pub b: Teacher,
    pub ids: Vec<String>,
}

/// Runs one sync of `t` through `proxy`, measuring it.
pub fn measured_sync(t: &mut Teacher, proxy: &Proxy) -> Run {
    let mut transport: HttpTransport = t.transport();
    let (w_up, w_down) = proxy.counters.get();
    let cpu0 = cpu_snapshot();
    let start = Instant::now();
    let report: Report = t.sync_with(&mut transport).expect("a sync");
    let wall = start.elapsed();
    let cpu1 = cpu_snapshot();
    // The transport (and reqwest's thread) lives until after the snapshot.
    drop(transport);
    let (w_up2, w_down2) = proxy.counters.get();
    let (client_cpu, office_cpu) = cpu_between(&cpu0, &cpu1);
    Run {
        body_up: report.bytes_up,
        body_down: report.bytes_down,
        wire_up: w_up2 - w_up,
        wire_down: w_down2 - w_down,
        round_trips: report.round_trips,
        client_cpu,
        office_cpu,
        wall,
        messages: (0, 0),
    }
}

/// The floor of a new device's first sync: the CPU it takes only to load
/// every document the device received from the bytes it stored (Automerge
/// `load`, no database, no index, no network). A sync can do no less, as
/// reading a document's text for the index needs it loaded.
pub fn load_floor(t: &Teacher, ids: &[String]) -> Duration {
    let stored: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| {
            t.store
                .raw_bytes(id)
                .expect("a document the device received")
        })
        .collect();
    let start = thread_cpu();
    for b in &stored {
        std::hint::black_box(automerge::AutoCommit::load(b).expect("stored bytes load"));
    }
    thread_cpu() - start
}

/// The median of several runs of the same thing (by wall time), with CPU
/// times replaced by their medians: one "nothing changed" sync is well
/// under a millisecond, so a single sample is mostly noise.
pub fn median_run(mut runs: Vec<Run>) -> Run {
    let mid = runs.len() / 2;
    let mut client: Vec<Duration> = runs.iter().map(|r| r.client_cpu).collect();
    let mut office: Vec<Duration> = runs.iter().map(|r| r.office_cpu).collect();
    client.sort();
    office.sort();
    runs.sort_by_key(|r| r.wall);
    let mut r = runs.swap_remove(mid);
    r.client_cpu = client[mid];
    r.office_cpu = office[mid];
    r
}

pub struct SyncConfig {
    pub docs: usize,
    pub keystroke_docs: usize,
    pub keystrokes: usize,
    pub changed: usize,
    pub repeats: usize,
    pub small: bool,
    pub samod: bool,
}

pub fn run(cfg: &SyncConfig) -> SyncResults {
    let mut res = SyncResults {
        keystroke_docs: cfg.keystroke_docs,
        ..Default::default()
    };
    let office = Office::start(2);
    let proxy = Proxy::start(office.server.addr, Link::default());
    let mut a = office.teacher(&proxy.url, "王老师");
    eprintln!("  generating {} documents", cfg.docs);
    let generated = library::generate(&mut a.store, cfg.docs, 7, cfg.small);
    let ids = share_all(&mut a.store, &generated);
    // Keystroke-level history goes into shared lesson plans: a shared case
    // is a fresh copy, and later edits of it are squashed before they leave.
    crate::office::fast_writes(&a.store, true);
    let mut typed = 0;
    for id in &ids {
        if typed == cfg.keystroke_docs {
            break;
        }
        if matches!(a.store.summary(id), Ok(s) if s.kind == rounds_core::schema::DocKind::LESSON_PLAN)
        {
            library::type_keystrokes(&mut a.store, id, cfg.keystrokes, "王老师");
            typed += 1;
        }
    }
    crate::office::fast_writes(&a.store, false);
    // Sizes of the text and of each document compacted (Automerge `save`).
    let mut sizes = Vec::with_capacity(ids.len());
    let mut saved = Vec::with_capacity(ids.len());
    for id in &ids {
        let mut d = a.store.load(id).expect("a document");
        sizes.push(d.search_text().len());
        let bytes = d.save();
        res.compacted_sum += bytes.len() as u64;
        if cfg.samod {
            saved.push(bytes);
        }
    }
    sizes.sort_unstable();
    res.docs = ids.len();
    res.text_bytes = (sizes[0], sizes[sizes.len() / 2], sizes[sizes.len() - 1]);

    eprintln!("  first upload");
    res.upload = measured_sync(&mut a, &proxy);
    office.compact_all();

    eprintln!("  a new device's first sync");
    let mut b = office.teacher(&proxy.url, "李老师");
    res.new_device = measured_sync(&mut b, &proxy);
    res.new_device_floor = load_floor(&b, &ids);

    eprintln!("  nothing changed");
    let runs: Vec<Run> = (0..cfg.repeats)
        .map(|_| measured_sync(&mut b, &proxy))
        .collect();
    res.nothing = median_run(runs);
    let runs: Vec<Run> = (0..cfg.repeats)
        .map(|_| measured_sync(&mut a, &proxy))
        .collect();
    res.nothing_a = median_run(runs);

    eprintln!("  {} changed on each of two sides", cfg.changed);
    // Documents spread over the library, keystroke-history ones included;
    // the two sides edit different documents.
    let step = (ids.len() / (2 * cfg.changed)).max(1);
    let a_ids: Vec<String> = (0..cfg.changed)
        .map(|i| ids[(2 * i * step) % ids.len()].clone())
        .collect();
    let b_ids: Vec<String> = (0..cfg.changed)
        .map(|i| ids[((2 * i + 1) * step) % ids.len()].clone())
        .collect();
    let mut a_changes = Vec::new();
    for id in &a_ids {
        a_changes.push((
            id.clone(),
            library::edit_once(&mut a.store, id, "已与家长沟通复诊时间。"),
        ));
    }
    let mut b_changes = Vec::new();
    for id in &b_ids {
        b_changes.push((
            id.clone(),
            library::edit_once(
                &mut b.store,
                id,
                " Review the danger signs with the parents before discharge.",
            ),
        ));
    }
    res.change_bytes_up = b_changes
        .iter()
        .flat_map(|(_, c)| c.iter().map(|c| c.len() as u64))
        .sum();
    res.change_bytes_down = a_changes
        .iter()
        .flat_map(|(_, c)| c.iter().map(|c| c.len() as u64))
        .sum();
    res.push_a = measured_sync(&mut a, &proxy);
    res.both = measured_sync(&mut b, &proxy);
    res.pull_a = measured_sync(&mut a, &proxy);

    if cfg.samod {
        eprintln!("  the same through samod");
        let mut out = crate::samod_sync::SamodOut::default();
        if let Err(e) = crate::samod_sync::run(&ids, &saved, &a_changes, &b_changes, &mut out) {
            res.samod_error = Some(e);
        }
        res.samod_new_device = out.new_device;
        res.samod_nothing = out.nothing;
        res.samod_both = out.both;
    }
    drop(proxy);
    res.kept = Some(Kept { office, a, b, ids });
    res
}

pub struct BigSync {
    pub upload: Run,
    pub first: Run,
    /// The new device's floor: see [`load_floor`].
    pub floor: Duration,
    pub nothing: Run,
    pub held: usize,
}

/// "Nothing changed" with a larger library: bytes each way and the office's
/// CPU time per sync, to show it does not grow with the number of documents.
pub fn nothing_changed_at(docs: usize, repeats: usize) -> BigSync {
    let office = Office::start(2);
    let proxy = Proxy::start(office.server.addr, Link::default());
    let mut a = office.teacher(&proxy.url, "王老师");
    // Small bodies: this measures what a sync costs per document held,
    // which does not depend on their size, and keeps setup short.
    let generated = library::generate(&mut a.store, docs, 11, true);
    let shared = share_all(&mut a.store, &generated);
    let upload = measured_sync(&mut a, &proxy);
    // The new device is measured right after the upload. Every document is
    // new to the office, whose snapshot is stored with the push that made
    // it, so there is no backlog for the background task to fold.
    let mut b = office.teacher(&proxy.url, "李老师");
    let first = measured_sync(&mut b, &proxy);
    let floor = load_floor(&b, &shared);
    // The office compacts snapshots in the background after an upload; it
    // must be done before measuring, or its work would count as the sync's.
    office.compact_all();
    let runs: Vec<Run> = (0..repeats)
        .map(|_| measured_sync(&mut b, &proxy))
        .collect();
    BigSync {
        upload,
        first,
        floor,
        nothing: median_run(runs),
        held: b.store.count(&Default::default()).unwrap_or(0),
    }
}
