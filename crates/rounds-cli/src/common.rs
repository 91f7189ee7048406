//! What every command shares: its failure type, opening the library, and
//! reading and writing the files named on the command line.

use std::io::Read;
use std::path::{Path, PathBuf};

use rounds_store::Store;
use serde_json::Value as Json;

/// A command's failure: printed as one line.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn default_data_dir() -> Result<PathBuf, Failure> {
    rounds_store::default_data_dir()
        .ok_or_else(|| Failure("cannot find a home directory; pass --data DIR".into()))
}

/// Opens the library in `data` (or the default directory).
pub fn open(data: Option<&Path>) -> Result<Store, Failure> {
    let dir = data_dir(data)?;
    let mut store =
        Store::open_dir(&dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    if store.user_name().is_empty() {
        // Until the user picks a name, their login name marks their changes.
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "teacher".into());
        store.set_user_name(&login)?;
    }
    Ok(store)
}

pub fn data_dir(data: Option<&Path>) -> Result<PathBuf, Failure> {
    match data {
        Some(d) => Ok(d.to_path_buf()),
        None => default_data_dir(),
    }
}

/// A document as Markdown, references shown by their targets' titles.
pub fn markdown(store: &Store, doc: &rounds_core::Document, lang: rounds_core::Lang) -> String {
    rounds_core::markdown::to_markdown_with(doc, lang, &|id| store.title_of(id).ok().flatten())
}

pub fn print_json(v: &Json) {
    outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// The text of a file, or of standard input for `-`, as written on any
/// system: Windows' Notepad starts a UTF-8 file with a byte-order mark and
/// ends its lines with CR LF. The mark is not text (JSON refuses it) and a
/// field's line breaks are LF wherever the document is read, so both are
/// undone here (a JSON file's CR LF is only whitespace between tokens).
pub fn read_input(path: &Path) -> Result<String, Failure> {
    let mut s = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut s)?;
    } else {
        s = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    }
    Ok(plain_text(s))
}

fn plain_text(s: String) -> String {
    let s = match s.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => s,
    };
    if s.contains("\r\n") {
        s.replace("\r\n", "\n")
    } else {
        s
    }
}

/// Writes a file that must not exist yet: output never overwrites.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    f.write_all(bytes)?;
    Ok(())
}

/// Writes a file that must not exist yet, whole or not at all: the bytes
/// go to a temporary file beside it, which is then moved into place
/// without replacing anything (an interrupted export leaves no half file).
/// Word and PDF exports, which readers open while they are written.
pub fn write_new_file_whole(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| Failure(format!("{}: {e}", path.display()));
    if path.exists() {
        return Err(fail(&"the file exists; choose another name"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Opened as any new file is, not with tempfile's owner-only mode, so
    // the file can be read as widely as the user's other files.
    let mut tmp = tempfile::Builder::new()
        .prefix(".rounds-")
        .suffix(".tmp")
        .make_in(dir, |p| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p)
        })
        .map_err(|e| fail(&e))?;
    tmp.write_all(bytes).map_err(|e| fail(&e))?;
    tmp.as_file().sync_all().map_err(|e| fail(&e))?;
    tmp.persist_noclobber(path).map_err(|e| fail(&e.error))?;
    Ok(())
}
