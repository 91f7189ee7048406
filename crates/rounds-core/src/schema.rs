//! The fields of a lesson plan and of a teaching case, as data.
//!
//! Everything that treats fields generically — validation, the Automerge
//! mapping, JSON and Markdown export, projections, the UI's forms — walks these
//! tables instead of naming fields in code, so adding a field is one line here.
//! Labels are carried in both languages because the desktop app, Markdown
//! export and print all need them and must agree.

use serde::Serialize;

/// The version of the document layout this build writes. A document whose
/// `schema` is higher was written by a newer Rounds and opens read-only.
pub const SCHEMA_VERSION: u64 = 1;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    LessonPlan,
    Case,
}

/// Who may move a field to some of its values, whatever the client: the
/// office enforces these per kind (`rounds-office` `validate`). Roles are
/// the office's: `office_admin`, `lead_teacher`, `teacher`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    pub field: &'static str,
    /// The values only `roles` may set.
    pub values: &'static [&'static str],
    pub roles: &'static [&'static str],
}

/// Approving and publishing are decisions of a lead teacher or an office
/// admin, for lesson plans and cases alike.
const WORKFLOW_RULES: &[FieldRule] = &[FieldRule {
    field: "status",
    values: &["approved", "published"],
    roles: &["lead_teacher", "office_admin"],
}];

impl DocKind {
    pub const ALL: [DocKind; 2] = [DocKind::LessonPlan, DocKind::Case];

    /// Whether documents of this kind describe patients: such a document
    /// is checked for identifiers as it is typed, never leaves its device
    /// while private, reaches the office only through sharing (a checked
    /// copy), has its edits checked and squashed before each push, and is
    /// re-checked by the office. This one method decides it everywhere.
    pub fn holds_patient_data(self) -> bool {
        match self {
            DocKind::Case => true,
            DocKind::LessonPlan => false,
        }
    }

    /// The stored names of the kinds that hold patient data, as an SQL
    /// list (`'case'`), for the store's queries of what may be pushed.
    pub fn patient_kinds_sql() -> String {
        DocKind::ALL
            .iter()
            .filter(|k| k.holds_patient_data())
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The field rules of this kind (see [`FieldRule`]).
    pub fn field_rules(self) -> &'static [FieldRule] {
        match self {
            DocKind::LessonPlan | DocKind::Case => WORKFLOW_RULES,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::LessonPlan => "lesson_plan",
            DocKind::Case => "case",
        }
    }

    /// Parses the stored name and the short forms people type on the command line.
    pub fn parse(s: &str) -> Option<DocKind> {
        match s {
            "lesson_plan" | "lesson" | "plan" | "教案" => Some(DocKind::LessonPlan),
            "case" | "病例" | "案例" => Some(DocKind::Case),
            _ => None,
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            DocKind::LessonPlan => LESSON_PLAN_FIELDS,
            DocKind::Case => CASE_FIELDS,
        }
    }

    pub fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (DocKind::LessonPlan, Lang::Zh) => "教案",
            (DocKind::LessonPlan, Lang::En) => "Lesson plan",
            (DocKind::Case, Lang::Zh) => "教学病例",
            (DocKind::Case, Lang::En) => "Teaching case",
        }
    }
}

/// The two languages Rounds speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh_CN" | "cn" | "中文" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One allowed value of a choice field.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Choice {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The type of a field and its limits.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Automerge text, edited in place so concurrent edits to different parts
    /// both survive. `max` counts Unicode scalar values.
    Text { max: usize, multiline: bool },
    /// One value from a fixed list; concurrent sets resolve deterministically
    /// (Automerge's last-writer-wins by actor order).
    Choice { choices: &'static [Choice] },
    /// A whole number within bounds.
    Int { min: i64, max: i64 },
    /// A decimal number within bounds, such as class hours.
    Number { min: f64, max: f64 },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A list of elements with stable ids, each a record of `fields`.
    List {
        item: &'static [Field],
        max_items: usize,
    },
}

/// One field of a document kind.
#[derive(Debug, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub section: Section,
    pub en: &'static str,
    pub zh: &'static str,
    #[serde(flatten)]
    pub ty: FieldType,
}

impl Field {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    pub fn item_field(&self, key: &str) -> Option<&'static Field> {
        match self.ty {
            FieldType::List { item, .. } => item.iter().find(|f| f.key == key),
            _ => None,
        }
    }

    pub fn choice(&self, value: &str) -> Option<&'static Choice> {
        match self.ty {
            FieldType::Choice { choices } => choices.iter().find(|c| c.value == value),
            _ => None,
        }
    }
}

/// Where a field sits in the editor, the printout and the Markdown export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Header,
    Learners,
    Objectives,
    KeyPoints,
    Methods,
    Process,
    Closing,
    Assessment,
    References,
    Reflection,
    Workflow,
    CaseMeta,
    Act1,
    Act2,
    Act3,
    Teacher,
}

impl Section {
    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Section::Header => ("Header", "基本信息"),
            Section::Learners => ("Learner analysis", "学情分析"),
            Section::Objectives => ("Objectives", "教学目标"),
            Section::KeyPoints => ("Key and difficult points", "教学重点与难点"),
            Section::Methods => ("Methods and aids", "教学方法与教具"),
            Section::Process => ("Teaching process", "教学过程"),
            Section::Closing => ("Board plan and summary", "板书设计与小结"),
            Section::Assessment => ("Assessment", "教学评价"),
            Section::References => ("References", "参考资料"),
            Section::Reflection => ("Reflection and site adaptation", "教学反思与复备"),
            Section::Workflow => ("Review", "审核"),
            Section::CaseMeta => ("About this case", "病例信息"),
            Section::Act1 => ("Act 1 · History", "第一幕 · 病史"),
            Section::Act2 => (
                "Act 2 · Examination and investigations",
                "第二幕 · 体格检查与辅助检查",
            ),
            Section::Act3 => ("Act 3 · Diagnosis and management", "第三幕 · 诊断与处理"),
            Section::Teacher => ("Teacher version", "教师版"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

const SHORT: usize = 200;
const MEDIUM: usize = 2_000;
const LONG: usize = 50_000;

const fn line(key: &'static str, section: Section, en: &'static str, zh: &'static str) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: SHORT,
            multiline: false,
        },
    }
}

const fn para(key: &'static str, section: Section, en: &'static str, zh: &'static str) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: MEDIUM,
            multiline: true,
        },
    }
}

const fn long(key: &'static str, section: Section, en: &'static str, zh: &'static str) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Text {
            max: LONG,
            multiline: true,
        },
    }
}

const fn choice(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
    choices: &'static [Choice],
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::Choice { choices },
    }
}

const fn c(value: &'static str, en: &'static str, zh: &'static str) -> Choice {
    Choice { value, en, zh }
}

pub const STATUS: &[Choice] = &[
    c("draft", "Draft", "草稿"),
    c("in_review", "In review", "审核中"),
    c("approved", "Approved", "已通过"),
    c("published", "Published", "已发布"),
];

pub const SESSION_TYPES: &[Choice] = &[
    c("lecture", "Lecture", "理论授课"),
    c("ward_round", "Teaching ward round", "教学查房"),
    c("bedside", "Bedside teaching", "床旁教学"),
    c("cbl", "Case-based learning (CBL)", "病例导向教学（CBL）"),
    c("pbl", "Problem-based learning (PBL)", "问题导向教学（PBL）"),
    c("tbl", "Team-based learning (TBL)", "团队导向教学（TBL）"),
    c("skills", "Skills training", "技能培训"),
    c("simulation", "Simulation", "模拟教学"),
];

pub const LEARNER_LEVELS: &[Choice] = &[
    c("student", "Medical students", "医学生"),
    c("intern", "Interns", "实习医生"),
    c("resident", "Residents", "住院医师（规培）"),
    c("gp", "General practitioners", "全科医生"),
    c("village_doctor", "Village doctors", "乡村医生"),
    c("nurse", "Nurses", "护士"),
    c("teacher", "Clinical teachers", "临床带教老师"),
];

pub const OBJECTIVE_DOMAINS: &[Choice] = &[
    c("knowledge", "Knowledge", "知识"),
    c("skills", "Skills", "技能"),
    c("attitude", "Attitude and professionalism", "态度与职业素养"),
];

pub const MASTERY: &[Choice] = &[
    c("master", "Master", "掌握"),
    c("familiar", "Be familiar with", "熟悉"),
    c("know", "Know about", "了解"),
];

pub const ORGAN_SYSTEMS: &[Choice] = &[
    c("respiratory", "Respiratory", "呼吸系统"),
    c("cardiovascular", "Cardiovascular", "心血管系统"),
    c("digestive", "Digestive", "消化系统"),
    c("neurological", "Nervous system", "神经系统"),
    c("renal", "Kidney and urinary", "泌尿系统"),
    c("hematology", "Blood and oncology", "血液与肿瘤"),
    c("endocrine", "Endocrine and metabolic", "内分泌与代谢"),
    c("immunology", "Immunity and rheumatology", "免疫与风湿"),
    c("infectious", "Infectious diseases", "感染性疾病"),
    c("neonatal", "Neonatal", "新生儿"),
    c("nutrition", "Nutrition and growth", "营养与生长发育"),
    c("genetic", "Genetic", "遗传性疾病"),
    c("emergency", "Emergency and critical care", "急诊与危重症"),
    c("other", "Other", "其他"),
];

pub const AGE_BANDS: &[Choice] = &[
    c("neonate", "Neonate (0–28 days)", "新生儿期"),
    c("infant", "Infant (1–12 months)", "婴儿期"),
    c("toddler", "Toddler (1–3 years)", "幼儿期"),
    c("preschool", "Preschool (3–6 years)", "学龄前期"),
    c("school_age", "School age (6–12 years)", "学龄期"),
    c("adolescent", "Adolescent (12–18 years)", "青春期"),
];

pub const CARE_LEVELS: &[Choice] = &[
    c("township", "Township", "乡镇卫生院"),
    c("county", "County hospital", "县级医院"),
    c("tertiary", "Tertiary centre", "三级医院"),
];

pub const DIFFICULTY: &[Choice] = &[
    c("basic", "Basic", "基础"),
    c("intermediate", "Intermediate", "进阶"),
    c("advanced", "Advanced", "高级"),
];

pub const ACTS: &[Choice] = &[
    c("act1", "Act 1 · History", "第一幕"),
    c("act2", "Act 2 · Examination", "第二幕"),
    c("act3", "Act 3 · Management", "第三幕"),
];

const OBJECTIVE_ITEM: &[Field] = &[
    choice(
        "domain",
        Section::Objectives,
        "Domain",
        "维度",
        OBJECTIVE_DOMAINS,
    ),
    choice("level", Section::Objectives, "Mastery", "要求", MASTERY),
    para("text", Section::Objectives, "Objective", "目标"),
];

const POINT_ITEM: &[Field] = &[
    para("text", Section::KeyPoints, "Point", "内容"),
    para(
        "strategy",
        Section::KeyPoints,
        "How it is taught",
        "突破方法",
    ),
];

const PROCESS_ITEM: &[Field] = &[
    line("stage", Section::Process, "Stage", "教学环节"),
    Field {
        key: "minutes",
        section: Section::Process,
        en: "Minutes",
        zh: "时间（分钟）",
        ty: FieldType::Int { min: 0, max: 600 },
    },
    para("teacher", Section::Process, "Teacher activity", "教师活动"),
    para("learners", Section::Process, "Learner activity", "学生活动"),
    para("intent", Section::Process, "Design intent", "设计意图"),
    line(
        "link",
        Section::Process,
        "Case, question or resource",
        "关联病例/问题/资源",
    ),
];

const ADAPTATION_ITEM: &[Field] = &[
    line("site", Section::Reflection, "Site", "单位"),
    para("text", Section::Reflection, "Adaptation", "复备内容"),
];

const REVIEW_ITEM: &[Field] = &[
    line("section", Section::Workflow, "Section", "章节"),
    line("reviewer", Section::Workflow, "Reviewer", "审核人"),
    para("text", Section::Workflow, "Comment", "意见"),
];

const QUESTION_ITEM: &[Field] = &[
    choice("act", Section::Teacher, "Act", "幕次", ACTS),
    para(
        "question",
        Section::Teacher,
        "Discussion question",
        "讨论问题",
    ),
    para("answer", Section::Teacher, "Expected answer", "参考答案"),
];

const fn list(
    key: &'static str,
    section: Section,
    en: &'static str,
    zh: &'static str,
    item: &'static [Field],
) -> Field {
    Field {
        key,
        section,
        en,
        zh,
        ty: FieldType::List {
            item,
            max_items: 200,
        },
    }
}

/// The fields of a lesson plan (教案), in the order of the standard printed form.
pub const LESSON_PLAN_FIELDS: &[Field] = &[
    line("course", Section::Header, "Course", "课程"),
    line("chapter", Section::Header, "Chapter or unit", "章节"),
    choice(
        "session_type",
        Section::Header,
        "Session type",
        "授课类型",
        SESSION_TYPES,
    ),
    choice(
        "learner_level",
        Section::Header,
        "Learners",
        "授课对象",
        LEARNER_LEVELS,
    ),
    Field {
        key: "learner_count",
        section: Section::Header,
        en: "Expected learners",
        zh: "预计人数",
        ty: FieldType::Int {
            min: 0,
            max: 10_000,
        },
    },
    Field {
        key: "class_hours",
        section: Section::Header,
        en: "Class hours",
        zh: "学时",
        ty: FieldType::Number {
            min: 0.0,
            max: 200.0,
        },
    },
    line(
        "hours_split",
        Section::Header,
        "How the hours split",
        "学时分配",
    ),
    Field {
        key: "date",
        section: Section::Header,
        en: "Date",
        zh: "授课日期",
        ty: FieldType::Date,
    },
    line("site", Section::Header, "Site", "授课地点"),
    line("lead_preparer", Section::Header, "Lead preparer", "主备人"),
    line(
        "co_preparers",
        Section::Header,
        "Co-preparers",
        "参与备课人",
    ),
    long(
        "learner_analysis",
        Section::Learners,
        "Learner analysis",
        "学情分析",
    ),
    list(
        "objectives",
        Section::Objectives,
        "Objectives",
        "教学目标",
        OBJECTIVE_ITEM,
    ),
    list(
        "key_points",
        Section::KeyPoints,
        "Key points",
        "教学重点",
        POINT_ITEM,
    ),
    list(
        "difficult_points",
        Section::KeyPoints,
        "Difficult points",
        "教学难点",
        POINT_ITEM,
    ),
    para("methods", Section::Methods, "Teaching methods", "教学方法"),
    para("aids", Section::Methods, "Teaching aids", "教具与资源"),
    list(
        "process",
        Section::Process,
        "Teaching process",
        "教学过程",
        PROCESS_ITEM,
    ),
    long(
        "board_plan",
        Section::Closing,
        "Board or slide plan",
        "板书设计",
    ),
    long("summary", Section::Closing, "Summary", "课堂小结"),
    long("assessment", Section::Assessment, "Assessment", "教学评价"),
    long("homework", Section::Assessment, "Homework", "课后作业"),
    long("references", Section::References, "References", "参考资料"),
    long(
        "reflection",
        Section::Reflection,
        "Reflection after teaching",
        "教学反思",
    ),
    list(
        "adaptations",
        Section::Reflection,
        "Site adaptations",
        "教师复备栏",
        ADAPTATION_ITEM,
    ),
    choice("status", Section::Workflow, "Status", "状态", STATUS),
    line("approver", Section::Workflow, "Approver", "审核人"),
    list(
        "review_comments",
        Section::Workflow,
        "Review comments",
        "审核意见",
        REVIEW_ITEM,
    ),
];

/// The fields of a teaching case: metadata, the student version in three acts,
/// and the teacher version.
pub const CASE_FIELDS: &[Field] = &[
    choice(
        "organ_system",
        Section::CaseMeta,
        "Organ system",
        "系统",
        ORGAN_SYSTEMS,
    ),
    choice(
        "age_band",
        Section::CaseMeta,
        "Age band",
        "年龄段",
        AGE_BANDS,
    ),
    choice(
        "care_level",
        Section::CaseMeta,
        "Care level",
        "医疗机构层级",
        CARE_LEVELS,
    ),
    choice(
        "difficulty",
        Section::CaseMeta,
        "Difficulty",
        "难度",
        DIFFICULTY,
    ),
    choice(
        "learner_level",
        Section::CaseMeta,
        "Learners",
        "适用对象",
        LEARNER_LEVELS,
    ),
    para(
        "objectives_text",
        Section::CaseMeta,
        "Learning objectives",
        "学习目标",
    ),
    line("icd10", Section::CaseMeta, "ICD-10", "ICD-10 编码"),
    line(
        "imci",
        Section::CaseMeta,
        "IMCI classification",
        "IMCI 分类",
    ),
    line("authors", Section::CaseMeta, "Authors", "编写者"),
    line("source_site", Section::CaseMeta, "Source site", "来源单位"),
    para("chief_complaint", Section::Act1, "Chief complaint", "主诉"),
    long(
        "present_illness",
        Section::Act1,
        "History of present illness",
        "现病史",
    ),
    long("past_history", Section::Act1, "Past history", "既往史"),
    para(
        "perinatal_history",
        Section::Act1,
        "Perinatal history",
        "出生史",
    ),
    para("feeding", Section::Act1, "Feeding", "喂养史"),
    para(
        "development",
        Section::Act1,
        "Growth and development",
        "生长发育史",
    ),
    para(
        "immunisations",
        Section::Act1,
        "Immunisations",
        "预防接种史",
    ),
    para("allergies", Section::Act1, "Allergies", "过敏史"),
    para(
        "family_social",
        Section::Act1,
        "Family and social history",
        "家族史与社会史",
    ),
    para("vital_signs", Section::Act2, "Vital signs", "生命体征"),
    para("growth", Section::Act2, "Weight and height", "体重与身高"),
    long("examination", Section::Act2, "Examination", "体格检查"),
    para(
        "danger_signs",
        Section::Act2,
        "IMCI danger signs",
        "IMCI 危险体征",
    ),
    long(
        "investigations",
        Section::Act2,
        "Investigations",
        "辅助检查",
    ),
    para("images", Section::Act2, "Images", "影像资料"),
    long(
        "differential",
        Section::Act3,
        "Differential diagnosis",
        "鉴别诊断",
    ),
    para("diagnosis", Section::Act3, "Diagnosis", "诊断"),
    long("management", Section::Act3, "Management", "治疗"),
    para("referral", Section::Act3, "Referral decision", "转诊决策"),
    long(
        "course_outcome",
        Section::Act3,
        "Course, outcome and follow-up",
        "病程、转归与随访",
    ),
    list(
        "questions",
        Section::Teacher,
        "Discussion questions",
        "讨论问题",
        QUESTION_ITEM,
    ),
    long(
        "teaching_points",
        Section::Teacher,
        "Teaching points",
        "教学要点",
    ),
    long("pitfalls", Section::Teacher, "Pitfalls", "常见误区"),
    long(
        "case_references",
        Section::Teacher,
        "References",
        "参考资料",
    ),
    long("quiz_items", Section::Teacher, "Quiz items", "测验题"),
    para(
        "timing",
        Section::Teacher,
        "Suggested timing",
        "建议时间安排",
    ),
    choice("status", Section::Workflow, "Status", "状态", STATUS),
];

/// The most characters a title may have.
pub const TITLE_MAX: usize = 200;
/// The most tags a document may carry, and the most characters in one.
pub const TAGS_MAX: usize = 50;
pub const TAG_MAX: usize = 64;
/// The most characters in an author's display name.
pub const AUTHOR_MAX: usize = 100;
/// The years a date field may name. A teaching date outside them is a
/// typing or locale mix-up (`2026-03-15` read as month/day/year once stored
/// `0015-12-03`), so it is refused rather than saved and printed.
pub const DATE_YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn field_keys_are_unique_and_not_reserved() {
        for kind in DocKind::ALL {
            let mut seen = HashSet::new();
            for f in kind.fields() {
                assert!(seen.insert(f.key), "{} repeats {}", kind.as_str(), f.key);
                assert!(
                    !crate::doc::RESERVED_KEYS.contains(&f.key),
                    "{} is reserved",
                    f.key
                );
                if let FieldType::List { item, .. } = f.ty {
                    let keys: HashSet<_> = item.iter().map(|i| i.key).collect();
                    assert_eq!(keys.len(), item.len(), "{} repeats an item key", f.key);
                    assert!(
                        !keys.contains("id")
                            && !keys.contains("order")
                            && !keys.contains("removed")
                    );
                }
            }
        }
    }
}
