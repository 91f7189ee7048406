//! The Rounds document model: what a lesson plan and a teaching case are, how
//! they are validated, and how they map onto Automerge.
//!
//! This crate does no IO: no files, no network, no clock and no randomness.
//! Callers pass in the time and the source of new ids, so everything here is
//! deterministic and can be tested and simulated exactly.

pub mod collab;
pub mod deid;
pub mod diff;
pub mod doc;
pub mod entropy;
pub mod generate;
pub mod kinds;
pub mod markdown;
pub mod order;
pub mod refs;
pub mod removed;
pub mod samples;
pub mod schema;
pub mod search;
pub mod sync;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod time;

/// A document's version: the hashes of its latest changes.
pub use automerge::ChangeHash;
pub use doc::{
    DocError, Document, EditCtx, HistoryEntry, IdGen, NewDoc, SeqIds, Summary, Visibility,
};
pub use schema::{DocKind, Lang, SCHEMA_VERSION};
