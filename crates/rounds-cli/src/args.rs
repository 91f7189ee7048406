//! The command line: every command's arguments, as clap types, and nothing
//! that runs them. A command is a variant of [`Command`] holding its own
//! `…Args` struct (declared here), a function in the file of its area
//! (`documents.rs`, `sharing.rs`, `office.rs`, `backup.rs`, `profile.rs`)
//! and one line of `main.rs`'s dispatch.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rounds_core::schema::{DocKind, Lang};

use crate::filters;
use crate::rows::RowEdits;

#[derive(Parser)]
#[command(
    name = "rounds",
    version,
    about = "Rounds: lesson plans and teaching cases for pediatric clinical teachers, offline first."
)]
pub struct Cli {
    /// The data directory (default: the per-user directory the desktop app uses).
    #[arg(long, global = true, env = "ROUNDS_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

// The variants' doc comments are the commands' help, in this order in
// `rounds --help`; the `…Args` structs carry none (clap would take theirs).
#[derive(Subcommand)]
pub enum Command {
    /// Show or set who you are: the name written on your changes.
    Profile(ProfileArgs),
    /// Create a lesson plan or a case.
    New(NewArgs),
    /// Show a document (as Markdown, or all of it with --json).
    Show(ShowArgs),
    /// List documents, newest change first.
    List(ListArgs),
    /// Search all text, Chinese or English.
    Search(SearchArgs),
    /// Change fields of a document: one save, one change in its history.
    Edit(EditArgs),
    /// Delete a document (it can be restored; the deletion syncs).
    Delete(IdArgs),
    /// Restore a deleted document.
    Restore(IdArgs),
    /// Make a document visible to your office. A case is checked for patient
    /// identifiers first and shared as a new document, without its history.
    Share(ShareArgs),
    /// Look for patient identifiers in a document.
    Check(CheckArgs),
    /// Replace patient identifiers by masks (张小明 → 张某, a phone → [电话]).
    Mask(MaskArgs),
    /// Who changed what, and when.
    History(HistoryArgs),
    /// The references a document holds, and the documents that refer to it.
    Links(LinksArgs),
    /// Set or show a plan's preparation group (集体备课): lead preparer,
    /// participants, due dates.
    Group(GroupArgs),
    /// Comment on a document, a field, a row or a selection of text; with
    /// no text, list the document's comment threads.
    Comment(CommentArgs),
    /// Answer a comment thread.
    Reply(ReplyArgs),
    /// Resolve a comment thread (or reopen it).
    Resolve(ResolveArgs),
    /// Suggest new text for a selection; the lead preparer accepts or rejects it.
    Suggest(SuggestArgs),
    /// Accept a suggestion (or all open ones): its text replaces the selection.
    Accept(DecideArgs),
    /// Reject a suggestion (or all open ones).
    Reject(DecideArgs),
    /// Move a plan to a preparation stage, or show its stages.
    Stage(StageArgs),
    /// The review track: submit, decide, score with a rubric, or show the record.
    Review(ReviewArgs),
    /// Compare two versions of a document, field by field.
    Compare(CompareArgs),
    /// Mark the current version as a best version (精华), or list them.
    Best(BestArgs),
    /// Make your site's copy of a shared plan (二次备课), or take the shared
    /// plan's changes into your copy.
    Adapt(AdaptArgs),
    /// Record a reflection after teaching a plan.
    Reflect(ReflectArgs),
    /// What arrived for you: comments, replies, mentions, suggestions,
    /// review requests and decisions, stage changes.
    Inbox(InboxArgs),
    /// Write a document as JSON or Markdown.
    Export(ExportArgs),
    /// Import documents from JSON files (`-` for standard input).
    Import(ImportArgs),
    /// Import Word (.docx) lesson plans: files, or folders of them.
    ImportDocx(ImportDocxArgs),
    /// Import the sample library.
    Samples(JsonArgs),
    /// Back up or restore the whole library, history included.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// The fields of a lesson plan or a case.
    Fields(FieldsArgs),
    /// Join an office with the code its administrator gave you.
    Join(JoinArgs),
    /// Pin the office's new certificate after its administrator replaced
    /// it: the office must show it now; it replaces the one pinned at join.
    Pin(PinArgs),
    /// Send your changes to the office and receive your colleagues'.
    Sync(SyncArgs),
    /// Which office this device syncs with, and what is waiting.
    Status(JsonArgs),
    /// Sync by USB drive, for a site with no link: write a bundle of your
    /// changes for the office, or import the office's return bundle.
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Add generated documents (for trying Rounds with a large library).
    Generate(GenerateArgs),
    // A new command goes here: its variant (in the place its help should
    // have in `rounds --help`), its `…Args` below, its file, and its line
    // in `main.rs`'s dispatch.
}

// Commands whose only option is `--json`.
#[derive(Args)]
pub struct JsonArgs {
    #[arg(long)]
    pub json: bool,
}

// Commands that take only a document.
#[derive(Args)]
pub struct IdArgs {
    pub id: String,
}

#[derive(Args)]
pub struct ProfileArgs {
    /// Set your display name.
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct NewArgs {
    /// The kind: `lesson` (教案), `case` (see `rounds fields --help`).
    #[arg(value_parser = parse_kind)]
    pub kind: DocKind,
    /// The title.
    pub title: String,
    /// The document's language.
    #[arg(long, default_value = "zh")]
    pub lang: LangArg,
    #[command(flatten)]
    pub set: SetArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    pub id: String,
    /// Show the document as it was after this change (its number in `history`, or its hash), or at a best version (its name).
    #[arg(long, value_name = "CHANGE")]
    pub at: Option<String>,
    /// Labels in this language (default: the document's).
    #[arg(long)]
    pub lang: Option<LangArg>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SearchArgs {
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct EditArgs {
    pub id: String,
    #[command(flatten)]
    pub set: SetArgs,
    /// Row edits of list fields (`--add`, `--change`, `--move`, `--remove`).
    #[command(flatten)]
    pub rows: RowEdits,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ShareArgs {
    pub id: String,
    /// Confirm that you removed every patient identifier (needed for a case).
    #[arg(long)]
    pub attest: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct MaskArgs {
    pub id: String,
    /// Only these findings (numbers from `rounds check`); all if none given.
    #[arg(long = "finding", value_name = "N")]
    pub findings: Vec<usize>,
}

#[derive(Args)]
pub struct LinksArgs {
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct HistoryArgs {
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    pub id: String,
    #[arg(long, default_value = "json")]
    pub format: Format,
    /// Export the document as it was after this change (its number in
    /// `history`, or its hash), or at a best version (its name).
    #[arg(long, value_name = "VERSION")]
    pub at: Option<String>,
    /// Labels in this language (Markdown, Word, PDF; default: the document's).
    #[arg(long)]
    pub lang: Option<LangArg>,
    /// Write to this file instead of standard output (Word, PDF: required).
    #[arg(short, long, visible_alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Word and PDF: the student version, without the kind's teacher-only
    /// sections (a case's teacher version).
    #[arg(long)]
    pub student: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ImportDocxArgs {
    /// .docx files, or folders whose .docx files (and subfolders') are read.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Show what would be imported, field by field, and save nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum BackupAction {
    /// Write every document, with its history, to a new file.
    Create { file: PathBuf },
    /// Bring documents back from a backup file; newer local edits are kept.
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
pub enum BundleAction {
    /// Write what the office has not got from this device to FILE, for
    /// `rounds-office bundle import`.
    Export {
        file: PathBuf,
        /// The largest file written; a larger bundle is cut into parts
        /// FILE, FILE.part2, … (default: under FAT32's 4 GiB).
        #[arg(long, hide = true)]
        part_bytes: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Apply the office's return bundle (FILE and its parts, if any).
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct FieldsArgs {
    #[arg(value_parser = parse_kind)]
    pub kind: DocKind,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct JoinArgs {
    /// The office's address, e.g. https://rounds.example-hospital.cn
    pub url: String,
    pub code: String,
    /// A PEM file with the certificate authority of the office's certificate.
    #[arg(long, value_name = "FILE", conflicts_with = "fingerprint")]
    pub ca: Option<PathBuf>,
    /// The office certificate's fingerprint the administrator gave you
    /// with the code (`SHA256:…`): this device then accepts only that
    /// certificate (or one issued by it) from the office.
    #[arg(long, value_name = "SHA256")]
    pub fingerprint: Option<String>,
    /// Allow plain http to another machine (only on a network you trust).
    #[arg(long)]
    pub allow_http: bool,
    /// A name for this device, shown to the office's administrators.
    #[arg(long)]
    pub device_name: Option<String>,
    /// Join again with a new code after this device was revoked or lost
    /// its token; every document and unpushed edit here is kept.
    #[arg(long)]
    pub rejoin: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PinArgs {
    /// The fingerprint the administrator gave you (`SHA256:…`).
    pub fingerprint: String,
}

#[derive(Args)]
pub struct SyncArgs {
    /// Forget the cursor and fetch every document again (your own work is kept).
    #[arg(long)]
    pub reset: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct GenerateArgs {
    pub count: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Approximate characters of text per document.
    #[arg(long, default_value_t = 3000)]
    pub body: usize,
}

#[derive(Args, Default)]
pub struct SetArgs {
    /// Set a field: `--set course=儿科学`. Repeatable.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Set a field from a file: `--set-file present_illness=hpi.txt`.
    #[arg(long = "set-file", value_name = "FIELD=PATH")]
    pub set_file: Vec<String>,
    /// Set one field from standard input.
    #[arg(long = "stdin", value_name = "FIELD")]
    pub stdin: Option<String>,
    /// Apply a JSON object of fields from a file (`-` for standard input).
    #[arg(long = "patch", value_name = "FILE")]
    pub patch: Option<PathBuf>,
}

#[derive(Args, Default)]
pub struct FilterArgs {
    /// The kind: `lesson` (教案) or `case`.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<DocKind>,
    #[arg(long)]
    pub tag: Option<String>,
    /// One flag per filterable field of every kind (`--status`, `--organ-system`…).
    #[command(flatten)]
    pub fields: filters::FieldFilters,
    /// Only your own documents.
    #[arg(long, conflicts_with = "shared")]
    pub mine: bool,
    /// Only documents others shared with the office.
    #[arg(long)]
    pub shared: bool,
    /// The deleted documents instead.
    #[arg(long)]
    pub deleted: bool,
    #[arg(long)]
    pub limit: Option<usize>,
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
pub enum LangArg {
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
pub enum Format {
    Json,
    Md,
    /// An editable Word file in the 教案 table layout (needs --out).
    Docx,
    /// A PDF laid out as print, with the bundled fonts (needs --out).
    Pdf,
}

#[derive(Args)]
pub struct GroupArgs {
    pub id: String,
    /// The lead preparer (主备人): a member id or name from the office's directory.
    #[arg(long, value_name = "MEMBER")]
    pub lead: Option<String>,
    /// A participant (参与人); add `:edit` to let them edit the plan, not only comment.
    #[arg(long = "participant", value_name = "MEMBER[:edit]")]
    pub participants: Vec<String>,
    /// A stage's due date.
    #[arg(long = "due", value_name = "STAGE=YYYY-MM-DD")]
    pub due: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

/// Where in a document: a field, a list row's field, a selection.
#[derive(Args, Clone, Default)]
pub struct TargetArgs {
    /// The field (a key from `rounds fields`, or `title`); none for the whole document.
    #[arg(long)]
    pub field: Option<String>,
    /// A row of a list field (its position from 1, or its id), with --item.
    #[arg(long, requires = "field")]
    pub row: Option<String>,
    /// The field inside the row.
    #[arg(long, requires = "row")]
    pub item: Option<String>,
    /// The selection: the first occurrence of this text in the field.
    #[arg(long, requires = "field", conflicts_with = "range")]
    pub quote: Option<String>,
    /// The selection by character positions, end exclusive.
    #[arg(long, requires = "field", value_name = "FROM..TO")]
    pub range: Option<String>,
}

#[derive(Args)]
pub struct CommentArgs {
    pub id: String,
    /// The comment; none to list the threads.
    pub text: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Mention a member (id or name); they see it in their inbox.
    #[arg(long = "mention", value_name = "MEMBER")]
    pub mentions: Vec<String>,
    /// With no text: only open threads.
    #[arg(long)]
    pub open: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReplyArgs {
    pub id: String,
    /// The thread (its id or the start of it).
    pub thread: String,
    pub text: String,
    #[arg(long = "mention", value_name = "MEMBER")]
    pub mentions: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ResolveArgs {
    pub id: String,
    pub thread: String,
    /// Reopen a resolved thread instead.
    #[arg(long)]
    pub reopen: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SuggestArgs {
    pub id: String,
    /// The text proposed in place of the selection (may be empty: delete it).
    #[arg(long = "text", value_name = "TEXT")]
    pub proposed: String,
    /// Why, in a word or two.
    pub comment: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct DecideArgs {
    pub id: String,
    /// The suggestion's thread; none with --all.
    pub thread: Option<String>,
    /// Every open suggestion of the document.
    #[arg(long, conflicts_with = "thread")]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct StageArgs {
    pub id: String,
    /// draft, discussion, finalised, adaptation, taught or reflection; none to show.
    pub stage: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReviewArgs {
    pub id: String,
    /// submit, start, approve, request-changes, reject, publish or score; none to show the record.
    pub action: Option<String>,
    /// A note with a decision.
    #[arg(long)]
    pub note: Option<String>,
    /// With score: the rubric (glassick or pingke).
    #[arg(long, default_value = "glassick")]
    pub rubric: String,
    /// With score: a criterion's score.
    #[arg(long = "score", value_name = "CRITERION=N")]
    pub scores: Vec<String>,
    /// With score: a note on a criterion.
    #[arg(long = "criterion-note", value_name = "CRITERION=TEXT")]
    pub criterion_notes: Vec<String>,
    /// With score: accept, minor, major or reject.
    #[arg(long)]
    pub recommend: Option<String>,
    /// With score: your overall comment.
    #[arg(long)]
    pub comment: Option<String>,
    /// With score: a declared conflict of interest.
    #[arg(long)]
    pub coi: Option<String>,
    /// Labels in this language (default: the document's).
    #[arg(long)]
    pub lang: Option<LangArg>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CompareArgs {
    pub id: String,
    /// The older version: a change's number in `history` or its hash, or a best version's name.
    #[arg(long)]
    pub from: String,
    /// The newer version, likewise (default: the document as it is).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct BestArgs {
    pub id: String,
    /// The name of the best version to mark; none to list them.
    pub name: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AdaptArgs {
    /// The shared plan to copy; with --take or --status, your site copy.
    pub id: String,
    /// The copy's title (default: the plan's, with your site).
    #[arg(long)]
    pub title: Option<String>,
    /// Take the shared plan's changes into this site copy, keeping your own.
    #[arg(long, conflicts_with = "status")]
    pub take: bool,
    /// Whether the shared plan changed since this copy last took it, and how.
    #[arg(long)]
    pub status: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReflectArgs {
    pub id: String,
    /// What worked.
    #[arg(long, default_value = "")]
    pub worked: String,
    /// What to change next time.
    #[arg(long, default_value = "")]
    pub change: String,
    /// Where learners struggled.
    #[arg(long, default_value = "")]
    pub difficulties: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct InboxArgs {
    /// Only what is unread.
    #[arg(long)]
    pub unread: bool,
    /// Mark a document's items read (its id), or one item (ID:ITEM).
    #[arg(long, value_name = "ID[:ITEM]", conflicts_with = "read_all")]
    pub read: Option<String>,
    /// Mark everything read.
    #[arg(long)]
    pub read_all: bool,
    #[arg(long)]
    pub json: bool,
}
