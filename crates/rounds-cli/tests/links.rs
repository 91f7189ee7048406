//! `rounds links` and references set from the command line, driven as a
//! teacher would.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn rounds(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rounds"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("USER", "test-teacher")
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = rounds(data, args);
    assert!(
        out.status.success(),
        "rounds {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn links_lists_references_both_ways_and_hides_absent_targets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["new", "case", "急性喉炎夜间发作"])
        .trim()
        .to_owned();
    let absent = "0193a5b0-0000-7000-8000-00000000f00d";
    let plan = json!({
        "kind": "lesson_plan",
        "title": "小儿喉梗阻的分度",
        "language": "zh",
        "process": [
            {"stage": "病例导入", "ref": case},
            {"stage": "拓展", "ref": absent},
        ],
    });
    let file = d.join("plan.json");
    std::fs::write(&file, plan.to_string()).unwrap();
    ok(d, &["import", file.to_str().unwrap()]);
    let rows: Value =
        serde_json::from_str(&ok(d, &["list", "--json", "--kind", "lesson"])).unwrap();
    let plan_id = rows[0]["id"].as_str().unwrap().to_owned();

    let text = ok(d, &["links", &plan_id]);
    assert!(
        text.contains("process[1]") && text.contains("急性喉炎夜间发作"),
        "{text}"
    );
    assert!(
        text.contains("process[2]") && text.contains("not available to you"),
        "{text}"
    );
    assert!(!text.contains("f00d"), "{text}");

    let j: Value = serde_json::from_str(&ok(d, &["links", &plan_id, "--json"])).unwrap();
    let links = j["links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["to"], case);
    assert_eq!(links[0]["available"], true);
    assert_eq!(links[0]["kind"], "case");
    assert_eq!(links[1]["available"], false);
    assert_eq!(links[1]["title"], Value::Null);

    // What links here, from the case's side, by a short id.
    let short = &case[case.len() - 8..];
    let back: Value = serde_json::from_str(&ok(d, &["links", short, "--json"])).unwrap();
    assert_eq!(back["links"], json!([]));
    assert_eq!(back["linked_from"][0]["id"], plan_id.as_str());
    assert_eq!(back["linked_from"][0]["field"], "process");

    // Markdown shows titles, not ids.
    let md = ok(d, &["show", &plan_id]);
    assert!(
        md.contains("→ 急性喉炎夜间发作") && md.contains("你无权查看"),
        "{md}"
    );

    // Setting a reference to a document the library does not hold is refused.
    let rows = format!(r#"[{{"stage":"导入","ref":"{absent}"}}]"#);
    let out = rounds(d, &["edit", &plan_id, "--set", &format!("process={rows}")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no document"), "{err}");
    // The failed edit changed nothing.
    let j: Value = serde_json::from_str(&ok(d, &["links", &plan_id, "--json"])).unwrap();
    assert_eq!(j["links"].as_array().unwrap().len(), 2);
}
