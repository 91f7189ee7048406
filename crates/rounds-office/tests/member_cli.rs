//! Members' sites through the real `rounds-office` binary, as an
//! administrator sets them: `member add --site`, `member site`, and
//! `member list` (text and `--json`); a bad site is refused with its
//! reason and changes nothing.

use rounds_testkit::process::Program;
use serde_json::Value;

/// The member with `id` in `member list --json`.
fn listed(office: &Program, id: &str) -> Value {
    let list = office.json(&["member", "list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
        .clone()
}

/// Runs a command that must fail and returns what it said.
fn refused(office: &Program, args: &[&str]) -> String {
    let out = office.run(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_administrator_gives_members_their_sites() {
    let root = tempfile::tempdir().unwrap();
    let office = Program::office().data(root.path());
    office.ok(&["office", "create", "儿科虚拟教研室"]);

    let lead = office.ok(&[
        "member",
        "add",
        "王主任",
        "--role",
        "lead_teacher",
        "--site",
        "  县人民医院儿科 ",
    ]);
    let lead = lead.trim();
    let plain = office.ok(&["member", "add", "李老师"]);
    let plain = plain.trim();
    let m = listed(&office, lead);
    assert_eq!(m["site"], "县人民医院儿科", "trimmed: {m}");
    assert_eq!(m["role"], "lead_teacher");
    assert_eq!(listed(&office, plain)["site"], "");
    let text = office.ok(&["member", "list"]);
    let line = text.lines().find(|l| l.starts_with(lead)).unwrap();
    assert!(
        line.contains("王主任") && line.contains("县人民医院儿科"),
        "{text}"
    );

    office.ok(&["member", "site", plain, "乡镇卫生院"]);
    assert_eq!(listed(&office, plain)["site"], "乡镇卫生院");
    assert!(office.ok(&["member", "list"]).contains("乡镇卫生院"));
    // 100 characters is the most a site may have.
    let longest = "院".repeat(100);
    office.ok(&["member", "site", plain, &longest]);
    assert_eq!(listed(&office, plain)["site"], longest.as_str());

    // Refused, each with its reason, and nothing changed.
    let before = office.ok(&["member", "list", "--json"]);
    let too_long = "院".repeat(101);
    let err = refused(&office, &["member", "add", "赵老师", "--site", &too_long]);
    assert!(
        err.contains("site: must be at most 100 characters"),
        "{err}"
    );
    let err = refused(&office, &["member", "site", plain, &too_long]);
    assert!(
        err.contains("site: must be at most 100 characters"),
        "{err}"
    );
    for bad in ["县医院\n儿科", "县医院\t儿科", "县医院\u{1b}[31m"] {
        let err = refused(&office, &["member", "site", lead, bad]);
        assert!(
            err.contains("site: must not contain control characters"),
            "{err}"
        );
        let err = refused(&office, &["member", "add", "赵老师", "--site", bad]);
        assert!(err.contains("control characters"), "{err}");
    }
    let err = refused(&office, &["member", "site", "no-such-member", "县医院"]);
    assert!(err.contains("not found: member no-such-member"), "{err}");
    assert_eq!(office.ok(&["member", "list", "--json"]), before);

    // A removed member's site is not changed any more.
    office.ok(&["member", "remove", plain]);
    let err = refused(&office, &["member", "site", plain, "县医院"]);
    assert!(err.contains("not found"), "{err}");

    // An empty site clears it.
    office.ok(&["member", "site", lead, ""]);
    assert_eq!(listed(&office, lead)["site"], "");
}
