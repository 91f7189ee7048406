//! The teaching case: metadata, the student version in three acts, and the
//! teacher version. It describes a patient, so it holds patient data.

use serde_json::json;

use super::{LEARNER_LEVELS, STATUS, WORKFLOW, WORKFLOW_RULES};
use crate::generate::{Rng, paragraph};
use crate::schema::{
    Choice, Field, GenSpec, KindDecl, Lang, Section, c, choice, line, list, long, para,
};

pub const CASE_META: Section = Section::new("case_meta", "About this case", "病例信息");
pub const ACT1: Section = Section::new("act1", "Act 1 · History", "第一幕 · 病史");
pub const ACT2: Section = Section::new(
    "act2",
    "Act 2 · Examination and investigations",
    "第二幕 · 体格检查与辅助检查",
);
pub const ACT3: Section = Section::new(
    "act3",
    "Act 3 · Diagnosis and management",
    "第三幕 · 诊断与处理",
);
pub const TEACHER: Section = Section::new("teacher", "Teacher version", "教师版");

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

const QUESTION_ITEM: &[Field] = &[
    choice("act", TEACHER, "Act", "幕次", ACTS),
    para("question", TEACHER, "Discussion question", "讨论问题"),
    para("answer", TEACHER, "Expected answer", "参考答案"),
];

/// The fields of a teaching case: metadata, the student version in three acts,
/// and the teacher version.
pub const FIELDS: &[Field] = &[
    choice(
        "organ_system",
        CASE_META,
        "Organ system",
        "系统",
        ORGAN_SYSTEMS,
    ),
    choice("age_band", CASE_META, "Age band", "年龄段", AGE_BANDS),
    choice(
        "care_level",
        CASE_META,
        "Care level",
        "医疗机构层级",
        CARE_LEVELS,
    ),
    choice("difficulty", CASE_META, "Difficulty", "难度", DIFFICULTY),
    choice(
        "learner_level",
        CASE_META,
        "Learners",
        "适用对象",
        LEARNER_LEVELS,
    ),
    para(
        "objectives_text",
        CASE_META,
        "Learning objectives",
        "学习目标",
    ),
    line("icd10", CASE_META, "ICD-10", "ICD-10 编码"),
    line("imci", CASE_META, "IMCI classification", "IMCI 分类"),
    line("authors", CASE_META, "Authors", "编写者"),
    line("source_site", CASE_META, "Source site", "来源单位"),
    para("chief_complaint", ACT1, "Chief complaint", "主诉"),
    long(
        "present_illness",
        ACT1,
        "History of present illness",
        "现病史",
    ),
    long("past_history", ACT1, "Past history", "既往史"),
    para("perinatal_history", ACT1, "Perinatal history", "出生史"),
    para("feeding", ACT1, "Feeding", "喂养史"),
    para("development", ACT1, "Growth and development", "生长发育史"),
    para("immunisations", ACT1, "Immunisations", "预防接种史"),
    para("allergies", ACT1, "Allergies", "过敏史"),
    para(
        "family_social",
        ACT1,
        "Family and social history",
        "家族史与社会史",
    ),
    para("vital_signs", ACT2, "Vital signs", "生命体征"),
    para("growth", ACT2, "Weight and height", "体重与身高"),
    long("examination", ACT2, "Examination", "体格检查"),
    para("danger_signs", ACT2, "IMCI danger signs", "IMCI 危险体征"),
    long("investigations", ACT2, "Investigations", "辅助检查"),
    para("images", ACT2, "Images", "影像资料"),
    long("differential", ACT3, "Differential diagnosis", "鉴别诊断"),
    para("diagnosis", ACT3, "Diagnosis", "诊断"),
    long("management", ACT3, "Management", "治疗"),
    para("referral", ACT3, "Referral decision", "转诊决策"),
    long(
        "course_outcome",
        ACT3,
        "Course, outcome and follow-up",
        "病程、转归与随访",
    ),
    list(
        "questions",
        TEACHER,
        "Discussion questions",
        "讨论问题",
        QUESTION_ITEM,
    ),
    long("teaching_points", TEACHER, "Teaching points", "教学要点"),
    long("pitfalls", TEACHER, "Pitfalls", "常见误区"),
    long("case_references", TEACHER, "References", "参考资料"),
    long("quiz_items", TEACHER, "Quiz items", "测验题"),
    para("timing", TEACHER, "Suggested timing", "建议时间安排"),
    choice("status", WORKFLOW, "Status", "状态", STATUS),
];

pub static DECL: KindDecl = KindDecl {
    name: "case",
    aliases: &["病例", "案例"],
    short: "case",
    en: "Teaching case",
    zh: "教学病例",
    new_doc: ("New case", "新建病例"),
    untitled: ("Untitled case", "未命名病例"),
    print_title: ("Teaching Case", "教学病例"),
    fields: FIELDS,
    patient_data: true,
    filters: &[
        "organ_system",
        "age_band",
        "care_level",
        "learner_level",
        "status",
    ],
    field_rules: WORKFLOW_RULES,
    print_header: &[],
    teacher_only: &[TEACHER, WORKFLOW],
    // Cases are discussed and reviewed, not prepared in stages.
    stages: &[],
    samples: &[
        (
            "case-febrile-seizure.zh.json",
            include_str!("../../../../samples/case-febrile-seizure.zh.json"),
        ),
        (
            "case-bronchiolitis.zh.json",
            include_str!("../../../../samples/case-bronchiolitis.zh.json"),
        ),
        (
            "case-neonatal-jaundice.en.json",
            include_str!("../../../../samples/case-neonatal-jaundice.en.json"),
        ),
        (
            "case-diarrhoea-dehydration.zh.json",
            include_str!("../../../../samples/case-diarrhoea-dehydration.zh.json"),
        ),
        (
            "case-imci-pneumonia.en.json",
            include_str!("../../../../samples/case-imci-pneumonia.en.json"),
        ),
        (
            "case-kawasaki.zh.json",
            include_str!("../../../../samples/case-kawasaki.zh.json"),
        ),
    ],
    generate: Some(generate),
};

fn generate(rng: &mut Rng, g: &GenSpec<'_>) -> (String, serde_json::Value) {
    let (lang, topic, body) = (g.lang, g.topic, g.body);
    let title = match lang {
        Lang::Zh => format!("{topic}教学病例 {}", g.n),
        Lang::En => format!("{topic}: teaching case {}", g.n),
    };
    let fields = json!({
        "organ_system": *rng.pick(&["respiratory", "digestive", "neurological", "neonatal", "immunology"]),
        "age_band": *rng.pick(&["neonate", "infant", "toddler", "preschool", "school_age"]),
        "care_level": *rng.pick(&["township", "county", "tertiary"]),
        "learner_level": *rng.pick(&["intern", "resident", "gp", "village_doctor"]),
        "status": *rng.pick(&["draft", "published"]),
        "chief_complaint": paragraph(rng, lang, 30),
        "present_illness": paragraph(rng, lang, body / 3),
        "examination": paragraph(rng, lang, body / 4),
        "investigations": paragraph(rng, lang, body / 6),
        "management": paragraph(rng, lang, body / 6),
        "questions": [{"act": "act1", "question": paragraph(rng, lang, 40), "answer": paragraph(rng, lang, 80)}],
        "tags": [topic],
    });
    (title, fields)
}
