//! How Rounds opens its SQLite databases and migrates them.
//!
//! Migrations are numbered SQL files embedded in the binary. Each runs in
//! its own transaction together with the bump of `PRAGMA user_version`, so a
//! crash leaves the database either before or after it, never half way. A
//! database whose version is higher than the build knows was written by a
//! newer Rounds and is refused untouched.
//!
//! Beside that, what every database shares: its dump as text, to compare
//! two databases by what they hold, and the clock its rows are stamped
//! with (`now_ms`).

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

/// How [`dump_with`] orders the rows of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowOrder {
    /// By primary key (by rowid where a table has none): the same rows
    /// dump the same whatever order they were written in.
    #[default]
    PrimaryKey,
    /// By rowid: rows written in another order dump differently too.
    Rowid,
}

/// What [`dump_with`] prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DumpOptions {
    pub order: RowOrder,
    /// SQLite's own tables too (`sqlite_sequence`, which holds the next
    /// AUTOINCREMENT value, and any `sqlite_stat` tables).
    pub sqlite_tables: bool,
}

/// Every row of every table as text, each table ordered by its primary key
/// (by rowid when it has none): two dumps are equal exactly when the two
/// databases hold the same data, whatever their files' page layout. That
/// is how the simulation proves that a seed replays byte for byte.
/// Virtual tables are left out; the shadow tables that hold their data
/// (an FTS5 index's segments) are ordinary tables and are dumped.
pub fn dump(conn: &Connection) -> rusqlite::Result<String> {
    dump_with(conn, DumpOptions::default())
}

/// [`dump`], ordered and with the tables `options` say.
pub fn dump_with(conn: &Connection, options: DumpOptions) -> rusqlite::Result<String> {
    use std::fmt::Write;
    let internal = if options.sqlite_tables {
        ""
    } else {
        "AND name NOT LIKE 'sqlite_%'"
    };
    let tables: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM sqlite_master WHERE type = 'table' {internal}
             AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = String::new();
    for t in tables {
        let quoted = format!("\"{}\"", t.replace('"', "\"\""));
        let pk: Vec<String> = match options.order {
            RowOrder::Rowid => Vec::new(),
            RowOrder::PrimaryKey => conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info({}) WHERE pk > 0 ORDER BY pk",
                    sql_string(&t)
                ))?
                .query_map([], |r| r.get::<_, String>(0))?
                .map(|n| n.map(|n| format!("\"{}\"", n.replace('"', "\"\""))))
                .collect::<rusqlite::Result<_>>()?,
        };
        let order = if pk.is_empty() {
            "rowid".to_owned()
        } else {
            pk.join(", ")
        };
        let _ = writeln!(out, "table {t}");
        let mut s = conn.prepare(&format!("SELECT * FROM {quoted} ORDER BY {order}"))?;
        let n = s.column_count();
        let mut rows = s.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..n {
                use rusqlite::types::ValueRef;
                let _ = match r.get_ref(i)? {
                    ValueRef::Null => write!(out, "null"),
                    ValueRef::Integer(v) => write!(out, "{v}"),
                    ValueRef::Real(v) => write!(out, "{v}"),
                    ValueRef::Text(v) => write!(out, "{:?}", String::from_utf8_lossy(v)),
                    ValueRef::Blob(v) => write!(out, "x'{}'", hex::encode(v)),
                };
                out.push(if i + 1 == n { '\n' } else { '|' });
            }
        }
    }
    Ok(out)
}

/// The time as every Rounds database stores it: milliseconds since the
/// Unix epoch, by the system clock (0 for a clock set before 1970). The
/// one reading of the system clock that the store, the office, the client
/// and the tests share; code that must be reproducible takes a clock
/// instead of calling this.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `s` as an SQL string literal.
fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
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
    fn dumps_compare_data_not_files() {
        // The same rows written in different orders, into tables with and
        // without rowid, dump the same; one changed value does not.
        let make = |order: &[i64], last: &str| {
            let c = Connection::open_in_memory().unwrap();
            c.execute_batch(
                "CREATE TABLE a (k INTEGER PRIMARY KEY, v BLOB);
                 CREATE TABLE b (x TEXT, y INTEGER, PRIMARY KEY (y, x)) WITHOUT ROWID;",
            )
            .unwrap();
            for k in order {
                c.execute(
                    "INSERT INTO a VALUES (?1, ?2)",
                    rusqlite::params![k, vec![*k as u8, 0xff]],
                )
                .unwrap();
                c.execute(
                    "INSERT INTO b VALUES (?1, ?2)",
                    rusqlite::params![format!("t{k}"), -k],
                )
                .unwrap();
            }
            c.execute("INSERT INTO b VALUES (?1, 100)", [last]).unwrap();
            dump(&c).unwrap()
        };
        let one = make(&[1, 2, 3], "z");
        assert_eq!(one, make(&[3, 1, 2], "z"));
        assert_ne!(one, make(&[3, 1, 2], "y"));
        assert!(one.contains("table a\n1|x'01ff'\n"), "{one}");
        assert!(
            one.starts_with("table a\n") && one.contains("table b\n\"t3\"|-3\n"),
            "{one}"
        );
    }

    #[test]
    fn a_rowid_dump_tells_the_write_order_and_can_show_sqlite_tables() {
        let make = |order: &[i64]| {
            let c = Connection::open_in_memory().unwrap();
            c.execute_batch(
                "CREATE TABLE log (pos INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
                 CREATE TABLE t (k TEXT PRIMARY KEY);",
            )
            .unwrap();
            for k in order {
                c.execute("INSERT INTO t VALUES (?1)", [format!("k{k}")])
                    .unwrap();
            }
            c.execute("INSERT INTO log (v) VALUES ('a')", []).unwrap();
            c
        };
        let (a, b) = (make(&[1, 2]), make(&[2, 1]));
        let rowid = DumpOptions {
            order: RowOrder::Rowid,
            sqlite_tables: true,
        };
        assert_eq!(dump(&a).unwrap(), dump(&b).unwrap());
        assert_ne!(dump_with(&a, rowid).unwrap(), dump_with(&b, rowid).unwrap());
        assert!(!dump(&a).unwrap().contains("sqlite_sequence"));
        let all = dump_with(&a, rowid).unwrap();
        assert!(all.contains("table sqlite_sequence\n\"log\"|1\n"), "{all}");
        assert!(all.contains("table t\n\"k1\"\n\"k2\"\n"), "{all}");
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
