//! Moving an office from SQLite to PostgreSQL, through the real binaries:
//! `rounds-office migrate --to postgres://…` copies it checked, leaves the
//! SQLite files as they were, and the teachers' devices go on syncing with
//! the office on PostgreSQL where they left off. Needs a PostgreSQL server
//! (`make test` runs one; see rounds_testkit::pg).

use rounds_testkit::pg::PgTestDb;
use rounds_testkit::process::{OfficeProcess, Program};
use sha2::{Digest, Sha256};

fn file_hash(p: &std::path::Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn titles(teacher: &Program) -> Vec<String> {
    let mut t: Vec<String> = teacher
        .json(&["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

#[test]
fn an_sqlite_office_moves_to_postgres_and_its_devices_go_on_syncing() {
    let Some(pg) = PgTestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sdata = dir.path().join("office");
    let sqlite = Program::office().data(&sdata);
    sqlite.ok(&["office", "create", "县域儿科教研室"]);
    let server = OfficeProcess::serve(&sqlite, "127.0.0.1:0");
    let join = |name: &str, dir_name: &str| {
        let t = Program::rounds()
            .data(&dir.path().join(dir_name))
            .user(name);
        let member = sqlite.ok(&["member", "add", name, "--site", "乡镇卫生院"]);
        let code = sqlite.ok(&["code", member.trim()]);
        t.ok(&["join", &server.url, code.trim()]);
        t
    };
    let zhao = join("赵老师", "zhao");
    let mensah = join("Ms. Mensah", "mensah");
    for title in ["热性惊厥的识别", "Neonatal jaundice rounds", "小儿腹泻补液"] {
        let id = zhao.ok(&["new", "lesson", title]).trim().to_owned();
        zhao.ok(&["share", &id]);
    }
    zhao.ok(&["sync"]);
    mensah.ok(&["sync"]);
    assert_eq!(titles(&mensah).len(), 3);
    let status = sqlite.json(&["status", "--json"]);
    let port = server.port;
    drop(server);

    let file = sdata.join("office.sqlite3");
    let before = file_hash(&file);
    let report = sqlite.json(&["migrate", "--to", &pg.url, "--json"]);
    assert_eq!(
        file_hash(&file),
        before,
        "the SQLite office is left as it was"
    );
    let rows = |table: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .unwrap_or_else(|| panic!("{table} in {report}"))["rows"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(rows("documents"), status["documents"].as_u64().unwrap());
    assert_eq!(rows("members"), 2);
    assert_eq!(rows("devices"), 2);
    assert!(rows("log") >= status["changes"].as_u64().unwrap());
    if let Ok(password) = std::env::var("PGPASSWORD")
        && !password.is_empty()
    {
        assert!(
            !report.to_string().contains(&password),
            "the password is not printed"
        );
    }

    // The copied tables carry the planner's statistics from the start:
    // analyzed by the move itself (autovacuum's would be last_autoanalyze).
    let mut client = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    let unanalyzed: Vec<String> = client
        .query(
            "SELECT relname::text FROM pg_stat_user_tables
             WHERE relname IN ('documents', 'log', 'devices') AND last_analyze IS NULL",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        unanalyzed.is_empty(),
        "not analyzed after the move: {unanalyzed:?}"
    );
    drop(client);

    // Once: a database that holds an office is not written over.
    let again = sqlite.run(&["migrate", "--to", &pg.url]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("holds an office already"));
    // Not a PostgreSQL URL: refused before anything is touched.
    let bad = sqlite.run(&["migrate", "--to", "mysql://x@y/z"]);
    assert!(!bad.status.success());

    // The office on PostgreSQL, with an empty data directory: nothing is
    // read from SQLite any more.
    let pgo = Program::office()
        .data(&dir.path().join("empty"))
        .arg("--database-url")
        .arg(&pg.url);
    let moved = pgo.json(&["status", "--json"]);
    assert_eq!(moved["documents"], status["documents"]);
    assert_eq!(moved["changes"], status["changes"]);
    assert_eq!(moved["members"], status["members"]);
    // At the same address, as an office moved behind its host name is:
    // the devices keep their tokens and cursors.
    let _server = OfficeProcess::serve(&pgo, &format!("127.0.0.1:{port}"));
    let id = mensah
        .ok(&["new", "lesson", "搬家后的第一份教案"])
        .trim()
        .to_owned();
    mensah.ok(&["share", &id]);
    mensah.ok(&["sync"]);
    zhao.ok(&["sync"]);
    assert_eq!(titles(&zhao), titles(&mensah));
    assert_eq!(titles(&zhao).len(), 4);

    // Backups on PostgreSQL are pg_dump's; after a restore, a new epoch.
    let out = pgo.run(&["backup", dir.path().join("x.sqlite3").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
    assert!(pgo.ok(&["restored"]).contains("new epoch"));
    let id = zhao.ok(&["new", "lesson", "恢复之后"]).trim().to_owned();
    zhao.ok(&["share", &id]);
    zhao.ok(&["sync"]);
    mensah.ok(&["sync"]);
    assert_eq!(titles(&mensah).len(), 5);
    assert_eq!(titles(&zhao), titles(&mensah));
}
