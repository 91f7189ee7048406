//! Word (.docx) import and export of Rounds documents: bytes in, bytes
//! out, no clock; files only in [`files`] (a teacher's folder, read for
//! the CLI and the app alike).
//!
//! Both directions walk the kinds' declarations (`rounds_core::schema`):
//! export lays a document out as the printed 教案 form (a header grid of
//! label/value pairs, a label/value table per section, each list as a table
//! with a header row), and import recognises fields by the declarations'
//! labels in Chinese or English ([`labels`]), so a field added to a kind is
//! exported and imported with no change here. Text of a Word file that fits
//! no field is kept in the kind's `notes` field, never dropped.

pub mod batch;
mod export;
pub mod files;
mod import;
pub mod labels;
pub mod read;
mod values;

use rounds_core::schema::{DocKind, Lang};

pub use batch::{FileReport, Report, import_many};
pub use export::{ExportOptions, Version, export};
pub use import::{Placed, Preview};

/// The sizes a file must keep to be read: Word 教案 are tens of
/// kilobytes, and a zip bomb must be refused before it is inflated.
pub mod limits {
    /// The .docx file itself.
    pub const MAX_FILE: usize = 25 * 1024 * 1024;
    /// One part (`word/document.xml`) once uncompressed.
    pub const MAX_PART: usize = 16 * 1024 * 1024;
    /// Parts in the archive.
    pub const MAX_ENTRIES: usize = 5_000;
}

/// The printed versions' names (en, zh), shown under the title of a kind
/// that has teacher-only sections, and recognised as layout on import.
pub const VERSIONS: [(&str, &str); 2] =
    [("Teacher version", "教师版"), ("Student version", "学生版")];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    #[error("not a Word document: {0}")]
    NotDocx(String),
    #[error("{what} is over the limit of {limit}")]
    TooLarge { what: String, limit: usize },
    #[error("a {kind} has no notes field to keep text that fits no field (`{text}`)")]
    NoNotesField { kind: &'static str, text: String },
    #[error("unknown kind of document `{0}`")]
    UnknownKind(String),
    #[error("cannot write the Word file: {0}")]
    Write(String),
}

/// How to read a Word file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    /// The kind it holds; by default the kind its heading names (`教　案`,
    /// `Teaching Case`), else a lesson plan.
    pub kind: Option<DocKind>,
    /// Its language; by default Chinese when a tenth of its letters are Han.
    pub language: Option<Lang>,
    /// The title when the file names none (a caller passes the file's name).
    pub fallback_title: Option<&'a str>,
}

/// Reads a Word file into what importing it would make (see [`Preview`]).
/// Nothing is saved: the caller creates the document from
/// `preview.fields`.
pub fn import(bytes: &[u8], opts: &ImportOptions<'_>) -> Result<Preview, DocxError> {
    let blocks = read::blocks(bytes)?;
    import::import_blocks(&blocks, opts)
}
