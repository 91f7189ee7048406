//! Schema migrations: numbered SQL files embedded in the binary.
//!
//! Each migration runs in its own transaction together with the bump of
//! `PRAGMA user_version`, so a crash leaves the database either before or
//! after it, never half way. A database whose version is higher than this
//! build knows was written by a newer Rounds and is refused untouched.

use rusqlite::Connection;

use crate::StoreError;

/// The client migrations, in order. The file name's number is its version.
pub const CLIENT: &[(&str, &str)] = &[(
    "0001_init",
    include_str!("../../../migrations/client/0001_init.sql"),
)];

/// Brings the database up to the latest version.
pub fn migrate(conn: &mut Connection, migrations: &[(&str, &str)]) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = migrations.len() as i64;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    for (i, (name, sql)) in migrations.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Migration(format!("{name}: {e}")))?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
