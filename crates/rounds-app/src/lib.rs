//! The desktop app's logic, without Tauri: everything the UI can ask for,
//! as plain methods on [`App`] returning IPC types or an [`AppError`]. The
//! Tauri shell (`src-tauri/`) wraps each method in a one-line command, so
//! all behaviour is tested here without a webview.
//!
//! The UI's commands share one store connection behind a mutex; the sync
//! worker has its own connection, so network time never blocks a command.

mod collab;
mod error;
mod pdf;
pub mod sync;
pub mod templates;
pub mod types;
pub mod usb;
mod word;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rounds_core::doc::{Document, Visibility};
use rounds_core::schema::DocKind;
use rounds_store::{Filter, Store};
use serde_json::Value as Json;

pub use error::{AppError, ErrorCode};
pub use sync::{StoreBackend, SyncWorker, Timing};
pub use types::*;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The languages the environment asks for, most preferred first.
fn system_languages() -> Vec<String> {
    let mut out = Vec::new();
    for var in ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            for l in v.split(':') {
                let l = l.trim();
                if !l.is_empty() && l != "C" && l != "POSIX" && !out.iter().any(|o| o == l) {
                    out.push(l.to_owned());
                }
            }
        }
    }
    out
}

/// The most documents one listing returns when the UI sets no limit; the
/// library pages beyond it so that it opens instantly with any number.
pub const DEFAULT_PAGE: u32 = 200;

/// The app: a data directory, its store, and (once started) the sync worker.
pub struct App {
    dir: PathBuf,
    store: Mutex<Store>,
    worker: Mutex<Option<SyncWorker>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("dir", &self.dir).finish()
    }
}

impl App {
    /// Opens (creating if needed) the library in `dir`.
    pub fn open(dir: &Path) -> Result<App> {
        let store = Store::open_dir(dir)?;
        Ok(App {
            dir: dir.to_owned(),
            store: Mutex::new(store),
            worker: Mutex::new(None),
        })
    }

    /// The data directory: `ROUNDS_DATA` if set, else the per-user one that
    /// the CLI shares.
    pub fn default_dir() -> Result<PathBuf> {
        if let Some(d) = std::env::var_os("ROUNDS_DATA").filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(d));
        }
        rounds_store::default_data_dir().ok_or_else(|| {
            AppError::new(
                ErrorCode::Internal,
                "no home directory to keep the library in; set ROUNDS_DATA",
            )
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the store half-written
        // (every write is one SQLite transaction), so a poisoned lock is safe
        // to keep using.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the background sync worker; `on_status` receives every status.
    pub fn start_sync(&self, timing: Timing, on_status: impl Fn(&SyncStatus) + Send + 'static) {
        let w = SyncWorker::start(StoreBackend::new(self.dir.clone()), timing, on_status);
        *self.worker.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
    }

    /// Stops the sync worker and waits for it (tests).
    pub fn stop_sync(&self) {
        if let Some(w) = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w.stop();
        }
    }

    fn edited(&self) {
        if let Some(w) = &*self.worker.lock().unwrap_or_else(|e| e.into_inner()) {
            w.edited();
        }
    }

    // ---- reading ---------------------------------------------------------------

    pub fn schema(&self) -> SchemaInfo {
        SchemaInfo::build()
    }

    pub fn profile(&self) -> Profile {
        let s = self.store();
        Profile {
            name: s.user_name().to_owned(),
            user_id: s.user_id().to_owned(),
            data_dir: self.dir.display().to_string(),
            system_languages: system_languages(),
        }
    }

    /// Sets the name written on this user's changes.
    pub fn set_name(&self, name: &str) -> Result<Profile> {
        self.store().set_user_name(name)?;
        Ok(self.profile())
    }

    fn filter(q: &ListQuery) -> Result<Filter> {
        let mut f = Filter {
            kind: q.kind.as_ref().map(Kind::doc_kind).transpose()?,
            fields: q
                .filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            limit: Some(q.limit.unwrap_or(DEFAULT_PAGE) as usize),
            offset: q.offset as usize,
            ..Filter::default()
        };
        match q.scope {
            Scope::All => {}
            Scope::Mine => f.mine = Some(true),
            Scope::Shared => {
                f.mine = Some(false);
                f.visibility = Some(Visibility::Office);
            }
            Scope::Trash => f.deleted = true,
        }
        Ok(f)
    }

    /// Documents, newest change first.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<DocSummary>> {
        let s = self.store();
        let uid = s.user_id().to_owned();
        Ok(s.list(&Self::filter(q)?)?
            .into_iter()
            .map(|d| DocSummary::new(d, &uid))
            .collect())
    }

    /// Documents of kinds this version does not know (made by a newer
    /// Rounds), newest first: the library lists them apart.
    pub fn carried(&self) -> Result<Vec<CarriedSummary>> {
        let s = self.store();
        let uid = s.user_id().to_owned();
        Ok(s.carried()?
            .into_iter()
            .map(|c| CarriedSummary::new(c, &uid))
            .collect())
    }

    /// Full-text search within the filters, best match first. An empty
    /// query finds nothing (the UI shows the listing instead).
    pub fn search(&self, query: &str, q: &ListQuery) -> Result<Vec<SearchHit>> {
        let s = self.store();
        let uid = s.user_id().to_owned();
        Ok(s.search(query, &Self::filter(q)?)?
            .into_iter()
            .map(|h| SearchHit {
                summary: DocSummary::new(h.summary, &uid),
                snippet: h.snippet.into_iter().map(Into::into).collect(),
            })
            .collect())
    }

    /// The document's findings, placed in `fields` (its JSON).
    fn findings(doc: &Document, fields: &Json) -> Vec<Finding> {
        rounds_core::deid::check(doc)
            .iter()
            .map(|f| Finding::new(f, fields))
            .collect()
    }

    fn view(s: &Store, doc: &mut Document) -> DocView {
        let user_id = s.user_id();
        let fields = doc.json();
        // Only cases describe patients; lesson plans are not checked, as
        // sharing does not check them either.
        let findings = if doc.kind().holds_patient_data() {
            Self::findings(doc, &fields)
        } else {
            Vec::new()
        };
        DocView {
            summary: DocSummary::new(doc.summary(), user_id),
            fields,
            read_only: doc.read_only().map(|e| e.to_string()),
            findings,
            heads: doc.heads().iter().map(|h| h.to_string()).collect(),
            // A notice that cannot be read is not worth failing the view.
            removed_rows: s
                .removed_edits(doc.id())
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            // Like the notices: a link that cannot be resolved is shown as
            // unavailable rather than failing the view.
            links: s
                .links_of(doc)
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            linked_from: s
                .linked_from(doc.id())
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }

    /// A whole document.
    pub fn get(&self, id: &str) -> Result<DocView> {
        let s = self.store();
        let mut doc = s.load(id)?;
        Ok(Self::view(&s, &mut doc))
    }

    pub fn history(&self, id: &str) -> Result<Vec<HistoryItem>> {
        Ok(self
            .store()
            .history(id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The document as it was right after a change (its hash, or its
    /// number in the history).
    pub fn at(&self, id: &str, change: &str) -> Result<DocView> {
        let s = self.store();
        let mut doc = s.at(id, change)?;
        let mut v = Self::view(&s, &mut doc);
        // An earlier version is for reading; changes go to the current one.
        v.read_only = Some(String::from("an earlier version"));
        v.findings.clear();
        v.removed_rows.clear();
        Ok(v)
    }

    // ---- writing ---------------------------------------------------------------

    /// Creates a document, with optional initial field values.
    pub fn create(
        &self,
        kind: Kind,
        title: &str,
        language: Language,
        fields: Option<&Json>,
    ) -> Result<DocView> {
        let mut s = self.store();
        let id = s
            .create(kind.doc_kind()?, title, language.into(), fields)?
            .id;
        let mut doc = s.load(&id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Applies a JSON object of changed values (`title`, `tags`, `language`
    /// or fields of the document's kind) as one change, all or nothing, and
    /// returns the document as saved: new list rows come back with their ids.
    pub fn edit(&self, id: &str, patch: &Json) -> Result<DocView> {
        if !patch.is_object() {
            return Err(AppError::invalid(
                "edit",
                "edit: must be an object of field names and values",
            ));
        }
        let mut s = self.store();
        s.edit(id, patch)?;
        let mut doc = s.load(id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Like [`App::edit`], for an editor that showed the document at `base`
    /// (the `heads` of the view it shows): the values are applied to that
    /// version and merged into the current one, so text a colleague added
    /// meanwhile is kept, and `caret` (in the text the editor sent) is
    /// mapped onto the merged text.
    pub fn edit_at(
        &self,
        id: &str,
        patch: &Json,
        base: &[String],
        caret: Option<&Caret>,
    ) -> Result<Saved> {
        if !patch.is_object() {
            return Err(AppError::invalid(
                "edit",
                "edit: must be an object of field names and values",
            ));
        }
        let base = parse_heads(base)?;
        let mut s = self.store();
        let (_, (hash, mut doc)) = s.edit_at_saved(id, patch, &base)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        // The caret was in the value sent, which is the text as of the new
        // change (or of the base, when the save changed nothing).
        let from: Vec<rounds_core::ChangeHash> = match hash {
            Some(h) => vec![h],
            None => base,
        };
        let caret = caret.and_then(|c| map_caret(&mut doc, patch, &v.fields, &from, c));
        Ok(Saved {
            view: v,
            caret,
            change: hash.map(|h| h.to_string()),
        })
    }

    /// The document as it is now, for an editor that shows it at `base`
    /// with `caret` in the field `text` (the field's value on screen): the
    /// caret is mapped onto the current text, so a colleague's change can
    /// be shown in place while the teacher keeps typing where they were.
    pub fn refresh(
        &self,
        id: &str,
        base: &[String],
        caret: Option<&Caret>,
        text: Option<&str>,
    ) -> Result<Saved> {
        let base = parse_heads(base)?;
        let s = self.store();
        let mut doc = s.load(id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        let caret = match (caret, text) {
            (Some(c), Some(t)) => {
                let shown = caret_patch(c, t);
                map_caret(&mut doc, &shown, &v.fields, &base, c)
            }
            _ => None,
        };
        Ok(Saved {
            view: v,
            caret,
            change: None,
        })
    }

    pub fn delete(&self, id: &str) -> Result<DocSummary> {
        let mut s = self.store();
        let d = s.delete(id)?;
        let v = DocSummary::new(d, s.user_id());
        drop(s);
        self.edited();
        Ok(v)
    }

    pub fn restore(&self, id: &str) -> Result<DocSummary> {
        let mut s = self.store();
        let d = s.restore(id)?;
        let v = DocSummary::new(d, s.user_id());
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Shares a document with the office and returns what the office will
    /// see. A lesson plan simply becomes visible. A case must have no
    /// blocking findings and the author's attestation that identifiers are
    /// removed; the office then gets a new document made from its current
    /// state (returned), and the private original stays in the trash.
    pub fn share(&self, id: &str, attest: bool) -> Result<DocSummary> {
        let mut s = self.store();
        let d = s.share(id, attest)?;
        let v = DocSummary::new(d, s.user_id());
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Replaces findings by their masks as one edit: the given ones, or all
    /// when `only` is `None`. A finding that is no longer there (the text
    /// changed since the UI saw it) is `not_found`, and nothing changes.
    pub fn mask(&self, id: &str, only: Option<&[FindingRef]>) -> Result<DocView> {
        let mut s = self.store();
        let doc = s.load(id)?;
        let indices = match only {
            None => None,
            Some(refs) => {
                let found = Self::findings(&doc, &doc.to_json());
                let mut indices = Vec::with_capacity(refs.len());
                for r in refs {
                    let i = found
                        .iter()
                        .position(|f| f.path == r.path && f.start == r.start && f.text == r.text)
                        .ok_or_else(|| {
                            AppError::new(
                                ErrorCode::NotFound,
                                format!(
                                    "“{}” is no longer in {}: the text has changed",
                                    r.text, r.path
                                ),
                            )
                        })?;
                    // The store numbers findings from 1, as `rounds mask` does.
                    indices.push(i + 1);
                }
                Some(indices)
            }
        };
        drop(doc);
        s.mask(id, indices.as_deref())?;
        let mut doc = s.load(id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Shows again a row a colleague removed while this device edited it,
    /// with the text it holds (the notice in `DocView::removed_rows`).
    pub fn restore_row(&self, id: &str, field: &str, row: &str) -> Result<DocView> {
        let mut s = self.store();
        s.restore_row(id, field, row)?;
        let mut doc = s.load(id)?;
        let v = Self::view(&s, &mut doc);
        drop(s);
        self.edited();
        Ok(v)
    }

    /// Lets a colleague's removal stand: the notice goes away.
    pub fn dismiss_removed(&self, id: &str, field: &str, row: &str) -> Result<DocView> {
        let mut s = self.store();
        s.dismiss_removed(id, field, row)?;
        let mut doc = s.load(id)?;
        Ok(Self::view(&s, &mut doc))
    }

    /// Lesson plans or cases to start from: the samples of the kind, then the
    /// library's documents of the kind that are approved or published.
    pub fn templates(&self, kind: Kind) -> Result<Vec<Template>> {
        let k = kind.doc_kind()?;
        let mut out: Vec<Template> = templates::samples(k)
            .into_iter()
            .map(|(name, j)| Template {
                source: format!("sample:{name}"),
                title: j
                    .get("title")
                    .and_then(Json::as_str)
                    .unwrap_or(name)
                    .to_owned(),
                origin: TemplateOrigin::Sample,
                language: if j.get("language").and_then(Json::as_str) == Some("en") {
                    Language::En
                } else {
                    Language::Zh
                },
            })
            .collect();
        let s = self.store();
        for status in ["approved", "published"] {
            let f = Filter {
                kind: Some(k),
                fields: vec![("status".to_owned(), status.to_owned())],
                limit: Some(DEFAULT_PAGE as usize),
                ..Filter::default()
            };
            for d in s.list(&f)? {
                out.push(Template {
                    source: format!("doc:{}", d.id),
                    title: d.title,
                    origin: TemplateOrigin::Approved,
                    language: d.language.into(),
                });
            }
        }
        Ok(out)
    }

    /// A new private document with the content of `source`: `doc:ID` (a
    /// duplicate of a document in the library) or `sample:NAME`.
    pub fn create_from(&self, source: &str, title: &str) -> Result<DocView> {
        let (kind, language, json) = if let Some(id) = source.strip_prefix("doc:") {
            let s = self.store();
            let doc = s.load(id)?;
            (doc.kind(), doc.summary().language, doc.to_json())
        } else if let Some(name) = source.strip_prefix("sample:") {
            let (_, text) = rounds_core::samples::all()
                .into_iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no sample `{name}`")))?;
            let j: Json = serde_json::from_str(text)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            let kind = j
                .get("kind")
                .and_then(Json::as_str)
                .and_then(DocKind::parse)
                .ok_or_else(|| {
                    AppError::new(ErrorCode::Internal, format!("sample `{name}` has no kind"))
                })?;
            let lang = j
                .get("language")
                .and_then(Json::as_str)
                .and_then(rounds_core::schema::Lang::parse)
                .unwrap_or(rounds_core::schema::Lang::Zh);
            (kind, lang, j)
        } else {
            return Err(AppError::invalid(
                "source",
                "source: must be `doc:ID` or `sample:NAME`",
            ));
        };
        let content = templates::content_of(kind, &json);
        self.create(kind.into(), title, language.into(), Some(&content))
    }

    /// A document as Markdown, in `lang`, for exporting.
    pub fn markdown(&self, id: &str, lang: Language) -> Result<(String, String)> {
        let s = self.store();
        let doc = s.load(id)?;
        let title = doc.summary().title;
        let md = rounds_core::markdown::to_markdown_with(&doc, lang.into(), &|id| {
            s.title_of(id).ok().flatten()
        });
        Ok((title, md))
    }

    /// Imports the sample library; returns how many samples were added.
    pub fn import_samples(&self) -> Result<u32> {
        let n = self.store().import_samples()?;
        if n > 0 {
            self.edited();
        }
        Ok(n as u32)
    }

    // ---- sync ------------------------------------------------------------------

    /// The sync status: the worker's last report, or (before the worker
    /// runs) what the store knows.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        if let Some(w) = &*self.worker.lock().unwrap_or_else(|e| e.into_inner()) {
            return Ok(w.status());
        }
        let info = self.store().sync_info()?;
        Ok(SyncStatus {
            state: if info.office_url.is_some() {
                SyncState::Idle
            } else {
                SyncState::NotJoined
            },
            office_name: info.office_name,
            office_url: info.office_url,
            pending: info.pending_docs as u32,
            rejected: info.rejected_docs as u32,
            last_sync: info.last_sync,
            received: 0,
        })
    }

    /// Joins an office with a one-time code, then syncs at once.
    /// `fingerprint` is the office certificate's fingerprint its
    /// administrator gave with the code (`SHA256:…`), for an office whose
    /// certificate this computer does not trust by itself; the device then
    /// accepts no other certificate from the office.
    pub fn join(
        &self,
        url: &str,
        code: &str,
        device_name: &str,
        fingerprint: Option<&str>,
    ) -> Result<SyncStatus> {
        let url = url.trim();
        let code = code.trim();
        if url.is_empty() {
            return Err(AppError::invalid(
                "url",
                "url: the office's address is needed",
            ));
        }
        if code.is_empty() {
            return Err(AppError::invalid(
                "code",
                "code: the one-time code is needed",
            ));
        }
        let pin = match fingerprint.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => Some(
                rounds_client::Fingerprint::parse(f)
                    .map_err(|e| AppError::invalid("fingerprint", e))?,
            ),
            None => None,
        };
        let device = if device_name.trim().is_empty() {
            "Rounds desktop"
        } else {
            device_name.trim()
        };
        // Joining talks to the network: it uses a connection of its own so
        // the UI's commands are not held up, then reopens the shared one,
        // which caches the user name that joining may set.
        let mut own = Store::open_dir(&self.dir)?;
        let conn = rounds_client::Connection {
            url: url.to_owned(),
            pin,
            ..Default::default()
        };
        // On a thread of its own: the HTTP client blocks, which is not
        // allowed on an async runtime's threads (Tauri runs commands there).
        std::thread::scope(|scope| {
            scope
                .spawn(|| rounds_client::join(&mut own, &self.dir, &conn, code, device))
                .join()
                .unwrap_or_else(|_| {
                    Err(rounds_client::ClientError::Protocol(
                        "joining failed unexpectedly".into(),
                    ))
                })
        })?;
        drop(own);
        *self.store() = Store::open_dir(&self.dir)?;
        self.sync_now();
        self.sync_status()
    }

    /// Asks the worker to sync now.
    pub fn sync_now(&self) {
        if let Some(w) = &*self.worker.lock().unwrap_or_else(|e| e.into_inner()) {
            w.sync_now();
        }
    }
}

/// The text a caret refers to in a JSON of field values (a patch or a view).
fn caret_text<'a>(fields: &'a Json, c: &Caret) -> Option<&'a str> {
    let v = fields.get(&c.field)?;
    match (&c.row, &c.sub_field) {
        (None, _) => v.as_str(),
        (Some(row), Some(sub)) => v
            .as_array()?
            .iter()
            .find(|r| r.get("id").and_then(Json::as_str) == Some(row.as_str()))?
            .get(sub)?
            .as_str(),
        (Some(_), None) => None,
    }
}

fn utf16_to_chars(s: &str, units: u32) -> usize {
    let mut n = 0u32;
    let mut chars = 0;
    for ch in s.chars() {
        if n >= units {
            break;
        }
        n += ch.len_utf16() as u32;
        chars += 1;
    }
    chars
}

fn chars_to_utf16(s: &str, chars: usize) -> u32 {
    s.chars().take(chars).map(|c| c.len_utf16() as u32).sum()
}

fn map_caret(
    doc: &mut Document,
    patch: &Json,
    now: &Json,
    from: &[rounds_core::ChangeHash],
    c: &Caret,
) -> Option<Caret> {
    let sent = caret_text(patch, c)?;
    let merged = caret_text(now, c)?;
    let row = c.row.as_deref().zip(c.sub_field.as_deref());
    let mut map = |units: u32| -> Option<u32> {
        let p = doc
            .map_text_position(&c.field, row, from, utf16_to_chars(sent, units))
            .ok()?;
        Some(chars_to_utf16(merged, p))
    };
    let start = map(c.start)?;
    let end = map(c.end)?.max(start);
    Some(Caret {
        start,
        end,
        ..c.clone()
    })
}

fn parse_heads(base: &[String]) -> Result<Vec<rounds_core::ChangeHash>> {
    base.iter()
        .map(|h| {
            h.parse::<rounds_core::ChangeHash>().map_err(|_| {
                AppError::invalid(
                    "base",
                    format!("base: `{h}` is not a version of a document"),
                )
            })
        })
        .collect()
}

/// A JSON of field values holding just the text a caret is in, shaped as
/// [`caret_text`] reads it.
fn caret_patch(c: &Caret, text: &str) -> Json {
    let mut m = serde_json::Map::new();
    match (&c.row, &c.sub_field) {
        (Some(row), Some(sub)) => {
            m.insert(
                c.field.clone(),
                serde_json::json!([{ "id": row, sub.as_str(): text }]),
            );
        }
        _ => {
            m.insert(c.field.clone(), Json::String(text.to_owned()));
        }
    }
    Json::Object(m)
}
