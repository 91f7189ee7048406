//! Collective preparation from the command line, as three teachers would
//! run it on their own libraries against a real office.

mod common;

use common::{fails, json, ok};
use rounds_office::db::Role;
use rounds_testkit::Office;

fn short(v: &serde_json::Value) -> String {
    v.as_str().unwrap().to_owned()
}

#[test]
fn a_preparation_cycle_from_the_command_line() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let dir = tempfile::tempdir().unwrap();
    let (lead, town, rev) = (
        dir.path().join("lead"),
        dir.path().join("town"),
        dir.path().join("rev"),
    );
    for (data, name, role) in [
        (&lead, "李主任", Role::Teacher),
        (&town, "王医生", Role::Teacher),
        (&rev, "张教授", Role::LeadTeacher),
    ] {
        let m = office.add_member_as(&o, name, role);
        ok(data, &["profile", "--name", name]);
        ok(data, &["join", &office.url, &office.code(&m)]);
        ok(data, &["sync"]);
    }
    // Before the plan has a group, nothing to show; commands need a plan.
    let plan = json(
        &lead,
        &[
            "new",
            "lesson",
            "川崎病的诊断",
            "--set",
            "methods=先讲诊断标准，再用两个病例练习鉴别，最后小结。",
            "--json",
        ],
    );
    let id = short(&plan["id"]);
    ok(&lead, &["share", &id]);
    ok(&lead, &["sync"]);
    // The directory names members by name.
    ok(
        &lead,
        &[
            "group",
            &id,
            "--participant",
            "王医生",
            "--due",
            "discussion=2027-04-01",
        ],
    );
    let g = json(&lead, &["group", &id, "--json"]);
    assert_eq!(g["group"]["participants"][0]["name"], "王医生");
    assert_eq!(g["group"]["due"]["discussion"], "2027-04-01");
    ok(&lead, &["stage", &id, "discussion"]);
    ok(&lead, &["sync"]);

    ok(&town, &["sync"]);
    let c = json(
        &town,
        &[
            "comment",
            &id,
            "鉴别要包括猩红热",
            "--field",
            "methods",
            "--quote",
            "鉴别",
            "--json",
        ],
    );
    let thread = short(&c["thread"]["id"]);
    assert_eq!(c["thread"]["place"]["text"], "鉴别");
    let s = json(
        &town,
        &[
            "suggest",
            &id,
            "--field",
            "methods",
            "--quote",
            "最后小结",
            "--text",
            "最后由学员小结",
            "--json",
        ],
    );
    assert_eq!(s["thread"]["type"], "suggestion");
    // The participant may comment, not move stages or edit.
    let e = fails(&town, &["stage", &id, "finalised"]);
    assert!(e.contains("stage: only the lead preparer"), "{e}");
    let e = fails(&town, &["edit", &id, "--set", "summary=x"]);
    assert!(!e.is_empty());
    ok(&town, &["sync"]);

    ok(&lead, &["sync"]);
    let inbox = json(&lead, &["inbox", "--unread", "--json"]);
    assert_eq!(inbox["unread"], 2, "{inbox}");
    ok(
        &lead,
        &["reply", &id, &thread[..6], "已补充", "--mention", "王医生"],
    );
    ok(&lead, &["accept", &id, "--all"]);
    ok(&lead, &["resolve", &id, &thread]);
    let doc = json(&lead, &["show", &id, "--json"]);
    assert_eq!(
        doc["methods"],
        "先讲诊断标准，再用两个病例练习鉴别，最后由学员小结。"
    );
    ok(&lead, &["stage", &id, "finalised"]);
    ok(&lead, &["review", &id, "submit", "--note", "请审核"]);
    ok(&lead, &["inbox", "--read-all"]);
    assert_eq!(json(&lead, &["inbox", "--unread", "--json"])["unread"], 0);
    ok(&lead, &["sync"]);

    ok(&rev, &["sync"]);
    let requests = json(&rev, &["inbox", "--json"]);
    assert!(
        requests["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "review_request"),
        "{requests}"
    );
    ok(
        &rev,
        &[
            "review",
            &id,
            "score",
            "--score",
            "clear_goals=5",
            "--score",
            "appropriate_methods=4",
            "--recommend",
            "minor",
            "--comment",
            "病例选择好",
        ],
    );
    let e = fails(&rev, &["review", &id, "score", "--score", "clear_goals=7"]);
    assert!(e.contains("outside the scale"), "{e}");
    ok(&rev, &["review", &id, "approve"]);
    ok(&rev, &["best", &id, "2027 精华"]);
    let record = ok(&rev, &["review", &id]);
    assert!(
        record.contains("张教授") && record.contains("9/30"),
        "{record}"
    );
    let record_en = ok(&rev, &["review", &id, "--lang", "en"]);
    assert!(
        record_en.contains("Clear goals") && record_en.contains("Approved"),
        "{record_en}"
    );
    ok(&rev, &["sync"]);

    // The township site adapts; the plan changes; the site takes it.
    ok(&town, &["sync"]);
    let copy = ok(&town, &["adapt", &id]);
    let copy_id = copy.split_whitespace().next().unwrap().to_owned();
    ok(
        &town,
        &[
            "edit",
            &copy_id,
            "--set",
            "summary=本院补充：复习心脏超声指征。",
        ],
    );
    ok(&lead, &["sync"]);
    ok(
        &lead,
        &[
            "edit",
            &id,
            "--set",
            "methods=先讲诊断标准与不完全川崎病，再用两个病例练习鉴别，最后由学员小结。",
        ],
    );
    ok(
        &lead,
        &[
            "reflect",
            &id,
            "--worked",
            "病例讨论热烈",
            "--change",
            "增加不完全川崎病病例",
        ],
    );
    ok(&lead, &["sync"]);
    ok(&town, &["sync"]);
    let st = json(&town, &["adapt", &copy_id, "--status", "--json"]);
    assert_eq!(st["changed"], true);
    assert_eq!(st["fields"][0]["field"], "methods");
    let taken = json(&town, &["adapt", &copy_id, "--take", "--json"]);
    assert_eq!(taken["changed"][0], "methods");
    let c = json(&town, &["show", &copy_id, "--json"]);
    assert_eq!(
        c["methods"],
        "先讲诊断标准与不完全川崎病，再用两个病例练习鉴别，最后由学员小结。"
    );
    assert_eq!(c["summary"], "本院补充：复习心脏超声指征。");
    // Versions compared, and the best version shown as it was.
    let diff = ok(&town, &["compare", &id, "--from", "2027 精华"]);
    assert!(diff.contains("{+与不完全川崎病+}"), "{diff}");
    let best = json(&town, &["show", &id, "--at", "2027 精华", "--json"]);
    assert_eq!(
        best["methods"],
        "先讲诊断标准，再用两个病例练习鉴别，最后由学员小结。"
    );
    let md = ok(
        &town,
        &["export", &id, "--format", "md", "--at", "2027 精华"],
    );
    assert!(md.contains("两个病例") && !md.contains("不完全"), "{md}");
    let items = json(&town, &["inbox", "--json"]);
    let kinds: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for k in ["mention", "decision", "stage", "best", "reflection"] {
        assert!(kinds.contains(&k), "{k} not in {kinds:?}");
    }
    // Comments listed, the thread resolved with its reply.
    let threads = json(&town, &["comment", &id, "--json"]);
    let t = &threads["threads"][0];
    assert_eq!(t["state"], "resolved");
    assert_eq!(t["messages"][1]["body"], "已补充");
}
