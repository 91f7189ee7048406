//! A document as an editable Word file in the 教案 table layout, as the
//! print view lays it out: the kind's heading and the title, the header
//! fields as a grid of two label/value pairs per row, then each section as
//! a heading and a table of label and value cells, each list field as a
//! table of its own with a header row. A kind with teacher-only sections
//! is written as a teacher or a student version (the student's leaves them
//! out), like print.

use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Shading, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};
use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use serde_json::Value as Json;

use crate::{DocxError, VERSIONS};

/// Which printed version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    #[default]
    Teacher,
    /// Without the kind's teacher-only sections.
    Student,
}

pub struct ExportOptions<'a> {
    /// The language of labels, choices and dates.
    pub lang: Lang,
    pub version: Version,
    /// A referenced document's title, or `None` when the reader may not
    /// see it (as Markdown export and print show references).
    pub title_of: &'a dyn Fn(&str) -> Option<String>,
}

/// Word's A4 text width with its default margins, in twentieths of a point.
const WIDTH: usize = 9_070;
/// The label column's share of a section table.
const LABEL: usize = 1_900;
/// 五号 (10.5 pt), the body size of Chinese forms, in half-points.
const BODY: usize = 21;
const LABEL_FILL: &str = "EDEDED";

/// Chinese text in SimSun (宋体), Latin in Times New Roman: what teachers'
/// forms use, and fonts every Chinese Windows has. Word and WPS pick the
/// font by script from these.
fn fonts() -> RunFonts {
    RunFonts::new()
        .east_asia("SimSun")
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
}

/// Writes `doc` (a document's JSON, as `Document::to_json` gives it).
pub fn export(doc: &Json, opts: &ExportOptions<'_>) -> Result<Vec<u8>, DocxError> {
    let kind_name = doc["kind"].as_str().unwrap_or_default();
    let kind = DocKind::named(kind_name).ok_or_else(|| DocxError::UnknownKind(kind_name.into()))?;
    let lang = opts.lang;
    let d = kind.decl();
    let mut docx = Docx::new()
        .default_fonts(fonts())
        .default_size(BODY)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .fonts(fonts())
                .size(36)
                .bold()
                .align(AlignmentType::Center),
        )
        .add_style(heading("Heading1", "heading 1", 0, 28))
        .add_style(heading("Heading2", "heading 2", 1, 24));
    docx = docx.add_paragraph(para(pick(d.print_title, lang), true).style("Title"));
    docx = docx.add_paragraph(
        para(doc["title"].as_str().unwrap_or_default(), true)
            .style("Heading1")
            .align(AlignmentType::Center),
    );
    if !d.teacher_only.is_empty() {
        let (en, zh) = match opts.version {
            Version::Teacher => VERSIONS[0],
            Version::Student => VERSIONS[1],
        };
        docx = docx.add_paragraph(para(pick((en, zh), lang), false).align(AlignmentType::Center));
    }

    let header: Vec<&Field> = d
        .print_header
        .iter()
        .filter_map(|k| kind.field(k))
        .collect();
    if !header.is_empty() {
        docx = docx.add_table(header_grid(&header, doc, opts));
    }
    for (section, fields) in kind.sections() {
        if opts.version == Version::Student && d.teacher_only.contains(&section) {
            continue;
        }
        let fields: Vec<&Field> = fields
            .into_iter()
            .filter(|f| !d.print_header.contains(&f.key))
            .collect();
        if fields.is_empty() {
            continue;
        }
        docx = docx.add_paragraph(para(section.label(lang), true).style("Heading1"));
        let rows: Vec<TableRow> = fields
            .iter()
            .filter(|f| !matches!(f.ty, FieldType::List { .. }))
            .map(|f| {
                TableRow::new(vec![
                    label_cell(f.label(lang), LABEL),
                    value_cell(&display(f, &doc[f.key], opts), WIDTH - LABEL),
                ])
            })
            .collect();
        if !rows.is_empty() {
            docx = docx.add_table(table(rows, vec![LABEL, WIDTH - LABEL]));
        }
        for f in fields {
            if let FieldType::List { item, .. } = f.ty {
                docx = docx.add_paragraph(para(f.label(lang), true).style("Heading2"));
                docx = docx.add_table(list_table(item, &doc[f.key], opts));
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| DocxError::Write(e.to_string()))?;
    Ok(out.into_inner())
}

fn heading(id: &str, name: &str, level: usize, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .outline_lvl(level)
        .fonts(fonts())
        .size(size)
        .bold()
}

fn pick(labels: (&'static str, &'static str), lang: Lang) -> &'static str {
    match lang {
        Lang::En => labels.0,
        Lang::Zh => labels.1,
    }
}

fn run(text: &str, bold: bool) -> Run {
    let r = Run::new().add_text(text).fonts(fonts()).size(BODY);
    if bold { r.bold() } else { r }
}

fn para(text: &str, bold: bool) -> Paragraph {
    Paragraph::new().add_run(run(text, bold))
}

fn label_cell(text: &str, width: usize) -> TableCell {
    TableCell::new()
        .add_paragraph(para(text, true))
        .shading(Shading::new().fill(LABEL_FILL))
        .width(width, WidthType::Dxa)
}

/// A value cell: a paragraph per line, so Word shows the lines as typed
/// and an import reads them back as they were.
fn value_cell(text: &str, width: usize) -> TableCell {
    let mut c = TableCell::new().width(width, WidthType::Dxa);
    for line in text.split('\n') {
        c = c.add_paragraph(para(line, false));
    }
    c
}

fn table(rows: Vec<TableRow>, grid: Vec<usize>) -> Table {
    Table::new(rows).set_grid(grid).width(WIDTH, WidthType::Dxa)
}

/// The header fields two pairs to a row, as on the printed form; a last
/// odd field's value spans the row.
fn header_grid(fields: &[&Field], doc: &Json, opts: &ExportOptions<'_>) -> Table {
    let value = (WIDTH - 2 * LABEL) / 2;
    let rows = fields
        .chunks(2)
        .map(|pair| {
            let mut cells = Vec::new();
            for f in pair {
                cells.push(label_cell(f.label(opts.lang), LABEL));
                let mut v = value_cell(&display(f, &doc[f.key], opts), value);
                if pair.len() == 1 {
                    v = v.grid_span(3).width(WIDTH - LABEL, WidthType::Dxa);
                }
                cells.push(v);
            }
            TableRow::new(cells)
        })
        .collect();
    table(rows, vec![LABEL, value, LABEL, value])
}

/// A list as a table: a header row of its columns' labels, then a row per
/// element (an empty one to fill in when the list is empty).
fn list_table(item: &[Field], v: &Json, opts: &ExportOptions<'_>) -> Table {
    let weights: Vec<usize> = item.iter().map(column_weight).collect();
    let total: usize = weights.iter().sum();
    let grid: Vec<usize> = weights.iter().map(|w| WIDTH * w / total).collect();
    let mut rows = vec![TableRow::new(
        item.iter()
            .zip(&grid)
            .map(|(i, w)| label_cell(i.label(opts.lang), *w))
            .collect(),
    )];
    let els = v.as_array().cloned().unwrap_or_default();
    for el in &els {
        rows.push(TableRow::new(
            item.iter()
                .zip(&grid)
                .map(|(i, w)| value_cell(&display(i, &el[i.key], opts), *w))
                .collect(),
        ));
    }
    if els.is_empty() {
        rows.push(TableRow::new(
            grid.iter().map(|w| value_cell("", *w)).collect(),
        ));
    }
    table(rows, grid)
}

/// Numbers narrow, long text wide (as print's column widths).
fn column_weight(f: &Field) -> usize {
    match f.ty {
        FieldType::Int { .. } | FieldType::Number { .. } => 8,
        FieldType::Text {
            multiline: true, ..
        } => 30,
        _ => 14,
    }
}

/// A value as the form shows it: choices by their label, dates in the
/// language's form, references by their target's title.
fn display(f: &Field, v: &Json, opts: &ExportOptions<'_>) -> String {
    let lang = opts.lang;
    match (&f.ty, v) {
        (_, Json::Null) => String::new(),
        (FieldType::Choice { .. }, Json::String(s)) => f
            .choice(s)
            .map_or_else(|| s.clone(), |c| c.label(lang).to_owned()),
        (FieldType::Date, Json::String(s)) => match (lang, rounds_core::time::parse_date(s)) {
            (Lang::Zh, Some((y, m, d))) => format!("{y}年{m}月{d}日"),
            _ => s.clone(),
        },
        (FieldType::Ref { .. }, Json::String(s)) => match rounds_core::refs::Target::parse(s) {
            Some(t) => match (opts.title_of)(&t.doc) {
                Some(title) => format!("→ {title}"),
                None => match lang {
                    Lang::Zh => "→ （你无权查看）".to_owned(),
                    Lang::En => "→ (not available to you)".to_owned(),
                },
            },
            None => String::new(),
        },
        (FieldType::Number { .. }, Json::Number(n)) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
            _ => n.to_string(),
        },
        (_, Json::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}
