//! The storage contract (`rounds_office::db::OfficeDb`), one suite for
//! every backend: each test below runs against SQLite and against a real
//! PostgreSQL (a database of its own per test; `make test` provides the
//! server through pg_virtualenv). The decisions come from the service's
//! rules (`service::access`), as in the office, so what is tested is what
//! the office does with each backend.
//!
//! "Another process" is another handle opened on the same database: its
//! own connections, no memory shared with the first.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use rounds_office::db::*;
use rounds_office::pg::PgDb;
use rounds_office::service::access;
use rounds_office::sqlite::SqliteDb;
use rounds_proto::{RejectCode, Rejection};
use rounds_testkit::pg::PgTestDb;

struct Fixture {
    db: Arc<dyn OfficeDb>,
    /// Opens the same database again, as another office process would.
    reopen: Box<dyn Fn() -> Arc<dyn OfficeDb> + Send + Sync>,
    // Dropped last: the database (or directory) the handles use.
    _keep: Box<dyn std::any::Any>,
}

fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    Fixture {
        db: Arc::new(SqliteDb::open_dir(&path).unwrap()),
        reopen: Box::new(move || Arc::new(SqliteDb::open_dir(&path).unwrap())),
        _keep: Box::new(dir),
    }
}

fn postgres() -> Option<Fixture> {
    let t = PgTestDb::new()?;
    let url = t.url.clone();
    Some(Fixture {
        db: Arc::new(PgDb::connect(&url).unwrap()),
        reopen: Box::new(move || Arc::new(PgDb::connect(&url).unwrap())),
        _keep: Box::new(t),
    })
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[test] fn $name() { super::$name(&super::sqlite()) })*
        }
        mod postgres_backend {
            $(#[test] fn $name() {
                if let Some(f) = super::postgres() { super::$name(&f) }
            })*
        }
    };
}

conformance!(
    offices_members_and_rubrics,
    enrollment_follows_the_rules,
    tokens_of_revoked_devices_and_removed_members_do_not_authenticate,
    the_log_reaches_whom_it_may_in_order,
    pages_are_bounded_and_resume,
    refused_pushes_change_nothing,
    owner_ids_stay_with_their_member,
    snapshots_follow_the_log,
    a_new_documents_snapshot_comes_with_its_push,
    the_epoch_and_the_data_survive_reopening,
    concurrent_pushes_through_several_handles_are_read_exactly_once,
    bundle_keys_and_imported_bundles,
);

// ---- helpers -------------------------------------------------------------

struct Setup {
    office: String,
    alice: DeviceCtx,
    alice2: DeviceCtx,
    bob: DeviceCtx,
}

fn enroll_device(db: &dyn OfficeDb, member: &str, device: &str, now: i64) -> DeviceCtx {
    let code = format!("code-{device}").into_bytes();
    db.create_code(member, &code, now + 1_000, now).unwrap();
    let token = format!("token-{device}").into_bytes();
    let actor = format!("actor-{device}").into_bytes();
    db.enroll(
        &code,
        NewDevice {
            id: device,
            name: device,
            token_hash: &token,
            actor: &actor,
        },
        now,
        &mut |v| access::enrollment(v, now),
    )
    .unwrap()
    .unwrap();
    access::authenticates(db.device_for_token(&token).unwrap().unwrap()).unwrap()
}

fn setup(db: &dyn OfficeDb) -> Setup {
    let office = db.create_office("office-1", "教研室", 1).unwrap().id;
    db.add_member("m-alice", &office, "王老师", Role::Teacher, 2)
        .unwrap();
    db.add_member("m-bob", &office, "Dr. Okafor", Role::LeadTeacher, 3)
        .unwrap();
    Setup {
        alice: enroll_device(db, "m-alice", "d-alice", 10),
        alice2: enroll_device(db, "m-alice", "d-alice-2", 11),
        bob: enroll_device(db, "m-bob", "d-bob", 12),
        office,
    }
}

/// Pushes `changes` (each its own hash and bytes) to `doc` as `ctx`,
/// deciding as a device's valid push would be decided.
fn push(
    db: &dyn OfficeDb,
    ctx: &DeviceCtx,
    doc: &str,
    changes: &[&str],
    visibility: &str,
    reveal: bool,
) -> Result<(), Rejection> {
    push_as_owner(db, ctx, doc, changes, visibility, reveal, &ctx.member)
}

fn push_as_owner(
    db: &dyn OfficeDb,
    ctx: &DeviceCtx,
    doc: &str,
    changes: &[&str],
    visibility: &str,
    reveal: bool,
    owner_of: &str,
) -> Result<(), Rejection> {
    let accepted = Accepted {
        changes: changes
            .iter()
            .map(|c| (format!("h:{c}").into_bytes(), c.as_bytes().to_vec()))
            .collect(),
        kind: "case".into(),
        visibility: visibility.into(),
        deleted: false,
        reveal,
        owner_id: format!("owner-id-of-{owner_of}"),
        snapshot: None,
    };
    push_accepted(db, ctx, doc, accepted)
}

fn push_accepted(
    db: &dyn OfficeDb,
    ctx: &DeviceCtx,
    doc: &str,
    accepted: Accepted,
) -> Result<(), Rejection> {
    let mut decide = |_: Option<&DocState>| Ok(accepted.clone());
    let owner = |state: Option<&DocState>, bound: Option<&str>| {
        access::owner_binding(ctx, doc, state, bound)
    };
    db.push_doc(
        ctx,
        doc,
        100,
        PushRules {
            decide: &mut decide,
            owner: &owner,
        },
    )
    .unwrap()
}

fn read_all(db: &dyn OfficeDb, ctx: &DeviceCtx, after: i64) -> LogPage {
    db.read_log(&ctx.office, after, usize::MAX, &|r| {
        access::may_read_row(ctx, r)
    })
    .unwrap()
}

/// Each entry as text: "change:BYTES" or "reveal:BYTES".
fn entries(page: &LogPage) -> Vec<String> {
    page.entries
        .iter()
        .map(|e| match e {
            LogEntry::Change { bytes, .. } => format!("change:{}", String::from_utf8_lossy(bytes)),
            LogEntry::Reveal { bytes, .. } => format!("reveal:{}", String::from_utf8_lossy(bytes)),
        })
        .collect()
}

// ---- the contract --------------------------------------------------------

fn offices_members_and_rubrics(f: &Fixture) {
    let db = &*f.db;
    let o = db.create_office("o-1", "儿科教研室", 5).unwrap();
    assert_eq!(
        (o.id.as_str(), o.name.as_str(), o.created),
        ("o-1", "儿科教研室", 5)
    );
    assert!(matches!(
        db.create_office("o-2", "儿科教研室", 6),
        Err(DbError::Conflict(_))
    ));
    assert_eq!(db.offices().unwrap().len(), 1);
    assert!(matches!(
        db.add_member("m-x", "no-such-office", "x", Role::Teacher, 1),
        Err(DbError::NotFound(_))
    ));
    db.add_member("m-2", "o-1", "李老师", Role::Teacher, 20)
        .unwrap();
    db.add_member("m-1", "o-1", "Ms. Banda", Role::OfficeAdmin, 10)
        .unwrap();
    let names: Vec<String> = db
        .members("o-1")
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["Ms. Banda", "李老师"], "members oldest first");
    db.set_role("m-2", Role::LeadTeacher).unwrap();
    db.set_site("m-2", "县人民医院").unwrap();
    let m2 = db
        .members("o-1")
        .unwrap()
        .into_iter()
        .find(|m| m.id == "m-2")
        .unwrap();
    assert_eq!(
        (m2.role, m2.site.as_str()),
        (Role::LeadTeacher, "县人民医院")
    );
    assert!(matches!(
        db.set_role("ghost", Role::Teacher),
        Err(DbError::NotFound(_))
    ));
    assert!(matches!(
        db.set_site("ghost", ""),
        Err(DbError::NotFound(_))
    ));

    db.put_rubric("o-1", "ward-round", r#"{"v":1}"#, 30)
        .unwrap();
    db.put_rubric("o-1", "bedside", r#"{"v":2}"#, 31).unwrap();
    db.put_rubric("o-1", "ward-round", r#"{"v":3}"#, 32)
        .unwrap();
    assert_eq!(
        db.rubrics("o-1").unwrap(),
        [
            ("ward-round".to_owned(), r#"{"v":3}"#.to_owned()),
            ("bedside".to_owned(), r#"{"v":2}"#.to_owned())
        ],
        "a rubric replaced keeps its place"
    );

    db.remove_member("m-2", 40).unwrap();
    let m2 = db
        .members("o-1")
        .unwrap()
        .into_iter()
        .find(|m| m.id == "m-2")
        .unwrap();
    assert_eq!(m2.removed, Some(40));
    assert!(matches!(
        db.remove_member("m-2", 41),
        Err(DbError::NotFound(_))
    ));
    assert!(matches!(
        db.set_role("m-2", Role::Teacher),
        Err(DbError::NotFound(_))
    ));
    assert!(matches!(
        db.create_code("m-2", b"c", 100, 41),
        Err(DbError::NotFound(_))
    ));
    let s = db.status("o-1").unwrap();
    assert_eq!((s.members, s.documents, s.changes), (1, 0, 0));
    assert!(matches!(db.status("nope"), Err(DbError::NotFound(_))));
}

fn enroll(
    db: &dyn OfficeDb,
    code: &[u8],
    device: &str,
    actor: &[u8],
    now: i64,
) -> Result<(String, String), EnrollFailure> {
    let token = format!("t-{device}").into_bytes();
    db.enroll(
        code,
        NewDevice {
            id: device,
            name: "PC",
            token_hash: &token,
            actor,
        },
        now,
        &mut |v| access::enrollment(v, now),
    )
    .unwrap()
    .map(|(o, m)| (o.id, m.id))
}

fn enrollment_follows_the_rules(f: &Fixture) {
    let db = &*f.db;
    db.create_office("o", "office", 0).unwrap();
    db.add_member("alice", "o", "Alice", Role::Teacher, 0)
        .unwrap();
    db.add_member("bob", "o", "Bob", Role::Teacher, 0).unwrap();
    assert!(matches!(
        db.create_code("ghost", b"x", 9, 0),
        Err(DbError::NotFound(_))
    ));

    db.create_code("alice", b"c1", 100, 1).unwrap();
    let before = db.digest().unwrap();
    assert_eq!(
        enroll(db, b"nope", "d0", b"a0", 50),
        Err(EnrollFailure::Unknown)
    );
    assert_eq!(
        db.digest().unwrap(),
        before,
        "a refused enrollment writes nothing"
    );
    assert_eq!(
        enroll(db, b"c1", "d1", b"a1", 50),
        Ok(("o".into(), "alice".into()))
    );
    assert_eq!(enroll(db, b"c1", "d2", b"a2", 51), Err(EnrollFailure::Used));

    db.create_code("alice", b"c2", 100, 1).unwrap();
    let before = db.digest().unwrap();
    assert_eq!(
        enroll(db, b"c2", "d2", b"a2", 100),
        Err(EnrollFailure::Expired)
    );
    // The actor of a live device is not taken over, by anyone.
    assert_eq!(
        enroll(db, b"c2", "d2", b"a1", 60),
        Err(EnrollFailure::ActorTaken)
    );
    assert_eq!(db.digest().unwrap(), before);

    // Bob's code cannot take Alice's actor even once her device is revoked.
    db.revoke_device("d1", 70).unwrap();
    assert!(matches!(
        db.revoke_device("d1", 71),
        Err(DbError::NotFound(_))
    ));
    db.create_code("bob", b"b1", 1_000, 70).unwrap();
    assert_eq!(
        enroll(db, b"b1", "d3", b"a1", 72),
        Err(EnrollFailure::ActorTaken)
    );
    // Alice's new device takes over her revoked device's actor.
    enroll(db, b"c2", "d2", b"a1", 73).unwrap();
    assert!(db.device_has_actor("d2", b"a1").unwrap());
    assert!(!db.device_has_actor("d1", b"a1").unwrap());

    // Removing a member spends their unused codes.
    db.create_code("bob", b"b2", 1_000, 80).unwrap();
    db.remove_member("bob", 81).unwrap();
    assert_eq!(enroll(db, b"b2", "d4", b"a4", 82), Err(EnrollFailure::Used));
    let devices: Vec<(String, bool)> = db
        .devices("o")
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.revoked.is_some()))
        .collect();
    assert_eq!(devices, [("d1".to_owned(), true), ("d2".to_owned(), false)]);
}

fn tokens_of_revoked_devices_and_removed_members_do_not_authenticate(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    let auth = |t: &str| {
        db.device_for_token(t.as_bytes())
            .unwrap()
            .and_then(access::authenticates)
            .map(|c| c.device)
    };
    assert_eq!(auth("token-d-alice").as_deref(), Some("d-alice"));
    assert_eq!(auth("token-unknown"), None);
    let ctx = access::authenticates(db.device_for_token(b"token-d-bob").unwrap().unwrap()).unwrap();
    assert_eq!(
        (
            ctx.member.as_str(),
            ctx.member_name.as_str(),
            ctx.office.as_str(),
            ctx.role
        ),
        ("m-bob", "Dr. Okafor", s.office.as_str(), Role::LeadTeacher)
    );
    db.revoke_device("d-alice", 50).unwrap();
    assert_eq!(auth("token-d-alice"), None);
    assert_eq!(auth("token-d-alice-2").as_deref(), Some("d-alice-2"));
    db.set_role("m-bob", Role::OfficeAdmin).unwrap();
    let ctx = access::authenticates(db.device_for_token(b"token-d-bob").unwrap().unwrap()).unwrap();
    assert_eq!(
        ctx.role,
        Role::OfficeAdmin,
        "a new role counts from the next request"
    );
    db.remove_member("m-bob", 60).unwrap();
    assert_eq!(auth("token-d-bob"), None);
    db.record_sync("d-alice-2", 77).unwrap();
    let d = db
        .devices(&s.office)
        .unwrap()
        .into_iter()
        .find(|d| d.id == "d-alice-2")
        .unwrap();
    assert_eq!(d.last_sync, Some(77));
}

fn bundle_keys_and_imported_bundles(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    // A device by id: as its token authenticates it, with no key yet.
    let (h, key) = db.device_by_id("d-alice").unwrap().unwrap();
    assert_eq!(h.ctx.device, "d-alice");
    assert_eq!(h.ctx.office, s.office);
    assert_eq!(h.ctx.member, "m-alice");
    assert!(!h.revoked && !h.member_removed);
    assert_eq!(key, None);
    assert!(db.device_by_id("d-nobody").unwrap().is_none());
    db.set_bundle_key("d-alice", &[1; 32], 20).unwrap();
    db.set_bundle_key("d-alice", &[2; 32], 21).unwrap();
    assert_eq!(
        db.device_by_id("d-alice").unwrap().unwrap().1,
        Some(vec![2; 32])
    );
    assert_eq!(db.device_by_id("d-bob").unwrap().unwrap().1, None);
    db.revoke_device("d-alice", 30).unwrap();
    assert!(db.device_by_id("d-alice").unwrap().unwrap().0.revoked);
    db.remove_member("m-bob", 31).unwrap();
    assert!(db.device_by_id("d-bob").unwrap().unwrap().0.member_removed);

    // The office key: the first stored wins, also across processes asking
    // at once.
    let other = (f.reopen)();
    let handles: Vec<_> = (0u8..4)
        .map(|i| {
            let db = if i % 2 == 0 {
                f.db.clone()
            } else {
                other.clone()
            };
            let office = s.office.clone();
            std::thread::spawn(move || db.office_key(&office, &[i + 10; 32], 40).unwrap())
        })
        .collect();
    let seeds: Vec<Vec<u8>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(seeds.iter().all(|k| *k == seeds[0]), "{seeds:?}");
    assert_eq!(db.office_key(&s.office, &[99; 32], 41).unwrap(), seeds[0]);

    // A bundle is recorded once.
    assert_eq!(db.bundle_imported("b-1").unwrap(), None);
    assert!(db.record_bundle("b-1", "d-alice-2", 50).unwrap());
    assert!(!db.record_bundle("b-1", "d-alice-2", 51).unwrap());
    assert_eq!(db.bundle_imported("b-1").unwrap(), Some(50));
    assert_eq!(other.bundle_imported("b-1").unwrap(), Some(50));
}

fn the_log_reaches_whom_it_may_in_order(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    assert_eq!(db.head().unwrap(), 0);
    // A private draft: its author's other device reads it, a colleague not.
    push(db, &s.alice, "doc-1", &["c1", "c2"], "private", false).unwrap();
    let p = read_all(db, &s.alice2, 0);
    assert_eq!(entries(&p), ["change:c1", "change:c2"]);
    assert!(p.entries[0].pos() < p.entries[1].pos());
    assert_eq!(p.scanned, db.head().unwrap());
    let p = read_all(db, &s.bob, 0);
    assert!(p.entries.is_empty());
    assert_eq!(
        p.scanned,
        db.head().unwrap(),
        "the cursor moves past what one may not read"
    );
    assert!(
        !db.readable_after(&s.office, 0, &|r| access::may_read_row(&s.bob, r))
            .unwrap()
    );
    // The writer's own device does not get its changes back.
    assert!(read_all(db, &s.alice, 0).entries.is_empty());

    // Shared: the colleague gets the whole document first, then the new
    // change; a change pushed twice is stored once.
    let head = db.head().unwrap();
    push(db, &s.alice, "doc-1", &["c2", "c3"], "office", true).unwrap();
    assert!(
        db.readable_after(&s.office, head, &|r| access::may_read_row(&s.bob, r))
            .unwrap()
    );
    let p = read_all(db, &s.bob, 0);
    assert_eq!(entries(&p), ["reveal:c1c2c3", "change:c3"]);
    assert_eq!(
        entries(&read_all(db, &s.alice2, head)),
        ["reveal:c1c2c3", "change:c3"]
    );
    let last = p.scanned;
    assert_eq!(last, db.head().unwrap());
    assert!(
        !db.readable_after(&s.office, last, &|r| access::may_read_row(&s.bob, r))
            .unwrap()
    );

    // The colleague edits the shared document; the owner reads it.
    push_as_owner(db, &s.bob, "doc-1", &["b1"], "office", false, "m-alice").unwrap();
    assert_eq!(entries(&read_all(db, &s.alice, last)), ["change:b1"]);
    let st = db.status(&s.office).unwrap();
    assert_eq!((st.documents, st.changes), (1, 4));
    // Another office's reader sees nothing of this one.
    db.create_office("office-2", "另一个教研室", 1).unwrap();
    db.add_member("m-eve", "office-2", "Eve", Role::OfficeAdmin, 1)
        .unwrap();
    let eve = enroll_device(db, "m-eve", "d-eve", 20);
    assert!(read_all(db, &eve, 0).entries.is_empty());
    assert!(
        db.read_snapshots(&eve.office, "", i64::MAX, usize::MAX, &|d| {
            access::may_read_doc(&eve, d)
        })
        .unwrap()
        .0
        .is_empty()
    );
}

fn pages_are_bounded_and_resume(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    let names: Vec<String> = (0..1_200).map(|i| format!("change-{i:04}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    // Rows the reader may not read, then rows it may: more than one batch
    // of each, so the scan crosses batch boundaries.
    push(db, &s.alice, "private-doc", &refs[..600], "private", false).unwrap();
    push(db, &s.alice, "shared-doc", &refs[600..], "office", false).unwrap();
    let mut cursor = 0;
    let mut got = Vec::new();
    let mut pages = 0;
    loop {
        let page = db
            .read_log(&s.office, cursor, 2_000, &|r| {
                access::may_read_row(&s.bob, r)
            })
            .unwrap();
        pages += 1;
        assert!(page.scanned >= cursor);
        got.extend(entries(&page));
        cursor = page.scanned;
        if !page.more {
            break;
        }
        assert!(
            !page.entries.is_empty(),
            "a page that says more holds something"
        );
    }
    let want: Vec<String> = refs[600..].iter().map(|c| format!("change:{c}")).collect();
    assert_eq!(got, want);
    assert!(pages > 10, "2 kB pages of 11-byte changes: {pages} pages");
    assert_eq!(cursor, db.head().unwrap());
    // A page of one byte still holds one entry.
    let one = db
        .read_log(&s.office, 0, 1, &|r| access::may_read_row(&s.bob, r))
        .unwrap();
    assert_eq!(entries(&one), ["change:change-0600"]);
    assert!(one.more);
}

fn refused_pushes_change_nothing(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    push(db, &s.alice, "doc-1", &["c1"], "office", false).unwrap();
    let before = db.digest().unwrap();
    let head = db.head().unwrap();
    let refusal = Rejection {
        doc: [7; 16],
        code: RejectCode::InvalidDocument,
        message: "no".into(),
    };
    let mut decide = |_: Option<&DocState>| Err(refusal.clone());
    let owner = |_: Option<&DocState>, _: Option<&str>| -> Result<Option<String>, Rejection> {
        unreachable!("a refused push is not stored")
    };
    for doc in ["doc-1", "doc-new"] {
        let r = db
            .push_doc(
                &s.bob,
                doc,
                200,
                PushRules {
                    decide: &mut decide,
                    owner: &owner,
                },
            )
            .unwrap();
        assert_eq!(r.unwrap_err().message, "no");
    }
    assert_eq!(db.digest().unwrap(), before);
    assert_eq!(db.head().unwrap(), head, "no position is used up");
    // Nothing new is nothing stored: pushing what is there moves no position.
    push(db, &s.alice, "doc-1", &["c1"], "office", false).unwrap();
    assert_eq!(db.head().unwrap(), head);
}

fn owner_ids_stay_with_their_member(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    push(db, &s.alice, "doc-a", &["a1"], "office", false).unwrap();
    let before = db.digest().unwrap();
    // Bob makes a document that names Alice's owner id: refused.
    let r = push_as_owner(db, &s.bob, "doc-b", &["b1"], "office", false, "m-alice");
    assert_eq!(r.unwrap_err().code, RejectCode::Forbidden);
    assert_eq!(db.digest().unwrap(), before);
    // His own id binds to him; Alice cannot use it afterwards.
    push(db, &s.bob, "doc-b", &["b1"], "office", false).unwrap();
    let r = push_as_owner(db, &s.alice, "doc-c", &["x"], "office", false, "m-bob");
    assert_eq!(r.unwrap_err().code, RejectCode::Forbidden);
    // Each member's documents are theirs.
    let docs = db
        .read_snapshots(&s.office, "", db.head().unwrap(), usize::MAX, &|d| {
            access::may_read_doc(&s.alice2, d)
        })
        .unwrap()
        .0;
    let ids: Vec<&str> = docs.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(ids, ["doc-a", "doc-b"]);
}

fn snapshots_follow_the_log(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    push(db, &s.alice, "doc-1", &["c1", "c2"], "office", false).unwrap();
    push(db, &s.alice, "doc-2", &["p1"], "private", false).unwrap();
    // A compaction claims what it takes until 2000; another one meanwhile
    // (another office process) finds nothing left to take.
    assert_eq!(
        db.stale_snapshots(10, 1000, 2000).unwrap(),
        ["doc-1", "doc-2"]
    );
    assert!(db.stale_snapshots(10, 1500, 2500).unwrap().is_empty());
    assert_eq!(db.stale_snapshots(1, 2000, 3000).unwrap().len(), 1);
    assert_eq!(db.stale_snapshots(5, 2000, 3000).unwrap().len(), 1);
    let (snap, pos, rest, last) = db.doc_log_since_snapshot("doc-1").unwrap();
    assert_eq!(
        (snap.as_slice(), pos, rest.as_slice()),
        (&b""[..], 0, &b"c1c2"[..])
    );
    db.put_snapshot("doc-1", 0, last, b"S12").unwrap();
    // A compaction that raced another one is not applied over it.
    db.put_snapshot("doc-1", 0, last, b"stale").unwrap();
    assert_eq!(
        db.doc_log_since_snapshot("doc-1").unwrap(),
        (b"S12".to_vec(), last, Vec::new(), last)
    );
    // Once claims run out, what is still behind its log is taken again.
    assert_eq!(db.stale_snapshots(10, 3000, 4000).unwrap(), ["doc-2"]);
    assert!(matches!(
        db.doc_log_since_snapshot("nope"),
        Err(DbError::NotFound(_))
    ));

    push(db, &s.alice, "doc-1", &["c3"], "office", false).unwrap();
    // Storing the snapshot ended doc-1's claim: its new change makes it
    // stale and free to take at once (doc-2 is still claimed).
    assert_eq!(db.stale_snapshots(10, 3500, 4500).unwrap(), ["doc-1"]);
    let head = db.head().unwrap();
    let boot = |ctx: &DeviceCtx, upto: i64| {
        db.read_snapshots(&s.office, "", upto, usize::MAX, &|d| {
            access::may_read_doc(ctx, d)
        })
        .unwrap()
        .0
        .into_iter()
        .map(|(d, b)| (d, String::from_utf8(b).unwrap()))
        .collect::<Vec<_>>()
    };
    assert_eq!(
        boot(&s.bob, head),
        [("doc-1".to_owned(), "S12c3".to_owned())]
    );
    // Up to a position before the snapshot: the snapshot whole.
    assert_eq!(
        boot(&s.bob, last - 1),
        [("doc-1".to_owned(), "S12".to_owned())]
    );
    assert_eq!(boot(&s.bob, last), [("doc-1".to_owned(), "S12".to_owned())]);
    assert_eq!(
        boot(&s.alice2, head),
        [
            ("doc-1".to_owned(), "S12c3".to_owned()),
            ("doc-2".to_owned(), "p1".to_owned())
        ]
    );
    // Paged by size, resumed after the last document.
    let (first, more) = db
        .read_snapshots(&s.office, "", head, 1, &|d| {
            access::may_read_doc(&s.alice2, d)
        })
        .unwrap();
    assert_eq!((first.len(), more), (1, true));
    let (rest, more) = db
        .read_snapshots(&s.office, &first[0].0, head, 1, &|d| {
            access::may_read_doc(&s.alice2, d)
        })
        .unwrap();
    assert_eq!((rest[0].0.as_str(), more), ("doc-2", false));

    // A document that came after the bootstrap point is not in it, even
    // once its snapshot is compacted: it reaches readers through the log
    // (and never the device that pushed it, whose first sync may push over
    // several requests while still reading snapshots up to where it began).
    push(db, &s.alice, "doc-0", &["n1"], "office", false).unwrap();
    let (_, pos, _, last) = db.doc_log_since_snapshot("doc-0").unwrap();
    db.put_snapshot("doc-0", pos, last, b"N1").unwrap();
    assert_eq!(
        boot(&s.bob, head),
        [("doc-1".to_owned(), "S12c3".to_owned())]
    );
    assert_eq!(boot(&s.bob, last)[0], ("doc-0".to_owned(), "N1".to_owned()));
    assert!(boot(&s.bob, 0).is_empty());
}

fn a_new_documents_snapshot_comes_with_its_push(f: &Fixture) {
    let db = &*f.db;
    let s = setup(db);
    let accepted = |changes: &[&str], snapshot: Option<&str>| Accepted {
        changes: changes
            .iter()
            .map(|c| (format!("h:{c}").into_bytes(), c.as_bytes().to_vec()))
            .collect(),
        kind: "case".into(),
        visibility: "office".into(),
        deleted: false,
        reveal: false,
        owner_id: "owner-id-of-alice".into(),
        snapshot: snapshot.map(|b| b.as_bytes().to_vec()),
    };
    push_accepted(db, &s.alice, "doc-n", accepted(&["n1", "n2"], Some("N12"))).unwrap();
    // Stored whole with its push: nothing left for a compaction to fold,
    // and a new device gets the snapshot alone.
    let (snap, pos, rest, last) = db.doc_log_since_snapshot("doc-n").unwrap();
    assert_eq!((snap, pos, rest), (b"N12".to_vec(), last, Vec::new()));
    assert!(db.stale_snapshots(10, 1000, 2000).unwrap().is_empty());
    let head = db.head().unwrap();
    let boot = db
        .read_snapshots(&s.office, "", head, usize::MAX, &|d| {
            access::may_read_doc(&s.bob, d)
        })
        .unwrap()
        .0;
    assert_eq!(boot, [("doc-n".to_owned(), b"N12".to_vec())]);
    // A later push of the same document leaves its snapshot to the
    // compaction, whatever it carries.
    push_accepted(db, &s.alice, "doc-n", accepted(&["n3"], Some("other"))).unwrap();
    let (snap, pos2, rest, _) = db.doc_log_since_snapshot("doc-n").unwrap();
    assert_eq!((snap, pos2, rest), (b"N12".to_vec(), pos, b"n3".to_vec()));
    assert_eq!(db.stale_snapshots(10, 1000, 2000).unwrap(), ["doc-n"]);
}

fn the_epoch_and_the_data_survive_reopening(f: &Fixture) {
    let s = setup(&*f.db);
    push(&*f.db, &s.alice, "doc-1", &["c1"], "office", false).unwrap();
    let again = (f.reopen)();
    assert_eq!(again.epoch(), f.db.epoch());
    assert_eq!(again.digest().unwrap(), f.db.digest().unwrap());
    assert_eq!(again.head().unwrap(), f.db.head().unwrap());
    let before = f.db.digest().unwrap();
    push(&*again, &s.bob, "doc-2", &["b1"], "office", false).unwrap();
    let after = f.db.digest().unwrap();
    let differ: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.table.as_str())
        .collect();
    assert_eq!(differ, ["documents", "log", "owner_ids"]);
}

/// Writers on three handles push at once, to documents of their own and to
/// one they share, while readers page the log from their cursors. Every
/// reader must see every change exactly once and never a position at or
/// below its cursor: a backend that let a later position become visible
/// before an earlier one would make some reader skip a change.
fn concurrent_pushes_through_several_handles_are_read_exactly_once(f: &Fixture) {
    let s = setup(&*f.db);
    let handles: Vec<Arc<dyn OfficeDb>> = vec![f.db.clone(), (f.reopen)(), (f.reopen)()];
    const WRITERS: usize = 6;
    const PUSHES: usize = 25;
    let done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(WRITERS + 2));
    std::thread::scope(|scope| {
        let mut readers = Vec::new();
        for r in 0..2 {
            let db = handles[r % handles.len()].clone();
            let bob = s.bob.clone();
            let (done, start) = (done.clone(), start.clone());
            readers.push(scope.spawn(move || {
                start.wait();
                let mut cursor = 0;
                let mut seen: BTreeMap<String, i64> = BTreeMap::new();
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let page = db
                        .read_log(&bob.office, cursor, 64 << 10, &|m| {
                            access::may_read_row(&bob, m)
                        })
                        .unwrap();
                    for e in &page.entries {
                        assert!(
                            e.pos() > cursor,
                            "position {} at or below the cursor {cursor}",
                            e.pos()
                        );
                        let LogEntry::Change { bytes, pos, .. } = e else {
                            panic!("no document was private")
                        };
                        let key = String::from_utf8(bytes.clone()).unwrap();
                        if let Some(p) = seen.insert(key.clone(), *pos) {
                            panic!("{key} read twice, at {p} and {pos}");
                        }
                    }
                    cursor = page.scanned;
                    if finished && !page.more {
                        return seen;
                    }
                }
            }));
        }
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let db = handles[w % handles.len()].clone();
            let ctx = if w % 2 == 0 {
                s.alice.clone()
            } else {
                s.alice2.clone()
            };
            let start = start.clone();
            writers.push(scope.spawn(move || {
                start.wait();
                for p in 0..PUSHES {
                    let doc = if p % 3 == 0 {
                        "doc-shared".to_owned()
                    } else {
                        format!("doc-{w}")
                    };
                    let a = format!("w{w}-p{p}-a");
                    let b = format!("w{w}-p{p}-b");
                    push(&*db, &ctx, &doc, &[&a, &b], "office", false).unwrap();
                }
            }));
        }
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::SeqCst);
        let want: BTreeSet<String> = (0..WRITERS)
            .flat_map(|w| {
                (0..PUSHES).flat_map(move |p| [format!("w{w}-p{p}-a"), format!("w{w}-p{p}-b")])
            })
            .collect();
        for r in readers {
            let seen = r.join().unwrap();
            let got: BTreeSet<String> = seen.keys().cloned().collect();
            assert_eq!(got.len(), want.len(), "every change, exactly once");
            assert_eq!(got, want);
        }
    });
    assert_eq!(
        f.db.status(&s.office).unwrap().changes,
        WRITERS * PUSHES * 2
    );
}

// ---- PostgreSQL only -----------------------------------------------------

#[test]
fn postgres_several_processes_starting_at_once_share_one_schema_and_epoch() {
    let Some(t) = PgTestDb::new() else { return };
    let epochs: Vec<u32> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| PgDb::connect(&t.url).unwrap().epoch()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(epochs.windows(2).all(|w| w[0] == w[1]), "{epochs:?}");
}

#[test]
fn postgres_refuses_a_newer_schema() {
    let Some(t) = PgTestDb::new() else { return };
    drop(PgDb::connect(&t.url).unwrap());
    rounds_office::pg::admin_execute(
        &t.url,
        "INSERT INTO schema_migrations (version, name) VALUES (99, 'from_the_future')",
    )
    .unwrap();
    let Err(e) = PgDb::connect(&t.url) else {
        panic!("a database with a newer schema was opened")
    };
    assert!(
        e.to_string()
            .contains("newer than this rounds-office knows"),
        "{e}"
    );
}

#[test]
fn postgres_pool_serves_more_callers_than_connections_and_replaces_dead_ones() {
    let Some(t) = PgTestDb::new() else { return };
    let db = PgDb::connect(&t.url).unwrap();
    // 40 threads at once against a pool of 16: the rest wait their turn.
    let head = db.head().unwrap();
    std::thread::scope(|s| {
        for _ in 0..40 {
            s.spawn(|| {
                for _ in 0..25 {
                    assert_eq!(db.head().unwrap(), head);
                }
            });
        }
    });
    let g = db.pool();
    assert!(g.open <= 16 && g.open > 1, "{g:?}");
    assert_eq!((g.idle, g.waiting), (g.open, 0), "{g:?}");

    // The server drops every connection (a restart): a request that meets
    // a dead one fails once, and the pool opens a new one in its place.
    rounds_office::pg::admin_execute(
        &t.url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .unwrap();
    // Termination is a signal: wait until the backends are gone.
    let mut admin = postgres::Client::connect(&t.url, postgres::NoTls).unwrap();
    let others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                  AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    for _ in 0..500 {
        if admin.query_one(others, &[]).unwrap().get::<_, i64>(0) == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let failed: Vec<_> = (0..g.open + 5).filter_map(|_| db.head().err()).collect();
    assert!(
        !failed.is_empty() && failed.len() <= g.open,
        "{} of {} failed",
        failed.len(),
        g.open + 5
    );
    // A device that met a dead connection is told to try again (503), not
    // that the office broke (500).
    for e in failed {
        let api = rounds_office::service::ApiError::from(e);
        assert_eq!((api.status, api.code), (503, "unavailable"));
    }
    for _ in 0..20 {
        assert_eq!(db.head().unwrap(), head);
    }
    assert!(db.pool().open <= 16);
}
