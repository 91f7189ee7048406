//! No patient identifier leaves a teacher's machine: not in a shared case's
//! current text, and not in its history — whatever the client does.

use rounds_core::Document;
use rounds_core::doc::SeqIds;
use rounds_core::schema::DocKind;
use rounds_proto::RejectCode;
use rounds_testkit::doc::ctx;
use rounds_testkit::raw::{RawDevice, changes_since};
use rounds_testkit::{Office, Teacher};
use serde_json::json;

const RESIDENT_ID: &str = "11010519491231002X";
const PHONE: &str = "13812345678";

/// Every version of the document, and its bytes, are free of `needles`.
fn assert_no_trace(mut doc: Document, bytes: &[u8], needles: &[&str], who: &str) {
    let history = doc.history();
    assert!(!history.is_empty());
    for h in &history {
        let text = doc.at(&h.hash).unwrap().to_json().to_string();
        for n in needles {
            assert!(!text.contains(n), "{who}: version {} holds {n}", h.index);
        }
    }
    for n in needles {
        assert!(
            !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
            "{who}: the bytes hold {n}"
        );
    }
}

#[test]
fn identifiers_typed_into_a_shared_case_are_held_until_removed_and_never_leave() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    let private = a.create(
        DocKind::CASE,
        "热性惊厥",
        json!({"chief_complaint": "发热1天，抽搐1次。"}),
    );
    let id = a.store.share(&private, true).unwrap().id;
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.json(&id)["chief_complaint"], "发热1天，抽搐1次。");

    // The teacher pastes a discharge summary with a resident ID and a phone.
    let leaky = format!("患儿3岁，家长电话{PHONE}，身份证号{RESIDENT_ID}。体温39.5℃。");
    a.store
        .edit(&id, &json!({"present_illness": leaky}))
        .unwrap();
    let findings = a.store.check(&id).unwrap();
    let kinds: Vec<String> = findings
        .iter()
        .map(|f| format!("{:?}", f.finding.kind))
        .collect();
    assert!(
        kinds.contains(&"ResidentId".to_owned()) && kinds.contains(&"Phone".to_owned()),
        "{kinds:?}"
    );
    assert!(rounds_core::deid::blocks_sharing(&findings));

    // Sync holds the edit back, with a reason.
    let r = a.sync().unwrap();
    assert_eq!(r.changes_pushed, 0);
    let info = a.store.sync_info().unwrap();
    assert_eq!(info.held_docs, 1);
    assert!(a.store.held().unwrap()[0].2.contains("identifier"));
    b.sync().unwrap();
    assert!(!b.json(&id).to_string().contains(PHONE));

    // More edits, then the teacher removes the identifiers.
    a.store
        .edit(&id, &json!({"diagnosis": "单纯型热性惊厥"}))
        .unwrap();
    a.store
        .edit(&id, &json!({"present_illness": "患儿3岁。体温39.5℃。"}))
        .unwrap();
    let r = a.sync().unwrap();
    assert_eq!(
        (r.docs_pushed, r.changes_pushed),
        (1, 1),
        "the held edits go as one change"
    );
    assert_eq!(a.store.sync_info().unwrap().held_docs, 0);
    b.sync().unwrap();
    assert_eq!(b.json(&id)["diagnosis"], "单纯型热性惊厥");
    assert_eq!(b.json(&id), a.json(&id));

    assert_no_trace(
        office.document(&id).unwrap(),
        &office.bytes(&id).unwrap(),
        &[RESIDENT_ID, PHONE],
        "office",
    );
    assert_no_trace(
        b.store.load(&id).unwrap(),
        &b.store.raw_bytes(&id).unwrap(),
        &[RESIDENT_ID, PHONE],
        "colleague",
    );
    assert_no_trace(
        a.store.load(&id).unwrap(),
        &a.store.raw_bytes(&id).unwrap(),
        &[RESIDENT_ID, PHONE],
        "author's shared copy",
    );
}

#[test]
fn a_private_case_with_identifiers_in_its_history_is_shared_without_them() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    let private = a.create(DocKind::CASE, "川崎病", json!({}));
    a.store
        .edit(
            &private,
            &json!({"present_illness": format!("母亲电话{PHONE}。发热6天，皮疹。")}),
        )
        .unwrap();
    a.sync().unwrap();
    assert!(
        office.document(&private).is_none(),
        "a private case is not pushed"
    );
    assert!(matches!(
        a.store.share(&private, true),
        Err(rounds_store::StoreError::Identifiers(1))
    ));
    let (_, n) = a.store.mask(&private, None).unwrap();
    assert_eq!(n, 1);
    assert!(matches!(
        a.store.share(&private, false),
        Err(rounds_store::StoreError::NotAttested)
    ));
    let shared = a.store.share(&private, true).unwrap();
    assert_ne!(shared.id, private);
    assert_eq!(a.json(&shared.id)["attestation"]["by"], "王老师");
    assert_eq!(
        a.json(&shared.id)["present_illness"],
        "母亲电话[电话]。发热6天，皮疹。"
    );
    // The original keeps its history on this device, in the trash.
    assert!(a.store.summary(&private).unwrap().deleted);
    assert!(a.store.history(&private).unwrap().len() >= 2);
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.ids(), vec![shared.id.clone()]);
    assert!(office.document(&private).is_none());
    assert_no_trace(
        office.document(&shared.id).unwrap(),
        &office.bytes(&shared.id).unwrap(),
        &[PHONE],
        "office",
    );
    assert_no_trace(
        b.store.load(&shared.id).unwrap(),
        &b.store.raw_bytes(&shared.id).unwrap(),
        &[PHONE],
        "colleague",
    );
}

#[test]
fn a_client_that_bypasses_the_check_is_refused_by_the_office() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let private = a.create(DocKind::CASE, "腹泻", json!({}));
    let id = a.store.share(&private, true).unwrap().id;
    a.sync().unwrap();
    let raw = RawDevice::of(&office, &a);
    let before = office.counts(&o);

    // A change made with this device's own actor, as a modified client would.
    let mut doc = a.store.load(&id).unwrap();
    let heads = doc.heads();
    let mut ids = SeqIds::new("x");
    doc.apply_patch(
        &json!({"present_illness": format!("身份证号{RESIDENT_ID}")}),
        &mut ctx("王老师", &mut ids, 1),
    )
    .unwrap();
    let leak = changes_since(doc.automerge_mut(), &heads);
    let resp = raw.push(&id, leak);
    assert_eq!(resp.rejections.len(), 1);
    assert_eq!(
        resp.rejections[0].code,
        RejectCode::Identifier,
        "{}",
        resp.rejections[0].message
    );

    // An identifier added and removed within one push is refused as well.
    doc.apply_patch(
        &json!({"present_illness": "已删除"}),
        &mut ctx("王老师", &mut ids, 2),
    )
    .unwrap();
    let both = changes_since(doc.automerge_mut(), &heads);
    assert_eq!(
        raw.push(&id, both).rejections[0].code,
        RejectCode::Identifier
    );

    // An identifier typed one character per change (no change inserts
    // more than a digit, so no change's own text shows it) and deleted
    // again within the same push: the office scans the states on the way.
    let mut typed = a.store.load(&id).unwrap();
    let start = typed.heads();
    let mut so_far = String::from("身份证号");
    for (n, ch) in RESIDENT_ID.chars().enumerate() {
        so_far.push(ch);
        typed
            .apply_patch(
                &json!({ "present_illness": so_far }),
                &mut ctx("王老师", &mut ids, 10 + n as i64),
            )
            .unwrap();
    }
    typed
        .apply_patch(
            &json!({"present_illness": "已删除"}),
            &mut ctx("王老师", &mut ids, 100),
        )
        .unwrap();
    let keystrokes = changes_since(typed.automerge_mut(), &start);
    assert!(keystrokes.len() > RESIDENT_ID.len());
    assert_eq!(
        raw.push(&id, keystrokes).rejections[0].code,
        RejectCode::Identifier
    );

    // A private case pushed whole is refused.
    let secret = a.create(DocKind::CASE, "私人病例", json!({}));
    let all = changes_since(a.store.load(&secret).unwrap().automerge_mut(), &[]);
    assert_eq!(
        raw.push(&secret, all).rejections[0].code,
        RejectCode::Forbidden
    );

    assert_eq!(office.counts(&o), before, "a refused push stored something");
    assert!(
        !office
            .bytes(&id)
            .unwrap()
            .windows(RESIDENT_ID.len())
            .any(|w| w == RESIDENT_ID.as_bytes())
    );
}
