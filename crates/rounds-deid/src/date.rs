//! Calendar dates more precise than the year.
//!
//! Safe Harbor allows the year on its own, so `2024年` is never a finding.
//! A full date is always worth a look; next to a word such as 出生, 入院 or
//! "admitted" it is almost certainly the child's birth or admission date, and
//! the teaching value is kept by writing the age or "day N of illness" instead.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::text::{
    chars_after, chars_before, contains_any, is_real_date, next_char, next_next_char, parse_u32,
    prev_char, prev_prev_char,
};
use crate::{Confidence, Hit, Kind, Reason};

const MASK: &str = "[日期]";

const FULL_IN_CONTEXT: Reason = (
    "Full date next to a birth, admission, discharge or visit word. Write the child's age (in days or months) or \"day N of illness\" instead.",
    "出生、入院、出院、就诊等字样附近的完整日期。建议改写为日龄/月龄或“病程第N天”。",
);
const FULL: Reason = (
    "Full calendar date; dates more precise than the year can help identify a child. Prefer the age or \"day N of illness\".",
    "精确到日的日期；年份以外的日期信息可能识别患儿，建议改用年龄或“病程第N天”。",
);
const PARTIAL_IN_CONTEXT: Reason = (
    "Month and day (or year and month) next to a birth, admission or visit word. Prefer the age or \"day N of illness\".",
    "出生、入院、就诊等字样附近的月日（或年月）。建议改用年龄或“病程第N天”。",
);
const PARTIAL_TIMELINE: Reason = (
    "Month and day in the case's timeline; with the year of the case it dates the child's illness. Prefer \"day N of illness\".",
    "病程中的月日；结合病例年份可确定患儿的发病日期。建议改写为“病程第N天”。",
);
const PARTIAL: Reason = (
    "Month and day without a year; low risk on its own, but \"day N of illness\" is safer.",
    "不含年份的月日；单独出现风险较低，改写为“病程第N天”更稳妥。",
);

/// Words that make a nearby date the child's birth, admission, discharge or
/// visit date. Compared in lower case.
const CONTEXT_WORDS: &[&str] = &[
    "出生",
    "生于",
    "生日",
    "入院",
    "出院",
    "住院",
    "就诊",
    "就医",
    "来诊",
    "门诊",
    "初诊",
    "复诊",
    "随访",
    "手术",
    "术后",
    "发病",
    "起病",
    "死亡",
    "转院",
    "转入",
    "转出",
    "接种",
    "dob",
    "born",
    "birth",
    "admitted",
    "admission",
    "discharged",
    "discharge",
    "visit",
    "seen on",
    "presented",
    "surgery",
    "operation",
    "died",
    "death",
    "follow-up",
    "日期",
    "date",
];
/// How many chars either side of a date to look for a context word.
const CONTEXT_CHARS: usize = 12;

/// English month names and abbreviations, longest first.
const MONTH_NAMES: &[&str] = &[
    "September",
    "February",
    "November",
    "December",
    "January",
    "October",
    "August",
    "March",
    "April",
    "June",
    "July",
    "Sept",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
];
const FULL_MONTHS: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";

/// The month names as Capitalised, lower and UPPER case alternatives. Spelling
/// the cases out instead of using `(?i)` keeps them plain literals, which the
/// regex engine can search for quickly.
fn months_any_case() -> String {
    MONTH_NAMES
        .iter()
        .flat_map(|m| [(*m).to_owned(), m.to_lowercase(), m.to_uppercase()])
        .collect::<Vec<_>>()
        .join("|")
}

/// Which field of a match is which.
#[derive(Clone, Copy)]
enum Shape {
    /// Year, month, day in capture groups 1, 2, 3.
    Ymd,
    /// Year, month in groups 1, 2 (no day).
    Ym,
    /// Month, day in groups 1, 2 (no year).
    Md,
    /// Two numbers in groups 1, 2 that are day/month in either order, year in 3.
    EitherYear,
    /// Day in 1, month name in 2, year in 3.
    DayNameYear,
    /// Month name in 1, day in 2, year in 3.
    NameDayYear,
    /// Day in 1, month name in 2, no year.
    DayName,
    /// Month name in 1, day in 2, no year.
    NameDay,
    /// Year, month, day in Chinese numerals (二〇二四年三月五日) in 1, 2, 3.
    ChineseYmd,
    /// Eight digits, year, month, day in 1, 2, 3 (20240716): a date only next
    /// to a date word, since a code can look the same.
    Compact,
}

struct Pattern {
    re: Regex,
    shape: Shape,
    /// Whether the pattern's separators must agree (`2024-03/05` is not a date).
    same_separators: bool,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |re: &str, shape, same_separators| Pattern {
        re: Regex::new(re).unwrap(),
        shape,
        same_separators,
    };
    let months = months_any_case();
    vec![
        p(
            r"((?:19|20)[0-9]{2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]",
            Shape::Ymd,
            false,
        ),
        p(
            r"((?:19|20)[0-9]{2})\s*年\s*([0-9]{1,2})\s*月",
            Shape::Ym,
            false,
        ),
        p(
            r"([〇零○一二][〇零○一二三四五六七八九]{3})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})[日号]",
            Shape::ChineseYmd,
            false,
        ),
        p(
            r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]",
            Shape::Md,
            false,
        ),
        p(
            r"((?:19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])",
            Shape::Compact,
            false,
        ),
        p(
            r"((?:19|20)[0-9]{2})([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})",
            Shape::Ymd,
            true,
        ),
        p(
            r"([0-9]{1,2})([-/.])([0-9]{1,2})([-/.])((?:19|20)[0-9]{2})",
            Shape::EitherYear,
            true,
        ),
        p(
            &format!(
                r"([0-9]{{1,2}})(?:st|nd|rd|th)?[ -](?:of )?({months})\.?,?[ -]((?:19|20)[0-9]{{2}})"
            ),
            Shape::DayNameYear,
            false,
        ),
        p(
            &format!(r"({months})\.? ([0-9]{{1,2}})(?:st|nd|rd|th)?,? ((?:19|20)[0-9]{{2}})"),
            Shape::NameDayYear,
            false,
        ),
        p(
            &format!(r"([0-9]{{1,2}})(?:st|nd|rd|th)? ({FULL_MONTHS})"),
            Shape::DayName,
            false,
        ),
        p(
            &format!(r"({FULL_MONTHS}) ([0-9]{{1,2}})(?:st|nd|rd|th)?"),
            Shape::NameDay,
            false,
        ),
    ]
});

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for pattern in PATTERNS.iter() {
        for caps in pattern.re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            if !stands_alone(text, m.start(), m.end()) {
                continue;
            }
            let Some(fields) = Fields::read(&caps, pattern) else {
                continue;
            };
            if !fields.is_real() {
                continue;
            }
            if matches!(pattern.shape, Shape::Md) && preceded_by_year(text, m.start()) {
                continue;
            }
            let window = format!(
                "{}|{}",
                chars_before(text, m.start(), CONTEXT_CHARS),
                chars_after(text, m.end(), CONTEXT_CHARS)
            );
            let in_context = contains_any(&window, CONTEXT_WORDS);
            let full = fields.has_day && fields.has_year;
            let (confidence, reason) = match pattern.shape {
                // A code can look like 20240716; a date word says it is one.
                Shape::Compact if in_context => (Confidence::High, FULL_IN_CONTEXT),
                Shape::Compact => (Confidence::Medium, FULL),
                // Safe Harbor counts every date element but the year: a full
                // date is an identifier wherever it stands.
                _ if full && in_context => (Confidence::High, FULL_IN_CONTEXT),
                _ if full => (Confidence::High, FULL),
                // A month and day in a case is the child's timeline (the
                // history, a vaccination, the admission), unless it is a
                // yearly date such as a festival.
                _ if fields.has_day && yearly(text, m.start()) => (Confidence::Low, PARTIAL),
                _ if fields.has_day && in_context => (Confidence::High, PARTIAL_IN_CONTEXT),
                _ if fields.has_day => (Confidence::High, PARTIAL_TIMELINE),
                // 2023年12月出生: the month of birth is a date element too.
                _ if in_context => (Confidence::High, PARTIAL_IN_CONTEXT),
                // A year and month with no context word is left alone: it is
                // as coarse as many teaching cases legitimately need.
                _ => continue,
            };
            hits.push(Hit::new(
                Kind::Date,
                confidence,
                (m.start(), m.end()),
                reason,
                MASK,
            ));
        }
    }
}

/// The parsed parts of a date match.
struct Fields {
    year: Option<u32>,
    /// Candidate (month, day) readings; two when the order is ambiguous.
    readings: Vec<(u32, u32)>,
    has_day: bool,
    has_year: bool,
}

impl Fields {
    fn read(caps: &Captures<'_>, pattern: &Pattern) -> Option<Self> {
        let num = |i: usize| caps.get(i).and_then(|g| parse_u32(g.as_str()));
        let month_name = |i: usize| caps.get(i).and_then(|g| month_from_name(g.as_str()));
        if pattern.same_separators {
            let (a, b) = (caps.get(2)?.as_str(), caps.get(4)?.as_str());
            if a != b {
                return None;
            }
        }
        let (year, readings) = match pattern.shape {
            Shape::Ymd if pattern.same_separators => (num(1), vec![(num(3)?, num(5)?)]),
            Shape::Ymd | Shape::Compact => (num(1), vec![(num(2)?, num(3)?)]),
            Shape::Ym => (num(1), vec![(num(2)?, 1)]),
            Shape::Md => (None, vec![(num(1)?, num(2)?)]),
            Shape::EitherYear => {
                let (x, y) = (num(1)?, num(3)?);
                (num(5), vec![(x, y), (y, x)])
            }
            Shape::DayNameYear => (num(3), vec![(month_name(2)?, num(1)?)]),
            Shape::NameDayYear => (num(3), vec![(month_name(1)?, num(2)?)]),
            Shape::DayName => (None, vec![(month_name(2)?, num(1)?)]),
            Shape::NameDay => (None, vec![(month_name(1)?, num(2)?)]),
            Shape::ChineseYmd => {
                let chinese = |i: usize| caps.get(i).and_then(|g| chinese_number(g.as_str()));
                let year = caps.get(1).and_then(|g| chinese_year(g.as_str()))?;
                (Some(year), vec![(chinese(2)?, chinese(3)?)])
            }
        };
        let has_day = !matches!(pattern.shape, Shape::Ym);
        Some(Self {
            has_year: year.is_some(),
            year,
            readings,
            has_day,
        })
    }

    fn is_real(&self) -> bool {
        // Without a year, a leap year lets 2月29日 through.
        let year = self.year.unwrap_or(2000);
        self.readings.iter().any(|&(m, d)| is_real_date(year, m, d))
    }
}

fn month_from_name(name: &str) -> Option<u32> {
    let prefix: String = name
        .chars()
        .take(3)
        .collect::<String>()
        .to_ascii_lowercase();
    let month = match prefix.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// A year written digit by digit in Chinese numerals: 二〇二四 → 2024.
fn chinese_year(s: &str) -> Option<u32> {
    let year = s
        .chars()
        .try_fold(0, |acc, c| Some(acc * 10 + chinese_digit(c)?))?;
    (1900..=2099).contains(&year).then_some(year)
}

/// A month or day in Chinese numerals: 五, 十, 十二, 二十, 三十一.
fn chinese_number(s: &str) -> Option<u32> {
    match s.split_once('十') {
        None => chinese_digit(s.chars().next()?).filter(|_| s.chars().count() == 1),
        Some((tens, ones)) => {
            let tens = if tens.is_empty() {
                1
            } else {
                single_digit(tens)?
            };
            let ones = if ones.is_empty() {
                0
            } else {
                single_digit(ones)?
            };
            Some(tens * 10 + ones)
        }
    }
}

fn single_digit(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    let digit = chinese_digit(chars.next()?)?;
    chars.next().is_none().then_some(digit)
}

fn chinese_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .or(matches!(c, '零' | '○').then_some(0))
        .and_then(|d| u32::try_from(d).ok())
}

/// A date must be a whole token: not glued to letters or digits (`v2024.03.05`,
/// `12024-03-05`), and not continued by another dotted or dashed number. An
/// ISO timestamp's `T14:30` is allowed after it.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    if let Some(c) = prev_char(text, start) {
        if c.is_ascii_alphanumeric() {
            return false;
        }
        if matches!(c, '.' | '-' | '/')
            && prev_prev_char(text, start).is_some_and(|p| p.is_ascii_digit())
        {
            return false;
        }
    }
    if let Some(c) = next_char(text, end) {
        let next_is_digit = next_next_char(text, end).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || (c.is_ascii_alphabetic() && !(c == 'T' && next_is_digit)) {
            return false;
        }
        if matches!(c, '.' | '-' | '/') && next_is_digit {
            return false;
        }
    }
    true
}

/// Words before a month and day that make it a date of every year.
const YEARLY_WORDS: &[&str] = &["每年", "每逢", "every", "each", "annual", "annually"];

/// Whether the month and day at `start` is a yearly date (每年3月24日).
fn yearly(text: &str, start: usize) -> bool {
    contains_any(chars_before(text, start, 10), YEARLY_WORDS)
}

/// Whether a month-day match is the tail of a full Chinese date, which the
/// full pattern reports instead.
fn preceded_by_year(text: &str, start: usize) -> bool {
    text[..start].trim_end().ends_with('年')
}

#[cfg(test)]
mod tests {
    use crate::{Confidence, Kind, scan};

    fn dates(text: &str) -> Vec<(Confidence, String)> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == Kind::Date)
            .map(|f| (f.confidence, f.text))
            .collect()
    }

    #[test]
    fn full_dates_near_context_words_are_high() {
        for (text, date) in [
            ("患儿于2024年3月5日入院。", "2024年3月5日"),
            ("出生日期：2019-07-21", "2019-07-21"),
            ("生于2020/2/29，足月", "2020/2/29"),
            ("出院日期 2024.03.05", "2024.03.05"),
            ("DOB 03/05/2024", "03/05/2024"),
            ("Admitted on 5 March 2024 with fever", "5 March 2024"),
            ("born March 5, 2024 at term", "March 5, 2024"),
            ("Discharged 12-Jan-2023.", "12-Jan-2023"),
        ] {
            assert_eq!(dates(text), [(Confidence::High, date.to_owned())], "{text}");
        }
    }

    #[test]
    fn dates_in_chinese_numerals() {
        assert_eq!(
            dates("出生日期：二〇二〇年三月十五日"),
            [(Confidence::High, "二〇二〇年三月十五日".into())]
        );
        assert_eq!(dates("二〇二三年十二月三十一日出院")[0].0, Confidence::High);
        assert!(dates("二〇二三年二月三十日").is_empty());
    }

    #[test]
    fn full_dates_elsewhere_are_high() {
        assert_eq!(
            dates("复查血常规（2024-03-08）正常"),
            [(Confidence::High, "2024-03-08".into())]
        );
        assert_eq!(
            dates("出生日期：20240716"),
            [(Confidence::High, "20240716".into())]
        );
        // Eight digits with no date word may be a code: shown, not blocking.
        assert_eq!(
            dates("编码 20240716"),
            [(Confidence::Medium, "20240716".into())]
        );
        assert!(dates("条码 2024071612").is_empty());
    }

    #[test]
    fn partial_dates() {
        assert_eq!(
            dates("患儿3月5日入院"),
            [(Confidence::High, "3月5日".into())]
        );
        assert_eq!(
            dates("3月5日体温降至正常"),
            [(Confidence::High, "3月5日".into())]
        );
        assert!(
            dates("每年3月24日为结核病防治日")
                .iter()
                .all(|(c, _)| *c == Confidence::Low)
        );
        assert!(
            dates("every 24 March is a holiday")
                .iter()
                .all(|(c, _)| *c == Confidence::Low)
        );
        assert_eq!(
            dates("2023年12月出生"),
            [(Confidence::High, "2023年12月".into())]
        );
    }

    #[test]
    fn non_dates() {
        for text in [
            "2024年冬季流行",
            "参照2024版指南",
            "病程第3天",
            "生后第5天",
            "血压90/60 mmHg",
            "Apgar 8-9-10",
            "14:30 给药",
            "2024-13-05",
            "2023年2月29日",
            "v2024.03.05",
            "1.2024.03.05",
            "孕38+2周，3岁2个月",
            "3个月5天",
        ] {
            assert!(
                dates(text).iter().all(|(c, _)| *c == Confidence::Low),
                "{text}: {:?}",
                dates(text)
            );
            assert!(dates(text).is_empty(), "{text}: {:?}", dates(text));
        }
    }
}
