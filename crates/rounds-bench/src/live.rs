//! Live editing: the time from a save on device A to the text being there
//! on device B, whose document is open, through the real office, the real
//! sync workers (default timing) and the wake-up channel, on loopback.
//!
//! "There on B" is the moment B's worker reports a finished sync that
//! received documents and B's app returns the new text: the status event
//! the desktop UI refreshes its open editor on. The UI's own refresh (one
//! IPC call and a render) comes on top and is not measured here.

use rounds_core::schema::DocKind;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rounds_app::{App, Kind, Language, SyncState, SyncStatus, Timing};

use crate::measure::percentile;
use crate::office::Office;

pub struct LiveResult {
    pub edits: usize,
    /// Save on A → A's worker has pushed it (office acknowledged).
    pub pushed: Vec<Duration>,
    /// Save on A → the text is there on B.
    pub shown: Vec<Duration>,
    pub debounce: Duration,
    pub failures: usize,
}

impl LiveResult {
    pub fn p(&self, which: &[Duration], p: f64) -> Duration {
        let mut v = which.to_vec();
        v.sort();
        percentile(&v, p)
    }
}

fn open(office: &Office, name: &str) -> (App, mpsc::Receiver<SyncStatus>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory for a device");
    let app = App::open(dir.path()).expect("an app library");
    let code = office.code_for_new_member(name);
    app.join(&office.server.url, &code, "bench device", None)
        .expect("joining the office");
    let (tx, rx) = mpsc::channel();
    app.start_sync(Timing::default(), move |s| {
        let _ = tx.send(s.clone());
    });
    (app, rx, dir)
}

/// Waits for a status that `pred` accepts, or gives up after `limit`.
fn wait_for(
    rx: &mpsc::Receiver<SyncStatus>,
    limit: Duration,
    pred: impl Fn(&SyncStatus) -> bool,
) -> bool {
    let end = Instant::now() + limit;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(s) if pred(&s) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

pub fn run(edits: usize) -> LiveResult {
    let office = Office::start(2);
    let (a, a_rx, _a_dir) = open(&office, "王老师");
    let id = a
        .create(
            Kind::from(DocKind::LESSON_PLAN),
            "小儿哮喘的规范化管理",
            Language::Zh,
            None,
        )
        .expect("a plan")
        .summary
        .id;
    a.share(&id, false).expect("sharing");
    wait_for(&a_rx, Duration::from_secs(30), |s| {
        s.state == SyncState::Idle && s.pending == 0
    });
    let (b, b_rx, _b_dir) = open(&office, "李老师");
    wait_for(&b_rx, Duration::from_secs(30), |s| {
        s.state == SyncState::Idle
    });
    let mut result = LiveResult {
        edits,
        pushed: Vec::new(),
        shown: Vec::new(),
        debounce: Timing::default().debounce,
        failures: 0,
    };
    for i in 0..edits {
        // Start each edit from quiet: nothing of the last one in flight.
        while a_rx.try_recv().is_ok() || b_rx.try_recv().is_ok() {}
        let text = format!("第{i}次修改：吸入激素的剂量与疗程");
        let start = Instant::now();
        a.edit(&id, &serde_json::json!({ "course": text }))
            .expect("saving on A");
        let mut pushed = None;
        let mut shown = None;
        let end = start + Duration::from_secs(20);
        while (pushed.is_none() || shown.is_none()) && Instant::now() < end {
            if pushed.is_none()
                && let Ok(s) = a_rx.recv_timeout(Duration::from_millis(5))
                && s.state == SyncState::Idle
                && s.pending == 0
            {
                pushed = Some(start.elapsed());
            }
            if shown.is_none()
                && let Ok(s) = b_rx.recv_timeout(Duration::from_millis(5))
                && s.state == SyncState::Idle
                && s.received > 0
                && b.get(&id)
                    .is_ok_and(|d| d.fields["course"] == text.as_str())
            {
                shown = Some(start.elapsed());
            }
        }
        match (pushed, shown) {
            (Some(p), Some(s)) => {
                result.pushed.push(p);
                result.shown.push(s);
            }
            _ => result.failures += 1,
        }
    }
    a.stop_sync();
    b.stop_sync();
    result
}

/// The report's section, with issue 12's target judged on this run.
pub fn render(o: &mut String, r: &LiveResult) {
    use std::fmt::Write as _;
    let _ = writeln!(o, "\n## Live edit\n");
    let _ = writeln!(
        o,
        "Two desktop-app libraries (`rounds_app::App`, the sync worker with its default timing and the wake-up channel) joined to one office on loopback; B has the plan. {} times: A saves a new course title; measured until A's worker has pushed it and until B's worker has received it and B's app returns the new text (the event the open editor refreshes on). A's worker waits {} after a save before syncing.\n",
        r.edits,
        crate::measure::ms(r.debounce)
    );
    if r.shown.is_empty() {
        let _ = writeln!(o, "No edit arrived ({} failures).", r.failures);
        return;
    }
    let _ = writeln!(o, "| measure | p50 | p99 | max |\n|---|---|---|---|");
    for (name, v) in [
        ("save → pushed (A)", &r.pushed),
        ("save → there on B", &r.shown),
    ] {
        let _ = writeln!(
            o,
            "| {name} | {} | {} | {} |",
            crate::measure::ms(r.p(v, 50.0)),
            crate::measure::ms(r.p(v, 99.0)),
            crate::measure::ms(r.p(v, 100.0)),
        );
    }
    let p99 = r.p(&r.shown, 99.0);
    let wire = r.p(&r.shown, 50.0).saturating_sub(r.p(&r.pushed, 50.0));
    let _ = writeln!(
        o,
        "\nEdits that did not arrive within 20 s: {}. Of the median, {} is A's wait after the save and {} passes between A's push and the text on B (B's wake-up, B's sync round trip and merge).\n",
        r.failures,
        crate::measure::ms(r.debounce.min(r.p(&r.pushed, 50.0))),
        crate::measure::ms(wire)
    );
    let _ = writeln!(
        o,
        "Target (issue 12): save on A → there on B, p99 under 2 s on loopback: {} ({}).",
        if p99 < Duration::from_secs(2) && r.failures == 0 {
            "met"
        } else {
            "**missed**"
        },
        crate::measure::ms(p99)
    );
}
