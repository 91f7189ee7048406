//! Order keys for list elements (fractional indexing).
//!
//! A list element's position is a string key; elements sort by key, then by
//! id. Moving an element rewrites only its own key, so a concurrent move and
//! edit of the same element, or moves of different elements, merge per
//! element instead of duplicating rows as delete-and-reinsert would.
//!
//! Keys are digit strings over [`DIGITS`] read as a fraction in base 62 (so
//! `"V"` is about one half). A key never ends in the zero digit, which makes
//! every pair of distinct keys have a key strictly between them.

/// The digits, in ASCII order so that string order is numeric order.
pub const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn digit(c: u8) -> usize {
    DIGITS.iter().position(|&d| d == c).unwrap_or(0)
}

/// Returns a key strictly between `lo` and `hi` (`None` means the start or
/// the end of the list). Keys that are not well formed, or a `lo` that is not
/// below `hi`, are handled by treating the bounds leniently: the result is
/// always well formed and above `lo`.
pub fn between(lo: Option<&str>, hi: Option<&str>) -> String {
    let lo = lo.unwrap_or("").as_bytes();
    match hi {
        Some(hi) if hi.as_bytes() > lo && lo.is_empty() => before(hi.as_bytes()),
        Some(hi) if hi.as_bytes() > lo => midpoint(lo, Some(hi.as_bytes())),
        _ => after(lo),
    }
}

/// A key above `lo`. Appending is the common case (a new row at the end), so
/// this steps the first digit instead of halving the gap: keys then grow by
/// one digit per ~30 appends rather than one per ~6.
fn after(lo: &[u8]) -> String {
    match lo.first().map(|&c| digit(c)) {
        None => (DIGITS[DIGITS.len() / 2] as char).to_string(),
        Some(d) if d + 1 < DIGITS.len() => (DIGITS[d + 1] as char).to_string(),
        Some(_) => {
            let mut out = String::from(DIGITS[DIGITS.len() - 1] as char);
            out.push_str(&after(&lo[1..]));
            out
        }
    }
}

/// A key below `hi`, stepping the first digit down for the same reason.
fn before(hi: &[u8]) -> String {
    match hi.first().map(|&c| digit(c)) {
        Some(d) if d > 1 => (DIGITS[d - 1] as char).to_string(),
        _ => midpoint(&[], Some(hi)),
    }
}

fn midpoint(lo: &[u8], hi: Option<&[u8]>) -> String {
    // Strip the common prefix, reading a missing digit of `lo` as zero.
    if let Some(hi) = hi {
        let mut n = 0;
        while n < hi.len() && lo.get(n).copied().unwrap_or(DIGITS[0]) == hi[n] {
            n += 1;
        }
        if n > 0 {
            let rest_lo = if n < lo.len() { &lo[n..] } else { &[][..] };
            let mut out = String::from_utf8_lossy(&hi[..n]).into_owned();
            out.push_str(&midpoint(rest_lo, Some(&hi[n..])));
            return out;
        }
    }
    let dl = lo.first().map_or(0, |&c| digit(c));
    let dh = match hi {
        Some(h) if !h.is_empty() => digit(h[0]),
        _ => DIGITS.len(),
    };
    if dh > dl + 1 {
        // There is room for a digit in between.
        return (DIGITS[(dl + dh).div_ceil(2)] as char).to_string();
    }
    // The first digits are adjacent: keep `lo`'s and look further right.
    if let Some(h) = hi
        && h.len() > 1
    {
        return (h[0] as char).to_string();
    }
    let mut out = (DIGITS[dl] as char).to_string();
    let rest = if lo.len() > 1 { &lo[1..] } else { &[][..] };
    out.push_str(&midpoint(rest, None));
    out
}

/// Picks the fewest elements to give new keys so that `current` keys, read
/// in the desired order, become strictly increasing. `current[i]` is the key
/// the element at desired position `i` has now (`None` for a new element).
/// Returns the new key for each position that needs one.
pub fn rekey(current: &[Option<&str>]) -> Vec<Option<String>> {
    let keep = longest_increasing(current);
    let mut out = vec![None; current.len()];
    let mut prev: Option<String> = None;
    for i in 0..current.len() {
        if keep[i] {
            prev = current[i].map(str::to_owned);
            continue;
        }
        let next_kept = (i + 1..current.len())
            .find(|&j| keep[j])
            .and_then(|j| current[j]);
        let key = between(prev.as_deref(), next_kept);
        prev = Some(key.clone());
        out[i] = Some(key);
    }
    out
}

/// Marks a longest strictly increasing subsequence of the present keys.
fn longest_increasing(keys: &[Option<&str>]) -> Vec<bool> {
    // Patience sorting: `tails[k]` is the index ending the best run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut back: Vec<Option<usize>> = vec![None; keys.len()];
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key else { continue };
        let pos = tails.partition_point(|&t| keys[t].is_some_and(|k| k < *key));
        back[i] = if pos > 0 { Some(tails[pos - 1]) } else { None };
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut keep = vec![false; keys.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        keep[i] = true;
        at = back[i];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn well_formed(k: &str) -> bool {
        !k.is_empty() && k.bytes().all(|c| DIGITS.contains(&c)) && !k.ends_with('0')
    }

    #[test]
    fn first_key_is_the_middle() {
        assert_eq!(between(None, None), "V");
    }

    #[test]
    fn keys_between_adjacent_digits_grow_a_digit() {
        let k = between(Some("a"), Some("b"));
        assert!("a" < k.as_str() && k.as_str() < "b", "{k}");
        assert!(well_formed(&k));
    }

    #[test]
    fn appending_many_keys_stays_ordered_and_short() {
        let mut last: Option<String> = None;
        for _ in 0..1000 {
            let k = between(last.as_deref(), None);
            if let Some(l) = &last {
                assert!(k > *l);
            }
            last = Some(k);
        }
        assert!(last.unwrap().len() < 40);
    }

    #[test]
    fn rekey_moves_only_what_it_must() {
        // Moving the last of five elements to the front rewrites one key.
        let keys = ["b", "c", "d", "e", "a"];
        let current: Vec<Option<&str>> = [keys[4], keys[0], keys[1], keys[2], keys[3]]
            .iter()
            .map(|k| Some(*k))
            .collect();
        let new = rekey(&current);
        assert_eq!(
            new.iter().filter(|k| k.is_some()).count(),
            0,
            "already increasing"
        );
        let moved: Vec<Option<&str>> = vec![Some("e"), Some("b"), Some("c"), Some("d")];
        let new = rekey(&moved);
        assert_eq!(new.iter().filter(|k| k.is_some()).count(), 1);
        assert!(new[0].as_deref().unwrap() < "b");
    }

    proptest! {
        #[test]
        fn between_is_strictly_between(a in "[0-9A-Za-z]{0,6}[1-9A-Za-z]", b in "[0-9A-Za-z]{0,6}[1-9A-Za-z]") {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            prop_assume!(lo != hi);
            let k = between(Some(&lo), Some(&hi));
            prop_assert!(lo < k && k < hi, "{lo} < {k} < {hi}");
            prop_assert!(well_formed(&k));
        }

        #[test]
        fn rekey_yields_increasing_keys(keys in proptest::collection::vec(proptest::option::of("[0-9A-Za-z]{0,3}[1-9A-Za-z]"), 0..30)) {
            let current: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
            let new = rekey(&current);
            let finals: Vec<String> = current.iter().zip(&new).map(|(c, n)| n.clone().unwrap_or_else(|| c.unwrap().to_owned())).collect();
            for w in finals.windows(2) {
                prop_assert!(w[0] < w[1], "{:?}", finals);
            }
        }
    }
}
