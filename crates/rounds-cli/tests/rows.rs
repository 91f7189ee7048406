//! Editing one row of a list field from the command line (`--add`,
//! `--change`, `--move`, `--remove`), driven through the binary as a
//! teacher would, on a lesson plan's lists and on a case's.

mod common;

use std::path::Path;

use common::{fails, json, ok, rounds};
use serde_json::{Value, json};

/// The values of one item field down a list, in order.
fn column(doc: &Value, list: &str, item: &str) -> Vec<Value> {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|el| el[item].clone())
        .collect()
}

fn ids(doc: &Value, list: &str) -> Vec<String> {
    column(doc, list, "id")
        .into_iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn show(data: &Path, id: &str) -> Value {
    json(data, &["show", id, "--json"])
}

fn history(data: &Path, id: &str) -> Value {
    json(data, &["history", id, "--json"])
}

/// Runs `rounds edit ID ARGS…` and returns the document afterwards.
fn edit(data: &Path, id: &str, args: &[&str]) -> Value {
    let mut all = vec!["edit", id];
    all.extend_from_slice(args);
    ok(data, &all);
    show(data, id)
}

#[test]
fn a_lesson_plans_rows_are_added_changed_moved_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let plan = ok(data, &["new", "lesson", "小儿惊厥的急诊处理"])
        .trim()
        .to_owned();

    // Three rows in one command: one change.
    let doc = edit(
        data,
        &plan,
        &[
            "--add",
            "process",
            "stage=导入",
            "minutes=5",
            "--add",
            "process",
            "stage=病例讨论",
            "minutes=40",
            "--add",
            "process",
            "stage=小结",
            "minutes=5",
        ],
    );
    assert_eq!(
        column(&doc, "process", "stage"),
        [json!("导入"), json!("病例讨论"), json!("小结")]
    );
    assert_eq!(
        column(&doc, "process", "minutes"),
        [json!(5), json!(40), json!(5)]
    );
    // Item fields not given are empty, as for a row added in the app.
    assert_eq!(doc["process"][0]["teacher"], "");
    let h = history(data, &plan);
    assert_eq!(h.as_array().unwrap().len(), 2);
    assert_eq!(h[1]["fields"], json!(["process"]));
    let first = ids(&doc, "process");

    // At a position: the new row becomes that row.
    let doc = edit(
        data,
        &plan,
        &["--add", "process:1", "stage=课前测验", "minutes=3"],
    );
    assert_eq!(
        column(&doc, "process", "stage"),
        [
            json!("课前测验"),
            json!("导入"),
            json!("病例讨论"),
            json!("小结")
        ]
    );
    assert_eq!(
        ids(&doc, "process")[1..],
        first[..],
        "existing rows keep their ids"
    );

    // By position as `rounds show` lists the rows: only that row changes.
    let before = doc.clone();
    let doc = edit(
        data,
        &plan,
        &[
            "--change",
            "process:3",
            "minutes=35",
            "teacher=呈现病例，提出问题",
        ],
    );
    assert_eq!(doc["process"][2]["stage"], "病例讨论");
    assert_eq!(doc["process"][2]["minutes"], 35);
    assert_eq!(doc["process"][2]["teacher"], "呈现病例，提出问题");
    for i in [0, 1, 3] {
        assert_eq!(doc["process"][i], before["process"][i]);
    }
    let md = ok(data, &["show", &plan]);
    assert!(
        md.contains("| 病例讨论 | 35 | 呈现病例，提出问题 |"),
        "{md}"
    );

    // By a unique start of the id, and by the whole id. The start must
    // include a letter (digits alone are a position): the ids are random,
    // and about one in seventeen ((10/16)^6) begins with six digits.
    let summary = &first[2];
    let mut n = 6.min(summary.len());
    while n < summary.len() && summary[..n].bytes().all(|b| b.is_ascii_digit()) {
        n += 1;
    }
    let doc = edit(
        data,
        &plan,
        &[
            "--change",
            &format!("process:{}", &summary[..n]),
            "stage=总结",
        ],
    );
    assert_eq!(doc["process"][3]["stage"], "总结");
    assert_eq!(doc["process"][3]["id"], summary.as_str());

    // Move the last row to the second place: same row, same id.
    let doc = edit(data, &plan, &["--move", "process:4", "--to", "2"]);
    assert_eq!(
        column(&doc, "process", "stage"),
        [
            json!("课前测验"),
            json!("总结"),
            json!("导入"),
            json!("病例讨论")
        ]
    );
    assert_eq!(doc["process"][1]["id"], summary.as_str());
    assert_eq!(doc["process"][1]["minutes"], 5);

    // Remove by the whole id.
    let quiz = doc["process"][0]["id"].as_str().unwrap().to_owned();
    let doc = edit(data, &plan, &["--remove", &format!("process:{quiz}")]);
    assert_eq!(
        column(&doc, "process", "stage"),
        [json!("总结"), json!("导入"), json!("病例讨论")]
    );
    assert!(!ids(&doc, "process").contains(&quiz));

    // Objectives, with choices. Row references name the rows as they were
    // before the command, so removing 1 and 2 removes the first two.
    let doc = edit(
        data,
        &plan,
        &[
            "--add",
            "objectives",
            "domain=knowledge",
            "level=master",
            "text=掌握惊厥持续状态的定义",
            "--add",
            "objectives",
            "domain=skills",
            "level=familiar",
            "text=熟悉止惊药物的用法",
            "--add",
            "objectives",
            "domain=attitude",
            "level=know",
            "text=了解与家长沟通的要点",
        ],
    );
    assert_eq!(
        column(&doc, "objectives", "level"),
        [json!("master"), json!("familiar"), json!("know")]
    );
    let doc = edit(
        data,
        &plan,
        &["--remove", "objectives:1", "--remove", "objectives:2"],
    );
    assert_eq!(
        column(&doc, "objectives", "text"),
        [json!("了解与家长沟通的要点")]
    );
    // An empty value clears a choice.
    let doc = edit(data, &plan, &["--change", "objectives:1", "level="]);
    assert_eq!(doc["objectives"][0]["level"], Value::Null);

    // Fields and rows of several lists in one command are one change.
    let n = history(data, &plan).as_array().unwrap().len();
    let doc = edit(
        data,
        &plan,
        &[
            "--set",
            "course=儿科学",
            "--add",
            "objectives:1",
            "domain=knowledge",
            "text=掌握热性惊厥的分类",
            "--change",
            "process:3",
            "minutes=30",
            "--move",
            "process:1",
            "--to",
            "3",
            "--add",
            "process",
            "stage=课后作业",
        ],
    );
    let h = history(data, &plan);
    assert_eq!(h.as_array().unwrap().len(), n + 1);
    assert_eq!(h[n]["fields"], json!(["course", "objectives", "process"]));
    assert_eq!(doc["course"], "儿科学");
    assert_eq!(
        column(&doc, "objectives", "text"),
        [json!("掌握热性惊厥的分类"), json!("了解与家长沟通的要点")]
    );
    // `process:3` is the row that was third (病例讨论); `--to 3` counts in
    // the list as the edits before it left it.
    assert_eq!(
        column(&doc, "process", "stage"),
        [
            json!("导入"),
            json!("病例讨论"),
            json!("总结"),
            json!("课后作业")
        ]
    );
    assert_eq!(doc["process"][1]["minutes"], 30);
}

/// A case whose discussion questions have ids chosen by the test, so that
/// starts of ids can be shared or made of digits.
fn case_with_questions(data: &Path, dir: &Path) -> String {
    let file = dir.join("case.json");
    std::fs::write(
        &file,
        json!({
            "kind": "case",
            "title": "Croup in a toddler",
            "language": "en",
            "questions": [
                {"id": "ab12c0000001", "act": "act1", "question": "What does the cough suggest?", "answer": "Croup"},
                {"id": "ab12d0000002", "act": "act2", "question": "How severe is it?", "answer": "Westley score"},
                {"id": "12ab00000003", "act": "act3", "question": "What treatment?", "answer": "Dexamethasone"},
            ]
        })
        .to_string(),
    )
    .unwrap();
    let out = json(data, &["import", file.to_str().unwrap(), "--json"]);
    out[0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_cases_rows_are_named_by_id_start_or_position() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    let case = case_with_questions(data, dir.path());

    // A start of an id that only one row has.
    let doc = edit(
        data,
        &case,
        &["--change", "questions:ab12d", "answer=Westley croup score"],
    );
    assert_eq!(doc["questions"][1]["answer"], "Westley croup score");
    assert_eq!(doc["questions"][1]["question"], "How severe is it?");

    // A start that includes a letter names an id even when it begins with
    // digits; digits alone are a position.
    let doc = edit(data, &case, &["--move", "questions:12a", "--to", "1"]);
    assert_eq!(
        ids(&doc, "questions"),
        ["12ab00000003", "ab12c0000001", "ab12d0000002"]
    );
    let doc = edit(
        data,
        &case,
        &[
            "--add",
            "questions:2",
            "act=act2",
            "question=Which signs mean referral?",
        ],
    );
    assert_eq!(
        column(&doc, "questions", "act"),
        [json!("act3"), json!("act2"), json!("act1"), json!("act2")]
    );
    let added = doc["questions"][1]["id"].as_str().unwrap().to_owned();
    assert!(!added.is_empty());
    assert_eq!(doc["questions"][1]["answer"], "");

    let doc = edit(data, &case, &["--remove", "questions:3"]);
    assert_eq!(
        ids(&doc, "questions"),
        ["12ab00000003", added.as_str(), "ab12d0000002"]
    );
    let doc = edit(
        data,
        &case,
        &[
            "--change",
            "questions:2",
            "answer=Stridor at rest, drowsiness",
        ],
    );
    assert_eq!(doc["questions"][1]["id"], added.as_str());
    assert_eq!(doc["questions"][1]["answer"], "Stridor at rest, drowsiness");

    // The Markdown shows the rows in their new order.
    let md = ok(data, &["show", &case]);
    let first = md.find("What treatment?").unwrap();
    let second = md.find("Which signs mean referral?").unwrap();
    let third = md.find("How severe is it?").unwrap();
    assert!(first < second && second < third, "{md}");

    // The history says which field each command changed.
    let h = history(data, &case);
    let fields: Vec<&Value> = h.as_array().unwrap()[1..]
        .iter()
        .map(|e| &e["fields"])
        .collect();
    assert!(fields.iter().all(|f| **f == json!(["questions"])), "{h}");
}

#[test]
fn a_row_edit_that_fails_says_why_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    let case = case_with_questions(data, dir.path());
    let plan = ok(data, &["new", "lesson", "川崎病", "--set", "course=儿科学"])
        .trim()
        .to_owned();
    ok(
        data,
        &["edit", &plan, "--add", "process", "stage=导入", "minutes=5"],
    );
    let (case_before, plan_before) = (show(data, &case), show(data, &plan));
    let (case_history, plan_history) = (history(data, &case), history(data, &plan));

    let cases: &[(&str, &[&str], &str)] = &[
        (
            &case,
            &["--remove", "questions:ffff"],
            "rounds: questions:ffff: no row of questions has an id starting with `ffff` (in `--remove questions:ffff`)",
        ),
        (
            &case,
            &["--change", "questions:4", "answer=x"],
            "rounds: questions:4: there is no row 4 (questions has 3 rows) (in `--change questions:4 answer=x`)",
        ),
        (
            // Digits are a position, even when an id starts with them.
            &case,
            &["--remove", "questions:12"],
            "rounds: questions:12: there is no row 12 (questions has 3 rows) (in `--remove questions:12`)",
        ),
        (
            &case,
            &["--remove", "questions:ab12"],
            "rounds: questions:ab12: `ab12` starts the ids of 2 rows of questions; give more of the id (in `--remove questions:ab12`)",
        ),
        (
            &case,
            &["--add", "diagnosis", "text=Croup"],
            "rounds: diagnosis: is not a list field; set it with `--set diagnosis=VALUE`",
        ),
        (
            &case,
            &["--remove", "nonsense:1"],
            "rounds: nonsense: is not a field of a teaching case",
        ),
        (
            &case,
            &["--change", "questions:1", "hint=cough"],
            "rounds: questions.hint: is not a field of questions; its fields are act, question, answer (in `--change questions:1 hint=cough`)",
        ),
        (
            &case,
            &["--add", "questions", "act=act4"],
            "rounds: questions.act: must be one of act1, act2, act3 (in `--add questions act=act4`)",
        ),
        (
            &case,
            &["--change", "questions:1", "answer"],
            "rounds: questions: `answer`: write ITEM=VALUE (in `--change questions:1 answer`)",
        ),
        (
            &case,
            &["--change", "questions", "answer=x"],
            "rounds: questions: name the row as questions:POSITION or questions:ID (in `--change questions answer=x`)",
        ),
        (
            &plan,
            &["--change", "process:1", "minutes=ten"],
            "rounds: process.minutes: must be a whole number from 0 to 600 (in `--change process:1 minutes=ten`)",
        ),
        (
            // Limits are the document's own validation, named the same way.
            &plan,
            &["--add", "process", "stage=讨论", "minutes=900"],
            "rounds: process.minutes: must be a whole number from 0 to 600 (in `--add process stage=讨论 minutes=900`)",
        ),
        (
            &plan,
            &["--add", "process:3", "stage=讨论"],
            "rounds: process: there is no position 3; the row can go at 1 to 2 (in `--add process:3 stage=讨论`)",
        ),
        (
            &plan,
            &["--move", "process:1", "--to", "0"],
            "rounds: process: `0` is not a position (1, 2, …) (in `--move process:1 --to 0`)",
        ),
        (
            &plan,
            &[
                "--remove",
                "process:1",
                "--change",
                "process:1",
                "minutes=6",
            ],
            "rounds: process:1: this row is removed earlier in the same command (in `--change process:1 minutes=6`)",
        ),
        (
            &plan,
            &["--set", "process=[]", "--add", "process", "stage=x"],
            "rounds: process: give the whole list (--set, --patch) or edit its rows (--add, --change, --move, --remove), not both",
        ),
        (
            // Good edits before a bad one are not applied either.
            &plan,
            &[
                "--set",
                "course=内科学",
                "--add",
                "process",
                "stage=讨论",
                "--change",
                "process:1",
                "minutes=-1",
            ],
            "rounds: process.minutes: must not be negative (in `--change process:1 minutes=-1`)",
        ),
    ];
    for (id, args, want) in cases {
        let mut all = vec!["edit", *id];
        all.extend_from_slice(args);
        assert_eq!(fails(data, &all), *want, "{args:?}");
    }

    // Flags that do not fit together are usage errors (status 2).
    for args in [
        &["--move", "process:1"][..],
        &["--to", "1"],
        &["--move", "process:1", "--remove", "process:1", "--to", "1"],
        &["--change", "process:1"],
    ] {
        let mut all = vec!["edit", plan.as_str()];
        all.extend_from_slice(args);
        let out = rounds(data, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }

    assert_eq!(show(data, &case), case_before);
    assert_eq!(show(data, &plan), plan_before);
    assert_eq!(history(data, &case), case_history);
    assert_eq!(history(data, &plan), plan_history);
}

#[test]
fn row_edits_on_two_devices_merge_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let plan = ok(&a, &["new", "lesson", "腹泻与口服补液"])
        .trim()
        .to_owned();
    ok(
        &a,
        &[
            "edit",
            &plan,
            "--add",
            "process",
            "stage=导入",
            "minutes=5",
            "--add",
            "process",
            "stage=讲授",
            "minutes=20",
            "--add",
            "process",
            "stage=练习",
            "minutes=15",
        ],
    );
    // Device B gets the document as it is, byte for byte.
    let copy = dir.path().join("a.rounds-backup");
    ok(&a, &["backup", "create", copy.to_str().unwrap()]);
    ok(&b, &["backup", "restore", copy.to_str().unwrap()]);
    let rows = ids(&show(&a, &plan), "process");

    // Offline, each device edits rows of the same list.
    ok(
        &a,
        &[
            "edit",
            &plan,
            "--remove",
            "process:2",
            "--move",
            "process:3",
            "--to",
            "1",
        ],
    );
    ok(
        &b,
        &[
            "edit",
            &plan,
            "--change",
            "process:3",
            "minutes=25",
            "--change",
            "process:1",
            "teacher=展示脱水患儿照片",
            "--add",
            "process",
            "stage=小结",
        ],
    );

    // Each merges the other's copy.
    let (to_a, to_b) = (dir.path().join("b.backup"), dir.path().join("a2.backup"));
    ok(&b, &["backup", "create", to_a.to_str().unwrap()]);
    ok(&a, &["backup", "create", to_b.to_str().unwrap()]);
    ok(&a, &["backup", "restore", to_a.to_str().unwrap()]);
    ok(&b, &["backup", "restore", to_b.to_str().unwrap()]);

    let (da, db) = (show(&a, &plan), show(&b, &plan));
    assert_eq!(da["process"], db["process"]);
    // A's move and removal and B's edits and addition all hold: the moved
    // row carries B's new minutes, the removed row is gone, B's row is added.
    assert_eq!(
        column(&da, "process", "stage"),
        [json!("练习"), json!("导入"), json!("小结")]
    );
    assert_eq!(da["process"][0]["id"], rows[2].as_str());
    assert_eq!(da["process"][0]["minutes"], 25);
    assert_eq!(da["process"][1]["teacher"], "展示脱水患儿照片");
    assert!(!ids(&da, "process").contains(&rows[1]));
}

#[test]
fn a_whole_list_given_with_set_replaces_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let plan = ok(data, &["new", "lesson", "新生儿黄疸"]).trim().to_owned();
    let doc = edit(
        data,
        &plan,
        &[
            "--add",
            "process",
            "stage=导入",
            "minutes=5",
            "--add",
            "process",
            "stage=讲授",
            "--add",
            "process",
            "stage=练习",
        ],
    );
    let rows = ids(&doc, "process");

    // Kept by id (item fields left out keep their values), added without
    // one, and every row left out removed.
    let list = json!([{"id": rows[0], "minutes": 10}, {"stage": "小结"}]);
    let doc = edit(data, &plan, &["--set", &format!("process={list}")]);
    assert_eq!(
        column(&doc, "process", "stage"),
        [json!("导入"), json!("小结")]
    );
    assert_eq!(doc["process"][0]["id"], rows[0].as_str());
    assert_eq!(doc["process"][0]["minutes"], 10);
    assert!(!rows.contains(&doc["process"][1]["id"].as_str().unwrap().to_owned()));

    assert_eq!(
        fails(
            data,
            &["edit", &plan, "--set", r#"process=[{"id": "nope"}]"#]
        ),
        "rounds: process[0].id: there is no element `nope`"
    );
    assert_eq!(show(data, &plan), doc);
}

#[test]
fn a_whole_id_made_of_digits_names_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("case.json");
    std::fs::write(
        &file,
        json!({
            "kind": "case",
            "title": "Bronchiolitis",
            "language": "en",
            "questions": [
                {"id": "ab0000000001", "act": "act1", "question": "First?"},
                {"id": "891104590392", "act": "act2", "question": "Second?"},
            ]
        })
        .to_string(),
    )
    .unwrap();
    let id = json(&data, &["import", file.to_str().unwrap(), "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Random ids are sometimes all digits: the whole id names its row…
    ok(&data, &["edit", &id, "--remove", "questions:891104590392"]);
    let doc = json(&data, &["show", &id, "--json"]);
    assert_eq!(column(&doc, "questions", "question"), [json!("First?")]);
    // … while a short number is still a position.
    ok(&data, &["edit", &id, "--remove", "questions:1"]);
    let doc = json(&data, &["show", &id, "--json"]);
    assert_eq!(doc["questions"], json!([]));
}
