//! Word files in the app: a document exported as an editable .docx (the
//! 教案 table layout; a student version without the kind's teacher-only
//! sections), and Word 教案 imported from files or folders, with a preview
//! of what goes where before anything is saved. The mapping is
//! rounds-docx's, the same as the CLI's.

use std::path::PathBuf;

use rounds_docx::{ExportOptions, ImportOptions, Version};
use serde_json::Value as Json;

use crate::types::{WordFile, WordImport, WordPlaced};
use crate::{App, AppError, ErrorCode, Language, Result};

impl App {
    /// The document as a Word file's bytes.
    pub fn docx(&self, id: &str, lang: Language, student: bool) -> Result<Vec<u8>> {
        let s = self.store();
        let doc = s.load(id)?;
        rounds_docx::export(
            &doc.to_json(),
            &ExportOptions {
                lang: lang.into(),
                version: if student {
                    Version::Student
                } else {
                    Version::Teacher
                },
                title_of: &|id| s.title_of(id).ok().flatten(),
            },
        )
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }

    /// Imports the Word files named, and those in the folders named; with
    /// `dry_run`, only says what would go where.
    pub fn import_docx(&self, paths: &[String], dry_run: bool) -> Result<WordImport> {
        let paths: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        if paths.is_empty() {
            return Err(AppError::invalid(
                "paths",
                "paths: name a Word file or a folder",
            ));
        }
        let files =
            rounds_docx::files::docx_files(&paths).map_err(|e| AppError::invalid("paths", e))?;
        if files.is_empty() {
            return Err(AppError::invalid(
                "paths",
                "paths: there are no .docx files there",
            ));
        }
        let inputs = files
            .iter()
            .map(|f| (f.display().to_string(), rounds_docx::files::read_capped(f)));
        let report = rounds_docx::import_many(
            inputs,
            &ImportOptions::default(),
            &mut |p| {
                if dry_run {
                    return Ok(None);
                }
                self.store()
                    .create(
                        p.kind,
                        &p.title,
                        p.language,
                        Some(&Json::Object(p.fields.clone())),
                    )
                    .map(|s| Some(s.id))
                    .map_err(|e| e.to_string())
            },
            true,
        );
        Ok(WordImport {
            imported: report.imported as u32,
            failed: report.failed as u32,
            files: report
                .files
                .into_iter()
                .map(|f| WordFile {
                    file: f.file,
                    id: f.id,
                    error: f.error,
                    title: f.title,
                    notes: f.notes,
                    placed: f
                        .preview
                        .map(|p| {
                            p.placed
                                .into_iter()
                                .map(|x| WordPlaced {
                                    field: x.field,
                                    text: x.text,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
    }
}
