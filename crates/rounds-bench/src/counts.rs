//! Instruction counts of the hot paths, which do not move with the
//! machine's load the way times do: Valgrind's cachegrind counts every
//! instruction a child process runs, so a change to the code shows up as a
//! change in the count even on this shared 2-core machine.
//!
//! Each path runs in a child process twice under cachegrind: once with the
//! work and once without it (same setup: opening the store, reading the
//! input), and the difference is the work's. Every count is taken twice, so
//! the report shows how much it moves by itself (random actor ids, hash
//! seeds).
//!
//! The paths: a new device applying the documents an office sends it (the
//! documents of the library, compacted, in pages of 64, as
//! `Store::apply_page` takes them), Automerge loading the same bytes (the
//! floor), the store's search for each benchmark query, and a first upload
//! of small shared documents (the device deciding what to push and the
//! office validating and storing it, through `rounds_client::sync` with the
//! office's service called in the same process), and saves of one character
//! into a 20 KB field through the desktop app's logic (`App::edit_at`, as
//! the desktop part's saves without WebKit).

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use rounds_client::{ClientError, Transport};
use rounds_core::sync::PageUpdate;
use rounds_office::backend::Backend;
use rounds_office::db::Role;
use rounds_office::service::{Limits, Service, new_id};
use rounds_proto::{EnrollRequest, Item, SyncRequest, doc_id_from_str};
use rounds_store::{Filter, Store};

use crate::store_bench::{EN_QUERIES, ZH_QUERIES};

/// What the counts came to; each pair is the two runs of the same count.
#[derive(Debug, Clone)]
pub struct Counts {
    pub docs: usize,
    /// Instructions a document for a new device to apply what came.
    pub apply_per_doc: (f64, f64),
    /// Instructions a document for Automerge to load the same bytes.
    pub load_per_doc: (f64, f64),
    /// Instructions a search, over the same library, per query.
    pub search_per_query: (f64, f64),
    pub queries: usize,
    /// Small shared documents in the first upload counted.
    pub upload_docs: usize,
    /// Instructions a document of a first upload, device and office.
    pub upload_per_doc: (f64, f64),
    /// Saves into the 20 KB field counted.
    pub saves: usize,
    /// Instructions a save of one character into a 20 KB field.
    pub save_per_save: (f64, f64),
}

/// Documents in a page, as a new device receives them.
const PAGE: usize = 64;

/// Documents in the counted first upload.
const UPLOAD_DOCS: usize = 100;

/// Saves into the 20 KB field counted.
const SAVES: usize = 50;

/// `rounds-bench --child count-saves DIR K`: a desktop app's library with
/// a plan whose field holds 20 KB, then `K` saves of one character each.
pub fn child_saves(k: usize) {
    crate::app::app_saves(k).expect("the saves");
}

/// `rounds-bench --child count-export DIR N SMALL`: a library of `N`
/// documents in `DIR/store`, and their compacted bytes in `DIR/docs.bin`
/// (id length, id, bytes length, bytes; lengths as little-endian u32).
pub fn child_export(dir: &Path, n: usize, small: bool) {
    let mut store = Store::open_dir(&dir.join("store")).expect("a store");
    store.set_user_name("王老师").expect("a name");
    let ids = crate::library::generate(&mut store, n, 41, small);
    let mut out = Vec::new();
    for id in &ids {
        let bytes = store.raw_bytes(id).expect("the bytes");
        for part in [id.as_bytes(), &bytes[..]] {
            out.extend_from_slice(&(part.len() as u32).to_le_bytes());
            out.extend_from_slice(part);
        }
    }
    std::fs::write(dir.join("docs.bin"), out).expect("writing the documents");
}

fn read_docs(dir: &Path, take: usize) -> Vec<(String, Vec<u8>)> {
    let mut raw = Vec::new();
    std::fs::File::open(dir.join("docs.bin"))
        .and_then(|mut f| f.read_to_end(&mut raw))
        .expect("the exported documents");
    let mut docs = Vec::new();
    let mut at = 0;
    let next = |at: &mut usize| {
        let len = u32::from_le_bytes(raw[*at..*at + 4].try_into().expect("4 bytes")) as usize;
        let part = raw[*at + 4..*at + 4 + len].to_vec();
        *at += 4 + len;
        part
    };
    while at < raw.len() && docs.len() < take {
        let id = String::from_utf8(next(&mut at)).expect("an id");
        let bytes = next(&mut at);
        docs.push((id, bytes));
    }
    docs
}

/// `rounds-bench --child count-apply DIR K`: a new store in `DIR/device`
/// applies the first `K` exported documents, in pages.
pub fn child_apply(dir: &Path, take: usize) {
    let docs = read_docs(dir, take);
    let device = tempfile::tempdir_in(dir).expect("a directory");
    let mut store = Store::open_dir(device.path()).expect("a store");
    for (i, page) in docs.chunks(PAGE).enumerate() {
        let update = PageUpdate {
            items: page
                .iter()
                .map(|(id, bytes)| Item::Snapshot {
                    doc: doc_id_from_str(id).expect("an id"),
                    bytes: bytes.clone(),
                })
                .collect(),
            cursor: (i as u64).to_be_bytes().to_vec(),
            ..Default::default()
        };
        store
            .apply_page(&update, 1_700_000_000_000)
            .expect("a page");
    }
}

/// `rounds-bench --child count-load DIR K`: Automerge loads the first `K`
/// exported documents.
pub fn child_load(dir: &Path, take: usize) {
    for (_, bytes) in read_docs(dir, take) {
        std::hint::black_box(automerge::AutoCommit::load(&bytes).expect("a document"));
    }
}

/// `rounds-bench --child count-search DIR ALL`: the store in `DIR/store`
/// answers every benchmark query once (`ALL` = 1), or only opens (0).
pub fn child_search(dir: &Path, all: bool) {
    let store = Store::open_dir(&dir.join("store")).expect("a store");
    if all {
        for q in ZH_QUERIES.iter().chain(EN_QUERIES) {
            std::hint::black_box(store.search(q, &Filter::default()).expect("a search"));
        }
    }
}

/// `rounds-bench --child count-upload-prep DIR N`: an office in
/// `DIR/office` with one member, and a device in `DIR/device` enrolled as
/// that member, holding `N` small documents it has shared and not yet
/// pushed; the device's token in `DIR/token`.
pub fn child_upload_prep(dir: &Path, n: usize) {
    let backend = Backend::open(None, &dir.join("office")).expect("an office database");
    let db = backend.db();
    let svc = Service::new(db.clone(), Limits::default());
    let now = crate::office::now_ms();
    let office = db
        .create_office(&new_id(), "儿科虚拟教研室", now)
        .expect("an office")
        .id;
    let member = db
        .add_member(&new_id(), &office, "王老师", Role::LeadTeacher, now)
        .expect("a member")
        .id;
    let code = svc.issue_code(&member, 24).expect("a code");
    let mut store = Store::open_dir(&dir.join("device")).expect("a store");
    store.set_user_name("王老师").expect("a name");
    let e = svc
        .enroll(
            &EnrollRequest {
                code,
                actor: store.actor().to_hex_string(),
                device_name: "count".into(),
            },
            "count",
        )
        .expect("an enrolment");
    store
        .sync_set("member_id", Some(&e.member_id))
        .expect("member");
    store.sync_set("role", Some(&e.role)).expect("role");
    std::fs::write(dir.join("token"), &e.token).expect("the token");
    let ids = crate::library::generate(&mut store, n, 43, true);
    let shared = crate::office::share_all(&mut store, &ids);
    assert_eq!(shared.len(), n, "every document shared");
}

/// The office's service as a device's transport, in the same process: what
/// is counted is the two sides' work, not HTTP's.
struct InProcess<'a> {
    svc: &'a Service,
    token: String,
}

impl Transport for InProcess<'_> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        let ctx = self
            .svc
            .authenticate(Some(&format!("Bearer {}", self.token)))
            .map_err(|e| ClientError::Unauthorized(e.message))?;
        let req = SyncRequest::decode(&request, 1 << 26)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let resp = self.svc.sync(&ctx, req).map_err(|e| ClientError::Office {
            status: e.status,
            code: e.code.into(),
            message: e.message,
        })?;
        Ok(resp.encode())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a directory to copy") {
        let entry = entry.expect("an entry");
        if entry.file_type().expect("a file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("a copy");
        }
    }
}

/// `rounds-bench --child count-upload DIR SYNC`: copies of the office and
/// the device `count-upload-prep` made, opened; with `SYNC` = 1 the device
/// then syncs once (its first upload), with 0 it does not.
pub fn child_upload(dir: &Path, sync: bool) {
    let work = tempfile::tempdir_in(dir).expect("a directory");
    copy_dir(&dir.join("office"), &work.path().join("office"));
    copy_dir(&dir.join("device"), &work.path().join("device"));
    let backend = Backend::open(None, &work.path().join("office")).expect("the office");
    let svc = Service::new(backend.db(), Limits::default());
    let mut store = Store::open_dir(&work.path().join("device")).expect("the device");
    let token = std::fs::read_to_string(dir.join("token")).expect("the token");
    if sync {
        let mut t = InProcess { svc: &svc, token };
        let report =
            rounds_client::sync(&mut store, &mut t, &crate::office::now_ms).expect("a sync");
        assert!(
            report.docs_pushed > 0 && report.rejections.is_empty(),
            "the first upload pushed nothing, or was refused: {:?}",
            report.rejections
        );
    }
}

/// Instructions a child process ran, as cachegrind counted them.
fn instructions(args: &[String]) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(&exe)
        .arg("--child")
        .args(args)
        .output()
        .map_err(|e| format!("valgrind: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the counted child failed: {err}"));
    }
    err.lines()
        .find_map(|l| {
            l.split_once("I   refs:")
                .map(|(_, n)| n.trim().replace(',', ""))
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no instruction count in valgrind's output: {err}"))
}

/// Instructions of `work` beyond `base`, divided by `per`: twice, the two
/// counts side by side on the machine's two cores. A count does not depend
/// on what else runs (each child is counted on its own), so running them at
/// once halves the part's wall time and changes no figure.
fn per_unit(work: &[String], base: &[String], per: usize) -> Result<(f64, f64), String> {
    let once = || -> Result<f64, String> {
        let w = instructions(work)?;
        let b = instructions(base)?;
        Ok(w.saturating_sub(b) as f64 / per.max(1) as f64)
    };
    let (first, second) = std::thread::scope(|s| {
        let other = s.spawn(once);
        let first = once();
        (
            first,
            other
                .join()
                .unwrap_or_else(|_| Err("a counting thread panicked".to_owned())),
        )
    });
    Ok((first?, second?))
}

/// Counts the hot paths over a library of `n` documents (5–20 KB, or small
/// ones in the quick mode).
pub fn run(n: usize, small: bool) -> Result<Counts, String> {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .map_err(|_| "valgrind is not installed (scripts/setup.sh bench installs it)".to_owned())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = dir.path().display().to_string();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let status = Command::new(&exe)
        .args(["--child", "count-export", &d, &n.to_string()])
        .arg(if small { "small" } else { "full" })
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("exporting the library failed: {status}"));
    }
    let args = |what: &str, arg: String| vec![what.to_owned(), d.clone(), arg];
    let apply_per_doc = per_unit(
        &args("count-apply", n.to_string()),
        &args("count-apply", "0".into()),
        n,
    )?;
    let load_per_doc = per_unit(
        &args("count-load", n.to_string()),
        &args("count-load", "0".into()),
        n,
    )?;
    let queries = ZH_QUERIES.len() + EN_QUERIES.len();
    let search_per_query = per_unit(
        &args("count-search", "1".into()),
        &args("count-search", "0".into()),
        queries,
    )?;
    // Small documents, as in the first upload of a large library; fewer of
    // them than the library above, as cachegrind runs both sides' work.
    let upload_docs = n.min(UPLOAD_DOCS);
    let status = Command::new(&exe)
        .args(["--child", "count-upload-prep", &d, &upload_docs.to_string()])
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("preparing the upload failed: {status}"));
    }
    let upload_per_doc = per_unit(
        &args("count-upload", "1".into()),
        &args("count-upload", "0".into()),
        upload_docs,
    )?;
    let saves = n.min(SAVES);
    let save_per_save = per_unit(
        &["count-saves".to_owned(), d.clone(), saves.to_string()],
        &["count-saves".to_owned(), d.clone(), "0".to_owned()],
        saves,
    )?;
    Ok(Counts {
        docs: n,
        apply_per_doc,
        load_per_doc,
        search_per_query,
        queries,
        upload_docs,
        upload_per_doc,
        saves,
        save_per_save,
    })
}

/// The report's section.
pub fn render(o: &mut String, counts: &Result<Counts, String>) {
    let _ = writeln!(o, "\n## Instruction counts\n");
    let c = match counts {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(o, "Not measured: {e}.");
            return;
        }
    };
    let _ = writeln!(
        o,
        "Instructions counted by Valgrind's cachegrind in a child process, less the same child without the work (opening the store, reading the input): they do not move with the machine's load, so a change in them is a change in the code. Each count was taken twice; the two are shown. A library of {} documents{}, compacted, applied by a new device in pages of {PAGE}.\n",
        c.docs,
        if c.docs <= 20 {
            " (small ones: quick mode)"
        } else {
            " of 5–20 KB"
        },
    );
    let _ = writeln!(
        o,
        "| path | instructions, run 1 / run 2 | moved by itself |\n|---|---|---|"
    );
    let row = |o: &mut String, what: String, (a, b): (f64, f64)| {
        let _ = writeln!(
            o,
            "| {what} | {} / {} | {:.2}% |",
            thousands(a),
            thousands(b),
            (a - b).abs() / a.max(b).max(1.0) * 100.0
        );
    };
    row(
        o,
        "a new device applies a document (`Store::apply_page`), per document".into(),
        c.apply_per_doc,
    );
    row(
        o,
        "↳ floor: Automerge loads the same bytes, per document".into(),
        c.load_per_doc,
    );
    row(
        o,
        format!(
            "a search ({} queries of the store benchmark, over the same library), per query",
            c.queries
        ),
        c.search_per_query,
    );
    let _ = writeln!(
        o,
        "| ↳ a new device ÷ floor, in instructions | {:.2}× | |",
        c.apply_per_doc.0 / c.load_per_doc.0.max(1.0)
    );
    row(
        o,
        format!(
            "a first upload of {} small shared documents (`rounds_client::sync`, the office's service in the same process: the device and the office together), per document",
            c.upload_docs
        ),
        c.upload_per_doc,
    );
    row(
        o,
        format!(
            "a save of one character into the middle of a 20 KB field (`rounds_app::App::edit_at`, {} saves, each based on the one before), per save",
            c.saves
        ),
        c.save_per_save,
    );
}

/// 12345678.0 as "12,345,678".
fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
