//! Preparing a plan together (集体备课) from the desktop app: one method per
//! action of the editor's group bar, comment margin, review panel, compare
//! view and site-copy banner, and the inbox. Every action is one change,
//! checked on this device with the office's own rules before it is saved
//! (`Store::collab_change`); a refusal by those rules is `forbidden`, with
//! the rule in `field`.

use rounds_core::collab::{self, GroupInput, Participant, ReviewInput, Who, rubric::Rubric};
use rounds_core::doc::{DocError, Document, EditCtx};
use rounds_store::{Store, StoreError};

use crate::types::*;
use crate::{App, AppError, ErrorCode, Result};

/// The office's rules (`collab::policy`) whose refusals say who may do
/// something, as opposed to what is not a valid value.
const RULES: &[&str] = &[
    "group",
    "edit",
    "stage",
    "review",
    "scores",
    "best",
    "comment",
    "upstream",
    "suggestion",
    "attribution",
    "collab",
];

/// A refusal by the office's rules becomes `forbidden` (naming the rule)
/// when it is about who may act, else `invalid`; the rest as usual.
fn refused(e: StoreError) -> AppError {
    if let StoreError::Invalid(msg) = &e
        && let Some((rule, said)) = msg.split_once(": ")
        && RULES.contains(&rule)
    {
        let who = [
            "only ",
            "no one",
            "reviewers are",
            "are marked by",
            "may not be removed",
            "names the member",
            "a member writes only",
        ]
        .iter()
        .any(|w| said.contains(w));
        return AppError {
            code: if who {
                ErrorCode::Forbidden
            } else {
                ErrorCode::Invalid
            },
            message: msg.clone(),
            field: Some(rule.to_owned()),
        };
    }
    e.into()
}

fn not_joined() -> AppError {
    AppError::new(
        ErrorCode::NotJoined,
        "comments, groups and reviews are made as a member of an office: join one first",
    )
}

fn member_of(s: &Store) -> Option<String> {
    s.sync_get("member_id").ok().flatten()
}

/// The office's member directory as the last sync cached it.
fn directory(s: &Store) -> Vec<MemberInfo> {
    rounds_client::cached_members(s)
        .ok()
        .flatten()
        .map(|m| {
            m.members
                .into_iter()
                .map(|e| MemberInfo {
                    id: e.id,
                    name: e.name,
                    role: e.role,
                    site: e.site,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The rubrics a review may use here: the built-in ones and the office's
/// own (from the cached directory).
fn rubrics(s: &Store) -> Vec<RubricInfo> {
    let all = s
        .rubrics()
        .unwrap_or_else(|_| Rubric::all().iter().map(|r| (*r).into()).collect());
    all.into_iter()
        .map(|r| RubricInfo {
            name: r.name.clone(),
            label: Label {
                zh: r.zh.clone(),
                en: r.en.clone(),
            },
            min: r.min,
            max: r.max,
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionInfo {
                    key: c.key.clone(),
                    label: Label {
                        zh: c.zh.clone(),
                        en: c.en.clone(),
                    },
                })
                .collect(),
        })
        .collect()
}

/// What `me` (with `role`) may do on `doc`, as the office's rules say.
fn allowed(doc: &Document, c: &collab::Collab, me: &str, role: &str, user: &str) -> Allowed {
    let owner = doc.owner() == user;
    let admin = role == "office_admin";
    let decider = admin || role == "lead_teacher";
    let leads = c.group.as_ref().is_some_and(|g| g.lead == me);
    let in_group = c
        .group
        .as_ref()
        .is_none_or(|g| owner || decider || g.lead == me || g.is_participant(me));
    let edit = c
        .group
        .as_ref()
        .is_none_or(|g| owner || admin || g.may_edit(me));
    let shared = doc.summary().visibility.as_str() == "office";
    let stage = c.stage().map(|e| e.value.as_str());
    let review = c.review_state().map(|e| e.value.as_str());
    let finalised = matches!(
        stage,
        Some("finalised" | "adaptation" | "taught" | "reflection")
    ) || matches!(review, Some("approved" | "published"));
    Allowed {
        comment: in_group,
        edit,
        set_group: owner || admin || leads,
        move_stage: c.group.is_some() && (leads || admin),
        decide_suggestions: leads || owner || admin,
        resolve: in_group,
        submit: (owner || leads) && collab::policy::review_step_allowed(review, "submitted"),
        decide_review: decider
            && !owner
            && !leads
            && matches!(review, Some("submitted" | "in_review" | "approved")),
        score: decider && !owner && !leads && review.is_some(),
        mark_best: decider,
        reflect: c
            .group
            .as_ref()
            .is_some_and(|g| g.lead == me || g.is_participant(me))
            || owner,
        adapt: shared && c.upstream.is_none() && finalised,
    }
}

fn view_of(s: &Store, id: &str) -> Result<CollabView> {
    let doc = s.load(id)?;
    let c = doc.collab();
    let members = directory(s);
    let me_id = member_of(s);
    let role = s.role().unwrap_or_else(|_| "teacher".into());
    let me = me_id.as_ref().map(|m| {
        members
            .iter()
            .find(|x| &x.id == m)
            .cloned()
            .unwrap_or_else(|| MemberInfo {
                id: m.clone(),
                name: s.user_name().to_owned(),
                role: role.clone(),
                site: s.sync_get("site").ok().flatten().unwrap_or_default(),
            })
    });
    let allowed = match &me {
        Some(m) => allowed(&doc, &c, &m.id, &role, s.user_id()),
        None => Allowed::default(),
    };
    let upstream = match &c.upstream {
        None => None,
        Some(u) => Some(match s.load(&u.doc) {
            Ok(mut up) => {
                let changed = collab::upstream_changed(&doc, &mut up);
                let diff = if changed {
                    collab::compare(&mut up, &u.heads, "")
                        .map_err(StoreError::from)?
                        .into_iter()
                        .map(Into::into)
                        .collect()
                } else {
                    Vec::new()
                };
                UpstreamView {
                    doc: u.doc.clone(),
                    title: up.summary().title,
                    available: true,
                    changed,
                    diff,
                }
            }
            Err(StoreError::NotFound(_)) => UpstreamView {
                doc: u.doc.clone(),
                title: u.title.clone(),
                available: false,
                changed: false,
                diff: Vec::new(),
            },
            Err(e) => return Err(e.into()),
        }),
    };
    // An accepted suggestion replaced the text it was anchored to: it stays
    // with the threads, decided, not under "text deleted".
    let (orphaned, threads): (Vec<_>, Vec<_>) = c
        .threads
        .iter()
        .partition(|t| t.orphaned() && t.decision.is_none());
    Ok(CollabView {
        doc: id.to_owned(),
        me,
        members,
        allowed,
        group: c.group.as_ref().map(|g| GroupView {
            lead: g.lead.clone(),
            lead_name: g.lead_name.clone(),
            participants: g
                .participants
                .iter()
                .map(|p| GroupMember {
                    member: p.member.clone(),
                    name: p.name.clone(),
                    site: p.site.clone(),
                    edit: p.edit,
                })
                .collect(),
            due: g.due.clone(),
        }),
        stage: c.stage().map(Into::into),
        stages: c.stages.iter().map(Into::into).collect(),
        stage_table: KeyLabel::table(
            &doc.kind()
                .stages()
                .iter()
                .map(|s| (s.key, s.en, s.zh))
                .collect::<Vec<_>>(),
        ),
        review_state: c.review_state().map(Into::into),
        decisions: c.decisions.iter().map(Into::into).collect(),
        review_states: KeyLabel::table(collab::REVIEW_STATES),
        recommendations: KeyLabel::table(collab::RECOMMENDATIONS),
        rubrics: rubrics(s),
        reviews: c
            .reviews
            .iter()
            .map(|r| ReviewView {
                reviewer: r.reviewer.clone(),
                name: r.name.clone(),
                rubric: r.rubric.clone(),
                scores: r.scores.clone(),
                notes: r.notes.clone(),
                comment: r.comment.clone(),
                recommendation: r.recommendation.clone(),
                coi: r.coi.clone(),
                at: r.at,
                total: r.total(),
            })
            .collect(),
        threads: threads.into_iter().map(Into::into).collect(),
        orphaned: orphaned.into_iter().map(Into::into).collect(),
        best: c
            .best
            .iter()
            .map(|b| BestView {
                id: b.id.clone(),
                name: b.name.clone(),
                by_name: b.by_name.clone(),
                at: b.at,
            })
            .collect(),
        upstream,
        reflections: c
            .reflections
            .iter()
            .map(|r| ReflectionView {
                id: r.id.clone(),
                by: r.by.clone(),
                name: r.name.clone(),
                at: r.at,
                worked: r.worked.clone(),
                change: r.change.clone(),
                difficulties: r.difficulties.clone(),
            })
            .collect(),
    })
}

/// A version named by the UI: a history change's hash or number, or a best
/// version's name or id, as change hashes; empty for the document as it is.
fn version(s: &Store, id: &str, doc: &Document, given: &str) -> Result<String> {
    let g = given.trim();
    if g.is_empty() {
        return Ok(String::new());
    }
    if let Some(b) = doc.collab().best.iter().find(|b| b.name == g || b.id == g) {
        return Ok(b.heads.clone());
    }
    let mut at = s.at(id, g)?;
    Ok(collab::heads_string(&at.heads()))
}

impl App {
    /// One collaborative action on `id` as this member, checked with the
    /// office's rules; returns what the editor shows afterwards.
    fn act<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Document, &mut EditCtx<'_>, &Who) -> std::result::Result<T, DocError>,
    ) -> Result<CollabView> {
        let mut s = self.store();
        if member_of(&s).is_none() {
            return Err(not_joined());
        }
        s.collab_change(id, f).map_err(refused)?;
        let v = view_of(&s, id)?;
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Everything the editor shows about preparing `id` together.
    pub fn collab(&self, id: &str) -> Result<CollabView> {
        view_of(&self.store(), id)
    }

    /// [`App::collab`] after asking the office for its member directory
    /// again (the group editor does, so a colleague who joined since the
    /// last hourly refresh can be picked). Offline, the cached directory is
    /// shown as it is. The request runs on a connection and a thread of its
    /// own, so the UI's commands are not held up by the network.
    pub fn refresh_directory(&self, id: &str) -> Result<CollabView> {
        let dir = self.dir.clone();
        // Offline or refused: the cached directory stays, and is shown.
        let _ = std::thread::spawn(move || -> Result<()> {
            let own = Store::open_dir(&dir)?;
            rounds_client::members(&own, &dir).map_err(AppError::from)?;
            Ok(())
        })
        .join();
        self.collab(id)
    }

    /// A comment on a field (a selection of it, a row of a list, or the
    /// whole document when `target.field` is empty), mentioning members.
    pub fn comment(
        &self,
        id: &str,
        target: &TargetInput,
        body: &str,
        mentions: &[String],
    ) -> Result<CollabView> {
        let t = target.into();
        self.act(id, |d, ctx, who| {
            d.comment(&t, body, None, mentions, who, ctx)
        })
    }

    /// A suggestion: `proposed` to replace the selected text, with an
    /// optional comment. The lead preparer accepts or rejects it.
    pub fn suggest(
        &self,
        id: &str,
        target: &TargetInput,
        proposed: &str,
        body: &str,
    ) -> Result<CollabView> {
        if target.range.is_none() {
            return Err(AppError::invalid(
                "range",
                "range: a suggestion replaces a selection of the text",
            ));
        }
        let t = target.into();
        self.act(id, |d, ctx, who| {
            d.comment(&t, body, Some(proposed), &[], who, ctx)
        })
    }

    pub fn reply(
        &self,
        id: &str,
        thread: &str,
        body: &str,
        mentions: &[String],
    ) -> Result<CollabView> {
        self.act(id, |d, ctx, who| d.reply(thread, body, mentions, who, ctx))
    }

    /// Resolves a thread, or reopens it.
    pub fn resolve(&self, id: &str, thread: &str, resolved: bool) -> Result<CollabView> {
        self.act(id, |d, ctx, who| {
            d.set_thread_resolved(thread, resolved, who, ctx)
        })
    }

    /// Accepts (the proposed text replaces the selection) or rejects a
    /// suggestion; with `thread` `None`, every undecided suggestion, each
    /// as its own change, in the order they were made.
    pub fn decide(&self, id: &str, thread: Option<&str>, accept: bool) -> Result<CollabView> {
        let threads: Vec<String> = match thread {
            Some(t) => vec![t.to_owned()],
            None => self
                .store()
                .load(id)?
                .collab()
                .threads
                .iter()
                .filter(|t| t.ty == "suggestion" && t.decision.is_none() && !t.orphaned())
                .map(|t| t.id.clone())
                .collect(),
        };
        let mut v = None;
        for t in &threads {
            v = Some(self.act(id, |d, ctx, who| d.decide_suggestion(t, accept, who, ctx))?);
        }
        match v {
            Some(v) => Ok(v),
            None => self.collab(id),
        }
    }

    /// Sets the preparation group: the lead, participants (comment only or
    /// may edit) and due dates by stage.
    pub fn set_group(&self, id: &str, g: &GroupForm) -> Result<CollabView> {
        let input = GroupInput {
            lead: Who::new(g.lead.member.clone(), g.lead.name.clone()),
            participants: g
                .participants
                .iter()
                .filter(|p| p.member != g.lead.member)
                .map(|p| Participant {
                    member: p.member.clone(),
                    name: p.name.clone(),
                    site: p.site.clone(),
                    edit: p.edit,
                })
                .collect(),
            due: g
                .due
                .iter()
                .filter(|(_, d)| !d.trim().is_empty())
                .map(|(k, d)| (k.clone(), d.trim().to_owned()))
                .collect(),
        };
        self.act(id, |d, ctx, _| d.set_group(&input, ctx))
    }

    pub fn move_stage(&self, id: &str, stage: &str) -> Result<CollabView> {
        self.act(id, |d, ctx, who| d.move_stage(stage, who, ctx))
    }

    /// A step of the review track: `submitted` (by the owner or lead),
    /// `in_review`, `approved`, `changes_requested`, `rejected`,
    /// `published` (by lead teachers and office admins), with a note.
    pub fn review_decision(&self, id: &str, state: &str, note: &str) -> Result<CollabView> {
        self.act(id, |d, ctx, who| d.review_decision(state, note, who, ctx))
    }

    /// This member's review: rubric scores, notes, recommendation and any
    /// conflict of interest (written again, it replaces their earlier one).
    pub fn write_review(&self, id: &str, r: &ReviewForm) -> Result<CollabView> {
        let input = ReviewInput {
            rubric: r.rubric.clone(),
            scores: r.scores.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            notes: r
                .notes
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            comment: r.comment.clone(),
            recommendation: r.recommendation.clone(),
            coi: r.coi.clone(),
        };
        // The office's own rubrics, as the last sync brought them.
        let office = self.store().office_rubrics()?;
        self.act(id, |d, ctx, who| {
            d.write_review_in(&input, &office, who, ctx)
        })
    }

    /// Marks the document as it is now as a best version (精华).
    pub fn mark_best(&self, id: &str, name: &str) -> Result<CollabView> {
        self.act(id, |d, ctx, who| d.mark_best(name, who, ctx))
    }

    /// A reflection after teaching (教学反思).
    pub fn reflect(
        &self,
        id: &str,
        worked: &str,
        change: &str,
        difficulties: &str,
    ) -> Result<CollabView> {
        self.act(id, |d, ctx, who| {
            d.reflect(worked, change, difficulties, who, ctx)
                .map(|_| ())
        })
    }

    /// This site's copy of a shared plan (二次备课), opened as a new document.
    pub fn adapt(&self, id: &str) -> Result<DocView> {
        let mut s = self.store();
        if member_of(&s).is_none() {
            return Err(not_joined());
        }
        // The store names the copy after this member's site (from the directory).
        let copy = s.adapt(id, None).map_err(refused)?;
        let mut doc = s.load(&copy.id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Takes the shared plan's changes into a site copy, keeping the
    /// site's own edits.
    pub fn take_upstream(&self, id: &str) -> Result<TakenUpstream> {
        let mut s = self.store();
        let (_, changed) = s.take_upstream(id).map_err(refused)?;
        let mut doc = s.load(id)?;
        let view = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(TakenUpstream { view, changed })
    }

    /// Two versions side by side, field by field: each a history change's
    /// hash or number, or a best version's name; empty for the current one.
    pub fn compare(&self, id: &str, from: &str, to: &str) -> Result<CompareView> {
        let s = self.store();
        let mut doc = s.load(id)?;
        let from = version(&s, id, &doc, from)?;
        let to = version(&s, id, &doc, to)?;
        let fields = collab::compare(&mut doc, &from, &to)
            .map_err(StoreError::from)?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(CompareView { from, to, fields })
    }

    /// The review record, as Markdown in `lang`, for printing.
    pub fn review_record(&self, id: &str, lang: Language) -> Result<String> {
        let s = self.store();
        let doc = s.load(id)?;
        Ok(collab::review_record_in(
            &doc,
            lang.into(),
            &s.office_rubrics()?,
        ))
    }

    /// The inbox, newest first: everything, or only what is unread.
    pub fn inbox(&self, unread_only: bool) -> Result<Vec<InboxEntry>> {
        Ok(self
            .store()
            .inbox(unread_only)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Unread items per document, for the library's badges.
    pub fn inbox_unread(&self) -> Result<Vec<UnreadCount>> {
        Ok(self
            .store()
            .inbox_unread()?
            .into_iter()
            .map(|(doc, n)| UnreadCount {
                doc,
                count: n as u32,
            })
            .collect())
    }

    /// Marks items read: the given ones of `doc`, all of `doc` when `items`
    /// is empty, or everything when `doc` is `None`. Returns how many.
    pub fn mark_read(&self, doc: Option<&str>, items: &[String]) -> Result<u32> {
        Ok(self.store().mark_read(doc, items)? as u32)
    }
}
