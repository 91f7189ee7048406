//! What the tests, the app's tests and the benchmark set up the same way:
//! a real office server on a free port of this machine ([`Office`], on
//! HTTP or TLS), real teachers' devices that join and sync with it over
//! HTTP as the CLI and the desktop app do ([`Teacher`]), a member's device
//! that pushes changes it crafted itself ([`raw::RawDevice`]), and the
//! workspace's binaries run as processes ([`process`]), and the desktop
//! app's logic on a library of its own ([`app`]).
//!
//! Test documents are made by `rounds_core::testing` (re-exported as
//! [`doc`]), which lives in rounds-core so that rounds-core's own tests can
//! use it too.

pub mod app;
mod office;
pub mod pdf;
pub mod pg;
pub mod process;
pub mod ranking;
pub mod raw;
mod teacher;
pub mod tls;

pub use office::{Office, OfficeBuilder};
pub use rounds_core::testing as doc;
pub use rounds_sqlite::now_ms;
pub use teacher::Teacher;
