//! PDF from the app: a document laid out by rounds-pdf (typst with the
//! bundled CJK fonts), the same file `rounds export --format pdf` writes,
//! with the office's name, the version and, for a shared document, who
//! approved it. Unlike the webview's print-to-file, which only WebKitGTK
//! can do without a dialog, this works alike on Linux and Windows.

use crate::{App, AppError, ErrorCode, Language, Result};

impl App {
    /// The document (or, with `at`, the version right after that change)
    /// as PDF; a student version leaves out the kind's teacher-only
    /// sections.
    pub fn pdf(
        &self,
        id: &str,
        lang: Language,
        student: bool,
        at: Option<&str>,
    ) -> Result<rounds_pdf::Pdf> {
        let s = self.store();
        let mut doc = match at {
            Some(change) => s.at(id, change)?,
            None => s.load(id)?,
        };
        let office = s.sync_info()?.office_name;
        let title_of = |id: &str| s.title_of(id).ok().flatten();
        rounds_pdf::render_stamped(&mut doc, lang.into(), student, office.as_deref(), &title_of)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }
}
