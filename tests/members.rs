//! The office's member directory (`GET /v1/members`) against a real office
//! on port 0: a device sees its own office's current members with their
//! roles and sites, and which of them it is; never another office's, nor a
//! removed member; unauthenticated and revoked devices get the JSON error
//! the other endpoints give. On the device, joining stores the member id
//! and a sync fills the directory's cache, at most once an hour, without a
//! failed fetch ever failing the sync.

use rounds_client::{ClientError, HttpTransport, Transport, cached_members};
use rounds_office::db::{OfficeDb, Role};
use rounds_proto::{MemberEntry, MembersResponse};
use rounds_testkit::{Office, Teacher, now_ms};

/// A member of `office` with a site, the way `rounds-office member add
/// --site` makes one.
fn member(office: &Office, o: &str, name: &str, role: Role, site: &str) -> String {
    let id = office.add_member_as(o, name, role);
    if !site.is_empty() {
        office.db.set_site(&id, site).unwrap();
    }
    id
}

/// A new device that joins as `member`.
fn device_of(office: &Office, member: &str, name: &str) -> Teacher {
    let mut t = Teacher::new(name);
    t.join(office, &office.code(member)).unwrap();
    t
}

fn entry(id: &str, name: &str, role: &str, site: &str) -> MemberEntry {
    MemberEntry {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        site: site.into(),
    }
}

/// The directory's members, in a fixed order for comparing.
fn sorted(mut members: Vec<MemberEntry>) -> Vec<MemberEntry> {
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members
}

/// `GET /v1/members` with `token` (none: no `Authorization` header): the
/// status and the JSON body.
fn get_members(office: &Office, token: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = reqwest::blocking::Client::new().get(format!("{}/v1/members", office.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let body = resp.bytes().unwrap();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
    (status, json)
}

fn assert_unauthorized(answer: (u16, serde_json::Value)) {
    let (status, body) = answer;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "unauthorized", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn a_device_sees_its_own_offices_current_members_and_which_one_it_is() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let o2 = office.create_office("外院教研室");
    let lead = member(&office, &o, "王主任", Role::LeadTeacher, "县人民医院儿科");
    let li = member(&office, &o, "李老师", Role::Teacher, "乡镇卫生院");
    let zhao = member(&office, &o, "赵老师", Role::Teacher, "");
    let admin = member(&office, &o, "教研秘书", Role::OfficeAdmin, "");
    let outsider = member(&office, &o2, "外院老师", Role::Teacher, "市儿童医院");

    let a = device_of(&office, &li, "李老师");
    let x = device_of(&office, &outsider, "外院老师");

    let dir = rounds_client::members(&a.store, a.dir.path()).unwrap();
    assert_eq!(dir.you, li);
    assert_eq!(dir.office, o);
    assert_eq!(
        sorted(dir.members.clone()),
        sorted(vec![
            entry(&lead, "王主任", "lead_teacher", "县人民医院儿科"),
            entry(&li, "李老师", "teacher", "乡镇卫生院"),
            entry(&zhao, "赵老师", "teacher", ""),
            entry(&admin, "教研秘书", "office_admin", ""),
        ])
    );
    // Fetching caches it, with the member id.
    assert_eq!(cached_members(&a.store).unwrap(), Some(dir));
    assert_eq!(a.store.sync_get("member_id").unwrap(), Some(li.clone()));

    // The other office's device sees its own office only.
    let xd = rounds_client::members(&x.store, x.dir.path()).unwrap();
    assert_eq!(
        xd,
        MembersResponse {
            you: outsider.clone(),
            office: o2.clone(),
            members: vec![entry(&outsider, "外院老师", "teacher", "市儿童医院")],
            rubrics: vec![],
        }
    );

    // The wire form is the documented JSON, nothing more.
    let (status, raw) = get_members(&office, Some(&a.token()));
    assert_eq!(status, 200, "{raw}");
    let mut keys: Vec<&str> = raw.as_object().unwrap().keys().map(|k| &**k).collect();
    keys.sort();
    assert_eq!(keys, ["members", "office", "rubrics", "you"]);
    for m in raw["members"].as_array().unwrap() {
        let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(|k| &**k).collect();
        keys.sort();
        assert_eq!(keys, ["id", "name", "role", "site"]);
    }

    // A removed member disappears; a changed site shows at once.
    office.db.remove_member(&zhao, now_ms()).unwrap();
    office.db.set_site(&lead, "市妇幼保健院儿科").unwrap();
    let dir = rounds_client::members(&a.store, a.dir.path()).unwrap();
    assert_eq!(
        sorted(dir.members),
        sorted(vec![
            entry(&lead, "王主任", "lead_teacher", "市妇幼保健院儿科"),
            entry(&li, "李老师", "teacher", "乡镇卫生院"),
            entry(&admin, "教研秘书", "office_admin", ""),
        ])
    );
    assert_eq!(
        cached_members(&a.store).unwrap().unwrap().members.len(),
        3,
        "the cache follows the office"
    );
}

#[test]
fn unauthenticated_revoked_and_removed_devices_are_refused_with_the_json_error() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let li = member(&office, &o, "李老师", Role::Teacher, "乡镇卫生院");
    let zhao = member(&office, &o, "赵老师", Role::Teacher, "");
    let a = device_of(&office, &li, "李老师");
    let z = device_of(&office, &zhao, "赵老师");

    assert_unauthorized(get_members(&office, None));
    assert_unauthorized(get_members(&office, Some("rt_0000")));
    assert_unauthorized(get_members(&office, Some("' OR 1=1 --")));
    // Another scheme is no token at all.
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/v1/members", office.url))
        .basic_auth("admin", Some(a.token()))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    // The directory is read, never written.
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/members", office.url))
        .bearer_auth(a.token())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["code"], "method_not_allowed");

    // A device of a removed member (its devices are revoked with it).
    assert_eq!(get_members(&office, Some(&z.token())).0, 200);
    office.db.remove_member(&zhao, now_ms()).unwrap();
    assert_unauthorized(get_members(&office, Some(&z.token())));

    // A revoked device, through the client too; its cache is left as it was.
    assert_eq!(get_members(&office, Some(&a.token())).0, 200);
    let before = rounds_client::members(&a.store, a.dir.path()).unwrap();
    let device = a.store.sync_info().unwrap().device_id.unwrap();
    office.db.revoke_device(&device, now_ms()).unwrap();
    assert_unauthorized(get_members(&office, Some(&a.token())));
    let err = rounds_client::members(&a.store, a.dir.path()).unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized(_)), "{err}");
    assert_eq!(cached_members(&a.store).unwrap(), Some(before));
}

/// A transport to the real office whose member directory always fails:
/// an office without one, or a link lost after the sync's last page.
struct NoDirectory(HttpTransport);

impl Transport for NoDirectory {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        self.0.exchange(request)
    }

    fn members(&mut self) -> Option<Result<MembersResponse, ClientError>> {
        Some(Err(ClientError::Offline("the link went down".into())))
    }
}

#[test]
fn join_stores_the_member_id_and_a_sync_fills_the_cache_at_most_hourly() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let lead = member(&office, &o, "王主任", Role::LeadTeacher, "县人民医院儿科");
    let li = member(&office, &o, "李老师", Role::Teacher, "");

    let mut a = Teacher::new("李老师");
    let enrolled = a.join(&office, &office.code(&li)).unwrap();
    assert_eq!(enrolled.member_id, li);
    assert_eq!(a.store.sync_get("member_id").unwrap(), Some(li.clone()));
    // Joining fetches no directory; the first sync does.
    assert_eq!(cached_members(&a.store).unwrap(), None);
    a.sync().unwrap();
    let cached = cached_members(&a.store)
        .unwrap()
        .expect("a cached directory");
    assert_eq!(cached.you, li);
    assert_eq!(cached.office, o);
    assert!(
        cached
            .members
            .contains(&entry(&lead, "王主任", "lead_teacher", "县人民医院儿科"))
    );
    let fetched: i64 = a
        .store
        .sync_get("members_fetched")
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!((now_ms() - fetched).abs() < 60_000);

    // Within the hour a sync does not ask again.
    office.db.set_site(&li, "乡镇卫生院").unwrap();
    a.sync().unwrap();
    assert_eq!(cached_members(&a.store).unwrap(), Some(cached.clone()));
    // An hour later it does.
    let hour_ago = now_ms() - rounds_client::MEMBERS_REFRESH_MS - 1;
    a.store
        .sync_set("members_fetched", Some(&hour_ago.to_string()))
        .unwrap();
    a.sync().unwrap();
    let refreshed = cached_members(&a.store).unwrap().unwrap();
    assert!(
        refreshed
            .members
            .contains(&entry(&li, "李老师", "teacher", "乡镇卫生院")),
        "{refreshed:?}"
    );
    // So does a sync whose clock was set back past the last fetch.
    office.db.set_site(&li, "县人民医院儿科").unwrap();
    let future = now_ms() + 10 * rounds_client::MEMBERS_REFRESH_MS;
    a.store
        .sync_set("members_fetched", Some(&future.to_string()))
        .unwrap();
    a.sync().unwrap();
    assert!(
        cached_members(&a.store)
            .unwrap()
            .unwrap()
            .members
            .contains(&entry(&li, "李老师", "teacher", "县人民医院儿科"))
    );

    // A library that joined before the office had a directory learns its
    // member id from its next sync.
    for key in ["member_id", "members", "members_fetched"] {
        a.store.sync_set(key, None).unwrap();
    }
    a.sync().unwrap();
    assert_eq!(a.store.sync_get("member_id").unwrap(), Some(li.clone()));
    assert_eq!(cached_members(&a.store).unwrap().unwrap().you, li);

    // A failed fetch never fails the sync, leaves the cache as it was, and
    // counts as the hour's attempt.
    let kept = cached_members(&a.store).unwrap();
    a.store.sync_set("members_fetched", None).unwrap();
    a.create(
        rounds_core::schema::DocKind::LESSON_PLAN,
        "热性惊厥",
        serde_json::json!({}),
    );
    let mut t = NoDirectory(a.transport());
    let report = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(report.docs_pushed, 1, "{report:?}");
    assert_eq!(cached_members(&a.store).unwrap(), kept);
    assert!(a.store.sync_get("members_fetched").unwrap().is_some());
    // A transport without a directory (a test's) leaves it all alone.
    a.store.sync_set("members_fetched", None).unwrap();
    struct Plain(HttpTransport);
    impl Transport for Plain {
        fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
            self.0.exchange(request)
        }
    }
    let mut t = Plain(a.transport());
    rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(a.store.sync_get("members_fetched").unwrap(), None);
    assert_eq!(cached_members(&a.store).unwrap(), kept);
}

#[test]
fn rejoining_fetches_the_directory_afresh() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let li = member(&office, &o, "李老师", Role::Teacher, "");
    let mut a = device_of(&office, &li, "李老师");
    a.sync().unwrap();
    assert!(cached_members(&a.store).unwrap().is_some());
    // Revoked, then back with a new code: what was cached before may be
    // out of date by far (or another member's), so it is dropped.
    let device = a.store.sync_info().unwrap().device_id.unwrap();
    office.db.revoke_device(&device, now_ms()).unwrap();
    office.db.set_site(&li, "乡镇卫生院").unwrap();
    let conn = rounds_client::joined_connection(&a.store).unwrap();
    rounds_client::rejoin(
        &mut a.store,
        a.dir.path(),
        &conn,
        &office.code(&li),
        "test device",
    )
    .unwrap();
    assert_eq!(a.store.sync_get("member_id").unwrap(), Some(li.clone()));
    assert_eq!(cached_members(&a.store).unwrap(), None);
    a.sync().unwrap();
    let dir = cached_members(&a.store).unwrap().unwrap();
    assert_eq!(dir.you, li);
    assert_eq!(
        dir.members,
        vec![entry(&li, "李老师", "teacher", "乡镇卫生院")]
    );
}
