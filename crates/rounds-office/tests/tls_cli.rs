//! The office on TLS as an administrator and a teacher set it up by hand,
//! with the real binaries: `rounds-office tls init`, the configuration
//! lines it prints, `rounds-office code` showing the fingerprint, `serve`
//! on HTTPS, and `rounds join --fingerprint` then `rounds sync`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn office_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rounds-office"))
}

/// The `rounds` CLI, built beside the office binary by `cargo test
/// --workspace` (which builds every binary of the workspace before any
/// test runs, so it is current), or here if this package is tested alone.
/// Building it here every time would, with the test profile's settings
/// differing from `cargo build`'s, rebuild every dependency.
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

fn run(bin: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env("USER", "tls-test")
        .output()
        .unwrap()
}

fn ok(bin: &Path, args: &[&str]) -> String {
    let out = run(bin, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_administrator_sets_up_tls_and_a_teacher_joins_by_fingerprint() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("office");
    let data_s = data.to_str().unwrap();
    let office = office_bin();

    let init = ok(
        &office,
        &[
            "--data",
            data_s,
            "tls",
            "init",
            "--name",
            "localhost",
            "--name",
            "127.0.0.1",
        ],
    );
    let fp = init
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint: "))
        .unwrap_or_else(|| panic!("no fingerprint in:\n{init}"))
        .to_owned();
    assert!(fp.starts_with("SHA256:") && fp.len() == 7 + 95, "{fp}");
    assert!(init.contains("localhost, 127.0.0.1"), "{init}");
    // The lines to put into the configuration, as printed.
    let lines: Vec<&str> = init
        .lines()
        .filter(|l| l.starts_with("tls_cert = ") || l.starts_with("tls_key = "))
        .collect();
    assert_eq!(lines.len(), 2, "{init}");
    let config = root.path().join("office.toml");
    std::fs::write(&config, format!("{}\n", lines.join("\n"))).unwrap();
    let cfg = config.to_str().unwrap();
    assert!(data.join("tls/server.pem").exists());

    assert_eq!(
        ok(&office, &["--config", cfg, "tls", "fingerprint"]).trim(),
        fp
    );
    ok(
        &office,
        &["--data", data_s, "office", "create", "儿科教研室"],
    );
    let member = ok(&office, &["--data", data_s, "member", "add", "王老师"]);
    let issued = ok(
        &office,
        &["--data", data_s, "--config", cfg, "code", member.trim()],
    );
    let mut issued = issued.lines();
    let code = issued.next().unwrap().to_owned();
    assert_eq!(issued.next(), Some(format!("fingerprint: {fp}").as_str()));
    // Without TLS configured the code is printed alone, as before.
    let member2 = ok(&office, &["--data", data_s, "member", "add", "李老师"]);
    let plain = ok(&office, &["--data", data_s, "code", member2.trim()]);
    assert_eq!(plain.lines().count(), 1, "{plain}");

    let mut child = Command::new(&office)
        .args([
            "--data",
            data_s,
            "--config",
            cfg,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("ROUNDS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _server = Server(child);
    let addr = first
        .trim()
        .strip_prefix("listening on https://")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let port = addr.rsplit(':').next().unwrap();
    let url = format!("https://localhost:{port}");

    let teacher = root.path().join("teacher");
    let t = teacher.to_str().unwrap();
    let cli = cli_bin();
    let refused = run(&cli, &["--data", t, "join", &url, &code]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(&fp) && err.contains("--fingerprint"), "{err}");
    let joined = ok(
        &cli,
        &["--data", t, "join", "--fingerprint", &fp, &url, &code],
    );
    assert!(joined.contains("joined 儿科教研室 as 王老师"), "{joined}");
    ok(&cli, &["--data", t, "new", "lesson", "热性惊厥"]);
    let synced = ok(&cli, &["--data", t, "sync"]);
    assert!(synced.starts_with("sent "), "{synced}");
    let status = ok(&cli, &["--data", t, "status"]);
    assert!(status.contains(&format!("pinned:   {fp}")), "{status}");
}

#[test]
fn a_half_configured_tls_is_refused_before_anything_starts() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("office.toml");
    std::fs::write(&config, "tls_cert = \"/nowhere/server.pem\"\n").unwrap();
    let out = run(
        &office_bin(),
        &[
            "--data",
            root.path().join("d").to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set both"), "{err}");
    // Both set, but the files are not there: named, and no server starts.
    std::fs::write(
        &config,
        "tls_cert = \"/nowhere/server.pem\"\ntls_key = \"/nowhere/server-key.pem\"\n",
    )
    .unwrap();
    let out = run(
        &office_bin(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--data",
            root.path().join("d").to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nowhere/server.pem"), "{err}");
}
