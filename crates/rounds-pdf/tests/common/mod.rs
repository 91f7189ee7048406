//! What the PDF tests share: sample documents, and the text of a PDF as
//! poppler's `pdftotext` reads it back.

#![allow(dead_code)]

use std::io::Write;
use std::process::Command;

use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use rounds_core::{Document, testing};
use serde_json::Value as Json;

/// Every sample of every kind, as a document.
pub fn samples() -> Vec<(&'static str, Document)> {
    rounds_core::samples::all()
        .into_iter()
        .enumerate()
        .map(|(i, (name, text))| (name, from_json(&format!("s{i}"), text)))
        .collect()
}

pub fn sample(name: &str) -> Document {
    let (_, text) = rounds_core::samples::all()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no sample {name}"));
    from_json("s", text)
}

/// A document made from JSON as `rounds import` reads it.
pub fn from_json(id: &str, text: &str) -> Document {
    let mut v: Json = serde_json::from_str(text).unwrap();
    let kind = DocKind::parse(v["kind"].as_str().unwrap()).unwrap();
    let title = v["title"].as_str().unwrap().to_owned();
    let lang = Lang::parse(v["language"].as_str().unwrap_or("zh")).unwrap();
    let obj = v.as_object_mut().unwrap();
    for k in rounds_core::doc::RESERVED_KEYS {
        if *k != "tags" {
            obj.remove(*k);
        }
    }
    // A UUID from the name, so each test's documents differ.
    let hex: String = id.bytes().take(6).map(|b| format!("{b:02x}")).collect();
    testing::doc(&format!("00000000-0000-7000-8000-{hex:0>12}"), kind, &title)
        .language(lang)
        .fields(v)
        .create()
}

/// The text of a PDF in the order it was laid out (`pdftotext -raw`),
/// one string per page.
pub fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(f.path())
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext (poppler-utils; scripts/setup.sh installs it) could not run: {e}")
        });
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Text without whitespace and hyphens: line breaks fall wherever the
/// layout put them (English labels are hyphenated to fit their column),
/// and CJK text has no spaces to keep.
pub fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{ad}'))
        .collect()
}

/// A value as the print view shows it, written here from the declaration
/// and not with the crate's own code: a choice by its label, a date
/// written out, a whole number without a decimal point.
pub fn shown(f: &Field, v: &Json, lang: Lang) -> String {
    match (&f.ty, v) {
        (_, Json::Null) => String::new(),
        (FieldType::Choice { .. }, Json::String(s)) => f.choice(s).unwrap().label(lang).to_owned(),
        (FieldType::Date, Json::String(s)) => {
            let (y, m, d) = rounds_core::time::parse_date(s).unwrap();
            match lang {
                Lang::Zh => format!("{y}年{m}月{d}日"),
                Lang::En => {
                    let months = [
                        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                        "Nov", "Dec",
                    ];
                    format!("{d} {} {y}", months[m as usize - 1])
                }
            }
        }
        (_, Json::String(s)) => s.clone(),
        (_, Json::Number(n)) if n.as_f64().is_some_and(|x| x.fract() == 0.0) => {
            format!("{}", n.as_f64().unwrap() as i64)
        }
        (_, other) => other.to_string(),
    }
}

/// What the printout of `doc` must show, in order, by the print view's
/// rules read off the kind's declaration: the heading and title; the print
/// header's labels and values; then each section (a student's copy leaves
/// out the teacher-only ones) by its name, its text fields (label and
/// value; a field alone in its section goes without its label), then its
/// lists, each headed by its label (the first by the section's name when
/// the section has no text to show) with its column labels and every
/// row's values.
pub fn expected(doc: &Document, lang: Lang, student: bool) -> Vec<String> {
    let kind = doc.kind();
    let decl = kind.decl();
    let json = doc.to_json();
    let (en, zh) = decl.print_title;
    let mut out = vec![
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
        .to_owned(),
        doc.title(),
    ];
    for k in decl.print_header {
        let f = kind.field(k).unwrap();
        out.push(f.label(lang).to_owned());
        out.push(shown(f, &json[f.key], lang));
    }
    for (section, fields) in kind.sections() {
        if student && decl.teacher_only.contains(&section) {
            continue;
        }
        let fields: Vec<&Field> = fields
            .into_iter()
            .filter(|f| !decl.print_header.contains(&f.key))
            .collect();
        if fields.is_empty() {
            continue;
        }
        let is_list = |f: &&Field| matches!(f.ty, FieldType::List { .. });
        let texts: Vec<&Field> = fields
            .iter()
            .copied()
            .filter(|f| !is_list(f) && !shown(f, &json[f.key], lang).trim().is_empty())
            .collect();
        let lists: Vec<&Field> = fields
            .iter()
            .copied()
            .filter(|f| is_list(f) && json[f.key].as_array().is_some_and(|a| !a.is_empty()))
            .collect();
        if !texts.is_empty() || lists.is_empty() {
            out.push(section.label(lang).to_owned());
        }
        for f in &texts {
            if fields.len() > 1 {
                out.push(f.label(lang).to_owned());
            }
            out.push(shown(f, &json[f.key], lang));
        }
        for (i, f) in lists.iter().enumerate() {
            let FieldType::List { item, .. } = f.ty else {
                unreachable!()
            };
            out.push(if texts.is_empty() && i == 0 {
                section.label(lang).to_owned()
            } else {
                f.label(lang).to_owned()
            });
            out.extend(item.iter().map(|c| c.label(lang).to_owned()));
            for row in json[f.key].as_array().unwrap() {
                out.extend(item.iter().map(|c| shown(c, &row[c.key], lang)));
            }
        }
    }
    out.retain(|s| !s.trim().is_empty());
    out
}

/// Checks that `text` holds each of `wanted` in order (whitespace
/// ignored), and says where it lost the thread.
pub fn assert_in_order(text: &str, wanted: &[String], what: &str) {
    let hay = squeeze(text);
    let mut at = 0;
    for w in wanted {
        let w = squeeze(w);
        match hay[at..].find(&w) {
            Some(i) => at += i + w.len(),
            None => {
                let found_earlier = hay.contains(&w);
                let around: String = hay[at..].chars().take(120).collect();
                panic!(
                    "{what}: `{w}` is not where it should be ({}); the text goes on: {around}",
                    if found_earlier {
                        "it appears, out of order"
                    } else {
                        "it does not appear at all"
                    }
                );
            }
        }
    }
}

/// The text of every page joined, without the page numbers, which break
/// into text that runs over a page. (Renderings checked this way print no
/// office, version or approval.)
pub fn body_text(pages: &[String]) -> String {
    pages
        .iter()
        .map(|p| {
            p.lines()
                .filter(|l| !is_page_number(&squeeze(l)))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_page_number(l: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let numbers = |s: Option<(&str, &str)>| s.is_some_and(|(a, b)| digits(a) && digits(b));
    let zh = l
        .strip_prefix("第")
        .and_then(|r| r.strip_suffix("页"))
        .map(|r| r.split_once("页/共"));
    let en = l.strip_prefix("Page").map(|r| r.split_once("of"));
    numbers(zh.flatten()) || numbers(en.flatten())
}
