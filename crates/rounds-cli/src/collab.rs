//! Preparing plans together from the command line: the preparation group
//! and its stages, comment threads and suggestions, the review track,
//! versions and best versions, site copies, reflections and the inbox.
//! Every action is one change, checked on this device with the office's
//! own rules before it is saved (`Store::collab_change`).

use std::path::Path;

use rounds_core::collab::{self, GroupInput, Participant, Place, ReviewInput, Target, Thread, Who};
use rounds_core::doc::Document;
use rounds_core::{Lang, time};
use rounds_store::Store;
use serde_json::{Value as Json, json};

use crate::args::*;
use crate::common::{Failure, data_dir, open, print_json};

/// The office's member directory: (id, name, site) of each member.
fn directory(store: &Store) -> Vec<(String, String, String)> {
    let Ok(Some(d)) = rounds_client::cached_members(store) else {
        return Vec::new();
    };
    d.members
        .into_iter()
        .map(|m| (m.id, m.name, m.site))
        .collect()
}

fn find(dir: &[(String, String, String)], given: &str) -> Vec<(String, String, String)> {
    let exact: Vec<_> = dir
        .iter()
        .filter(|(id, name, _)| id == given || name == given)
        .cloned()
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    dir.iter()
        .filter(|(id, ..)| id.starts_with(given))
        .cloned()
        .collect()
}

/// A member named by id, start of id, or name in the office's directory.
/// A name the cached directory does not know is looked up again at the
/// office (a colleague who joined since the last sync); offline, a member
/// id is taken as it is (the office decides), a name is refused.
fn member(store: &Store, data: &Path, given: &str) -> Result<Participant, Failure> {
    let mut hits = find(&directory(store), given);
    if hits.is_empty()
        && let Ok(fresh) = rounds_client::members(store, data)
    {
        let dir: Vec<_> = fresh
            .members
            .into_iter()
            .map(|m| (m.id, m.name, m.site))
            .collect();
        hits = find(&dir, given);
    }
    match hits.as_slice() {
        [(id, name, site)] => Ok(Participant {
            member: id.clone(),
            name: name.clone(),
            site: site.clone(),
            edit: false,
        }),
        [] if given
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Participant {
                member: given.to_owned(),
                name: given.to_owned(),
                site: String::new(),
                edit: false,
            })
        }
        [] => Err(Failure(format!(
            "`{given}` is not in the office's member directory; sync, or give their member id"
        ))),
        _ => Err(Failure(format!(
            "`{given}` names {} members; give their member id",
            hits.len()
        ))),
    }
}

fn doc_of(store: &Store, id: &str) -> Result<(String, Document), Failure> {
    let id = store.resolve(id)?;
    let doc = store.load(&id)?;
    Ok((id, doc))
}

fn thread_id(doc: &Document, given: &str) -> Result<String, Failure> {
    let c = doc.collab();
    let hits: Vec<&Thread> = c
        .threads
        .iter()
        .filter(|t| t.id == given || t.id.starts_with(given) || t.id.ends_with(given))
        .collect();
    match hits.as_slice() {
        [t] => Ok(t.id.clone()),
        [] => Err(Failure(format!("this document has no thread `{given}`"))),
        _ => Err(Failure(format!(
            "`{given}` starts {} threads; give more of the id",
            hits.len()
        ))),
    }
}

fn target(doc: &Document, t: &TargetArgs) -> Result<Target, Failure> {
    let field = t.field.clone().unwrap_or_default();
    let mut row = String::new();
    if let Some(r) = &t.row {
        let rows = doc.to_json()[&field]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let found = match r.parse::<usize>() {
            Ok(n) if n >= 1 && n <= rows.len() && r.len() < 4 => {
                rows[n - 1]["id"].as_str().map(str::to_owned)
            }
            _ => rows
                .iter()
                .filter_map(|x| x["id"].as_str())
                .find(|id| id.starts_with(r.as_str()))
                .map(str::to_owned),
        };
        row = found.ok_or_else(|| Failure(format!("{field} has no row `{r}`")))?;
    }
    let item = t.item.clone().unwrap_or_default();
    let text = || -> Result<String, Failure> {
        let j = doc.to_json();
        let v = if row.is_empty() {
            if field == "title" {
                json!(doc.title())
            } else {
                j[&field].clone()
            }
        } else {
            j[&field]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["id"] == row.as_str()))
                .map(|x| x[&item].clone())
                .unwrap_or(Json::Null)
        };
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure(format!("`{field}` is not a text of this document")))
    };
    let range = if let Some(q) = &t.quote {
        let s = text()?;
        let byte = s
            .find(q.as_str())
            .ok_or_else(|| Failure(format!("`{q}` is not in {field}")))?;
        let from = s[..byte].chars().count();
        Some((from, from + q.chars().count()))
    } else if let Some(r) = &t.range {
        let (a, b) = r
            .split_once("..")
            .ok_or_else(|| Failure(format!("`{r}` is not a range FROM..TO")))?;
        let p = |x: &str| {
            x.trim()
                .parse::<usize>()
                .map_err(|_| Failure(format!("`{r}` is not a range FROM..TO")))
        };
        Some((p(a)?, p(b)?))
    } else {
        None
    };
    Ok(Target {
        field,
        row,
        item,
        range,
    })
}

fn mentions(store: &Store, data: &Path, given: &[String]) -> Result<Vec<String>, Failure> {
    given
        .iter()
        .map(|m| member(store, data, m).map(|p| p.member))
        .collect()
}

fn when(ms: i64) -> String {
    time::rfc3339(ms)
}

pub fn group(data: Option<&Path>, a: GroupArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let dir = data_dir(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let changing = a.lead.is_some() || !a.participants.is_empty() || !a.due.is_empty();
    if changing {
        let current = doc.collab().group;
        let lead = match &a.lead {
            Some(l) => member(&store, &dir, l)?,
            None => match &current {
                Some(g) => Participant {
                    member: g.lead.clone(),
                    name: g.lead_name.clone(),
                    site: String::new(),
                    edit: true,
                },
                None => {
                    let me = store.me()?;
                    Participant {
                        member: me.member,
                        name: me.name,
                        site: String::new(),
                        edit: true,
                    }
                }
            },
        };
        let participants = if a.participants.is_empty() {
            current
                .as_ref()
                .map(|g| g.participants.clone())
                .unwrap_or_default()
        } else {
            a.participants
                .iter()
                .map(|p| {
                    let (name, edit) = match p.strip_suffix(":edit") {
                        Some(n) => (n, true),
                        None => (p.as_str(), false),
                    };
                    member(&store, &dir, name).map(|m| Participant { edit, ..m })
                })
                .collect::<Result<_, _>>()?
        };
        let mut due: Vec<(String, String)> = current
            .map(|g| g.due.into_iter().collect())
            .unwrap_or_default();
        for d in &a.due {
            let (stage, date) = d
                .split_once('=')
                .ok_or_else(|| Failure(format!("`{d}` is not STAGE=YYYY-MM-DD")))?;
            due.retain(|(s, _)| s != stage);
            due.push((stage.to_owned(), date.to_owned()));
        }
        let input = GroupInput {
            lead: Who::new(lead.member, lead.name),
            participants,
            due,
        };
        store.collab_change(&id, |doc, ctx, _| doc.set_group(&input, ctx))?;
    }
    let c = store.load(&id)?.collab();
    if a.json {
        print_json(&json!({ "group": c.group, "stage": c.stage() }));
        return Ok(());
    }
    match c.group {
        None => outln!("no preparation group: set one with --lead and --participant"),
        Some(g) => {
            outln!("lead preparer: {} ({})", g.lead_name, g.lead);
            for p in &g.participants {
                let site = if p.site.is_empty() {
                    String::new()
                } else {
                    format!(", {}", p.site)
                };
                let can = if p.edit {
                    "edits and comments"
                } else {
                    "comments"
                };
                outln!("participant:   {} ({}{site}) — {can}", p.name, p.member);
            }
            for (stage, date) in &g.due {
                outln!("due:           {stage} by {date}");
            }
        }
    }
    Ok(())
}

fn thread_json(t: &Thread) -> Json {
    let mut v = serde_json::to_value(t).unwrap_or(Json::Null);
    v["orphaned"] = json!(t.orphaned());
    v
}

fn print_thread(doc: &Document, t: &Thread) {
    let lang = doc.summary().language;
    let label = if t.field.is_empty() {
        "the whole document".to_owned()
    } else {
        let name = doc
            .kind()
            .field(&t.field)
            .map_or(t.field.clone(), |f| f.label(lang).to_owned());
        if t.row.is_empty() {
            name
        } else {
            format!("{name} (row {})", &t.row)
        }
    };
    let place = match &t.place {
        Place::Whole => String::new(),
        Place::Range { text, .. } => format!(" on “{text}”"),
        Place::Orphaned if t.decision.as_ref().is_some_and(|d| d.value == "accepted") => {
            format!(" — “{}”, replaced as suggested", t.quote)
        }
        Place::Orphaned => format!(" — ORPHANED: the text “{}” was deleted", t.quote),
    };
    let kind = if t.ty == "suggestion" {
        "suggestion"
    } else {
        "comment"
    };
    outln!(
        "{}  {kind} on {label}{place}  [{}]",
        Store::short_id(&t.id),
        t.state
    );
    if t.ty == "suggestion" {
        let decided = match &t.decision {
            Some(d) => format!(" — {} by {}", d.value, d.name),
            None => String::new(),
        };
        outln!("    proposes: “{}”{decided}", t.proposed);
    }
    for m in &t.messages {
        if m.body.is_empty() {
            continue;
        }
        outln!("    {} ({}): {}", m.name, when(m.at), m.body);
    }
}

pub fn comment(data: Option<&Path>, a: CommentArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let dir = data_dir(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let Some(text) = a.text else {
        let c = doc.collab();
        let threads: Vec<&Thread> = c
            .threads
            .iter()
            .filter(|t| !a.open || t.state == "open")
            .collect();
        if a.json {
            print_json(
                &json!({ "threads": threads.iter().map(|t| thread_json(t)).collect::<Vec<_>>() }),
            );
        } else if threads.is_empty() {
            outln!("no comments");
        } else {
            for t in threads {
                print_thread(&doc, t);
            }
        }
        return Ok(());
    };
    let t = target(&doc, &a.target)?;
    let men = mentions(&store, &dir, &a.mentions)?;
    let (_, thread) = store.collab_change(&id, |doc, ctx, who| {
        doc.comment(&t, &text, None, &men, who, ctx)
    })?;
    done(&store, &id, &thread, a.json, "comment")
}

fn done(store: &Store, id: &str, thread: &str, as_json: bool, what: &str) -> Result<(), Failure> {
    let doc = store.load(id)?;
    let t = doc.collab().thread(thread).cloned();
    if as_json {
        print_json(&json!({ "doc": id, "thread": t.as_ref().map(thread_json) }));
    } else if let Some(t) = t {
        outln!("{what}: thread {}", t.id);
        print_thread(&doc, &t);
    }
    Ok(())
}

pub fn reply(data: Option<&Path>, a: ReplyArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let dir = data_dir(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let thread = thread_id(&doc, &a.thread)?;
    let men = mentions(&store, &dir, &a.mentions)?;
    store.collab_change(&id, |doc, ctx, who| {
        doc.reply(&thread, &a.text, &men, who, ctx)
    })?;
    done(&store, &id, &thread, a.json, "replied")
}

pub fn resolve(data: Option<&Path>, a: ResolveArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let thread = thread_id(&doc, &a.thread)?;
    store.collab_change(&id, |doc, ctx, who| {
        doc.set_thread_resolved(&thread, !a.reopen, who, ctx)
    })?;
    done(
        &store,
        &id,
        &thread,
        a.json,
        if a.reopen { "reopened" } else { "resolved" },
    )
}

pub fn suggest(data: Option<&Path>, a: SuggestArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let t = target(&doc, &a.target)?;
    if t.range.is_none() {
        return Err(Failure(
            "a suggestion replaces a selection: give --quote TEXT or --range FROM..TO".into(),
        ));
    }
    let body = a.comment.unwrap_or_default();
    let (_, thread) = store.collab_change(&id, |doc, ctx, who| {
        doc.comment(&t, &body, Some(&a.proposed), &[], who, ctx)
    })?;
    done(&store, &id, &thread, a.json, "suggested")
}

pub fn decide(data: Option<&Path>, a: DecideArgs, accept: bool) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, doc) = doc_of(&store, &a.id)?;
    let threads: Vec<String> = match &a.thread {
        Some(t) => vec![thread_id(&doc, t)?],
        None if a.all => doc
            .collab()
            .threads
            .iter()
            .filter(|t| t.ty == "suggestion" && t.decision.is_none())
            .map(|t| t.id.clone())
            .collect(),
        None => {
            return Err(Failure(
                "name the suggestion's thread, or give --all".into(),
            ));
        }
    };
    let mut decided = Vec::new();
    for t in &threads {
        store.collab_change(&id, |doc, ctx, who| {
            doc.decide_suggestion(t, accept, who, ctx)
        })?;
        decided.push(t.clone());
    }
    let doc = store.load(&id)?;
    if a.json {
        let c = doc.collab();
        let ts: Vec<Json> = decided
            .iter()
            .filter_map(|t| c.thread(t))
            .map(thread_json)
            .collect();
        print_json(&json!({ "doc": id, "decided": ts }));
    } else if decided.is_empty() {
        outln!("no open suggestions");
    } else {
        for t in &decided {
            if let Some(t) = doc.collab().thread(t) {
                print_thread(&doc, t);
            }
        }
    }
    Ok(())
}

pub fn stage(data: Option<&Path>, a: StageArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, _) = doc_of(&store, &a.id)?;
    if let Some(s) = &a.stage {
        store.collab_change(&id, |doc, ctx, who| doc.move_stage(s, who, ctx))?;
    }
    let doc = store.load(&id)?;
    let c = doc.collab();
    if a.json {
        print_json(
            &json!({ "stage": c.stage(), "stages": c.stages, "due": c.group.map(|g| g.due) }),
        );
        return Ok(());
    }
    let lang = doc.summary().language;
    let current = c.stage().map(|e| e.value.clone());
    for st in doc.kind().stages() {
        let (key, en, zh) = (&st.key, &st.en, &st.zh);
        let mark = if current.as_deref() == Some(*key) {
            "▶"
        } else {
            " "
        };
        let label = if lang == Lang::Zh { zh } else { en };
        let due = c
            .group
            .as_ref()
            .and_then(|g| g.due.get(*key))
            .map(|d| format!("  due {d}"))
            .unwrap_or_default();
        outln!("{mark} {key:<11} {label}{due}");
    }
    for e in &c.stages {
        outln!("  {}  {} → {}", when(e.at), e.name, e.value);
    }
    Ok(())
}

fn pairs(given: &[String], what: &str) -> Result<Vec<(String, String)>, Failure> {
    given
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Failure(format!("`{p}` is not {what}")))
        })
        .collect()
}

pub fn review(data: Option<&Path>, a: ReviewArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, _) = doc_of(&store, &a.id)?;
    let note = a.note.clone().unwrap_or_default();
    match a.action.as_deref() {
        None => {}
        Some("score") => {
            let scores = pairs(&a.scores, "CRITERION=N")?
                .into_iter()
                .map(|(k, v)| {
                    v.parse::<i64>()
                        .map(|n| (k.clone(), n))
                        .map_err(|_| Failure(format!("{k}: `{v}` is not a score")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let input = ReviewInput {
                rubric: a.rubric.clone(),
                scores,
                notes: pairs(&a.criterion_notes, "CRITERION=TEXT")?,
                comment: a.comment.clone().unwrap_or_default(),
                recommendation: a.recommend.clone().unwrap_or_default(),
                coi: a.coi.clone().unwrap_or_default(),
            };
            let office = store.office_rubrics()?;
            store.collab_change(&id, |doc, ctx, who| {
                doc.write_review_in(&input, &office, who, ctx)
            })?;
        }
        Some(action) => {
            let state = match action {
                "submit" => "submitted",
                "start" => "in_review",
                "approve" => "approved",
                "request-changes" => "changes_requested",
                "reject" => "rejected",
                "publish" => "published",
                other => {
                    return Err(Failure(format!(
                        "`{other}` is not a review action (submit, start, approve, request-changes, reject, publish, score)"
                    )));
                }
            };
            store.collab_change(&id, |doc, ctx, who| {
                doc.review_decision(state, &note, who, ctx)
            })?;
        }
    }
    let doc = store.load(&id)?;
    let lang = a.lang.map(Lang::from).unwrap_or(doc.summary().language);
    if a.json {
        let c = doc.collab();
        print_json(&json!({
            "state": c.review_state(),
            "decisions": c.decisions,
            "reviews": c.reviews.iter().map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
                v["total"] = json!(r.total());
                v
            }).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    out!(
        "{}",
        collab::review_record_in(&doc, lang, &store.office_rubrics()?)
    );
    Ok(())
}

/// A version named on the command line: a change's number or hash, or a
/// best version's name or id; empty for the document as it is.
fn version(
    store: &Store,
    id: &str,
    doc: &Document,
    given: Option<&str>,
) -> Result<String, Failure> {
    let Some(g) = given.filter(|g| !g.is_empty()) else {
        return Ok(String::new());
    };
    if let Some(b) = doc.collab().best.iter().find(|b| b.name == g || b.id == g) {
        return Ok(b.heads.clone());
    }
    let mut at = store.at(id, g)?;
    Ok(collab::heads_string(&at.heads()))
}

pub fn compare(data: Option<&Path>, a: CompareArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let (id, mut doc) = doc_of(&store, &a.id)?;
    let from = version(&store, &id, &doc, Some(&a.from))?;
    let to = version(&store, &id, &doc, a.to.as_deref())?;
    let diffs = collab::compare(&mut doc, &from, &to)?;
    if a.json {
        print_json(&json!({ "from": from, "to": to, "fields": diffs }));
        return Ok(());
    }
    if diffs.is_empty() {
        outln!("the two versions are the same");
    }
    let lang = doc.summary().language;
    for d in &diffs {
        outln!(
            "## {}",
            if lang == Lang::Zh {
                &d.label_zh
            } else {
                &d.label_en
            }
        );
        let mut line = String::new();
        for p in &d.pieces {
            match p {
                collab::Piece::Same(t) => line.push_str(t),
                collab::Piece::Deleted(t) => line.push_str(&format!("[-{t}-]")),
                collab::Piece::Inserted(t) => line.push_str(&format!("{{+{t}+}}")),
            }
        }
        outln!("{line}");
        outln!("");
    }
    Ok(())
}

pub fn best(data: Option<&Path>, a: BestArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, _) = doc_of(&store, &a.id)?;
    if let Some(name) = &a.name {
        store.collab_change(&id, |doc, ctx, who| doc.mark_best(name, who, ctx))?;
    }
    let best = store.load(&id)?.collab().best;
    if a.json {
        print_json(&json!({ "best": best }));
    } else if best.is_empty() {
        outln!("no best version yet");
    } else {
        for b in &best {
            outln!(
                "★ {}  marked by {} on {}  (version {})",
                b.name,
                b.by_name,
                when(b.at),
                b.heads
            );
        }
    }
    Ok(())
}

pub fn adapt(data: Option<&Path>, a: AdaptArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    if a.take {
        let (s, changed) = store.take_upstream(&id)?;
        if a.json {
            print_json(&json!({ "doc": s.id, "changed": changed }));
        } else if changed.is_empty() {
            outln!("nothing to take: your copy already has the shared plan's changes");
        } else {
            outln!(
                "took the shared plan's changes into: {}",
                changed.join(", ")
            );
        }
        return Ok(());
    }
    if a.status {
        let doc = store.load(&id)?;
        let up = doc
            .collab()
            .upstream
            .ok_or_else(|| Failure("this document is not a site copy of a shared plan".into()))?;
        let changed = store.upstream_changed(&id)?;
        let diffs = match (changed, store.load(&up.doc)) {
            (Some(true), Ok(mut u)) => collab::compare(&mut u, &up.heads, "")?,
            _ => Vec::new(),
        };
        if a.json {
            print_json(&json!({ "upstream": up, "changed": changed, "fields": diffs }));
        } else {
            match changed {
                None => outln!(
                    "follows {} ({}), which is not on this device yet",
                    up.title,
                    up.doc
                ),
                Some(false) => outln!("follows {} — up to date", up.title),
                Some(true) => {
                    outln!(
                        "the shared plan “{}” changed since you adapted it:",
                        up.title
                    );
                    for d in &diffs {
                        outln!("  {}", d.label_en);
                    }
                    outln!(
                        "take its changes with: rounds adapt {} --take",
                        Store::short_id(&id)
                    );
                }
            }
        }
        return Ok(());
    }
    let s = store.adapt(&id, a.title.as_deref())?;
    if a.json {
        print_json(&rounds_core::doc::summary_json(&s));
    } else {
        outln!(
            "{}  site copy “{}” of {}",
            Store::short_id(&s.id),
            s.title,
            Store::short_id(&id)
        );
    }
    Ok(())
}

pub fn reflect(data: Option<&Path>, a: ReflectArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let (id, _) = doc_of(&store, &a.id)?;
    let (_, rid) = store.collab_change(&id, |doc, ctx, who| {
        doc.reflect(&a.worked, &a.change, &a.difficulties, who, ctx)
    })?;
    let c = store.load(&id)?.collab();
    let r = c.reflections.iter().find(|r| r.id == rid);
    if a.json {
        print_json(&json!({ "doc": id, "reflection": r }));
    } else {
        outln!("reflection recorded ({} in all)", c.reflections.len());
    }
    Ok(())
}

pub fn inbox(data: Option<&Path>, a: InboxArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    if a.read_all {
        let n = store.mark_read(None, &[])?;
        outln!("{n} marked read");
        return Ok(());
    }
    if let Some(r) = &a.read {
        let (doc, item) = match r.split_once(':') {
            Some((d, i)) => (d, vec![i.to_owned()]),
            None => (r.as_str(), Vec::new()),
        };
        let doc = store.resolve(doc)?;
        // Items are named by id and recipient; the recipient is this member.
        let me = store.me()?.member;
        let items: Vec<String> = item
            .into_iter()
            .map(|i| {
                if i.contains(':') {
                    i
                } else {
                    format!("{i}:{me}")
                }
            })
            .collect();
        let n = store.mark_read(Some(&doc), &items)?;
        outln!("{n} marked read");
        return Ok(());
    }
    let items = store.inbox(a.unread)?;
    if a.json {
        print_json(&json!({
            "unread": items.iter().filter(|i| !i.read).count(),
            "items": items,
        }));
        return Ok(());
    }
    if items.is_empty() {
        outln!(
            "{}",
            if a.unread {
                "nothing unread"
            } else {
                "nothing yet"
            }
        );
    }
    for i in &items {
        let mark = if i.read { " " } else { "●" };
        let what = match i.kind.as_str() {
            "comment" => "commented",
            "suggestion" => "suggested",
            "reply" => "replied",
            "mention" => "mentioned you",
            "decision" => "decided your suggestion",
            "stage" => "moved the stage",
            "review_request" => "asks for review",
            "review" => "review",
            "scores" => "scored",
            "best" => "marked a best version",
            "reflection" => "reflected",
            other => other,
        };
        outln!(
            "{mark} {}  {}  {} {what}: {}  [{}]",
            when(i.at),
            i.title,
            i.name,
            i.text,
            Store::short_id(&i.doc)
        );
    }
    Ok(())
}
