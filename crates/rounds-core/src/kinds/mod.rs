//! The built-in kinds of document, each declared once in its own module.
//!
//! A kind's module holds its sections, choices, fields, samples and
//! generator, and ends with its [`KindDecl`]; [`BUILTIN`] lists the
//! declarations. Nothing else in Rounds names a kind: see ARCHITECTURE.md,
//! "Adding a kind", for the files a new kind touches.

pub mod case;
pub mod lesson_plan;

use crate::schema::{Choice, FieldRule, Section, StageDecl, c};

/// The kinds every build knows, in the order they are offered.
pub static BUILTIN: &[&crate::schema::KindDecl] = &[&lesson_plan::DECL, &case::DECL];

/// The review section every kind that is reviewed shares.
pub const WORKFLOW: Section = Section::new("workflow", "Review", "审核");

/// Approving and publishing are decisions of a lead teacher or an office
/// admin, for lesson plans and cases alike.
pub const WORKFLOW_RULES: &[FieldRule] = &[FieldRule {
    field: "status",
    values: &["approved", "published"],
    roles: &["lead_teacher", "office_admin"],
}];

pub const STATUS: &[Choice] = &[
    c("draft", "Draft", "草稿"),
    c("in_review", "In review", "审核中"),
    c("approved", "Approved", "已通过"),
    c("published", "Published", "已发布"),
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

/// The stages of collective preparation (集体备课), in order; the lead
/// preparer moves the plan through them, and an office admin may too.
pub const PREPARATION: &[StageDecl] = &[
    stage("draft", "Individual draft", "个人初备"),
    stage("discussion", "Group discussion", "集体研讨"),
    stage("finalised", "Finalised", "修改定稿"),
    stage("adaptation", "Site adaptations", "二次备课"),
    stage("taught", "Taught", "教学实施"),
    stage("reflection", "Reflection", "教学反思"),
];

const fn stage(key: &'static str, en: &'static str, zh: &'static str) -> StageDecl {
    StageDecl {
        key,
        en,
        zh,
        movers: &["lead", "office_admin"],
    }
}
