//! The SQLite backend of the office: the default, started with no setup.
//!
//! One connection writes (SQLite allows one writer at a time anyway) and a
//! small pool reads; WAL lets reads go on while a push is written. Every log
//! append happens inside the write connection's transaction, so positions
//! become visible in the order they were assigned: a reader can never see
//! position N+1 while N is still uncommitted, and no cursor skips a change.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension};

use crate::db::*;

pub const OFFICE_MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../../migrations/office/0001_init.sql"),
    ),
    (
        "0002_owner_ids",
        include_str!("../../../../migrations/office/0002_owner_ids.sql"),
    ),
    (
        "0003_member_site",
        include_str!("../../../../migrations/office/0003_member_site.sql"),
    ),
    (
        "0004_rubrics",
        include_str!("../../../../migrations/office/0004_rubrics.sql"),
    ),
    (
        "0005_bundles",
        include_str!("../../../../migrations/office/0005_bundles.sql"),
    ),
    (
        "0006_compaction_claims",
        include_str!("../../../../migrations/office/0006_compaction_claims.sql"),
    ),
];

const READERS: usize = 4;

pub struct SqliteDb {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    epoch: u32,
}

/// What a backup holds, read back from the copy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupReport {
    pub offices: i64,
    pub members: i64,
    pub documents: i64,
    pub changes: i64,
    pub last_position: i64,
    pub bytes: u64,
}

fn open_conn(path: Option<&Path>) -> DbResult<Connection> {
    let conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    rounds_sqlite::configure(&conn)?;
    Ok(conn)
}

impl SqliteDb {
    /// Opens (creating and migrating if needed) the database in `dir`.
    pub fn open_dir(dir: &Path) -> DbResult<SqliteDb> {
        SqliteDb::open(dir, &mut random_epoch)
    }

    /// Like [`SqliteDb::open_dir`], but a new database gets `epoch` instead
    /// of a random one (an existing database keeps its own): for the
    /// simulation, whose seed must decide everything the office writes.
    pub fn open_dir_with_epoch(dir: &Path, epoch: u32) -> DbResult<SqliteDb> {
        SqliteDb::open(dir, &mut || Ok(epoch))
    }

    fn open(dir: &Path, new_epoch: &mut dyn FnMut() -> DbResult<u32>) -> DbResult<SqliteDb> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Conflict(format!("{}: {e}", dir.display())))?;
        let path = dir.join("office.sqlite3");
        let mut writer = open_conn(Some(&path))?;
        rounds_sqlite::migrate(&mut writer, OFFICE_MIGRATIONS)?;
        let epoch = ensure_epoch(&writer, new_epoch)?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            readers.push(Mutex::new(open_conn(Some(&path))?));
        }
        Ok(SqliteDb {
            writer: Mutex::new(writer),
            readers,
            epoch,
        })
    }

    /// Writes a consistent copy of the whole database to `to`, a file that
    /// must not exist yet, while the office keeps serving: `VACUUM INTO`
    /// reads one snapshot on a reader connection, so pushes go on meanwhile
    /// and the copy holds each either whole or not at all. The copy is
    /// written beside its final name and renamed once complete, then opened
    /// and checked; a failed backup leaves nothing behind.
    pub fn backup_to(&self, to: &Path) -> DbResult<BackupReport> {
        if to.exists() {
            return Err(DbError::Conflict(format!(
                "{} exists already; a backup never overwrites a file",
                to.display()
            )));
        }
        let name = to
            .file_name()
            .ok_or_else(|| DbError::Conflict(format!("{} is not a file name", to.display())))?;
        let partial = to.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        let _ = std::fs::remove_file(&partial);
        let result = (|| {
            self.r().execute(
                "VACUUM INTO ?1",
                [partial.to_str().ok_or_else(|| {
                    DbError::Conflict(format!("{} is not a UTF-8 path", partial.display()))
                })?],
            )?;
            let copy = Connection::open(&partial)?;
            // A restored office is an older log than the devices read: a
            // device whose cursor is past its end would skip what is
            // written there next. The copy gets an epoch of its own, so
            // every device's cursor is recognised as another database's
            // and the device reads everything again (merging is harmless).
            let epoch = loop {
                let e = random_epoch()?;
                if e != self.epoch {
                    break e;
                }
            };
            copy.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?1)",
                [epoch.to_string()],
            )?;
            let integrity: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if integrity != "ok" {
                return Err(DbError::Conflict(format!(
                    "the copy fails its check: {integrity}"
                )));
            }
            let count = |sql: &str| -> DbResult<i64> { Ok(copy.query_row(sql, [], |r| r.get(0))?) };
            let report = BackupReport {
                offices: count("SELECT count(*) FROM offices")?,
                members: count("SELECT count(*) FROM members")?,
                documents: count("SELECT count(*) FROM documents")?,
                changes: count("SELECT count(*) FROM log")?,
                last_position: count("SELECT coalesce(max(pos), 0) FROM log")?,
                bytes: std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0),
            };
            drop(copy);
            std::fs::rename(&partial, to)
                .map_err(|e| DbError::Conflict(format!("{}: {e}", to.display())))?;
            Ok(report)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// Checks the database file for corruption.
    pub fn integrity_check(&self) -> DbResult<String> {
        Ok(self
            .w()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Every row of every table as text, in a fixed order: two dumps are
    /// equal exactly when the database holds the same data, which is how
    /// tests prove that a refused request changed nothing. Rows are in
    /// rowid order and `sqlite_sequence` (the next log position) is
    /// included, so a request that wrote rows in another order, or used up
    /// a log position, shows too.
    pub fn dump(&self) -> DbResult<String> {
        Ok(rounds_sqlite::dump_with(
            &self.w(),
            rounds_sqlite::DumpOptions {
                order: rounds_sqlite::RowOrder::Rowid,
                sqlite_tables: true,
            },
        )?)
    }

    fn w(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written
        // transaction (rusqlite rolls back on drop), so a poisoned lock is safe to reuse.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn r(&self) -> std::sync::MutexGuard<'_, Connection> {
        for m in &self.readers {
            if let Ok(g) = m.try_lock() {
                return g;
            }
        }
        self.readers[0].lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn ensure_epoch(conn: &Connection, new_epoch: &mut dyn FnMut() -> DbResult<u32>) -> DbResult<u32> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(e) = v.and_then(|v| v.parse().ok()) {
        return Ok(e);
    }
    let e = new_epoch()?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?1)",
        [e.to_string()],
    )?;
    Ok(e)
}

fn member_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    let role: String = r.get(3)?;
    Ok(Member {
        id: r.get(0)?,
        office: r.get(1)?,
        name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Teacher),
        created: r.get(4)?,
        removed: r.get(5)?,
        site: r.get(6)?,
    })
}

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceInfo> {
    Ok(DeviceInfo {
        id: r.get(0)?,
        member: r.get(1)?,
        member_name: r.get(2)?,
        name: r.get(3)?,
        created: r.get(4)?,
        revoked: r.get(5)?,
        last_sync: r.get(6)?,
    })
}

/// Every row of `table` in key order, as [`Cell`]s.
fn each_row(
    c: &Connection,
    table: &str,
    cols: &[&str],
    key: &str,
    sink: &mut dyn FnMut(Vec<Cell>) -> DbResult<()>,
) -> DbResult<()> {
    use rusqlite::types::ValueRef;
    let mut stmt = c.prepare(&format!(
        "SELECT {} FROM {table} ORDER BY {key}",
        cols.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let mut cells = Vec::with_capacity(cols.len());
        for i in 0..cols.len() {
            cells.push(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Real(v) => Cell::Text(v.to_string()),
                ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
            });
        }
        sink(cells)?;
    }
    Ok(())
}

fn digest_of(c: &Connection) -> DbResult<Vec<TableDigest>> {
    let mut out = Vec::new();
    for (table, cols, key) in TABLES {
        let mut w = DigestWriter::default();
        each_row(c, table, cols, key, &mut |cells| {
            w.row(&cells);
            Ok(())
        })?;
        out.push(w.finish(table));
    }
    Ok(out)
}

/// An office database opened only to be read: the source of a move to
/// PostgreSQL, which must leave it exactly as it was.
pub struct ReadOnly(Connection);

impl ReadOnly {
    pub fn open(path: &Path) -> DbResult<ReadOnly> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != OFFICE_MIGRATIONS.len() as i64 {
            return Err(DbError::Conflict(format!(
                "the office database is at schema version {version}, this rounds-office writes {}: open it once with `rounds-office status` (which brings it up to date) or use the matching rounds-office",
                OFFICE_MIGRATIONS.len()
            )));
        }
        Ok(ReadOnly(conn))
    }

    /// Copies every table into `target` (one read transaction here, one
    /// write transaction there) and returns the digests both agree on.
    pub fn copy_into(&self, target: &crate::pg::PgDb) -> DbResult<Vec<TableDigest>> {
        self.0.execute_batch("BEGIN")?;
        let result = (|| {
            let expected = digest_of(&self.0)?;
            target.import(
                &mut |table, sink| {
                    let (_, cols, key) = TABLES
                        .iter()
                        .find(|(t, _, _)| *t == table)
                        .ok_or_else(|| DbError::NotFound(format!("table {table}")))?;
                    each_row(&self.0, table, cols, key, sink)
                },
                &expected,
            )
        })();
        let _ = self.0.execute_batch("COMMIT");
        result
    }
}

mod bundles;
mod store;
