//! The built app, started where there is no screen: it says why in one
//! line and exits, without creating a library. (This test also makes
//! `cargo test` build the real binary, which the end-to-end tests drive.)

use std::process::Command;

#[test]
fn without_a_display_it_explains_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let out = Command::new(env!("CARGO_BIN_EXE_rounds-desktop"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("ROUNDS_DATA", &data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no graphical display"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, no backtrace: {stderr}"
    );
    assert!(!data.exists(), "no library was created");
}
