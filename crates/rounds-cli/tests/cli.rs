//! The `rounds` binary, driven as a teacher would drive it.

mod common;

use common::{fails, json, ok, rounds_stdin};

/// Files as Windows' Notepad writes them (a UTF-8 byte-order mark, CR LF
/// line ends) read as the same text as anywhere else: a field's lines end
/// in LF, and a JSON file with the mark imports.
#[test]
fn files_written_on_windows_read_as_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    ok(data, &["profile", "--name", "吴老师"]);
    let id = ok(data, &["new", "lesson", "婴儿腹泻的家庭护理"])
        .trim()
        .to_owned();
    let text = dir.path().join("学情分析.txt");
    std::fs::write(
        &text,
        "\u{feff}学员为乡村医生。\r\n多数未系统学习补液。\r\n",
    )
    .unwrap();
    ok(
        data,
        &[
            "edit",
            &id,
            "--set-file",
            &format!("learner_analysis={}", text.display()),
        ],
    );
    assert_eq!(
        json(data, &["show", &id, "--json"])["learner_analysis"],
        "学员为乡村医生。\n多数未系统学习补液。"
    );

    let plan = dir.path().join("plan.json");
    std::fs::write(
        &plan,
        "\u{feff}{\r\n  \"kind\": \"lesson_plan\",\r\n  \"title\": \"口服补液盐的配制\",\r\n  \"language\": \"zh\",\r\n  \"methods\": \"示范\\r\\n练习\"\r\n}\r\n",
    )
    .unwrap();
    let out = ok(data, &["import", plan.to_str().unwrap()]);
    assert!(out.contains("口服补液盐的配制"), "{out}");
    let found = json(data, &["list", "--json"]);
    let imported = found
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "口服补液盐的配制")
        .unwrap();
    // A line break written inside a JSON string is the JSON's own: kept.
    assert_eq!(
        json(data, &["show", imported["id"].as_str().unwrap(), "--json"])["methods"],
        "示范\r\n练习"
    );
}

#[test]
fn a_teacher_works_offline_with_the_cli_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();

    // Import the sample library.
    assert!(ok(data, &["samples"]).contains("added 11 of 11"));
    assert!(ok(data, &["samples"]).contains("added 0 of 11"));
    ok(data, &["profile", "--name", "王老师"]);

    // Create a lesson plan and a case, and edit them every way there is.
    let plan = ok(
        data,
        &[
            "new",
            "lesson",
            "小儿惊厥的急诊处理",
            "--set",
            "course=儿科学",
            "--set",
            "session_type=cbl",
        ],
    )
    .trim()
    .to_owned();
    let case_json = json(
        data,
        &[
            "new",
            "case",
            "Croup in a toddler",
            "--lang",
            "en",
            "--set",
            "age_band=toddler",
            "--json",
        ],
    );
    let case = case_json["id"].as_str().unwrap().to_owned();
    assert_eq!(case_json["age_band"], "toddler");
    let hpi = dir.path().join("hpi.txt");
    std::fs::write(&hpi, "Barking cough and stridor at night for two days.\n").unwrap();
    ok(
        data,
        &[
            "edit",
            &case[case.len() - 8..],
            "--set-file",
            &format!("present_illness={}", hpi.display()),
        ],
    );
    let out = rounds_stdin(
        data,
        &["edit", &case, "--stdin", "management"],
        "Oral dexamethasone 0.15 mg/kg once.\n",
    );
    assert!(out.status.success());
    let patch = dir.path().join("patch.json");
    std::fs::write(&patch, r#"{"objectives": [{"domain": "knowledge", "level": "master", "text": "掌握惊厥持续状态的定义"}], "process": [{"stage": "导入", "minutes": 5}, {"stage": "病例讨论", "minutes": 40}], "tags": ["神经系统", "急诊"]}"#).unwrap();
    ok(data, &["edit", &plan, "--patch", patch.to_str().unwrap()]);

    let shown = json(data, &["show", &plan, "--json"]);
    assert_eq!(shown["course"], "儿科学");
    assert_eq!(shown["author"], "王老师");
    assert_eq!(shown["process"][1]["minutes"], 40);
    assert_eq!(
        json(data, &["show", &case, "--json"])["management"],
        "Oral dexamethasone 0.15 mg/kg once."
    );
    let md = ok(data, &["show", &plan]);
    assert!(md.starts_with("# 小儿惊厥的急诊处理\n"));
    assert!(md.contains("| 导入 | 5 |"));

    // Find them by a Chinese and by an English word.
    let hits = json(data, &["search", "惊厥持续", "--json"]);
    assert_eq!(hits[0]["id"], plan.as_str());
    assert!(
        hits[0]["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hit"] == true && p["text"] == "惊厥持续")
    );
    let hits = json(data, &["search", "barking stridor", "--json"]);
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["id"], case.as_str());
    assert!(ok(data, &["search", "stridor"]).contains("[stridor]"));

    // Listing and filters.
    let all = json(data, &["list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 13);
    assert_eq!(all[0]["id"], plan.as_str(), "newest change first");
    assert_eq!(
        json(data, &["list", "--kind", "case", "--json"])
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        json(data, &["list", "--tag", "急诊", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let village = json(data, &["list", "--learners", "village_doctor", "--json"]);
    assert!(!village.as_array().unwrap().is_empty());
    assert!(
        village
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["learner_level"] == "village_doctor")
    );

    // History, and an earlier version.
    let history = json(data, &["history", &case, "--json"]);
    assert_eq!(history.as_array().unwrap().len(), 3);
    assert_eq!(history[1]["fields"], serde_json::json!(["present_illness"]));
    assert_eq!(history[2]["author"], "王老师");
    assert_eq!(
        json(data, &["show", &case, "--at", "2", "--json"])["management"],
        ""
    );
    assert!(ok(data, &["history", &case]).contains("management"));

    // Export, delete, and restore from the export into another library.
    let exported = dir.path().join("case.json");
    ok(data, &["export", &case, "-o", exported.to_str().unwrap()]);
    let md_path = dir.path().join("plan.md");
    ok(
        data,
        &[
            "export",
            &plan,
            "--format",
            "md",
            "-o",
            md_path.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read_to_string(&md_path)
            .unwrap()
            .contains("## 教学过程")
    );
    assert!(fails(data, &["export", &plan, "-o", md_path.to_str().unwrap()]).contains("exists"));
    let other = dir.path().join("other");
    ok(&other, &["import", exported.to_str().unwrap()]);
    let mut a = json(data, &["show", &case, "--json"]);
    let mut b = json(&other, &["show", &case, "--json"]);
    for v in [&mut a, &mut b] {
        for k in ["author", "owner", "created", "updated"] {
            v.as_object_mut().unwrap().remove(k);
        }
    }
    assert_eq!(a, b);

    ok(data, &["delete", &case]);
    assert_eq!(
        json(data, &["list", "--json"]).as_array().unwrap().len(),
        12
    );
    assert_eq!(
        json(data, &["list", "--deleted", "--json"])[0]["id"],
        case.as_str()
    );
    ok(data, &["restore", &case]);
    assert_eq!(
        json(data, &["list", "--json"]).as_array().unwrap().len(),
        13
    );

    // Back up the whole library and restore it elsewhere, history included.
    let backup = dir.path().join("lib.rounds-backup");
    assert!(ok(data, &["backup", "create", backup.to_str().unwrap()]).contains("13 documents"));
    let third = dir.path().join("third");
    assert!(ok(&third, &["backup", "restore", backup.to_str().unwrap()]).contains("restored 13"));
    assert_eq!(
        json(&third, &["history", &case, "--json"]),
        json(data, &["history", &case, "--json"])
    );
    assert_eq!(
        json(&third, &["show", &plan, "--json"]),
        json(data, &["show", &plan, "--json"])
    );
}

#[test]
fn errors_are_one_clear_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let id = ok(data, &["new", "case", "川崎病"]).trim().to_owned();
    let before = ok(data, &["show", &id, "--json"]);
    assert_eq!(
        fails(data, &["edit", &id, "--set", "age_band=teen"]),
        "rounds: age_band: must be one of neonate, infant, toddler, preschool, school_age, adolescent"
    );
    assert_eq!(
        fails(data, &["edit", &id, "--set", "nonsense=1"]),
        "rounds: nonsense: is not a field of a teaching case"
    );
    assert_eq!(
        fails(data, &["edit", &id, "--set", "diagnosis"]),
        "rounds: `diagnosis`: write FIELD=VALUE"
    );
    assert_eq!(
        fails(data, &["new", "lesson", ""]),
        "rounds: title: must not be empty"
    );
    assert_eq!(
        fails(data, &["new", "lesson", "x", "--set", "class_hours=-2"]),
        "rounds: class_hours: must not be negative"
    );
    assert_eq!(
        fails(data, &["new", "lesson", "x", "--set", "learner_count=many"]),
        "rounds: learner_count: must be a whole number from 0 to 10000"
    );
    assert_eq!(
        fails(data, &["show", "ffffffff"]),
        "rounds: no document matches `ffffffff`"
    );
    assert_eq!(
        fails(data, &["edit", &id]),
        "rounds: nothing to change: give --set, --set-file, --stdin, --patch, --add, --change, --move or --remove"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"kind\": \"case\", \"title\": ").unwrap();
    assert!(fails(data, &["import", bad.to_str().unwrap()]).contains("malformed JSON"));
    let out = rounds_stdin(data, &["edit", &id, "--patch", "-"], "[1, 2]");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be a JSON object"));
    assert_eq!(ok(data, &["show", &id, "--json"]), before);
    assert_eq!(json(data, &["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_library_from_a_newer_rounds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["list"]);
    let conn = rusqlite::Connection::open(dir.path().join("rounds.sqlite3")).unwrap();
    conn.pragma_update(None, "user_version", 1000).unwrap();
    drop(conn);
    assert!(fails(dir.path(), &["list"]).contains("written by a newer version of Rounds"));
}

#[test]
fn fields_are_listed_for_each_kind() {
    let dir = tempfile::tempdir().unwrap();
    let fields = json(dir.path(), &["fields", "lesson", "--json"]);
    let keys: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"objectives") && keys.contains(&"process") && keys.contains(&"reflection")
    );
    assert!(ok(dir.path(), &["fields", "case"]).contains("chief_complaint"));
}
