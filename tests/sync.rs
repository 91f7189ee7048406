//! Teachers sync through a real office server: convergence, isolation,
//! joining late, revocation, and resuming after a cut.

use rounds_client::ClientError;
use rounds_core::doc::Visibility;
use rounds_core::schema::DocKind;
use rounds_office::db::OfficeDb;
use rounds_office::service::Limits;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

/// A shared lesson plan that teacher `a` wrote and `b` received.
fn shared_plan(a: &mut Teacher, b: &mut Teacher) -> String {
    let id = a.create(
        DocKind::LESSON_PLAN,
        "热性惊厥",
        json!({
            "course": "儿科学", "session_type": "cbl",
            "learner_analysis": "学生已学习神经系统查体。对惊厥的现场处理缺乏经验。",
            "process": [{"stage": "导入", "minutes": 5}, {"stage": "病例讨论", "minutes": 30}, {"stage": "小结", "minutes": 10}]
        }),
    );
    a.store.set_visibility(&id, Visibility::Office).unwrap();
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.json(&id), a.json(&id));
    id
}

fn concurrent_edits(order_a_first: bool) {
    let office = Office::start();
    let o = office.create_office("示范教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    let id = shared_plan(&mut a, &mut b);
    let rows = a.json(&id)["process"].clone();
    let row = |i: usize| rows[i]["id"].as_str().unwrap().to_owned();

    // Offline, both edit: different fields; the same text at different
    // places; the same choice; one removes a row the other edits.
    a.store
        .edit(
            &id,
            &json!({
                "chapter": "第九章",
                "learner_analysis": "本班学生已学习神经系统查体。对惊厥的现场处理缺乏经验。",
                "session_type": "pbl",
                "process": [{"id": row(0)}, {"id": row(2)}]
            }),
        )
        .unwrap();
    b.store
        .edit(&id, &json!({
            "reflection": "讨论时间偏紧。",
            "learner_analysis": "学生已学习神经系统查体。对惊厥的现场处理缺乏经验，需要模拟演练。",
            "session_type": "tbl",
            "process": [{"id": row(0)}, {"id": row(1), "minutes": 35}, {"id": row(2)}]
        }))
        .unwrap();

    let (first, second) = if order_a_first {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    first.sync().unwrap();
    second.sync().unwrap();
    first.sync().unwrap();

    let ja = a.json(&id);
    let jb = b.json(&id);
    assert_eq!(ja, jb, "the two teachers disagree");
    assert_eq!(ja["chapter"], "第九章");
    assert_eq!(ja["reflection"], "讨论时间偏紧。");
    assert_eq!(
        ja["learner_analysis"],
        "本班学生已学习神经系统查体。对惊厥的现场处理缺乏经验，需要模拟演练。"
    );
    assert!(["pbl", "tbl"].contains(&ja["session_type"].as_str().unwrap()));
    let stages: Vec<&str> = ja["process"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["导入", "小结"], "the removed row stays removed");
    assert_eq!(
        office.document(&id).unwrap().to_json(),
        ja,
        "the office disagrees"
    );

    // A third teacher who joins later receives everything.
    let mut c = Teacher::joined(&office, &o, "赵老师");
    let report = c.sync().unwrap();
    assert_eq!(report.snapshots_received, 1);
    assert_eq!(c.json(&id), ja);
    // Nothing changed: one round trip of a few bytes each way.
    let r = c.sync().unwrap();
    assert_eq!(r.round_trips, 1);
    assert!(r.bytes_up < 32 && r.bytes_down < 32, "{r:?}");
}

#[test]
fn concurrent_offline_edits_converge_when_a_syncs_first() {
    concurrent_edits(true);
}

#[test]
fn concurrent_offline_edits_converge_when_b_syncs_first() {
    concurrent_edits(false);
}

#[test]
fn offices_and_private_drafts_stay_apart() {
    let office = Office::start();
    let o1 = office.create_office("一院教研室");
    let o2 = office.create_office("二院教研室");
    let mut a = Teacher::joined(&office, &o1, "王老师");
    let mut b = Teacher::joined(&office, &o1, "李老师");
    let mut x = Teacher::joined(&office, &o2, "外院老师");
    let shared = a.create(DocKind::LESSON_PLAN, "共享教案", json!({}));
    a.store.set_visibility(&shared, Visibility::Office).unwrap();
    let draft = a.create(
        DocKind::LESSON_PLAN,
        "私人草稿",
        json!({"summary": "未完成"}),
    );
    let case = a.create(DocKind::CASE, "私人病例", json!({}));
    a.sync().unwrap();
    b.sync().unwrap();
    x.sync().unwrap();
    assert_eq!(
        b.ids(),
        vec![shared.clone()],
        "a colleague sees the shared plan only"
    );
    assert!(x.ids().is_empty(), "another office sees nothing");
    assert!(
        office.document(&draft).is_some(),
        "the draft is kept at the office for its author"
    );
    assert!(
        office.document(&case).is_none(),
        "a private case never leaves the device"
    );
    assert_eq!(a.store.sync_info().unwrap().local_only_docs, 1);

    // The author's second device receives the private draft.
    let member = office.db.status(&o1).unwrap().devices[0].member.clone();
    let mut a2 = Teacher::new("王老师");
    a2.join(&office, &office.code(&member)).unwrap();
    a2.sync().unwrap();
    let mut both = vec![shared.clone(), draft.clone()];
    both.sort();
    assert_eq!(a2.ids(), both);

    // Sharing the draft later brings it to colleagues whole, although its
    // earlier changes are older than their cursors.
    a.store.set_visibility(&draft, Visibility::Office).unwrap();
    a.sync().unwrap();
    let r = b.sync().unwrap();
    assert_eq!(r.snapshots_received, 1);
    assert_eq!(b.json(&draft), a.json(&draft));
    assert_eq!(b.json(&draft)["summary"], "未完成");
    x.sync().unwrap();
    assert!(x.ids().is_empty());
}

#[test]
fn revoked_devices_and_spent_codes_are_refused() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let member = office.add_member(&o, "李老师");
    let code = office.code(&member);
    let mut b = Teacher::new("李老师");
    b.join(&office, &code).unwrap();
    let mut c = Teacher::new("冒充者");
    let err = c.join(&office, &code).unwrap_err();
    assert!(
        matches!(&err, ClientError::Office { status: 403, code, .. } if code == "code_used"),
        "{err}"
    );
    let err = c.join(&office, "ABCDE-FGHJK").unwrap_err();
    assert!(
        matches!(&err, ClientError::Office { status: 403, code, .. } if code == "invalid_code"),
        "{err}"
    );

    // An expired code.
    let late = office.add_member(&o, "迟到者");
    let expired = {
        let svc = rounds_office::service::Service::new(office.db.clone(), Limits::default())
            .with_clock(Box::new(|| 0));
        svc.issue_code(&late, 1).unwrap()
    };
    let err = c.join(&office, &expired).unwrap_err();
    assert!(
        matches!(&err, ClientError::Office { status: 403, code, .. } if code == "code_expired"),
        "{err}"
    );

    // A revoked device gets 401 and nothing else.
    let shared = a.create(DocKind::LESSON_PLAN, "共享", json!({}));
    a.store.set_visibility(&shared, Visibility::Office).unwrap();
    a.sync().unwrap();
    let device = b.store.sync_info().unwrap().device_id.unwrap();
    office.db.revoke_device(&device, 1).unwrap();
    let err = b.sync().unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized(_)), "{err}");
    assert!(b.ids().is_empty());
    // And what it wrote offline stays on it.
    let mine = b.create(DocKind::LESSON_PLAN, "离线教案", json!({}));
    assert!(b.sync().is_err());
    assert_eq!(b.ids(), vec![mine]);
}

#[test]
fn a_new_device_receives_compacted_snapshots_not_the_change_log() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let private = a.create(DocKind::CASE, "病例", json!({}));
    let id = a.store.share(&private, true).unwrap().id;
    for i in 0..30 {
        a.store
            .edit(&id, &json!({"present_illness": format!("第{i}版现病史")}))
            .unwrap();
        a.sync().unwrap();
    }
    assert!(office.service.compact_snapshots(100).unwrap() >= 1);
    let mut b = Teacher::joined(&office, &o, "李老师");
    let r = b.sync().unwrap();
    assert_eq!((r.snapshots_received, r.changes_received), (1, 0));
    assert_eq!(b.json(&id), a.json(&id));
    assert_eq!(
        b.store.history(&id).unwrap().len(),
        a.store.history(&id).unwrap().len(),
        "history travels with the snapshot"
    );
    // The office's compact save is kept as it came, not saved again.
    let (snapshot, _, rest, _) = office.db.doc_log_since_snapshot(&id).unwrap();
    assert!(rest.is_empty() && rounds_core::sync::is_one_document_chunk(&snapshot));
    assert_eq!(b.store.raw_bytes(&id).unwrap(), snapshot);
    // What the device has, the office has: nothing to push back, and the
    // device's next edit travels alone.
    assert!(b.store.outgoing().unwrap().is_empty());
    b.store
        .edit(&id, &json!({"present_illness": "第30版现病史"}))
        .unwrap();
    let out = b.store.outgoing().unwrap();
    assert_eq!((out.len(), out[0].changes.len()), (1, 1));
}

/// A transport that cuts the connection after a number of exchanges,
/// either before the office sees the request or after it answered.
struct Cutting<'a> {
    inner: rounds_client::HttpTransport,
    left: usize,
    after_answer: bool,
    items_received: &'a mut usize,
}

impl rounds_client::Transport for Cutting<'_> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        if self.left == 0 && !self.after_answer {
            return Err(ClientError::Offline("cut".into()));
        }
        let resp = self.inner.exchange(request)?;
        *self.items_received += rounds_proto::SyncResponse::decode(&resp, 1 << 26)
            .unwrap()
            .items
            .len();
        if self.left == 0 {
            return Err(ClientError::Offline("cut after the answer".into()));
        }
        self.left -= 1;
        Ok(resp)
    }
}

#[test]
fn a_cut_sync_resumes_from_the_last_applied_page() {
    let limits = Limits {
        page_bytes: 20_000,
        ..Limits::default()
    };
    let office = Office::start_with(limits);
    let o = office.create_office("教研室");
    // The generated library holds approved plans: only a lead teacher may push those.
    let mut a = Teacher::joined_as(&office, &o, "王老师", rounds_office::db::Role::LeadTeacher);
    let generated = a.store.generate(60, 3, 1500).unwrap();
    let mut ids: Vec<String> = generated
        .iter()
        .map(|id| a.store.share(id, true).unwrap().id)
        .collect();
    a.sync().unwrap();
    ids.sort();

    let mut b = Teacher::joined(&office, &o, "李老师");
    b.store.set_clock(Box::new(|| 5));
    let mut received = 0usize;
    let mut pages = 0;
    for after_answer in [false, true, true, false, true] {
        let mut t = Cutting {
            inner: rounds_client::HttpTransport::for_store(&b.store, b.dir.path()).unwrap(),
            left: 1,
            after_answer,
            items_received: &mut received,
        };
        let _ = rounds_client::sync(&mut b.store, &mut t, &|| 5);
        pages += 1;
    }
    let r = b.sync().unwrap();
    assert_eq!(b.ids(), ids, "everything arrived");
    for id in &ids {
        assert_eq!(b.json(id), a.json(id));
    }
    // Every page but those cut after their answer was sent once: at most
    // one page's documents per cut were sent again.
    let total = received + (r.docs_received + r.snapshots_received) as usize;
    assert!(total >= 60);
    assert!(
        total - 60 <= 3 * 20,
        "{total} documents sent for 60 after {pages} cut syncs"
    );
    assert!(r.round_trips >= 1);
}

/// One teacher removes a step of the teaching process while a colleague,
/// offline, rewrites it: the removal stands, the colleague is told, and
/// restoring brings the step back with their text to everyone.
#[test]
fn a_step_removed_while_a_colleague_edited_it_is_noticed_and_restorable() {
    let office = Office::start();
    let o = office.create_office("一院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined(&office, &o, "李老师");
    let id = shared_plan(&mut a, &mut b);
    let steps = |t: &Teacher| -> Vec<(String, String)> {
        t.json(&id)["process"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_owned(),
                    r["stage"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let s = steps(&b);
    assert_eq!(s.len(), 3);
    // B, offline, rewrites the second step; A removes it and syncs.
    b.store
        .edit(
            &id,
            &json!({"process": [{"id": s[0].0}, {"id": s[1].0, "stage": "病例讨论：高热惊厥的现场处置"}, {"id": s[2].0}]}),
        )
        .unwrap();
    a.store
        .edit(&id, &json!({"process": [{"id": s[0].0}, {"id": s[2].0}]}))
        .unwrap();
    a.sync().unwrap();
    assert!(b.store.removed_edits(&id).unwrap().is_empty());
    b.sync().unwrap();
    // The removal stands on B, and B is told what it took.
    assert_eq!(steps(&b).len(), 2);
    let notices = b.store.removed_edits(&id).unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        (notices[0].field.as_str(), notices[0].row.as_str()),
        ("process", s[1].0.as_str())
    );
    assert!(notices[0].text.contains("高热惊厥的现场处置"));
    // A, who removed it, is told nothing when B's edit arrives.
    a.sync().unwrap();
    assert!(a.store.removed_edits(&id).unwrap().is_empty());
    assert_eq!(steps(&a).len(), 2);
    // B restores it; everyone gets it back with B's text, in its place.
    b.store.restore_row(&id, "process", &s[1].0).unwrap();
    assert!(b.store.removed_edits(&id).unwrap().is_empty());
    b.sync().unwrap();
    a.sync().unwrap();
    assert_eq!(
        steps(&a),
        vec![
            s[0].clone(),
            (s[1].0.clone(), "病例讨论：高热惊厥的现场处置".to_owned()),
            s[2].clone()
        ]
    );
    // Dismissing an unknown document's notice says so.
    assert!(
        b.store
            .dismiss_removed("0193a5b0-0000-7000-8000-00000000ffff", "process", "x")
            .is_err()
    );
}
