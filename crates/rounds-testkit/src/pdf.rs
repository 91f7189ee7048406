//! A PDF's text as poppler's `pdftotext` reads it, for tests that check
//! what a rendered PDF says.

use std::path::Path;
use std::process::Command;

/// The text of the PDF file at `path`, with all whitespace removed: line
/// breaks fall wherever the layout put them, and CJK text has no spaces
/// to keep.
pub fn text_of_file(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/setup.sh installs it)");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout)
        .expect("UTF-8 from pdftotext")
        .split_whitespace()
        .collect()
}

/// [`text_of_file`] of PDF bytes.
pub fn text(pdf: &[u8]) -> String {
    let f = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(f.path(), pdf).expect("the PDF written");
    text_of_file(f.path())
}
