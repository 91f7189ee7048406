//! Schools, kindergartens and classes, in Chinese (阳光幼儿园大班,
//! 某市第十四中学初二（3）班) and English (St Mary's Primary School). They are
//! reported as [`Kind::Address`]: a school and class narrow a child down to a
//! few dozen classmates, as a street does to a few households.

use std::sync::LazyLock;

use regex::Regex;

use crate::address::{Level, Suffix, is_masked, name_start_before};
use crate::text::{next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const MASK: &str = "[地址]";

pub(crate) const SCHOOL: Reason = (
    "School or kindergarten name (and class); it narrows a child down to a handful of classmates.",
    "学校、幼儿园名称（及班级）；可将患儿范围缩小到少数同学之中。",
);

static SCHOOL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:幼儿园|托儿所|小学|中学|初中|高中|学校|附小|附中)(?:(?:初|高)[一二三](?:年级)?|[一二三四五六七八九1-9]年级)?(?:\(?[0-9一二三四五六七八九十]{1,2}\)?班|[大中小][一二三四五六七八九1-9]?班)?",
    )
    .unwrap()
});

/// What follows 小学, 初中, … when they are an education level rather than a
/// school: 初中文化, 高中毕业, 小学生.
const EDUCATION_FOLLOWERS: &[&str] = &[
    "生", "学历", "文化", "毕业", "水平", "程度", "阶段", "教育", "以上", "以下", "期间", "年龄",
];

/// Words that end an education level rather than a school name (文化程度初中).
const EDUCATION_WORDS: &[&str] = &["程度", "文化", "学历", "水平"];

/// School names that identify no school (当地小学, 第二小学).
const GENERIC_SCHOOLS: &[&str] = &[
    "当地",
    "附近",
    "本地",
    "一所",
    "所在",
    "同一",
    "乡村",
    "农村",
    "城市",
    "公立",
    "私立",
    "普通",
    "重点",
    "寄宿",
    "寄宿制",
    "县城",
    "镇上",
    "村里",
    "村",
    "乡",
    "镇",
    "县",
    "市",
    "区",
    "社区",
    "民办",
    "公办",
    "双语",
    "家附近",
    "特殊",
    "正规",
];

/// How long a school's name may be: 阳光 to 淮阳县第一高级.
const SCHOOL_NAME: Suffix = Suffix {
    level: Level::Village,
    min: 2,
    min_chained: 2,
    max: 10,
};

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    detect_english(text, hits);
    for m in SCHOOL_RE.find_iter(text) {
        let rest = &text[m.end()..];
        if EDUCATION_FOLLOWERS.iter().any(|f| rest.starts_with(f)) {
            continue;
        }
        let Some(name_start) = name_start_before(text, 0, m.start(), &SCHOOL_NAME) else {
            continue;
        };
        let name = &text[name_start..m.start()];
        let ordinal = name.starts_with('第')
            && name
                .chars()
                .skip(1)
                .all(|c| "一二三四五六七八九十".contains(c));
        if is_masked(name)
            || ordinal
            || GENERIC_SCHOOLS.contains(&name)
            || name.ends_with(['亲', '父', '母'])
            || EDUCATION_WORDS.iter().any(|w| name.ends_with(w))
        {
            continue;
        }
        // A named school and class narrows a child down to a few dozen
        // classmates: it blocks sharing like an address does.
        hits.push(Hit::new(
            Kind::Address,
            Confidence::High,
            (name_start, m.end()),
            SCHOOL,
            MASK,
        ));
    }
}

/// An English school: up to four capitalised words (or "No. 8") before a
/// school word. Capture 1 is the words, 2 the school word.
static EN_SCHOOL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"((?:(?:St\.?|Saint|[A-Z][a-z]+(?:['’]s)?|No\. ?[0-9]{1,3}|[0-9]{1,3}) ){1,5})(School|Kindergarten|Academy|Nursery|Preschool|Pre-school|College)",
    )
    .unwrap()
});

/// Words that name a kind of school rather than a school (Primary School,
/// High School) or lead into the name (attends, at); a school needs at
/// least one word that is neither.
const EN_GENERIC: &[&str] = &[
    "Primary",
    "Middle",
    "High",
    "Secondary",
    "Elementary",
    "Junior",
    "Senior",
    "Infant",
    "Infants",
    "Grammar",
    "International",
    "Medical",
    "Nursing",
    "Local",
    "Village",
    "Township",
    "County",
    "Boarding",
    "Public",
    "Private",
    "Sunday",
    "Summer",
    "Special",
    "The",
    "A",
    "An",
    "Her",
    "His",
    "Their",
    "Our",
    "Same",
    "Each",
    "Every",
    "This",
    "That",
    "Day",
    "Night",
    "Dental",
    "Law",
    "Business",
    "Art",
    "Music",
    "Language",
    "Bilingual",
    "Community",
    "State",
    "Free",
    "Catholic",
    "Christian",
    "New",
    "Old",
    "Rural",
    "Urban",
    "Nearby",
    "Home",
    "Her",
    "Attends",
    "Attended",
    "Attending",
    "Pupil",
    "Pupils",
    "Student",
    "Students",
    "At",
    "In",
    "From",
    "Of",
    "To",
    "She",
    "He",
    "They",
    "Goes",
    "Went",
    "Started",
    "Left",
    "Missed",
    "After",
    "Before",
    "During",
    "Since",
    "Year",
    "Grade",
    "Class",
    "Reception",
    "Nursery",
    "Pre",
    "Full",
    "Part",
    "Time",
    "Kindergarten",
    "School",
    "Medicine",
    "Paediatric",
    "Pediatric",
    "Royal",
    "Teaching",
];

fn detect_english(text: &str, hits: &mut Vec<Hit>) {
    // Most cases are in Chinese; one substring search per school word is far
    // cheaper than running the pattern.
    if ![
        "School",
        "Kindergarten",
        "Academy",
        "Nursery",
        "Preschool",
        "Pre-school",
        "College",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        return;
    }
    for caps in EN_SCHOOL_RE.captures_iter(text) {
        let (Some(words), Some(kind)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        if prev_char(text, words.start()).is_some_and(|c| c.is_ascii_alphanumeric())
            || next_char(text, kind.end()).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        // Drop leading words that lead into the name ("Attends", "At").
        let mut start = words.start();
        for w in words.as_str().split(' ').filter(|w| !w.is_empty()) {
            if w.starts_with("St") || !EN_GENERIC.contains(&w) {
                break;
            }
            start += w.len() + 1;
        }
        // "American Academy of Pediatrics", "College of Physicians": a
        // learned society, not a school.
        if text[kind.end()..].starts_with(" of ") {
            continue;
        }
        let name = &text[start..words.end()];
        let specific = name.split(' ').filter(|w| !w.is_empty()).any(|w| {
            !EN_GENERIC.contains(&w)
                && !w.starts_with("No.")
                && !w.starts_with(|c: char| c.is_ascii_digit())
        });
        if !specific {
            continue;
        }
        hits.push(Hit::new(
            Kind::Address,
            Confidence::High,
            (start, kind.end()),
            SCHOOL,
            MASK,
        ));
    }
}
