//! The PostgreSQL backend of the office, for a province: several
//! `rounds-office serve` processes share one database, and none keeps
//! state another needs.
//!
//! The trait is blocking (handlers call it on tokio's blocking pool), so
//! the backend uses the blocking `postgres` client, which drives its
//! connection on the calling thread, from a pool of its own ([`pool`]).
//! sqlx is not used: its SQLite half cannot share the lock file with
//! rusqlite's libsqlite3-sys.
//!
//! Log positions: a push takes its positions from the one row of
//! `log_head`, as the last thing before it commits. The row lock makes
//! writers commit one at a time in the order of their positions, and
//! PostgreSQL marks a transaction committed before it releases its locks,
//! so a reader that sees position N sees every position below it: no
//! cursor skips a change (docs/sync-protocol.md, "Positions on PostgreSQL").

use std::str::FromStr;

use postgres::types::{ToSql, Type};
use postgres::{NoTls, Row};

use crate::db::*;
use pool::{Conn, Pool, Pooled, Tx, describe_chain};

/// The PostgreSQL schema, in order; the database records which it has.
pub const PG_MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../../migrations/office-postgres/0001_init.sql"),
    ),
    (
        "0002_bundles",
        include_str!("../../../../migrations/office-postgres/0002_bundles.sql"),
    ),
    (
        "0003_compaction_claims",
        include_str!("../../../../migrations/office-postgres/0003_compaction_claims.sql"),
    ),
];

/// Connections per office process.
const POOL_SIZE: usize = 16;

/// Serialises schema changes between office processes starting at once
/// (a session-level advisory lock; the number is arbitrary but fixed).
const MIGRATION_LOCK: i64 = 0x526f_756e_6473; // "Rounds"

/// How often a push is validated without holding its document before the
/// last try validates while holding it.
const OPTIMISTIC_TRIES: usize = 3;

pub struct PgDb {
    pool: Pool,
    epoch: u32,
}

/// A URL names PostgreSQL when it has one of its schemes.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs one administrative statement (`CREATE DATABASE`, `DROP
/// DATABASE`: they cannot run inside a transaction) on its own
/// connection. For setup scripts and tests that make a database per test.
pub fn admin_execute(url: &str, sql: &str) -> DbResult<()> {
    let config = postgres::Config::from_str(url)
        .map_err(|e| DbError::Conflict(format!("{}: {e}", redact_url(url))))?;
    let mut client = config
        .connect(NoTls)
        .map_err(|e| DbError::Pool(describe_chain(&e)))?;
    client
        .batch_execute(sql)
        .map_err(|e| DbError::Conflict(describe(&e)))
}

impl PgDb {
    /// Connects to the database at `url` (`postgres://user:pass@host/db`),
    /// creating or migrating the schema.
    pub fn connect(url: &str) -> DbResult<PgDb> {
        PgDb::open(url, &mut random_epoch)
    }

    /// Like [`PgDb::connect`], but a new database gets `epoch` (for tests
    /// whose seed decides everything the office writes).
    pub fn connect_with_epoch(url: &str, epoch: u32) -> DbResult<PgDb> {
        PgDb::open(url, &mut || Ok(epoch))
    }

    fn open(url: &str, new_epoch: &mut dyn FnMut() -> DbResult<u32>) -> DbResult<PgDb> {
        let config = postgres::Config::from_str(url)
            .map_err(|e| DbError::Conflict(format!("{}: {e}", redact_url(url))))?;
        let mut db = PgDb {
            pool: Pool::new(config, POOL_SIZE),
            epoch: 0,
        };
        db.epoch = db.migrate(new_epoch)?;
        Ok(db)
    }

    fn client(&self) -> DbResult<Pooled<'_>> {
        self.pool.get()
    }

    /// Brings the schema up to date (one process at a time) and reads or
    /// sets the epoch.
    fn migrate(&self, new_epoch: &mut dyn FnMut() -> DbResult<u32>) -> DbResult<u32> {
        let c = self.client()?;
        c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let result = self.migrate_locked(&c, new_epoch);
        let unlock = c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
        let epoch = result?;
        unlock?;
        Ok(epoch)
    }

    fn migrate_locked(
        &self,
        c: &Conn,
        new_epoch: &mut dyn FnMut() -> DbResult<u32>,
    ) -> DbResult<u32> {
        // PostgreSQL's notice that the table exists already is not news.
        c.batch_execute("SET client_min_messages TO warning")?;
        c.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version BIGINT PRIMARY KEY,
                 name    TEXT NOT NULL
             )",
        )?;
        let current: i64 = c
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )?
            .get(0);
        let known = PG_MIGRATIONS.len() as i64;
        if current > known {
            return Err(DbError::Conflict(format!(
                "the database's schema is version {current}, newer than this rounds-office knows ({known}); run a newer rounds-office"
            )));
        }
        for (i, (name, sql)) in PG_MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = c.transaction()?;
            tx.batch_execute(sql).map_err(|e| {
                DbError::Conflict(format!("migration {name} failed: {}", describe(&e)))
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&(i as i64 + 1), name],
            )?;
            tx.commit()?;
        }
        let found: Option<String> = c
            .query_opt("SELECT value FROM meta WHERE key = 'epoch'", &[])?
            .map(|r| r.get(0));
        if let Some(e) = found.and_then(|v| v.parse().ok()) {
            return Ok(e);
        }
        let e = new_epoch()?;
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('epoch', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&e.to_string()],
        )?;
        Ok(e)
    }

    /// Gives the database a new epoch: after it was restored from a
    /// backup, every device's cursor then counts as another database's and
    /// the device offers and reads everything again (merging makes that
    /// harmless), so nothing acknowledged after the backup is skipped.
    pub fn new_epoch(&self) -> DbResult<u32> {
        let e = loop {
            let e = random_epoch()?;
            if e != self.epoch {
                break e;
            }
        };
        let c = self.client()?;
        c.execute(
            "UPDATE meta SET value = $1 WHERE key = 'epoch'",
            &[&e.to_string()],
        )?;
        Ok(e)
    }

    /// Whether the database holds no office data yet (the target of a
    /// move from SQLite must).
    pub fn is_empty(&self) -> DbResult<bool> {
        let c = self.client()?;
        for (table, _, _) in TABLES {
            if *table == "meta" {
                continue;
            }
            let n: i64 = c
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
                .get(0);
            if n > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Copies every table's rows (as `rows` yields them, table by table in
    /// [`TABLES`] order) into this empty database in one transaction, sets
    /// the log head, and commits only if the copy's digest equals
    /// `expected`. The epoch row in `meta` is replaced by the copied one,
    /// so devices' cursors stay valid.
    pub fn import(
        &self,
        rows: &mut dyn FnMut(&str, &mut dyn FnMut(Vec<Cell>) -> DbResult<()>) -> DbResult<()>,
        expected: &[TableDigest],
    ) -> DbResult<Vec<TableDigest>> {
        let c = self.client()?;
        let tx = c.transaction()?;
        tx.execute("DELETE FROM meta", &[])?;
        for (table, cols, _) in TABLES {
            let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let stmt = tx.prepare(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                cols.join(", "),
                marks.join(", ")
            ))?;
            let types = stmt.params().to_vec();
            rows(table, &mut |cells| {
                let params = cells
                    .into_iter()
                    .zip(&types)
                    .map(|(cell, ty)| to_param(cell, ty))
                    .collect::<DbResult<Vec<_>>>()?;
                let refs: Vec<&(dyn ToSql + Sync)> = params
                    .iter()
                    .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                    .collect();
                tx.execute_prepared(&stmt, &refs)?;
                Ok(())
            })?;
        }
        tx.execute(
            "UPDATE log_head SET pos = (SELECT coalesce(max(pos), 0) FROM log)",
            &[],
        )?;
        let got = self.digest_in(&tx)?;
        if got != expected {
            let differ: Vec<String> = got
                .iter()
                .zip(expected)
                .filter(|(a, b)| a != b)
                .map(|(a, b)| format!("{} ({} rows here, {} there)", a.table, a.rows, b.rows))
                .collect();
            return Err(DbError::Conflict(format!(
                "the copy differs from the original in {}; nothing was kept",
                differ.join(", ")
            )));
        }
        tx.commit()?;
        // Statistics for the planner now, rather than when autovacuum
        // notices the new rows: the office's first queries after a move
        // are planned on the tables as they are. The copy is committed
        // already, so a failure here must not report the move as failed
        // (a second try would find the database taken): autovacuum
        // analyzes the tables later instead.
        if let Err(e) = c.batch_execute("ANALYZE") {
            tracing::warn!(error = %describe(&e), "ANALYZE after the move failed; autovacuum will analyze the tables");
        }
        Ok(got)
    }

    fn digest_in(&self, c: &Conn) -> DbResult<Vec<TableDigest>> {
        let mut out = Vec::new();
        for (table, cols, key) in TABLES {
            let mut w = DigestWriter::default();
            let rows = c.query(
                &format!("SELECT {} FROM {table} ORDER BY {key}", cols.join(", ")),
                &[],
            )?;
            for r in rows {
                let mut cells = Vec::with_capacity(cols.len());
                for (i, col) in r.columns().iter().enumerate() {
                    cells.push(cell_of(&r, i, col.type_())?);
                }
                w.row(&cells);
            }
            out.push(w.finish(table));
        }
        Ok(out)
    }
}

/// A PostgreSQL error with its server message, which the driver's
/// `Display` leaves out.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{}: {}", d.code().code(), d.message()),
        None => e.to_string(),
    }
}

fn cell_of(r: &Row, i: usize, ty: &Type) -> DbResult<Cell> {
    Ok(if *ty == Type::INT8 {
        r.try_get::<_, Option<i64>>(i)?
            .map_or(Cell::Null, Cell::Int)
    } else if *ty == Type::BYTEA {
        r.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Cell::Null, Cell::Bytes)
    } else if *ty == Type::BOOL {
        r.try_get::<_, Option<bool>>(i)?
            .map_or(Cell::Null, |b| Cell::Int(b as i64))
    } else {
        r.try_get::<_, Option<String>>(i)?
            .map_or(Cell::Null, Cell::Text)
    })
}

fn to_param(cell: Cell, ty: &Type) -> DbResult<Box<dyn ToSql + Sync + Send>> {
    let wrong = |what: &str| {
        DbError::Conflict(format!(
            "a {what} value where PostgreSQL's column is {}",
            ty.name()
        ))
    };
    Ok(match cell {
        Cell::Null if *ty == Type::INT8 => Box::new(None::<i64>),
        Cell::Null if *ty == Type::BYTEA => Box::new(None::<Vec<u8>>),
        Cell::Null => Box::new(None::<String>),
        Cell::Int(v) if *ty == Type::INT8 => Box::new(v),
        Cell::Int(v) if *ty == Type::BOOL => Box::new(v != 0),
        Cell::Int(_) => return Err(wrong("number")),
        Cell::Text(t) if *ty == Type::TEXT || *ty == Type::VARCHAR => Box::new(t),
        Cell::Text(_) => return Err(wrong("text")),
        Cell::Bytes(b) if *ty == Type::BYTEA => Box::new(b),
        Cell::Bytes(_) => return Err(wrong("bytes")),
    })
}

fn member_of(r: &Row) -> Member {
    let role: String = r.get(3);
    Member {
        id: r.get(0),
        office: r.get(1),
        name: r.get(2),
        role: Role::parse(&role).unwrap_or(Role::Teacher),
        created: r.get(4),
        removed: r.get(5),
        site: r.get(6),
    }
}

fn office_of(r: &Row) -> Office {
    Office {
        id: r.get(0),
        name: r.get(1),
        created: r.get(2),
    }
}

const MEMBER_COLS: &str = "id, office, name, role, created, removed, site";

mod bundles;
pub(crate) mod pool;
mod store;
