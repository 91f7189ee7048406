//! The lesson plan (教案), in the order of the standard printed form.

use serde_json::json;

use super::{LEARNER_LEVELS, STATUS, WORKFLOW, WORKFLOW_RULES};
use crate::generate::{Rng, paragraph};
use crate::schema::{
    Choice, Field, FieldType, GenSpec, KindDecl, Lang, Section, c, choice, line, list, long, para,
    reference,
};

pub const HEADER: Section = Section::new("header", "Header", "基本信息");
pub const LEARNERS: Section = Section::new("learners", "Learner analysis", "学情分析");
pub const OBJECTIVES: Section = Section::new("objectives", "Objectives", "教学目标");
pub const KEY_POINTS: Section =
    Section::new("key_points", "Key and difficult points", "教学重点与难点");
pub const METHODS: Section = Section::new("methods", "Methods and aids", "教学方法与教具");
pub const PROCESS: Section = Section::new("process", "Teaching process", "教学过程");
pub const CLOSING: Section = Section::new("closing", "Board plan and summary", "板书设计与小结");
pub const ASSESSMENT: Section = Section::new("assessment", "Assessment", "教学评价");
pub const REFERENCES: Section = Section::new("references", "References", "参考资料");
pub const REFLECTION: Section = Section::new(
    "reflection",
    "Reflection and site adaptation",
    "教学反思与复备",
);

/// Text that fits no other field: what a Word import could not place
/// (rounds-docx keeps it here rather than drop it), or anything else the
/// preparer wants to keep with the plan.
pub const NOTES: Section = Section::new("notes", "Notes", "备注");

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

const OBJECTIVE_ITEM: &[Field] = &[
    choice("domain", OBJECTIVES, "Domain", "维度", OBJECTIVE_DOMAINS),
    choice("level", OBJECTIVES, "Mastery", "要求", MASTERY),
    para("text", OBJECTIVES, "Objective", "目标"),
];

const POINT_ITEM: &[Field] = &[
    para("text", KEY_POINTS, "Point", "内容"),
    para("strategy", KEY_POINTS, "How it is taught", "突破方法"),
];

const PROCESS_ITEM: &[Field] = &[
    line("stage", PROCESS, "Stage", "教学环节"),
    Field {
        key: "minutes",
        section: PROCESS,
        en: "Minutes",
        zh: "时间（分钟）",
        ty: FieldType::Int { min: 0, max: 600 },
    },
    para("teacher", PROCESS, "Teacher activity", "教师活动"),
    para("learners", PROCESS, "Learner activity", "学生活动"),
    para("intent", PROCESS, "Design intent", "设计意图"),
    reference(
        "ref",
        PROCESS,
        "Linked case, question or plan",
        "关联病例/试题/教案",
        &[],
    ),
    line("link", PROCESS, "Other resource", "其他资源"),
];

const ADAPTATION_ITEM: &[Field] = &[
    line("site", REFLECTION, "Site", "单位"),
    para("text", REFLECTION, "Adaptation", "复备内容"),
];

const REVIEW_ITEM: &[Field] = &[
    line("section", WORKFLOW, "Section", "章节"),
    line("reviewer", WORKFLOW, "Reviewer", "审核人"),
    para("text", WORKFLOW, "Comment", "意见"),
];

/// The fields of a lesson plan (教案), in the order of the standard printed form.
pub const FIELDS: &[Field] = &[
    line("course", HEADER, "Course", "课程"),
    line("chapter", HEADER, "Chapter or unit", "章节"),
    choice(
        "session_type",
        HEADER,
        "Session type",
        "授课类型",
        SESSION_TYPES,
    ),
    choice(
        "learner_level",
        HEADER,
        "Learners",
        "授课对象",
        LEARNER_LEVELS,
    ),
    Field {
        key: "learner_count",
        section: HEADER,
        en: "Expected learners",
        zh: "预计人数",
        ty: FieldType::Int {
            min: 0,
            max: 10_000,
        },
    },
    Field {
        key: "class_hours",
        section: HEADER,
        en: "Class hours",
        zh: "学时",
        ty: FieldType::Number {
            min: 0.0,
            max: 200.0,
        },
    },
    line("hours_split", HEADER, "How the hours split", "学时分配"),
    Field {
        key: "date",
        section: HEADER,
        en: "Date",
        zh: "授课日期",
        ty: FieldType::Date,
    },
    line("site", HEADER, "Site", "授课地点"),
    line("lead_preparer", HEADER, "Lead preparer", "主备人"),
    line("co_preparers", HEADER, "Co-preparers", "参与备课人"),
    long("learner_analysis", LEARNERS, "Learner analysis", "学情分析"),
    list(
        "objectives",
        OBJECTIVES,
        "Objectives",
        "教学目标",
        OBJECTIVE_ITEM,
    ),
    list(
        "key_points",
        KEY_POINTS,
        "Key points",
        "教学重点",
        POINT_ITEM,
    ),
    list(
        "difficult_points",
        KEY_POINTS,
        "Difficult points",
        "教学难点",
        POINT_ITEM,
    ),
    para("methods", METHODS, "Teaching methods", "教学方法"),
    para("aids", METHODS, "Teaching aids", "教具与资源"),
    list(
        "process",
        PROCESS,
        "Teaching process",
        "教学过程",
        PROCESS_ITEM,
    ),
    long("board_plan", CLOSING, "Board or slide plan", "板书设计"),
    long("summary", CLOSING, "Summary", "课堂小结"),
    long("assessment", ASSESSMENT, "Assessment", "教学评价"),
    long("homework", ASSESSMENT, "Homework", "课后作业"),
    long("references", REFERENCES, "References", "参考资料"),
    long(
        "reflection",
        REFLECTION,
        "Reflection after teaching",
        "教学反思",
    ),
    list(
        "adaptations",
        REFLECTION,
        "Site adaptations",
        "教师复备栏",
        ADAPTATION_ITEM,
    ),
    choice("status", WORKFLOW, "Status", "状态", STATUS),
    line("approver", WORKFLOW, "Approver", "审核人"),
    list(
        "review_comments",
        WORKFLOW,
        "Review comments",
        "审核意见",
        REVIEW_ITEM,
    ),
    // Appended: released documents keep their layout, and a field is only
    // ever added at the end.
    long("notes", NOTES, "Notes", "备注"),
];

pub static DECL: KindDecl = KindDecl {
    name: "lesson_plan",
    aliases: &["lesson", "plan", "教案"],
    short: "lesson",
    en: "Lesson plan",
    zh: "教案",
    new_doc: ("New lesson plan", "新建教案"),
    untitled: ("Untitled lesson plan", "未命名教案"),
    print_title: ("Lesson Plan", "教　案"),
    fields: FIELDS,
    patient_data: false,
    filters: &["session_type", "learner_level", "status"],
    field_rules: WORKFLOW_RULES,
    print_header: &[
        "course",
        "chapter",
        "session_type",
        "learner_level",
        "learner_count",
        "class_hours",
        "hours_split",
        "date",
        "site",
        "lead_preparer",
        "co_preparers",
    ],
    teacher_only: &[],
    stages: super::PREPARATION,
    samples: &[
        (
            "lesson-febrile-seizures.zh.json",
            include_str!("../../../../samples/lesson-febrile-seizures.zh.json"),
        ),
        (
            "lesson-bronchiolitis.en.json",
            include_str!("../../../../samples/lesson-bronchiolitis.en.json"),
        ),
        (
            "lesson-neonatal-jaundice.zh.json",
            include_str!("../../../../samples/lesson-neonatal-jaundice.zh.json"),
        ),
        (
            "lesson-diarrhoea-ors.zh.json",
            include_str!("../../../../samples/lesson-diarrhoea-ors.zh.json"),
        ),
        (
            "lesson-imci-pneumonia.en.json",
            include_str!("../../../../samples/lesson-imci-pneumonia.en.json"),
        ),
    ],
    generate: Some(generate),
};

fn generate(rng: &mut Rng, g: &GenSpec<'_>) -> (String, serde_json::Value) {
    let (lang, topic, body) = (g.lang, g.topic, g.body);
    let title = match lang {
        Lang::Zh => format!("{topic}教案（{}）", g.n),
        Lang::En => format!("{topic}: lesson plan {}", g.n),
    };
    let fields = json!({
        "course": if lang == Lang::Zh { "儿科学" } else { "Paediatrics" },
        "session_type": *rng.pick(&["lecture", "ward_round", "cbl", "pbl", "skills"]),
        "learner_level": *rng.pick(&["intern", "resident", "gp", "village_doctor"]),
        "status": *rng.pick(&["draft", "in_review", "approved", "published"]),
        "learner_analysis": paragraph(rng, lang, body / 8),
        "objectives": [
            {"domain": "knowledge", "level": "master", "text": paragraph(rng, lang, 40)},
            {"domain": "skills", "level": "familiar", "text": paragraph(rng, lang, 40)},
        ],
        "process": (0..5).map(|i| json!({"stage": format!("{}", i + 1), "minutes": 5 + rng.below(20), "teacher": paragraph(rng, lang, body / 12), "learners": paragraph(rng, lang, 60)})).collect::<Vec<_>>(),
        "summary": paragraph(rng, lang, body / 6),
        "tags": [topic],
    });
    (title, fields)
}
