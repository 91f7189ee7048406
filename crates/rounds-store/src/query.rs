//! Listing, counting and searching, from the projections only (a listing never loads a document); generated libraries.

use super::*;

impl Store {
    /// Lists documents, newest change first, from the projection alone.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let (where_sql, args) = filter_sql(filter, &self.user_id);
        let sql = format!(
            "SELECT {SUMMARY_COLS} FROM doc_index i WHERE {where_sql} ORDER BY i.updated DESC, i.id LIMIT ?{} OFFSET ?{}",
            args.len() + 1,
            args.len() + 2
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut params: Vec<rusqlite::types::Value> = args;
        params.push((filter.limit.unwrap_or(usize::MAX >> 2) as i64).into());
        params.push((filter.offset as i64).into());
        let rows = stmt.query_map(rusqlite::params_from_iter(params), summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts the documents a filter selects.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        let (where_sql, args) = filter_sql(filter, &self.user_id);
        let sql = format!("SELECT count(*) FROM doc_index i WHERE {where_sql}");
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The listing row of one document.
    pub fn summary(&self, id: &str) -> Result<Summary> {
        let sql = format!("SELECT {SUMMARY_COLS} FROM doc_index i WHERE i.id = ?1");
        self.conn
            .query_row(&sql, [id], summary_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    /// Full-text search, best match first, with highlighted snippets.
    /// Finds Chinese substrings and English words (by prefix).
    pub fn search(&self, query: &str, filter: &Filter) -> Result<Vec<Hit>> {
        let Some(q) = search::fts_query(query) else {
            return Ok(Vec::new());
        };
        let (where_sql, mut args) = filter_sql(filter, &self.user_id);
        let n = args.len();
        // Ranking runs over every match, so it reads only row ids and the
        // index columns; the texts (kilobytes each) are read for the page
        // of hits alone. Joining them in before the sort made SQLite carry
        // every matching body through the sorter.
        let sql = format!(
            "SELECT {SUMMARY_COLS}, t.title, t.body FROM (
                 SELECT f.rowid AS doc, bm25(doc_fts, 30.0, 1.0) AS score, i.updated AS updated
                 FROM doc_fts f JOIN doc_index i ON i.doc = f.rowid
                 WHERE doc_fts MATCH ?{} AND {where_sql}
                 ORDER BY score, updated DESC
                 LIMIT ?{} OFFSET ?{}
             ) m
             JOIN doc_index i ON i.doc = m.doc
             JOIN doc_text t ON t.doc = m.doc
             ORDER BY m.score, m.updated DESC",
            n + 1,
            n + 2,
            n + 3
        );
        args.push(q.into());
        args.push((filter.limit.unwrap_or(50) as i64).into());
        args.push((filter.offset as i64).into());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                summary_from_row(r)?,
                r.get::<_, String>(SUMMARY_N)?,
                r.get::<_, String>(SUMMARY_N + 1)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (summary, title, body) = row?;
            let body_snip = search::snippet(&body, query, 80);
            let snippet = if body_snip.iter().any(|p| p.hit) {
                body_snip
            } else {
                search::snippet(&title, query, 80)
            };
            hits.push(Hit { summary, snippet });
        }
        Ok(hits)
    }

    /// Adds `n` generated documents (see [`rounds_core::generate`]) in one
    /// transaction, for load tests, benchmarks and `rounds generate`.
    pub fn generate(&mut self, n: usize, seed: u64, body: usize) -> Result<Vec<String>> {
        let mut rng = rounds_core::generate::Rng::new(seed);
        let author = self.author().to_owned();
        let now = (self.clock)();
        let tx = write_tx(&mut self.conn)?;
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let (kind, title, language, fields) = rounds_core::generate::document(&mut rng, body);
            let id = new_doc_id(now, self.entropy.as_mut());
            let mut idgen = RandomIds(self.entropy.as_mut());
            let mut ctx = EditCtx {
                now_ms: now - (n - i) as i64 * 60_000,
                author: &author,
                ids: &mut idgen,
            };
            let new = NewDoc {
                id: id.clone(),
                kind,
                title,
                language,
                owner: self.user_id.clone(),
            };
            let mut doc = Document::create(&new, self.actor.clone(), &mut ctx, Some(&fields))?;
            insert_doc(&tx, &mut doc)?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }
}
