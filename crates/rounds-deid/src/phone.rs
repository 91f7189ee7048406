//! Mainland China telephone numbers.
//!
//! Mobile numbers have a tight format (`1[3-9]` and nine more digits) and are
//! always reported with high confidence. Landlines are `0`, an area code and
//! a 7–8 digit local number; written without a separator and without a word
//! like 电话 nearby they could be some other code, so they are reported with
//! medium confidence.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{chars_before, contains_any, number_ends_alone, number_starts_alone, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const MASK: &str = "[电话]";

const MOBILE: Reason = ("Mainland China mobile phone number.", "中国大陆手机号码。");
const LANDLINE: Reason = (
    "Landline phone number (area code and local number).",
    "固定电话号码（区号+号码）。",
);
const LOCAL: Reason = (
    "Local phone number (no area code) after a phone word.",
    "“电话”等字样后的本地电话号码（无区号）。",
);
const LANDLINE_UNSURE: Reason = (
    "Digits shaped like a landline number (area code and local number) with no separator or phone word nearby.",
    "形如固定电话（区号+号码）的数字，附近没有分隔符或“电话”等字样。",
);

const PHONE_KEYWORDS: &[&str] = &[
    "电话",
    "手机",
    "联系方式",
    "座机",
    "传真",
    "致电",
    "来电",
    "tel",
    "phone",
    "mobile",
    "cell",
    "fax",
    "call",
];

/// Mobile: optional country code, then 3-4-4 digits with optional space or
/// hyphen between the groups.
static MOBILE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+86[ -]?|0086[ -]?|\(\+?86\) ?|86-?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}").unwrap()
});

/// Landline. Area codes are `010`, `02X`, or `0` plus three digits starting
/// 3–9; local numbers never start with 0 or 1. (Spaces are written `\x20`
/// because verbose mode ignores literal spaces, even inside classes.) Capture 1 is the separator
/// between a bare area code and the number, when there is one.
static LANDLINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:\+86|0086)[-\x20]?\(?(?:10|2[0-9]|[3-9][0-9]{2})\)?[-\x20]?[2-9][0-9]{2,3}[-\x20]?[0-9]{4}
        | \(0(?:10|2[0-9]|[3-9][0-9]{2})\)\x20?[2-9][0-9]{2,3}[-\x20]?[0-9]{4}
        | 0(?:10|2[0-9]|[3-9][0-9]{2})([-\x20]?)[2-9][0-9]{2,3}[-\x20]?[0-9]{4}
        ",
    )
    .unwrap()
});

/// A local number with no area code, which only a phone word identifies:
/// 电话：6512 3456. Capture 1 is the number.
static LOCAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:电话|座机|固话|tel|phone)\s*(?:号码|号)?\s*:?\s*([2-9][0-9]{2,3}[-\x20]?[0-9]{4})",
    )
    .unwrap()
});

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for m in MOBILE_RE.find_iter(text) {
        if stands_alone(text, m.start(), m.end()) {
            hits.push(Hit::new(
                Kind::Phone,
                Confidence::High,
                (m.start(), m.end()),
                MOBILE,
                MASK,
            ));
        }
    }
    for caps in LANDLINE_RE.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        if !stands_alone(text, m.start(), m.end()) {
            continue;
        }
        let international = !m.as_str().starts_with(['0', '(']);
        let parenthesised = m.as_str().starts_with('(');
        let separated = caps.get(1).is_some_and(|s| !s.is_empty());
        let keyword = contains_any(chars_before(text, m.start(), 12), PHONE_KEYWORDS);
        let (confidence, reason) = if international || parenthesised || separated || keyword {
            (Confidence::High, LANDLINE)
        } else {
            (Confidence::Medium, LANDLINE_UNSURE)
        };
        hits.push(Hit::new(
            Kind::Phone,
            confidence,
            (m.start(), m.end()),
            reason,
            MASK,
        ));
    }
    for caps in LOCAL_RE.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        if stands_alone(text, m.start(), m.end()) {
            hits.push(Hit::new(
                Kind::Phone,
                // The phone word says what it is.
                Confidence::High,
                (m.start(), m.end()),
                LOCAL,
                MASK,
            ));
        }
    }
}

/// Phone-specific boundary: the general number rule, plus no `+` glued on
/// the front (that would make it a different international number). Two
/// numbers joined by a slash (138…/136…) are a list of phones, not one
/// longer number or a fraction, when the run across the slash is itself
/// phone-length.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    prev_char(text, start) != Some('+')
        && (number_starts_alone(text, start) || slash_joined_before(text, start))
        && (number_ends_alone(text, end) || slash_joined_after(text, end))
}

/// How many digits a list neighbour must have to count as a phone: the
/// shortest local number.
const LIST_NEIGHBOUR_DIGITS: usize = 7;

fn slash_joined_before(text: &str, start: usize) -> bool {
    let Some(head) = text.get(..start) else {
        return false;
    };
    let Some(head) = head.trim_end_matches(' ').strip_suffix('/') else {
        return false;
    };
    digits_in_run(head.trim_end_matches(' ').chars().rev()) >= LIST_NEIGHBOUR_DIGITS
}

fn slash_joined_after(text: &str, end: usize) -> bool {
    let Some(tail) = text.get(end..) else {
        return false;
    };
    let Some(tail) = tail.trim_start_matches(' ').strip_prefix('/') else {
        return false;
    };
    digits_in_run(tail.trim_start_matches(' ').chars()) >= LIST_NEIGHBOUR_DIGITS
}

/// The digits at the front of `chars`, allowing the separators a phone is
/// written with (space, hyphen) between them.
fn digits_in_run(chars: impl Iterator<Item = char>) -> usize {
    let mut digits = 0;
    for c in chars {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '-' if digits > 0 => {}
            _ => break,
        }
    }
    digits
}

#[cfg(test)]
mod tests {
    use crate::{Confidence, Kind, scan};

    fn phones(text: &str) -> Vec<(Confidence, String)> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == Kind::Phone)
            .map(|f| (f.confidence, f.text))
            .collect()
    }

    #[test]
    fn mobiles_in_many_shapes() {
        for (text, expected) in [
            ("家长电话13812345678。", "13812345678"),
            ("手机：138 1234 5678", "138 1234 5678"),
            ("联系方式138-1234-5678，", "138-1234-5678"),
            ("Tel: +86 139 0000 1234", "+86 139 0000 1234"),
            ("call +8615912345678 now", "+8615912345678"),
            ("母亲8618612345678", "8618612345678"),
            ("(+86)17712345678", "(+86)17712345678"),
        ] {
            assert_eq!(
                phones(text),
                [(Confidence::High, expected.to_owned())],
                "{text}"
            );
        }
    }

    #[test]
    fn landlines() {
        assert_eq!(
            phones("科室电话0371-65123456")[0],
            (Confidence::High, "0371-65123456".into())
        );
        assert_eq!(
            phones("(010)87654321")[0],
            (Confidence::High, "(010)87654321".into())
        );
        assert_eq!(
            phones("座机：02187654321")[0],
            (Confidence::High, "02187654321".into())
        );
        assert_eq!(
            phones("号码 037165123456 请核对")[0],
            (Confidence::Medium, "037165123456".into())
        );
        assert_eq!(
            phones("家中电话：6512 3456")[0],
            (Confidence::High, "6512 3456".into())
        );
        assert!(phones("电话随访3次，间隔2周").is_empty());
    }

    #[test]
    fn joined_phone_lists() {
        for (text, expected) in [
            (
                "电话13512345678/18912345678",
                ["13512345678", "18912345678"],
            ),
            (
                "电话 135 1234 5678 / 189 1234 5678",
                ["135 1234 5678", "189 1234 5678"],
            ),
            (
                "0371-65123456/13512345678",
                ["0371-65123456", "13512345678"],
            ),
            ("13512345678、18912345678", ["13512345678", "18912345678"]),
            ("13512345678 or 18912345678", ["13512345678", "18912345678"]),
        ] {
            let found: Vec<String> = phones(text).into_iter().map(|(_, t)| t).collect();
            assert_eq!(found, expected, "{text}");
        }
        // A fraction or a ratio is not a list of phones.
        assert!(phones("13512345678/2").is_empty());
        assert!(phones("2/13512345678").is_empty());
    }

    #[test]
    fn not_inside_longer_numbers_or_decimals() {
        assert!(phones("条码9138123456789").is_empty());
        assert!(phones("条码13812345678901").is_empty());
        assert!(phones("比值0.13812345678").is_empty());
        assert!(phones("ID A13812345678").is_empty());
        assert!(phones("血小板 138×10^9/L，白细胞 12.5×10^9/L").is_empty());
        assert!(phones("血压 90/60 mmHg，心率 140 次/分，时间 14:30").is_empty());
        // A mobile-looking run inside a grouped longer number is not a phone.
        assert!(phones("6222 1381 2345 6789").is_empty());
    }
}
