//! Every way the office refuses a request: each gets a clear status and
//! message, and nothing is stored.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT, ReadDoc};
use rounds_core::doc::Visibility;
use rounds_core::schema::DocKind;
use rounds_office::db::OfficeDb;
use rounds_office::service::Limits;
use rounds_proto::{
    CONTENT_TYPE, DocChanges, RejectCode, SyncRequest, SyncResponse, doc_id_from_str,
};
use rounds_testkit::doc::doc;
use rounds_testkit::raw::{RawDevice, changes_since};
use rounds_testkit::{Office, Teacher};
use serde_json::json;

fn error_code(body: &[u8]) -> (String, String) {
    let v: serde_json::Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)));
    (
        v["code"].as_str().unwrap().to_owned(),
        v["message"].as_str().unwrap().to_owned(),
    )
}

/// The office's whole state, to prove a refusal changed nothing.
fn fingerprint(office: &Office, o: &str) -> (usize, usize, i64) {
    let (docs, changes) = office.counts(o);
    (docs, changes, office.db.head().unwrap())
}

/// Changes of a fresh Rounds document made with `actor`.
fn document_changes(id: &str, actor: &ActorId) -> Vec<Vec<u8>> {
    let mut d = doc(id, DocKind::LESSON_PLAN, "伪造")
        .owner("x")
        .author("x")
        .actor(actor.clone())
        .at(1)
        .ids("x")
        .create();
    changes_since(d.automerge_mut(), &[])
}

#[test]
fn each_rejected_push_names_its_reason_and_stores_nothing() {
    let office = Office::start_with(Limits {
        max_change_bytes: 64 << 10,
        ..Limits::default()
    });
    let o = office.create_office("一院");
    let o2 = office.create_office("二院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    let mut x = Teacher::joined(&office, &o2, "外院");
    let private = a.create(DocKind::LESSON_PLAN, "私人草稿", json!({}));
    let shared = a.create(DocKind::LESSON_PLAN, "共享", json!({}));
    a.store.set_visibility(&shared, Visibility::Office).unwrap();
    a.sync().unwrap();
    b.sync().unwrap();
    x.sync().unwrap();
    let raw_b = RawDevice::of(&office, &b);
    let raw_x = RawDevice::of(&office, &x);
    let b_actor = b.store.actor().clone();

    // An edit B may make, on a copy of the shared plan, signed by B.
    let mut copy = AutoCommit::load(&a.store.raw_bytes(&shared).unwrap())
        .unwrap()
        .with_actor(b_actor.clone());
    let heads = copy.get_heads();
    let tags = copy.get(ROOT, "tags").unwrap().unwrap().1;
    copy.put(&tags, "复习", true).unwrap();
    copy.commit();
    let b_change = copy.get_changes(&heads)[0].raw_bytes().to_vec();

    let cases: Vec<(&RawDevice, String, Vec<Vec<u8>>, RejectCode)> = vec![
        (
            &raw_b,
            shared.clone(),
            vec![b"not an automerge change".to_vec()],
            RejectCode::Malformed,
        ),
        (
            &raw_b,
            shared.clone(),
            vec![b_change[..b_change.len() / 2].to_vec()],
            RejectCode::Malformed,
        ),
        (
            &raw_x,
            shared.clone(),
            vec![b_change.clone()],
            RejectCode::OtherOffice,
        ),
        (
            &raw_b,
            private.clone(),
            vec![b_change.clone()],
            RejectCode::Forbidden,
        ),
        // Changes signed with A's actor, sent by B: a forgery.
        (
            &raw_b,
            "01a20000-0000-7000-8000-0000000000f1".into(),
            document_changes("01a20000-0000-7000-8000-0000000000f1", a.store.actor()),
            RejectCode::ForgedActor,
        ),
        // A change whose history the office does not have.
        (
            &raw_b,
            shared.clone(),
            {
                let mut c2 = copy.fork().with_actor(b_actor.clone());
                let h = c2.get_heads();
                let tags = c2.get(ROOT, "tags").unwrap().unwrap().1;
                c2.put(&tags, "再复习", true).unwrap();
                c2.commit();
                vec![c2.get_changes(&h)[0].raw_bytes().to_vec()]
            },
            RejectCode::MissingDeps,
        ),
        // Not a Rounds document at all.
        (
            &raw_b,
            "01a20000-0000-7000-8000-0000000000f2".into(),
            {
                let mut d = AutoCommit::new().with_actor(b_actor.clone());
                d.put(ROOT, "hello", "world").unwrap();
                d.commit();
                changes_since(&mut d, &[])
            },
            RejectCode::InvalidDocument,
        ),
        // A document whose changes claim another document's id.
        (
            &raw_b,
            "01a20000-0000-7000-8000-0000000000f3".into(),
            document_changes("01a20000-0000-7000-8000-0000000000f4", &b_actor),
            RejectCode::InvalidDocument,
        ),
        // Too large.
        (
            &raw_b,
            "01a20000-0000-7000-8000-0000000000f5".into(),
            {
                let mut d = AutoCommit::new().with_actor(b_actor.clone());
                let noise: String = (0..100_000u32)
                    .map(|i| char::from_u32(0x4e00 + (i * 7919) % 20000).unwrap())
                    .collect();
                d.put(ROOT, "id", "01a20000-0000-7000-8000-0000000000f5")
                    .unwrap();
                d.put(ROOT, "blob", noise).unwrap();
                d.commit();
                changes_since(&mut d, &[])
            },
            RejectCode::TooLarge,
        ),
    ];
    let mut tried = 0;
    for (raw, doc, changes, want) in cases {
        let before = (fingerprint(&office, &o), fingerprint(&office, &o2));
        let resp = raw.push(&doc, changes);
        assert!(resp.acks.is_empty(), "{want:?} was acknowledged");
        assert_eq!(resp.rejections.len(), 1);
        assert_eq!(
            resp.rejections[0].code, want,
            "{}",
            resp.rejections[0].message
        );
        assert!(!resp.rejections[0].message.is_empty());
        assert_eq!(
            (fingerprint(&office, &o), fingerprint(&office, &o2)),
            before,
            "{want:?} changed the office"
        );
        tried += 1;
    }
    assert_eq!(tried, 9);

    // The legitimate change goes through, and a replay of it is harmless.
    let ok = raw_b.push(&shared, vec![b_change.clone()]);
    assert_eq!(ok.acks.len(), 1, "{:?}", ok.rejections);
    let after = fingerprint(&office, &o);
    let replay = raw_b.push(&shared, vec![b_change]);
    assert_eq!(replay.acks.len(), 1);
    assert_eq!(
        fingerprint(&office, &o),
        after,
        "a replayed change was stored twice"
    );
    a.sync().unwrap();
    let tags = a.json(&shared)["tags"].clone();
    assert!(
        tags.as_array().unwrap().iter().any(|t| t == "复习"),
        "{tags}"
    );
}

#[test]
fn bad_requests_get_json_errors() {
    let office = Office::start_with(Limits {
        max_request_bytes: 100_000,
        ..Limits::default()
    });
    let o = office.create_office("一院");
    let a = Teacher::joined(&office, &o, "王老师");
    let raw = RawDevice::of(&office, &a);
    let before = fingerprint(&office, &o);
    let ok = SyncRequest::default().encode();
    let cases: Vec<(&str, Option<&str>, &str, Vec<u8>, u16, &str)> = vec![
        (
            "/v1/sync",
            None,
            CONTENT_TYPE,
            ok.clone(),
            401,
            "unauthorized",
        ),
        (
            "/v1/sync",
            Some("rt_0000"),
            CONTENT_TYPE,
            ok.clone(),
            401,
            "unauthorized",
        ),
        (
            "/v1/sync",
            Some("' OR 1=1 --"),
            CONTENT_TYPE,
            ok.clone(),
            401,
            "unauthorized",
        ),
        (
            "/v1/sync",
            Some(&raw.token),
            "application/json",
            ok.clone(),
            415,
            "unsupported_media_type",
        ),
        (
            "/v1/sync",
            Some(&raw.token),
            CONTENT_TYPE,
            b"garbage".to_vec(),
            400,
            "bad_request",
        ),
        (
            "/v1/sync",
            Some(&raw.token),
            CONTENT_TYPE,
            vec![1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f],
            400,
            "bad_request",
        ),
        (
            "/v1/sync",
            Some(&raw.token),
            CONTENT_TYPE,
            // Far over the limit: the refusal must arrive as an answer
            // (the office reads the body on before answering), not a reset.
            vec![0; 8 << 20],
            413,
            "too_large",
        ),
        (
            "/v1/enroll",
            None,
            "application/json",
            b"{\"code\": 1".to_vec(),
            400,
            "bad_json",
        ),
        (
            "/v1/enroll",
            None,
            "text/plain",
            b"{}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "/v1/enroll",
            None,
            "application/json",
            br#"{"code": "../../etc/passwd", "actor": "zz"}"#.to_vec(),
            400,
            "invalid_actor",
        ),
        (
            "/v1/nothing",
            None,
            "application/json",
            vec![],
            404,
            "not_found",
        ),
    ];
    for (path, token, ctype, body, status, code) in cases {
        let (s, b) = raw.post(path, token, ctype, body);
        assert_eq!(s, status, "{path} {code}: {}", String::from_utf8_lossy(&b));
        assert_eq!(error_code(&b).0, code);
    }
    let resp = raw
        .http
        .get(format!("{}/v1/sync", office.url))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(error_code(&resp.bytes().unwrap()).0, "method_not_allowed");
    assert_eq!(
        raw.http
            .get(format!("{}/healthz", office.url))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "ok"
    );
    assert_eq!(fingerprint(&office, &o), before);
}

#[test]
fn guessing_enrollment_codes_is_rate_limited() {
    let office = Office::start();
    let o = office.create_office("一院");
    let member = office.add_member(&o, "王老师");
    let code = office.code(&member);
    let http = reqwest::blocking::Client::new();
    let enroll = |code: &str| {
        let r = http
            .post(format!("{}/v1/enroll", office.url))
            .json(&json!({"code": code, "actor": "0123456789abcdef0123456789abcdef"}))
            .send()
            .unwrap();
        (r.status().as_u16(), r.bytes().unwrap())
    };
    for i in 0..10 {
        assert_eq!(enroll(&format!("AAAAA-{i:05}")).0, 403);
    }
    let (s, b) = enroll(&code);
    assert_eq!(
        s, 429,
        "even the right code waits once guessing was detected"
    );
    assert_eq!(error_code(&b).0, "too_many_attempts");
    assert!(office.db.devices(&o).unwrap().is_empty());
}

/// Many malformed and hostile requests against every endpoint: each gets a
/// 4xx, the server stays up, and nothing is stored. Prints the counts.
#[test]
fn hostile_inputs_change_nothing() {
    let office = Office::start_with(Limits {
        max_request_bytes: 256 << 10,
        ..Limits::default()
    });
    let o = office.create_office("一院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let shared = a.create(DocKind::LESSON_PLAN, "共享", json!({}));
    a.store.set_visibility(&shared, Visibility::Office).unwrap();
    a.sync().unwrap();
    let raw = RawDevice::of(&office, &a);
    let mut rng = rounds_core::generate::Rng::new(42);
    let valid = changes_since(a.store.load(&shared).unwrap().automerge_mut(), &[]);
    let evil_strings = [
        "' OR '1'='1",
        "../../../../etc/passwd",
        "\0\0\0",
        "%00",
        "${jndi:ldap://x}",
        "<script>",
        "🙂🙂",
        "\u{202e}",
    ];
    let before = fingerprint(&office, &o);
    let mut answers: Vec<(u16, &str)> = Vec::new();
    let mut changed = 0u32;
    let mut still_valid = 0u32;
    for i in 0..300 {
        // Random bytes, and mutations of a valid frame.
        let mut body: Vec<u8> = (0..rng.below(400)).map(|_| rng.below(256) as u8).collect();
        if i % 2 == 0 {
            let mut f = SyncRequest {
                cursor: vec![],
                max_page_bytes: 0,
                pushes: vec![DocChanges {
                    doc: doc_id_from_str(&shared).unwrap(),
                    changes: valid.clone(),
                }],
            }
            .encode();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(f.len());
                f[at] ^= 1 + rng.below(255) as u8;
            }
            body = f;
        }
        // A mutation can still be a valid frame (a flipped bit in the
        // cursor, say): the office must then answer it, and its pushes must
        // be refused or known already. Any other frame must be refused.
        let valid = SyncRequest::decode(&body, Limits::default().max_request_bytes).is_ok();
        let (s, b) = raw.post("/v1/sync", Some(&raw.token), CONTENT_TYPE, body);
        if valid {
            assert_eq!(
                s,
                200,
                "a valid frame was refused: {}",
                String::from_utf8_lossy(&b)
            );
            SyncResponse::decode(&b, 1 << 26).expect("the office's answer decodes");
            still_valid += 1;
        } else {
            answers.push((s, "mutated frame"));
        }
        if fingerprint(&office, &o) != before {
            changed += 1;
        }
    }
    for s in evil_strings {
        // Only what can travel in a header is tried as a token.
        if s.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            let (st, _) = raw.post(
                "/v1/sync",
                Some(s),
                CONTENT_TYPE,
                SyncRequest::default().encode(),
            );
            answers.push((st, "evil token"));
        }
        let body = serde_json::to_vec(&json!({"code": s, "actor": s, "device_name": s})).unwrap();
        let (st, _) = raw.post("/v1/enroll", None, "application/json", body);
        answers.push((st, "evil enrollment"));
        let body = serde_json::to_vec(
            &json!({"code": s, "actor": "00112233445566778899aabbccddeeff", "device_name": "x"}),
        )
        .unwrap();
        let (st, _) = raw.post("/v1/enroll", None, "application/json", body);
        answers.push((st, "evil code"));
    }
    // Huge length prefixes and a body far over the limit.
    for body in [
        vec![1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        vec![1, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10],
        vec![7u8; 2 << 20],
    ] {
        let (st, _) = raw.post("/v1/sync", Some(&raw.token), CONTENT_TYPE, body);
        answers.push((st, "length"));
    }
    if fingerprint(&office, &o) != before {
        changed += 1;
    }
    // A fresh connection: the server closes one whose oversized body it refused to read.
    let fresh = reqwest::blocking::Client::new();
    assert_eq!(
        fresh
            .get(format!("{}/healthz", office.url))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200,
        "the server went down"
    );
    let odd: Vec<&(u16, &str)> = answers
        .iter()
        .filter(|(s, _)| !(400..500).contains(s))
        .collect();
    let non_4xx = odd.len();
    println!(
        "hostile inputs: {} tried, {non_4xx} invalid ones answered other than 4xx {odd:?}, {still_valid} mutations still valid frames (answered 200), {changed} changed state",
        answers.len() + still_valid as usize
    );
    assert_eq!(non_4xx, 0);
    assert_eq!(changed, 0);
}

/// A client that sends its request one byte a second is disconnected, and
/// the server goes on serving others meanwhile.
#[test]
fn a_slow_client_is_disconnected() {
    use std::io::{Read, Write};
    let office = Office::start();
    let addr = office.url.trim_start_matches("http://").to_owned();
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let request = b"POST /v1/sync HTTP/1.1\r\nHost: office\r\nContent-Type: application/x-rounds-sync\r\nContent-Length: 4\r\n\r\nabcd";
    let started = std::time::Instant::now();
    let mut closed = false;
    for &b in request.iter() {
        if slow.write_all(&[b]).is_err() {
            closed = true;
            break;
        }
        // Others are served while the slow client dribbles.
        let fresh = reqwest::blocking::Client::new();
        assert_eq!(
            fresh
                .get(format!("{}/healthz", office.url))
                .send()
                .unwrap()
                .status()
                .as_u16(),
            200
        );
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(800));
        if started.elapsed() > std::time::Duration::from_secs(30) {
            break;
        }
    }
    assert!(
        closed,
        "a client sending a byte a second kept its connection for {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
