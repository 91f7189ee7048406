//! The PDF follows the declarations: a kind declared here, in a test file
//! only, prints with its header grid, sections, list and teacher-only
//! section, though nothing in rounds-pdf names any of them. (It registers
//! the kind for its whole process, so it is a test binary of its own.)

mod common;

use common::{assert_in_order, body_text, expected, pdf_pages, squeeze};
use rounds_core::schema::{
    Choice, DocKind, Field, KindDecl, Lang, Section, c, choice, line, list, long, para,
};
use rounds_core::testing;
use rounds_pdf::{Options, render};
use serde_json::json;

const ABOUT: Section = Section::new("about", "About the drill", "练习说明");
const STEM: Section = Section::new("stem", "Stem", "题干");
const KEY: Section = Section::new("key", "Key and explanation", "答案与解析");

const FORMATS: &[Choice] = &[
    c("single", "Single best answer", "单选题"),
    c("true_false", "True or false", "判断题"),
];

const OPTION_ITEM: &[Field] = &[
    line("label", STEM, "Label", "选项号"),
    para("text", STEM, "Option", "选项内容"),
];

const FIELDS: &[Field] = &[
    choice("format", ABOUT, "Format", "题型", FORMATS),
    line("topic", ABOUT, "Topic", "知识点"),
    line("source", ABOUT, "Source", "出处"),
    long("stem", STEM, "Stem", "题干"),
    list("options", STEM, "Options", "选项", OPTION_ITEM),
    line("answer", KEY, "Answer", "答案"),
    para("explanation", KEY, "Explanation", "解析"),
];

static DRILL: KindDecl = KindDecl {
    name: "pdf_drill",
    aliases: &[],
    short: "drill",
    en: "Drill item",
    zh: "练习题",
    new_doc: ("New drill item", "新建练习题"),
    untitled: ("Untitled drill item", "未命名练习题"),
    print_title: ("Drill Item", "练　习　题"),
    fields: FIELDS,
    patient_data: false,
    filters: &[],
    field_rules: &[],
    print_header: &["format", "topic", "source"],
    teacher_only: &[KEY],
    stages: &[],
    samples: &[],
    generate: None,
};

#[test]
fn a_kind_declared_elsewhere_prints_from_its_declaration() {
    let kind = DocKind::register(&DRILL).unwrap();
    let doc = testing::doc(
        "00000000-0000-7000-8000-0000000d0111",
        kind,
        "热性惊厥的首选处理",
    )
    .fields(json!({
        "format": "single",
        "topic": "热性惊厥",
        "source": "教研室题库",
        "stem": "18 月龄患儿发热后全身抽搐 6 分钟仍未停止，首选处理是：",
        "options": [
            {"label": "A", "text": "立即腰椎穿刺"},
            {"label": "B", "text": "咪达唑仑 0.3 mg/kg 肌注"},
        ],
        "answer": "B",
        "explanation": "发作超过 5 分钟即按惊厥持续状态处理，首选苯二氮䓬类。",
    }))
    .create();
    for lang in [Lang::Zh, Lang::En] {
        for student in [false, true] {
            let o = Options {
                student,
                ..Options::new(lang)
            };
            let pdf = render(&doc, &o).unwrap();
            assert!(pdf.missing.is_empty(), "{:?}", pdf.missing);
            let text = body_text(&pdf_pages(&pdf.bytes));
            let what = format!("drill ({}, student: {student})", lang.as_str());
            assert_in_order(&text, &expected(&doc, lang, student), &what);
            let explanation = squeeze("首选苯二氮䓬类");
            assert_eq!(squeeze(&text).contains(&explanation), !student, "{what}");
        }
    }
}
