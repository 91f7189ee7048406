//! Full-text search that works for Chinese as well as English.
//!
//! Chinese has no spaces between words, so a word tokenizer sees a whole
//! sentence as one token. Rounds indexes Chinese (and other CJK) runs as
//! overlapping two-character tokens plus the run's last character, and
//! queries them as phrases of the same bigrams: any substring of two or more
//! characters is found, and a single character by prefix. Other text is
//! left to SQLite's `unicode61` tokenizer with Porter stemming. This module
//! prepares both sides and cuts highlighted snippets from the original text,
//! which the index itself does not keep.
//!
//! A phrase of bigrams costs FTS5 a walk over each bigram's positions in
//! every document that holds them all, so a common term of four or five
//! characters was the slowest search. Each run therefore also carries, as
//! whole tokens after its bigrams, every occurrence of the words of a
//! pediatric word list (`search_words.txt`), and a query that is exactly one
//! of them asks for that one token. Which documents match does not change:
//! the word's token is written wherever its characters occur, overlaps
//! included, which is where its phrase of bigrams matched. Words are found
//! by substring, not by segmenting the sentence, so no segmentation can
//! split a word where a reader would not. The tokens sit after the run's
//! last character, and are three or more characters long, so no phrase of
//! bigrams can match across them.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde::Serialize;

/// The word list, as it ships.
const WORD_LIST: &str = include_str!("search_words.txt");

/// The form of the full-text index this build writes: stored by the store
/// beside the index, which it rebuilds from the original text when the two
/// differ (a library indexed before the word list, or with another list).
pub fn index_form_version() -> String {
    // FNV-1a over the list: stable across builds and Rust versions, unlike
    // std's hasher, and a list needs no cryptographic hash.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in WORD_LIST.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("bigrams+words:{h:016x}")
}

struct Words {
    list: Vec<&'static str>,
    find: AhoCorasick,
}

/// The words of the list, and an automaton that finds all of them, overlaps
/// included, in one pass over a run. Built on first use (under a millisecond
/// for the list as it ships), so opening the app does not pay for it.
fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut list: Vec<&'static str> = WORD_LIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter(|w| w.chars().count() >= 3 && w.chars().all(is_cjk))
            .collect();
        list.sort_unstable();
        list.dedup();
        let find = AhoCorasick::new(&list).expect("the word list builds an automaton");
        Words { list, find }
    })
}

/// True if `s` is a word of the list, indexed whole.
fn is_listed_word(s: &str) -> bool {
    words().list.binary_search(&s).is_ok()
}

/// True for the characters Rounds indexes as bigrams.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x3134F) // CJK Extensions B–G
}

/// The form of `text` to store in the full-text index.
pub fn index_form(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        out.push(' ');
        for w in run.windows(2) {
            out.push(w[0]);
            out.push(w[1]);
            out.push(' ');
        }
        out.push(run[run.len() - 1]);
        out.push(' ');
        if run.len() >= 3 {
            let text: String = run.iter().collect();
            for m in words().find.find_overlapping_iter(text.as_str()) {
                out.push_str(&text[m.range()]);
                out.push(' ');
            }
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// One piece of what the user typed: a CJK run or a word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Cjk(String),
    Word(String),
}

fn pieces(query: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_cjk = false;
    let mut push = |cur: &mut String, cjk: bool| {
        if !cur.is_empty() {
            let s = std::mem::take(cur);
            out.push(if cjk {
                Piece::Cjk(s)
            } else {
                Piece::Word(s.to_lowercase())
            });
        }
    };
    for c in query.chars() {
        if is_cjk(c) {
            if !cur_cjk {
                push(&mut cur, false);
            }
            cur_cjk = true;
            cur.push(c);
        } else if c.is_alphanumeric() {
            if cur_cjk {
                push(&mut cur, true);
            }
            cur_cjk = false;
            cur.push(c);
        } else {
            push(&mut cur, cur_cjk);
        }
    }
    push(&mut cur, cur_cjk);
    out.dedup();
    out
}

/// Builds an FTS5 `MATCH` expression for what the user typed, or `None` if
/// it holds nothing to search for. Every piece must match (AND); words match
/// as prefixes so that results appear while typing. The expression is built
/// only from quoted tokens, so no input can inject FTS5 syntax.
pub fn fts_query(query: &str) -> Option<String> {
    let parts: Vec<String> = pieces(query)
        .into_iter()
        .map(|p| match p {
            Piece::Cjk(s) => {
                let chars: Vec<char> = s.chars().collect();
                if chars.len() == 1 {
                    format!("\"{}\"*", chars[0])
                } else if is_listed_word(&s) {
                    format!("\"{s}\"")
                } else {
                    let grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
                    format!("\"{}\"", grams.join(" "))
                }
            }
            Piece::Word(w) => format!("\"{}\"*", w.replace('"', "")),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// A part of a snippet; `hit` parts are what the query matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

/// Cuts a window of about `width` characters around the first match of
/// `query` in `text`, split into parts with the matches marked.
///
/// A page of hits carries texts of many kilobytes each, so this works on
/// byte offsets of the text as it is: ASCII lowercasing keeps every offset,
/// so matches found in the lowered copy mark the original. Only the window
/// is walked by characters.
pub fn snippet(text: &str, query: &str, width: usize) -> Vec<SnippetPart> {
    let lower = text.to_ascii_lowercase();
    let needles: Vec<(String, bool)> = pieces(query)
        .into_iter()
        .map(|p| match p {
            Piece::Cjk(s) => (s, false),
            Piece::Word(w) => (w, true),
        })
        .filter(|(n, _)| !n.is_empty())
        .collect();
    // Matches (byte ranges) of the needles in `lower[from..to]`: CJK
    // anywhere, words at the start of a word; at most `limit` per needle.
    let find = |from: usize, to: usize, limit: usize| {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (needle, word) in &needles {
            let found = lower[from..to]
                .match_indices(needle.as_str())
                .map(|(i, _)| from + i)
                .filter(|&i| {
                    !*word
                        || lower[..i]
                            .chars()
                            .next_back()
                            .is_none_or(|c| !c.is_alphanumeric())
                })
                .take(limit)
                .map(|i| (i, i + needle.len()));
            hits.extend(found);
        }
        hits.sort_unstable();
        hits
    };
    // Only the first match places the window: a quarter of it before the
    // match, the rest after, moved back when the text ends sooner.
    let first = find(0, lower.len(), 1).first().map_or(0, |h| h.0);
    let start = chars_back(text, first, width / 4);
    let end = chars_ahead(text, start, width);
    let start = if end == text.len() {
        chars_back(text, end, width)
    } else {
        start
    };
    let hits = find(start, end, usize::MAX);
    let piece = |from: usize, to: usize, hit: bool| SnippetPart {
        text: text[from..to].replace('\n', " "),
        hit,
    };
    let mut parts = Vec::new();
    if start > 0 {
        parts.push(SnippetPart {
            text: "…".into(),
            hit: false,
        });
    }
    let mut at = start;
    for &(s, e) in &hits {
        if s < at || s >= end {
            continue;
        }
        if s > at {
            parts.push(piece(at, s, false));
        }
        let e = e.min(end);
        parts.push(piece(s, e, true));
        at = e;
    }
    if at < end {
        parts.push(piece(at, end, false));
    }
    if end < text.len() {
        parts.push(SnippetPart {
            text: "…".into(),
            hit: false,
        });
    }
    parts
}

/// The byte offset `n` characters before `at` in `text`, or 0.
fn chars_back(text: &str, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    text[..at]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` in `text`, or its end.
fn chars_ahead(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_become_bigrams_and_a_last_char() {
        assert_eq!(index_form("黄疸加重"), " 黄疸 疸加 加重 重 ");
        assert_eq!(index_form("IVIG治疗"), "IVIG 治疗 疗 ");
    }

    #[test]
    fn listed_words_follow_their_run_whole_overlaps_included() {
        // 新生儿, 新生儿黄疸 and 黄疸 are listed; 黄疸 has two characters
        // and is one bigram already, so only the longer two are added.
        assert_eq!(
            index_form("新生儿黄疸，复查"),
            " 新生 生儿 儿黄 黄疸 疸 新生儿 新生儿黄疸 ， 复查 查 "
        );
        // Every occurrence counts, as every occurrence of the phrase did.
        assert_eq!(
            index_form("川崎病与川崎病"),
            " 川崎 崎病 病与 与川 川崎 崎病 病 川崎病 川崎病 "
        );
    }

    #[test]
    fn every_line_of_the_word_list_is_a_word_it_keeps() {
        let lines: Vec<&str> = WORD_LIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let kept = &words().list;
        assert!(kept.len() > 300, "{} words", kept.len());
        for l in &lines {
            assert!(
                l.chars().count() >= 3 && l.chars().all(is_cjk),
                "`{l}` is not three or more Chinese characters"
            );
        }
        assert_eq!(lines.len(), kept.len(), "a word is listed twice");
    }

    #[test]
    fn queries_are_phrases_of_bigrams_and_word_prefixes() {
        assert_eq!(fts_query("黄疸").as_deref(), Some("\"黄疸\""));
        // A listed word is one token; other runs are phrases of bigrams.
        assert_eq!(fts_query("新生儿").as_deref(), Some("\"新生儿\""));
        assert_eq!(
            fts_query("新生儿黄疸加重").as_deref(),
            Some("\"新生 生儿 儿黄 黄疸 疸加 加重\"")
        );
        assert_eq!(fts_query("热").as_deref(), Some("\"热\"*"));
        assert_eq!(
            fts_query("Kawasaki IVIG治疗").as_deref(),
            Some("\"kawasaki\"* AND \"ivig\"* AND \"治疗\"")
        );
        assert_eq!(fts_query("  \"* ( ) "), None);
    }

    #[test]
    fn snippets_mark_every_match_in_the_window() {
        let parts = snippet(
            "患儿因发热3天、抽搐1次入院。发热时体温最高39.5℃。",
            "发热",
            40,
        );
        let hits: Vec<&str> = parts
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, ["发热", "发热"]);
        let parts = snippet("The infant has Bronchiolitis and fever.", "bronch", 20);
        assert!(parts.iter().any(|p| p.hit && p.text == "Bronch"));
    }

    /// The first implementation, which copied the whole text into two
    /// vectors of characters: kept here as the reference the faster one
    /// must agree with.
    fn snippet_by_chars(text: &str, query: &str, width: usize) -> Vec<SnippetPart> {
        let chars: Vec<char> = text
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
        let needles: Vec<(Vec<char>, bool)> = pieces(query)
            .into_iter()
            .map(|p| match p {
                Piece::Cjk(s) => (s.chars().collect(), false),
                Piece::Word(w) => (w.chars().collect(), true),
            })
            .filter(|(n, _): &(Vec<char>, bool)| !n.is_empty())
            .collect();
        // Matches of the needles in `lower[from..to]`: CJK anywhere, words at
        // the start of a word; at most `limit` per needle.
        let find = |from: usize, to: usize, limit: usize| {
            let mut hits: Vec<(usize, usize)> = Vec::new();
            for (needle, word) in &needles {
                let mut i = from;
                let mut found = 0;
                while found < limit && i + needle.len() <= to {
                    let starts_word = !*word || i == 0 || !lower[i - 1].is_alphanumeric();
                    if starts_word && lower[i..i + needle.len()] == needle[..] {
                        hits.push((i, i + needle.len()));
                        found += 1;
                        i += needle.len();
                    } else {
                        i += 1;
                    }
                }
            }
            hits.sort_unstable();
            hits
        };
        // Only the first match places the window, so the long texts of a page
        // of hits are scanned up to it and then only within the window.
        let first = find(0, lower.len(), 1).first().map_or(0, |h| h.0);
        let start = first.saturating_sub(width / 4);
        let end = (start + width).min(chars.len());
        let start = end.saturating_sub(width).min(start);
        let hits = find(start, end, usize::MAX);
        let mut parts = Vec::new();
        if start > 0 {
            parts.push(SnippetPart {
                text: "…".into(),
                hit: false,
            });
        }
        let mut at = start;
        for &(s, e) in &hits {
            if s < at || s >= end {
                continue;
            }
            if s > at {
                parts.push(SnippetPart {
                    text: chars[at..s].iter().collect(),
                    hit: false,
                });
            }
            let e = e.min(end);
            parts.push(SnippetPart {
                text: chars[s..e].iter().collect(),
                hit: true,
            });
            at = e;
        }
        if at < end {
            parts.push(SnippetPart {
                text: chars[at..end].iter().collect(),
                hit: false,
            });
        }
        if end < chars.len() {
            parts.push(SnippetPart {
                text: "…".into(),
                hit: false,
            });
        }
        parts
    }

    proptest::proptest! {
        #[test]
        fn snippets_match_the_character_by_character_reference(
            text in proptest::collection::vec(
                proptest::sample::select(vec![
                    "发热", "热", "惊厥", "患儿", "。", " ", "\n", "Fever", "fever",
                    "feverish", "ORS", "ors", "x", "é", "É", "3", "-", "黄疸", "天",
                ]),
                0..60,
            ),
            query in proptest::sample::select(vec![
                "发热", "热", "热性惊厥", "fever", "FEV", "ors 发热", "é", "x 3", "天 fever", "",
            ]),
            width in 0usize..50,
        ) {
            let text: String = text.concat();
            proptest::prop_assert_eq!(
                snippet(&text, query, width),
                snippet_by_chars(&text, query, width)
            );
        }
    }
}
