//! `rounds`: the headless client of Rounds, over the same store as the
//! desktop app. Every read command has `--json` output, documented in
//! `docs/cli.md`; errors are one line on stderr and a non-zero exit status.

/// Prints a line to standard output; see [`output::emit`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::emit(&format!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard output without a newline.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::emit(&format!($($arg)*)) };
}

mod filters;
mod links;
mod output;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rounds_core::doc::{Visibility, parse_field_input, summary_json};
use rounds_core::schema::{DocKind, FieldType, Lang};
use rounds_store::{Filter, Store};
use serde_json::{Map, Value as Json, json};

#[derive(Parser)]
#[command(
    name = "rounds",
    version,
    about = "Rounds: lesson plans and teaching cases for pediatric clinical teachers, offline first."
)]
struct Cli {
    /// The data directory (default: the per-user directory the desktop app uses).
    #[arg(long, global = true, env = "ROUNDS_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show or set who you are: the name written on your changes.
    Profile {
        /// Set your display name.
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Create a lesson plan or a case.
    New {
        /// The kind: `lesson` (教案), `case` (see `rounds fields --help`).
        #[arg(value_parser = parse_kind)]
        kind: DocKind,
        /// The title.
        title: String,
        /// The document's language.
        #[arg(long, default_value = "zh")]
        lang: LangArg,
        #[command(flatten)]
        set: SetArgs,
        #[arg(long)]
        json: bool,
    },
    /// Show a document (as Markdown, or all of it with --json).
    Show {
        id: String,
        /// Show the document as it was after this change (its number in `history`, or its hash).
        #[arg(long, value_name = "CHANGE")]
        at: Option<String>,
        /// Labels in this language (default: the document's).
        #[arg(long)]
        lang: Option<LangArg>,
        #[arg(long)]
        json: bool,
    },
    /// List documents, newest change first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Search all text, Chinese or English.
    Search {
        query: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Change fields of a document: one save, one change in its history.
    Edit {
        id: String,
        #[command(flatten)]
        set: SetArgs,
        #[arg(long)]
        json: bool,
    },
    /// Delete a document (it can be restored; the deletion syncs).
    Delete { id: String },
    /// Restore a deleted document.
    Restore { id: String },
    /// Make a document visible to your office. A case is checked for patient
    /// identifiers first and shared as a new document, without its history.
    Share {
        id: String,
        /// Confirm that you removed every patient identifier (needed for a case).
        #[arg(long)]
        attest: bool,
        #[arg(long)]
        json: bool,
    },
    /// Look for patient identifiers in a document.
    Check {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Replace patient identifiers by masks (张小明 → 张某, a phone → [电话]).
    Mask {
        id: String,
        /// Only these findings (numbers from `rounds check`); all if none given.
        #[arg(long = "finding", value_name = "N")]
        findings: Vec<usize>,
    },
    /// The references a document holds, and the documents that refer to it.
    Links {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Who changed what, and when.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a document as JSON or Markdown.
    Export {
        id: String,
        #[arg(long, default_value = "json")]
        format: Format,
        /// Labels in this language (Markdown; default: the document's).
        #[arg(long)]
        lang: Option<LangArg>,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Import documents from JSON files (`-` for standard input).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Import the sample library.
    Samples {
        #[arg(long)]
        json: bool,
    },
    /// Back up or restore the whole library, history included.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// The fields of a lesson plan or a case.
    Fields {
        #[arg(value_parser = parse_kind)]
        kind: DocKind,
        #[arg(long)]
        json: bool,
    },
    /// Join an office with the code its administrator gave you.
    Join {
        /// The office's address, e.g. https://rounds.example-hospital.cn
        url: String,
        code: String,
        /// A PEM file with the certificate authority of the office's certificate.
        #[arg(long, value_name = "FILE", conflicts_with = "fingerprint")]
        ca: Option<PathBuf>,
        /// The office certificate's fingerprint the administrator gave you
        /// with the code (`SHA256:…`): this device then accepts only that
        /// certificate (or one issued by it) from the office.
        #[arg(long, value_name = "SHA256")]
        fingerprint: Option<String>,
        /// Allow plain http to another machine (only on a network you trust).
        #[arg(long)]
        allow_http: bool,
        /// A name for this device, shown to the office's administrators.
        #[arg(long)]
        device_name: Option<String>,
        /// Join again with a new code after this device was revoked or lost
        /// its token; every document and unpushed edit here is kept.
        #[arg(long)]
        rejoin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Pin the office's new certificate after its administrator replaced
    /// it: the office must show it now; it replaces the one pinned at join.
    Pin {
        /// The fingerprint the administrator gave you (`SHA256:…`).
        fingerprint: String,
    },
    /// Send your changes to the office and receive your colleagues'.
    Sync {
        /// Forget the cursor and fetch every document again (your own work is kept).
        #[arg(long)]
        reset: bool,
        #[arg(long)]
        json: bool,
    },
    /// Which office this device syncs with, and what is waiting.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Add generated documents (for trying Rounds with a large library).
    Generate {
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Approximate characters of text per document.
        #[arg(long, default_value_t = 3000)]
        body: usize,
    },
}

#[derive(Subcommand)]
enum BackupAction {
    /// Write every document, with its history, to a new file.
    Create { file: PathBuf },
    /// Bring documents back from a backup file; newer local edits are kept.
    Restore { file: PathBuf },
}

#[derive(Args, Default)]
struct SetArgs {
    /// Set a field: `--set course=儿科学`. Repeatable.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Set a field from a file: `--set-file present_illness=hpi.txt`.
    #[arg(long = "set-file", value_name = "FIELD=PATH")]
    set_file: Vec<String>,
    /// Set one field from standard input.
    #[arg(long = "stdin", value_name = "FIELD")]
    stdin: Option<String>,
    /// Apply a JSON object of fields from a file (`-` for standard input).
    #[arg(long = "patch", value_name = "FILE")]
    patch: Option<PathBuf>,
}

#[derive(Args, Default)]
struct FilterArgs {
    /// The kind: `lesson` (教案) or `case`.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<DocKind>,
    #[arg(long)]
    tag: Option<String>,
    /// One flag per filterable field of every kind (`--status`, `--organ-system`…).
    #[command(flatten)]
    fields: filters::FieldFilters,
    /// Only your own documents.
    #[arg(long, conflicts_with = "shared")]
    mine: bool,
    /// Only documents others shared with the office.
    #[arg(long)]
    shared: bool,
    /// The deleted documents instead.
    #[arg(long)]
    deleted: bool,
    #[arg(long)]
    limit: Option<usize>,
}

/// A kind by its stored name or a short form (`lesson`, `教案`, `case`).
fn parse_kind(s: &str) -> Result<DocKind, String> {
    DocKind::parse(s).ok_or_else(|| {
        let names: Vec<String> = DocKind::all()
            .iter()
            .map(|k| {
                std::iter::once(k.short())
                    .chain(std::iter::once(k.as_str()).filter(|n| *n != k.short()))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        format!("unknown kind `{s}`: one of {}", names.join(", "))
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Md,
}

/// A command's failure: printed as one line.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("rounds: {}", msg.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn default_data_dir() -> Result<PathBuf, Failure> {
    rounds_store::default_data_dir()
        .ok_or_else(|| Failure("cannot find a home directory; pass --data DIR".into()))
}

fn open(data: Option<&Path>) -> Result<Store, Failure> {
    let dir = match data {
        Some(d) => d.to_path_buf(),
        None => default_data_dir()?,
    };
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

fn data_dir(data: Option<&Path>) -> Result<PathBuf, Failure> {
    match data {
        Some(d) => Ok(d.to_path_buf()),
        None => default_data_dir(),
    }
}

/// A document as Markdown, references shown by their targets' titles.
fn markdown(store: &Store, doc: &rounds_core::Document, lang: Lang) -> String {
    rounds_core::markdown::to_markdown_with(doc, lang, &|id| store.title_of(id).ok().flatten())
}

pub(crate) fn print_json(v: &Json) {
    outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn run(cli: Cli) -> Result<(), Failure> {
    let data = cli.data.as_deref();
    match cli.command {
        Command::Profile { name, json } => {
            let mut store = open(data)?;
            if let Some(n) = name {
                store.set_user_name(&n)?;
            }
            let dir = data_dir(data)?;
            let v = json!({
                "name": store.user_name(),
                "user_id": store.user_id(),
                "actor": store.actor().to_hex_string(),
                "data": dir.display().to_string(),
            });
            if json {
                print_json(&v);
            } else {
                outln!(
                    "name:    {}\nuser id: {}\ndevice:  {}\ndata:    {}",
                    v["name"].as_str().unwrap_or(""),
                    store.user_id(),
                    v["actor"].as_str().unwrap_or(""),
                    dir.display()
                );
            }
        }
        Command::New {
            kind,
            title,
            lang,
            set,
            json,
        } => {
            let mut store = open(data)?;
            let fields = collect_patch(kind, &set)?;
            let fields = (!fields.is_empty()).then_some(Json::Object(fields));
            let s = store.create(kind, &title, lang.into(), fields.as_ref())?;
            if json {
                print_json(&summary_json(&s));
            } else {
                outln!("{}", s.id);
            }
        }
        Command::Show { id, at, lang, json } => {
            let store = open(data)?;
            let id = store.resolve(&id)?;
            let doc = match at {
                Some(change) => store.at(&id, &change)?,
                None => store.load(&id)?,
            };
            if json {
                print_json(&doc.to_json());
            } else {
                let lang = lang.map_or(doc.summary().language, Lang::from);
                if let Some(e) = doc.read_only() {
                    eprintln!("rounds: note: {e}");
                }
                out!("{}", markdown(&store, &doc, lang));
            }
        }
        Command::List { filter, json } => {
            let store = open(data)?;
            let rows = store.list(&filter_from(&filter))?;
            if json {
                print_json(&Json::Array(rows.iter().map(summary_json).collect()));
            } else {
                output::print_table(&rows);
                output::print_carried(&store.carried()?);
            }
        }
        Command::Search {
            query,
            filter,
            json,
        } => {
            let store = open(data)?;
            let hits = store.search(&query, &filter_from(&filter))?;
            if json {
                let v: Vec<Json> = hits
                    .iter()
                    .map(|h| {
                        let mut j = summary_json(&h.summary);
                        j["snippet"] = serde_json::to_value(&h.snippet).unwrap_or_default();
                        j
                    })
                    .collect();
                print_json(&Json::Array(v));
            } else {
                output::print_hits(&hits);
            }
        }
        Command::Edit { id, set, json } => {
            let mut store = open(data)?;
            let id = store.resolve(&id)?;
            let kind = store.summary(&id)?.kind;
            let patch = collect_patch(kind, &set)?;
            if patch.is_empty() {
                return Err(Failure(
                    "nothing to change: give --set, --set-file, --stdin or --patch".into(),
                ));
            }
            let s = store.edit(&id, &Json::Object(patch))?;
            if json {
                print_json(&summary_json(&s));
            }
        }
        Command::Delete { id } => {
            let mut store = open(data)?;
            let id = store.resolve(&id)?;
            store.delete(&id)?;
        }
        Command::Restore { id } => {
            let mut store = open(data)?;
            let id = store.resolve(&id)?;
            store.restore(&id)?;
        }
        Command::Share { id, attest, json } => {
            let mut store = open(data)?;
            let id = store.resolve(&id)?;
            let s = store.share(&id, attest)?;
            if json {
                print_json(&summary_json(&s));
            } else if s.id != id {
                outln!(
                    "shared as a new document {} (the private original stays on this device, in the trash)",
                    s.id
                );
            } else {
                outln!("shared {}", s.id);
            }
        }
        Command::Check { id, json } => {
            let store = open(data)?;
            let id = store.resolve(&id)?;
            let findings = store.check(&id)?;
            if json {
                print_json(&serde_json::to_value(&findings)?);
            } else if findings.is_empty() {
                outln!(
                    "no likely patient identifiers found (a person must still check before sharing)"
                );
            } else {
                let zh = store.summary(&id)?.language == Lang::Zh;
                for (i, f) in findings.iter().enumerate() {
                    let reason = if zh {
                        &f.finding.reason_zh
                    } else {
                        &f.finding.reason_en
                    };
                    outln!(
                        "{:>3}  {:<6}  {}: “{}” → {}  ({reason})",
                        i + 1,
                        format!("{:?}", f.finding.confidence).to_lowercase(),
                        f.label,
                        f.finding.text,
                        f.finding.mask
                    );
                }
                if rounds_core::deid::blocks_sharing(&findings) {
                    outln!(
                        "high-confidence findings block sharing; `rounds mask {}` replaces them",
                        Store::short_id(&id)
                    );
                }
            }
        }
        Command::Mask { id, findings } => {
            let mut store = open(data)?;
            let id = store.resolve(&id)?;
            let only = (!findings.is_empty()).then_some(findings.as_slice());
            let (_, n) = store.mask(&id, only)?;
            outln!("masked {n} finding(s)");
        }
        Command::Links { id, json } => links::run(&open(data)?, &id, json)?,
        Command::History { id, json } => {
            let store = open(data)?;
            let id = store.resolve(&id)?;
            let h = store.history(&id)?;
            if json {
                let v: Vec<Json> = h
                    .iter()
                    .map(|e| {
                        json!({"index": e.index, "hash": e.hash, "actor": e.actor, "time": rounds_core::time::rfc3339(e.time), "author": e.author, "fields": e.fields})
                    })
                    .collect();
                print_json(&Json::Array(v));
            } else {
                output::print_history(&h);
            }
        }
        Command::Export {
            id,
            format,
            lang,
            output,
        } => {
            let store = open(data)?;
            let id = store.resolve(&id)?;
            let doc = store.load(&id)?;
            let text = match format {
                Format::Json => serde_json::to_string_pretty(&doc.to_json())? + "\n",
                Format::Md => {
                    let lang = lang.map_or(doc.summary().language, Lang::from);
                    markdown(&store, &doc, lang)
                }
            };
            match output {
                Some(path) => write_new_file(&path, text.as_bytes())?,
                None => out!("{text}"),
            }
        }
        Command::Import { files, json } => {
            let mut store = open(data)?;
            let mut out = Vec::new();
            for f in files {
                let text = read_input(&f)?;
                let (s, created) = store
                    .import_json(&text)
                    .map_err(|e| Failure(format!("{}: {e}", f.display())))?;
                if !json {
                    outln!(
                        "{} {} {}",
                        if created { "added  " } else { "updated" },
                        s.id,
                        s.title
                    );
                }
                out.push(json!({"id": s.id, "title": s.title, "created": created}));
            }
            if json {
                print_json(&Json::Array(out));
            }
        }
        Command::Samples { json } => {
            let mut store = open(data)?;
            let added = store.import_samples()?;
            if json {
                print_json(&json!({"added": added, "samples": rounds_core::samples::all().len()}));
            } else {
                outln!(
                    "added {added} of {} sample documents",
                    rounds_core::samples::all().len()
                );
            }
        }
        Command::Backup { action } => {
            let mut store = open(data)?;
            match action {
                BackupAction::Create { file } => {
                    let n = store.backup(&file)?;
                    outln!("backed up {n} documents to {}", file.display());
                }
                BackupAction::Restore { file } => {
                    let (restored, merged) = store.restore_backup(&file)?;
                    outln!("restored {restored} documents, merged {merged} into existing ones");
                }
            }
        }
        Command::Fields { kind, json } => {
            if json {
                print_json(&serde_json::to_value(kind.fields())?);
            } else {
                output::print_fields(kind);
            }
        }
        Command::Join {
            url,
            code,
            ca,
            fingerprint,
            allow_http,
            device_name,
            rejoin,
            json,
        } => {
            let pin = match fingerprint.as_deref() {
                Some(f) => Some(rounds_client::Fingerprint::parse(f).map_err(Failure)?),
                None => None,
            };
            let dir = data_dir(data)?;
            let mut store = open(data)?;
            let conn = rounds_client::Connection {
                url,
                ca_file: ca,
                allow_http,
                pin,
            };
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "rounds-cli".into());
            let join = if rejoin {
                rounds_client::rejoin
            } else {
                rounds_client::join
            };
            let e = join(
                &mut store,
                &dir,
                &conn,
                &code,
                device_name.as_deref().unwrap_or(&host),
            )?;
            if json {
                print_json(
                    &json!({"office_id": e.office_id, "office_name": e.office_name, "member_name": e.member_name, "role": e.role, "device_id": e.device_id}),
                );
            } else {
                outln!("joined {} as {} ({})", e.office_name, e.member_name, e.role);
            }
        }
        Command::Pin { fingerprint } => {
            let pin = rounds_client::Fingerprint::parse(&fingerprint).map_err(Failure)?;
            let mut store = open(data)?;
            rounds_client::repin(&mut store, pin)?;
            outln!("the office shows that certificate; pinned {pin}");
        }
        Command::Sync { reset, json } => {
            let dir = data_dir(data)?;
            let mut store = open(data)?;
            if reset {
                store.reset_sync_cursor()?;
            }
            let r = rounds_client::sync_joined(&mut store, &dir)?;
            if json {
                print_json(&serde_json::to_value(&r)?);
            } else {
                outln!(
                    "sent {} changes of {} documents, received {} changes of {} documents and {} whole documents; {} B up, {} B down, {} round trips",
                    r.changes_pushed,
                    r.docs_pushed,
                    r.changes_received,
                    r.docs_received,
                    r.snapshots_received,
                    r.bytes_up,
                    r.bytes_down,
                    r.round_trips
                );
                for rej in &r.rejections {
                    outln!(
                        "refused by the office: {} ({}): {}",
                        rej.doc,
                        rej.code,
                        rej.message
                    );
                }
            }
        }
        Command::Status { json } => {
            let store = open(data)?;
            let info = store.sync_info()?;
            if json {
                print_json(&serde_json::to_value(&info)?);
            } else if let Some(url) = &info.office_url {
                outln!(
                    "office:   {} ({url})",
                    info.office_name.as_deref().unwrap_or("?")
                );
                outln!(
                    "as:       {} ({})",
                    info.member_name.as_deref().unwrap_or("?"),
                    info.role.as_deref().unwrap_or("?")
                );
                if let Some(pin) = store.sync_get("tls_pin")? {
                    outln!("pinned:   {pin}");
                }
                outln!(
                    "last sync: {}",
                    info.last_sync
                        .map_or_else(|| "never".into(), rounds_core::time::rfc3339)
                );
                outln!(
                    "waiting:  {} documents with changes to send",
                    info.pending_docs
                );
                if info.rejected_docs > 0 {
                    outln!(
                        "refused:  {} documents (see `rounds sync`)",
                        info.rejected_docs
                    );
                }
                outln!(
                    "private cases on this device only: {}",
                    info.local_only_docs
                );
                if info.newer_docs > 0 {
                    outln!(
                        "kept for a newer Rounds: {} documents of kinds this version cannot open (update Rounds to open them)",
                        info.newer_docs
                    );
                }
            } else {
                outln!(
                    "not joined to an office; {} documents with changes wait for `rounds join`",
                    info.pending_docs
                );
            }
        }
        Command::Generate { count, seed, body } => {
            let mut store = open(data)?;
            let ids = store.generate(count, seed, body)?;
            outln!("added {} generated documents", ids.len());
        }
    }
    Ok(())
}

fn filter_from(f: &FilterArgs) -> Filter {
    Filter {
        kind: f.kind,
        tag: f.tag.clone(),
        fields: f.fields.0.clone(),
        visibility: f.shared.then_some(Visibility::Office),
        mine: if f.mine {
            Some(true)
        } else if f.shared {
            Some(false)
        } else {
            None
        },
        deleted: f.deleted,
        limit: f.limit,
        offset: 0,
    }
}

fn read_input(path: &Path) -> Result<String, Failure> {
    let mut s = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut s)?;
    } else {
        s = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    }
    Ok(s)
}

fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    f.write_all(bytes)?;
    Ok(())
}

fn split_assignment(s: &str) -> Result<(&str, &str), Failure> {
    s.split_once('=')
        .ok_or_else(|| Failure(format!("`{s}`: write FIELD=VALUE")))
}

/// Gathers every way of giving field values into one JSON object.
fn collect_patch(kind: DocKind, set: &SetArgs) -> Result<Map<String, Json>, Failure> {
    let mut patch = Map::new();
    if let Some(p) = &set.patch {
        let text = read_input(p)?;
        let v: Json = serde_json::from_str(&text)
            .map_err(|e| Failure(format!("{}: malformed JSON: {e}", p.display())))?;
        match v {
            Json::Object(o) => patch.extend(o),
            _ => {
                return Err(Failure(format!(
                    "{}: must be a JSON object of fields",
                    p.display()
                )));
            }
        }
    }
    for a in &set.set {
        let (k, v) = split_assignment(a)?;
        patch.insert(k.to_owned(), parse_field_input(kind, k, v)?);
    }
    for a in &set.set_file {
        let (k, p) = split_assignment(a)?;
        let text = read_input(Path::new(p))?;
        patch.insert(k.to_owned(), parse_field_input(kind, k, &text)?);
    }
    if let Some(k) = &set.stdin {
        let text = read_input(Path::new("-"))?;
        patch.insert(k.clone(), parse_field_input(kind, k, &text)?);
    }
    // Long text from files and pipes usually ends with one newline that the
    // user did not mean as part of the field.
    for (k, v) in patch.iter_mut() {
        if let (Some(f), Json::String(s)) = (kind.field(k), &mut *v)
            && matches!(f.ty, FieldType::Text { .. })
            && s.ends_with('\n')
            && (set.set_file.iter().any(|a| a.starts_with(&format!("{k}=")))
                || set.stdin.as_deref() == Some(k))
        {
            s.truncate(s.trim_end_matches('\n').len());
        }
    }
    Ok(patch)
}
