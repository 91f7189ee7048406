//! References from one document to another (`FieldType::Ref`).
//!
//! A reference is stored as one Automerge string, `DOC` or `DOC#ELEMENT`:
//! the target's id (so it survives renames) and, optionally, the id of one
//! element of one of its lists (an objective of a lesson plan, a question
//! of a case). Two concurrent picks resolve like any scalar (one wins,
//! deterministically). Whether the target exists, and whether the reader
//! may see it, is the store's to say: the core only checks the form.

use serde::Serialize;

/// The most characters an element id may have (the store makes 12).
const ELEMENT_MAX: usize = 64;

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Target {
    pub doc: String,
    /// An element of one of the target's lists, by its id.
    pub element: Option<String>,
}

impl Target {
    /// Parses the stored form, or `None` if it is not one.
    pub fn parse(s: &str) -> Option<Target> {
        let (doc, element) = match s.split_once('#') {
            Some((d, e)) => (d, Some(e)),
            None => (s, None),
        };
        if crate::doc::validate_id(doc).is_err() {
            return None;
        }
        if let Some(e) = element
            && (e.is_empty()
                || e.len() > ELEMENT_MAX
                || !e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return None;
        }
        Some(Target {
            doc: doc.to_owned(),
            element: element.map(str::to_owned),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.element {
            Some(e) => write!(f, "{}#{e}", self.doc),
            None => f.write_str(&self.doc),
        }
    }
}

/// One reference a document holds: in which field (and which row of a
/// list field), to what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Link {
    pub field: String,
    /// The id of the list row holding the reference, for a reference in a list.
    pub row: Option<String>,
    pub to: Target,
}
