//! Preparing plans together on this device: collaborative actions checked
//! with the office's own rules before they are saved, site copies, and
//! the inbox (a projection of every document's collaboration data, with
//! read state kept on the device).

use automerge::ReadDoc;
use rounds_core::collab::rubric::RubricDef;
use rounds_core::collab::{self, Who, policy};
use rounds_core::doc::{DocError, Document, EditCtx};
use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::{Result, Store, StoreError, Summary};

/// One item of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxItem {
    /// The document's id and title.
    pub doc: String,
    pub title: String,
    pub item: String,
    pub kind: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    pub thread: String,
    pub text: String,
    pub read: bool,
}

/// Whether a document holds collaboration data.
pub(crate) fn has_collab(doc: &Document) -> bool {
    doc.automerge()
        .get(automerge::ROOT, "collab")
        .ok()
        .flatten()
        .is_some()
}

/// The office's rules for a local change, read in the save's transaction:
/// this device's member, role and whether it owns the document. A library
/// that never joined an office has no member to check as (its documents'
/// collaboration data came from an office it has since left).
pub(crate) fn check_policy(
    tx: &Transaction<'_>,
    before: Option<&Document>,
    after: &Document,
    user_id: &str,
) -> Result<()> {
    let get = |k: &str| crate::sync::sync_get_in(tx, k);
    let Some(member) = get("member_id")? else {
        return Ok(());
    };
    let role = get("role")?.unwrap_or_else(|| "teacher".into());
    let rubrics = office_rubrics(get("members")?.as_deref());
    let name = get("member_name")?.filter(|n| !n.is_empty());
    let sender = policy::Sender {
        member: &member,
        role: &role,
        owner: after.owner() == user_id,
        name: name.as_deref(),
        rubrics: &rubrics,
        // A local save is checked against the group this device has now.
        could_edit_then: false,
    };
    policy::check(before, after, &sender).map_err(|r| StoreError::Invalid(r.to_string()))
}

/// The office's own rubrics from its cached directory (`members`); any
/// that is not a valid rubric is left out.
fn office_rubrics(directory: Option<&str>) -> Vec<RubricDef> {
    let Some(text) = directory else {
        return Vec::new();
    };
    let dir: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    dir["rubrics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| serde_json::from_value::<RubricDef>(r.clone()).ok())
                .filter(|r| r.validate().is_ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Rebuilds a document's inbox rows (with the rest of its projection).
pub(crate) fn write_inbox(tx: &Transaction<'_>, rowid: i64, doc: &Document) -> Result<()> {
    tx.prepare_cached("DELETE FROM inbox WHERE doc = ?1")?
        .execute([rowid])?;
    let c = doc.collab();
    if c.is_empty() {
        return Ok(());
    }
    if let Some(up) = &c.upstream {
        // A site copy links to the plan it follows, so "what links here"
        // on the shared plan lists the sites that adapted it.
        tx.prepare_cached("INSERT OR IGNORE INTO doc_links (doc, field, row, to_doc, to_element) VALUES (?1, 'upstream', '', ?2, '')")?.execute(params![rowid, up.doc])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO inbox (doc, item, recipient, kind, by, name, at, thread, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for e in collab::events(&c) {
        ins.execute(params![
            rowid,
            e.id,
            e.recipient,
            e.kind,
            e.by,
            e.name,
            e.at,
            e.thread,
            e.text
        ])?;
    }
    Ok(())
}

impl Store {
    /// The member this device acts as in its office.
    pub fn me(&self) -> Result<Who> {
        let member = self.sync_get("member_id")?.ok_or_else(|| {
            StoreError::Invalid(
                "this library has not joined an office (or has not synced since it was updated): comments, groups and reviews are made as a member of an office — `rounds join`, then `rounds sync`".into(),
            )
        })?;
        // The name the office knows the member by (the office checks it on
        // every entry); a library that joined before it was stored uses
        // the profile's.
        let name = self
            .sync_get("member_name")?
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.author().to_owned());
        Ok(Who::new(member, name))
    }

    /// The member's role in the office, as the office last said it.
    pub fn role(&self) -> Result<String> {
        Ok(self.sync_get("role")?.unwrap_or_else(|| "teacher".into()))
    }

    /// A collaborative action on a document, as one change: `f` is given
    /// the member acting. Like every local change of a document that is
    /// prepared together, the result is checked with the office's rules
    /// (`collab::policy`) before anything is saved, so what the office would
    /// refuse is refused here, with the same words.
    pub fn collab_change<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>, &Who) -> std::result::Result<T, DocError>,
    ) -> Result<(Summary, T)> {
        let who = self.me()?;
        self.change_with(id, |doc, ctx| Ok(f(doc, ctx, &who)?))
    }

    /// Makes this site's copy of a shared plan (二次备课): a new document of
    /// this device's, with the plan's content and rows (ids kept, so later
    /// changes match row by row), that records the plan and the version it
    /// came from.
    pub fn adapt(&mut self, upstream: &str, title: Option<&str>) -> Result<Summary> {
        let mut up = self.load(upstream)?;
        let fields = collab::site_copy_fields(&up);
        let s = up.summary();
        let title = match title {
            Some(t) => t.to_owned(),
            None => {
                let site = self.my_site()?;
                match (site.is_empty(), s.language) {
                    (false, rounds_core::Lang::Zh) => format!("{}（{site}）", s.title),
                    (false, rounds_core::Lang::En) => format!("{} ({site})", s.title),
                    (true, rounds_core::Lang::Zh) => format!("{}（二次备课）", s.title),
                    (true, rounds_core::Lang::En) => format!("{} (site copy)", s.title),
                }
            }
        };
        let heads = up.heads();
        let copy = self.create(up.kind(), &title, s.language, Some(&fields))?;
        let (summary, _) = self.change_with(&copy.id, |doc, ctx| {
            Ok(doc.set_upstream(up.id(), &s.title, &heads, ctx)?)
        })?;
        Ok(summary)
    }

    /// The rubrics a review may use here: the built-in ones and the
    /// office's, as its directory (cached by sync) says.
    pub fn rubrics(&self) -> Result<Vec<RubricDef>> {
        Ok(collab::rubric::with_office(&self.office_rubrics()?))
    }

    /// The office's own rubrics, as its directory (cached by sync) says.
    pub fn office_rubrics(&self) -> Result<Vec<RubricDef>> {
        Ok(office_rubrics(self.sync_get("members")?.as_deref()))
    }

    /// This member's site, as the office's directory (cached by sync) says.
    fn my_site(&self) -> Result<String> {
        let Some(text) = self.sync_get("members")? else {
            return Ok(String::new());
        };
        let dir: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let me = dir["you"].as_str().unwrap_or_default();
        Ok(dir["members"]
            .as_array()
            .and_then(|m| m.iter().find(|x| x["id"] == me))
            .and_then(|x| x["site"].as_str())
            .unwrap_or_default()
            .to_owned())
    }

    /// Whether the shared plan a site copy follows changed since the copy
    /// last took it; `None` when the plan is not on this device.
    pub fn upstream_changed(&self, copy: &str) -> Result<Option<bool>> {
        let doc = self.load(copy)?;
        let Some(up) = doc.collab().upstream else {
            return Err(StoreError::Invalid(
                "this document is not a site copy of a shared plan".into(),
            ));
        };
        match self.load(&up.doc) {
            Ok(mut u) => Ok(Some(collab::upstream_changed(&doc, &mut u))),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Takes the shared plan's changes into a site copy, keeping the site's
    /// own edits. Returns the fields that changed.
    pub fn take_upstream(&mut self, copy: &str) -> Result<(Summary, Vec<String>)> {
        let up_id = self
            .load(copy)?
            .collab()
            .upstream
            .map(|u| u.doc)
            .ok_or_else(|| {
                StoreError::Invalid("this document is not a site copy of a shared plan".into())
            })?;
        let mut up = self.load(&up_id).map_err(|e| match e {
            StoreError::NotFound(_) => StoreError::Invalid(format!(
                "the shared plan {up_id} is not on this device yet; sync first"
            )),
            e => e,
        })?;
        self.change_with(copy, |doc, ctx| Ok(doc.take_upstream(&mut up, ctx)?))
    }

    /// The inbox: items for this member (and, for lead teachers and office
    /// admins, review requests), newest first.
    pub fn inbox(&self, unread_only: bool) -> Result<Vec<InboxItem>> {
        let Some(me) = self.sync_get("member_id")? else {
            return Ok(Vec::new());
        };
        let role = self.role()?;
        let deciders = if matches!(role.as_str(), "lead_teacher" | "office_admin") {
            collab::DECIDERS
        } else {
            ""
        };
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.title, i.item, i.kind, i.by, i.name, i.at, i.thread, i.text,
                    r.item IS NOT NULL
             FROM inbox i JOIN doc_index d ON d.doc = i.doc
             LEFT JOIN inbox_read r ON r.doc = d.id AND r.item = i.item
             WHERE (i.recipient = ?1 OR i.recipient = ?2) AND d.deleted = 0 AND i.by <> ?1
             ORDER BY i.at DESC, i.item",
        )?;
        let rows = stmt.query_map(params![me, deciders], |r| {
            Ok(InboxItem {
                doc: r.get(0)?,
                title: r.get(1)?,
                item: r.get(2)?,
                kind: r.get(3)?,
                by: r.get(4)?,
                name: r.get(5)?,
                at: r.get(6)?,
                thread: r.get(7)?,
                text: r.get(8)?,
                read: r.get(9)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let item = row?;
            if !(unread_only && item.read) {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// Unread items per document (id → count), for the library's badges.
    pub fn inbox_unread(&self) -> Result<Vec<(String, usize)>> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for i in self.inbox(true)? {
            match counts.iter_mut().find(|(d, _)| *d == i.doc) {
                Some((_, n)) => *n += 1,
                None => counts.push((i.doc, 1)),
            }
        }
        Ok(counts)
    }

    /// Marks items read: the given ones of a document, or all of it, or
    /// (with no document) every item. Returns how many were newly read.
    pub fn mark_read(&mut self, doc: Option<&str>, items: &[String]) -> Result<usize> {
        let now = (self.clock)();
        let unread = self.inbox(true)?;
        let mut n = 0;
        let tx = self.conn.transaction()?;
        for i in unread {
            let pick = match doc {
                None => true,
                Some(d) => i.doc == d && (items.is_empty() || items.contains(&i.item)),
            };
            if pick {
                n += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO inbox_read (doc, item, at) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![i.doc, i.item, now])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}
