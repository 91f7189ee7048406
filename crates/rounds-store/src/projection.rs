//! The projections of a document: what the library lists, filters and
//! searches, rebuilt from the document in the same transaction as every
//! write of its bytes. This is the only place their columns are named.
//!
//! Filterable fields are data: each kind declares which of its choice
//! fields filter (`KindDecl::filters`), and `doc_filters` holds one row per
//! set value, keyed by kind and field, so a new kind or a new filter needs
//! no new column. `doc_index.filters` carries the same values as JSON, so a
//! listing row is read in one query.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use rounds_core::doc::{DocError, Document, RawMeta, Summary, Visibility};
use rounds_core::schema::{DocKind, Lang};
use rounds_core::search;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Filter, Result, Store, StoreError, write_tx};

pub(crate) fn write_projection(tx: &Transaction<'_>, rowid: i64, doc: &mut Document) -> Result<()> {
    // Every write of a document's bytes passes here: keep "is there
    // something the office lacks" current in the same transaction.
    let heads = rounds_core::sync::heads_to_bytes(&doc.heads());
    tx.prepare_cached(
        "INSERT INTO sync_docs (doc, pending, local_heads) VALUES (?1, 1, ?2)
         ON CONFLICT (doc) DO UPDATE SET pending = (office_heads <> ?2), local_heads = ?2",
    )?
    .execute(params![rowid, heads])?;
    let s = doc.summary();
    tx.prepare_cached("INSERT INTO doc_index (doc, id, kind, schema, title, author, owner, created, updated, visibility, language,
                                deleted, tags, filters)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (doc) DO UPDATE SET kind = excluded.kind, schema = excluded.schema, title = excluded.title,
            author = excluded.author, owner = excluded.owner, created = excluded.created, updated = excluded.updated,
            visibility = excluded.visibility, language = excluded.language, deleted = excluded.deleted,
            tags = excluded.tags, filters = excluded.filters")?.execute(params![
            rowid,
            s.id,
            s.kind.as_str(),
            s.schema as i64,
            s.title,
            s.author,
            s.owner,
            s.created,
            s.updated,
            s.visibility.as_str(),
            s.language.as_str(),
            s.deleted,
            serde_json::to_string(&s.tags)?,
            serde_json::to_string(&s.filters)?,
        ])?;
    tx.prepare_cached("DELETE FROM doc_filters WHERE doc = ?1")?
        .execute([rowid])?;
    for (field, value) in &s.filters {
        tx.prepare_cached(
            "INSERT INTO doc_filters (doc, kind, field, value) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![rowid, s.kind.as_str(), field, value])?;
    }
    tx.prepare_cached("DELETE FROM doc_tags WHERE doc = ?1")?
        .execute([rowid])?;
    for t in &s.tags {
        tx.prepare_cached("INSERT OR IGNORE INTO doc_tags (tag, doc) VALUES (?1, ?2)")?
            .execute(params![t, rowid])?;
    }
    crate::links::write_links(tx, rowid, doc)?;
    crate::collab::write_inbox(tx, rowid, doc)?;
    let body = doc.index_text();
    tx.prepare_cached(
        "INSERT INTO doc_text (doc, title, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (doc) DO UPDATE SET title = excluded.title, body = excluded.body",
    )?
    .execute(params![rowid, s.title, body])?;
    tx.prepare_cached("DELETE FROM doc_fts WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached("INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![
            rowid,
            search::index_form(&s.title),
            search::index_form(&body)
        ])?;
    Ok(())
}

/// Removes every projection row of a document (it is becoming carried).
fn drop_projection(tx: &Transaction<'_>, rowid: i64) -> Result<()> {
    for table in [
        "doc_index",
        "doc_filters",
        "doc_tags",
        "doc_text",
        "doc_links",
        "inbox",
    ] {
        tx.execute(&format!("DELETE FROM {table} WHERE doc = ?1"), [rowid])?;
    }
    tx.prepare_cached("DELETE FROM doc_fts WHERE rowid = ?1")?
        .execute([rowid])?;
    Ok(())
}

pub(crate) const SUMMARY_COLS: &str =
    "i.id, i.kind, i.schema, i.title, i.author, i.owner, i.created, i.updated, i.visibility,
     i.language, i.deleted, i.tags, i.filters";
pub(crate) const SUMMARY_N: usize = 13;

pub(crate) fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    let kind: String = r.get(1)?;
    let vis: String = r.get(8)?;
    let lang: String = r.get(9)?;
    let tags: String = r.get(11)?;
    let filters: String = r.get(12)?;
    // Rows of kinds this process does not know are moved to `carried`
    // when the store opens, so this is a row another process wrote since.
    let kind = DocKind::named(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("kind `{kind}` is not known to this version of Rounds").into(),
        )
    })?;
    Ok(Summary {
        id: r.get(0)?,
        kind,
        schema: r.get::<_, i64>(2)? as u64,
        title: r.get(3)?,
        author: r.get(4)?,
        owner: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        visibility: Visibility::parse(&vis).unwrap_or(Visibility::Private),
        language: Lang::parse(&lang).unwrap_or(Lang::Zh),
        deleted: r.get(10)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        filters: serde_json::from_str::<BTreeMap<String, String>>(&filters).unwrap_or_default(),
    })
}

pub(crate) fn filter_sql(f: &Filter, user_id: &str) -> (String, Vec<rusqlite::types::Value>) {
    let mut clauses = vec![format!("i.deleted = {}", i32::from(f.deleted))];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut eq = |col: &str, v: Option<String>, args: &mut Vec<rusqlite::types::Value>| {
        if let Some(v) = v {
            args.push(v.into());
            clauses.push(format!("{col} = ?{}", args.len()));
        }
    };
    eq("i.kind", f.kind.map(|k| k.as_str().to_owned()), &mut args);
    eq(
        "i.visibility",
        f.visibility.map(|v| v.as_str().to_owned()),
        &mut args,
    );
    for (field, value) in &f.fields {
        // The kinds that declare this filter: the table's key starts with
        // the kind, so each is one index probe.
        let kinds: Vec<DocKind> = DocKind::all()
            .into_iter()
            .filter(|k| f.kind.is_none_or(|only| only == *k))
            .filter(|k| k.decl().filters.contains(&field.as_str()))
            .collect();
        if kinds.is_empty() {
            clauses.push("0".to_owned());
            continue;
        }
        let mut kind_params = Vec::new();
        for k in kinds {
            args.push(k.as_str().to_owned().into());
            kind_params.push(format!("?{}", args.len()));
        }
        args.push(field.clone().into());
        let fp = args.len();
        args.push(value.clone().into());
        let vp = args.len();
        clauses.push(format!(
            "i.doc IN (SELECT doc FROM doc_filters WHERE kind IN ({}) AND field = ?{fp} AND value = ?{vp})",
            kind_params.join(", ")
        ));
    }
    if let Some(tag) = &f.tag {
        args.push(tag.clone().into());
        clauses.push(format!(
            "i.doc IN (SELECT doc FROM doc_tags WHERE tag = ?{})",
            args.len()
        ));
    }
    if let Some(mine) = f.mine {
        args.push(user_id.to_owned().into());
        clauses.push(format!(
            "i.owner {} ?{}",
            if mine { "=" } else { "<>" },
            args.len()
        ));
    }
    (clauses.join(" AND "), args)
}

/// Projects again the documents of every kind whose filter declarations
/// differ from those the rows were written with (`meta.filters`), then
/// records the current ones. Runs on every open; costs one query when
/// nothing changed.
pub(crate) fn refresh(store: &mut Store) -> Result<usize> {
    let current = DocKind::filter_signature();
    let stored: Option<String> = store
        .conn
        .query_row("SELECT value FROM meta WHERE key = 'filters'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(0);
    }
    let parts = |sig: &str| -> BTreeMap<String, String> {
        sig.split(';')
            .filter_map(|p| p.split_once(':'))
            .map(|(k, f)| (k.to_owned(), f.to_owned()))
            .collect()
    };
    let before = parts(stored.as_deref().unwrap_or_default());
    let changed: Vec<String> = parts(&current)
        .into_iter()
        .filter(|(k, f)| before.get(k) != Some(f))
        .map(|(k, _)| k)
        .collect();
    let mut projected = 0;
    let tx = write_tx(&mut store.conn)?;
    for kind in &changed {
        let ids: Vec<(i64, String)> = {
            let mut stmt = tx.prepare("SELECT doc, id FROM doc_index WHERE kind = ?1")?;
            stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (rowid, id) in ids {
            let bytes =
                crate::raw_bytes(&tx, &id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
            let mut doc = Document::load(&bytes)?;
            let mut stats = store.stats.get();
            stats.docs_loaded += 1;
            store.stats.set(stats);
            write_projection(&tx, rowid, &mut doc)?;
            projected += 1;
        }
    }
    set_meta(&tx, "filters", &current)?;
    tx.commit()?;
    Ok(projected)
}

/// Records what the projections were written with (`meta`), in the
/// transaction that wrote them.
fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// Documents indexed again per transaction by [`refresh_search`]: a kill
/// or a crash part-way keeps what was done, and the next open goes on from
/// there instead of starting again (a large library on an old PC takes
/// tens of seconds, long enough for a teacher to close the window).
const SEARCH_BATCH: i64 = 500;

/// Writes the full-text index again from the original text (`doc_text`)
/// when it was written in another form than this build's
/// ([`search::index_form_version`], kept in `meta.search_form`): a library
/// indexed before the word list, or with another list, would otherwise miss
/// the whole-word tokens its searches ask for. Loads no document; runs on
/// every open and costs one query when nothing changed. Works in batches of
/// rows, each committed with where it stopped (`meta.search_form.next`,
/// "form:row"), and records the form only once every row is done, so no
/// search of this build runs on a half-written index. Returns how many
/// documents were indexed again.
pub(crate) fn refresh_search(store: &mut Store) -> Result<usize> {
    let current = search::index_form_version();
    let get = |conn: &rusqlite::Connection, key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    if get(&store.conn, "search_form")?.as_deref() == Some(current.as_str()) {
        return Ok(0);
    }
    let mut n = 0;
    loop {
        let tx = write_tx(&mut store.conn)?;
        // Read again under the write lock: another connection may have
        // finished, or gone on, meanwhile.
        if get(&tx, "search_form")?.as_deref() == Some(current.as_str()) {
            return Ok(n);
        }
        let from = get(&tx, "search_form.next")?
            .and_then(|v| {
                v.strip_prefix(current.as_str())
                    .and_then(|r| r.strip_prefix(':'))
                    .and_then(|r| r.parse::<i64>().ok())
            })
            .unwrap_or(i64::MIN);
        let rows: Vec<(i64, String, String)> = tx
            .prepare("SELECT doc, title, body FROM doc_text WHERE doc >= ?1 ORDER BY doc LIMIT ?2")?
            .query_map(params![from, SEARCH_BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (doc, title, body) in &rows {
            tx.prepare_cached("DELETE FROM doc_fts WHERE rowid = ?1")?
                .execute([doc])?;
            tx.prepare_cached("INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
                .execute(params![
                    doc,
                    search::index_form(title),
                    search::index_form(body)
                ])?;
            n += 1;
        }
        match rows.last() {
            Some((last, _, _)) if rows.len() as i64 == SEARCH_BATCH => {
                set_meta(&tx, "search_form.next", &format!("{current}:{}", last + 1))?;
            }
            _ => {
                set_meta(&tx, "search_form", &current)?;
                tx.execute("DELETE FROM meta WHERE key = 'search_form.next'", [])?;
            }
        }
        tx.commit()?;
    }
}

impl Store {
    /// Moves the documents whose kind this process does not know from the
    /// projections to `carried` (a store last opened by a build, or a
    /// process, that knew more kinds): listing them as ordinary documents
    /// would need a declaration this process lacks. Their bytes stay, and a
    /// build that knows the kind projects them again when it opens the store.
    pub(crate) fn carry_unknown(&mut self) -> Result<usize> {
        // This runs at every open: ask the kind index which kinds there
        // are (a few rows) before reading any document's row.
        let kinds: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT DISTINCT kind FROM doc_index")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        if kinds.iter().all(|k| DocKind::named(k).is_some()) {
            return Ok(0);
        }
        let unknown = crate::carried::docs_by_kind(&self.conn, "doc_index", false)?;
        if unknown.is_empty() {
            return Ok(0);
        }
        let tx = write_tx(&mut self.conn)?;
        for (rowid, id) in &unknown {
            let bytes =
                crate::raw_bytes(&tx, id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
            let am = AutoCommit::load(&bytes).map_err(DocError::from)?;
            let meta = RawMeta::read(&am)?;
            drop_projection(&tx, *rowid)?;
            crate::carried::write_row(&tx, *rowid, &meta)?;
        }
        tx.commit()?;
        Ok(unknown.len())
    }
}
