//! How Rounds opens its SQLite databases and migrates them.
//!
//! Migrations are numbered SQL files embedded in the binary. Each runs in
//! its own transaction together with the bump of `PRAGMA user_version`, so a
//! crash leaves the database either before or after it, never half way. A
//! database whose version is higher than the build knows was written by a
//! newer Rounds and is refused untouched.

use std::time::Duration;

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "this database was written by a newer version of Rounds (database version {found}, this version knows {known}); update Rounds to open it"
    )]
    TooNew { found: i64, known: i64 },
    #[error("database upgrade failed at {name}: {source}")]
    Failed {
        name: String,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Sets the connection up the way every Rounds database is used: WAL so
/// readers do not wait for writers, durable commits, foreign keys, and a
/// busy timeout instead of immediate "database is locked" errors.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Brings the database up to the latest of `migrations` (name, SQL).
pub fn migrate(conn: &mut Connection, migrations: &[(&str, &str)]) -> Result<(), MigrateError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = migrations.len() as i64;
    if current > known {
        return Err(MigrateError::TooNew {
            found: current,
            known,
        });
    }
    for (i, (name, sql)) in migrations.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| MigrateError::Failed {
                name: (*name).to_owned(),
                source,
            })?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &[(&str, &str)] = &[
        ("0001", "CREATE TABLE a (x INTEGER);"),
        ("0002", "CREATE TABLE b (y INTEGER);"),
    ];

    #[test]
    fn migrates_an_empty_database_and_is_idempotent() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c, M).unwrap();
        migrate(&mut c, M).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
    }

    #[test]
    fn a_failing_migration_leaves_the_database_as_it_was() {
        let mut c = Connection::open_in_memory().unwrap();
        let bad: &[(&str, &str)] = &[
            M[0],
            ("0002", "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;"),
        ];
        assert!(matches!(
            migrate(&mut c, bad),
            Err(MigrateError::Failed { .. })
        ));
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
        let b: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(b, 0);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 5).unwrap();
        assert!(matches!(
            migrate(&mut c, M),
            Err(MigrateError::TooNew { found: 5, known: 2 })
        ));
    }
}
