//! Chinese names where case notes put them, with no person word in front:
//! the opening `<name>，女，4岁`, the subject of 陪同/代诉/抱/送, the object
//! of 告知/通知, a name before a title (`…科<name>主任`) or before a note in
//! brackets saying who the person is (`<name>（患儿外婆）`).
//!
//! Without a context word the only evidence is the shape of the sentence,
//! so a candidate must be a listed surname followed by one or two
//! characters that are all common in given names ([`GIVEN_CHARS`]), it must
//! start where a word can start, and what follows it must be one of those
//! case-note shapes. Masked names (张某, 王XX) never match.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::name::{NOT_NAMES, STOP_CHARS, SURNAMES, compound_surname};
use crate::names_data::GIVEN_CHARS;
use crate::text::{is_han, next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const OPENING: Reason = (
    "Chinese name opening a case note, before the sex and age. Replace it with the surname plus 某, e.g. 张某.",
    "病历开头、性别年龄之前的中文姓名。建议改为“姓+某”，如“张某”。",
);
const IN_SENTENCE: Reason = (
    "Chinese name in a case-note position (accompanied, gave the history, was told, before a title or a relation in brackets). Replace it with the surname plus 某.",
    "病历中人物位置上的中文姓名（陪同、代诉、告知、职称前或括号注明关系前）。建议改为“姓+某”。",
);

static SURNAME_SET: LazyLock<HashSet<char>> = LazyLock::new(|| SURNAMES.chars().collect());
static GIVEN_SET: LazyLock<HashSet<char>> =
    LazyLock::new(|| GIVEN_CHARS.chars().filter(|c| is_han(*c)).collect());

/// Titles that follow a name: 顾某主任, 孟某医生, 邵某同学.
const TITLES_AFTER: &[&str] = &[
    "副主任医师",
    "主任医师",
    "主治医师",
    "副主任",
    "主任",
    "医生",
    "医师",
    "大夫",
    "护士长",
    "护士",
    "护师",
    "老师",
    "教授",
    "治疗师",
    "技师",
    "药师",
    "同学",
    "院长",
    "主治",
    "助产士",
];

/// What a person in a case note does right after being named.
const VERBS_AFTER: &[&str] = &[
    "陪同", "陪伴", "陪护", "代诉", "代述", "代为", "抱", "携", "送", "诉", "述", "接诊", "签字",
    "签名", "同意", "要求", "拒绝", "表示", "反映", "发现", "带", "称", "主诉", "提供", "护送",
];

/// Kinship after a name: 黎某之女, 梁某夫妇.
const KIN_AFTER: &[&str] = &[
    "之女",
    "之子",
    "之母",
    "之父",
    "之妻",
    "之夫",
    "夫妇",
    "夫妻",
    "父子",
    "母子",
    "母女",
    "父女",
    "系患儿",
    "为患儿",
    "是患儿",
];

/// Words that say the next person is the one told or called.
const INFORM_BEFORE: &[&str] = &[
    "告知", "通知", "联系", "询问", "嘱咐", "交代", "转告", "致电", "电告", "告诉", "叮嘱",
];

/// Relation words inside a bracket after a name: （患儿外婆）, （父）.
const RELATION_WORDS: &[&str] = &[
    "患儿",
    "母",
    "父",
    "婆",
    "奶",
    "爷",
    "公",
    "姥",
    "祖",
    "家长",
    "监护人",
    "姨",
    "舅",
    "姑",
    "叔",
    "伯",
    "哥",
    "姐",
    "弟",
    "妹",
    "亲属",
    "保姆",
    "邻居",
    "老师",
    "班主任",
];

/// Single characters before a name that end the previous word: a name may
/// start right after them (由汪某陪同, 请心内科顾某主任, 凌晨2时姜某抱).
const LEFT_WORD_ENDS: &str = "由经请被向给与和及同让把将是为系时后晚晨科室组部院";

/// What may follow a name opening a case note before the sex.
fn opening_follows(after: &str) -> bool {
    // 张某患儿，男，8岁: the person word may come after the name.
    let after = after.strip_prefix("患儿").unwrap_or(after);
    let rest = after.trim_start_matches([' ', ',', '，', '、', '(']);
    if rest.len() == after.len() && !after.starts_with(['男', '女']) {
        return false;
    }
    rest.strip_prefix(['男', '女']).is_some_and(|tail| {
        tail.is_empty()
            || tail.starts_with([' ', ',', '，', '、', ')', '）', '。', ';', '；'])
            || tail.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Whether the text just before `at` lets a sentence, clause or list item
/// start there.
fn at_sentence_start(text: &str, at: usize) -> bool {
    let head = text[..at].trim_end_matches(' ');
    match head.chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '\n' | '。' | '；' | ';' | ':' | '!' | '?' | '！' | '？' | '】' | ']'
        ),
    }
}

/// Whether a name may begin at `at`: at a sentence start, after punctuation
/// or a space, or after a character that ends the previous word.
fn word_may_start(text: &str, at: usize) -> bool {
    match prev_char(text, at) {
        None => true,
        Some(c) => !is_han(c) || LEFT_WORD_ENDS.contains(c),
    }
}

fn inform_before(text: &str, at: usize) -> bool {
    let head = &text[..at];
    INFORM_BEFORE.iter().any(|w| head.ends_with(w))
}

/// A bracket right after the name holding who the person is.
fn relation_bracket(after: &str) -> bool {
    let Some(inner) = after.strip_prefix('(') else {
        return false;
    };
    let Some(close) = inner.find(')') else {
        return false;
    };
    let inner = &inner[..close];
    inner.chars().count() <= 8 && RELATION_WORDS.iter().any(|w| inner.contains(w))
}

/// Skips a short bracketed note after a name: 汪某（患儿奶奶）陪同.
fn skip_bracket(after: &str) -> &str {
    if let Some(inner) = after.strip_prefix('(')
        && let Some(close) = inner.find(')')
        && inner[..close].chars().count() <= 10
    {
        return &inner[close + 1..];
    }
    after
}

/// Shapes after a name that say on their own that it is a person: a title,
/// kinship, a bracket naming the relation.
fn strong_shape_after(text: &str, end: usize) -> bool {
    let after = &text[end..];
    TITLES_AFTER.iter().any(|t| after.starts_with(t))
        || KIN_AFTER.iter().any(|k| after.starts_with(k))
        || relation_bracket(after)
}

/// The weaker shapes: a verb of what people in a case note do. `depth` lets
/// one name joined to another (A与B系患儿父母) borrow the second name's shape.
fn shape_after(text: &str, end: usize, depth: u8) -> bool {
    let after = &text[end..];
    let verb_part = skip_bracket(after);
    if VERBS_AFTER.iter().any(|v| verb_part.starts_with(v)) {
        return true;
    }
    if depth == 0
        && let Some(joined) = after.strip_prefix(['与', '和', '、'])
    {
        let at = end + (after.len() - joined.len());
        return candidate_ends(text, at)
            .into_iter()
            .any(|(e, _)| strong_shape_after(text, e) || shape_after(text, e, 1));
    }
    false
}

/// Ends of the candidate names starting at `at`, longest first: a listed
/// surname and one or two given-name characters. The first given character
/// must be a common one; the second may be any character that can be in a
/// name, and the flag says whether it is a common one too (strict).
fn candidate_ends(text: &str, at: usize) -> Vec<(usize, bool)> {
    let Some(rest) = text.get(at..) else {
        return Vec::new();
    };
    let surname_len = compound_surname(rest).map(str::len).or_else(|| {
        rest.chars()
            .next()
            .filter(|c| SURNAME_SET.contains(c))
            .map(char::len_utf8)
    });
    let Some(surname_len) = surname_len else {
        return Vec::new();
    };
    if NOT_NAMES.iter().any(|w| rest.starts_with(w)) {
        return Vec::new();
    }
    let mut ends = Vec::with_capacity(2);
    let mut end = at + surname_len;
    for (i, c) in rest[surname_len..].chars().take(2).enumerate() {
        let common = GIVEN_SET.contains(&c);
        if !(common || (i == 1 && is_han(c) && !STOP_CHARS.contains(c))) {
            break;
        }
        end += c.len_utf8();
        ends.push((end, common));
    }
    ends.reverse();
    ends
}

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for (at, c) in text.char_indices() {
        if !SURNAME_SET.contains(&c) && compound_surname(&text[at..]).is_none() {
            continue;
        }
        if !word_may_start(text, at) && !inform_before(text, at) {
            continue;
        }
        for (end, strict) in candidate_ends(text, at) {
            // A name is not followed by more given-name characters.
            if next_char(text, end).is_some_and(|n| GIVEN_SET.contains(&n) && !ends_here(text, end))
            {
                continue;
            }
            let reason = if at_sentence_start(text, at) && opening_follows(&text[end..]) {
                OPENING
            } else if strong_shape_after(text, end)
                || (strict
                    && (shape_after(text, end, 0)
                        || (inform_before(text, at) && delimited_or_joined(text, end))))
            {
                IN_SENTENCE
            } else {
                continue;
            };
            let surname_chars = if compound_surname(&text[at..]).is_some() {
                2
            } else {
                1
            };
            let surname_len = text[at..]
                .char_indices()
                .nth(surname_chars)
                .map_or(text.len() - at, |(i, _)| i);
            hits.push(Hit::new(
                Kind::Name,
                Confidence::High,
                (at, end),
                reason,
                format!("{}某", &text[at..at + surname_len]),
            ));
            break;
        }
    }
}

/// Whether a name ending at `end` is followed by a word that shows it ended
/// (a title, a verb, kinship), even though that word starts with a
/// given-name character (主任 after 顾某, 同学 after 邵某).
fn ends_here(text: &str, end: usize) -> bool {
    let after = &text[end..];
    TITLES_AFTER.iter().any(|t| after.starts_with(t))
        || VERBS_AFTER.iter().any(|v| after.starts_with(v))
        || KIN_AFTER.iter().any(|k| after.starts_with(k))
}

/// After `告知<name>`: punctuation, the end, or a character that cannot
/// continue a given name (及, 尽快, 来院).
fn delimited_or_joined(text: &str, end: usize) -> bool {
    match next_char(text, end) {
        None => true,
        Some(c) => !is_han(c) || !GIVEN_SET.contains(&c) || "及和与等本其".contains(c),
    }
}
