//! The workspace's binaries run as processes, as an administrator and a
//! teacher run them: the `rounds` CLI and `rounds-office`, one command at
//! a time or the office serving in the background.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A binary of this workspace, from the directory the running test was
/// built into (`target/<profile>/`, where `cargo test --workspace` builds
/// every binary of the workspace before any test runs, so it is current),
/// built there first if this package is tested alone. Building it every
/// time would, with the test profile's settings differing from `cargo
/// build`'s, rebuild every dependency.
pub fn workspace_bin(name: &str, package: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/<name>
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test binary in target/<profile>/deps")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "-p", package, "--bin", name])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building {name} failed");
    }
    bin
}

/// One of the workspace's command-line programs, with the options every
/// command of a test passes (`--data`, `--config`…) and the login name it
/// runs under (the CLI names a new library's user after it).
#[derive(Debug, Clone)]
pub struct Program {
    bin: PathBuf,
    args: Vec<OsString>,
    user: String,
}

impl Program {
    /// The `rounds` CLI.
    pub fn rounds() -> Program {
        Program::new(workspace_bin("rounds", "rounds-cli"))
    }

    /// `rounds-office`.
    pub fn office() -> Program {
        Program::new(workspace_bin("rounds-office", "rounds-office"))
    }

    /// A program at `bin` (the benchmark's `rounds-office`, beside its own
    /// binary rather than a test's).
    pub fn at(bin: PathBuf) -> Program {
        Program::new(bin)
    }

    fn new(bin: PathBuf) -> Program {
        Program {
            bin,
            args: Vec::new(),
            user: "rounds-test".into(),
        }
    }

    /// Every command works on the data directory `dir` (`--data DIR`).
    pub fn data(self, dir: &Path) -> Program {
        self.arg("--data").arg(dir)
    }

    /// Every command is given `arg` before its own arguments.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Program {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Every command runs with `USER=user`.
    pub fn user(mut self, user: &str) -> Program {
        self.user = user.to_owned();
        self
    }

    /// The command for `args`, to be run as the caller likes.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(&self.args).args(args).env("USER", &self.user);
        c
    }

    /// Runs `args` with no input and returns what it printed.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the program runs")
    }

    /// Runs `args` with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the program starts");
        let mut pipe = child.stdin.take().expect("its standard input");
        pipe.write_all(input.as_bytes()).expect("writing its input");
        drop(pipe);
        child.wait_with_output().expect("the program ends")
    }

    /// Runs `args`, which must succeed, and returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        succeeded(&self.bin, args, self.run(args))
    }

    /// [`Program::ok`] for a command that prints JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("the program printed JSON")
    }
}

/// The standard output of a command that must have succeeded.
pub fn succeeded(bin: &Path, args: &[&str], out: Output) -> String {
    let name = bin.file_name().unwrap_or_default().to_string_lossy();
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `rounds-office serve` running in the background; killed (SIGKILL) when
/// dropped.
pub struct OfficeProcess {
    child: Child,
    /// What it printed it listens on: `http://ADDR` or `https://ADDR`.
    pub url: String,
    pub port: u16,
}

impl OfficeProcess {
    /// Starts `office serve --listen LISTEN` and waits until it listens
    /// (it prints the address on its first line once it is bound).
    pub fn serve(office: &Program, listen: &str) -> OfficeProcess {
        let mut child = office
            .command(&["serve", "--listen", listen])
            .env("ROUNDS_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the office starts");
        let stdout = child.stdout.take().expect("its standard output");
        // Read on a thread of its own, so that an office that never says
        // it listens fails the test instead of hanging it.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        let mut server = OfficeProcess {
            child,
            url: String::new(),
            port: 0,
        };
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the office did not start in 30 s");
        server.url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the office did not start: {first:?}"))
            .to_owned();
        server.port = server
            .url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        server
    }

    /// The process id, for its CPU time in `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the office with SIGKILL, as a crash or a power cut would.
    pub fn kill(self) {
        drop(self);
    }
}

impl Drop for OfficeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
