//! Record numbers: hospital, outpatient, bed, insurance, birth-certificate
//! and vaccination-certificate numbers, and the other account numbers a
//! family leaves in notes (passport, QQ, WeChat).
//!
//! These have no fixed format, so the detector relies on the keyword that
//! introduces them; when an author writes 住院号 or MRN, whatever code follows
//! is an identifier.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{next_char, prev_char};
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
          | 社保卡号? | 健康卡号? | 登记号 | 标本号 | 检验号 | 影像号 | 检查号 | 流水号 | 床号 | ID号
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
        (?P<v>[a-z0-9_]+(?:[-/][a-z0-9_]+)*)
        ",
    )
    .unwrap()
});

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
        hits.push(Hit::new(
            Kind::RecordNumber,
            Confidence::High,
            (value.start(), value.end()),
            REASON,
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
