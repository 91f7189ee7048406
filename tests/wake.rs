//! The wake-up channel against a real office on port 0: a waiting device
//! is answered when a colleague's change it may read arrives, not for its
//! own changes or another teacher's private ones; waits are bounded; bad
//! requests are refused; shutdown answers every wait at once.

use std::time::{Duration, Instant};

use rounds_client::{ClientError, Waiter, Woken};
use rounds_core::schema::DocKind;
use rounds_office::wake::WakeLimits;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

/// An office whose waiters are never re-checked by the timer within a
/// test's time, so that only a push's wake-up can answer them early.
fn office_without_polling() -> Office {
    let office = Office::start();
    office.service.wake.configure(WakeLimits {
        poll: Duration::from_secs(3600),
        ..WakeLimits::default()
    });
    office
}

fn waiter(t: &Teacher) -> Waiter {
    Waiter::for_store(&t.store, t.dir.path()).unwrap()
}

#[test]
fn a_colleagues_shared_change_wakes_a_waiting_device_at_once() {
    let office = office_without_polling();
    let o = office.create_office("儿科教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    b.sync().unwrap();
    let cursor = b.store.sync_cursor().unwrap();
    let w = waiter(&b);
    let waiting = std::thread::spawn(move || {
        let start = Instant::now();
        let got = w.wait(&cursor, Duration::from_secs(40));
        (got, start.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    let id = a.create(DocKind::LESSON_PLAN, "小儿腹泻", json!({}));
    a.store.share(&id, false).unwrap();
    a.sync().unwrap();
    let (got, took) = waiting.join().unwrap();
    assert_eq!(got.unwrap(), Woken::More);
    // Without the wake-up the answer would come only at the 40 s deadline.
    assert!(took < Duration::from_secs(30), "answered after {took:?}");
    // The device syncs and then has nothing more to wait for.
    b.sync().unwrap();
    assert!(b.ids().contains(&id));
    let cursor = b.store.sync_cursor().unwrap();
    assert_eq!(
        waiter(&b).wait(&cursor, Duration::from_secs(1)).unwrap(),
        Woken::Quiet
    );
}

#[test]
fn own_changes_and_private_ones_do_not_wake() {
    let office = Office::start();
    let o = office.create_office("儿科教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    b.sync().unwrap();
    // B's own shared plan, and A's private one.
    let own = b.create(DocKind::LESSON_PLAN, "自己的教案", json!({}));
    b.store.share(&own, false).unwrap();
    b.sync().unwrap();
    a.create(DocKind::LESSON_PLAN, "私人草稿", json!({}));
    a.sync().unwrap();
    let cursor = b.store.sync_cursor().unwrap();
    assert_eq!(
        waiter(&b).wait(&cursor, Duration::from_secs(1)).unwrap(),
        Woken::Quiet
    );
    // A device with no cursor yet, or another database's, must sync first.
    assert_eq!(
        waiter(&b).wait(&[], Duration::from_secs(1)).unwrap(),
        Woken::More
    );
    assert_eq!(
        waiter(&b)
            .wait(&[1, 9, 9, 9, 9, 0], Duration::from_secs(1))
            .unwrap(),
        Woken::More
    );
}

#[test]
fn waits_are_bounded_and_shutdown_answers_them() {
    let office = office_without_polling();
    let o = office.create_office("儿科教研室");
    let mut b = Teacher::joined(&office, &o, "李老师");
    b.sync().unwrap();
    let cursor = b.store.sync_cursor().unwrap();
    let waits: Vec<_> = (0..2)
        .map(|_| {
            let (w, c) = (waiter(&b), cursor.clone());
            std::thread::spawn(move || w.wait(&c, Duration::from_secs(45)))
        })
        .collect();
    let start = Instant::now();
    while office.service.wake.open_waits() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waits never opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    match waiter(&b).wait(&cursor, Duration::from_secs(1)) {
        Err(ClientError::Office {
            status: 429, code, ..
        }) => assert_eq!(code, "too_many_waits"),
        other => panic!("a third wait of one device: {other:?}"),
    }
    // Stopping the office answers the open waits at once.
    let stopped = Instant::now();
    drop(office);
    for w in waits {
        assert_eq!(w.join().unwrap().unwrap(), Woken::Quiet);
    }
    assert!(stopped.elapsed() < Duration::from_secs(30));
}

#[test]
fn bad_wait_requests_are_refused() {
    let office = Office::start();
    let o = office.create_office("儿科教研室");
    let b = Teacher::joined(&office, &o, "李老师");
    let http = reqwest::blocking::Client::new();
    let token = b.token();
    let get = |query: &str, token: Option<&str>| {
        let mut r = http.get(format!("{}/v1/wait{query}", office.url));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().unwrap();
        (status, body)
    };
    let (s, body) = get("?cursor=00&wait=1", None);
    assert_eq!((s, body["code"].as_str()), (401, Some("unauthorized")));
    let (s, _) = get("?cursor=00&wait=1", Some("rt_made_up"));
    assert_eq!(s, 401);
    let (s, body) = get("?cursor=zz&wait=1", Some(&token));
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_request")));
    let (s, body) = get("?cursor=00&wait=-4", Some(&token));
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_request")));
    // Nothing was opened by the refused requests.
    assert_eq!(office.service.wake.open_waits(), 0);
}
