//! `rounds-office backup` through the real binaries: a copy taken while
//! the office serves and a teacher pushes holds every change the office had
//! acknowledged before it began, restores to an office that serves it, and
//! never overwrites a file.

use rounds_testkit::process::{OfficeProcess, Program};

#[test]
fn an_office_is_backed_up_while_it_serves_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let odata = dir.path().join("office");
    let office = Program::office().data(&odata);
    office.ok(&["office", "create", "儿科虚拟教研室"]);
    let server = OfficeProcess::serve(&office, "127.0.0.1:0");
    let teacher = Program::rounds()
        .data(&dir.path().join("teacher"))
        .user("王老师");
    let member = office.ok(&["member", "add", "王老师"]);
    let code = office.ok(&["code", member.trim()]);
    teacher.ok(&["join", &server.url, code.trim()]);
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = teacher
            .ok(&[
                "new",
                "lesson",
                &format!("备份前的教案{i}"),
                "--set",
                "summary=已同步",
            ])
            .trim()
            .to_owned();
        teacher.ok(&["share", &id]);
        ids.push(id);
    }
    teacher.ok(&["sync"]);

    // Taken while the office serves, with a teacher syncing at the same time.
    let syncing = {
        let teacher = teacher.clone();
        std::thread::spawn(move || {
            for i in 0..5 {
                let id = teacher
                    .ok(&["new", "lesson", &format!("备份时的教案{i}")])
                    .trim()
                    .to_owned();
                teacher.ok(&["share", &id]);
                teacher.ok(&["sync"]);
            }
        })
    };
    let copy = dir.path().join("office-backup.sqlite3");
    let report = office.json(&["backup", copy.to_str().unwrap(), "--json"]);
    syncing.join().unwrap();
    assert!(report["documents"].as_i64().unwrap() >= 5, "{report}");
    assert!(report["changes"].as_i64().unwrap() >= 5, "{report}");

    // Never over a file that exists, and nothing left half-written.
    let out = office.run(&["backup", copy.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());

    // Restored: the copy is an office that serves what it held.
    drop(server);
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&copy, restored.join("office.sqlite3")).unwrap();
    let back = Program::office().data(&restored);
    let status = back.json(&["status", "--json"]);
    assert_eq!(status["documents"], report["documents"], "{status}");
    assert_eq!(status["changes"], report["changes"], "{status}");
    let server = OfficeProcess::serve(&back, "127.0.0.1:0");
    let fresh = Program::rounds()
        .data(&dir.path().join("fresh"))
        .user("李老师");
    let member = back.ok(&["member", "add", "李老师"]);
    let code = back.ok(&["code", member.trim()]);
    fresh.ok(&["join", &server.url, code.trim()]);
    fresh.ok(&["sync"]);
    let listed = fresh.json(&["list", "--json"]);
    for id in &ids {
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["id"] == id.as_str()),
            "{id} is not in the restored office"
        );
    }
    // The teacher's device, whose cursor is from the office as it was
    // after the backup, reads everything again and pushes back what the
    // restored office lacks: nothing written after the backup is lost.
    let all: Vec<String> = teacher
        .json(&["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    std::fs::write(dir.path().join("url"), &server.url).unwrap();
    let teacher_data = dir.path().join("teacher");
    let db = rusqlite::Connection::open(teacher_data.join("rounds.sqlite3")).unwrap();
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'sync.office_url'",
        [&server.url],
    )
    .unwrap();
    drop(db);
    teacher.ok(&["sync"]);
    fresh.ok(&["sync"]);
    let now: Vec<String> = fresh
        .json(&["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    for id in &all {
        assert!(now.contains(id), "{id} was lost in the restore");
    }
}
