//! What a document's collaboration data asks of whom: the inbox's items.
//! Derived from the data alone, so every device computes the same items
//! from the same document, whoever synced it; read state is the device's.

use serde::Serialize;

use super::read::Collab;

/// The recipient that stands for every lead teacher and office admin.
pub const DECIDERS: &str = "*deciders";

/// One thing that happened, for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Stable across devices: the entry's id and what it is.
    pub id: String,
    /// `comment`, `suggestion`, `reply`, `mention`, `decision` (of a
    /// suggestion), `stage`, `review_request`, `review`, `scores`, `best`,
    /// `reflection`.
    pub kind: String,
    pub recipient: String,
    pub by: String,
    pub name: String,
    pub at: i64,
    /// The thread it belongs to, if any.
    pub thread: String,
    /// A line to show: the text, the stage, the state.
    pub text: String,
}

fn line(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one.chars().take(140).collect();
    if one.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// Every item of the document's inbox, for every member it concerns. Items
/// for the member who caused them are left out.
pub fn events(c: &Collab) -> Vec<Event> {
    let people = c.group.as_ref().map(|g| g.people()).unwrap_or_default();
    let lead = c.group.as_ref().map(|g| g.lead.clone());
    let mut out = Vec::new();
    let mut push = |id: String,
                    kind: &str,
                    to: &[String],
                    by: &str,
                    name: &str,
                    at: i64,
                    thread: &str,
                    text: &str| {
        let mut seen: Vec<&String> = Vec::new();
        for r in to {
            if r.is_empty() || r == by || seen.contains(&r) {
                continue;
            }
            seen.push(r);
            out.push(Event {
                id: format!("{id}:{r}"),
                kind: kind.to_owned(),
                recipient: r.clone(),
                by: by.to_owned(),
                name: name.to_owned(),
                at,
                thread: thread.to_owned(),
                text: line(text),
            });
        }
    };
    for t in &c.threads {
        for (i, m) in t.messages.iter().enumerate() {
            // Mentions first, so a mentioned member gets a mention, not a
            // second item of the same message.
            push(
                format!("{}.{}", t.id, m.id),
                "mention",
                &m.mentions,
                &m.by,
                &m.name,
                m.at,
                &t.id,
                &m.body,
            );
            let mut to: Vec<String> = if i == 0 {
                people.clone()
            } else {
                let mut v = t.voices();
                v.extend(lead.iter().cloned());
                v
            };
            to.retain(|r| !m.mentions.contains(r));
            let kind = if i > 0 { "reply" } else { t.ty.as_str() };
            // A suggestion's item shows what it proposes.
            let body = match (i, t.ty.as_str(), m.body.is_empty()) {
                (0, "suggestion", true) => format!("“{}”", t.proposed),
                (0, "suggestion", false) => format!("“{}” — {}", t.proposed, m.body),
                _ => m.body.clone(),
            };
            push(
                format!("{}.{}", t.id, m.id),
                kind,
                &to,
                &m.by,
                &m.name,
                m.at,
                &t.id,
                &body,
            );
        }
        if let Some(d) = &t.decision {
            push(
                format!("{}.decision", t.id),
                "decision",
                std::slice::from_ref(&t.by),
                &d.by,
                &d.name,
                d.at,
                &t.id,
                &d.value,
            );
        }
    }
    for s in &c.stages {
        push(
            format!("stage.{}", s.id),
            "stage",
            &people,
            &s.by,
            &s.name,
            s.at,
            "",
            &s.value,
        );
    }
    for d in &c.decisions {
        let mut to = people.clone();
        if d.value == "submitted" {
            // Who decides is the office's to say (lead teachers and
            // admins), not the document's: the request is addressed to
            // that role, and a device whose member holds it shows it.
            to.push(DECIDERS.to_owned());
        }
        let kind = if d.value == "submitted" {
            "review_request"
        } else {
            "review"
        };
        // A request says what the submitter wrote; a decision, which one.
        let text = match (kind, d.note.is_empty()) {
            ("review_request", _) => d.note.clone(),
            (_, true) => d.value.clone(),
            (_, false) => format!("{}: {}", d.value, d.note),
        };
        push(
            format!("decision.{}", d.id),
            kind,
            &to,
            &d.by,
            &d.name,
            d.at,
            "",
            &text,
        );
    }
    for r in &c.reviews {
        push(
            format!("scores.{}.{}", r.reviewer, r.at),
            "scores",
            &lead.iter().cloned().collect::<Vec<_>>(),
            &r.reviewer,
            &r.name,
            r.at,
            "",
            &r.recommendation,
        );
    }
    for b in &c.best {
        push(
            format!("best.{}", b.id),
            "best",
            &people,
            &b.by,
            &b.by_name,
            b.at,
            "",
            &b.name,
        );
    }
    for r in &c.reflections {
        let text = [&r.worked, &r.change, &r.difficulties]
            .iter()
            .find(|s| !s.is_empty())
            .map(|s| s.to_string())
            .unwrap_or_default();
        push(
            format!("reflection.{}", r.id),
            "reflection",
            &people,
            &r.by,
            &r.name,
            r.at,
            "",
            &text,
        );
    }
    out
}
