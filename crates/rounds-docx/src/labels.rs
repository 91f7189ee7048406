//! Recognising labels: the words a teacher's document puts beside a value
//! (`授课对象`, `Learners:`) matched to a kind's fields, sections and list
//! columns.
//!
//! Everything comes from the declarations: each field's, section's and
//! item's Chinese and English labels, and forms derived from them (without
//! a parenthesis, without the `教学`/`Teaching` that many labels start
//! with, singular). [`ALIASES`] adds the few words teachers commonly use
//! that no declaration says (`课题` for the title, `教学内容` for what the
//! teacher does); an alias naming a field a kind lacks is ignored, so
//! declarations can change without touching this table.

use std::collections::HashMap;

use rounds_core::schema::{DocKind, Field, FieldType};

/// What a label names.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// The document's title (not a declared field).
    Title,
    Field(&'static Field),
    /// A section: its value is shared among the section's fields.
    Section(&'static str),
    /// Words that name the kind or the printed version (`教　案`,
    /// `Student version`): layout, not content.
    Marker,
}

impl PartialEq for Target {
    fn eq(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Title, Target::Title) | (Target::Marker, Target::Marker) => true,
            (Target::Field(a), Target::Field(b)) => a.key == b.key,
            (Target::Section(a), Target::Section(b)) => a == b,
            _ => false,
        }
    }
}

/// Common words for the title, fields and list columns, beyond the
/// declarations' labels: `(kind, key, words)`, where key is `title`, a
/// field key, or `list.item` for a column of a list field. Matching
/// ignores case, spaces and punctuation.
pub const ALIASES: &[(&str, &str, &[&str])] = &[
    (
        "lesson_plan",
        "title",
        &[
            "课题",
            "授课题目",
            "题目",
            "授课课题",
            "课程题目",
            "教案名称",
            "标题",
            "Title",
            "Topic",
            "Lesson title",
        ],
    ),
    (
        "lesson_plan",
        "course",
        &["课程名称", "Course name", "Subject"],
    ),
    ("lesson_plan", "chapter", &["章节名称", "单元", "Unit"]),
    (
        "lesson_plan",
        "session_type",
        &[
            "授课方式",
            "授课形式",
            "教学形式",
            "课型",
            "Teaching format",
            "Format",
        ],
    ),
    (
        "lesson_plan",
        "learner_level",
        &["教学对象", "对象", "Audience"],
    ),
    (
        "lesson_plan",
        "learner_count",
        &[
            "人数",
            "学员人数",
            "学生人数",
            "Number of learners",
            "Class size",
        ],
    ),
    ("lesson_plan", "class_hours", &["课时", "学时数", "Hours"]),
    (
        "lesson_plan",
        "date",
        &["日期", "授课时间", "Date of teaching"],
    ),
    (
        "lesson_plan",
        "site",
        &["地点", "教学地点", "Venue", "Location"],
    ),
    (
        "lesson_plan",
        "lead_preparer",
        &[
            "授课教师",
            "主讲教师",
            "授课人",
            "Teacher",
            "Lead teacher",
            "Lecturer",
        ],
    ),
    ("lesson_plan", "co_preparers", &["备课组成员", "Co-authors"]),
    (
        "lesson_plan",
        "learner_analysis",
        &["学情", "学员情况分析", "Prior knowledge"],
    ),
    (
        "lesson_plan",
        "objectives",
        &["学习目标", "Learning objectives", "Aims"],
    ),
    ("lesson_plan", "key_points", &["重点", "Key point"]),
    (
        "lesson_plan",
        "difficult_points",
        &["难点", "Difficult point", "Difficulties"],
    ),
    ("lesson_plan", "methods", &["教法", "教学方式", "Methods"]),
    (
        "lesson_plan",
        "aids",
        &[
            "教具",
            "教学资源",
            "教学准备",
            "Aids",
            "Resources",
            "Materials",
        ],
    ),
    (
        "lesson_plan",
        "process.stage",
        &["环节", "教学步骤", "步骤", "Step", "Phase"],
    ),
    (
        "lesson_plan",
        "process.minutes",
        &["时间", "时长", "用时", "Time", "Time (min)", "Duration"],
    ),
    // 教学内容 is what the teacher presents; 师生活动 describes the exchange,
    // whose learner side is what the plan's other columns lack.
    (
        "lesson_plan",
        "process.teacher",
        &["教学内容", "内容", "教师行为", "Content", "Teacher"],
    ),
    (
        "lesson_plan",
        "process.learners",
        &["师生活动", "师生互动", "学员活动", "学生行为", "Learners"],
    ),
    (
        "lesson_plan",
        "process.intent",
        &["意图", "设计思路", "Rationale", "Purpose"],
    ),
    (
        "lesson_plan",
        "board_plan",
        &["板书", "Board plan", "Slide plan"],
    ),
    ("lesson_plan", "summary", &["小结", "总结"]),
    (
        "lesson_plan",
        "assessment",
        &["考核", "课堂评价", "Evaluation"],
    ),
    (
        "lesson_plan",
        "homework",
        &["作业", "布置作业", "思考题", "Assignments"],
    ),
    (
        "lesson_plan",
        "references",
        &["参考文献", "参考书目", "教材", "Reading"],
    ),
    (
        "lesson_plan",
        "reflection",
        &["反思", "课后反思", "教学后记"],
    ),
    (
        "lesson_plan",
        "notes",
        &["其他", "附注", "Remarks", "Other"],
    ),
    ("case", "title", &["病例名称", "标题", "Title"]),
];

/// The longest label, in letters and digits: English labels run longer
/// than Chinese (`Reflection and site adaptation`); longer text is content.
pub const MAX_LABEL: usize = 48;

/// The key a kind's catch-all field has: text that fits no other field is
/// kept there. A kind without one refuses an import that leaves text over.
pub const NOTES: &str = "notes";

/// A label's text in a comparable form: full-width forms folded to ASCII,
/// lower case, and only letters and digits kept (so `授课 对象：`,
/// `授课对象:` and `【授课对象】` are the same).
pub fn norm(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The text without a leading list or heading number (`一、`, `1.`,
/// `（2）`, `①`, `Part 3:` is left alone): numbering is layout.
pub fn strip_marker(s: &str) -> &str {
    let t = s.trim_start();
    let cn = "一二三四五六七八九十";
    let num_end = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || cn.contains(*c)))
        .map_or(t.len(), |(i, _)| i);
    if num_end > 0 && num_end < t.len() {
        let rest = &t[num_end..];
        for sep in ["、", ".", "．", ")", "）", "，"] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r.trim_start();
            }
        }
    }
    for (open, close) in [("（", "）"), ("(", ")")] {
        if let Some(inner) = t.strip_prefix(open)
            && let Some(end) = inner.find(close)
        {
            let n = &inner[..end];
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || cn.contains(c)) {
                return inner[end + close.len()..].trim_start();
            }
        }
    }
    let mut cs = t.chars();
    match cs.next() {
        Some('①'..='⑳' | '•' | '·' | '●' | '▪' | '-' | '*') => cs.as_str().trim_start(),
        _ => t,
    }
}

/// The kind's labels, ready to look up.
pub struct Index {
    pub kind: DocKind,
    top: HashMap<String, (u8, Target)>,
    items: HashMap<&'static str, HashMap<String, (u8, &'static Field)>>,
}

/// How sure a match is: a declared label beats an alias, which beats a
/// derived form; at equal rank a field beats a section, which beats a marker.
const DECLARED: u8 = 0;
const ALIAS: u8 = 1;
const DERIVED: u8 = 2;

impl Index {
    pub fn new(kind: DocKind) -> Index {
        let mut ix = Index {
            kind,
            top: HashMap::new(),
            items: HashMap::new(),
        };
        for f in kind.fields() {
            ix.add_all(f.zh, f.en, Target::Field(f));
            if let FieldType::List { item, .. } = f.ty {
                let mut m = HashMap::new();
                for i in item {
                    for (rank, w) in forms(i.zh, i.en) {
                        insert(&mut m, w, rank, i, |_| 0);
                    }
                }
                ix.items.insert(f.key, m);
            }
        }
        for (s, _) in kind.sections() {
            ix.add_all(s.zh, s.en, Target::Section(s.key));
        }
        let d = kind.decl();
        for w in [d.print_title.0, d.print_title.1, d.zh, d.en] {
            ix.add(w, DECLARED, Target::Marker);
        }
        for (en, zh) in crate::VERSIONS {
            ix.add(en, DECLARED, Target::Marker);
            ix.add(zh, DECLARED, Target::Marker);
        }
        for (k, key, words) in ALIASES {
            if *k != kind.as_str() {
                continue;
            }
            for w in *words {
                match key.split_once('.') {
                    Some((list, col)) => {
                        let Some(i) = kind.field(list).and_then(|f| f.item_field(col)) else {
                            continue;
                        };
                        if let Some(m) = ix.items.get_mut(list) {
                            insert(m, norm(w), ALIAS, i, |_| 0);
                        }
                    }
                    None if *key == "title" => ix.add(w, ALIAS, Target::Title),
                    None => {
                        if let Some(f) = kind.field(key) {
                            ix.add(w, ALIAS, Target::Field(f));
                        }
                    }
                }
            }
        }
        ix
    }

    fn add_all(&mut self, zh: &str, en: &str, t: Target) {
        for (rank, w) in forms(zh, en) {
            insert(&mut self.top, w, rank, t, target_rank);
        }
    }

    fn add(&mut self, w: &str, rank: u8, t: Target) {
        insert(&mut self.top, norm(w), rank, t, target_rank);
    }

    /// What a piece of text names when it is a label, whole (a trailing
    /// colon and a leading number allowed).
    pub fn label(&self, text: &str) -> Option<Target> {
        let n = norm(strip_marker(text));
        if n.is_empty() || n.chars().count() > MAX_LABEL {
            return None;
        }
        self.top.get(&n).map(|(_, t)| *t)
    }

    /// The column of list `list` a header cell names.
    pub fn item(&self, list: &str, text: &str) -> Option<&'static Field> {
        let n = norm(strip_marker(text));
        self.items.get(list)?.get(&n).map(|(_, f)| *f)
    }
}

fn target_rank(t: &Target) -> u8 {
    match t {
        Target::Title | Target::Field(_) => 0,
        Target::Section(_) => 1,
        Target::Marker => 2,
    }
}

fn insert<T: Copy>(
    m: &mut HashMap<String, (u8, T)>,
    key: String,
    rank: u8,
    t: T,
    tie: fn(&T) -> u8,
) {
    if key.is_empty() {
        return;
    }
    match m.get(&key) {
        Some((r, old)) if (*r, tie(old)) <= (rank, tie(&t)) => {}
        _ => {
            m.insert(key, (rank, t));
        }
    }
}

/// A declaration's labels and the forms derived from them, each with its rank.
fn forms(zh: &str, en: &str) -> Vec<(u8, String)> {
    let mut out = vec![(DECLARED, norm(zh)), (DECLARED, norm(en))];
    for l in [zh, en] {
        let bare = without_parens(l);
        out.push((DERIVED, norm(&bare)));
        if let Some(rest) = bare.strip_prefix("教学")
            && rest.chars().count() >= 2
        {
            out.push((DERIVED, norm(rest)));
        }
        let lower = bare.to_lowercase();
        if let Some(rest) = lower.strip_prefix("teaching ") {
            out.push((DERIVED, norm(rest)));
        }
        let n = norm(&bare);
        if n.is_ascii() && n.len() > 4 && n.ends_with('s') {
            out.push((DERIVED, n[..n.len() - 1].to_owned()));
        }
    }
    out
}

/// A label without what it says in parentheses (`时间（分钟）` → `时间`).
pub fn without_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_in_either_language_whatever_the_punctuation() {
        let ix = Index::new(DocKind::LESSON_PLAN);
        let key = |t: &str| match ix.label(t) {
            Some(Target::Field(f)) => f.key,
            Some(Target::Title) => "title",
            Some(Target::Section(s)) => s,
            Some(Target::Marker) => "marker",
            None => "none",
        };
        assert_eq!(key("授课对象："), "learner_level");
        assert_eq!(key(" 授 课 对 象 : "), "learner_level");
        assert_eq!(key("【教学目标】"), "objectives");
        assert_eq!(key("一、教学重点"), "key_points");
        assert_eq!(key("LEARNERS"), "learner_level");
        assert_eq!(key("Objective"), "objectives");
        assert_eq!(key("课题"), "title");
        assert_eq!(key("教学重点与难点"), "key_points");
        assert_eq!(key("教　案"), "marker");
        assert_eq!(key("小儿腹泻的补液治疗"), "none");
        assert_eq!(ix.item("process", "时间").map(|f| f.key), Some("minutes"));
        assert_eq!(ix.item("process", "教学环节").map(|f| f.key), Some("stage"));
    }

    #[test]
    fn every_alias_names_a_field_of_its_kind() {
        for (kind, key, _) in ALIASES {
            let k = DocKind::named(kind).expect(kind);
            let ok = *key == "title"
                || match key.split_once('.') {
                    Some((l, c)) => k.field(l).and_then(|f| f.item_field(c)).is_some(),
                    None => k.field(key).is_some(),
                };
            assert!(ok, "{kind}.{key}");
        }
    }

    #[test]
    fn numbering_is_not_part_of_a_label() {
        assert_eq!(strip_marker("一、教学目标"), "教学目标");
        assert_eq!(strip_marker("（2）难点"), "难点");
        assert_eq!(strip_marker("3. Key points"), "Key points");
        assert_eq!(strip_marker("①导入"), "导入");
        assert_eq!(strip_marker("2025年"), "2025年");
    }
}
