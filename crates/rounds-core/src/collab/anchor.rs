//! A comment's anchor: a pair of Automerge cursors on the first and last
//! character of the selected text.
//!
//! The first cursor moves after, the last before, when its character is
//! deleted, so text typed at either boundary stays out of the range,
//! text inserted inside it (by anyone, offline or live) is in, and a range
//! whose every character was deleted resolves inverted: the thread is
//! orphaned and shown with its quote, never dropped.

use automerge::{ChangeHash, Cursor, CursorPosition, MoveCursor, ObjId, ReadDoc};

use crate::doc::{DocError, Document, invalid};

#[derive(Debug, Clone)]
pub struct Anchor {
    start: Cursor,
    end: Cursor,
}

impl PartialEq for Anchor {
    fn eq(&self, other: &Anchor) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Anchor {}

/// Where an anchor points in one version of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolved {
    Range {
        from: usize,
        to: usize,
        text: String,
    },
    Gone,
}

impl Anchor {
    /// An anchor on characters `from..to` (code points) of a text field.
    pub(super) fn new(
        d: &Document,
        obj: &ObjId,
        from: usize,
        to: usize,
    ) -> Result<Anchor, DocError> {
        let am = d.automerge();
        let len = am.length(obj);
        if from >= to || to > len {
            return Err(invalid(
                "selection",
                format!("{from}..{to} is not a non-empty range of a text of {len} characters"),
            ));
        }
        let start =
            am.get_cursor_moving(obj, CursorPosition::Index(from), None, MoveCursor::After)?;
        let end =
            am.get_cursor_moving(obj, CursorPosition::Index(to - 1), None, MoveCursor::Before)?;
        Ok(Anchor { start, end })
    }

    pub(super) fn to_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        (self.start.to_bytes(), self.end.to_bytes())
    }

    pub(super) fn from_bytes(a: &[u8], b: &[u8]) -> Option<Anchor> {
        let start = Cursor::try_from(a).ok()?;
        let end = Cursor::try_from(b).ok()?;
        // Only cursors on characters: `Start` and `End` would follow
        // whatever text is typed at the ends.
        (matches!(start, Cursor::Op(_)) && matches!(end, Cursor::Op(_)))
            .then_some(Anchor { start, end })
    }

    /// The range in the text of `field` (or of a list row's `item`), now or
    /// at `at`.
    pub(super) fn resolve(
        &self,
        d: &Document,
        field: &str,
        row: &str,
        item: &str,
        at: Option<&[ChangeHash]>,
    ) -> Resolved {
        let row = (!row.is_empty()).then_some((row, item));
        let Some(obj) = d.text_obj(field, row) else {
            return Resolved::Gone;
        };
        self.resolve_in(d, &obj, at)
    }

    pub(super) fn resolve_in(
        &self,
        d: &Document,
        obj: &ObjId,
        at: Option<&[ChangeHash]>,
    ) -> Resolved {
        let am = d.automerge();
        let len = match at {
            Some(h) => am.length_at(obj, h),
            None => am.length(obj),
        };
        let Ok(from) = am.get_cursor_position(obj, &self.start, at) else {
            return Resolved::Gone;
        };
        // The last character, inclusive. Its cursor is read as one that
        // moves after: the position of the character itself if it is still
        // there, else of the next one, whose predecessor is then the last
        // character left of the selection. (A cursor that moves before
        // cannot say "nothing is left before": it answers 0, the same as
        // for a first character that is still there.)
        let Some(end_after) = as_after(&self.end) else {
            return Resolved::Gone;
        };
        let Ok(next) = am.get_cursor_position(obj, &end_after, at) else {
            return Resolved::Gone;
        };
        let end_there = next < len
            && am
                .get_cursor(obj, CursorPosition::Index(next), at)
                .is_ok_and(|c| c.to_string() == end_after.to_string());
        let last = if end_there {
            Some(next)
        } else {
            next.checked_sub(1)
        };
        let Some(last) = last else {
            return Resolved::Gone;
        };
        // Both ends crossing, or the first landing past the text, means
        // every character of the selection went.
        if last < from || from >= len {
            return Resolved::Gone;
        }
        let to = (last + 1).min(len);
        let text = match at {
            Some(h) => am.text_at(obj, h),
            None => am.text(obj),
        }
        .unwrap_or_default();
        let text: String = text.chars().skip(from).take(to - from).collect();
        Resolved::Range { from, to, text }
    }
}

/// The same character's cursor, moving after it when it is deleted.
fn as_after(c: &Cursor) -> Option<Cursor> {
    let s = c.to_string();
    Cursor::try_from(s.strip_prefix('-').unwrap_or(&s)).ok()
}
