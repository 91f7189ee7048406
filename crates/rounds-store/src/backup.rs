//! Backing up and restoring the whole library, history included; the dump and integrity check.

use super::*;

impl Store {
    /// Writes the whole library, every document with its full history, to
    /// one file: a consistent copy of the database made by SQLite itself.
    pub fn backup(&self, path: &Path) -> Result<usize> {
        if path.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists",
                path.display()
            )));
        }
        let p = path
            .to_str()
            .ok_or_else(|| StoreError::Backup("the path is not valid UTF-8".into()))?;
        self.conn.execute("VACUUM INTO ?1", [p])?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Restores documents from a backup file. Documents that are not in the
    /// store are restored byte for byte; documents that are get the backup's
    /// changes merged in, so nothing written since the backup is lost.
    /// Returns (restored, merged).
    pub fn restore_backup(&mut self, path: &Path) -> Result<(usize, usize)> {
        let src = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| StoreError::Backup(format!("cannot open {}: {e}", path.display())))?;
        let version: i64 = src
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|_| {
                StoreError::Backup(format!("{} is not a Rounds backup", path.display()))
            })?;
        if version > CLIENT_MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew {
                found: version,
                known: CLIENT_MIGRATIONS.len() as i64,
            });
        }
        let has_docs: bool = src
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n == 1)
            .unwrap_or(false);
        if version < 1 || !has_docs {
            return Err(StoreError::Backup(format!(
                "{} is not a Rounds backup",
                path.display()
            )));
        }
        let mut stmt = src.prepare("SELECT id, snapshot FROM documents ORDER BY doc")?;
        let docs: Vec<(String, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut chunk_stmt = src.prepare("SELECT c.data FROM doc_chunks c JOIN documents d ON d.doc = c.doc WHERE d.id = ?1 ORDER BY c.seq")?;
        let (mut restored, mut merged) = (0, 0);
        for (id, snapshot) in docs {
            let chunks: Vec<Vec<u8>> = chunk_stmt
                .query_map([&id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut all = snapshot.clone();
            for c in &chunks {
                all.extend_from_slice(c);
            }
            // A document of a kind this version does not know (from a
            // newer Rounds) is carried, never refused: refusing it would
            // make the whole backup unrestorable.
            let am = automerge::AutoCommit::load(&all)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?;
            if let Some(meta) = carried::must_carry(&am)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?
            {
                if meta.id != id {
                    return Err(StoreError::Backup(format!(
                        "document {id} holds the bytes of another document"
                    )));
                }
                let tx = write_tx(&mut self.conn)?;
                match raw_bytes(&tx, &id)? {
                    Some(stored) => {
                        carried::merge(&tx, &id, &stored, &all, true)?;
                        merged += 1;
                    }
                    None => {
                        let mut am = am;
                        carried::insert(&tx, &mut am, &meta)?;
                        restored += 1;
                    }
                }
                tx.commit()?;
                continue;
            }
            if self.rowid(&id)?.is_some() {
                self.merge_bytes(&all)?;
                merged += 1;
                continue;
            }
            // Check the bytes are a sound Rounds document before storing them.
            let mut doc = Document::load(&all)
                .map_err(|e| StoreError::Backup(format!("document {id}: {e}")))?;
            if doc.id() != id {
                return Err(StoreError::Backup(format!(
                    "document {id} holds the bytes of another document"
                )));
            }
            let tx = write_tx(&mut self.conn)?;
            if raw_bytes(&tx, &id)?.is_some() {
                // Written by another connection since the check above.
                drop(tx);
                self.merge_bytes(&all)?;
                merged += 1;
                continue;
            }
            tx.execute(
                "INSERT INTO documents (id, snapshot, chunks_size, next_chunk) VALUES (?1, ?2, ?3, ?4)",
                params![id, snapshot, chunks.iter().map(Vec::len).sum::<usize>() as i64, chunks.len() as i64],
            )?;
            let rowid = tx.last_insert_rowid();
            for (seq, c) in chunks.iter().enumerate() {
                tx.execute(
                    "INSERT INTO doc_chunks (doc, seq, data) VALUES (?1, ?2, ?3)",
                    params![rowid, seq as i64, c],
                )?;
            }
            write_projection(&tx, rowid, &mut doc)?;
            tx.commit()?;
            restored += 1;
        }
        Ok((restored, merged))
    }

    /// Every row of every table as text, ordered by primary key
    /// ([`rounds_sqlite::dump`]): equal for two stores exactly when they
    /// hold the same data, which is how the simulation proves a seed
    /// replays.
    pub fn dump(&self) -> Result<String> {
        Ok(rounds_sqlite::dump(&self.conn)?)
    }

    /// Checks the database file for corruption.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}
