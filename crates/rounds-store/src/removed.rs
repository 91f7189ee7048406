//! Notices of rows a colleague removed while this device was editing them
//! (found by `apply_page`, see `rounds_core::removed`), and restoring them.

use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::{Result, Store, StoreError, Summary};

/// A row of a list field that a colleague removed over this device's edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedEdit {
    pub field: String,
    pub row: String,
    /// The row's text when the removal arrived.
    pub text: String,
    pub found_at: i64,
}

/// Records what a merge found, inside the page's transaction.
pub(crate) fn note(
    tx: &Transaction<'_>,
    id: &str,
    found: &[rounds_core::removed::RemovedEdit],
    now_ms: i64,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO removed_edits (doc, field, row, text, found_at)
         SELECT doc, ?2, ?3, ?4, ?5 FROM documents WHERE id = ?1
         ON CONFLICT (doc, field, row) DO UPDATE SET text = excluded.text, found_at = excluded.found_at",
    )?;
    for f in found {
        stmt.execute(params![id, f.field, f.row, f.text, now_ms])?;
    }
    Ok(())
}

impl Store {
    /// The rows of a document that colleagues removed over this device's
    /// edits and that are still removed, oldest notice first.
    pub fn removed_edits(&self, id: &str) -> Result<Vec<RemovedEdit>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.field, r.row, r.text, r.found_at FROM removed_edits r
             JOIN documents d ON d.doc = r.doc WHERE d.id = ?1
             ORDER BY r.found_at, r.field, r.row",
        )?;
        let all: Vec<RemovedEdit> = stmt
            .query_map([id], |r| {
                Ok(RemovedEdit {
                    field: r.get(0)?,
                    row: r.get(1)?,
                    text: r.get(2)?,
                    found_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if all.is_empty() {
            return Ok(all);
        }
        // A row shown again (restored here or by a colleague) needs no notice.
        let live = self.load(id)?.live_rows();
        Ok(all
            .into_iter()
            .filter(|r| !live.contains(&(r.field.clone(), r.row.clone())))
            .collect())
    }

    /// Shows the row again with the text it holds, and drops its notice.
    pub fn restore_row(&mut self, id: &str, field: &str, row: &str) -> Result<Summary> {
        let (summary, _) =
            self.change_with(id, |doc, ctx| Ok(doc.restore_row(field, row, ctx)?))?;
        self.dismiss_removed(id, field, row)?;
        Ok(summary)
    }

    /// Forgets a notice: the teacher lets the removal stand.
    pub fn dismiss_removed(&mut self, id: &str, field: &str, row: &str) -> Result<()> {
        let n = self.conn.execute(
            "DELETE FROM removed_edits WHERE field = ?2 AND row = ?3
             AND doc = (SELECT doc FROM documents WHERE id = ?1)",
            params![id, field, row],
        )?;
        if n == 0 && self.rowid(id)?.is_none() {
            return Err(StoreError::NotFound(id.to_owned()));
        }
        Ok(())
    }
}
