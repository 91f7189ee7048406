//! The desktop app against an office on TLS: joining needs the fingerprint
//! the administrator gave with the code, and a different certificate later
//! stops the sync worker with the `certificate_changed` code the UI
//! explains in both languages.

use rounds_core::schema::DocKind;
use std::sync::mpsc;
use std::time::Duration;

use rounds_app::sync::Timing;
use rounds_app::{App, ErrorCode, Language, SyncState, SyncStatus};
use rounds_testkit::Office;
use rounds_testkit::app::new_doc;
use rounds_testkit::tls::{init_certs, replace_pair};

fn fast() -> Timing {
    Timing {
        debounce: Duration::from_millis(100),
        period: Duration::from_secs(3600),
        backoff_min: Duration::from_millis(40),
        backoff_max: Duration::from_millis(200),
        wake_wait: Duration::from_secs(2),
    }
}

#[test]
fn the_app_joins_by_fingerprint_and_stops_at_a_different_certificate() {
    let certs = tempfile::tempdir().unwrap();
    let made = init_certs(certs.path(), &["localhost"]);
    let office = Office::start_tls(made.files.clone(), "localhost");
    let office_id = office.create_office("儿科虚拟教研室");
    let code = office.code(&office.add_member(&office_id, "王老师"));

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let (tx, rx) = mpsc::channel();
    app.start_sync(fast(), move |s| {
        let _ = tx.send(s.clone());
    });
    let wait_for = |pred: &dyn Fn(&SyncStatus) -> bool| loop {
        let s = rx.recv_timeout(Duration::from_secs(20)).expect("status");
        if pred(&s) {
            return s;
        }
    };

    let e = app.join(&office.url, &code, "pc", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::CertificateUntrusted, "{e:?}");
    assert!(e.message.contains(&made.fingerprint), "{}", e.message);
    let e = app
        .join(&office.url, &code, "pc", Some("SHA256:12:34"))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("fingerprint"))
    );
    app.join(&office.url, &code, "pc", Some(&made.fingerprint))
        .unwrap();
    let a = new_doc(&app, DocKind::LESSON_PLAN, "热性惊厥", Language::Zh);
    app.share(&a.summary.id, false).unwrap();
    wait_for(&|s| s.state == SyncState::Idle && s.pending == 0 && s.last_sync.is_some());
    assert!(office.document(&a.summary.id).is_some());

    let other = tempfile::tempdir().unwrap();
    replace_pair(&made.files, &init_certs(other.path(), &["localhost"]).files);
    app.sync_now();
    let s = wait_for(&|s| matches!(s.state, SyncState::Error { .. }));
    match s.state {
        SyncState::Error { code, message, .. } => {
            assert_eq!(code, "certificate_changed");
            assert!(message.contains("different certificate"), "{message}");
        }
        _ => unreachable!(),
    }
}
