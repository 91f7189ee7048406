//! Importing many files at once (a teacher's folder of 教案): one file's
//! failure is reported beside the others' results and stops nothing.

use serde::Serialize;

use crate::{ImportOptions, Preview, import};

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    /// The document made from it (none in a dry run or on error).
    pub id: Option<String>,
    pub error: Option<String>,
    pub kind: Option<String>,
    pub title: Option<String>,
    /// The fields that received text.
    pub fields: Vec<String>,
    /// Text kept in notes because it fits no field.
    pub notes: Vec<String>,
    /// The whole preview, for a dry run's reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<Preview>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub files: Vec<FileReport>,
    pub imported: usize,
    pub failed: usize,
}

/// Reads each file (`name`, its bytes or why they could not be read) and
/// hands each preview to `save`, which makes the document and returns its
/// id (or `None` for a dry run), or says why it could not. The file's name
/// without its extension is the title of a file that names none.
pub fn import_many<I>(
    files: I,
    opts: &ImportOptions<'_>,
    save: &mut dyn FnMut(&Preview) -> Result<Option<String>, String>,
    keep_previews: bool,
) -> Report
where
    I: IntoIterator<Item = (String, Result<Vec<u8>, String>)>,
{
    let mut out = Vec::new();
    for (name, bytes) in files {
        let stem = std::path::Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone());
        let o = ImportOptions {
            fallback_title: Some(&stem),
            ..*opts
        };
        let result = bytes
            .and_then(|b| import(&b, &o).map_err(|e| e.to_string()))
            .and_then(|p| save(&p).map(|id| (id, p)));
        out.push(match result {
            Ok((id, p)) => FileReport {
                file: name,
                id,
                error: None,
                kind: Some(p.kind.as_str().to_owned()),
                title: Some(p.title.clone()),
                fields: p.fields_filled(),
                notes: p.notes.clone(),
                preview: keep_previews.then_some(p),
            },
            Err(e) => FileReport {
                file: name,
                id: None,
                error: Some(e),
                kind: None,
                title: None,
                fields: Vec::new(),
                notes: Vec::new(),
                preview: None,
            },
        });
    }
    let failed = out.iter().filter(|f| f.error.is_some()).count();
    Report {
        imported: out.len() - failed,
        failed,
        files: out,
    }
}
