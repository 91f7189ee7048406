//! The office on TLS as an administrator and a teacher set it up by hand,
//! with the real binaries: `rounds-office tls init`, the configuration
//! lines it prints, `rounds-office code` showing the fingerprint, `serve`
//! on HTTPS, and `rounds join --fingerprint` then `rounds sync`.

use rounds_testkit::process::{OfficeProcess, Program};

#[test]
fn an_administrator_sets_up_tls_and_a_teacher_joins_by_fingerprint() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("office");
    // Commands given the data directory, and given only the configuration.
    let office = Program::office().user("tls-test").data(&data);
    let bare = Program::office().user("tls-test");

    let init = office.ok(&["tls", "init", "--name", "localhost", "--name", "127.0.0.1"]);
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
    let configured = office.clone().arg("--config").arg(&config);

    assert_eq!(bare.ok(&["--config", cfg, "tls", "fingerprint"]).trim(), fp);
    office.ok(&["office", "create", "儿科教研室"]);
    let member = office.ok(&["member", "add", "王老师"]);
    let issued = configured.ok(&["code", member.trim()]);
    let mut issued = issued.lines();
    let code = issued.next().unwrap().to_owned();
    assert_eq!(issued.next(), Some(format!("fingerprint: {fp}").as_str()));
    // Without TLS configured the code is printed alone, as before.
    let member2 = office.ok(&["member", "add", "李老师"]);
    let plain = office.ok(&["code", member2.trim()]);
    assert_eq!(plain.lines().count(), 1, "{plain}");

    let server = OfficeProcess::serve(&configured, "127.0.0.1:0");
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let url = format!("https://localhost:{}", server.port);

    let cli = Program::rounds()
        .user("tls-test")
        .data(&root.path().join("teacher"));
    let refused = cli.run(&["join", &url, &code]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(&fp) && err.contains("--fingerprint"), "{err}");
    let joined = cli.ok(&["join", "--fingerprint", &fp, &url, &code]);
    assert!(joined.contains("joined 儿科教研室 as 王老师"), "{joined}");
    cli.ok(&["new", "lesson", "热性惊厥"]);
    let synced = cli.ok(&["sync"]);
    assert!(synced.starts_with("sent "), "{synced}");
    let status = cli.ok(&["status"]);
    assert!(status.contains(&format!("pinned:   {fp}")), "{status}");
}

#[test]
fn a_half_configured_tls_is_refused_before_anything_starts() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("office.toml");
    std::fs::write(&config, "tls_cert = \"/nowhere/server.pem\"\n").unwrap();
    let out = Program::office().user("tls-test").run(&[
        "--data",
        root.path().join("d").to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set both"), "{err}");
    // Both set, but the files are not there: named, and no server starts.
    std::fs::write(
        &config,
        "tls_cert = \"/nowhere/server.pem\"\ntls_key = \"/nowhere/server-key.pem\"\n",
    )
    .unwrap();
    let out = Program::office().user("tls-test").run(&[
        "--config",
        config.to_str().unwrap(),
        "--data",
        root.path().join("d").to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nowhere/server.pem"), "{err}");
}
