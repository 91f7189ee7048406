//! `rounds export --format pdf`: a document as PDF (rounds-pdf), with the
//! office's name, the version and, for a shared document, who approved it.

use rounds_core::{Document, Lang};
use rounds_store::Store;

use crate::args::ExportArgs;
use crate::common::{Failure, write_new_file_whole};

pub fn export(store: &Store, mut doc: Document, a: &ExportArgs) -> Result<(), Failure> {
    // PDF is binary: it goes to a file, never to a terminal.
    let path = a
        .output
        .as_deref()
        .ok_or_else(|| Failure("a PDF needs a file to go to: add --out FILE".into()))?;
    let lang = a.lang.map_or(doc.summary().language, Lang::from);
    let office = store.sync_info()?.office_name;
    let title_of = |id: &str| store.title_of(id).ok().flatten();
    let pdf = rounds_pdf::render_stamped(&mut doc, lang, a.student, office.as_deref(), &title_of)?;
    if !pdf.missing.is_empty() {
        let list: Vec<String> = pdf
            .missing
            .iter()
            .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
            .collect();
        eprintln!(
            "rounds: note: the bundled fonts lack {} character(s), printed as {}: {}",
            list.len(),
            rounds_pdf::MISSING_MARK,
            list.join(", ")
        );
    }
    write_new_file_whole(path, &pdf.bytes)
}
