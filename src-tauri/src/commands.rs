//! The commands the UI calls: one line each over rounds-app, which holds
//! the logic and its tests. They run on Tauri's thread pool (`async`), never
//! on the thread that draws the window.

use rounds_app::{
    App, AppError, Caret, CarriedSummary, CollabView, CompareView, DocSummary, DocView, FindingRef,
    GroupForm, HistoryItem, InboxEntry, Kind, Language, ListQuery, PdfSaved, Profile, ReviewForm,
    Saved, SchemaInfo, SearchHit, SyncStatus, TakenUpstream, TargetInput, Template, UnreadCount,
    UsbDrive, UsbOutcome, WordImport,
};
use serde_json::Value;
use tauri::State;

type R<T> = Result<T, AppError>;

#[tauri::command(async)]
pub fn schema(app: State<'_, App>) -> R<SchemaInfo> {
    Ok(app.schema())
}

#[tauri::command(async)]
pub fn profile(app: State<'_, App>) -> R<Profile> {
    Ok(app.profile())
}

#[tauri::command(async)]
pub fn set_name(app: State<'_, App>, name: String) -> R<Profile> {
    app.set_name(&name)
}

#[tauri::command(async)]
pub fn list_docs(app: State<'_, App>, query: ListQuery) -> R<Vec<DocSummary>> {
    app.list(&query)
}

#[tauri::command(async)]
pub fn search_docs(app: State<'_, App>, text: String, query: ListQuery) -> R<Vec<SearchHit>> {
    app.search(&text, &query)
}

#[tauri::command(async)]
pub fn get_doc(app: State<'_, App>, id: String) -> R<DocView> {
    app.get(&id)
}

#[tauri::command(async)]
pub fn create_doc(
    app: State<'_, App>,
    kind: Kind,
    title: String,
    language: Language,
) -> R<DocView> {
    app.create(kind, &title, language, None)
}

#[tauri::command(async)]
pub fn edit_doc(app: State<'_, App>, id: String, patch: Value) -> R<DocView> {
    app.edit(&id, &patch)
}

#[tauri::command(async)]
pub fn edit_doc_at(
    app: State<'_, App>,
    id: String,
    patch: Value,
    base: Vec<String>,
    caret: Option<Caret>,
) -> R<Saved> {
    app.edit_at(&id, &patch, &base, caret.as_ref())
}

#[tauri::command(async)]
pub fn refresh_doc(
    app: State<'_, App>,
    id: String,
    base: Vec<String>,
    caret: Option<Caret>,
    text: Option<String>,
) -> R<Saved> {
    app.refresh(&id, &base, caret.as_ref(), text.as_deref())
}

#[tauri::command(async)]
pub fn delete_doc(app: State<'_, App>, id: String) -> R<DocSummary> {
    app.delete(&id)
}

#[tauri::command(async)]
pub fn restore_doc(app: State<'_, App>, id: String) -> R<DocSummary> {
    app.restore(&id)
}

#[tauri::command(async)]
pub fn share_doc(app: State<'_, App>, id: String, attest: bool) -> R<DocSummary> {
    app.share(&id, attest)
}

#[tauri::command(async)]
pub fn list_carried(app: State<'_, App>) -> R<Vec<CarriedSummary>> {
    app.carried()
}

#[tauri::command(async)]
pub fn restore_row(app: State<'_, App>, id: String, field: String, row: String) -> R<DocView> {
    app.restore_row(&id, &field, &row)
}

#[tauri::command]
pub fn dismiss_removed(app: State<'_, App>, id: String, field: String, row: String) -> R<DocView> {
    app.dismiss_removed(&id, &field, &row)
}

#[tauri::command]
pub fn mask_findings(app: State<'_, App>, id: String, only: Option<Vec<FindingRef>>) -> R<DocView> {
    app.mask(&id, only.as_deref())
}

#[tauri::command(async)]
pub fn history(app: State<'_, App>, id: String) -> R<Vec<HistoryItem>> {
    app.history(&id)
}

#[tauri::command(async)]
pub fn doc_at(app: State<'_, App>, id: String, change: String) -> R<DocView> {
    app.at(&id, &change)
}

#[tauri::command(async)]
pub fn import_samples(app: State<'_, App>) -> R<u32> {
    app.import_samples()
}

#[tauri::command(async)]
pub fn sync_status(app: State<'_, App>) -> R<SyncStatus> {
    app.sync_status()
}

#[tauri::command(async)]
pub fn join_office(
    app: State<'_, App>,
    url: String,
    code: String,
    device_name: String,
    fingerprint: Option<String>,
) -> R<SyncStatus> {
    app.join(&url, &code, &device_name, fingerprint.as_deref())
}

#[tauri::command(async)]
pub fn sync_now(app: State<'_, App>) -> R<()> {
    app.sync_now();
    Ok(())
}

#[tauri::command(async)]
pub fn usb_drives(app: State<'_, App>) -> R<Vec<UsbDrive>> {
    Ok(app.usb_drives())
}

#[tauri::command(async)]
pub fn usb_export(app: State<'_, App>, path: String) -> R<UsbOutcome> {
    app.usb_export(&path)
}

#[tauri::command(async)]
pub fn usb_import(app: State<'_, App>, path: String) -> R<UsbOutcome> {
    app.usb_import(&path)
}

/// Called by the UI once it has saved everything after a close request
/// (or the teacher chose to close with unsaved changes).
#[tauri::command(async)]
pub fn close_now(handle: tauri::AppHandle) -> R<()> {
    handle.exit(0);
    Ok(())
}

/// Called by the UI when a save failed on closing: the window stays open,
/// telling the teacher, instead of closing and losing the typing.
#[tauri::command(async)]
pub fn close_blocked(state: State<'_, crate::CloseState>) -> R<()> {
    state.block();
    Ok(())
}

/// Prints the page shown through the print dialog; `name` (the document's
/// title and date) becomes the offered file name.
#[tauri::command(async)]
pub fn print_page(window: tauri::WebviewWindow, name: String) -> R<()> {
    crate::print::print(&window, &crate::print::file_stem(&name), None)
}

/// Saves the page shown as an A4 PDF in the documents folder's `Rounds/`,
/// named after `name`; returns the file's path.
#[tauri::command(async)]
pub fn save_pdf(window: tauri::WebviewWindow, name: String) -> R<String> {
    let dir = crate::print::export_dir(&window)?;
    let path = crate::print::unique_path(&dir, &crate::print::file_stem(&name), "pdf");
    crate::print::print(&window, "", Some(path.clone()))?;
    Ok(path.display().to_string())
}

#[tauri::command(async)]
pub fn templates(app: State<'_, App>, kind: Kind) -> R<Vec<Template>> {
    app.templates(kind)
}

/// A new document from a template or a duplicate (`source` is `doc:ID` or `sample:NAME`).
#[tauri::command(async)]
pub fn create_from(app: State<'_, App>, source: String, title: String) -> R<DocView> {
    app.create_from(&source, &title)
}

/// Writes the document as Markdown into the documents folder's `Rounds/`,
/// named after `name`; returns the file's path.
#[tauri::command(async)]
pub fn export_markdown(
    app: State<'_, App>,
    window: tauri::WebviewWindow,
    id: String,
    language: Language,
    name: String,
) -> R<String> {
    let (_, text) = app.markdown(&id, language)?;
    crate::print::write_export(&window, &name, "md", text.as_bytes())
}

/// Writes the document as a Word file in the documents folder; returns its path.
#[tauri::command(async)]
pub fn export_docx(
    app: State<'_, App>,
    window: tauri::WebviewWindow,
    id: String,
    language: Language,
    name: String,
    student: bool,
) -> R<String> {
    let bytes = app.docx(&id, language, student)?;
    crate::print::write_export(&window, &name, "docx", &bytes)
}

/// Writes the document (or, with `at`, that version of it) as PDF, laid
/// out by rounds-pdf, in the documents folder; says where and which
/// characters no bundled font has.
#[tauri::command(async)]
pub fn export_pdf(
    app: State<'_, App>,
    window: tauri::WebviewWindow,
    id: String,
    language: Language,
    name: String,
    student: bool,
    at: Option<String>,
) -> R<PdfSaved> {
    let pdf = app.pdf(&id, language, student, at.as_deref())?;
    let path = crate::print::write_export(&window, &name, "pdf", &pdf.bytes)?;
    Ok(PdfSaved::new(path, &pdf))
}

#[tauri::command(async)]
pub fn import_docx(app: State<'_, App>, paths: Vec<String>, dry_run: bool) -> R<WordImport> {
    app.import_docx(&paths, dry_run)
}

// ---- preparing together (集体备课) -------------------------------------------

/// Everything the editor shows about preparing a document together.
#[tauri::command(async)]
pub fn collab_view(app: State<'_, App>, id: String) -> R<CollabView> {
    app.collab(&id)
}

/// The same, after asking the office for its member directory again.
#[tauri::command(async)]
pub fn refresh_directory(app: State<'_, App>, id: String) -> R<CollabView> {
    app.refresh_directory(&id)
}

#[tauri::command(async)]
pub fn comment(
    app: State<'_, App>,
    id: String,
    target: TargetInput,
    body: String,
    mentions: Vec<String>,
) -> R<CollabView> {
    app.comment(&id, &target, &body, &mentions)
}

#[tauri::command(async)]
pub fn suggest(
    app: State<'_, App>,
    id: String,
    target: TargetInput,
    proposed: String,
    body: String,
) -> R<CollabView> {
    app.suggest(&id, &target, &proposed, &body)
}

#[tauri::command(async)]
pub fn reply(
    app: State<'_, App>,
    id: String,
    thread: String,
    body: String,
    mentions: Vec<String>,
) -> R<CollabView> {
    app.reply(&id, &thread, &body, &mentions)
}

#[tauri::command(async)]
pub fn resolve_thread(
    app: State<'_, App>,
    id: String,
    thread: String,
    resolved: bool,
) -> R<CollabView> {
    app.resolve(&id, &thread, resolved)
}

/// Accepts or rejects one suggestion, or (`thread` null) every undecided one.
#[tauri::command(async)]
pub fn decide_suggestion(
    app: State<'_, App>,
    id: String,
    thread: Option<String>,
    accept: bool,
) -> R<CollabView> {
    app.decide(&id, thread.as_deref(), accept)
}

#[tauri::command(async)]
pub fn set_group(app: State<'_, App>, id: String, group: GroupForm) -> R<CollabView> {
    app.set_group(&id, &group)
}

#[tauri::command(async)]
pub fn move_stage(app: State<'_, App>, id: String, stage: String) -> R<CollabView> {
    app.move_stage(&id, &stage)
}

#[tauri::command(async)]
pub fn review_decision(
    app: State<'_, App>,
    id: String,
    state: String,
    note: String,
) -> R<CollabView> {
    app.review_decision(&id, &state, &note)
}

#[tauri::command(async)]
pub fn write_review(app: State<'_, App>, id: String, review: ReviewForm) -> R<CollabView> {
    app.write_review(&id, &review)
}

#[tauri::command(async)]
pub fn mark_best(app: State<'_, App>, id: String, name: String) -> R<CollabView> {
    app.mark_best(&id, &name)
}

#[tauri::command(async)]
pub fn reflect(
    app: State<'_, App>,
    id: String,
    worked: String,
    change: String,
    difficulties: String,
) -> R<CollabView> {
    app.reflect(&id, &worked, &change, &difficulties)
}

/// This site's copy of a shared plan (二次备课).
#[tauri::command(async)]
pub fn adapt_doc(app: State<'_, App>, id: String) -> R<DocView> {
    app.adapt(&id)
}

#[tauri::command(async)]
pub fn take_upstream(app: State<'_, App>, id: String) -> R<TakenUpstream> {
    app.take_upstream(&id)
}

#[tauri::command(async)]
pub fn compare_versions(
    app: State<'_, App>,
    id: String,
    from: String,
    to: String,
) -> R<CompareView> {
    app.compare(&id, &from, &to)
}

#[tauri::command(async)]
pub fn review_record(app: State<'_, App>, id: String, language: Language) -> R<String> {
    app.review_record(&id, language)
}

#[tauri::command(async)]
pub fn inbox(app: State<'_, App>, unread: bool) -> R<Vec<InboxEntry>> {
    app.inbox(unread)
}

#[tauri::command(async)]
pub fn inbox_unread(app: State<'_, App>) -> R<Vec<UnreadCount>> {
    app.inbox_unread()
}

#[tauri::command(async)]
pub fn mark_read(app: State<'_, App>, doc: Option<String>, items: Vec<String>) -> R<u32> {
    app.mark_read(doc.as_deref(), &items)
}
