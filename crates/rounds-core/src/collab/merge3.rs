//! A three-way merge of plain text, for what Automerge cannot merge
//! because the two texts are different objects: a site copy taking the
//! shared plan's changes, and a suggestion accepted after its text was
//! edited. Through `similar`'s diff over tokens: a run of letters or
//! digits is one token (an English word), every other character is one
//! (so Chinese, which has no spaces, merges character by character).
//!
//! The rule is the same as Automerge's spirit: nothing anyone wrote is
//! dropped. A change `theirs` made to text `mine` left as it was is
//! applied; where both changed the same text, `mine` is kept and what
//! `theirs` inserted there follows it.

use crate::diff::hunks;

/// `theirs`' changes since `base`, applied to `mine`.
pub fn merge3(base: &str, mine: &str, theirs: &str) -> String {
    if mine == base {
        return theirs.to_owned();
    }
    if theirs == base || theirs == mine {
        return mine.to_owned();
    }
    let b = tokens(base);
    let m = tokens(mine);
    let t = tokens(theirs);
    // Where each character of base is in mine, if mine kept it.
    let mut kept: Vec<Option<usize>> = vec![None; b.len()];
    for h in hunks(&b, &m).into_iter().filter(|h| h.equal) {
        for (i, j) in h.old.zip(h.new) {
            kept[i] = Some(j);
        }
    }
    // A position between characters of base, in mine: before the next
    // character mine kept, else after the last one it kept.
    let boundary = |p: usize| -> usize {
        if let Some(Some(j)) = kept.get(p) {
            return *j;
        }
        kept[..p.min(kept.len())]
            .iter()
            .rev()
            .find_map(|k| k.map(|j| j + 1))
            .unwrap_or(0)
    };
    // (start, end, text) edits of mine, from theirs' hunks.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for h in hunks(&b, &t).into_iter().filter(|h| !h.equal) {
        let (a0, a1) = (h.old.start, h.old.end);
        let text: String = t[h.new].concat();
        if a0 == a1 {
            edits.push((boundary(a0), boundary(a0), text));
            continue;
        }
        // Clean when mine kept every replaced character, side by side.
        let first = kept[a0];
        let clean = first.is_some() && (a0..a1).all(|i| kept[i] == first.map(|f| f + (i - a0)));
        if let (true, Some(f)) = (clean, first) {
            edits.push((f, f + (a1 - a0), text));
        } else if !text.is_empty() {
            // Both changed this text: keep mine, then theirs' words, after
            // all that mine wrote in place of it.
            let mut end = a1;
            while end < kept.len() && kept[end].is_none() {
                end += 1;
            }
            let at = boundary(end);
            edits.push((at, at, text));
        }
    }
    // Apply from the end, so earlier positions stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out: Vec<String> = m.iter().map(|s| (*s).to_owned()).collect();
    for (s, e, text) in edits {
        out.splice(s..e, std::iter::once(text));
    }
    out.concat()
}

/// Words (runs of alphanumeric ASCII or Latin letters) and single other
/// characters.
fn tokens(s: &str) -> Vec<&str> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let wordy = c.is_alphanumeric() && !is_cjk(c);
        match (wordy, start) {
            (true, None) => start = Some(i),
            (true, Some(_)) => {}
            (false, st) => {
                if let Some(st) = st {
                    v.push(&s[st..i]);
                    start = None;
                }
                v.push(&s[i..i + c.len_utf8()]);
            }
        }
    }
    if let Some(st) = start {
        v.push(&s[st..]);
    }
    v
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

#[cfg(test)]
mod tests {
    use super::merge3;

    #[test]
    fn both_sides_kept() {
        let base = "发热三天，咳嗽。";
        let mine = "发热三天，夜间咳嗽。";
        let theirs = "高热三天，咳嗽。";
        assert_eq!(merge3(base, mine, theirs), "高热三天，夜间咳嗽。");
    }

    #[test]
    fn overlapping_changes_keep_mine_then_theirs() {
        let out = merge3(
            "take two doses daily",
            "take three doses daily",
            "take four doses twice daily",
        );
        assert_eq!(out, "take threefour doses twice daily");
    }

    proptest::proptest! {
        /// When mine only wrote before the text, every change theirs made
        /// applies cleanly, each in its place: the merge is mine's
        /// addition followed by theirs. (With no text at all, both wrote
        /// at the same place, and the merge puts theirs first.)
        #[test]
        fn theirs_changes_land_where_theirs_made_them(
            base in "[ab 发热。\n]{1,30}",
            theirs in "[ab 发热。\n]{0,30}",
        ) {
            let mine = format!("★{base}");
            proptest::prop_assert_eq!(merge3(&base, &mine, &theirs), format!("★{theirs}"));
        }
    }

    #[test]
    fn one_side_unchanged() {
        assert_eq!(merge3("a", "a", "b"), "b");
        assert_eq!(merge3("a", "b", "a"), "b");
        assert_eq!(merge3("", "", "new"), "new");
        // Mine deleted it all; what theirs added still arrives.
        assert_eq!(merge3("x", "", "x y"), " y");
    }
}
