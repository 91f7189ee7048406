//! Sync by USB drive through a real office: a site without a link writes a
//! bundle, the office imports it exactly as a network push and answers
//! with a return bundle, the site imports that. Checked like the
//! simulation checks sync (no edit lost, identical replicas), and every
//! bad bundle (tampered, replayed, another office's or device's, a revoked
//! device's) refused before anything is applied.

use rounds_client::bundle::{self, PART_BYTES};
use rounds_core::doc::Visibility;
use rounds_core::schema::DocKind;
use rounds_office::service::BundleImport;
use rounds_testkit::process::{OfficeProcess, Program};
use rounds_testkit::{Office, Teacher};
use serde_json::json;

/// A device's bundle, written to a file of its own directory and read back.
fn export(t: &mut Teacher) -> Vec<u8> {
    let path = t.dir.path().join("out.rounds");
    bundle::export(&mut t.store, t.dir.path(), &path, PART_BYTES, 1).unwrap();
    std::fs::read(&path).unwrap()
}

/// The office imports a device's bundle; the device imports the answer.
fn round_trip(office: &Office, t: &mut Teacher) -> (BundleImport, bundle::Imported) {
    let imported = office.service.import_bundle(&export(t)).unwrap();
    let back = apply_return(t, &imported.answer);
    (imported, back)
}

fn apply_return(t: &mut Teacher, answer: &[u8]) -> bundle::Imported {
    let path = t.dir.path().join("return.rounds");
    std::fs::write(&path, answer).unwrap();
    bundle::import(&mut t.store, &path, 2).unwrap()
}

fn shared(t: &mut Teacher, title: &str, summary: &str) -> String {
    let id = t.create(DocKind::LESSON_PLAN, title, json!({ "summary": summary }));
    t.store.set_visibility(&id, Visibility::Office).unwrap();
    id
}

/// The office's tables, to show that a refused bundle changed nothing.
fn office_state(office: &Office) -> String {
    office.db.dump().unwrap()
}

#[test]
fn a_site_without_a_link_syncs_by_bundle_and_loses_nothing() {
    let office = Office::start();
    let o = office.create_office("县域儿科虚拟教研室");
    let mut site = Teacher::joined(&office, &o, "乡镇卫生院赵医生");
    let mut centre = Teacher::joined(&office, &o, "儿童医院王主任");
    assert!(bundle::registered(&site.store, site.dir.path()).unwrap());

    // The centre shares a plan over the network; the site, offline, writes
    // its own and edits nothing else yet.
    let theirs = shared(&mut centre, "新生儿黄疸的识别", "光疗指征与随访");
    centre.sync().unwrap();
    let mine = shared(&mut site, "小儿腹泻的补液", "口服补液盐的配制与用量");
    let private = site.create(DocKind::LESSON_PLAN, "个人草稿", json!({}));

    let (at_office, back) = round_trip(&office, &mut site);
    assert_eq!(at_office.docs_accepted, 2, "{at_office:?}");
    assert!(at_office.refused.is_empty(), "{at_office:?}");
    assert!(back.cursor_moved, "{back:?}");
    assert_eq!(back.acknowledged, 2);
    assert_eq!(site.json(&theirs), centre.json(&theirs));
    centre.sync().unwrap();
    assert_eq!(centre.json(&mine), site.json(&mine));
    assert!(
        !centre.ids().contains(&private),
        "a private draft stays its author's"
    );

    // Both edit the same plan at once, one by bundle, one online.
    site.store
        .edit(
            &theirs,
            &json!({ "summary": "光疗指征与随访；乡镇卫生院的转诊时机" }),
        )
        .unwrap();
    centre
        .store
        .edit(&theirs, &json!({ "chapter": "第六章 新生儿疾病" }))
        .unwrap();
    centre.sync().unwrap();
    round_trip(&office, &mut site);
    centre.sync().unwrap();
    let j = site.json(&theirs);
    assert_eq!(j, centre.json(&theirs));
    assert_eq!(j["summary"], "光疗指征与随访；乡镇卫生院的转诊时机");
    assert_eq!(j["chapter"], "第六章 新生儿疾病");

    // What the bundle carried is recorded as at the office: when the link
    // comes back, nothing is sent again.
    let r = site.sync().unwrap();
    assert_eq!(r.changes_pushed, 0, "{r:?}");
    assert_eq!(site.json(&theirs), j);
}

#[test]
fn importing_twice_is_harmless_and_a_replayed_bundle_is_refused() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    let mut centre = Teacher::joined(&office, &o, "王主任");
    let theirs = shared(&mut centre, "热性惊厥", "止惊药物的选择");
    centre.sync().unwrap();
    shared(&mut site, "手足口病", "重症早期识别");

    let bytes = export(&mut site);
    let first = office.service.import_bundle(&bytes).unwrap();
    let before = office_state(&office);
    let again = office.service.import_bundle(&bytes).unwrap_err();
    assert_eq!((again.status, again.code), (409, "bundle_replayed"));
    assert_eq!(office_state(&office), before, "a replay changed the office");

    apply_return(&mut site, &first.answer);
    let j = site.json(&theirs);
    let cursor = site.store.sync_cursor().unwrap();
    // The same return bundle again: the device has moved past it, so it
    // merges (nothing new) and leaves the cursor where it is.
    let twice = apply_return(&mut site, &first.answer);
    assert!(!twice.cursor_moved);
    assert_eq!(site.store.sync_cursor().unwrap(), cursor);
    assert_eq!(site.json(&theirs), j);
    // And the cursor still works: the next change reaches the site.
    centre
        .store
        .edit(&theirs, &json!({ "summary": "止惊药物的选择与剂量" }))
        .unwrap();
    centre.sync().unwrap();
    site.sync().unwrap();
    assert_eq!(site.json(&theirs), centre.json(&theirs));
}

#[test]
fn an_older_return_bundle_merges_without_moving_the_cursor_back() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    let mut centre = Teacher::joined(&office, &o, "王主任");
    let a = shared(&mut centre, "支气管哮喘", "吸入装置的使用");
    centre.sync().unwrap();
    let mine = shared(&mut site, "川崎病", "诊断标准");
    let answer = office
        .service
        .import_bundle(&export(&mut site))
        .unwrap()
        .answer;

    // Before the return bundle is brought back, the link returns and the
    // device syncs further than the bundle goes.
    let b = shared(&mut centre, "营养性贫血", "铁剂补充");
    centre.sync().unwrap();
    site.store
        .edit(&mine, &json!({ "summary": "诊断标准与不完全川崎病" }))
        .unwrap();
    site.sync().unwrap();
    let cursor = site.store.sync_cursor().unwrap();
    let back = apply_return(&mut site, &answer);
    assert!(!back.cursor_moved, "{back:?}");
    assert_eq!(site.store.sync_cursor().unwrap(), cursor);
    assert!(site.ids().contains(&a) && site.ids().contains(&b));
    // The old acknowledgement did not mark the later edit as sent: it is
    // at the office, and nothing is pending that the office lacks.
    centre.sync().unwrap();
    assert_eq!(centre.json(&mine)["summary"], "诊断标准与不完全川崎病");
    let r = site.sync().unwrap();
    assert_eq!(r.changes_pushed, 0, "{r:?}");
}

#[test]
fn an_acknowledgement_covers_only_what_the_bundle_carried() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    let mut centre = Teacher::joined(&office, &o, "王主任");
    let mine = shared(&mut site, "肺炎", "病原学");
    let first = export(&mut site);
    // Edited after the first bundle, and pushed (or tried) since: the
    // first bundle's answer must not count the later edit as delivered.
    site.store
        .edit(&mine, &json!({ "summary": "病原学与抗生素选择" }))
        .unwrap();
    let _second = export(&mut site);
    let answer = office.service.import_bundle(&first).unwrap().answer;
    apply_return(&mut site, &answer);
    // The second bundle was lost on the way: the link then carries the edit.
    let r = site.sync().unwrap();
    assert!(r.changes_pushed > 0, "{r:?}");
    centre.sync().unwrap();
    assert_eq!(centre.json(&mine)["summary"], "病原学与抗生素选择");
}

#[test]
fn a_refused_document_is_reported_and_held_until_it_changes() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    // A lesson plan may not carry a resident ID number (checked digit
    // valid), at the office as over the network.
    let bad = shared(
        &mut site,
        "病例讨论",
        "患儿身份证号110105201403150017，已出院。",
    );
    let (at_office, back) = round_trip(&office, &mut site);
    assert_eq!(at_office.docs_accepted, 0);
    assert_eq!(at_office.refused.len(), 1, "{at_office:?}");
    assert_eq!(at_office.refused[0].0, bad);
    assert_eq!(back.refused.len(), 1);
    assert!(office.document(&bad).is_none());
    // Held: the next bundle does not carry it again until it changes.
    let again = office.service.import_bundle(&export(&mut site)).unwrap();
    assert_eq!(again.refused.len() + again.docs_accepted, 0, "{again:?}");
    // Changed, it is offered again (and refused again: the change that
    // added the number is still in its history, as over the network).
    site.store
        .edit(&bad, &json!({ "summary": "患儿已出院。" }))
        .unwrap();
    let changed = office.service.import_bundle(&export(&mut site)).unwrap();
    assert_eq!(changed.refused.len(), 1, "{changed:?}");
    // Other documents travel on regardless.
    let fine = shared(&mut site, "病例讨论的组织", "分组与时间安排");
    let later = office.service.import_bundle(&export(&mut site)).unwrap();
    assert_eq!(later.docs_accepted, 1, "{later:?}");
    assert!(office.document(&fine).is_some());
}

#[test]
fn bad_bundles_are_refused_before_anything_is_applied() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    let mut other = Teacher::joined(&office, &o, "钱医生");
    shared(&mut site, "小儿惊厥", "急救流程");
    let good = export(&mut site);
    let before = office_state(&office);

    // Any changed byte: the signature or a hash fails.
    for at in [20, good.len() / 2, good.len() - 1] {
        let mut bad = good.clone();
        bad[at] ^= 1;
        let e = office.service.import_bundle(&bad).unwrap_err();
        assert_eq!((e.status, e.code), (400, "bad_bundle"), "byte {at}: {e:?}");
    }
    let e = office
        .service
        .import_bundle(&good[..good.len() - 3])
        .unwrap_err();
    assert!(e.message.contains("cut short"), "{e:?}");
    assert!(
        office
            .service
            .import_bundle(b"PK\x03\x04not a bundle")
            .unwrap_err()
            .message
            .contains("not a Rounds bundle")
    );

    // Another office server's device is unknown here.
    let elsewhere = Office::start();
    let o2 = elsewhere.create_office("另一个教研室");
    let mut stranger = Teacher::joined(&elsewhere, &o2, "孙医生");
    shared(&mut stranger, "佝偻病", "维生素D");
    let e = office
        .service
        .import_bundle(&export(&mut stranger))
        .unwrap_err();
    assert!(e.message.contains("not enrolled at this office"), "{e:?}");

    // A device revoked since it wrote the bundle.
    let theirs = export(&mut other);
    let device = other.store.sync_get("device_id").unwrap().unwrap();
    rounds_office::db::OfficeDb::revoke_device(&*office.db, &device, 1).unwrap();
    let before_other = office_state(&office);
    let e = office.service.import_bundle(&theirs).unwrap_err();
    assert!(e.message.contains("revoked"), "{e:?}");
    assert_eq!(office_state(&office), before_other);

    // A return bundle is for the device it answers, from its own office.
    let answer = office.service.import_bundle(&good).unwrap().answer;
    assert_ne!(office_state(&office), before);
    let mut third = Teacher::joined(&office, &o, "周医生");
    let path = third.dir.path().join("r.rounds");
    std::fs::write(&path, &answer).unwrap();
    let e = bundle::import(&mut third.store, &path, 3).unwrap_err();
    assert!(e.to_string().contains("answers another device"), "{e}");
    let foreign = elsewhere
        .service
        .import_bundle(&export(&mut stranger))
        .unwrap()
        .answer;
    std::fs::write(&path, &foreign).unwrap();
    let e = bundle::import(&mut site.store, &path, 3).unwrap_err();
    assert!(e.to_string().contains("another office"), "{e}");
    // A device's own bundle is not a return bundle.
    std::fs::write(&path, &good).unwrap();
    let e = bundle::import(&mut site.store, &path, 3).unwrap_err();
    assert!(e.to_string().contains("imported at the office"), "{e}");
    // The office's bundle cannot be fed back to the office.
    let e = office.service.import_bundle(&answer).unwrap_err();
    assert!(e.message.contains("import it on the device"), "{e:?}");
}

#[test]
fn a_device_that_never_registered_is_told_to_sync_once() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let mut site = Teacher::joined(&office, &o, "赵医生");
    std::fs::remove_file(site.dir.path().join(bundle::KEY_FILE)).unwrap();
    assert!(!bundle::registered(&site.store, site.dir.path()).unwrap());
    let path = site.dir.path().join("out.rounds");
    let e = bundle::export(&mut site.store, site.dir.path(), &path, PART_BYTES, 1).unwrap_err();
    assert!(e.to_string().contains("sync once over the network"), "{e}");
    assert!(!path.exists());
    // A sync registers a new key, and bundles work again.
    site.sync().unwrap();
    assert!(bundle::registered(&site.store, site.dir.path()).unwrap());
    shared(&mut site, "新生儿窒息复苏", "初步复苏步骤");
    let (at_office, _) = round_trip(&office, &mut site);
    assert_eq!(at_office.docs_accepted, 1);
}

/// The whole way as people do it: `rounds bundle export` on the site's PC
/// (in parts, as on a small FAT32 stick), `rounds-office bundle import` at
/// the office, `rounds bundle import` back at the site.
#[test]
fn the_cli_carries_a_bundle_in_parts_both_ways() {
    let root = tempfile::tempdir().unwrap();
    let office = Program::office().data(&root.path().join("office"));
    office.ok(&["office", "create", "儿科虚拟教研室"]);
    let serving = OfficeProcess::serve(&office, "127.0.0.1:0");
    let join = |name: &str, dir: &str| {
        let member = office.ok(&["member", "add", name]);
        let code = office.ok(&["code", member.trim()]);
        let cli = Program::rounds().data(&root.path().join(dir)).user(name);
        cli.ok(&["join", &serving.url, code.trim()]);
        cli
    };
    let site = join("赵医生", "site");
    let centre = join("王主任", "centre");
    let theirs = centre
        .ok(&[
            "new",
            "lesson",
            "儿童哮喘的长期管理",
            "--set",
            "summary=阶梯治疗",
        ])
        .trim()
        .to_owned();
    centre.ok(&["share", &theirs]);
    centre.ok(&["sync"]);
    let mine = site
        .ok(&[
            "new",
            "lesson",
            "婴儿辅食添加",
            "--set",
            "summary=添加顺序与过敏",
        ])
        .trim()
        .to_owned();
    site.ok(&["share", &mine]);

    let stick = root.path().join("U盘");
    std::fs::create_dir(&stick).unwrap();
    let file = stick.join("赵医生.rounds");
    let out = site.json(&[
        "bundle",
        "export",
        file.to_str().unwrap(),
        "--part-bytes",
        "1024",
        "--json",
    ]);
    let parts = out["files"].as_array().unwrap().len();
    assert!(parts > 1, "{out}");
    for p in out["files"].as_array().unwrap() {
        assert!(std::fs::metadata(p.as_str().unwrap()).unwrap().len() <= 1024);
    }
    let back = stick.join("赵医生-return.rounds");
    let r = office.json(&["bundle", "import", file.to_str().unwrap(), "--json"]);
    assert_eq!(r["docs_accepted"], 1, "{r}");
    assert!(back.exists());
    // Again: refused, said plainly.
    let again = office.run(&["bundle", "import", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already imported"),
        "{again:?}"
    );
    let text = site.ok(&["bundle", "import", back.to_str().unwrap()]);
    assert!(text.contains("1 of your documents acknowledged"), "{text}");
    let shown = site.ok(&["show", &theirs]);
    assert!(shown.contains("阶梯治疗"), "{shown}");
    centre.ok(&["sync"]);
    assert!(centre.ok(&["show", &mine]).contains("添加顺序与过敏"));
    drop(serving);
}

#[test]
fn registering_a_bundle_key_needs_a_token_and_a_key() {
    let office = Office::start();
    let o = office.create_office("教研室");
    let site = Teacher::joined(&office, &o, "赵医生");
    let url = format!("{}/v1/bundle-key", office.url);
    let http = reqwest::blocking::Client::new();
    let send = |token: Option<&str>, ct: &str, body: &str| {
        let mut r = http
            .post(&url)
            .header("content-type", ct)
            .body(body.to_owned());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().unwrap();
        (status, body)
    };
    let token = site.token();
    let key = format!(r#"{{"public_key":"{}"}}"#, "ab".repeat(32));
    let (s, b) = send(None, "application/json", &key);
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthorized")));
    let (s, b) = send(Some("rt_forged"), "application/json", &key);
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthorized")));
    let (s, b) = send(Some(&token), "text/plain", &key);
    assert_eq!(
        (s, b["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    for bad in [
        r#"{"public_key":"abcd"}"#.to_owned(),
        format!(r#"{{"public_key":"{}"}}"#, "zz".repeat(32)),
        r#"{"key":1}"#.to_owned(),
        "not json".to_owned(),
    ] {
        let (s, b) = send(Some(&token), "application/json", &bad);
        assert_eq!(s, 400, "{bad}: {b}");
    }
    // The key the device registered at joining is unchanged by refusals.
    assert!(bundle::registered(&site.store, site.dir.path()).unwrap());
    let (s, b) = send(Some(&token), "application/json", &key);
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["office_id"], o.as_str());
    assert_eq!(b["office_key"].as_str().unwrap().len(), 64);
    // Whoever holds the token may replace the key (as they may push over
    // the network): the device's bundles then no longer verify, and say so.
    let mut site = site;
    shared(&mut site, "腹泻", "脱水评估");
    let e = office
        .service
        .import_bundle(&export(&mut site))
        .unwrap_err();
    assert!(e.message.contains("signature"), "{e:?}");
}
