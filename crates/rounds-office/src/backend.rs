//! Which database an office runs on, chosen by one setting: a PostgreSQL
//! URL (`database_url` in the configuration, `ROUNDS_OFFICE_DATABASE_URL`,
//! or `--database-url`) or, by default, SQLite in the data directory.
//! Also the move of an SQLite office into PostgreSQL.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::db::*;
use crate::pg::{PgDb, is_postgres_url, redact_url};
use crate::sqlite::SqliteDb;

/// An opened office database.
#[derive(Clone)]
pub enum Backend {
    Sqlite(Arc<SqliteDb>),
    Postgres(Arc<PgDb>),
}

impl Backend {
    /// Opens PostgreSQL at `url` when one is given, else SQLite in `data`.
    pub fn open(url: Option<&str>, data: &Path) -> Result<Backend, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) if is_postgres_url(url) => PgDb::connect(url)
                .map(|db| Backend::Postgres(Arc::new(db)))
                .map_err(|e| format!("{}: {e}", redact_url(url))),
            Some(url) => Err(format!(
                "database_url: `{}` is not a PostgreSQL URL (postgres://USER:PASSWORD@HOST/DATABASE); leave it unset to use SQLite in the data directory",
                redact_url(url)
            )),
            None => SqliteDb::open_dir(data)
                .map(|db| Backend::Sqlite(Arc::new(db)))
                .map_err(|e| format!("{}: {e}", data.display())),
        }
    }

    pub fn db(&self) -> Arc<dyn OfficeDb> {
        match self {
            Backend::Sqlite(db) => db.clone(),
            Backend::Postgres(db) => db.clone(),
        }
    }

    /// Where the data lives, for logs: the SQLite directory or the
    /// PostgreSQL URL without its password.
    pub fn describe(&self, data: &Path, url: Option<&str>) -> String {
        match self {
            Backend::Sqlite(_) => data.display().to_string(),
            Backend::Postgres(_) => redact_url(url.unwrap_or_default()),
        }
    }
}

/// What a move to PostgreSQL copied, table by table, and checked.
#[derive(Debug, Clone, Serialize)]
pub struct MoveReport {
    pub to: String,
    pub tables: Vec<TableDigest>,
}

/// Copies the SQLite office in `data` into the empty PostgreSQL database at
/// `url`: every row of every table in one transaction, committed only when
/// each table's row count and hash equal the original's. The SQLite files
/// are only read; the epoch moves with the data, so devices' cursors stay
/// valid and they go on syncing with the PostgreSQL office where they left
/// off. Stop the SQLite office first: what it takes after the copy began
/// would stay behind.
pub fn move_to_postgres(data: &Path, url: &str) -> Result<MoveReport, String> {
    if !is_postgres_url(url) {
        return Err(format!(
            "--to: `{}` is not a PostgreSQL URL (postgres://USER:PASSWORD@HOST/DATABASE)",
            redact_url(url)
        ));
    }
    let file = data.join("office.sqlite3");
    if !file.exists() {
        return Err(format!("{}: no office database here", file.display()));
    }
    let source =
        crate::sqlite::ReadOnly::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let target = PgDb::connect(url).map_err(|e| format!("{}: {e}", redact_url(url)))?;
    if !target.is_empty().map_err(|e| e.to_string())? {
        return Err(format!(
            "{} holds an office already; a move goes into an empty database only",
            redact_url(url)
        ));
    }
    let tables = source
        .copy_into(&target)
        .map_err(|e| format!("{}: {e}", redact_url(url)))?;
    Ok(MoveReport {
        to: redact_url(url),
        tables,
    })
}
