//! Resident identity card numbers and bank card numbers.
//!
//! Both are long digit strings, so both lean on checksums to tell a real
//! number from a lab accession number or a barcode: the resident ID has a
//! check character over a weighted sum mod 11, and bank cards use Luhn.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{
    chars_after, chars_before, contains_any, digits_only, is_real_date, number_stands_alone,
    parse_u32,
};
use crate::{Confidence, Hit, Kind, Reason};

const ID_MASK: &str = "[身份证号]";
const CARD_MASK: &str = "[银行卡号]";

const ID_VALID: Reason = (
    "18-character resident ID number; its check character is valid.",
    "18位居民身份证号码，校验位正确。",
);
const ID_BAD_CHECK: Reason = (
    "Shaped like an 18-character resident ID with a real birth date, but the check character does not match (perhaps mistyped).",
    "形如18位身份证号且出生日期真实，但校验位不符（可能录入有误）。",
);
const ID_LEGACY: Reason = (
    "Legacy 15-digit resident ID number (area code and YYMMDD birth date).",
    "旧版15位身份证号码（地区码+出生年月日）。",
);
const ID_AFTER_KEYWORD: Reason = (
    "Number written after an ID-card keyword such as 身份证.",
    "“身份证”等字样后的证件号码。",
);
const CARD_LUHN: Reason = (
    "16–19 digit number that passes the bank-card (Luhn) check.",
    "16–19位数字且通过银行卡校验（Luhn）。",
);
const CARD_KEYWORD: Reason = (
    "Long number written after a bank-card keyword; it fails the Luhn check but may still be a card or account number.",
    "“银行卡”“卡号”等字样后的长数字；虽未通过Luhn校验，仍可能是卡号或账号。",
);

/// The check-character weights of GB 11643, for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Words that say the number next to them is an identity document.
const ID_KEYWORDS: &[&str] = &[
    "身份证",
    "身份号码",
    "证件号",
    "id card",
    "identity card",
    "resident id",
];
/// Words that say a long number is a bank card or account, before it
/// (卡号 6222…, 汇入 6222…) or after it (6222…（父亲账户）).
const CARD_KEYWORDS: &[&str] = &[
    "银行卡",
    "卡号",
    "账号",
    "帐号",
    "账户",
    "帐户",
    "汇入",
    "汇款",
    "转账",
    "打入",
    "存入",
    "card",
    "account",
];

/// An 18-char ID, allowing the 6-8-4 grouping some forms print.
static ID18: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[1-9][0-9]{5}[ -]?(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ -]?[0-9]{3}[0-9Xx]")
        .unwrap()
});
/// The legacy 15-digit ID: area code, YYMMDD, sequence.
static ID15: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}").unwrap()
});
/// Any 15–18 char value right after an ID keyword, to catch mistyped IDs.
static ID_AFTER_KEYWORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:身份证(?:号码|号)?|公民身份号码|证件号码?|id card(?: number| no\.?)?|identity card(?: number| no\.?)?)\s*(?:[:#]|为|是)?\s*([0-9]{6}(?:[ -]?[0-9]){8,11}[ -]?[0-9Xx])",
    )
    .unwrap()
});
/// 16–19 digits, contiguous or grouped in fours.
static CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?|[0-9]{16,19}").unwrap()
});

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    detect_resident_ids(text, hits);
    detect_bank_cards(text, hits);
}

fn detect_resident_ids(text: &str, hits: &mut Vec<Hit>) {
    for m in ID18.find_iter(text) {
        if !number_stands_alone(text, m.start(), m.end()) {
            continue;
        }
        let compact: String = m
            .as_str()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        // A wrong check character after 身份证 is a mistyped ID, still the
        // person's: it blocks like a valid one.
        let keyword = contains_any(chars_before(text, m.start(), 12), ID_KEYWORDS);
        let confidence =
            if is_valid_resident_id(&compact) || (keyword && has_real_birth_date(&compact)) {
                Confidence::High
            } else if has_real_birth_date(&compact) {
                Confidence::Medium
            } else {
                continue;
            };
        let reason = if is_valid_resident_id(&compact) {
            ID_VALID
        } else {
            ID_BAD_CHECK
        };
        hits.push(Hit::new(
            Kind::ResidentId,
            confidence,
            (m.start(), m.end()),
            reason,
            ID_MASK,
        ));
    }

    for m in ID15.find_iter(text) {
        if !number_stands_alone(text, m.start(), m.end()) {
            continue;
        }
        let s = m.as_str();
        let (Some(yy), Some(month), Some(day)) = (
            parse_u32(&s[6..8]),
            parse_u32(&s[8..10]),
            parse_u32(&s[10..12]),
        ) else {
            continue;
        };
        // Legacy IDs were issued until 1999, so the two-digit year is 19YY.
        if !is_real_date(1900 + yy, month, day) {
            continue;
        }
        let confidence = if contains_any(chars_before(text, m.start(), 12), ID_KEYWORDS) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        hits.push(Hit::new(
            Kind::ResidentId,
            confidence,
            (m.start(), m.end()),
            ID_LEGACY,
            ID_MASK,
        ));
    }

    for caps in ID_AFTER_KEYWORD_RE.captures_iter(text) {
        let Some(value) = caps.get(1) else { continue };
        if !number_stands_alone(text, value.start(), value.end()) {
            continue;
        }
        let len = value
            .as_str()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .count();
        if (15..=18).contains(&len) {
            hits.push(Hit::new(
                Kind::ResidentId,
                Confidence::High,
                (value.start(), value.end()),
                ID_AFTER_KEYWORD,
                ID_MASK,
            ));
        }
    }
}

fn detect_bank_cards(text: &str, hits: &mut Vec<Hit>) {
    for m in CARD.find_iter(text) {
        if !number_stands_alone(text, m.start(), m.end()) {
            continue;
        }
        let Some(digits) = digits_only(m.as_str()) else {
            continue;
        };
        if !(16..=19).contains(&digits.len()) {
            continue;
        }
        let (confidence, reason) = if luhn_valid(&digits) {
            (Confidence::High, CARD_LUHN)
        } else if contains_any(chars_before(text, m.start(), 16), CARD_KEYWORDS)
            || contains_any(chars_after(text, m.end(), 10), CARD_KEYWORDS)
        {
            // A card number copied with a typo is still the family's card.
            (Confidence::High, CARD_KEYWORD)
        } else {
            continue;
        };
        hits.push(Hit::new(
            Kind::BankCard,
            confidence,
            (m.start(), m.end()),
            reason,
            CARD_MASK,
        ));
    }
}

/// Whether `s` is an 18-character resident ID: a 6-digit area code starting
/// 1–9, a real birth date in 19xx or 20xx, a 3-digit sequence, and the right
/// check character (`X` may be upper or lower case; full-width digits are
/// accepted because Chinese input methods produce them).
///
/// ```
/// assert!(rounds_deid::is_valid_resident_id("11010519491231002X"));
/// assert!(!rounds_deid::is_valid_resident_id("110105194912310021"));
/// ```
pub fn is_valid_resident_id(s: &str) -> bool {
    let Some(chars) = ascii_id_chars(s) else {
        return false;
    };
    if !has_real_birth_date_chars(&chars) {
        return false;
    }
    let mut sum = 0;
    for (c, w) in chars[..17].iter().zip(WEIGHTS) {
        match c {
            b'0'..=b'9' => sum += u32::from(c - b'0') * w,
            _ => return false,
        }
    }
    let expected = CHECK_CHARS[(sum % 11) as usize];
    chars[17].eq_ignore_ascii_case(&expected)
}

/// The 18 chars of an ID-shaped string as ASCII bytes, folding full-width
/// digits and `Ｘ`; `None` if it is not 17 digits and a digit or X.
fn ascii_id_chars(s: &str) -> Option<[u8; 18]> {
    let mut out = [0u8; 18];
    let mut n = 0;
    for c in s.chars() {
        let c = match c {
            '０'..='９' | 'Ｘ' | 'ｘ' => char::from_u32(u32::from(c) - 0xFEE0)?,
            _ => c,
        };
        let slot = out.get_mut(n)?;
        *slot = match c {
            '0'..='9' => c as u8,
            'X' | 'x' if n == 17 => c as u8,
            _ => return None,
        };
        n += 1;
    }
    (n == 18 && out[0] != b'0').then_some(out)
}

fn has_real_birth_date(compact: &str) -> bool {
    ascii_id_chars(compact).is_some_and(|chars| has_real_birth_date_chars(&chars))
}

fn has_real_birth_date_chars(chars: &[u8; 18]) -> bool {
    let number = |range: std::ops::Range<usize>| {
        chars[range].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(6..10), number(10..12), number(12..14))
    else {
        return false;
    };
    (1900..=2099).contains(&year) && is_real_date(year, month, day)
}

/// Whether `digits` passes the Luhn check used by bank cards.
///
/// Spaces and hyphens between digit groups are ignored; any other character,
/// or fewer than two digits, makes the answer `false`.
///
/// ```
/// assert!(rounds_deid::luhn_valid("4539 1488 0343 6467"));
/// assert!(!rounds_deid::luhn_valid("4539 1488 0343 6468"));
/// ```
pub fn luhn_valid(digits: &str) -> bool {
    let Some(digits) = digits_only(digits) else {
        return false;
    };
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan;

    fn kinds(text: &str) -> Vec<(Kind, Confidence, String)> {
        scan(text)
            .into_iter()
            .map(|f| (f.kind, f.confidence, f.text))
            .collect()
    }

    #[test]
    fn resident_id_check_character() {
        assert!(is_valid_resident_id("11010519491231002X"));
        assert!(is_valid_resident_id("11010519491231002x"));
        assert!(is_valid_resident_id("１１０１０５１９４９１２３１００２Ｘ"));
        assert!(!is_valid_resident_id("110105194912310021"));
        // Right check arithmetic is not enough: the date must be real.
        assert!(!is_valid_resident_id("11010519490231002X"));
        assert!(!is_valid_resident_id("01010519491231002X"));
        assert!(!is_valid_resident_id("1101051949123100X2"));
        assert!(!is_valid_resident_id("11010519491231002"));
        assert!(!is_valid_resident_id(""));
        assert!(!is_valid_resident_id(
            "身份证号码一二三四五六七八九十甲乙丙丁戊己"
        ));
    }

    #[test]
    fn resident_ids_in_text() {
        assert_eq!(
            kinds("患儿身份证号：11010519491231002X。"),
            [(
                Kind::ResidentId,
                Confidence::High,
                "11010519491231002X".into()
            )]
        );
        assert_eq!(
            kinds("证件 110105 19491231 002X 已核对"),
            [(
                Kind::ResidentId,
                Confidence::High,
                "110105 19491231 002X".into()
            )]
        );
        // Real date, wrong check character.
        assert_eq!(kinds("号码110105194912310021")[0].1, Confidence::Medium);
        // Inside a longer run it is not an ID.
        assert!(kinds("条码911010519491231002X").is_empty());
        assert!(kinds("条码11010519491231002X7").is_empty());
    }

    #[test]
    fn legacy_ids() {
        assert_eq!(kinds("旧证号码 410102850312123")[0].1, Confidence::Medium);
        assert_eq!(kinds("身份证 410102850312123")[0].1, Confidence::High);
        // 13th month is not a birth date.
        assert!(kinds("编码 410102851312123").is_empty());
    }

    #[test]
    fn keyword_catches_mistyped_ids() {
        let found = kinds("身份证号：41010220150230123X");
        assert_eq!(
            found,
            [(
                Kind::ResidentId,
                Confidence::High,
                "41010220150230123X".into()
            )]
        );
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(luhn_valid("6222-0212-3456-7890-128") == luhn_valid("6222021234567890128"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("0"));
        assert!(!luhn_valid("12a4"));
    }

    #[test]
    fn bank_cards() {
        assert_eq!(
            kinds("退费至银行卡 4539 1488 0343 6467。"),
            [(
                Kind::BankCard,
                Confidence::High,
                "4539 1488 0343 6467".into()
            )]
        );
        assert_eq!(kinds("卡号6222021234567890123")[0].0, Kind::BankCard);
        assert_eq!(
            kinds("救助款汇至6217002930105557786（父亲账户）")[0].0,
            Kind::BankCard
        );
        // A long number that fails Luhn and has no card word is left alone.
        assert!(kinds("标本条码 4539148803436468 已送检").is_empty());
        // Part of a decimal or a longer run is not a card.
        assert!(kinds("x=0.4539148803436467").is_empty());
    }
}
