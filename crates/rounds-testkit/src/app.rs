//! The desktop app's logic (rounds-app, no window) on a library of the
//! test's own, as its tests drive it.

use rounds_app::{App, DocView, Kind, Language};
use rounds_core::schema::DocKind;

/// An app on a new library in a temporary directory, its user named
/// `name`.
pub fn open(name: &str) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory for a library");
    let app = App::open(dir.path()).expect("an app library");
    app.set_name(name).expect("a user name");
    (app, dir)
}

/// A new, empty document of `kind` titled `title`, made as the UI makes
/// one.
pub fn new_doc(app: &App, kind: DocKind, title: &str, language: Language) -> DocView {
    app.create(Kind::from(kind), title, language, None)
        .expect("a new document")
}
