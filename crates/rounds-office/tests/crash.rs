//! Real processes killed with SIGKILL at random points: the office during
//! syncs, the `rounds` CLI during syncs and during edits that compact. After
//! every kill both databases pass `PRAGMA integrity_check`, nothing a
//! process reported as saved is lost, and the next sync completes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rounds_core::generate::Rng;
use rounds_testkit::process::{OfficeProcess, Program};

/// The `rounds` CLI on the library `data`.
fn cli(data: &Path) -> Program {
    Program::rounds().data(data).user("crash-test")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn integrity(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let r: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(r, "ok", "{}", db.display());
}

/// Starts a process and kills it with SIGKILL after `ms` milliseconds
/// (unless it finished first). Returns whether it finished on its own.
fn run_and_kill(mut cmd: Command, ms: u64) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_millis(ms);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn killed_processes_lose_nothing_saved() {
    let iterations: usize = std::env::var("CRASH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().unwrap();
    let odata = dir.path().join("office");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let office = Program::office().data(&odata);
    let (cli_a, cli_b) = (cli(&a), cli(&b));
    office.ok(&["office", "create", "教研室"]);
    // A fixed port: the devices keep the office's address across restarts.
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = OfficeProcess::serve(&office, &listen);
    for (cli, name) in [(&cli_a, "王老师"), (&cli_b, "李老师")] {
        let member = office.ok(&["member", "add", name]);
        let code = office.ok(&["code", member.trim()]);
        cli.ok(&["join", &server.url, code.trim()]);
    }
    let mut rng = Rng::new(7);
    let mut saved: Vec<(String, String)> = Vec::new();
    let mut kills = (0, 0, 0);
    // Edits whose command finished: they must survive. Each extends the
    // last, so the stored text starts with the last finished one.
    let mut completed: Vec<(String, String)> = Vec::new();
    for i in 0..iterations {
        // Something to sync: a shared plan with a marker, saved for sure.
        let marker = format!("标记{i}");
        let id = cli_a
            .ok(&[
                "new",
                "lesson",
                &format!("教案{i}"),
                "--set",
                &format!("summary={marker}"),
            ])
            .trim()
            .to_owned();
        cli_a.ok(&["share", &id]);
        saved.push((id.clone(), marker));
        // A long edit history, so that edits compact while being killed.
        let mut text = String::new();
        for j in 0..3 {
            text.push_str(&format!("第{j}段。{}", "内容".repeat(200)));
            let cmd = cli_a.command(&["edit", &id, "--set", &format!("learner_analysis={text}")]);
            if run_and_kill(cmd, rng.below(40) as u64) {
                completed.push((id.clone(), text.clone()));
            } else {
                kills.2 += 1;
            }
            integrity(&a.join("rounds.sqlite3"));
        }
        // Kill the client mid-sync, or the office, at a random moment.
        if rng.below(2) == 0 {
            if !run_and_kill(cli_a.command(&["sync"]), rng.below(60) as u64) {
                kills.0 += 1;
            }
        } else {
            let mut sync = cli_a
                .command(&["sync"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.below(40) as u64));
            server.kill();
            kills.1 += 1;
            let _ = sync.wait();
            integrity(&odata.join("office.sqlite3"));
            server = OfficeProcess::serve(&office, &listen);
        }
        integrity(&a.join("rounds.sqlite3"));
    }
    // Everything saved reaches the office and the colleague.
    cli_a.ok(&["sync"]);
    cli_b.ok(&["sync"]);
    for (id, marker) in &saved {
        let shown = cli_b.ok(&["show", id, "--json"]);
        assert!(shown.contains(marker), "{id} lost {marker}");
    }
    for (id, text) in &completed {
        let shown = cli_b.json(&["show", id, "--json"]);
        assert!(
            shown["learner_analysis"]
                .as_str()
                .unwrap()
                .starts_with(text.as_str()),
            "{id} lost a finished edit"
        );
    }
    let a_doc = cli_a.ok(&["show", &saved.last().unwrap().0, "--json"]);
    let b_doc = cli_b.ok(&["show", &saved.last().unwrap().0, "--json"]);
    assert_eq!(a_doc, b_doc);
    server.kill();
    integrity(&odata.join("office.sqlite3"));
    integrity(&b.join("rounds.sqlite3"));
    println!(
        "crashes: {iterations} rounds, {} clients killed mid-sync, {} office kills, {} edits killed; 0 saved edits lost",
        kills.0, kills.1, kills.2
    );
}
