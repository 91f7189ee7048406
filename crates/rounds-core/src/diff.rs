//! Myers diffs of two sequences, through `similar`, as hunks whose
//! positions are counted here.
//!
//! `similar` 2.7 reports a wrong `old_index` on some insertions and a wrong
//! `new_index` on some deletions (mitsuhiko/similar#78, open): code that
//! placed an insertion at its `old_index` put theirs' text in the wrong
//! place, or dropped it, in one random pair of texts in twenty. The order
//! of its operations and their lengths are right, so each hunk's ranges
//! are recomputed from those.

use std::hash::Hash;
use std::ops::Range;

/// A run of `old` that is kept (`equal`) or replaced by a run of `new`
/// (either may be empty: an insertion or a deletion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub equal: bool,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// The hunks that turn `old` into `new`, in order: their `old` ranges
/// cover `old` end to end, and their `new` ranges cover `new`.
pub fn hunks<T: Ord + Hash>(old: &[T], new: &[T]) -> Vec<Hunk> {
    let (mut o, mut n) = (0, 0);
    similar::capture_diff_slices(similar::Algorithm::Myers, old, new)
        .into_iter()
        .map(|op| {
            let (tag, or, nr) = op.as_tag_tuple();
            let h = Hunk {
                equal: tag == similar::DiffTag::Equal,
                old: o..o + or.len(),
                new: n..n + nr.len(),
            };
            (o, n) = (h.old.end, h.new.end);
            h
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::hunks;
    use proptest::prelude::*;

    proptest! {
        /// Replaying the hunks on `old` gives `new` and kept runs are
        /// equal on both sides: what this module relies on `similar` for
        /// (the order and lengths of its operations) holds.
        #[test]
        fn the_hunks_rebuild_the_new_sequence(
            old in proptest::collection::vec(0u8..4, 0..40),
            new in proptest::collection::vec(0u8..4, 0..40),
        ) {
            let mut out = Vec::new();
            let (mut o, mut n) = (0, 0);
            for h in hunks(&old, &new) {
                prop_assert_eq!(h.old.start, o);
                prop_assert_eq!(h.new.start, n);
                if h.equal {
                    prop_assert_eq!(&old[h.old.clone()], &new[h.new.clone()]);
                }
                out.extend_from_slice(&new[h.new.clone()]);
                (o, n) = (h.old.end, h.new.end);
            }
            prop_assert_eq!(o, old.len());
            prop_assert_eq!(out, new);
        }
    }
}
