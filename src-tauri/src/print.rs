//! Printing, saving as PDF and exporting files. On Linux printing goes
//! through WebKitGTK's own print operation so the file is named after the
//! document (GTK's "Print to File" otherwise offers `output.pdf`) and a PDF
//! can be written without a dialog. Exports land in the user's documents
//! folder, under `Rounds/`, never overwriting an earlier file.

use std::path::{Path, PathBuf};

use rounds_app::{AppError, ErrorCode};
use tauri::{Manager, WebviewWindow};

/// The longest file stem we write, in characters: long titles are cut so
/// that the name stays within common file systems' 255-byte limit.
const STEM_MAX: usize = 80;

/// Names Windows keeps for devices, with any extension (`CON.pdf` opens
/// the console, not a file), in any case.
const WINDOWS_DEVICES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file name stem from a document's title and date: characters that file
/// systems or shells refuse become spaces, runs of spaces collapse, and an
/// empty result becomes `Rounds`. The rules are Windows' everywhere, since
/// files are carried to Windows PCs: no trailing dot (Windows drops it, so
/// `Croup.` and `Croup` would collide), no device name (a lesson titled
/// "Con" gets `Con (Rounds)`).
pub fn file_stem(name: &str) -> String {
    let stem = plain_stem(name);
    if WINDOWS_DEVICES.iter().any(|d| stem.eq_ignore_ascii_case(d)) {
        format!("{stem} (Rounds)")
    } else {
        stem
    }
}

fn plain_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut stem = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    // A leading dot would hide the file.
    while stem.starts_with('.') {
        stem.remove(0);
    }
    let stem: String = stem.trim().chars().take(STEM_MAX).collect();
    let stem = stem.trim_end_matches(['.', ' ']).trim_start();
    if stem.is_empty() {
        "Rounds".to_owned()
    } else {
        stem.to_owned()
    }
}

/// `dir/stem.ext`, or `dir/stem (2).ext` and so on when that exists.
pub fn unique_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{stem} ({n}).{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Writes an export named after `name` (a title and date) into the
/// documents folder's `Rounds/`, never over an earlier file; returns its
/// path.
pub fn write_export(
    window: &WebviewWindow,
    name: &str,
    ext: &str,
    bytes: &[u8],
) -> Result<String, AppError> {
    let dir = export_dir(window)?;
    let path = unique_path(&dir, &file_stem(name), ext);
    std::fs::write(&path, bytes).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(path.display().to_string())
}

/// Where exports go: the documents folder's `Rounds/`, created if needed.
pub fn export_dir(window: &WebviewWindow) -> Result<PathBuf, AppError> {
    let paths = window.app_handle().path();
    let base = paths
        .document_dir()
        .or_else(|_| paths.home_dir().map(|h| h.join("Documents")))
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("no documents folder: {e}")))?;
    let dir = base.join("Rounds");
    std::fs::create_dir_all(&dir).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    Ok(dir)
}

/// Prints the page shown, through the print dialog, offering `stem.pdf` as
/// the file name; or, with `to`, writes it as an A4 PDF there without a dialog.
#[cfg(target_os = "linux")]
pub fn print(window: &WebviewWindow, stem: &str, to: Option<PathBuf>) -> Result<(), AppError> {
    use gtk::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::mpsc;
    use std::time::Duration;
    use webkit2gtk::PrintOperationExt;

    let (tx, rx) = mpsc::channel::<Result<(), String>>();
    let stem = stem.to_owned();
    let uri = match &to {
        Some(p) => Some(
            tauri::Url::from_file_path(p)
                .map_err(|()| {
                    AppError::new(ErrorCode::Internal, "the export path is not absolute")
                })?
                .to_string(),
        ),
        None => None,
    };
    let wait_for_finish = uri.is_some();
    window
        .with_webview(move |pw| {
            let wv = pw.inner();
            let op = webkit2gtk::PrintOperation::new(&wv);
            let setup = gtk::PageSetup::new();
            setup.set_paper_size_and_default_margins(&gtk::PaperSize::new(Some("iso_a4")));
            op.set_page_setup(&setup);
            let settings = gtk::PrintSettings::new();
            settings.set("output-basename", Some(stem.as_str()));
            settings.set("output-file-format", Some("pdf"));
            match uri {
                Some(uri) => {
                    settings.set("printer", Some("Print to File"));
                    settings.set("output-uri", Some(uri.as_str()));
                    op.set_print_settings(&settings);
                    // The operation must live until it reports; it is
                    // dropped when it does.
                    let keep = Rc::new(RefCell::new(Some(op.clone())));
                    let (k1, t1) = (keep.clone(), tx.clone());
                    op.connect_finished(move |_| {
                        k1.borrow_mut().take();
                        let _ = t1.send(Ok(()));
                    });
                    op.connect_failed(move |_, e| {
                        keep.borrow_mut().take();
                        let _ = tx.send(Err(e.to_string()));
                    });
                    op.print();
                }
                None => {
                    op.set_print_settings(&settings);
                    let parent = wv.toplevel().and_then(|w| w.downcast::<gtk::Window>().ok());
                    op.run_dialog(parent.as_ref());
                    let _ = tx.send(Ok(()));
                }
            }
        })
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    // The dialog can stay open as long as the teacher likes; a PDF written
    // without one takes seconds.
    let limit = if wait_for_finish {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(24 * 3600)
    };
    match rx.recv_timeout(limit) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AppError::new(
            ErrorCode::Internal,
            format!("printing failed: {e}"),
        )),
        Err(_) => Err(AppError::new(
            ErrorCode::Internal,
            "printing did not finish",
        )),
    }
}

/// Elsewhere the webview's own print dialog is used (WebView2 and WebKit on
/// macOS name the file after the page title, which the UI sets).
#[cfg(not(target_os = "linux"))]
pub fn print(window: &WebviewWindow, _stem: &str, to: Option<PathBuf>) -> Result<(), AppError> {
    if to.is_some() {
        return Err(AppError::new(
            ErrorCode::Internal,
            "saving as PDF without the print dialog is available on Linux only; use Print and choose PDF",
        ));
    }
    window
        .print()
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_keep_the_title_and_drop_what_file_systems_refuse() {
        assert_eq!(
            file_stem("热性惊厥的识别与处理 2026-03-15"),
            "热性惊厥的识别与处理 2026-03-15"
        );
        assert_eq!(file_stem("a/b\\c:d*e?f\"g<h>i|j"), "a b c d e f g h i j");
        assert_eq!(file_stem("..hidden\n\tname"), "hidden name");
        assert_eq!(file_stem("  / ? "), "Rounds");
        assert_eq!(file_stem(&"长".repeat(300)).chars().count(), STEM_MAX);
    }

    #[test]
    fn file_stems_are_names_windows_accepts() {
        assert_eq!(file_stem("Croup. . "), "Croup");
        assert_eq!(file_stem("..."), "Rounds");
        assert_eq!(file_stem("con"), "con (Rounds)");
        assert_eq!(file_stem("LPT1"), "LPT1 (Rounds)");
        assert_eq!(file_stem("Console"), "Console");
        assert_eq!(file_stem("教案。"), "教案。");
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let a = unique_path(dir.path(), "教案", "pdf");
        assert_eq!(a, dir.path().join("教案.pdf"));
        std::fs::write(&a, b"x").unwrap();
        let b = unique_path(dir.path(), "教案", "pdf");
        assert_eq!(b, dir.path().join("教案 (2).pdf"));
        std::fs::write(&b, b"x").unwrap();
        assert_eq!(
            unique_path(dir.path(), "教案", "pdf"),
            dir.path().join("教案 (3).pdf")
        );
    }
}
