//! Reading a .docx into blocks: paragraphs (marked when they are headings)
//! and tables of rows of cells, in document order.
//!
//! We read `word/document.xml` ourselves with `zip` and `quick-xml` instead
//! of through docx-rs's `read_docx`, for two reasons. The importer promises
//! that no text is dropped, so it must see every `w:t` wherever Word puts it
//! (hyperlinks, content controls, tracked insertions, text boxes, nested
//! tables); a reader that builds a model of only the elements it knows
//! cannot promise that, while a walk over the XML that takes every `w:t`
//! can. And a file from a teacher's folder is untrusted: we cap the bytes
//! we inflate from each part ourselves, whatever sizes the archive claims,
//! before any XML is parsed.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::{DocxError, limits};

/// A paragraph of the body or of a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub text: String,
    /// Styled as a heading or title (by its style or its outline level).
    pub heading: bool,
}

/// One cell: its paragraphs' text, and how many grid columns it spans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub paras: Vec<String>,
    pub span: usize,
}

impl Cell {
    /// The cell's text, one line per paragraph, without blank lines at
    /// either end.
    pub fn text(&self) -> String {
        self.paras.join("\n").trim().to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    Table(Table),
}

/// The body of a .docx, in document order.
pub fn blocks(bytes: &[u8]) -> Result<Vec<Block>, DocxError> {
    if bytes.len() > limits::MAX_FILE {
        return Err(DocxError::TooLarge {
            what: "the file".into(),
            limit: limits::MAX_FILE,
        });
    }
    if !bytes.starts_with(b"PK") {
        return Err(DocxError::NotDocx("it is not a zip archive".into()));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DocxError::NotDocx(format!("the zip archive is unreadable ({e})")))?;
    if zip.len() > limits::MAX_ENTRIES {
        return Err(DocxError::TooLarge {
            what: "the number of parts in the archive".into(),
            limit: limits::MAX_ENTRIES,
        });
    }
    let document = part(&mut zip, "word/document.xml")?.ok_or_else(|| {
        DocxError::NotDocx("it has no word/document.xml (is it a Word document?)".into())
    })?;
    let headings = match part(&mut zip, "word/styles.xml")? {
        Some(styles) => heading_styles(&styles)?,
        None => HashMap::new(),
    };
    parse_body(&document, &headings)
}

/// Inflates one part, refusing more than [`limits::MAX_PART`] bytes
/// whatever the archive's directory says.
fn part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, DocxError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(DocxError::NotDocx(format!("{name}: {e}"))),
    };
    let mut out = Vec::new();
    file.take(limits::MAX_PART as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| DocxError::NotDocx(format!("{name}: {e}")))?;
    if out.len() > limits::MAX_PART {
        return Err(DocxError::TooLarge {
            what: format!("{name} once uncompressed"),
            limit: limits::MAX_PART,
        });
    }
    Ok(Some(out))
}

/// The paragraph styles that are headings: by name (`heading 1`, `Title`,
/// WPS's `标题 1`) or by an outline level in the style.
fn heading_styles(xml: &[u8]) -> Result<HashMap<String, bool>, DocxError> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut out = HashMap::new();
    let mut current: Option<(String, bool)> = None;
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"style" => {
                    if let Some((id, h)) = current.take() {
                        out.insert(id, h);
                    }
                    current = attr(&e, b"styleId").map(|id| (id, false));
                }
                b"name" => {
                    if let (Some((_, h)), Some(name)) = (current.as_mut(), attr(&e, b"val")) {
                        let n = name.to_lowercase();
                        *h |= n.starts_with("heading") || n == "title" || n.starts_with("标题");
                    }
                }
                b"outlineLvl" => {
                    if let Some((_, h)) = current.as_mut() {
                        *h |= attr(&e, b"val").is_some_and(|v| v != "9");
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some((id, h)) = current {
        out.insert(id, h);
    }
    Ok(out)
}

fn xml_error(e: quick_xml::Error) -> DocxError {
    DocxError::NotDocx(format!("its XML is malformed ({e})"))
}

/// The text of an entity or character reference inside `w:t` (`&amp;`,
/// `&#x4E2D;`), which quick-xml reports apart from the text around it.
pub(crate) fn entity(g: &quick_xml::events::BytesRef<'_>) -> Result<String, DocxError> {
    if let Some(c) = g.resolve_char_ref().map_err(xml_error)? {
        return Ok(c.to_string());
    }
    let name = g.decode().map_err(|e| xml_error(e.into()))?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| DocxError::NotDocx(format!("its XML names an unknown entity `&{name};`")))
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| String::from_utf8_lossy(&a.value).into_owned())
    })
}

/// Where text goes while walking the body.
enum Frame {
    Table(Table),
    Row(Vec<Cell>),
    Cell(Cell),
}

struct Walk<'a> {
    headings: &'a HashMap<String, bool>,
    body: Vec<Block>,
    frames: Vec<Frame>,
    /// Open paragraphs (a text box's paragraphs sit inside a run of
    /// another): text so far and whether it is a heading.
    paras: Vec<(String, bool)>,
    in_text: bool,
    /// Inside paragraph properties, where `w:tab` is a tab stop, not text.
    in_ppr: bool,
    /// Depth inside an element whose text is not shown: deleted text,
    /// field instructions, and `mc:Fallback` (which repeats `mc:Choice`).
    hidden: usize,
}

fn parse_body(xml: &[u8], headings: &HashMap<String, bool>) -> Result<Vec<Block>, DocxError> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut w = Walk {
        headings,
        body: Vec::new(),
        frames: Vec::new(),
        paras: Vec::new(),
        in_text: false,
        in_ppr: false,
        hidden: 0,
    };
    let mut buf = Vec::new();
    let mut saw_body = false;
    // quick-xml ends quietly at the end of input; a part cut short inside
    // an element is a damaged file, not an empty one.
    let mut depth = 0usize;
    loop {
        let ev = r.read_event_into(&mut buf).map_err(xml_error)?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                saw_body |= e.local_name().as_ref() == b"body";
                w.start(&e, false);
            }
            Event::Empty(e) => w.start(&e, true),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                w.end(e.local_name().as_ref());
            }
            Event::Text(t) if w.in_text && w.hidden == 0 => {
                let s = t.decode().map_err(|e| xml_error(e.into()))?;
                w.push_text(&s);
            }
            Event::GeneralRef(g) if w.in_text && w.hidden == 0 => {
                w.push_text(&entity(&g)?);
            }
            Event::CData(t) if w.in_text && w.hidden == 0 => {
                w.push_text(&String::from_utf8_lossy(&t));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        return Err(DocxError::NotDocx(
            "word/document.xml is cut short (the file is damaged)".into(),
        ));
    }
    if !saw_body {
        return Err(DocxError::NotDocx(
            "word/document.xml has no body (is it a Word document?)".into(),
        ));
    }
    Ok(w.body)
}

impl Walk<'_> {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let name = name.as_ref();
        if matches!(name, b"del" | b"delText" | b"instrText" | b"Fallback") {
            if !empty {
                self.hidden += 1;
            }
            return;
        }
        if self.hidden > 0 {
            return;
        }
        match name {
            b"tbl" if !empty => self.frames.push(Frame::Table(Table::default())),
            b"tr" if !empty => self.frames.push(Frame::Row(Vec::new())),
            b"tc" if !empty => self.frames.push(Frame::Cell(Cell {
                paras: Vec::new(),
                span: 1,
            })),
            b"gridSpan" => {
                let n = attr(e, b"val").and_then(|v| v.parse::<usize>().ok());
                if let (Some(Frame::Cell(c)), Some(n)) = (self.frames.last_mut(), n) {
                    c.span = n.clamp(1, 64);
                }
            }
            b"p" => {
                self.paras.push((String::new(), false));
                if empty {
                    self.end(b"p");
                }
            }
            b"pStyle" => {
                let h = attr(e, b"val").is_some_and(|id| self.headings.get(&id) == Some(&true));
                if let Some(p) = self.paras.last_mut() {
                    p.1 |= h;
                }
            }
            b"outlineLvl" => {
                let h = attr(e, b"val").is_some_and(|v| v != "9");
                if let Some(p) = self.paras.last_mut() {
                    p.1 |= h;
                }
            }
            b"t" => self.in_text = !empty,
            b"pPr" => self.in_ppr = !empty,
            b"tab" if !self.in_ppr => self.push_text("\t"),
            b"br" | b"cr" => self.push_text("\n"),
            _ => {}
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.0.push_str(s);
        }
    }

    fn end(&mut self, name: &[u8]) {
        if matches!(name, b"del" | b"delText" | b"instrText" | b"Fallback") {
            self.hidden = self.hidden.saturating_sub(1);
            return;
        }
        if self.hidden > 0 {
            return;
        }
        match name {
            b"t" => self.in_text = false,
            b"pPr" => self.in_ppr = false,
            b"p" => {
                if let Some((text, heading)) = self.paras.pop() {
                    self.emit_para(text, heading);
                }
            }
            b"tc" => {
                if let Some(Frame::Cell(c)) = self.frames.pop() {
                    match self.frames.last_mut() {
                        Some(Frame::Row(cells)) => cells.push(c),
                        // A cell outside a row: keep its text as paragraphs.
                        _ => {
                            for p in c.paras {
                                self.emit_para(p, false);
                            }
                        }
                    }
                }
            }
            b"tr" => {
                if let Some(Frame::Row(cells)) = self.frames.pop()
                    && let Some(Frame::Table(t)) = self.frames.last_mut()
                {
                    t.rows.push(cells);
                }
            }
            b"tbl" => {
                if let Some(Frame::Table(t)) = self.frames.pop() {
                    match self.frames.last_mut() {
                        // A table inside a cell: its text joins the cell,
                        // a line per cell paragraph, so none is lost.
                        Some(Frame::Cell(c)) => {
                            for row in t.rows {
                                for cell in row {
                                    c.paras.extend(cell.paras);
                                }
                            }
                        }
                        _ => self.body.push(Block::Table(t)),
                    }
                }
            }
            _ => {}
        }
    }

    fn emit_para(&mut self, text: String, heading: bool) {
        // A paragraph inside another (a text box) is emitted before it ends;
        // that changes order, never content.
        match self.frames.last_mut() {
            Some(Frame::Cell(c)) => c.paras.push(text),
            Some(_) => {
                // Text directly in a row or table (malformed, but seen):
                // keep it as a body paragraph.
                self.body.push(Block::Para(Para { text, heading }));
            }
            None => self.body.push(Block::Para(Para { text, heading })),
        }
    }
}
