//! Creating, editing, sharing and masking documents: every local write goes through `change_in`, one IMMEDIATE transaction from read to write.

use super::*;

impl Store {
    /// Creates a document, optionally with initial field values; all of it
    /// is validated before anything is stored.
    pub fn create(
        &mut self,
        kind: DocKind,
        title: &str,
        language: Lang,
        fields: Option<&Json>,
    ) -> Result<Summary> {
        let id = new_doc_id((self.clock)(), self.entropy.as_mut());
        self.create_with_id(&id, kind, title, language, fields, true)
    }

    pub(crate) fn create_with_id(
        &mut self,
        id: &str,
        kind: DocKind,
        title: &str,
        language: Lang,
        fields: Option<&Json>,
        check_links: bool,
    ) -> Result<Summary> {
        let now = (self.clock)();
        let author = self.author().to_owned();
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        let new = NewDoc {
            id: id.to_owned(),
            kind,
            title: title.to_owned(),
            language,
            owner: self.user_id.clone(),
        };
        let mut doc = Document::create(&new, self.actor.clone(), &mut ctx, fields)?;
        let tx = write_tx(&mut self.conn)?;
        if raw_bytes(&tx, id)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "id: a document `{id}` already exists"
            )));
        }
        // A new document's references must point at what this library
        // holds; an imported one keeps its references as written (their
        // targets may arrive later, or be a colleague's).
        if check_links {
            links::check_new_links(&tx, &[], &doc)?;
        }
        insert_doc(&tx, &mut doc)?;
        tx.commit()?;
        Ok(doc.summary())
    }

    /// Finds the full id of a document from its id, or a unique start or
    /// end of it. Ids are UUIDv7, whose start is a timestamp shared by
    /// documents made the same minute, so the short form that `rounds list`
    /// shows is the random end.
    pub fn resolve(&self, id_or_part: &str) -> Result<String> {
        let p = id_or_part.trim().to_lowercase();
        if p.len() < 4 || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StoreError::NotFound(id_or_part.to_owned()));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM documents WHERE (id >= ?1 AND id < ?1 || 'g') OR id LIKE '%' || ?1 LIMIT 3",
        )?;
        let found: Vec<String> = stmt
            .query_map([&p], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match found.len() {
            0 => Err(StoreError::NotFound(id_or_part.to_owned())),
            1 => Ok(found.into_iter().next().unwrap_or_default()),
            _ if found.contains(&p) => Ok(p),
            _ => {
                let n: i64 = self.conn.query_row(
                    "SELECT count(*) FROM documents WHERE (id >= ?1 AND id < ?1 || 'g') OR id LIKE '%' || ?1",
                    [&p],
                    |r| r.get(0),
                )?;
                Err(StoreError::Ambiguous(id_or_part.to_owned(), n as usize))
            }
        }
    }

    /// The short form of an id that `resolve` accepts: its last 8 digits.
    pub fn short_id(id: &str) -> &str {
        &id[id.len().saturating_sub(8)..]
    }

    pub(crate) fn rowid(&self, id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT doc FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The stored bytes of a document: its snapshot followed by its chunks.
    pub fn raw_bytes(&self, id: &str) -> Result<Vec<u8>> {
        raw_bytes(&self.conn, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    /// Loads a document.
    pub fn load(&self, id: &str) -> Result<Document> {
        load_in(&self.conn, id, &self.actor, &self.stats)
    }

    /// Applies a JSON object of field values to a document as one change.
    pub fn edit(&mut self, id: &str, patch: &Json) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.apply_patch(patch, ctx).map(|_| ()))
    }

    /// Applies field values that were edited on the document as it stood at
    /// `base`, merged into the document as it is now
    /// ([`Document::apply_patch_at`]). Returns the new change, if any.
    pub fn edit_at(
        &mut self,
        id: &str,
        patch: &Json,
        base: &[automerge::ChangeHash],
    ) -> Result<(Summary, Option<automerge::ChangeHash>)> {
        let (summary, (hash, _)) = self.edit_at_saved(id, patch, base)?;
        Ok((summary, hash))
    }

    /// [`Store::edit_at`], returning also the document as saved: the
    /// editor shows it after each save, and loading it again from the
    /// database costs as much as the edit itself for a long text with its
    /// history of keystrokes.
    pub fn edit_at_saved(
        &mut self,
        id: &str,
        patch: &Json,
        base: &[automerge::ChangeHash],
    ) -> Result<(Summary, (Option<automerge::ChangeHash>, Document))> {
        self.change_in_keeping(id, true, |tx, doc, ctx| {
            // A base the sync worker has squashed away since the editor
            // read it: the editor's values are three-way merged from what
            // it showed (rebuilt from the folded changes) into the
            // document as it is, so a colleague's text merged since is not
            // taken for a deletion.
            if let Some(shown) = sync::shown_at_folded(tx, id, doc, base)? {
                return Ok(doc.apply_patch_from(patch, &shown, ctx)?);
            }
            // Rows kept before the folded changes were: the base is
            // replaced by the change that holds it now.
            let base = sync::unfold(tx, id, doc, base)?;
            Ok(doc.apply_patch_at(patch, &base, ctx)?)
        })
    }

    /// Marks a document deleted; it stays restorable and the deletion syncs.
    pub fn delete(&mut self, id: &str) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.set_deleted(true, ctx).map(|_| ()))
    }

    /// Restores a deleted document.
    pub fn restore(&mut self, id: &str) -> Result<Summary> {
        self.change(id, |doc, ctx| doc.set_deleted(false, ctx).map(|_| ()))
    }

    /// Likely patient identifiers in a document, field by field.
    pub fn check(&self, id: &str) -> Result<Vec<rounds_core::deid::FieldFinding>> {
        Ok(rounds_core::deid::check(&self.load(id)?))
    }

    /// Replaces the given findings (or all, if `only` is `None`) by their
    /// suggested masks, as one edit.
    pub fn mask(&mut self, id: &str, only: Option<&[usize]>) -> Result<(Summary, usize)> {
        // The findings are computed from the document as it is inside the
        // write transaction, so a colleague's text that arrived a moment ago
        // is neither masked blindly nor overwritten.
        self.change_with(id, |doc, ctx| {
            let all = rounds_core::deid::check(doc);
            let chosen: Vec<_> = match only {
                None => all,
                Some(idx) => {
                    if let Some(bad) = idx.iter().find(|i| **i == 0 || **i > all.len()) {
                        return Err(StoreError::Invalid(format!(
                            "finding {bad}: there are {} findings, numbered from 1",
                            all.len()
                        )));
                    }
                    idx.iter().map(|i| all[i - 1].clone()).collect()
                }
            };
            if chosen.is_empty() {
                return Ok(0);
            }
            let patch = rounds_core::deid::mask_patch(doc, &chosen);
            doc.apply_patch(&patch, ctx)?;
            Ok(chosen.len())
        })
    }

    /// Shares a document with the office. A lesson plan simply becomes
    /// visible. A case must hold no high-confidence identifiers and needs
    /// the author's attestation; the office then gets a new document made
    /// from its current state, and the private original (whose history may
    /// hold removed text) stays on this device, in the trash, pointing to it.
    pub fn share(&mut self, id: &str, attest: bool) -> Result<Summary> {
        let s = self.summary(id)?;
        if !s.kind.holds_patient_data() || s.visibility == Visibility::Office {
            return self.set_visibility(id, Visibility::Office);
        }
        let now = (self.clock)();
        let author = self.author().to_owned();
        let actor = self.actor.clone();
        let tx = write_tx(&mut self.conn)?;
        let mut doc = load_in(&tx, id, &actor, &self.stats)?;
        let findings = rounds_core::deid::check(&doc);
        let blocking = findings
            .iter()
            .filter(|f| f.finding.blocks_sharing())
            .count();
        if blocking > 0 {
            return Err(StoreError::Identifiers(blocking));
        }
        if !attest {
            return Err(StoreError::NotAttested);
        }
        let new_id = new_doc_id(now, self.entropy.as_mut());
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        let mut copy = doc.share_copy(&new_id, actor, &mut ctx)?;
        let before = doc.heads();
        doc.set_shared_as(&new_id, &mut ctx)?;
        let chunk = doc.automerge_mut().save_after(&before);
        insert_doc(&tx, &mut copy)?;
        // The copy was made from a checked state: later edits are squashed
        // onto it, never onto anything before.
        tx.execute(
            "UPDATE sync_docs SET sent_heads = ?2 WHERE doc = (SELECT doc FROM documents WHERE id = ?1)",
            params![new_id, rounds_core::sync::heads_to_bytes(&copy.heads())],
        )?;
        append_chunk(&tx, &mut doc, &chunk)?;
        tx.commit()?;
        Ok(copy.summary())
    }

    /// Changes who may read a document. A private case becomes visible only
    /// through [`Store::share`], which checks it for identifiers.
    pub fn set_visibility(&mut self, id: &str, v: Visibility) -> Result<Summary> {
        let s = self.summary(id)?;
        if s.kind.holds_patient_data()
            && s.visibility == Visibility::Private
            && v == Visibility::Office
        {
            return Err(StoreError::Invalid(
                "a case is shared with `rounds share`, which checks it for identifiers".into(),
            ));
        }
        self.change(id, |doc, ctx| doc.set_visibility(v, ctx).map(|_| ()))
    }

    /// Runs `f` on the loaded document and saves what it changed, with the
    /// projections, in one transaction. Nothing is written if `f` fails.
    pub fn change(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>) -> Result<(), DocError>,
    ) -> Result<Summary> {
        self.change_with(id, |doc, ctx| Ok(f(doc, ctx)?))
            .map(|(s, ())| s)
    }

    /// Like [`Store::change`], for edits that decide what to do from the
    /// document itself and return something.
    ///
    /// The document is read, changed and written inside one IMMEDIATE
    /// transaction: the write lock is taken before its bytes are read, so
    /// no other connection (the sync worker, the CLI, a second window) can
    /// commit in between and have its changes overwritten by a compaction
    /// of stale bytes.
    pub fn change_with<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        self.change_in(id, |_, doc, ctx| f(doc, ctx))
    }

    /// [`Store::change_with`], with the transaction for `f` to read in.
    pub(crate) fn change_in<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&Transaction<'_>, &mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        self.change_in_opts(id, true, f)
    }

    /// [`Store::change_in`]; `check_links` says whether references the
    /// change adds must point at documents of this library (every local
    /// edit; not an import, which keeps references as they were written).
    pub(crate) fn change_in_opts<T>(
        &mut self,
        id: &str,
        check_links: bool,
        f: impl FnOnce(&Transaction<'_>, &mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, T)> {
        let (summary, (out, _)) = self.change_in_keeping(id, check_links, f)?;
        Ok((summary, out))
    }

    /// [`Store::change_in_opts`], returning also the document as saved.
    fn change_in_keeping<T>(
        &mut self,
        id: &str,
        check_links: bool,
        f: impl FnOnce(&Transaction<'_>, &mut Document, &mut EditCtx<'_>) -> Result<T>,
    ) -> Result<(Summary, (T, Document))> {
        let now = (self.clock)();
        let author = self.author().to_owned();
        let actor = self.actor.clone();
        let kept = self.kept.take();
        let tx = write_tx(&mut self.conn)?;
        let mut doc = kept_or_load(&tx, kept, id, &actor, &self.stats)?;
        let before = doc.heads();
        let links_before = doc.links();
        let mut ids = RandomIds(self.entropy.as_mut());
        let mut ctx = EditCtx {
            now_ms: now,
            author: &author,
            ids: &mut ids,
        };
        // A plan being prepared together is checked with the office's own
        // rules (who may edit, comment, move stages, decide), so what the
        // office would refuse is refused here: a refused push would hold
        // every later change of the document on this device.
        let collab_before = crate::collab::has_collab(&doc)
            .then(|| Document::from_automerge(doc.automerge().clone()))
            .transpose()?;
        let out = f(&tx, &mut doc, &mut ctx)?;
        if collab_before.is_some() || crate::collab::has_collab(&doc) {
            crate::collab::check_policy(&tx, collab_before.as_ref(), &doc, &self.user_id)?;
        }
        if check_links {
            links::check_new_links(&tx, &links_before, &doc)?;
        }
        // Read once here for the search index, the editor's view and the
        // next edit's diff (each would otherwise read the texts again).
        doc.json();
        let compacted = save_since(&tx, &mut doc, &before)?;
        tx.commit()?;
        if compacted {
            self.bump_compactions();
        }
        // Kept only once committed: a failed edit leaves nothing kept, as
        // the document may hold half of it.
        self.kept = Some(Kept {
            id: id.to_owned(),
            doc: doc.clone(),
        });
        Ok((doc.summary(), (out, doc)))
    }

    pub(crate) fn bump_compactions(&self) {
        let mut s = self.stats.get();
        s.compactions += 1;
        self.stats.set(s);
    }

    /// Merges bytes from another replica (a whole saved document or
    /// changes of it) into the store, creating the document if it is new.
    /// Returns the merged summary.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<Summary> {
        let incoming = Document::load(bytes)?;
        let id = incoming.id().to_owned();
        rounds_core::doc::validate_id(&id)?;
        let actor = self.actor.clone();
        let tx = write_tx(&mut self.conn)?;
        if raw_bytes(&tx, &id)?.is_none() {
            let mut doc = incoming;
            insert_doc(&tx, &mut doc)?;
            tx.commit()?;
            return Ok(doc.summary());
        }
        let mut doc = load_in(&tx, &id, &actor, &self.stats)?;
        let before = doc.heads();
        doc.merge_bytes(bytes)?;
        let compacted = save_since(&tx, &mut doc, &before)?;
        tx.commit()?;
        if compacted {
            self.bump_compactions();
        }
        Ok(doc.summary())
    }
}

/// A document as this connection last wrote it (see `Store::kept`).
pub(crate) struct Kept {
    id: String,
    doc: Document,
}

/// The document `id` for an edit inside `tx`: the kept one when it is the
/// same document and the database still holds exactly what it was written
/// as (its heads, which every write of a document's bytes records with its
/// projections in `sync_docs.local_heads`, in the same transaction), else
/// loaded from its bytes. Another connection's write (the sync worker
/// merging a colleague's change, a restore) changes those heads, so such a
/// document is loaded again.
fn kept_or_load(
    tx: &Transaction<'_>,
    kept: Option<Kept>,
    id: &str,
    actor: &automerge::ActorId,
    stats: &std::cell::Cell<crate::Stats>,
) -> Result<Document> {
    if let Some(mut k) = kept.filter(|k| k.id == id) {
        let stored: Option<Vec<u8>> = tx
            .prepare_cached(
                "SELECT s.local_heads FROM sync_docs s JOIN documents d ON d.doc = s.doc
                 WHERE d.id = ?1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten();
        let mine = rounds_core::sync::heads_to_bytes(&k.doc.heads());
        if stored.as_deref() == Some(mine.as_slice()) {
            let mut doc = k.doc;
            doc.set_actor(actor.clone());
            return Ok(doc);
        }
    }
    load_in(tx, id, actor, stats)
}
