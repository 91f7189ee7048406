//! A kind declared here, in a test, is exported and imported with no code
//! of rounds-docx naming it: the declaration is all the crate needs.

use rounds_core::schema::{
    Choice, DocKind, Field, FieldType, KindDecl, Lang, Section, c, choice, line, list, long, para,
};
use rounds_docx::{ExportOptions, ImportOptions, Version, export, import};
use serde_json::json;

const BODY: Section = Section::new("body", "Station", "考站");
const MARKS: Section = Section::new("marks", "Marking", "评分");
const EXTRA: Section = Section::new("extra", "Notes", "备注");

const LEVELS: &[Choice] = &[c("easy", "Easy", "容易"), c("hard", "Hard", "困难")];

const CHECK_ITEM: &[Field] = &[
    para("step", MARKS, "Step", "操作步骤"),
    Field {
        key: "points",
        section: MARKS,
        en: "Points",
        zh: "分值",
        ty: FieldType::Int { min: 0, max: 100 },
    },
];

const FIELDS: &[Field] = &[
    line("skill", BODY, "Skill", "技能项目"),
    choice("level", BODY, "Level", "难度等级", LEVELS),
    long("scenario", BODY, "Scenario", "情景描述"),
    list("checklist", MARKS, "Checklist", "评分表", CHECK_ITEM),
    long("examiner_notes", MARKS, "Examiner notes", "考官提示"),
    long("notes", EXTRA, "Notes", "备注"),
];

static STATION: KindDecl = KindDecl {
    name: "osce_station",
    aliases: &["osce", "考站"],
    short: "osce",
    en: "OSCE station",
    zh: "OSCE 考站",
    new_doc: ("New station", "新建考站"),
    untitled: ("Untitled station", "未命名考站"),
    print_title: ("OSCE Station", "OSCE 考站"),
    fields: FIELDS,
    patient_data: false,
    filters: &["level"],
    field_rules: &[],
    print_header: &["skill", "level"],
    teacher_only: &[MARKS],
    stages: &[],
    samples: &[],
    generate: None,
};

#[test]
fn a_kind_declared_in_a_test_round_trips_and_hides_its_teacher_sections() {
    let kind = DocKind::register(&STATION).unwrap();
    let doc = json!({
        "kind": "osce_station",
        "title": "婴儿心肺复苏考站",
        "skill": "婴儿单人心肺复苏",
        "level": "hard",
        "scenario": "一名 4 月龄婴儿在候诊区突然无反应。\n考生独自到场。",
        "checklist": [
            {"id": "a1", "step": "确认环境安全并呼救", "points": 10},
            {"id": "a2", "step": "两指按压，频率 100～120 次/分", "points": 40},
        ],
        "examiner_notes": "按压深度约为胸廓前后径的三分之一。",
        "notes": "",
    });
    for lang in [Lang::Zh, Lang::En] {
        let o = ExportOptions {
            lang,
            version: Version::Teacher,
            title_of: &|_| None,
        };
        let p = import(&export(&doc, &o).unwrap(), &ImportOptions::default()).unwrap();
        assert_eq!(p.kind, kind);
        assert_eq!(p.title, "婴儿心肺复苏考站");
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        for key in ["skill", "level", "scenario", "examiner_notes"] {
            assert_eq!(p.fields[key], doc[key], "{key}");
        }
        assert_eq!(p.fields["checklist"][1]["points"], 40);
        assert_eq!(
            p.fields["checklist"][1]["step"],
            doc["checklist"][1]["step"]
        );

        let student = ExportOptions {
            version: Version::Student,
            ..o
        };
        let p = import(&export(&doc, &student).unwrap(), &ImportOptions::default()).unwrap();
        assert!(p.fields.get("checklist").is_none() && p.fields.get("examiner_notes").is_none());
        assert_eq!(p.fields["scenario"], doc["scenario"]);
    }
    // A Word file with a label this kind has and text it has none for.
    let bytes = export(
        &json!({"kind": "osce_station", "title": "考站", "skill": "腰椎穿刺"}),
        &ExportOptions {
            lang: Lang::Zh,
            version: Version::Teacher,
            title_of: &|_| None,
        },
    )
    .unwrap();
    let p = import(
        &bytes,
        &ImportOptions {
            kind: Some(kind),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(p.fields["skill"], "腰椎穿刺");
}
