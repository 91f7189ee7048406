//! A Rounds document as PDF, laid out like the app's print view: the
//! form's heading and title, the kind's print header as a grid, each
//! section a row beside its name, each list a table of its own whose header
//! row repeats on every page; a case as a student or a teacher version; the
//! office, the version and page numbers on every page, and who approved a
//! shared document.
//!
//! Typst does the layout, as a library: `layout.typ` is the one layout,
//! and [`render`] hands it the document as JSON built from the kind's
//! declaration (`data.rs`), so no field is named here. The fonts are
//! bundled subsets of Noto Serif/Sans CJK SC and Noto Serif/Sans
//! (`fonts/`, made by `scripts/subset-fonts.sh`): a character none of them
//! has prints as 〓 (the typesetter's mark for a missing character) and is
//! listed in [`Pdf::missing`], never dropped silently.

mod data;
mod world;

use rounds_core::Document;
use rounds_core::schema::Lang;
use serde_json::Value as Json;
use typst::foundations::Smart;
use typst::layout::PagedDocument;

/// What is printed besides the document, and how.
pub struct Options<'a> {
    /// The language of labels, choices and dates (the document's own text
    /// is printed as written).
    pub lang: Lang,
    /// The student version: the kind's teacher-only sections left out.
    pub student: bool,
    /// The office's name, at the top of every page.
    pub office: Option<&'a str>,
    /// The version printed, at the top of every page.
    pub version: Option<&'a Version>,
    /// Who approved a shared document, at the foot of every page.
    pub approval: Option<&'a Approval>,
    /// The title of a referenced document the reader may see (`None`: it
    /// prints as not available to them). The caller knows what the
    /// reader may see; this crate does not.
    pub title_of: &'a dyn Fn(&str) -> Option<String>,
}

impl Options<'static> {
    /// Labels in `lang`, the teacher's version, nothing in the margins,
    /// every reference "not available".
    pub fn new(lang: Lang) -> Options<'static> {
        Options {
            lang,
            student: false,
            office: None,
            version: None,
            approval: None,
            title_of: &|_| None,
        }
    }
}

/// A version of a document: the number of its latest change (as
/// `rounds history` and the app count them) and that change's hash
/// (short), which `rounds export --at` and `rounds show --at` take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub number: usize,
    pub hash: String,
}

impl Version {
    /// The version `doc` is at.
    pub fn of(doc: &mut Document) -> Version {
        let history = doc.history();
        Version {
            number: history.len(),
            hash: history
                .last()
                .map(|c| c.hash.chars().take(8).collect())
                .unwrap_or_default(),
        }
    }
}

/// Who approved a document, and the day (`YYYY-MM-DD`, UTC, as the CLI
/// prints times) when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub by: String,
    pub day: Option<String>,
}

impl Approval {
    /// The approval `doc` records, if it stands: from the review track
    /// (`collab` decisions) when its current state is approved or
    /// published, the approver being whoever last approved; else from the
    /// kind's `status` and `approver` fields when the kind has them.
    pub fn of(doc: &Document) -> Option<Approval> {
        let passed = |v: &str| v == "approved" || v == "published";
        let c = doc.collab();
        if let Some(state) = c.review_state() {
            if !passed(&state.value) {
                return None;
            }
            let who = c
                .decisions
                .iter()
                .rev()
                .find(|d| d.value == "approved")
                .unwrap_or(state);
            let day = rounds_core::time::rfc3339(who.at);
            return Some(Approval {
                by: who.name.clone(),
                day: Some(day.chars().take(10).collect()),
            });
        }
        let json = doc.to_json();
        let status = json.get("status").and_then(Json::as_str)?;
        let by = json.get("approver").and_then(Json::as_str)?.trim();
        (passed(status) && !by.is_empty()).then(|| Approval {
            by: by.to_owned(),
            day: None,
        })
    }
}

/// A rendered PDF.
#[derive(Debug)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Characters of the document that no bundled font has, each once, in
    /// the order met; each printed as 〓.
    pub missing: Vec<char>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The layout failed; the message is typst's. A bug in `layout.typ` or
    /// in the data it was given, never the reader's doing.
    #[error("PDF layout failed: {0}")]
    Layout(String),
}

/// What prints in place of a character no bundled font has.
pub const MISSING_MARK: char = '〓';

/// Renders `doc` as PDF.
pub fn render(doc: &Document, o: &Options<'_>) -> Result<Pdf, PdfError> {
    let mut json = serde_json::to_value(data::build(doc, o))
        .map_err(|e| PdfError::Layout(format!("the data: {e}")))?;
    let mut missing = Vec::new();
    mark_missing(&mut json, &mut missing);
    let world = world::RoundsWorld::new(json.to_string().into_bytes());
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.map_err(|e| layout_error(&e))?;
    let options = typst_pdf::PdfOptions {
        // A stable identifier and no creation time: the same document
        // renders to the same bytes.
        ident: Smart::Custom(doc.id()),
        timestamp: None,
        ..Default::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|e| layout_error(&e))?;
    Ok(Pdf {
        bytes,
        pages: document.pages.len(),
        missing,
    })
}

/// typst's diagnostics as one error.
fn layout_error(errs: &[typst::diag::SourceDiagnostic]) -> PdfError {
    PdfError::Layout(
        errs.iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Renders `doc` as every printed copy of it goes out, from the CLI and the
/// app alike: with the office's name, the version `doc` is at and, for a
/// shared document, who approved it. Only a shared document has been
/// through the office's review; a private draft's status field is its
/// author's own say, so it prints no approval.
pub fn render_stamped(
    doc: &mut Document,
    lang: Lang,
    student: bool,
    office: Option<&str>,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> Result<Pdf, PdfError> {
    let version = Version::of(doc);
    let approval = (doc.visibility() == rounds_core::Visibility::Office)
        .then(|| Approval::of(doc))
        .flatten();
    render(
        doc,
        &Options {
            lang,
            student,
            office,
            version: Some(&version),
            approval: approval.as_ref(),
            title_of,
        },
    )
}

/// Replaces, in every string of `v`, each character no bundled font has
/// with [`MISSING_MARK`], and lists it. Line breaks and other control
/// characters are layout, not glyphs.
fn mark_missing(v: &mut Json, missing: &mut Vec<char>) {
    match v {
        Json::String(s) => {
            if s.chars().all(|c| c.is_control() || world::FONTS.covers(c)) {
                return;
            }
            *s = s
                .chars()
                .map(|c| {
                    if c.is_control() || world::FONTS.covers(c) {
                        c
                    } else {
                        if !missing.contains(&c) {
                            missing.push(c);
                        }
                        MISSING_MARK
                    }
                })
                .collect();
        }
        Json::Array(a) => a.iter_mut().for_each(|x| mark_missing(x, missing)),
        Json::Object(m) => m.values_mut().for_each(|x| mark_missing(x, missing)),
        _ => {}
    }
}
