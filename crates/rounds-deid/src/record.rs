//! Record numbers: hospital, outpatient, bed, insurance, birth-certificate
//! and vaccination-certificate numbers, and the other account numbers a
//! family leaves in notes (passport, QQ, WeChat).
//!
//! These have no fixed format, so the detector relies on the keyword that
//! introduces them; when an author writes 住院号 or MRN, whatever code follows
//! is an identifier.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{
    chars_before, contains_any, digits_only, next_char, number_stands_alone, prev_char,
};
use crate::{Confidence, Hit, Kind, Reason};

const MASK: &str = "[编号]";

const REASON: Reason = (
    "Number after a record keyword (住院号, 门诊号, MRN, insurance card, …); record numbers identify the child directly.",
    "“住院号”“门诊号”“MRN”等字样后的编号，可直接识别患儿。",
);

/// The keyword, an optional separator, and the value (capture `v`). Longer
/// keywords come before their prefixes so that 预防接种证编号 is taken whole.
static RECORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?P<kw>
            住院号 | 门诊号 | 急诊号 | 病案号 | 病历号 | 档案号 | 就诊卡号? | 就诊号 | 医保卡号? | 医保号
          | 社保卡号? | 健康卡号? | 登记号 | 标本号 | 检验号 | 影像号 | 检查号 | 流水号 | 床位号 | 床号 | ID号
          | 编号 | 卡号 | 单号 | 筛查号 | 采样号 | 手册号 | 序列号
          | 出生医学证明编号 | 出生医学证明号 | 出生证明编号 | 出生证明号 | 出生证编号 | 出生证号
          | 预防接种证编号 | 预防接种证号 | 预防接种证 | 接种证编号 | 接种证号
          | 护照号码? | 港澳通行证号? | qq号? | 微信号? | 微信
          | mrn | medical\ record\ (?:number|no\.?) | hospital\ (?:number|no\.?)
          | insurance\ card(?:\ number|\ no\.?)? | insurance\ (?:number|no\.?)
          | health\ card(?:\ number|\ no\.?)?
          | birth\ certificate(?:\ number|\ no\.?)?
          | (?:vaccination|immuni[sz]ation)\ (?:certificate|card|record)(?:\ number|\ no\.?)?
          | patient\ id | record\ (?:number|no\.?) | bed\ (?:number|no\.?)
          | id(?:\ ?(?:number|no\.?))?\s*[:\#]
        )
        \s*(?:[:\#]\s*|(?:is|为|是)\s*)?(?:no\.?\s*)?
        (?P<v>加?[a-z0-9_]+(?:[-/][a-z0-9_]+)*)
        ",
    )
    .unwrap()
});

/// A bed: 12床, 3号床, 加12床, A05床, 第22床. Capture `v` is the number.
static BED_ZH_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?P<v>(?:加|[A-Z]-?)?[0-9]{1,3})\s*号?\s*床").unwrap());

/// An English bed, cot or incubator number: "Bed: 21", "bed 14", "Bed No. 9".
static BED_EN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:bed|cot|incubator)\s*(?:no\.?|number|#)?\s*:?\s*(?P<v>[A-Z]?-?[0-9]{1,3}[A-Z]?)",
    )
    .unwrap()
});

/// A number labelled "No." or "#" after a word that names a record about a
/// patient: screening No. NBS-558120, Sample # S-40921, registry no. CR-3381.
/// Capture `v` is the value, which must hold at least three digits.
static LABELLED_EN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?P<kw> screening | sample | specimen | accession | referral | registry | registration
          | lab | laboratory | barcode | enrol?lment | study | trial | subject | participant
          | follow-up | swab | certificate | card | file | chart | ticket | report | cohort )
        \s+(?:no\.?|number|\#|id)\s*[:\#]?\s*
        (?P<v>[a-z]{0,4}-?[0-9][a-z0-9]*(?:-[a-z0-9]+)*)
        ",
    )
    .unwrap()
});

/// Keywords that end in 编号, 卡号, … without saying which record: the value
/// after them counts only if it is code-like (four chars or more).
const GENERIC_KEYWORDS: &[&str] = &["编号", "卡号", "单号", "序列号"];

/// A bank's card is a bank card, found by its own detector.
const BANK_WORDS: &[&str] = &["银行", "银联", "信用", "储蓄", "借记"];

const BED_REASON: Reason = (
    "Bed number; with the ward and the date it points to one child.",
    "床号；结合病区和日期可指向具体患儿。",
);

const LABELLED_REASON: Reason = (
    "Number labelled as a record (screening, sample, referral, registry No.); it identifies the child's record.",
    "筛查、标本、转诊、登记等编号，可指向患儿的记录。",
);

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for caps in RECORD_RE.captures_iter(text) {
        let (Some(keyword), Some(value)) = (caps.name("kw"), caps.name("v")) else {
            continue;
        };
        // English keywords must be whole words: "acid: 5" is not an "id:",
        // and "mRNA123" is not an MRN.
        if keyword
            .as_str()
            .starts_with(|c: char| c.is_ascii_alphabetic())
            && (prev_char(text, keyword.start()).is_some_and(|c| c.is_ascii_alphanumeric())
                || next_char(text, keyword.end()).is_some_and(|c| c.is_ascii_alphanumeric()))
        {
            continue;
        }
        let v = value.as_str();
        if !v.bytes().any(|b| b.is_ascii_digit()) || v.len() > 32 {
            continue;
        }
        if GENERIC_KEYWORDS.contains(&keyword.as_str())
            && (v.chars().count() < 4
                || contains_any(chars_before(text, keyword.start(), 2), BANK_WORDS)
                || digits_only(v).is_some_and(|d| (16..=19).contains(&d.len())))
        {
            continue;
        }
        hits.push(Hit::new(
            Kind::RecordNumber,
            Confidence::High,
            (value.start(), value.end()),
            REASON,
            MASK,
        ));
    }
    for caps in BED_ZH_RE.captures_iter(text) {
        let Some(v) = caps.name("v") else { continue };
        // 1.5床 or 12-3床 is not a bed.
        if !number_stands_alone(text, v.start(), v.end()) {
            continue;
        }
        hits.push(Hit::new(
            Kind::RecordNumber,
            Confidence::High,
            (v.start(), v.end()),
            BED_REASON,
            MASK,
        ));
    }
    // Most cases are in Chinese: skip the English patterns when there are no
    // Latin letters at all.
    if text.bytes().any(|b| b.is_ascii_alphabetic()) {
        english(text, hits);
    }
}

fn english(text: &str, hits: &mut Vec<Hit>) {
    let word_start = |at: usize| !prev_char(text, at).is_some_and(|c| c.is_ascii_alphabetic());
    for caps in BED_EN_RE.captures_iter(text) {
        let (Some(whole), Some(v)) = (caps.get(0), caps.name("v")) else {
            continue;
        };
        if !word_start(whole.start()) || !number_stands_alone(text, v.start(), v.end()) {
            continue;
        }
        hits.push(Hit::new(
            Kind::RecordNumber,
            Confidence::High,
            (v.start(), v.end()),
            BED_REASON,
            MASK,
        ));
    }
    for caps in LABELLED_EN_RE.captures_iter(text) {
        let (Some(kw), Some(v)) = (caps.name("kw"), caps.name("v")) else {
            continue;
        };
        let digits = v.as_str().bytes().filter(u8::is_ascii_digit).count();
        // 16–19 bare digits are a bank card's, found by its own detector.
        let card_like = digits_only(v.as_str()).is_some_and(|d| (16..=19).contains(&d.len()));
        if !word_start(kw.start())
            || digits < 3
            || card_like
            || next_char(text, v.end()).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        hits.push(Hit::new(
            Kind::RecordNumber,
            Confidence::High,
            (v.start(), v.end()),
            LABELLED_REASON,
            MASK,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Kind, scan};

    fn records(text: &str) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == Kind::RecordNumber)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn values_after_keywords() {
        assert_eq!(
            records("住院号：2024031501，床号：12"),
            ["2024031501", "12"]
        );
        assert_eq!(records("门诊号 MZ-2024-00318"), ["MZ-2024-00318"]);
        assert_eq!(records("MRN: 00482913"), ["00482913"]);
        assert_eq!(records("Medical record number 7734021."), ["7734021"]);
        assert_eq!(
            records("预防接种证编号：410102201500123"),
            ["410102201500123"]
        );
        assert_eq!(records("Patient ID: P-88213"), ["P-88213"]);
        assert_eq!(records("医保卡：HN8823910022"), ["HN8823910022"]);
        assert_eq!(
            records("母亲微信号：wxid_88a32k，QQ 2398112"),
            ["wxid_88a32k", "2398112"]
        );
        assert_eq!(
            records("insurance card no. 3301-8842-1190"),
            ["3301-8842-1190"]
        );
    }

    #[test]
    fn keywords_without_numbers_are_ignored() {
        assert!(records("住院号见病案首页").is_empty());
        assert!(records("The medical record number of visits was low").is_empty());
        assert!(records("Valproic acid: 20 mg/kg/d").is_empty());
        assert!(records("ID: not recorded").is_empty());
        assert!(records("mRNA123 vaccine").is_empty());
        assert!(records("微信同号，QQ邮箱 2398112@qq.com").is_empty());
    }
}
