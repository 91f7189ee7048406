//! An enrolled member's device in hostile hands: it crafts Automerge
//! changes directly (the automerge crate, not Rounds' edit API) and pushes
//! them with its own valid token. Every attack is refused with a reason,
//! and the office's database is byte-identical before and after.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use rounds_core::schema::DocKind;
use rounds_office::db::Role;
use rounds_office::service::Limits;
use rounds_proto::RejectCode;
use rounds_testkit::raw::{Answer, RawDevice, changes_since};
use rounds_testkit::{Office, Teacher, now_ms};
use serde_json::json;

/// A resident identity number (region, birth date, sequence, check digit)
/// made up for this test, with a valid check digit so that it is detected.
fn resident_id() -> String {
    let body = "33010620150704031";
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// The office's copy of `id`, with `dev`'s actor, to edit directly.
fn fork(dev: &RawDevice, office: &Office, id: &str) -> AutoCommit {
    AutoCommit::load(&office.bytes(id).unwrap())
        .unwrap()
        .with_actor(dev.actor.clone())
}

/// One crafted edit of a stored document: the changes it makes.
fn edit(
    dev: &RawDevice,
    office: &Office,
    id: &str,
    f: impl FnOnce(&mut AutoCommit) -> Result<(), automerge::AutomergeError>,
) -> Vec<Vec<u8>> {
    let mut am = fork(dev, office, id);
    let heads = am.get_heads();
    f(&mut am).unwrap();
    am.commit();
    changes_since(&mut am, &heads)
}

fn fields(am: &AutoCommit) -> automerge::ObjId {
    am.get(ROOT, "fields").unwrap().unwrap().1
}

fn text_of(am: &AutoCommit, parent: &automerge::ObjId, key: &str) -> automerge::ObjId {
    match am.get(parent, key).unwrap() {
        Some((automerge::Value::Object(ObjType::Text), id)) => id,
        other => panic!("{key} is not text: {other:?}"),
    }
}

/// Adds a list element (as Rounds lays them out) with one text sub-field.
fn add_element(
    am: &mut AutoCommit,
    list_key: &str,
    el: &str,
    sub: &str,
    text: &str,
) -> Result<(), automerge::AutomergeError> {
    let f = fields(am);
    let list = am.get(&f, list_key)?.unwrap().1;
    let e = am.put_object(&list, el, ObjType::Map)?;
    am.put(&e, "removed", false)?;
    am.put(&e, "order", "a0")?;
    let t = am.put_object(&e, sub, ObjType::Text)?;
    am.splice_text(&t, 0, 0, text)
}

#[test]
fn a_hostile_member_changes_nothing() {
    // A frozen clock: the office writes down a device's last sync once a
    // minute, which is a change of state that is not the attacks' doing.
    let now = now_ms();
    let office = Office::start_with_clock(Limits::default(), Some(Box::new(move || now)));
    let o = office.create_office("儿科教研室");
    let other = office.create_office("另一家医院");

    // A colleague with a shared lesson plan and a shared case.
    let mut colleague = Teacher::joined(&office, &o, "周老师");
    let plan = colleague.create(
        DocKind::LESSON_PLAN,
        "小儿腹泻的液体疗法",
        json!({"summary": "补液三原则：先快后慢，先盐后糖，见尿补钾。"}),
    );
    colleague
        .store
        .set_visibility(&plan, rounds_core::Visibility::Office)
        .unwrap();
    let case = colleague.create(
        DocKind::CASE,
        "发热伴皮疹三天",
        json!({"chief_complaint": "发热三天，皮疹一天。"}),
    );
    let case = colleague.store.share(&case, true).unwrap().id;
    colleague.sync().unwrap();

    // A document of another office.
    let mut stranger = Teacher::joined(&office, &other, "钱老师");
    let foreign = stranger.create(DocKind::LESSON_PLAN, "外院教案", json!({}));
    stranger.sync().unwrap();

    // The hostile member: a teacher, with a plan of their own.
    let mut hostile = Teacher::new("吴老师");
    let member = office.add_member_as(&o, "吴老师", Role::Teacher);
    hostile.join(&office, &office.code(&member)).unwrap();
    let own = hostile.create(
        DocKind::LESSON_PLAN,
        "自己的教案",
        json!({"status": "draft"}),
    );
    hostile.sync().unwrap();
    let dev = RawDevice::of(&office, &hostile);

    let before = office.db.dump().unwrap();
    let rid = resident_id();
    let colleague_actor = colleague.store.actor().clone();

    // (name, document pushed to, changes, expected code, words the reason holds)
    let mut attacks: Vec<(&str, String, Vec<Vec<u8>>, RejectCode, &str)> = vec![
        (
            "make a colleague's shared plan private",
            plan.clone(),
            edit(&dev, &office, &plan, |am| {
                am.put(ROOT, "visibility", "private")
            }),
            RejectCode::Forbidden,
            "visibility:",
        ),
        (
            "move a colleague's shared plan to the trash",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.put(ROOT, "deleted", true)),
            RejectCode::Forbidden,
            "deleted:",
        ),
        (
            "rewrite a case's kind to lesson_plan",
            case.clone(),
            edit(&dev, &office, &case, |am| {
                am.put(ROOT, "kind", "lesson_plan")
            }),
            RejectCode::Forbidden,
            "immutable: `kind`",
        ),
        (
            "set schema 99",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.put(ROOT, "schema", 99u64)),
            RejectCode::InvalidDocument,
            "the office must be updated",
        ),
        (
            "rewrite the owner",
            plan.clone(),
            edit(&dev, &office, &plan, |am| {
                am.put(ROOT, "owner", hostile.store.user_id())
            }),
            RejectCode::Forbidden,
            "immutable: `owner`",
        ),
        (
            "rewrite the author",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.put(ROOT, "author", "吴老师")),
            RejectCode::Forbidden,
            "immutable: `author`",
        ),
        (
            "rewrite the creation time",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.put(ROOT, "created", 1i64)),
            RejectCode::Forbidden,
            "immutable: `created`",
        ),
        (
            "delete the fields map",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.delete(ROOT, "fields")),
            RejectCode::InvalidDocument,
            "structure: the root key `fields` is missing",
        ),
        (
            "delete every root key",
            plan.clone(),
            edit(&dev, &office, &plan, |am| {
                for k in am.keys(ROOT).collect::<Vec<_>>() {
                    am.delete(ROOT, k.as_str())?;
                }
                Ok(())
            }),
            RejectCode::InvalidDocument,
            "no id",
        ),
        (
            "add a root key the layout does not have",
            plan.clone(),
            edit(&dev, &office, &plan, |am| am.put(ROOT, "payload", "x")),
            RejectCode::InvalidDocument,
            "structure: `payload`",
        ),
        (
            "a visibility that is neither private nor office",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                am.put(ROOT, "visibility", "everyone")
            }),
            RejectCode::InvalidDocument,
            "structure: the root key `visibility`",
        ),
        (
            "replace a text field by a number",
            plan.clone(),
            edit(&dev, &office, &plan, |am| {
                let f = fields(am);
                am.put(&f, "summary", 7i64)
            }),
            RejectCode::InvalidDocument,
            "structure: `summary`",
        ),
        (
            "a choice outside its list",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                let f = fields(am);
                am.put(&f, "session_type", "party")
            }),
            RejectCode::InvalidDocument,
            "field: session_type",
        ),
        (
            "a text over its field's limit",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                let f = fields(am);
                let t = text_of(am, &f, "summary");
                am.splice_text(&t, 0, 0, &"长".repeat(60_000))
            }),
            RejectCode::InvalidDocument,
            "field: summary",
        ),
        (
            "a list element with a malformed id",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                add_element(am, "objectives", "../../etc", "text", "目标")
            }),
            RejectCode::InvalidDocument,
            "malformed id",
        ),
        (
            "a reference that names no document",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                add_element(am, "process", "0a1b2c3d4e5f", "stage", "导入")?;
                let f = fields(am);
                let list = am.get(&f, "process")?.unwrap().1;
                let e = am.get(&list, "0a1b2c3d4e5f")?.unwrap().1;
                am.put(&e, "ref", "../../office/secrets")
            }),
            RejectCode::InvalidDocument,
            "must be a reference to a document",
        ),
        (
            "an identifier added through a case's list element",
            case.clone(),
            edit(&dev, &office, &case, |am| {
                add_element(am, "questions", "q9", "answer", &format!("身份证号{rid}"))
            }),
            RejectCode::Identifier,
            "identifier:",
        ),
        (
            "an identifier in a lesson plan's free text",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                add_element(am, "objectives", "o9", "text", &format!("患儿身份证{rid}"))
            }),
            RejectCode::Identifier,
            "identifier:",
        ),
        (
            "approve its own plan as a teacher",
            own.clone(),
            edit(&dev, &office, &own, |am| {
                let f = fields(am);
                am.put(&f, "status", "approved")
            }),
            RejectCode::Forbidden,
            "workflow:",
        ),
        (
            "push to another office's document by its id",
            foreign.clone(),
            edit(&dev, &office, &foreign, |am| {
                let t = am.get(ROOT, "title")?.unwrap().1;
                am.splice_text(&t, 0, 0, "改")
            }),
            RejectCode::OtherOffice,
            "another office",
        ),
    ];

    // A list element made in the colleague's case, moved into the
    // hostile member's own plan: the change's history is another document's.
    {
        let mut am = fork(&dev, &office, &case);
        let t = am.get(ROOT, "title").unwrap().unwrap().1;
        am.splice_text(&t, 0, 0, "新").unwrap();
        am.commit();
        let heads = am.get_heads();
        add_element(&mut am, "questions", "q1", "answer", "答案").unwrap();
        am.commit();
        let changes = changes_since(&mut am, &heads);
        attacks.push((
            "move a list element into another document",
            own.clone(),
            changes,
            RejectCode::MissingDeps,
            "depend on changes",
        ));
    }

    // The colleague's whole case, re-pushed under a new id: the colleague's
    // changes are replayed with the hostile device's token.
    {
        let mut am = fork(&dev, &office, &case);
        let all = changes_since(&mut am, &[]);
        attacks.push((
            "replay another device's changes with its own token",
            uuid_like(7),
            all,
            RejectCode::ForgedActor,
            "not this device's",
        ));
    }

    // A new document naming the colleague as its owner.
    {
        let mut am = AutoCommit::new().with_actor(dev.actor.clone());
        let id = uuid_like(8);
        build_plan(&mut am, &id, colleague.store.user_id()).unwrap();
        am.commit();
        attacks.push((
            "create a document owned by a colleague",
            id,
            changes_since(&mut am, &[]),
            RejectCode::Forbidden,
            "owner:",
        ));
    }

    // A change signed by the colleague's actor.
    {
        let mut am = fork(&dev, &office, &plan).with_actor(colleague_actor);
        let heads = am.get_heads();
        let t = am.get(ROOT, "title").unwrap().unwrap().1;
        am.splice_text(&t, 0, 0, "伪").unwrap();
        am.commit();
        attacks.push((
            "sign a change as a colleague's device",
            plan.clone(),
            changes_since(&mut am, &heads),
            RejectCode::ForgedActor,
            "not this device's",
        ));
    }

    let mut refused = 0;
    for (name, doc, changes, code, words) in &attacks {
        match dev.send(doc, changes.clone()) {
            Answer::Sync(resp) => {
                assert!(resp.acks.is_empty(), "{name}: accepted");
                assert_eq!(resp.rejections.len(), 1, "{name}");
                let r = &resp.rejections[0];
                assert_eq!(r.code, *code, "{name}: {}", r.message);
                assert!(r.message.contains(words), "{name}: {}", r.message);
            }
            Answer::Refused(status, body) => panic!("{name}: HTTP {status} {body}"),
        }
        refused += 1;
    }

    // A 20 MB text field cannot even be sent: the frame is over the
    // request limit once decompressed (or, compressed, over it at once).
    let huge = edit(&dev, &office, &own, |am| {
        let f = fields(am);
        am.put(&f, "summary", "x".repeat(20 << 20))
    });
    match dev.send(&own, huge) {
        Answer::Refused(413, body) => assert!(body.contains("too_large"), "{body}"),
        Answer::Refused(400, body) => assert!(body.contains("larger than"), "{body}"),
        Answer::Refused(s, body) => panic!("20 MB text: HTTP {s} {body}"),
        Answer::Sync(_) => panic!("20 MB text: accepted a request over the limit"),
    }
    refused += 1;
    // One of 3 MB fits in a request but not in a change.
    let big = edit(&dev, &office, &own, |am| {
        let f = fields(am);
        am.put(&f, "summary", "y".repeat(3 << 20))
    });
    let resp = dev.push(&own, big);
    assert!(resp.acks.is_empty(), "3 MB text: accepted");
    assert_eq!(resp.rejections[0].code, RejectCode::TooLarge);
    refused += 1;

    let after = office.db.dump().unwrap();
    let changed = usize::from(before != after);
    assert_eq!(before, after, "the office's database changed");
    // The hostile member's plan is still as it was at the office.
    let stored = office.document(&own).unwrap();
    assert_eq!(stored.choice("status").as_deref(), Some("draft"));
    println!(
        "hostile member: {} attacks, {} accepted, {changed} state changes",
        refused,
        attacks.len() + 2 - refused
    );
}

/// A made-up document id, distinct per `n`.
fn uuid_like(n: u8) -> String {
    format!(
        "0190a1b2-c3d4-7e5f-8a9b-{:012x}",
        u64::from(n) + 0xabc0_0000
    )
}

/// The root of a lesson plan, laid out as Rounds lays it out.
fn build_plan(am: &mut AutoCommit, id: &str, owner: &str) -> Result<(), automerge::AutomergeError> {
    am.put(ROOT, "id", id)?;
    am.put(ROOT, "kind", "lesson_plan")?;
    am.put(ROOT, "schema", 1u64)?;
    am.put(ROOT, "owner", owner)?;
    am.put(ROOT, "author", "吴老师")?;
    am.put(ROOT, "created", 1_700_000_000_000i64)?;
    let t = am.put_object(ROOT, "title", ObjType::Text)?;
    am.splice_text(&t, 0, 0, "冒名教案")?;
    am.put(ROOT, "visibility", "office")?;
    am.put(ROOT, "language", "zh")?;
    am.put(ROOT, "deleted", false)?;
    am.put_object(ROOT, "tags", ObjType::Map)?;
    am.put_object(ROOT, "fields", ObjType::Map)?;
    Ok(())
}

/// What a teacher may not do, a lead teacher (approving) and an office admin
/// (changing a colleague's visibility) may; a role changed with
/// `set_role` counts from the next sync.
#[test]
fn roles_allow_what_teachers_may_not() {
    let office = Office::start();
    let o = office.create_office("儿科教研室");
    let mut author = Teacher::joined(&office, &o, "郑老师");
    let plan = author.create(
        DocKind::LESSON_PLAN,
        "新生儿黄疸",
        json!({"status": "in_review"}),
    );
    author
        .store
        .set_visibility(&plan, rounds_core::Visibility::Office)
        .unwrap();
    author.sync().unwrap();

    let approve = |t: &Teacher| {
        let dev = RawDevice::of(&office, t);
        let changes = edit(&dev, &office, &plan, |am| {
            let f = fields(am);
            am.put(&f, "status", "approved")
        });
        dev.push(&plan, changes)
    };
    let lead_member = office.add_member_as(&o, "冯老师", Role::Teacher);
    let mut lead = Teacher::new("冯老师");
    lead.join(&office, &office.code(&lead_member)).unwrap();
    lead.sync().unwrap();
    let r = approve(&lead);
    assert_eq!(r.rejections.len(), 1, "a teacher approved");
    assert!(r.rejections[0].message.starts_with("workflow:"));
    rounds_office::db::OfficeDb::set_role(office.db.as_ref(), &lead_member, Role::LeadTeacher)
        .unwrap();
    let r = approve(&lead);
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    assert_eq!(r.acks.len(), 1);
    assert_eq!(
        office.document(&plan).unwrap().choice("status").as_deref(),
        Some("approved")
    );

    let admin = Teacher::joined_as(&office, &o, "陈主任", Role::OfficeAdmin);
    let dev = RawDevice::of(&office, &admin);
    let changes = edit(&dev, &office, &plan, |am| {
        am.put(ROOT, "visibility", "private")
    });
    let r = dev.push(&plan, changes);
    assert!(
        r.rejections.is_empty() && r.acks.len() == 1,
        "{:?}",
        r.rejections
    );
}

/// A revoked device joins again with a new code for the same member and
/// pushes the edit it made while revoked.
#[test]
fn a_revoked_device_rejoins_and_keeps_its_unpushed_edits() {
    let office = Office::start();
    let o = office.create_office("儿科教研室");
    let member = office.add_member_as(&o, "孙老师", Role::Teacher);
    let mut t = Teacher::new("孙老师");
    t.join(&office, &office.code(&member)).unwrap();
    let plan = t.create(DocKind::LESSON_PLAN, "哮喘急性发作", json!({}));
    t.sync().unwrap();
    let device = rounds_office::db::OfficeDb::devices(office.db.as_ref(), &o).unwrap()[0]
        .id
        .clone();
    rounds_office::db::OfficeDb::revoke_device(office.db.as_ref(), &device, 1).unwrap();
    t.store
        .edit(&plan, &json!({"summary": "吸入激素的阶梯治疗"}))
        .unwrap();
    assert!(matches!(
        t.sync(),
        Err(rounds_client::ClientError::Unauthorized(_))
    ));
    let conn = rounds_client::Connection {
        url: office.url.clone(),
        ..Default::default()
    };
    let code = office.code(&member);
    assert!(matches!(
        rounds_client::join(&mut t.store, t.dir.path(), &conn, &code, "again"),
        Err(rounds_client::ClientError::AlreadyJoined(_))
    ));
    rounds_client::rejoin(&mut t.store, t.dir.path(), &conn, &code, "again").unwrap();
    t.sync().unwrap();
    assert_eq!(
        office.document(&plan).unwrap().to_json()["summary"],
        "吸入激素的阶梯治疗"
    );
}
