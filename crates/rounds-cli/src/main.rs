//! `rounds`: the headless client of Rounds, over the same store as the
//! desktop app. Every read command has `--json` output, documented in
//! `docs/cli.md`; errors are one line on stderr and a non-zero exit status.
//!
//! `args.rs` declares the command line; each area's commands live in a
//! file of their own, and [`run`] is the one place that maps a command to
//! the function that carries it out.

/// Prints a line to standard output; see [`output::emit`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::emit(&format!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard output without a newline.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::emit(&format!($($arg)*)) };
}

mod args;
mod backup;
mod bundle;
mod collab;
mod common;
mod documents;
mod docx;
mod filters;
mod links;
mod office;
mod output;
mod pdf;
mod profile;
mod rows;
mod sharing;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use common::Failure;

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

fn run(cli: Cli) -> Result<(), Failure> {
    let data = cli.data.as_deref();
    match cli.command {
        Command::Profile(a) => profile::profile(data, a),
        Command::Generate(a) => profile::generate(data, a),

        Command::New(a) => documents::new(data, a),
        Command::Show(a) => documents::show(data, a),
        Command::List(a) => documents::list(data, a),
        Command::Search(a) => documents::search(data, a),
        Command::Edit(a) => documents::edit(data, a),
        Command::Delete(a) => documents::delete(data, a),
        Command::Restore(a) => documents::restore(data, a),
        Command::History(a) => documents::history(data, a),
        Command::Links(a) => links::links(data, a),
        Command::Group(a) => collab::group(data, a),
        Command::Comment(a) => collab::comment(data, a),
        Command::Reply(a) => collab::reply(data, a),
        Command::Resolve(a) => collab::resolve(data, a),
        Command::Suggest(a) => collab::suggest(data, a),
        Command::Accept(a) => collab::decide(data, a, true),
        Command::Reject(a) => collab::decide(data, a, false),
        Command::Stage(a) => collab::stage(data, a),
        Command::Review(a) => collab::review(data, a),
        Command::Compare(a) => collab::compare(data, a),
        Command::Best(a) => collab::best(data, a),
        Command::Adapt(a) => collab::adapt(data, a),
        Command::Reflect(a) => collab::reflect(data, a),
        Command::Inbox(a) => collab::inbox(data, a),
        Command::Export(a) => documents::export(data, a),
        Command::Import(a) => documents::import(data, a),
        Command::ImportDocx(a) => docx::import(data, a),
        Command::Samples(a) => documents::samples(data, a),
        Command::Fields(a) => documents::fields(a),

        Command::Share(a) => sharing::share(data, a),
        Command::Check(a) => sharing::check(data, a),
        Command::Mask(a) => sharing::mask(data, a),

        Command::Join(a) => office::join(data, a),
        Command::Pin(a) => office::pin(data, a),
        Command::Sync(a) => office::sync(data, a),
        Command::Status(a) => office::status(data, a),

        Command::Backup { action } => backup::backup(data, action),
        Command::Bundle { action } => bundle::bundle(data, action),
    }
}
