//! Real processes killed with SIGKILL at random points: the office during
//! syncs, the `rounds` CLI during syncs and during edits that compact. After
//! every kill both databases pass `PRAGMA integrity_check`, nothing a
//! process reported as saved is lost, and the next sync completes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rounds_core::generate::Rng;

fn office_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rounds-office"))
}

/// The `rounds` CLI, built beside the office binary (by `cargo test
/// --workspace`, or here if this package is tested alone).
fn cli_bin() -> PathBuf {
    let bin = office_bin().with_file_name("rounds");
    if !bin.exists() {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "-p", "rounds-cli"])
            .status()
            .unwrap();
        assert!(status.success());
    }
    bin
}

fn office(data: &Path, args: &[&str]) -> String {
    let out = Command::new(office_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn cli(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(cli_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .env("USER", "crash-test")
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = cli(data, args);
    assert!(
        out.status.success(),
        "rounds {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

struct Server {
    child: Child,
}

impl Server {
    fn start(data: &Path, port: u16) -> Server {
        let child = Command::new(office_bin())
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("ROUNDS_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the office did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child }
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    office(&odata, &["office", "create", "教研室"]);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = Server::start(&odata, port);
    for (data, name) in [(&a, "王老师"), (&b, "李老师")] {
        let member = office(&odata, &["member", "add", name]);
        let code = office(&odata, &["code", &member]);
        ok(data, &["join", &url, &code]);
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
        let id = ok(
            &a,
            &[
                "new",
                "lesson",
                &format!("教案{i}"),
                "--set",
                &format!("summary={marker}"),
            ],
        );
        ok(&a, &["share", &id]);
        saved.push((id.clone(), marker));
        // A long edit history, so that edits compact while being killed.
        let mut text = String::new();
        for j in 0..3 {
            text.push_str(&format!("第{j}段。{}", "内容".repeat(200)));
            let mut cmd = Command::new(cli_bin());
            cmd.arg("--data")
                .arg(&a)
                .args(["edit", &id, "--set", &format!("learner_analysis={text}")])
                .env("USER", "x");
            if run_and_kill(cmd, rng.below(40) as u64) {
                completed.push((id.clone(), text.clone()));
            } else {
                kills.2 += 1;
            }
            integrity(&a.join("rounds.sqlite3"));
        }
        // Kill the client mid-sync, or the office, at a random moment.
        if rng.below(2) == 0 {
            let mut cmd = Command::new(cli_bin());
            cmd.arg("--data").arg(&a).arg("sync").env("USER", "x");
            if !run_and_kill(cmd, rng.below(60) as u64) {
                kills.0 += 1;
            }
        } else {
            let mut sync = Command::new(cli_bin())
                .arg("--data")
                .arg(&a)
                .arg("sync")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.below(40) as u64));
            server.kill();
            kills.1 += 1;
            let _ = sync.wait();
            integrity(&odata.join("office.sqlite3"));
            server = Server::start(&odata, port);
        }
        integrity(&a.join("rounds.sqlite3"));
    }
    // Everything saved reaches the office and the colleague.
    ok(&a, &["sync"]);
    ok(&b, &["sync"]);
    for (id, marker) in &saved {
        let shown = ok(&b, &["show", id, "--json"]);
        assert!(shown.contains(marker), "{id} lost {marker}");
    }
    for (id, text) in &completed {
        let shown: serde_json::Value =
            serde_json::from_str(&ok(&b, &["show", id, "--json"])).unwrap();
        assert!(
            shown["learner_analysis"]
                .as_str()
                .unwrap()
                .starts_with(text.as_str()),
            "{id} lost a finished edit"
        );
    }
    let a_doc = ok(&a, &["show", &saved.last().unwrap().0, "--json"]);
    let b_doc = ok(&b, &["show", &saved.last().unwrap().0, "--json"]);
    assert_eq!(a_doc, b_doc);
    server.kill();
    integrity(&odata.join("office.sqlite3"));
    integrity(&b.join("rounds.sqlite3"));
    println!(
        "crashes: {iterations} rounds, {} clients killed mid-sync, {} office kills, {} edits killed; 0 saved edits lost",
        kills.0, kills.1, kills.2
    );
}
