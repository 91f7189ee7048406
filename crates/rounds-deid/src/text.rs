//! Small text helpers shared by the detectors.
//!
//! Every detector works on byte offsets into a `&str`, and every offset it
//! produces must sit on a char boundary. These helpers only ever step by whole
//! chars, so the detectors never have to do byte arithmetic on multibyte text.

use std::borrow::Cow;

/// Maps full-width ASCII variants (`０-９`, `Ａ-Ｚ`, `：`, `（`, …) to ASCII,
/// the ideographic space to a plain space, and the various dashes to `-`.
///
/// Chinese input methods produce full-width digits and punctuation as often as
/// ASCII ones, and phone numbers are often written with an em dash
/// (0371—65123456), so normalising once lets every pattern be written for
/// ASCII only.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        _ => c,
    }
}

/// The input with full-width forms folded, plus a way back to the original
/// byte offsets.
pub(crate) struct Normalized<'a> {
    text: Cow<'a, str>,
    /// Where folding shortened the text: for each folded char, the offset
    /// just after it in the folded text and the total number of bytes saved
    /// up to that point. Most Chinese text has full-width punctuation, so this
    /// is usually non-empty, but it stays far smaller than a per-byte map.
    shifts: Vec<(usize, usize)>,
}

impl<'a> Normalized<'a> {
    pub(crate) fn new(original: &'a str) -> Self {
        let Some(first) = original
            .char_indices()
            .find(|&(_, c)| fold(c) != c)
            .map(|(i, _)| i)
        else {
            return Self {
                text: Cow::Borrowed(original),
                shifts: Vec::new(),
            };
        };
        let mut text = String::with_capacity(original.len());
        text.push_str(&original[..first]);
        let mut shifts = Vec::new();
        let mut saved = 0;
        for c in original[first..].chars() {
            let folded = fold(c);
            text.push(folded);
            if folded != c {
                saved += c.len_utf8() - folded.len_utf8();
                shifts.push((text.len(), saved));
            }
        }
        Self {
            text: Cow::Owned(text),
            shifts,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Translates a char-boundary offset in the folded text to the original.
    pub(crate) fn original_offset(&self, folded: usize) -> usize {
        let n = self.shifts.partition_point(|&(end, _)| end <= folded);
        let saved = n.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        folded + saved
    }
}

pub(crate) fn prev_char(text: &str, i: usize) -> Option<char> {
    text.get(..i)?.chars().next_back()
}

pub(crate) fn next_char(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// The char before the char before `i`.
pub(crate) fn prev_prev_char(text: &str, i: usize) -> Option<char> {
    let mut it = text.get(..i)?.chars();
    it.next_back()?;
    it.next_back()
}

/// The char after the char at `i`.
pub(crate) fn next_next_char(text: &str, i: usize) -> Option<char> {
    let mut it = text.get(i..)?.chars();
    it.next()?;
    it.next()
}

/// CJK ideographs (the basic block and extension A, plus compatibility
/// ideographs), which is where Chinese names and place names live.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Up to `n` chars immediately before byte offset `i`.
pub(crate) fn chars_before(text: &str, i: usize, n: usize) -> &str {
    let Some(head) = text.get(..i) else { return "" };
    let start = head
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(i, |(o, _)| o);
    &head[start..]
}

/// Up to `n` chars immediately after byte offset `i`.
pub(crate) fn chars_after(text: &str, i: usize, n: usize) -> &str {
    let Some(tail) = text.get(i..) else { return "" };
    let len = tail.char_indices().nth(n).map_or(tail.len(), |(o, _)| o);
    &tail[..len]
}

/// Whether any of `words` occurs in `haystack`, ignoring ASCII case.
pub(crate) fn contains_any(haystack: &str, words: &[&str]) -> bool {
    let lower = haystack.to_ascii_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// Whether a number-like match at `start..end` stands on its own rather than
/// being a slice of a longer number, a decimal, a code or a word.
///
/// A match is rejected when it touches an ASCII letter or digit, when it
/// continues a decimal (`1.5`), and when it is preceded by a separator that
/// itself follows a digit (`12 3456…`, `5-1381…`), which means it is the tail
/// of a longer grouped number.
pub(crate) fn number_stands_alone(text: &str, start: usize, end: usize) -> bool {
    number_starts_alone(text, start) && number_ends_alone(text, end)
}

/// The left half of [`number_stands_alone`].
pub(crate) fn number_starts_alone(text: &str, start: usize) -> bool {
    if let Some(c) = prev_char(text, start) {
        if c.is_ascii_alphanumeric() || c == '_' {
            return false;
        }
        if matches!(c, '.' | '-' | ' ' | '/' | ',' | '+' | ':' | '×' | '^')
            && prev_prev_char(text, start).is_some_and(|p| p.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

/// The right half of [`number_stands_alone`].
pub(crate) fn number_ends_alone(text: &str, end: usize) -> bool {
    if let Some(c) = next_char(text, end) {
        if c.is_ascii_alphanumeric() || c == '_' {
            return false;
        }
        if matches!(c, '.' | '/' | '^' | '×')
            && next_next_char(text, end).is_some_and(|n| n.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

/// The ASCII digits of `s`, dropping separators; `None` if `s` holds anything
/// other than digits, spaces and hyphens.
pub(crate) fn digits_only(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    Some(out)
}

pub(crate) fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Whether `year-month-day` is a real calendar date.
pub(crate) fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Parses a run of ASCII digits; `None` for anything else or on overflow.
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_offsets_mappable() {
        let original = "电话：１３８１２３４５６７８。";
        let n = Normalized::new(original);
        assert_eq!(n.as_str(), "电话:13812345678。");
        let start = n.as_str().find('1').unwrap();
        let end = start + "13812345678".len();
        let (os, oe) = (n.original_offset(start), n.original_offset(end));
        assert_eq!(&original[os..oe], "１３８１２３４５６７８");
        assert_eq!(n.original_offset(0), 0);
        assert_eq!(n.original_offset(n.as_str().len()), original.len());
        let colon = n.as_str().find(':').unwrap();
        assert_eq!(
            &original[n.original_offset(colon)..n.original_offset(colon + 1)],
            "："
        );
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let n = Normalized::new("plain 文本 123");
        assert!(matches!(n.text, Cow::Borrowed(_)));
        assert_eq!(n.original_offset(5), 5);
    }

    #[test]
    fn windows_step_by_chars() {
        let t = "患儿于2024年";
        let i = t.find('2').unwrap();
        assert_eq!(chars_before(t, i, 2), "儿于");
        assert_eq!(chars_before(t, i, 99), "患儿于");
        assert_eq!(chars_after(t, i, 5), "2024年");
        assert_eq!(chars_after(t, t.len(), 3), "");
    }

    #[test]
    fn calendar() {
        assert!(is_real_date(2024, 2, 29));
        assert!(!is_real_date(2023, 2, 29));
        assert!(!is_real_date(1900, 2, 29));
        assert!(is_real_date(2000, 2, 29));
        assert!(!is_real_date(2024, 4, 31));
        assert!(!is_real_date(2024, 13, 1));
    }

    #[test]
    fn number_boundaries() {
        let t = "a13812345678 x";
        assert!(!number_stands_alone(t, 1, 12));
        let t = "电话13812345678。";
        let s = t.find('1').unwrap();
        assert!(number_stands_alone(t, s, s + 11));
        let t = "3.13812345678";
        assert!(!number_stands_alone(t, 2, 13));
    }
}
