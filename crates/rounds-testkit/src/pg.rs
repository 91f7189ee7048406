//! PostgreSQL for tests: a fresh database per test on the server the
//! environment names (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
//! `PGDATABASE`, as `pg_virtualenv` exports them; tokio-postgres does not
//! read them itself), dropped when the test ends.
//!
//! `make test` runs the tests inside `pg_virtualenv` and sets
//! `ROUNDS_REQUIRE_POSTGRES=1`, so there a missing server fails the test;
//! a plain `cargo test` without a server runs the SQLite half and says
//! that it left PostgreSQL out.

use std::sync::atomic::{AtomicU32, Ordering};

/// A database of its own for one test.
pub struct PgTestDb {
    /// `postgres://…/rounds_test_…`: the URL of the test's database.
    pub url: String,
    admin: String,
    name: String,
}

fn server_url(database: &str) -> Option<String> {
    let host = std::env::var("PGHOST").ok()?;
    let port = std::env::var("PGPORT").unwrap_or_else(|_| "5432".into());
    let user = std::env::var("PGUSER").unwrap_or_else(|_| "postgres".into());
    let password = std::env::var("PGPASSWORD").unwrap_or_default();
    // A socket directory as host goes in the query string.
    let (host_part, query) = if host.starts_with('/') {
        (String::new(), format!("?host={host}&port={port}"))
    } else {
        (format!("{host}:{port}"), String::new())
    };
    let auth = if password.is_empty() {
        user
    } else {
        format!("{user}:{password}")
    };
    Some(format!("postgres://{auth}@{host_part}/{database}{query}"))
}

/// Whether this run must test PostgreSQL (`make test` says so).
pub fn required() -> bool {
    std::env::var("ROUNDS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

impl PgTestDb {
    /// A new, empty database, or None when no server is configured and
    /// none is required (a note says so on stderr).
    pub fn new() -> Option<PgTestDb> {
        let maintenance = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into());
        let Some(admin) = server_url(&maintenance) else {
            assert!(
                !required(),
                "ROUNDS_REQUIRE_POSTGRES=1 but PGHOST is not set: run the tests inside pg_virtualenv (make test does)"
            );
            eprintln!("PostgreSQL left out: PGHOST is not set (make test runs it)");
            return None;
        };
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "rounds_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        rounds_office::pg::admin_execute(&admin, &format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL at {}: {e}",
                    rounds_office::pg::redact_url(&admin)
                )
            });
        let url = server_url(&name).expect("PGHOST was read above");
        Some(PgTestDb { url, admin, name })
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let _ = rounds_office::pg::admin_execute(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}
