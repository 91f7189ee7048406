//! What the layout prints, as JSON: built by walking the kind's
//! declaration the way the app's print view does (`ui/src/print.tsx`), so
//! a field added to a kind appears in the PDF without touching this crate.
//! Every string is final (labels in the chosen language, choices as their
//! labels, dates written out); the layout only places them.

use rounds_core::Document;
use rounds_core::schema::{Field, FieldType, Lang};
use serde::Serialize;
use serde_json::Value as Json;

use crate::{Approval, Options, Version};

#[derive(Serialize)]
pub(crate) struct Data {
    pub lang: &'static str,
    /// The form's heading (`教　案`), the document's title under it, and
    /// the version of a kind with teacher-only sections (学生版/教师版).
    pub heading: &'static str,
    pub title: String,
    pub edition: Option<&'static str>,
    /// The kind's print header, two fields a row.
    pub header: Vec<Vec<Cell>>,
    pub sections: Vec<SectionData>,
    /// Top of every page: the office, and the version.
    pub running_left: String,
    pub running_right: String,
    /// Foot of every page: who approved it, and the page number as a
    /// pattern (`{page}`, `{total}`).
    pub footer_left: String,
    pub page: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Cell {
    pub label: &'static str,
    pub value: String,
}

/// One section of the form: its text fields in one row beside its name,
/// then each list field as a table of its own.
#[derive(Serialize)]
pub(crate) struct SectionData {
    pub label: &'static str,
    /// Whether the section's one field goes without its label (the section
    /// name says it).
    pub single: bool,
    /// Whether the section prints its row of text fields (it does unless
    /// it only has lists with rows).
    pub row: bool,
    pub texts: Vec<Cell>,
    pub lists: Vec<ListData>,
}

#[derive(Serialize)]
pub(crate) struct ListData {
    pub key: &'static str,
    /// The first column's heading: the section name for the section's
    /// first list when it has no text row, else the list's own label.
    pub head: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
pub(crate) struct Column {
    pub label: &'static str,
    /// Its share of the width: long text wide, short text narrower (as
    /// `columnWidths` in print.tsx).
    pub weight: f64,
    /// Numbers are centred in a narrow column of fixed width.
    pub numeric: bool,
}

pub(crate) fn build(doc: &Document, o: &Options<'_>) -> Data {
    let kind = doc.kind();
    let decl = kind.decl();
    let lang = o.lang;
    let json = doc.to_json();
    let show = |f: &Field, v: &Json| value_text(f, v, lang, o.title_of);

    let header_fields: Vec<&Field> = decl
        .print_header
        .iter()
        .filter_map(|k| kind.field(k))
        .collect();
    let header = header_fields
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|f| Cell {
                    label: f.label(lang),
                    value: show(f, &json[f.key]),
                })
                .collect()
        })
        .collect();

    let teacher = !o.student;
    let sections = kind
        .sections()
        .into_iter()
        .filter(|(s, _)| teacher || !decl.teacher_only.contains(s))
        .filter_map(|(section, fields)| {
            let fields: Vec<&Field> = fields
                .into_iter()
                .filter(|f| !decl.print_header.contains(&f.key))
                .collect();
            (!fields.is_empty())
                .then(|| section_data(section.label(lang), &fields, lang, &json, &show))
        })
        .collect();

    let versions = !decl.teacher_only.is_empty();
    let edition = versions.then_some(match (lang, o.student) {
        (Lang::Zh, true) => "学生版",
        (Lang::Zh, false) => "教师版",
        (Lang::En, true) => "Student version",
        (Lang::En, false) => "Teacher version",
    });
    let (heading_en, heading_zh) = decl.print_title;
    Data {
        lang: lang.as_str(),
        heading: pick(lang, heading_en, heading_zh),
        title: doc.title(),
        edition,
        header,
        sections,
        running_left: o.office.unwrap_or_default().to_owned(),
        running_right: o.version.map(|v| version_text(v, lang)).unwrap_or_default(),
        footer_left: o
            .approval
            .map(|a| approval_text(a, lang))
            .unwrap_or_default(),
        page: pick(
            lang,
            "Page {page} of {total}",
            "第 {page} 页 / 共 {total} 页",
        ),
    }
}

fn section_data(
    label: &'static str,
    fields: &[&'static Field],
    lang: Lang,
    json: &Json,
    show: &dyn Fn(&Field, &Json) -> String,
) -> SectionData {
    let texts: Vec<Cell> = fields
        .iter()
        .filter(|f| !matches!(f.ty, FieldType::List { .. }))
        .map(|f| Cell {
            label: f.label(lang),
            value: show(f, &json[f.key]),
        })
        .filter(|c| !c.value.trim().is_empty())
        .collect();
    let mut lists = Vec::new();
    for f in fields {
        let FieldType::List { item, .. } = f.ty else {
            continue;
        };
        let rows: Vec<Vec<String>> = json[f.key]
            .as_array()
            .map(|els| {
                els.iter()
                    .map(|el| item.iter().map(|c| show(c, &el[c.key])).collect())
                    .collect()
            })
            .unwrap_or_default();
        if rows.is_empty() {
            continue;
        }
        let head = if texts.is_empty() && lists.is_empty() {
            label
        } else {
            f.label(lang)
        };
        lists.push(ListData {
            key: f.key,
            head,
            columns: item.iter().map(|c| column(c, lang)).collect(),
            rows,
        });
    }
    SectionData {
        label,
        single: fields.len() == 1,
        row: !texts.is_empty() || lists.is_empty(),
        texts,
        lists,
    }
}

fn column(c: &'static Field, lang: Lang) -> Column {
    let (weight, numeric) = match c.ty {
        FieldType::Int { .. } | FieldType::Number { .. } => (0.8, true),
        FieldType::Text {
            multiline: true, ..
        } => (3.0, false),
        _ => (1.4, false),
    };
    Column {
        label: c.label(lang),
        weight,
        numeric,
    }
}

fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A value as the print view shows it (`printValue`): a choice by its
/// label, a date written out, a reference by its target's title (or that
/// it is not available to the reader), anything else as stored.
pub(crate) fn value_text(
    f: &Field,
    v: &Json,
    lang: Lang,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> String {
    match (&f.ty, v) {
        (_, Json::Null) => String::new(),
        (FieldType::Ref { .. }, Json::String(s)) => {
            let doc = s.split('#').next().unwrap_or_default();
            title_of(doc)
                .unwrap_or_else(|| pick(lang, "Not available to you", "你无权查看").to_owned())
        }
        (FieldType::Choice { .. }, Json::String(s)) => f
            .choice(s)
            .map_or_else(|| s.clone(), |c| c.label(lang).to_owned()),
        (FieldType::Date, Json::String(s)) => date_text(s, lang),
        (_, Json::String(s)) => s.clone(),
        // 2.0 class hours print as 2, as JavaScript's String(2) does.
        (_, Json::Number(n)) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            _ => n.to_string(),
        },
        (_, other) => other.to_string(),
    }
}

/// `YYYY-MM-DD` as printed: 2026年3月15日, or 15 Mar 2026; anything else
/// as stored.
fn date_text(s: &str, lang: Lang) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match rounds_core::time::parse_date(s) {
        Some((y, m, d)) => match lang {
            Lang::Zh => format!("{y}年{m}月{d}日"),
            Lang::En => format!("{d} {} {y}", MONTHS[(m - 1) as usize]),
        },
        None => s.to_owned(),
    }
}

fn version_text(v: &Version, lang: Lang) -> String {
    let mut s = match lang {
        Lang::Zh => format!("第 {} 版", v.number),
        Lang::En => format!("Version {}", v.number),
    };
    if !v.hash.is_empty() {
        s.push_str(&format!(" · {}", v.hash));
    }
    s
}

fn approval_text(a: &Approval, lang: Lang) -> String {
    let day = a.day.as_deref().map(|d| date_text(d, lang));
    match (lang, day) {
        (Lang::Zh, Some(d)) => format!("审核通过：{}（{d}）", a.by),
        (Lang::Zh, None) => format!("审核通过：{}", a.by),
        (Lang::En, Some(d)) => format!("Approved by {} on {d}", a.by),
        (Lang::En, None) => format!("Approved by {}", a.by),
    }
}
