//! Places below province level, and schools.
//!
//! A Chinese address is a run of components, each a name plus a suffix that
//! says what it is: 河南**省**周口**市**淮阳**区**某某**乡**王庄**村**3**组**.
//! The detector finds the suffixes, works out each component's name (back to
//! the previous component, or back to a cue word such as 家住 or 来自), and
//! joins adjacent components into chains. A chain of two or more real
//! components is an address; how fine its finest component is decides the
//! confidence. A lone county or township is only a low-confidence hint, since
//! on its own it identifies nobody and teaching cases often name the county
//! hospital's county.
//!
//! Suffix characters are everywhere in clinical text (病**区**, 心前**区**,
//! 尿**路**感染, **镇**静, 21**号**染色体), so each component's name is checked
//! against lists of generic words, and single components never reach medium
//! confidence on their own.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{chars_before, contains_any, is_han, next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const MASK: &str = "[地址]";

const FINE: Reason = (
    "Address down to village, street or house number.",
    "精确到村、街道或门牌号的地址。",
);
const COARSE: Reason = (
    "Place below province level (city, county or township); Safe Harbor keeps only the province.",
    "省级以下地名（市、县、乡镇）；安全港标准只允许保留到省。",
);
const VILLAGE: Reason = ("Village, estate or street name.", "村、小区或街道名称。");
const SINGLE: Reason = (
    "A single county, township or street name; usually fine on its own, but check it together with the rest of the case.",
    "单独的县、乡镇或街道名；单独出现通常可以，但请结合全文判断。",
);

/// How fine a component is. Later variants are finer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Province,
    City,
    County,
    Town,
    /// Villages, estates and roads.
    Village,
    /// House, building, unit and room numbers, and village groups (3组).
    Number,
}

/// What a suffix says about the component it ends.
pub(crate) struct Suffix {
    pub(crate) level: Level,
    /// Fewest name chars when the component starts a chain.
    pub(crate) min: usize,
    /// Fewest name chars when it continues a chain (沛县 after 徐州市).
    pub(crate) min_chained: usize,
    /// Most name chars.
    pub(crate) max: usize,
}

fn suffix(s: &str) -> Suffix {
    let (level, min, min_chained, max) = match s {
        "省" | "自治区" | "特别行政区" => (Level::Province, 2, 2, 6),
        "市" | "州" | "盟" | "地区" => (Level::City, 2, 2, 4),
        "自治州" => (Level::City, 2, 2, 8),
        "区" | "县" | "旗" | "自治县" => (Level::County, 2, 1, 5),
        "乡" | "镇" | "街道" => (Level::Town, 2, 1, 5),
        "村" | "屯" | "社区" | "小区" | "新村" | "花园" | "家园" | "公寓" | "苑" => {
            (Level::Village, 2, 1, 6)
        }
        "路" | "街" | "大街" | "大道" | "巷" | "胡同" | "弄" => (Level::Village, 2, 1, 8),
        _ => (Level::Number, 1, 1, 6),
    };
    Suffix {
        level,
        min,
        min_chained,
        max,
    }
}

/// Longer suffixes first, so that 社区 is not read as 社 + 区.
static SUFFIX_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "特别行政区|自治区|自治州|自治县|街道|社区|小区|新村|花园|家园|公寓|大道|大街|胡同|号楼|号院|单元|地区\
         |省|市|州|盟|区|县|旗|乡|镇|村|屯|路|街|巷|弄|号|栋|幢|座|室|组|苑",
    )
    .unwrap()
});

const PROVINCES: &[&str] = &[
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
];

/// Words that end the text before an address (家住, 来自, 位于). A name
/// starts after the closest cue. Strong cues: when one leaves too short a
/// name, the "place" is a generic word (在家乡, 来自县里).
const STRONG_CUES: &[&str] = &[
    "住址", "地址", "家住", "现住", "居住", "住在", "来自", "位于", "籍贯", "户籍", "原籍", "老家",
    "就读", "转至", "转诊", "送至", "前往", "患儿", "患者", "家长", "父亲", "母亲", "住", "居",
    "在", "于", "至", "到", "往", "赴", "从", "由", "是", "为", "经", "去", "入", "回", "读", "系",
    // 2023年全县…: a year ends the text before a place.
    "年",
];
/// Weak cues are single characters that also begin place names (上海,
/// 和平路), so a too-short name after one of them is retried without it.
const WEAK_CUES: &[&str] = &["上", "和", "与", "自", "及", "的", "其", "该", "现", "原"];

/// All cues as one automaton, longest first so that 家住 is preferred to 住.
static CUE_RE: LazyLock<Regex> = LazyLock::new(|| {
    let mut cues: Vec<&str> = STRONG_CUES.iter().chain(WEAK_CUES).copied().collect();
    cues.sort_by_key(|c| std::cmp::Reverse(c.len()));
    Regex::new(&cues.join("|")).unwrap()
});

/// Names that are generic words at any level: 本县, 该市, 外地, 附近.
const GENERIC: &[&str] = &[
    "本",
    "该",
    "全",
    "外",
    "异",
    "各",
    "此",
    "其",
    "同",
    "邻",
    "附近",
    "当地",
    "本地",
    "外地",
    "老",
    "新",
    "城乡",
    "农村",
    "城市",
    "乡村",
    "山",
    "重灾",
    "流行",
    "高发",
    "非流行",
    "疫",
    "贫困",
    "偏远",
    "边远",
    "周边",
    "所在",
    "所属",
];

/// Last characters that make a name generic for a given level.
fn generic_tail(level: Level) -> &'static str {
    match level {
        Level::City => "城上门超都集股",
        Level::County => "病前肝疫术城郊辖灾园矿牧景老库",
        Level::Town => "家城下回老异故集",
        Level::Village => "农乡渔通尿气线电网思走旁短回血经输导",
        Level::Province | Level::Number => "",
    }
}

/// Characters after a suffix that show it was not a suffix at all.
fn false_suffix(suffix: &str, next: Option<char>) -> bool {
    let Some(next) = next else { return false };
    let not_after = match suffix {
        "镇" => "静痛定咳吐惊",
        "路" => "径线程途由费",
        "号" => "床病染线针管码称召",
        "区" => "别域分间",
        "市" => "场民面值售",
        "组" => "织成合别长员",
        "室" => "间颤性上速壁",
        "座" => "位椅",
        "社区" => "获",
        "街" => "头坊",
        // 村医 (village doctor), 村民, 村委, 村干部, 村里 are not places.
        "村" => "医民委干里",
        _ => "",
    };
    not_after.contains(next)
}

/// Characters a place name can be made of: Chinese, ASCII letters (for
/// masks such as XX路), and mask characters.
fn is_name_char(c: char) -> bool {
    is_han(c) || c.is_ascii_alphabetic() || matches!(c, '*' | '×' | '○' | '〇')
}

/// Characters a house, building or group number can be made of.
fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "一二三四五六七八九十百零〇两-".contains(c)
}

pub(crate) fn is_masked(name: &str) -> bool {
    name.chars()
        .all(|c| matches!(c, '某' | 'X' | 'x' | '*' | '×' | '○' | '〇'))
}

/// One component of an address chain.
#[derive(Debug, Clone, Copy)]
struct Component {
    start: usize,
    end: usize,
    level: Level,
    masked: bool,
}

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for chain in chains(text) {
        if let Some(hit) = judge(text, &chain) {
            hits.push(hit);
        }
    }
    crate::school::detect(text, hits);
    detect_english(text, hits);
}

/// Finds every component and groups adjacent ones into chains.
fn chains(text: &str) -> Vec<Vec<Component>> {
    let found: Vec<_> = SUFFIX_RE.find_iter(text).collect();
    let mut chains = Vec::new();
    let mut current: Vec<Component> = Vec::new();
    for (i, m) in found.iter().enumerate() {
        let info = suffix(m.as_str());
        if false_suffix(m.as_str(), next_char(text, m.end())) {
            continue;
        }
        // In 郑州市 or 新乡市 the first suffix character belongs to the name
        // of the coarser (or equally coarse) component that follows at once.
        if info.level != Level::Number
            && found
                .get(i + 1)
                .is_some_and(|n| n.start() == m.end() && suffix(n.as_str()).level <= info.level)
        {
            continue;
        }
        // A new chain may not reach back into the previous component.
        let floor = current.last().map_or(0, |c| c.end);
        let chained = current
            .last()
            .and_then(|prev| {
                (prev.end <= m.start())
                    .then(|| continue_chain(text, prev.end, m.start(), m.end(), &info))
            })
            .flatten();
        if let Some(component) = chained {
            current.push(component);
        } else if let Some(component) =
            start_chain(text, floor, m.start(), m.end(), &info, m.as_str())
        {
            if !current.is_empty() {
                chains.push(std::mem::take(&mut current));
            }
            current.push(component);
        }
    }
    if !current.is_empty() {
        chains.push(current);
    }
    chains
}

/// A component whose name runs from the end of the previous component.
fn continue_chain(
    text: &str,
    prev_end: usize,
    start: usize,
    end: usize,
    info: &Suffix,
) -> Option<Component> {
    let gap = &text[prev_end..start];
    let name = gap.trim_start_matches(' ');
    let name_start = start - name.len();
    let count = name.chars().count();
    let ok = if info.level == Level::Number {
        is_number_name(text, name_start, name)
    } else {
        ((is_masked(name) && count > 0) || (info.min_chained..=info.max).contains(&count))
            && count <= info.max
            && name.chars().all(is_name_char)
            && !STRONG_CUES.iter().any(|cue| name.contains(cue))
            && !is_generic(name, info.level)
    };
    ok.then(|| Component {
        start: name_start,
        end,
        level: info.level,
        masked: is_masked(name),
    })
}

/// A component that starts a new chain: its name reaches back to a cue word
/// or as far as the suffix allows, but not before `floor`.
fn start_chain(
    text: &str,
    floor: usize,
    start: usize,
    end: usize,
    info: &Suffix,
    suffix: &str,
) -> Option<Component> {
    let name_start = if info.level == Level::Number {
        let mut s = start;
        while let Some(c) = prev_char(text, s) {
            if s <= floor || !is_number_char(c) || text[s..start].chars().count() >= info.max {
                break;
            }
            s -= c.len_utf8();
        }
        is_number_name(text, s, &text[s..start]).then_some(s)?
    } else if let Some(s) = masked_run_before(text, floor, start) {
        // 某县, XX路: already masked, whatever its length.
        s
    } else {
        let s = name_start_before(text, floor, start, info)?;
        if suffix == "省" && !PROVINCES.iter().any(|p| text[s..start].ends_with(p)) {
            return None;
        }
        s
    };
    let name = &text[name_start..start];
    if info.level != Level::Number && is_generic(name, info.level) {
        return None;
    }
    Some(Component {
        start: name_start,
        end,
        level: info.level,
        masked: is_masked(name),
    })
}

/// The start of a run of mask characters (某, X, *) ending at `end`.
fn masked_run_before(text: &str, floor: usize, end: usize) -> Option<usize> {
    let mut s = end;
    while let Some(c) = prev_char(text, s) {
        if s <= floor || !is_masked(c.encode_utf8(&mut [0; 4])) {
            break;
        }
        s -= c.len_utf8();
    }
    (s < end).then_some(s)
}

/// Where the name ending at `end` starts, looking back over name characters
/// (not before `floor`) and stopping after the closest cue word.
pub(crate) fn name_start_before(
    text: &str,
    floor: usize,
    end: usize,
    info: &Suffix,
) -> Option<usize> {
    // Look at up to max + 2 name chars: the extra two let a cue such as 家住
    // be seen just beyond the longest name.
    let mut window_start = end;
    let mut longest_start = end;
    let mut count = 0;
    for (i, c) in text.get(floor..end)?.char_indices().rev() {
        if count == info.max + 2 || !is_name_char(c) {
            break;
        }
        window_start = floor + i;
        count += 1;
        if count <= info.max {
            longest_start = window_start;
        }
    }
    if count == 0 {
        return None;
    }

    // Cue ends, closest to the suffix first.
    let mut boundaries: Vec<(usize, bool)> = CUE_RE
        .find_iter(&text[window_start..end])
        .map(|m| (window_start + m.end(), STRONG_CUES.contains(&m.as_str())))
        .collect();
    boundaries.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    for (b, strong) in boundaries {
        if text[b..end].chars().count() >= info.min {
            return Some(b.max(longest_start));
        }
        if strong {
            return None;
        }
    }
    (text[longest_start..end].chars().count() >= info.min).then_some(longest_start)
}

fn is_generic(name: &str, level: Level) -> bool {
    GENERIC.contains(&name)
        || name
            .chars()
            .next_back()
            .is_some_and(|c| generic_tail(level).contains(c))
}

/// A house, building, unit, room or group number: digits or Chinese numerals
/// (or one letter, as in A座), not an ordinal such as 第3组.
fn is_number_name(text: &str, start: usize, name: &str) -> bool {
    let count = name.chars().count();
    if count == 0
        || count > 6
        || !name.chars().all(is_number_char)
        || name.starts_with('-')
        || name.ends_with('-')
    {
        return false;
    }
    if prev_char(text, start) == Some('第') {
        return false;
    }
    let numeric = name
        .chars()
        .any(|c| c.is_ascii_digit() || "一二三四五六七八九十百零〇两".contains(c));
    numeric || (count == 1 && name.chars().all(|c| c.is_ascii_uppercase()))
}

/// Words before a single component that say it is where someone lives.
const ADDRESS_CUES: &[&str] = &[
    "住址", "地址", "家住", "现住", "居住", "住在", "户籍", "籍贯", "老家",
];

fn judge(text: &str, chain: &[Component]) -> Option<Hit> {
    let (first, last) = (chain.first()?, chain.last()?);
    let span = (first.start, last.end);
    let real: Vec<&Component> = chain.iter().filter(|c| !c.masked).collect();
    let named = real.iter().filter(|c| c.level != Level::Number).count();
    let numbers = real.len() - named;
    let finest = real.iter().map(|c| c.level).max()?;

    let (confidence, reason) = if real.len() >= 2 && (named >= 1 || numbers >= 3) {
        let coarsest = real.iter().map(|c| c.level).min()?;
        if finest >= Level::Village {
            (Confidence::High, FINE)
        } else if coarsest <= Level::County {
            // Safe Harbor allows nothing below the province: a city with
            // its county or township is an identifier, not a hint.
            (Confidence::High, COARSE)
        } else {
            // Townships alone (本乡镇及邻近乡镇) are as often generic.
            (Confidence::Medium, COARSE)
        }
    } else if real.len() == 1 {
        // One real component: a village or street is worth a look when it is
        // clearly someone's address (某县王庄村, 家住王庄村); a county or
        // township alone is only a hint; a city, province or bare number
        // identifies no one.
        match finest {
            Level::Number | Level::Province | Level::City => return None,
            Level::Village
                if chain.len() >= 2
                    || contains_any(chars_before(text, first.start, 4), ADDRESS_CUES) =>
            {
                (Confidence::High, VILLAGE)
            }
            _ => (Confidence::Low, SINGLE),
        }
    } else {
        return None;
    };
    Some(Hit::new(Kind::Address, confidence, span, reason, MASK))
}

/// English street addresses (12 Jianshe Road) and villages or townships.
/// Word ends are checked by hand: a Unicode `\b` would push the regex engine
/// off its fast path on Chinese text.
static EN_STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:No\. ?)?[0-9]{1,5}[A-Z]?,? (?:[A-Z][a-z]+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Alley)").unwrap()
});
static EN_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:[A-Z][a-z]+ ){1,2})(Village|Township|Town|County|District)").unwrap()
});
/// Every English address pattern contains one of these.
const EN_PLACE_WORDS: &[&str] = &[
    "Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Alley", "Village", "Town", "County",
    "District",
];
const EN_NOT_PLACES: &[&str] = &[
    "The",
    "A",
    "This",
    "That",
    "Local",
    "Rural",
    "Urban",
    "Nearby",
    "Same",
    "Their",
    "Her",
    "His",
    "Our",
    "Home",
    "Each",
    "Every",
    "Poor",
    "Remote",
    "Mountain",
    "Another",
    "Neighbouring",
    "Neighboring",
    "Its",
];

fn detect_english(text: &str, hits: &mut Vec<Hit>) {
    // Most cases are in Chinese; a few substring searches are far cheaper
    // than running the English patterns over the whole text.
    if !EN_PLACE_WORDS.iter().any(|w| text.contains(w)) {
        return;
    }
    let word_char = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    for m in EN_STREET.find_iter(text) {
        if word_char(prev_char(text, m.start())) || word_char(next_char(text, m.end())) {
            continue;
        }
        hits.push(Hit::new(
            Kind::Address,
            Confidence::High,
            (m.start(), m.end()),
            FINE,
            MASK,
        ));
    }
    for caps in EN_PLACE.captures_iter(text) {
        let (Some(whole), Some(name), Some(kind)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        let first = name.as_str().split(' ').next().unwrap_or("");
        if EN_NOT_PLACES.contains(&first)
            || word_char(prev_char(text, whole.start()))
            || word_char(next_char(text, whole.end()))
        {
            continue;
        }
        let (confidence, reason) = match kind.as_str() {
            "Village" | "Township" | "Town" => (Confidence::High, VILLAGE),
            _ => (Confidence::Low, SINGLE),
        };
        hits.push(Hit::new(
            Kind::Address,
            confidence,
            (whole.start(), whole.end()),
            reason,
            MASK,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Confidence, Kind, scan};

    fn addresses(text: &str) -> Vec<(Confidence, String)> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == Kind::Address)
            .map(|f| (f.confidence, f.text))
            .collect()
    }

    fn one(text: &str, confidence: Confidence, span: &str) {
        assert_eq!(addresses(text), [(confidence, span.to_owned())], "{text}");
    }

    #[test]
    fn chains_of_components() {
        one(
            "家住河南省周口市淮阳区某某乡王庄村3组。",
            Confidence::High,
            "河南省周口市淮阳区某某乡王庄村3组",
        );
        one(
            "住址：建设路12号3栋2单元501室",
            Confidence::High,
            "建设路12号3栋2单元501室",
        );
        one(
            "XX路12号3栋2单元501室",
            Confidence::High,
            "XX路12号3栋2单元501室",
        );
        one("患儿来自河南省郑州市", Confidence::High, "河南省郑州市");
        one(
            "家住上海市浦东新区张江镇",
            Confidence::High,
            "上海市浦东新区张江镇",
        );
        one("现住新乡市红旗区", Confidence::High, "新乡市红旗区");
        one("某县王庄村", Confidence::High, "某县王庄村");
    }

    #[test]
    fn single_and_masked_components() {
        one("淮阳县人", Confidence::Low, "淮阳县");
        assert!(addresses("来自某县").is_empty());
        assert!(addresses("某省某市某县某乡").is_empty());
        assert!(addresses("某市某区某路12号").is_empty());
    }

    #[test]
    fn clinical_words_with_suffix_characters() {
        for text in [
            "心前区可闻及2/6级收缩期杂音",
            "予镇静后入睡",
            "尿路感染",
            "21号染色体三体",
            "3号床患儿",
            "社区获得性肺炎",
            "转至县医院",
            "在家乡由奶奶照顾",
            "第3组同学讨论",
            "A组链球菌感染",
            "左心室扩大，室间隔缺损",
            "母亲初中文化，父亲高中毕业",
            "患儿上小学三年级",
            "在当地小学就读",
            "儿科病区12床",
            "静脉通路建立",
        ] {
            let found: Vec<_> = addresses(text)
                .into_iter()
                .filter(|(c, _)| *c >= Confidence::Medium)
                .collect();
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    #[test]
    fn schools() {
        one("就读于阳光幼儿园大班", Confidence::High, "阳光幼儿园大班");
        one(
            "在城关镇第二小学三年级2班",
            Confidence::High,
            "城关镇第二小学三年级2班",
        );
        assert!(addresses("某小学三年级").is_empty());
        one(
            "在开封市第十四中学初二（3）班就读",
            Confidence::High,
            "开封市第十四中学初二（3）班",
        );
        one(
            "He attends Riverside Kindergarten daily",
            Confidence::High,
            "Riverside Kindergarten",
        );
        one(
            "at St Mary's Primary School.",
            Confidence::High,
            "St Mary's Primary School",
        );
        assert!(addresses("American Academy of Pediatrics guideline").is_empty());
        assert!(addresses("Primary School children sleep more").is_empty());
        assert!(addresses("中学生运动性晕厥").is_empty());
    }

    #[test]
    fn english_addresses() {
        one(
            "lives at 12 Jianshe Road, Huaiyang",
            Confidence::High,
            "12 Jianshe Road",
        );
        one(
            "from Wangzhuang Village",
            Confidence::High,
            "Wangzhuang Village",
        );
        assert!(addresses("referred to the County hospital").is_empty());
    }
}
