//! Mapping a Word document's blocks onto a kind's fields.
//!
//! Three layouts are understood, in any mix: label cells beside value
//! cells (one or several pairs per row, or a label row above its value
//! row), list tables whose header row names a list field's columns (the
//! teaching process), and headings or `label：value` lines followed by
//! paragraphs. Every piece of text ends in exactly one of: a field, the
//! title, the labels recognised, or the notes.

use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use crate::labels::{Index, MAX_LABEL, NOTES, Target, norm, strip_marker};
use crate::read::{Block, Cell, Table};
use crate::values::{choice_words, clean_text, convert};
use crate::{DocxError, ImportOptions};

/// What an import would make: the document's title, language and field
/// values, and where each piece of the source went.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub kind: DocKind,
    pub title: String,
    pub language: Lang,
    /// The field values, as `Store::create` takes them.
    pub fields: Map<String, Json>,
    /// Which source text went into which field, in document order.
    pub placed: Vec<Placed>,
    /// Text that fits no field, kept in the kind's notes field.
    pub notes: Vec<String>,
    /// Source text read as labels and headings (layout, not content).
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Placed {
    /// `title`, a field key, or `list[row].column`.
    pub field: String,
    /// The label it stood beside, if any.
    pub label: Option<String>,
    pub text: String,
}

impl Preview {
    /// The fields that received text (keys, without list positions).
    pub fn fields_filled(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.placed {
            let key = p.field.split(['[', '.']).next().unwrap_or("").to_owned();
            if !out.contains(&key) {
                out.push(key);
            }
        }
        out
    }
}

/// Where unlabelled text goes: the field or section last named.
#[derive(Clone, Copy, Default)]
struct Context {
    field: Option<&'static Field>,
    section: Option<&'static str>,
}

struct Importer {
    ix: Index,
    fields: Map<String, Json>,
    placed: Vec<Placed>,
    notes: Vec<String>,
    labels: Vec<String>,
    title: Option<String>,
    /// The first line of the document, before any label or table: its
    /// title unless a label names another.
    first_line: Option<String>,
    structure: bool,
    ctx: Context,
}

pub fn import_blocks(blocks: &[Block], opts: &ImportOptions<'_>) -> Result<Preview, DocxError> {
    let kind = opts.kind.unwrap_or_else(|| detect_kind(blocks));
    let mut im = Importer {
        ix: Index::new(kind),
        fields: Map::new(),
        placed: Vec::new(),
        notes: Vec::new(),
        labels: Vec::new(),
        title: None,
        first_line: None,
        structure: false,
        ctx: Context::default(),
    };
    for b in blocks {
        match b {
            Block::Para(p) => {
                // A heading that names no field starts text that belongs
                // to none (`附：病例资料`): it goes to notes, not into the
                // field above.
                let t = p.text.trim();
                if p.heading
                    && im.structure
                    && im.ix.label(t).is_none()
                    && im.inline_pairs(t).is_none()
                {
                    im.ctx = Context::default();
                }
                for line in p.text.split('\n') {
                    im.line(line);
                }
            }
            Block::Table(t) => {
                im.structure = true;
                im.table(t);
            }
        }
    }
    im.finish(blocks, opts)
}

/// The kind a document names near its top (`教　案`, `Teaching Case`);
/// a lesson plan when none does.
fn detect_kind(blocks: &[Block]) -> DocKind {
    let top = blocks.iter().take(6).filter_map(|b| match b {
        Block::Para(p) => Some(norm(&p.text)),
        Block::Table(_) => None,
    });
    for line in top {
        for k in DocKind::all() {
            let d = k.decl();
            if [d.print_title.0, d.print_title.1, d.zh, d.en]
                .iter()
                .any(|l| norm(l) == line)
            {
                return k;
            }
        }
    }
    DocKind::LESSON_PLAN
}

impl Importer {
    /// One line of a paragraph, or of a cell no label stands beside.
    fn line(&mut self, raw: &str) {
        let line = raw.trim();
        if line.is_empty() {
            return;
        }
        if let Some(t) = self.ix.label(line) {
            self.labels.push(line.to_owned());
            self.name(t);
            return;
        }
        if let Some(pairs) = self.inline_pairs(line) {
            let mut last = None;
            for (label, t, value) in pairs {
                self.labels.push(label.to_owned());
                last = Some(t);
                if value.trim().is_empty() {
                    self.name(t);
                } else {
                    self.assign(t, value, Some(label));
                }
            }
            // Lines after `教学目标：…` continue it; after `学时：2`, the
            // one-line value is complete.
            if let Some(Target::Field(f)) = last
                && !is_block(f)
            {
                self.ctx.field = None;
            }
            return;
        }
        if !self.structure && self.first_line.is_none() && line.chars().count() <= 200 {
            self.first_line = Some(line.to_owned());
            self.structure = true;
            return;
        }
        self.structure = true;
        self.unlabelled(line);
    }

    /// Text under the field or section last named, else notes.
    fn unlabelled(&mut self, text: &str) {
        if let Some(f) = self.ctx.field {
            self.assign(Target::Field(f), text, None);
        } else if let Some(s) = self.ctx.section {
            match self.section_default(s) {
                Some(f) => self.assign(Target::Field(f), text, None),
                None => self.note(None, text),
            }
        } else {
            self.note(None, text);
        }
    }

    /// A label with no value beside it names where the text below goes.
    fn name(&mut self, t: Target) {
        match t {
            Target::Field(f) => {
                self.ctx.field = Some(f);
                self.ctx.section = Some(f.section.key);
            }
            Target::Section(s) => {
                self.ctx = Context {
                    field: None,
                    section: Some(s),
                };
            }
            Target::Title | Target::Marker => {}
        }
        if t != Target::Marker {
            self.structure = true;
        }
    }

    /// `课程：儿科学　章节：第三节`: the label/value pairs of a line that
    /// starts with a label and a colon, split where another label and
    /// colon follow a space or semicolon.
    fn inline_pairs<'a>(&self, line: &'a str) -> Option<Vec<(&'a str, Target, &'a str)>> {
        let mut pairs: Vec<(&'a str, Target, &'a str)> = Vec::new();
        let mut pos = 0;
        let mut value_start = 0;
        while pos < line.len() {
            let rest = &line[pos..];
            let at_start = pos == 0
                || line[..pos].ends_with(|c: char| c.is_whitespace() || "；;，,。".contains(c));
            if at_start && let Some((label, t, skip)) = self.label_colon(rest) {
                if let Some(last) = pairs.last_mut() {
                    last.2 = line[value_start..pos].trim();
                }
                pairs.push((label, t, ""));
                pos += skip;
                value_start = pos;
                continue;
            }
            if pairs.is_empty() {
                return None;
            }
            pos += rest.chars().next().map_or(1, char::len_utf8);
        }
        if let Some(last) = pairs.last_mut() {
            last.2 = line[value_start..].trim();
        }
        Some(pairs)
    }

    /// A label followed by a colon at the start of `s`: the label, what
    /// it names, and the bytes up to the value.
    fn label_colon<'a>(&self, s: &'a str) -> Option<(&'a str, Target, usize)> {
        let colon = s.find(['：', ':'])?;
        let label = &s[..colon];
        if label.chars().count() > MAX_LABEL {
            return None;
        }
        let t = self.ix.label(label)?;
        let width = s[colon..].chars().next().map_or(1, char::len_utf8);
        Some((label.trim(), t, colon + width))
    }

    /// The field a section's unlabelled text goes to: its first text or
    /// list field.
    fn section_default(&self, section: &str) -> Option<&'static Field> {
        self.ix.kind.fields().iter().find(|f| {
            f.section.key == section
                && matches!(f.ty, FieldType::Text { .. } | FieldType::List { .. })
        })
    }

    fn assign(&mut self, t: Target, text: &str, label: Option<&str>) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match t {
            Target::Marker => self.note(label, text),
            Target::Title => {
                if self.title.is_none() && !text.contains('\n') {
                    self.title = Some(text.to_owned());
                    self.place("title", label, text);
                } else {
                    self.note(label, text);
                }
            }
            Target::Section(s) => {
                let saved = self.ctx;
                self.ctx = Context {
                    field: None,
                    section: Some(s),
                };
                for l in text.lines() {
                    self.line(l);
                }
                self.ctx = saved;
            }
            Target::Field(f) => self.assign_field(f, text, label),
        }
    }

    fn assign_field(&mut self, f: &'static Field, text: &str, label: Option<&str>) {
        let label = label.or(Some(f.zh));
        match &f.ty {
            FieldType::List { item, .. } => {
                // Text for a list: a row per line, in its first paragraph
                // column (or first text column); choices named in the line
                // (`掌握`, `知识`) fill the row's choice columns too.
                let col = item
                    .iter()
                    .find(|i| {
                        matches!(
                            i.ty,
                            FieldType::Text {
                                multiline: true,
                                ..
                            }
                        )
                    })
                    .or_else(|| item.iter().find(|i| matches!(i.ty, FieldType::Text { .. })));
                let Some(col) = col else {
                    self.note(label, text);
                    return;
                };
                for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let body = strip_marker(l);
                    let mut row = Map::new();
                    let n = self.list_len(f.key);
                    for i in *item {
                        if let FieldType::Choice { choices } = i.ty {
                            let ln = norm(body);
                            let hit: Vec<_> = choices
                                .iter()
                                .filter(|c| choice_words(c).iter().any(|w| ln.contains(w)))
                                .collect();
                            if let [c] = hit.as_slice() {
                                row.insert(i.key.into(), json!(c.value));
                            }
                        }
                    }
                    match convert(col, body) {
                        Some(c) if c.exact => {
                            row.insert(col.key.into(), c.value);
                            self.place(&format!("{}[{n}].{}", f.key, col.key), label, l);
                            self.push_row(f, Json::Object(row));
                        }
                        _ => self.note(label, l),
                    }
                }
            }
            FieldType::Text { multiline, .. } => {
                let joined = match self.fields.get(f.key).and_then(Json::as_str) {
                    Some(old) if *multiline => format!("{old}\n{text}"),
                    Some(old) => format!("{old} {text}"),
                    None => text.to_owned(),
                };
                match convert(f, &joined) {
                    Some(c) if c.exact => {
                        self.fields.insert(f.key.into(), c.value);
                        self.place(f.key, label, text);
                    }
                    _ => self.note(label, text),
                }
            }
            _ => {
                let taken = self.fields.contains_key(f.key);
                match convert(f, text) {
                    Some(c) if !taken => {
                        self.fields.insert(f.key.into(), c.value);
                        self.place(f.key, label, text);
                        if !c.exact {
                            self.note(label, text);
                        }
                    }
                    _ => self.note(label, text),
                }
            }
        }
    }

    fn list_len(&self, key: &str) -> usize {
        self.fields
            .get(key)
            .and_then(Json::as_array)
            .map_or(0, Vec::len)
    }

    fn push_row(&mut self, f: &Field, row: Json) {
        let v = self
            .fields
            .entry(f.key)
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Some(a) = v.as_array_mut() {
            a.push(row);
        }
    }

    fn place(&mut self, field: &str, label: Option<&str>, text: &str) {
        self.placed.push(Placed {
            field: field.to_owned(),
            label: label.map(str::to_owned),
            text: text.to_owned(),
        });
    }

    fn note(&mut self, label: Option<&str>, text: &str) {
        self.notes.push(match label {
            Some(l) => format!("{l}：{text}"),
            None => text.to_owned(),
        });
    }

    fn table(&mut self, t: &Table) {
        let mut list: Option<ListCols> = None;
        for row in &t.rows {
            if let Some(cols) = &list {
                if self.is_item_row(cols, row) {
                    let cols = cols.clone();
                    self.item_row(&cols, row);
                    continue;
                }
                list = None;
            }
            if let Some(cols) = self.list_header(row) {
                for c in row {
                    let text = c.text();
                    if !text.is_empty() {
                        self.labels.push(text);
                    }
                }
                self.ctx = Context {
                    field: Some(cols.field),
                    section: Some(cols.field.section.key),
                };
                list = Some(cols);
                continue;
            }
            self.label_row(row);
        }
        // What follows a table without a heading of its own belongs to
        // none of its fields: it is the notes' unless a label names it.
        self.ctx = Context::default();
    }

    /// A row of label and value cells (or unlabelled cells).
    fn label_row(&mut self, row: &[Cell]) {
        let cells: Vec<String> = row
            .iter()
            .map(Cell::text)
            .filter(|t| !t.is_empty())
            .collect();
        let mut i = 0;
        while i < cells.len() {
            let c = &cells[i];
            match self.ix.label(c) {
                Some(t) => {
                    self.labels.push(c.clone());
                    let value = cells.get(i + 1).filter(|v| self.ix.label(v).is_none());
                    match value {
                        Some(v) if t != Target::Marker => {
                            self.ctx.field = None;
                            self.assign(t, v, Some(c));
                            i += 2;
                        }
                        _ => {
                            self.name(t);
                            i += 1;
                        }
                    }
                }
                None => {
                    for l in c.lines() {
                        self.line(l);
                    }
                    i += 1;
                }
            }
        }
    }

    /// A header row naming at least two columns of one list field, more
    /// than it names top-level fields.
    fn list_header(&self, row: &[Cell]) -> Option<ListCols> {
        let texts: Vec<String> = row.iter().map(Cell::text).collect();
        let tops = texts
            .iter()
            .filter(|t| matches!(self.ix.label(t), Some(Target::Field(_) | Target::Title)))
            .count();
        let lists = self
            .ix
            .kind
            .fields()
            .iter()
            .filter(|f| matches!(f.ty, FieldType::List { .. }));
        let mut best: Option<(usize, u8, &'static Field)> = None;
        for f in lists {
            let hits = texts
                .iter()
                .filter(|t| self.ix.item(f.key, t).is_some())
                .count();
            // The list a label just named wins ties, then one still empty.
            let pref = if self.ctx.field.is_some_and(|c| c.key == f.key) {
                2
            } else if self.list_len(f.key) == 0 {
                1
            } else {
                0
            };
            if hits >= 2 && hits > tops && best.is_none_or(|(h, p, _)| (hits, pref) > (h, p)) {
                best = Some((hits, pref, f));
            }
        }
        let (_, _, field) = best?;
        let mut cols = Vec::new();
        let mut start = 0;
        for (c, text) in row.iter().zip(&texts) {
            cols.push((
                start,
                start + c.span,
                self.ix.item(field.key, text),
                text.clone(),
            ));
            start += c.span;
        }
        Some(ListCols { field, cols })
    }

    /// Whether a row under a list header is one of its rows: not when it
    /// is one cell across the table, nor when its first cell is a field's
    /// label and the list has few columns (a label/value row).
    fn is_item_row(&self, cols: &ListCols, row: &[Cell]) -> bool {
        if row.len() < 2 {
            return false;
        }
        let first_is_label = row.first().is_some_and(|c| {
            matches!(
                self.ix.label(&c.text()),
                Some(Target::Field(_) | Target::Section(_) | Target::Title)
            )
        });
        !(first_is_label && (cols.cols.len() < 3 || row.len() != cols.cols.len()))
    }

    fn item_row(&mut self, cols: &ListCols, row: &[Cell]) {
        let f = cols.field;
        let n = self.list_len(f.key);
        let mut values: Map<String, Json> = Map::new();
        let mut texts: Vec<(&'static Field, String, String)> = Vec::new();
        let mut start = 0;
        for c in row {
            let text = c.text();
            let col = cols
                .cols
                .iter()
                .find(|(s, e, ..)| (*s..*e).contains(&start));
            start += c.span;
            if text.is_empty() {
                continue;
            }
            match col {
                Some((_, _, Some(item), header)) => {
                    match texts.iter_mut().find(|(i, ..)| i.key == item.key) {
                        Some((_, _, t)) => {
                            t.push('\n');
                            t.push_str(&text);
                        }
                        None => texts.push((item, header.clone(), text)),
                    }
                }
                Some((_, _, None, header)) if !header.is_empty() => {
                    self.note(Some(&format!("{}[{}]·{header}", f.zh, n + 1)), &text)
                }
                _ => self.note(Some(f.zh), &text),
            }
        }
        if texts.is_empty() {
            return;
        }
        for (item, header, text) in texts {
            let label = format!("{}[{}]·{header}", f.zh, n + 1);
            match convert(item, &text) {
                Some(c) => {
                    values.insert(item.key.into(), c.value);
                    self.place(
                        &format!("{}[{n}].{}", f.key, item.key),
                        Some(&header),
                        &text,
                    );
                    if !c.exact {
                        self.note(Some(&label), &text);
                    }
                }
                None => self.note(Some(&label), &text),
            }
        }
        self.push_row(f, Json::Object(values));
    }

    fn finish(mut self, blocks: &[Block], opts: &ImportOptions<'_>) -> Result<Preview, DocxError> {
        let kind = self.ix.kind;
        let title = match (self.title.take(), self.first_line.take()) {
            (Some(t), first) => {
                if let Some(first) = first {
                    self.note(None, &first);
                }
                t
            }
            (None, Some(first)) => {
                self.place("title", None, &first);
                first
            }
            (None, None) => opts
                .fallback_title
                .map(str::to_owned)
                .unwrap_or_else(|| kind.decl().untitled.1.to_owned()),
        };
        let title = clean_text(&title, false);
        if !self.notes.is_empty() {
            let Some(nf) = kind.field(NOTES) else {
                return Err(DocxError::NoNotesField {
                    kind: kind.as_str(),
                    text: self.notes[0].clone(),
                });
            };
            let mut all: Vec<String> = self
                .fields
                .get(NOTES)
                .and_then(Json::as_str)
                .map(|s| vec![s.to_owned()])
                .unwrap_or_default();
            all.extend(self.notes.iter().cloned());
            let text = all.join("\n");
            match convert(nf, &text) {
                Some(c) if c.exact => {
                    self.fields.insert(NOTES.into(), c.value);
                }
                _ => {
                    return Err(DocxError::TooLarge {
                        what: format!(
                            "the text that fits no field ({} characters)",
                            text.chars().count()
                        ),
                        limit: match nf.ty {
                            FieldType::Text { max, .. } => max,
                            _ => 0,
                        },
                    });
                }
            }
        }
        for f in kind.fields() {
            if let (FieldType::List { max_items, .. }, Some(a)) =
                (&f.ty, self.fields.get(f.key).and_then(Json::as_array))
                && a.len() > *max_items
            {
                return Err(DocxError::TooLarge {
                    what: format!("the rows of {}", f.zh),
                    limit: *max_items,
                });
            }
        }
        Ok(Preview {
            kind,
            title,
            language: opts.language.unwrap_or_else(|| language_of(blocks)),
            fields: self.fields,
            placed: self.placed,
            notes: self.notes,
            labels: self.labels,
        })
    }
}

#[derive(Clone)]
struct ListCols {
    field: &'static Field,
    /// Each header cell: its grid columns, the list column it names, its text.
    cols: Vec<(usize, usize, Option<&'static Field>, String)>,
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

/// Chinese when a tenth of the letters are Han characters.
fn language_of(blocks: &[Block]) -> Lang {
    let (mut han, mut all) = (0usize, 0usize);
    let mut count = |s: &str| {
        for c in s.chars().filter(|c| c.is_alphabetic()) {
            all += 1;
            if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                han += 1;
            }
        }
    };
    for b in blocks {
        match b {
            Block::Para(p) => count(&p.text),
            Block::Table(t) => t
                .rows
                .iter()
                .flatten()
                .for_each(|c| c.paras.iter().for_each(|p| count(p))),
        }
    }
    if han * 10 >= all && han > 0 {
        Lang::Zh
    } else {
        Lang::En
    }
}
