//! A teacher's files as the CLI and the app are given them: paths of
//! .docx files or of folders of them, read one at a time with the size
//! limit checked before reading. The one part of this crate that touches
//! the file system.

use std::path::{Path, PathBuf};

use crate::limits;

/// The files named, and the .docx files under the folders named (and
/// their subfolders), in name order. Word's lock files (`~$…`) are not
/// documents.
pub fn docx_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let name = e
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if e.is_dir() {
            walk(&e, out)?;
        } else if name.to_lowercase().ends_with(".docx") && !name.starts_with("~$") {
            out.push(e);
        }
    }
    Ok(())
}

/// A file's bytes, refused unread when it is over the size limit.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > limits::MAX_FILE as u64 {
        return Err(format!(
            "the file is {len} bytes, over the limit of {}",
            limits::MAX_FILE
        ));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}
