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
    ///
    /// Order: FTS5's bm25 (title weighted 30 to the body's 1), then the
    /// newest change, then the row; the same order whichever way the page
    /// is found (see [`Store::rank_from_top`]).
    pub fn search(&self, query: &str, filter: &Filter) -> Result<Vec<Hit>> {
        let Some(q) = search::fts_query(query) else {
            return Ok(Vec::new());
        };
        let docs = match self.rank_from_top(&q, filter)? {
            Some(docs) => docs,
            None => self.rank_all(&q, filter)?,
        };
        // The texts (kilobytes each) are read for the page of hits alone.
        let sql = format!(
            "SELECT {SUMMARY_COLS}, t.title, t.body FROM doc_index i
             JOIN doc_text t ON t.doc = i.doc WHERE i.doc = ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut hits = Vec::with_capacity(docs.len());
        for doc in docs {
            // Another connection (the sync worker's) may remove a document
            // between the ranking and this read: it leaves the page.
            let Some((summary, title, body)) = stmt
                .query_row([doc], |r| {
                    Ok((
                        summary_from_row(r)?,
                        r.get::<_, String>(SUMMARY_N)?,
                        r.get::<_, String>(SUMMARY_N + 1)?,
                    ))
                })
                .optional()?
            else {
                continue;
            };
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

    /// The page of hits from FTS5's own best `k` matches, when that
    /// decides it; `None` when the whole ranking is needed.
    ///
    /// Joining every match to its listing row (to drop deleted documents
    /// and break ties by date) costs more than FTS5's ranking itself when a
    /// query matches thousands of documents. FTS5 can keep only its best
    /// `k` by score; the page is exact when enough of them, live, score
    /// strictly better than the `k`-th, since every match FTS5 left out
    /// scores no better than that. Only the plain search of the live
    /// library takes this way: a narrower filter would drop too many of
    /// the `k` to decide.
    fn rank_from_top(&self, q: &str, filter: &Filter) -> Result<Option<Vec<i64>>> {
        let plain = Filter {
            limit: filter.limit,
            offset: filter.offset,
            ..Filter::default()
        };
        let want = filter.offset.saturating_add(filter.limit.unwrap_or(50));
        if *filter != plain || want > 1000 {
            return Ok(None);
        }
        let k = want * 2 + 20;
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.doc, m.score, i.updated, i.deleted FROM (
                 SELECT rowid AS doc, bm25(doc_fts, 30.0, 1.0) AS score
                 FROM doc_fts WHERE doc_fts MATCH ?1
                 ORDER BY score LIMIT ?2
             ) m LEFT JOIN doc_index i ON i.doc = m.doc",
        )?;
        let rows = stmt.query_map(rusqlite::params![q, k as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<bool>>(3)?,
            ))
        })?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let complete = rows.len() < k;
        let kth = rows.iter().map(|r| r.1).fold(f64::NEG_INFINITY, f64::max);
        let mut live: Vec<(f64, i64, i64)> = rows
            .into_iter()
            .filter(|r| r.3 == Some(false))
            .filter(|r| complete || r.1 < kth)
            .map(|(doc, score, updated, _)| (score, updated.unwrap_or(0), doc))
            .collect();
        if !complete && live.len() < want {
            return Ok(None);
        }
        live.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(Some(
            live.into_iter()
                .skip(filter.offset)
                .take(want - filter.offset)
                .map(|r| r.2)
                .collect(),
        ))
    }

    /// The page of hits from the whole ranking: every match joined to its
    /// listing row, filtered, sorted.
    fn rank_all(&self, q: &str, filter: &Filter) -> Result<Vec<i64>> {
        let (where_sql, mut args) = filter_sql(filter, &self.user_id);
        let n = args.len();
        let sql = format!(
            "SELECT f.rowid FROM doc_fts f JOIN doc_index i ON i.doc = f.rowid
             WHERE doc_fts MATCH ?{} AND {where_sql}
             ORDER BY bm25(doc_fts, 30.0, 1.0), i.updated DESC, f.rowid
             LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2,
            n + 3
        );
        args.push(q.to_owned().into());
        args.push((filter.limit.unwrap_or(50) as i64).into());
        args.push((filter.offset as i64).into());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
