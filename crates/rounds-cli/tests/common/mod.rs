//! Running the `rounds` binary as a teacher would, for the tests in this
//! directory, through rounds-testkit's `Program`.

#![allow(dead_code)] // each test file uses some of the helpers

use std::path::Path;
use std::process::Output;

use rounds_testkit::process::Program;
use serde_json::Value;

/// The `rounds` binary on the library `data`.
fn cli(data: &Path) -> Program {
    Program::rounds().data(data).user("test-teacher")
}

pub fn rounds(data: &Path, args: &[&str]) -> Output {
    cli(data).run(args)
}

pub fn rounds_stdin(data: &Path, args: &[&str], stdin: &str) -> Output {
    cli(data).run_with_input(args, stdin)
}

pub fn ok(data: &Path, args: &[&str]) -> String {
    cli(data).ok(args)
}

pub fn json(data: &Path, args: &[&str]) -> Value {
    cli(data).json(args)
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
