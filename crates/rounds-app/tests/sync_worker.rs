//! The background sync worker: against a scripted backend for timing,
//! backoff and failure reporting, and against a real office on port 0.

use rounds_core::schema::DocKind;
use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rounds_app::sync::{Backend, SyncWorker, Timing};
use rounds_app::{App, Language, SyncState, SyncStatus};
use rounds_client::ClientError;
use rounds_core::sync::Report;
use rounds_store::SyncInfo;
use rounds_testkit::app::new_doc;
use serde_json::json;

/// A backend that answers from a script and counts syncs.
struct Scripted {
    joined: bool,
    results: Arc<Mutex<VecDeque<Result<Report, ClientError>>>>,
    syncs: Arc<Mutex<u32>>,
}

impl Backend for Scripted {
    fn info(&mut self) -> Result<SyncInfo, ClientError> {
        Ok(SyncInfo {
            office_url: self.joined.then(|| "http://127.0.0.1:1".to_owned()),
            office_name: Some("教研室".into()),
            pending_docs: 2,
            ..Default::default()
        })
    }

    /// A scripted report of N round trips is given to `progress` page by
    /// page, as a real sync would.
    fn sync(&mut self, progress: &mut dyn FnMut(&Report)) -> Result<Report, ClientError> {
        *self.syncs.lock().unwrap() += 1;
        let result = self
            .results
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Ok(Report::default()));
        if let Ok(r) = &result {
            for page in 1..=r.round_trips {
                progress(&Report {
                    round_trips: page,
                    docs_pushed: r.docs_pushed,
                    docs_received: r.docs_received * page / r.round_trips,
                    ..Report::default()
                });
            }
        }
        result
    }
}

fn fast() -> Timing {
    Timing {
        debounce: Duration::from_millis(150),
        period: Duration::from_secs(3600),
        backoff_min: Duration::from_millis(40),
        backoff_max: Duration::from_millis(200),
        wake_wait: Duration::from_secs(2),
    }
}

fn start(
    joined: bool,
    script: Vec<Result<Report, ClientError>>,
) -> (SyncWorker, mpsc::Receiver<SyncStatus>, Arc<Mutex<u32>>) {
    let syncs = Arc::new(Mutex::new(0));
    let b = Scripted {
        joined,
        results: Arc::new(Mutex::new(script.into())),
        syncs: syncs.clone(),
    };
    let (tx, rx) = mpsc::channel();
    let w = SyncWorker::start(b, fast(), move |s| {
        let _ = tx.send(s.clone());
    });
    (w, rx, syncs)
}

fn next_state(rx: &mpsc::Receiver<SyncStatus>) -> SyncStatus {
    rx.recv_timeout(Duration::from_secs(10)).expect("a status")
}

#[test]
fn syncs_at_start_and_reports_syncing_then_synced() {
    let (w, rx, syncs) = start(true, vec![]);
    assert_eq!(next_state(&rx).state, syncing(0, 0, 0));
    let s = next_state(&rx);
    assert_eq!(s.state, SyncState::Idle);
    assert_eq!(s.pending, 2);
    assert_eq!(s.office_name.as_deref(), Some("教研室"));
    assert_eq!(*syncs.lock().unwrap(), 1);
    w.stop();
}

fn syncing(round_trips: u32, docs_sent: u32, docs_received: u32) -> SyncState {
    SyncState::Syncing {
        round_trips,
        docs_sent,
        docs_received,
    }
}

/// A long first sync shows how far it has come, page by page.
#[test]
fn progress_is_reported_page_by_page() {
    let report = Report {
        round_trips: 3,
        docs_pushed: 2,
        docs_received: 30,
        ..Report::default()
    };
    let (w, rx, _) = start(true, vec![Ok(report)]);
    let states: Vec<SyncState> = (0..5).map(|_| next_state(&rx).state).collect();
    assert_eq!(
        states,
        [
            syncing(0, 0, 0),
            syncing(1, 2, 10),
            syncing(2, 2, 20),
            syncing(3, 2, 30),
            SyncState::Idle
        ]
    );
    assert_eq!(w.status().received, 30);
    w.stop();
}

#[test]
fn not_joined_waits_without_syncing() {
    let (w, rx, syncs) = start(false, vec![]);
    assert_eq!(next_state(&rx).state, SyncState::NotJoined);
    w.edited();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(*syncs.lock().unwrap(), 0);
    assert_eq!(w.status().state, SyncState::NotJoined);
    w.stop();
}

#[test]
fn offline_backs_off_and_keeps_retrying_until_it_works() {
    let offline = || Err(ClientError::Offline("connection refused".into()));
    let (w, rx, syncs) = start(true, vec![offline(), offline(), offline()]);
    let mut offline_seen = 0;
    let mut last_retry = 0;
    loop {
        let s = next_state(&rx);
        match s.state {
            SyncState::Offline { reason, retry_at } => {
                assert!(reason.contains("refused"));
                assert!(retry_at >= last_retry);
                last_retry = retry_at;
                offline_seen += 1;
            }
            SyncState::Idle => break,
            SyncState::Syncing { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(offline_seen, 3);
    assert_eq!(*syncs.lock().unwrap(), 4);
    w.stop();
}

#[test]
fn errors_are_reported_with_code_and_retried() {
    let (w, rx, syncs) = start(
        true,
        vec![Err(ClientError::Unauthorized("device revoked".into()))],
    );
    let mut saw_error = false;
    loop {
        match next_state(&rx).state {
            SyncState::Error { code, message, .. } => {
                assert_eq!(code, "unauthorized");
                assert!(message.contains("revoked"));
                saw_error = true;
            }
            SyncState::Idle => break,
            _ => {}
        }
    }
    assert!(saw_error);
    assert_eq!(*syncs.lock().unwrap(), 2);
    w.stop();
}

#[test]
fn a_panicking_sync_does_not_stop_the_worker() {
    struct Panics(u32);
    impl Backend for Panics {
        fn info(&mut self) -> Result<SyncInfo, ClientError> {
            Ok(SyncInfo {
                office_url: Some("x".into()),
                ..Default::default()
            })
        }
        fn sync(&mut self, _: &mut dyn FnMut(&Report)) -> Result<Report, ClientError> {
            self.0 += 1;
            if self.0 == 1 {
                panic!("boom");
            }
            Ok(Report::default())
        }
    }
    let (tx, rx) = mpsc::channel();
    let w = SyncWorker::start(Panics(0), fast(), move |s| {
        let _ = tx.send(s.clone());
    });
    let mut saw_error = false;
    loop {
        match next_state(&rx).state {
            SyncState::Error { .. } => saw_error = true,
            SyncState::Idle => break,
            _ => {}
        }
    }
    assert!(saw_error);
    w.stop();
}

#[test]
fn a_burst_of_edits_is_one_sync_after_the_quiet_time() {
    let (w, rx, syncs) = start(true, vec![]);
    next_state(&rx);
    next_state(&rx);
    assert_eq!(*syncs.lock().unwrap(), 1);
    for _ in 0..5 {
        w.edited();
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(*syncs.lock().unwrap(), 2);
    w.sync_now();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(*syncs.lock().unwrap(), 3);
    w.stop();
}

#[test]
fn backoff_doubles_up_to_the_maximum_with_jitter() {
    let t = Timing {
        backoff_min: Duration::from_secs(4),
        backoff_max: Duration::from_secs(60),
        ..Timing::default()
    };
    for r in [0u64, 500, 1000, 123_456_789] {
        let d1 = t.backoff(1, r).as_secs_f64();
        assert!((3.0..=5.0).contains(&d1), "{d1}");
        let d3 = t.backoff(3, r).as_secs_f64();
        assert!((12.0..=20.0).contains(&d3), "{d3}");
        let d30 = t.backoff(30, r).as_secs_f64();
        assert!((45.0..=75.0).contains(&d30), "{d30}");
    }
    assert_ne!(t.backoff(2, 1), t.backoff(2, 900));
}

/// Two teachers, one office on port 0: the app joins, its edits reach the
/// office in the background, and a colleague's change arrives.
#[test]
fn the_app_syncs_with_a_real_office() {
    let office = rounds_testkit::Office::start();
    let office_id = office.create_office("儿科虚拟教研室");
    let member = office.add_member(&office_id, "王老师");
    let code = office.code(&member);

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let (tx, rx) = mpsc::channel();
    app.start_sync(fast(), move |s| {
        let _ = tx.send(s.clone());
    });
    // Not joined yet: the worker waits.
    assert_eq!(next_state(&rx).state, SyncState::NotJoined);

    let a = new_doc(&app, DocKind::LESSON_PLAN, "热性惊厥", Language::Zh);
    let id = a.summary.id.clone();
    app.share(&id, false).unwrap();
    let wrong = app.join(&office.url, "not-a-code", "pc", None).unwrap_err();
    assert_eq!(wrong.field.as_deref(), Some("code"));
    app.join(&office.url, &code, "教研室电脑", None).unwrap();
    assert_eq!(app.profile().name, "王老师", "joining names the user");

    let wait_for = |pred: &dyn Fn(&SyncStatus) -> bool| loop {
        let s = rx.recv_timeout(Duration::from_secs(20)).expect("status");
        if pred(&s) {
            return s;
        }
    };
    let s = wait_for(&|s| s.state == SyncState::Idle && s.pending == 0);
    assert_eq!(s.office_name.as_deref(), Some("儿科虚拟教研室"));
    assert!(s.last_sync.is_some());
    assert!(
        office.document(&id).is_some(),
        "the shared plan reached the office"
    );

    // A local edit is pushed by itself after the quiet time.
    app.edit(&id, &json!({"course": "儿科学"})).unwrap();
    wait_for(&|s| s.state == SyncState::Idle && s.pending == 0 && s.last_sync.is_some());
    let mut got = None;
    for _ in 0..50 {
        let d = office.document(&id).unwrap().to_json();
        if d["course"] == "儿科学" {
            got = Some(d);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(got.is_some(), "the edit reached the office");

    // A colleague edits; "sync now" brings it, and the status says so.
    let mut colleague = rounds_testkit::Teacher::joined(&office, &office_id, "李老师");
    colleague.sync().unwrap();
    colleague
        .store
        .edit(&id, &json!({"chapter": "神经系统疾病"}))
        .unwrap();
    colleague.sync().unwrap();
    app.sync_now();
    let s = wait_for(&|s| s.state == SyncState::Idle && s.received > 0);
    assert!(s.received >= 1);
    assert_eq!(app.get(&id).unwrap().fields["chapter"], "神经系统疾病");

    // The office goes away: the worker reports offline and keeps trying.
    drop(office);
    app.sync_now();
    wait_for(&|s| matches!(s.state, SyncState::Offline { .. }));
    app.stop_sync();
}

/// Two apps online with one office: a save on one reaches the other's open
/// document through the wake-up channel, though neither syncs periodically
/// within the test (the period is an hour) and the office's waiters are
/// never re-checked by its timer.
#[test]
fn a_saved_change_reaches_an_online_colleague_through_the_wake_up_channel() {
    let office = rounds_testkit::Office::start();
    office
        .service
        .wake
        .configure(rounds_office::wake::WakeLimits {
            poll: Duration::from_secs(3600),
            ..Default::default()
        });
    let office_id = office.create_office("儿科虚拟教研室");
    let open = |name: &str| {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let code = office.code(&office.add_member(&office_id, name));
        app.join(&office.url, &code, "pc", None).unwrap();
        let (tx, rx) = mpsc::channel();
        app.start_sync(fast(), move |s| {
            let _ = tx.send(s.clone());
        });
        (app, rx, dir)
    };
    let wait_for = |rx: &mpsc::Receiver<SyncStatus>, pred: &dyn Fn(&SyncStatus) -> bool| loop {
        let s = rx.recv_timeout(Duration::from_secs(20)).expect("status");
        if pred(&s) {
            return s;
        }
    };
    let (a, a_rx, _a_dir) = open("王老师");
    let id = new_doc(&a, DocKind::LESSON_PLAN, "小儿肺炎", Language::Zh)
        .summary
        .id;
    a.share(&id, false).unwrap();
    wait_for(&a_rx, &|s| s.state == SyncState::Idle && s.pending == 0);
    let (b, b_rx, _b_dir) = open("李老师");
    wait_for(&b_rx, &|s| s.state == SyncState::Idle);
    for _ in 0..100 {
        if b.get(&id).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(b.get(&id).is_ok(), "the colleague has the shared plan");

    a.edit(&id, &json!({"course": "儿科学"})).unwrap();
    let s = wait_for(&b_rx, &|s| s.state == SyncState::Idle && s.received > 0);
    assert!(s.received >= 1);
    assert_eq!(b.get(&id).unwrap().fields["course"], "儿科学");
    a.stop_sync();
    b.stop_sync();
}
