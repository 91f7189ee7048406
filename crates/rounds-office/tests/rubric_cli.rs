//! An office's own review rubrics through the real `rounds-office` binary:
//! added from JSON, listed, replaced by name; a rubric that is not valid
//! is refused with its reason and changes nothing.

use rounds_testkit::process::Program;

fn refused(office: &Program, args: &[&str]) -> String {
    let out = office.run(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_administrator_defines_the_offices_rubrics() {
    let root = tempfile::tempdir().unwrap();
    let office = Program::office().data(root.path());
    office.ok(&["office", "create", "儿科虚拟教研室"]);
    let file = root.path().join("minicex.json");
    let rubric = serde_json::json!({
        "name": "mini_cex",
        "en": "Mini-CEX teaching round",
        "zh": "教学查房 mini-CEX",
        "min": 1,
        "max": 9,
        "criteria": [
            {"key": "history", "en": "History taking", "zh": "病史采集"},
            {"key": "examination", "en": "Physical examination", "zh": "体格检查"},
            {"key": "judgement", "en": "Clinical judgement", "zh": "临床判断"}
        ]
    });
    std::fs::write(&file, rubric.to_string()).unwrap();
    assert_eq!(
        office.ok(&["rubric", "add", file.to_str().unwrap()]).trim(),
        "mini_cex"
    );
    let list = office.json(&["rubric", "list", "--json"]);
    assert_eq!(list[0]["criteria"][2]["zh"], "临床判断");
    assert!(
        office
            .ok(&["rubric", "list"])
            .contains("mini_cex  教学查房 mini-CEX / Mini-CEX teaching round  1–9, 3 criteria")
    );

    // Replaced by name.
    let mut changed = rubric.clone();
    changed["max"] = serde_json::json!(5);
    std::fs::write(&file, changed.to_string()).unwrap();
    office.ok(&["rubric", "add", file.to_str().unwrap()]);
    let list = office.json(&["rubric", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["max"], 5);

    // Refusals, each with its reason; nothing changes.
    for (bad, reason) in [
        (
            serde_json::json!({"name": "glassick", "en": "x", "zh": "x", "min": 1, "max": 5, "criteria": [{"key": "a", "en": "a", "zh": "a"}]}),
            "built-in",
        ),
        (
            serde_json::json!({"name": "Bad Name", "en": "x", "zh": "x", "min": 1, "max": 5, "criteria": [{"key": "a", "en": "a", "zh": "a"}]}),
            "lowercase",
        ),
        (
            serde_json::json!({"name": "r2", "en": "x", "zh": "x", "min": 5, "max": 1, "criteria": [{"key": "a", "en": "a", "zh": "a"}]}),
            "scale",
        ),
        (
            serde_json::json!({"name": "r3", "en": "x", "zh": "x", "min": 1, "max": 5, "criteria": []}),
            "criteria",
        ),
        (
            serde_json::json!({"name": "r4", "en": "x", "zh": "x", "min": 1, "max": 5, "criteria": [{"key": "a", "en": "a", "zh": "a"}, {"key": "a", "en": "b", "zh": "b"}]}),
            "twice",
        ),
        (
            serde_json::json!({"name": "r5", "en": "", "zh": "x", "min": 1, "max": 5, "criteria": [{"key": "a", "en": "a", "zh": "a"}]}),
            "en",
        ),
    ] {
        std::fs::write(&file, bad.to_string()).unwrap();
        let e = refused(&office, &["rubric", "add", file.to_str().unwrap()]);
        assert!(e.contains("rubric:") && e.contains(reason), "{reason}: {e}");
    }
    std::fs::write(&file, "not json").unwrap();
    assert!(refused(&office, &["rubric", "add", file.to_str().unwrap()]).contains("not a rubric"));
    assert_eq!(
        office
            .json(&["rubric", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
