//! Human-readable output: aligned tables that account for the double width
//! of Chinese characters in a terminal.

use rounds_core::doc::{HistoryEntry, Summary};
use rounds_core::schema::{DocKind, FieldType, Lang};
use rounds_core::search::is_cjk;
use rounds_store::Hit;

/// Writes to standard output. When the reader has gone away (`rounds list |
/// head`), the command stops quietly instead of panicking.
pub fn emit(s: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("rounds: cannot write output: {e}");
        std::process::exit(1);
    }
}

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if is_cjk(c)
                || ('\u{3000}'..='\u{303F}').contains(&c)
                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

pub fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(&c.to_string()) > max.saturating_sub(1) {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn when(ms: i64) -> String {
    let s = rounds_core::time::rfc3339(ms);
    format!("{} {}", &s[..10], &s[11..16])
}

pub fn print_table(rows: &[Summary]) {
    if rows.is_empty() {
        outln!("no documents");
        return;
    }
    outln!(
        "{}  {}  {}  {}  {}",
        pad("ID", 8),
        pad("KIND", 6),
        pad("UPDATED (UTC)", 16),
        pad("STATUS", 9),
        "TITLE"
    );
    for r in rows {
        outln!(
            "{}  {}  {}  {}  {}",
            rounds_store::Store::short_id(&r.id),
            pad(r.kind.short(), 6),
            when(r.updated),
            pad(r.filter("status").unwrap_or("-"), 9),
            truncate(&r.title, 60)
        );
    }
}

/// Documents made by a newer version of Rounds, after the listing: they are
/// kept and synced, but this version cannot open them.
pub fn print_carried(rows: &[rounds_store::CarriedDoc]) {
    if rows.is_empty() {
        return;
    }
    outln!(
        "\n{} document(s) made by a newer version of Rounds are kept and synced here; update Rounds to open them:",
        rows.len()
    );
    for r in rows {
        outln!(
            "{}  {}  {}  {}",
            rounds_store::Store::short_id(&r.id),
            pad(&truncate(&r.kind, 14), 14),
            when(r.updated),
            truncate(&r.title, 60)
        );
    }
}

pub fn print_hits(hits: &[Hit]) {
    if hits.is_empty() {
        outln!("no matches");
        return;
    }
    for h in hits {
        outln!(
            "{}  {}  {}",
            rounds_store::Store::short_id(&h.summary.id),
            pad(h.summary.kind.short(), 6),
            h.summary.title
        );
        let snippet: String = h
            .snippet
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect();
        outln!("          {snippet}");
    }
}

pub fn print_history(h: &[HistoryEntry]) {
    for e in h {
        outln!(
            "{:>3}  {}  {}  {}  {}",
            e.index,
            &e.hash[..10],
            when(e.time),
            pad(&e.author, 12),
            e.fields.join(", ")
        );
    }
}

pub fn print_fields(kind: DocKind) {
    for f in kind.fields() {
        let ty = match &f.ty {
            FieldType::Text {
                max,
                multiline: false,
            } => format!("text, one line, ≤ {max}"),
            FieldType::Text {
                max,
                multiline: true,
            } => format!("text, ≤ {max}"),
            FieldType::Choice { choices } => {
                format!(
                    "one of {}",
                    choices
                        .iter()
                        .map(|c| c.value)
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            }
            FieldType::Int { min, max } => format!("whole number {min}–{max}"),
            FieldType::Number { min, max } => format!("number {min}–{max}"),
            FieldType::Date => "date YYYY-MM-DD".into(),
            FieldType::Ref { kinds: [] } => "reference to a document: ID or ID#ELEMENT".into(),
            FieldType::Ref { kinds } => {
                format!("reference to a {}: ID or ID#ELEMENT", kinds.join(" or "))
            }
            FieldType::List { item, .. } => {
                format!(
                    "list of {{{}}}",
                    item.iter().map(|i| i.key).collect::<Vec<_>>().join(", ")
                )
            }
        };
        outln!("{}  {}  {}", pad(f.key, 18), pad(f.label(Lang::Zh), 18), ty);
    }
}
