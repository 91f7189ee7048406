//! The office on TLS (rustls, `ring`), on a free port of this machine,
//! with certificates made by `tls init`'s code: devices join by the
//! fingerprint the administrator hands out with the code, sync, refuse a
//! different certificate later with a message saying what to do, trust a
//! hospital authority through `--ca`, and a renewed certificate is served
//! without a restart.

use std::path::Path;

use rounds_client::{ClientError, Connection, Fingerprint};
use rounds_core::schema::DocKind;
use rounds_office::tls::{TlsFiles, fingerprint, load_chain};
use rounds_office::tls_init::{Time, verify_issued};
use rounds_testkit::tls::{init_certs, replace_pair, served_chain};
use rounds_testkit::{Office, Teacher};
use serde_json::json;

fn pin(s: &str) -> Fingerprint {
    Fingerprint::parse(s).unwrap()
}

fn join(t: &mut Teacher, office: &Office, code: &str, conn: Connection) -> Result<(), ClientError> {
    let conn = Connection {
        url: office.url.clone(),
        ..conn
    };
    t.join_with(&conn, code, "test device").map(|_| ())
}

/// An office on TLS with a fresh authority, and a member's code.
fn tls_office(dir: &Path, names: &[&str], host: &str) -> (Office, TlsFiles, String, String) {
    let made = init_certs(dir, names);
    let office = Office::start_tls(made.files.clone(), host);
    let office_id = office.create_office("儿科教研室");
    (office, made.files, made.fingerprint, office_id)
}

#[test]
fn tls_init_makes_an_authority_and_a_server_certificate_for_every_name() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["rounds.hospital.example", "10.20.30.40", "localhost"];
    let made = init_certs(dir.path(), &names);
    assert!(made.new_ca);
    let ca = load_chain(&made.ca_cert).unwrap();
    let chain = load_chain(&made.files.cert).unwrap();
    assert_eq!(ca.len(), 1);
    assert_eq!(chain.len(), 2, "server certificate, then the authority");
    assert_eq!(chain[1], ca[0]);
    assert_eq!(made.fingerprint, fingerprint(&ca[0]));
    let now = Time::now_utc();
    for n in names {
        verify_issued(&ca[0], &chain[0], &[n.to_string()], now)
            .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    // The names are the certificate's names, not any name.
    for other in ["other.example", "10.20.30.41"] {
        let e = verify_issued(&ca[0], &chain[0], &[other.to_string()], now).unwrap_err();
        assert!(e.contains("not valid for name"), "{other}: {e}");
    }
    // It is not valid before today nor after the days asked for (30).
    assert!(verify_issued(&ca[0], &chain[0], &[names[0].into()], now + time_days(31)).is_err());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&made.ca_key), 0o600);
        assert_eq!(mode(&made.files.key), 0o600);
        assert_eq!(mode(&made.files.cert), 0o644);
    }

    // Again: the same authority issues a new certificate (renewal), and
    // the pin stays.
    let renewed = init_certs(dir.path(), &["rounds.hospital.example"]);
    assert!(!renewed.new_ca);
    assert_eq!(renewed.fingerprint, made.fingerprint);
    let new_chain = load_chain(&renewed.files.cert).unwrap();
    assert_ne!(new_chain[0], chain[0]);
    verify_issued(
        &ca[0],
        &new_chain[0],
        &["rounds.hospital.example".into()],
        now,
    )
    .unwrap();

    // An authority missing its key is refused, and nothing is written.
    std::fs::remove_file(&made.ca_key).unwrap();
    let before = std::fs::read(&renewed.files.cert).unwrap();
    let names = vec!["rounds.hospital.example".to_string()];
    let e = rounds_office::tls_init::init(dir.path(), &names, 30, now)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ca-key.pem") && e.contains("is not"), "{e}");
    assert_eq!(std::fs::read(&renewed.files.cert).unwrap(), before);
    // And a key that is not the authority's is refused too.
    let stranger = tempfile::tempdir().unwrap();
    init_certs(stranger.path(), &["x.example"]);
    std::fs::copy(stranger.path().join("ca-key.pem"), &made.ca_key).unwrap();
    let e = rounds_office::tls_init::init(dir.path(), &names, 30, now)
        .unwrap_err()
        .to_string();
    assert!(e.contains("do not belong together"), "{e}");
    assert_eq!(std::fs::read(&renewed.files.cert).unwrap(), before);
}

fn time_days(n: i64) -> std::time::Duration {
    std::time::Duration::from_secs(n as u64 * 86_400)
}

#[test]
fn joining_by_fingerprint_pins_the_office_and_teachers_sync_over_tls() {
    let certs = tempfile::tempdir().unwrap();
    let (office, _files, fp, office_id) =
        tls_office(certs.path(), &["localhost", "127.0.0.1"], "localhost");
    let mut a = Teacher::new("王老师");
    let code = office.code(&office.add_member(&office_id, "王老师"));
    join(
        &mut a,
        &office,
        &code,
        Connection {
            pin: Some(pin(&fp)),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(a.store.sync_get("tls_pin").unwrap(), Some(fp.clone()));

    let id = a.create(
        DocKind::LESSON_PLAN,
        "热性惊厥",
        json!({"course": "儿科学"}),
    );
    a.store.share(&id, false).unwrap();
    a.sync().unwrap();
    assert!(
        office.document(&id).is_some(),
        "the plan reached the office"
    );

    // A colleague, by the bare hex a browser shows.
    let mut b = Teacher::new("李老师");
    let code = office.code(&office.add_member(&office_id, "李老师"));
    let bare = fp
        .trim_start_matches("SHA256:")
        .replace(':', "")
        .to_lowercase();
    join(
        &mut b,
        &office,
        &code,
        Connection {
            pin: Some(pin(&bare)),
            ..Default::default()
        },
    )
    .unwrap();
    b.sync().unwrap();
    assert_eq!(b.json(&id)["title"], "热性惊厥");
}

#[test]
fn joining_without_a_fingerprint_shows_the_one_seen_and_sends_nothing() {
    let certs = tempfile::tempdir().unwrap();
    let (office, _files, fp, office_id) = tls_office(certs.path(), &["localhost"], "localhost");
    let code = office.code(&office.add_member(&office_id, "王老师"));
    let mut a = Teacher::new("王老师");
    let e = join(&mut a, &office, &code, Connection::default()).unwrap_err();
    match &e {
        ClientError::CertificateUntrusted { seen } => assert_eq!(seen.to_string(), fp),
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains(&fp) && msg.contains("nothing was sent") && msg.contains("--fingerprint"),
        "{msg}"
    );
    // A fingerprint that is not the office's: refused, naming both.
    let wrong = Fingerprint::of(b"some other certificate");
    let e = join(
        &mut a,
        &office,
        &code,
        Connection {
            pin: Some(wrong),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, ClientError::FingerprintMismatch { given, seen } if *given == wrong && seen.to_string() == fp),
        "{e:?}"
    );
    assert!(a.store.sync_get("office_url").unwrap().is_none());
    // Nothing reached the office: the code is unspent and works now.
    join(
        &mut a,
        &office,
        &code,
        Connection {
            pin: Some(pin(&fp)),
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn a_different_certificate_later_is_refused_until_the_new_one_is_pinned() {
    let certs = tempfile::tempdir().unwrap();
    let (office, files, fp, office_id) = tls_office(certs.path(), &["localhost"], "localhost");
    let mut a = Teacher::joined_tls(&office, &office_id, "王老师", &fp);
    let id = a.create(DocKind::LESSON_PLAN, "川崎病", json!({}));
    a.store.share(&id, false).unwrap();
    a.sync().unwrap();
    let before = office.counts(&office_id);

    // Someone else's authority and certificate, for the same name, now
    // answer at the office's address.
    let other = tempfile::tempdir().unwrap();
    let intruder = init_certs(other.path(), &["localhost"]);
    replace_pair(&files, &intruder.files);
    let second = a.create(DocKind::LESSON_PLAN, "手足口病", json!({}));
    a.store.share(&second, false).unwrap();
    let e = a.sync().unwrap_err();
    match &e {
        ClientError::CertificateChanged { pinned, seen } => {
            assert_eq!(pinned.to_string(), fp);
            assert_eq!(seen.to_string(), intruder.fingerprint);
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    for part in [
        "different certificate",
        "nothing was sent",
        "ask the office's administrator",
        "rounds pin",
        &intruder.fingerprint,
        &fp,
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
    assert_eq!(
        office.counts(&office_id),
        before,
        "nothing reached the office"
    );
    // Pinning a fingerprint the office does not show changes nothing.
    let e = rounds_client::repin(&mut a.store, pin(&fp)).unwrap_err();
    assert!(matches!(e, ClientError::CertificateChanged { .. }), "{e:?}");
    assert_eq!(a.store.sync_get("tls_pin").unwrap(), Some(fp.clone()));
    // The administrator confirms the new certificate: pinned, syncing again.
    rounds_client::repin(&mut a.store, pin(&intruder.fingerprint)).unwrap();
    assert_eq!(
        a.store.sync_get("tls_pin").unwrap(),
        Some(intruder.fingerprint.clone())
    );
    a.sync().unwrap();
}

#[test]
fn a_hospital_authority_is_trusted_through_a_ca_file() {
    // The hospital's authority: any authority the device is given as a
    // file; `tls init`'s makes a fine stand-in.
    let hospital = tempfile::tempdir().unwrap();
    let (office, _files, _fp, office_id) = tls_office(hospital.path(), &["localhost"], "localhost");
    let ca = hospital.path().join("ca.pem");
    let mut a = Teacher::new("王老师");
    let code = office.code(&office.add_member(&office_id, "王老师"));
    join(
        &mut a,
        &office,
        &code,
        Connection {
            ca_file: Some(ca.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(a.store.sync_get("tls_pin").unwrap(), None);
    let id = a.create(DocKind::CASE, "发热待查", json!({}));
    let _ = id;
    a.sync().unwrap();

    // Another authority's file does not make the office trusted.
    let other = tempfile::tempdir().unwrap();
    init_certs(other.path(), &["localhost"]);
    let mut b = Teacher::new("李老师");
    let code = office.code(&office.add_member(&office_id, "李老师"));
    let e = join(
        &mut b,
        &office,
        &code,
        Connection {
            ca_file: Some(other.path().join("ca.pem")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, ClientError::CertificateInvalid(_)), "{e:?}");
    // A fingerprint and an authority at once is one trust too many.
    let e = join(
        &mut b,
        &office,
        &code,
        Connection {
            ca_file: Some(ca),
            pin: Some(Fingerprint::of(b"x")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
}

#[test]
fn a_renewed_certificate_is_served_without_a_restart() {
    let certs = tempfile::tempdir().unwrap();
    // At first the certificate names only `localhost`.
    let (office, files, fp, office_id) = tls_office(certs.path(), &["localhost"], "127.0.0.1");
    let first = served_chain(office.addr.port());
    assert_eq!(first[0], load_chain(&files.cert).unwrap()[0].to_vec());
    let mut a = Teacher::new("王老师");
    let code = office.code(&office.add_member(&office_id, "王老师"));
    let by_ip = Connection {
        pin: Some(pin(&fp)),
        ..Default::default()
    };
    // Through the address 127.0.0.1, which the certificate does not name.
    let e = join(&mut a, &office, &code, by_ip.clone()).unwrap_err();
    assert!(
        matches!(&e, ClientError::CertificateInvalid(why) if why.contains("not valid for name")),
        "{e:?}"
    );

    // A half-written renewal (the certificate is garbage for now) keeps
    // the old pair served.
    std::fs::write(
        certs.path().join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n",
    )
    .unwrap();
    std::fs::rename(certs.path().join("broken.pem"), &files.cert).unwrap();
    assert_eq!(served_chain(office.addr.port())[0], first[0]);

    // The administrator renews with both names; the running office serves
    // the new certificate at the next handshake.
    let renewed = init_certs(certs.path(), &["localhost", "127.0.0.1"]);
    assert_eq!(renewed.fingerprint, fp);
    let now = served_chain(office.addr.port());
    assert_ne!(now[0], first[0]);
    assert_eq!(now[0], load_chain(&renewed.files.cert).unwrap()[0].to_vec());
    join(&mut a, &office, &code, by_ip).unwrap();
    a.sync().unwrap();
}

trait JoinedTls {
    fn joined_tls(office: &Office, office_id: &str, name: &str, fp: &str) -> Teacher;
}

impl JoinedTls for Teacher {
    fn joined_tls(office: &Office, office_id: &str, name: &str, fp: &str) -> Teacher {
        let mut t = Teacher::new(name);
        let code = office.code(&office.add_member(office_id, name));
        join(
            &mut t,
            office,
            &code,
            Connection {
                pin: Some(pin(fp)),
                ..Default::default()
            },
        )
        .unwrap();
        t
    }
}
