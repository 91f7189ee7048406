//! A document as Markdown, in its own language, laid out like the printed form.

use serde_json::Value as Json;

use crate::doc::{Document, sections};
use crate::schema::{Field, FieldType, Lang};

/// Renders the document as Markdown with labels in `lang`; references
/// show their target's id (see [`to_markdown_with`]).
pub fn to_markdown(doc: &Document, lang: Lang) -> String {
    to_markdown_with(doc, lang, &|id| Some(id.to_owned()))
}

/// Renders the document as Markdown with labels in `lang`; a reference
/// shows the target's title, or says the target is not available to the
/// reader when `title` gives `None` (the caller knows what the reader may
/// see; the core does not).
pub fn to_markdown_with(
    doc: &Document,
    lang: Lang,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> String {
    let json = doc.to_json();
    let mut out = String::new();
    let title = json["title"].as_str().unwrap_or_default();
    out.push_str(&format!("# {}\n\n", escape_line(title)));
    let kind = doc.kind();
    let tags: Vec<&str> = json["tags"]
        .as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let mut meta = vec![kind.label(lang).to_owned()];
    if let Some(a) = json["author"].as_str().filter(|a| !a.is_empty()) {
        meta.push(a.to_owned());
    }
    if let Some(u) = json["updated"].as_str() {
        meta.push(u.to_owned());
    }
    if !tags.is_empty() {
        meta.push(tags.join(", "));
    }
    out.push_str(&format!("> {}\n\n", meta.join(" · ")));
    for (section, fields) in sections(kind) {
        let mut body = String::new();
        let scalars: Vec<&Field> = fields.iter().copied().filter(|f| !is_block(f)).collect();
        let rows: Vec<(String, String)> = scalars
            .iter()
            .filter_map(|f| {
                display_scalar(f, &json[f.key], lang, title_of)
                    .map(|v| (f.label(lang).to_owned(), v))
            })
            .collect();
        if !rows.is_empty() {
            body.push_str(&table(
                &[
                    match lang {
                        Lang::Zh => "项目",
                        Lang::En => "Item",
                    },
                    match lang {
                        Lang::Zh => "内容",
                        Lang::En => "Value",
                    },
                ],
                &rows
                    .iter()
                    .map(|(a, b)| vec![a.clone(), b.clone()])
                    .collect::<Vec<_>>(),
            ));
            body.push('\n');
        }
        for f in fields.iter().copied().filter(|f| is_block(f)) {
            let v = &json[f.key];
            match &f.ty {
                FieldType::Text { .. } => {
                    if let Some(t) = v.as_str().filter(|t| !t.trim().is_empty()) {
                        body.push_str(&format!("### {}\n\n{}\n\n", f.label(lang), t.trim()));
                    }
                }
                FieldType::List { item, .. } => {
                    let els = v.as_array().cloned().unwrap_or_default();
                    if els.is_empty() {
                        continue;
                    }
                    let header: Vec<&str> = item.iter().map(|i| i.label(lang)).collect();
                    let rows: Vec<Vec<String>> = els
                        .iter()
                        .map(|el| {
                            item.iter()
                                .map(|i| {
                                    display_scalar(i, &el[i.key], lang, title_of)
                                        .unwrap_or_default()
                                })
                                .collect()
                        })
                        .collect();
                    body.push_str(&format!("### {}\n\n", f.label(lang)));
                    body.push_str(&table(&header, &rows));
                    body.push('\n');
                }
                _ => {}
            }
        }
        if !body.is_empty() {
            out.push_str(&format!("## {}\n\n{}", section.label(lang), body));
        }
    }
    out
}

fn is_block(f: &Field) -> bool {
    matches!(
        f.ty,
        FieldType::List { .. }
            | FieldType::Text {
                multiline: true,
                ..
            }
    )
}

fn display_scalar(
    f: &Field,
    v: &Json,
    lang: Lang,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let s = match (&f.ty, v) {
        (_, Json::Null) => return None,
        (FieldType::Ref { .. }, Json::String(s)) => match crate::refs::Target::parse(s) {
            Some(t) => match title_of(&t.doc) {
                Some(name) => format!("→ {name}"),
                None => match lang {
                    Lang::Zh => "→ （你无权查看）".to_owned(),
                    Lang::En => "→ (not available to you)".to_owned(),
                },
            },
            None => return None,
        },
        (FieldType::Choice { .. }, Json::String(s)) => f
            .choice(s)
            .map_or_else(|| s.clone(), |c| c.label(lang).to_owned()),
        (_, Json::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    };
    (!s.trim().is_empty()).then_some(s)
}

fn escape_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn escape_cell(s: &str) -> String {
    s.trim()
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| escape_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
