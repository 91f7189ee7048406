//! A kind of document declared here, in this test and nowhere else, lives
//! everywhere a kind lives: it is created, validated, listed, filtered,
//! searched and exported by a device, synced through a real office, shown
//! to the desktop app's forms and print, carried read-only by a build that
//! does not know it (the `rounds` CLI binary, built without this
//! declaration), and opened with nothing lost once the library is opened by
//! a build that knows it. Nothing outside this file names the kind: the
//! registry is the only place a kind lives.
//!
//! This binary registers the kind for its whole process, so it has a test
//! binary of its own.

use std::path::Path;

use rounds_core::schema::{
    Choice, DocKind, Field, KindDecl, Lang, RegisterError, Section, StageDecl, c, choice, line,
    list, long, para,
};
use rounds_office::db::Role;
use rounds_store::{Filter, Store};
use rounds_testkit::process::Program;
use rounds_testkit::{Office, Teacher};
use serde_json::{Value, json};

const STEM: Section = Section::new("stem", "Stem", "题干");
const KEY: Section = Section::new("key", "Key and explanation", "答案与解析");

const FORMATS: &[Choice] = &[
    c("single", "Single best answer", "单选题"),
    c("multiple", "Multiple answers", "多选题"),
    c("true_false", "True or false", "判断题"),
];

const OPTION_ITEM: &[Field] = &[
    line("label", STEM, "Label", "选项号"),
    para("text", STEM, "Option", "选项内容"),
];

const FIELDS: &[Field] = &[
    choice("format", STEM, "Format", "题型", FORMATS),
    long("stem", STEM, "Stem", "题干"),
    list("options", STEM, "Options", "选项", OPTION_ITEM),
    line("answer", KEY, "Answer", "答案"),
    para("explanation", KEY, "Explanation", "解析"),
];

static DRILL: KindDecl = drill_decl();

/// The `rounds` binary of this workspace on the library `data`: a build
/// that does not know the drill kind, because nothing in it declares it.
fn older_cli(data: &Path) -> Program {
    Program::rounds().data(data).user("older-device")
}

fn drill() -> DocKind {
    DocKind::register(&DRILL).unwrap()
}

#[test]
fn registering_checks_names_and_declarations() {
    let kind = drill();
    // Registering the same declaration again is harmless.
    assert_eq!(DocKind::register(&DRILL).unwrap(), kind);
    assert_eq!(DocKind::parse("drill"), Some(kind));
    assert_eq!(DocKind::parse("练习题"), Some(kind));
    assert_eq!(DocKind::named("drill_item"), Some(kind));
    assert!(DocKind::all().contains(&kind));

    static TAKEN: KindDecl = KindDecl {
        name: "lesson_plan",
        aliases: &[],
        ..drill_decl()
    };
    assert_eq!(
        DocKind::register(&TAKEN),
        Err(RegisterError::Taken("lesson_plan".into()))
    );
    static ALIAS_TAKEN: KindDecl = KindDecl {
        name: "another_item",
        aliases: &["case"],
        ..drill_decl()
    };
    assert_eq!(
        DocKind::register(&ALIAS_TAKEN),
        Err(RegisterError::Taken("case".into()))
    );
    static BAD_FILTER: KindDecl = KindDecl {
        name: "bad_filter",
        aliases: &[],
        filters: &["stem"],
        ..drill_decl()
    };
    assert!(matches!(
        DocKind::register(&BAD_FILTER),
        Err(RegisterError::Invalid { why, .. }) if why.contains("stem")
    ));
    static BAD_NAME: KindDecl = KindDecl {
        name: "Bad Name'",
        aliases: &[],
        ..drill_decl()
    };
    assert!(matches!(
        DocKind::register(&BAD_NAME),
        Err(RegisterError::Invalid { .. })
    ));
    static BAD_STAGE: KindDecl = KindDecl {
        name: "bad_stage",
        aliases: &[],
        stages: &[StageDecl {
            key: "done",
            en: "Done",
            zh: "完成",
            movers: &["anyone"],
        }],
        ..drill_decl()
    };
    assert!(matches!(
        DocKind::register(&BAD_STAGE),
        Err(RegisterError::Invalid { why, .. }) if why.contains("movers")
    ));
    assert_eq!(kind.stages().len(), 2);
    assert_eq!(
        kind.stage("checked").unwrap().movers,
        ["lead_teacher", "office_admin"]
    );
    // None of the refused ones became a kind.
    assert!(DocKind::named("another_item").is_none() && DocKind::named("bad_filter").is_none());
}

/// The drill kind's declaration; refused variants are built from it.
const fn drill_decl() -> KindDecl {
    KindDecl {
        name: "drill_item",
        aliases: &["drill", "练习题"],
        short: "drill",
        en: "Drill item",
        zh: "练习题",
        new_doc: ("New drill item", "新建练习题"),
        untitled: ("Untitled drill item", "未命名练习题"),
        print_title: ("Drill Item", "练习题"),
        fields: FIELDS,
        patient_data: false,
        filters: &["format"],
        field_rules: &[],
        print_header: &["format"],
        teacher_only: &[KEY],
        // A kind declares its own stages and who moves to each.
        stages: &[
            StageDecl {
                key: "drafted",
                en: "Drafted",
                zh: "已出题",
                movers: &["lead"],
            },
            StageDecl {
                key: "checked",
                en: "Checked",
                zh: "已审题",
                movers: &["lead_teacher", "office_admin"],
            },
        ],
        samples: &[],
        generate: None,
    }
}

fn fields() -> Value {
    json!({
        "format": "single",
        "stem": "一名8月龄婴儿腹泻两天，前囟凹陷，哭时泪少。最可能的脱水程度是？",
        "options": [
            {"label": "A", "text": "无脱水"},
            {"label": "B", "text": "轻至中度脱水"},
            {"label": "C", "text": "重度脱水"},
        ],
        "answer": "B",
        "explanation": "前囟凹陷与泪少提示中度脱水；无休克表现，不属重度。",
    })
}

#[test]
fn a_kind_declared_only_here_lives_everywhere() {
    let kind = drill();
    let office = Office::start();
    let o = office.create_office("县医院儿科教研室");
    let mut author = Teacher::joined_as(&office, &o, "主备教师", Role::Teacher);

    // Created and validated by its declaration.
    let bad = author.store.create(
        kind,
        "判断脱水程度",
        Lang::Zh,
        Some(&json!({"format": "essay"})),
    );
    let e = bad.unwrap_err().to_string();
    assert!(
        e.contains("format") && e.contains("single, multiple, true_false"),
        "{e}"
    );
    let unknown_field = author.store.create(
        kind,
        "判断脱水程度",
        Lang::Zh,
        Some(&json!({"organ_system": "digestive"})),
    );
    assert!(
        unknown_field
            .unwrap_err()
            .to_string()
            .contains("organ_system")
    );
    assert!(author.store.list(&Filter::default()).unwrap().is_empty());

    let id = author.create(kind, "判断脱水程度", fields());
    let other = author.create(
        kind,
        "口服补液盐的配制",
        json!({"format": "true_false", "stem": "低渗口服补液盐可直接用开水冲服。", "answer": "错"}),
    );
    author.create(DocKind::LESSON_PLAN, "小儿腹泻", json!({"status": "draft"}));

    // Listed and filtered by its declared filter, in the generic table.
    let by_kind = author
        .store
        .list(&Filter {
            kind: Some(kind),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(by_kind.len(), 2);
    assert!(by_kind.iter().all(|s| s.kind == kind));
    let single = author
        .store
        .list(&Filter {
            fields: vec![("format".into(), "single".into())],
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(
        single.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    assert_eq!(single[0].filter("format"), Some("single"));
    // A filter of another kind matches none of its documents.
    assert!(
        author
            .store
            .list(&Filter {
                kind: Some(kind),
                fields: vec![("status".into(), "draft".into())],
                ..Filter::default()
            })
            .unwrap()
            .is_empty()
    );

    // Searched, in its fields and list rows.
    let hits = author.store.search("前囟", &Filter::default()).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].summary.id, id);
    assert_eq!(
        author
            .store
            .search("中度脱水", &Filter::default())
            .unwrap()
            .len(),
        1
    );

    // Exported: Markdown in both languages with the declaration's labels,
    // and JSON with its fields.
    let doc = author.store.load(&id).unwrap();
    let zh = rounds_core::markdown::to_markdown(&doc, Lang::Zh);
    assert!(
        zh.contains("练习题") && zh.contains("题干") && zh.contains("单选题"),
        "{zh}"
    );
    assert!(zh.contains("轻至中度脱水") && zh.contains("解析"), "{zh}");
    let en = rounds_core::markdown::to_markdown(&doc, Lang::En);
    assert!(
        en.contains("Drill item") && en.contains("Single best answer"),
        "{en}"
    );
    let j = doc.to_json();
    assert_eq!(j["kind"], "drill_item");
    assert_eq!(j["options"].as_array().unwrap().len(), 3);
    let listed = rounds_core::doc::summary_json(&single[0]);
    assert_eq!(listed["format"], "single");

    // Edited like any kind, and still validated.
    author
        .store
        .edit(&id, &json!({"answer": "B（轻至中度）"}))
        .unwrap();
    assert!(
        author
            .store
            .edit(&other, &json!({"format": "ranking"}))
            .is_err()
    );

    // Synced through a real office, which validates it by the same declaration.
    author.store.share(&id, false).unwrap();
    author.store.share(&other, false).unwrap();
    let r = author.sync().unwrap();
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    let at_office = office.document(&id).expect("the office holds it");
    assert_eq!(at_office.kind(), kind);
    assert_eq!(at_office.to_json()["answer"], "B（轻至中度）");

    // A colleague on a build that knows the kind gets it as a document.
    let mut colleague = Teacher::joined(&office, &o, "参与教师");
    colleague.sync().unwrap();
    assert_eq!(colleague.json(&id)["stem"], fields()["stem"]);

    // The `rounds` binary does not know the kind: it keeps the documents,
    // lists them as made by a newer version, refuses to open them, and
    // keeps syncing.
    let old = tempfile::tempdir().unwrap();
    let member = office.add_member(&o, "乡镇卫生院教师");
    let cli = older_cli(old.path());
    cli.ok(&["profile", "--name", "乡镇卫生院教师"]);
    cli.ok(&["join", &office.url, &office.code(&member)]);
    cli.ok(&["sync"]);
    let table = cli.ok(&["list"]);
    assert!(
        table.contains("made by a newer version of Rounds"),
        "{table}"
    );
    assert!(
        table.contains("判断脱水程度") && table.contains("drill_item"),
        "{table}"
    );
    let rows = cli.json(&["list", "--json"]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] != "drill_item"),
        "{rows}"
    );
    let show = cli.run(&["show", &id]);
    assert!(!show.status.success());
    assert!(
        String::from_utf8_lossy(&show.stderr).contains("newer version of Rounds"),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    // Its filter flags are the declarations it knows: no `--format`.
    assert!(!cli.run(&["list", "--format", "single"]).status.success());

    // The author goes on editing; the older device merges the change.
    author
        .store
        .edit(
            &id,
            &json!({"explanation": "前囟凹陷、泪少而无休克：中度脱水。"}),
        )
        .unwrap();
    author.sync().unwrap();
    cli.ok(&["sync"]);

    // "Upgraded": this process knows the kind and opens the older
    // device's library, which projects the carried documents.
    let upgraded = Store::open_dir(old.path()).unwrap();
    assert!(upgraded.carried().unwrap().is_empty());
    let doc = upgraded.load(&id).unwrap();
    assert_eq!(doc.kind(), kind);
    assert_eq!(
        doc.to_json()["explanation"],
        "前囟凹陷、泪少而无休克：中度脱水。"
    );
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| format!("{}{}", o["label"], o["text"]))
            .collect()
    };
    assert_eq!(
        texts(&doc.to_json()["options"]),
        texts(&fields()["options"])
    );
    let single: Vec<String> = upgraded
        .list(&Filter {
            fields: vec![("format".into(), "single".into())],
            ..Filter::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(single, std::slice::from_ref(&id));
    assert_eq!(
        upgraded.search("前囟", &Filter::default()).unwrap().len(),
        1
    );
    drop(upgraded);

    // And the older build, opening the same library again, carries them
    // again rather than failing: nothing is lost either way.
    let table = cli.ok(&["list"]);
    assert!(
        table.contains("made by a newer version of Rounds"),
        "{table}"
    );
    let again = Store::open_dir(old.path()).unwrap();
    assert_eq!(
        again.load(&id).unwrap().to_json()["answer"],
        "B（轻至中度）"
    );
}

/// What the desktop app's forms, library filters and print walk.
#[test]
fn the_app_schema_carries_the_declaration() {
    let kind = drill();
    let schema = serde_json::to_value(rounds_app::SchemaInfo::build()).unwrap();
    let info = schema["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind.as_str())
        .cloned()
        .expect("the drill kind is offered");
    assert_eq!(info["label"]["zh"], "练习题");
    assert_eq!(info["print_title"]["en"], "Drill Item");
    assert_eq!(info["print_header"], json!(["format"]));
    assert_eq!(info["teacher_only"], json!(["key"]));
    let sections: Vec<&str> = info["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(sections, ["stem", "key"]);
    let format = schema["filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "format")
        .expect("its filter is offered");
    assert_eq!(format["kinds"], json!(["drill_item"]));
    assert_eq!(format["choices"].as_array().unwrap().len(), 3);
}
