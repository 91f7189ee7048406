//! Running the `rounds` binary as a teacher would, for the tests in this
//! directory.

#![allow(dead_code)] // each test file uses some of the helpers

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn rounds(data: &Path, args: &[&str]) -> Output {
    rounds_stdin(data, args, None)
}

pub fn rounds_stdin(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("USER", "test-teacher")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

pub fn ok(data: &Path, args: &[&str]) -> String {
    let out = rounds(data, args);
    assert!(
        out.status.success(),
        "rounds {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(data: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(data, args)).unwrap()
}

/// Runs a command that must fail; returns its one line of error.
pub fn fails(data: &Path, args: &[&str]) -> String {
    let out = rounds(data, args);
    assert!(!out.status.success(), "rounds {args:?} should have failed");
    assert!(out.stdout.is_empty(), "a failing command printed to stdout");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "error is not one line: {err}"
    );
    assert!(err.starts_with("rounds: "), "{err}");
    err.trim_end().to_owned()
}
