//! English names in running prose, with no label in front: a common given
//! name followed by a family name ("Oliver Grant and …"), a given name with a
//! possessive ("Sophie's mother"), after a relation ("her son, Ethan") or
//! opening a case ("Noah is a 4-year-old …").
//!
//! The evidence is a list of common given names ([`EN_GIVEN_NAMES`]) that
//! are rarely ordinary words; a family name is any capitalised word that is
//! not a known non-name, and a name followed by "syndrome", "murmur", … is
//! an eponym, not a person.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::name::is_not_english_name;
use crate::names_data::{EN_GIVEN_NAMES, EPONYM_FOLLOWERS};
use crate::text::{next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const FULL: Reason = (
    "A given name and a family name in prose. Replace the person with a role such as \"the mother\".",
    "正文中的英文名和姓。建议改为“患儿母亲”等角色称呼。",
);
const GIVEN_IN_CONTEXT: Reason = (
    "A given name where a case names a person (a possessive, after a relation, opening the case). Replace it with a role such as \"the child\".",
    "病历中人物位置上的英文名（所有格、亲属称谓后、病例开头）。建议改为“患儿”等角色称呼。",
);

static GIVEN: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| EN_GIVEN_NAMES.split_whitespace().collect());

/// A capitalised word, possibly hyphenated or with an apostrophe (O'Neil).
static WORD_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+|['’][A-Z][a-z]+)?").unwrap());

/// Relation words after which a lone given name is a person: "her son,
/// Ethan", "his sister Chloe".
const RELATIONS: &[&str] = &[
    "son",
    "daughter",
    "sister",
    "brother",
    "cousin",
    "twin",
    "child",
    "boy",
    "girl",
    "baby",
    "friend",
    "classmate",
    "named",
    "called",
    "nephew",
    "niece",
    "grandson",
    "granddaughter",
    "stepson",
    "stepdaughter",
];

/// What follows a given name opening a case: "Noah is a 4-year-old", "Mia,
/// aged 3", "Ava (9 months)".
const OPENING_FOLLOWERS: &[&str] = &[
    " is a ",
    " is an ",
    ", a ",
    ", an ",
    ", aged",
    " (aged",
    " aged ",
    " was born",
    " has had ",
    " presented",
    " presents",
    ", who ",
];

/// Whether `word` is one of the common given names.
pub(crate) fn is_given_name(word: &str) -> bool {
    GIVEN.contains(word)
}

/// A second person joined to a name already found: "Wu Lei and Shen Yan",
/// "Dr Nair and Tom Fletcher". Capture 1 is the name.
static JOINED_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:,? and |, | & )([A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)? [A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)",
    )
    .unwrap()
});

/// Adds the names joined by "and" to the English names already found.
pub(crate) fn joined_names(text: &str, hits: &mut Vec<Hit>) {
    let mut extra = Vec::new();
    for h in hits
        .iter()
        .filter(|h| h.kind == Kind::Name && h.confidence == Confidence::High)
    {
        let Some(caps) = text.get(h.end..).and_then(|t| JOINED_RE.captures(t)) else {
            continue;
        };
        let Some(name) = caps.get(1) else { continue };
        if name.as_str().split(' ').any(is_not_english_name)
            || next_char(text, h.end + name.end()).is_some_and(|c| c.is_ascii_alphanumeric())
            || eponym_follows(&text[h.end + name.end()..])
        {
            continue;
        }
        extra.push(Hit::new(
            Kind::Name,
            Confidence::High,
            (h.end + name.start(), h.end + name.end()),
            FULL,
            "[Name]",
        ));
    }
    hits.append(&mut extra);
}

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    let words: Vec<regex::Match<'_>> = WORD_RE
        .find_iter(text)
        .filter(|m| {
            !prev_char(text, m.start()).is_some_and(|c| c.is_ascii_alphanumeric())
                && !next_char(text, m.end()).is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if !GIVEN.contains(w.as_str()) {
            i += 1;
            continue;
        }
        // Given + family (+ one more family word): Mary-Ann O'Neil Smith.
        let mut end = w.end();
        let mut j = i + 1;
        while j < words.len() && j <= i + 2 {
            let next = words[j];
            if &text[end..next.start()] != " " || is_not_english_name(next.as_str()) {
                break;
            }
            end = next.end();
            j += 1;
        }
        let after = &text[end..];
        if eponym_follows(after) {
            i = j;
            continue;
        }
        let hit = if j > i + 1 {
            Some(FULL)
        } else if after.starts_with("'s")
            || after.starts_with("’s")
            || after_relation(text, w.start())
            || (opening(text, w.start()) && OPENING_FOLLOWERS.iter().any(|f| after.starts_with(f)))
        {
            Some(GIVEN_IN_CONTEXT)
        } else {
            None
        };
        if let Some(reason) = hit {
            hits.push(Hit::new(
                Kind::Name,
                Confidence::High,
                (w.start(), end),
                reason,
                "[Name]",
            ));
        }
        i = j;
    }
}

fn eponym_follows(after: &str) -> bool {
    let after = after
        .strip_prefix("'s")
        .or_else(|| after.strip_prefix("’s"))
        .unwrap_or(after);
    let Some(rest) = after.strip_prefix(' ') else {
        return false;
    };
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    EPONYM_FOLLOWERS.contains(&word.as_str())
}

/// Whether the word at `start` comes right after a relation word, with an
/// optional comma: "her son, Ethan".
fn after_relation(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end_matches(' ');
    let head = head.strip_suffix(',').unwrap_or(head).trim_end_matches(' ');
    // Past the last character that is not a letter, whatever its width
    // (`®Ali`: the word starts after the two bytes of `®`).
    let word_start = head
        .char_indices()
        .rfind(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = head[word_start..].to_ascii_lowercase();
    RELATIONS.contains(&word.as_str())
}

/// Whether `start` opens a sentence.
fn opening(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end_matches(' ');
    head.is_empty() || head.ends_with(['.', '\n', ':', ';', '!', '?', '。'])
}
