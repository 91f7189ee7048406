//! References between documents: stored by id, checked when a teacher
//! sets them, projected for "what links here", resolved only to documents
//! this device holds, and shown in Markdown by title.

use rounds_core::refs::Target;
use rounds_core::schema::{DocKind, KindDecl, Lang, Section, line, reference};
use rounds_store::{Filter, Store};
use serde_json::{Value, json};

const S: Section = Section::new("main", "Main", "主要");

/// A kind whose reference may only point at cases, declared here (this
/// binary registers it for its process).
static CASE_NOTE: KindDecl = KindDecl {
    name: "case_note",
    aliases: &[],
    short: "note",
    en: "Case note",
    zh: "病例札记",
    new_doc: ("New case note", "新建病例札记"),
    untitled: ("Untitled case note", "未命名病例札记"),
    print_title: ("Case Note", "病例札记"),
    fields: &[
        line("topic", S, "Topic", "主题"),
        reference("about", S, "About the case", "所述病例", &["case"]),
    ],
    patient_data: false,
    filters: &[],
    field_rules: &[],
    print_header: &[],
    teacher_only: &[],
    stages: &[],
    samples: &[],
    generate: None,
};

fn store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.set_user_name("赵老师").unwrap();
    s
}

fn plan_with_process(s: &mut Store, rows: Value) -> String {
    s.create(
        DocKind::LESSON_PLAN,
        "小儿哮喘的阶梯治疗",
        Lang::Zh,
        Some(&json!({ "process": rows })),
    )
    .unwrap()
    .id
}

fn case(s: &mut Store, title: &str) -> String {
    s.create(
        DocKind::CASE,
        title,
        Lang::Zh,
        Some(&json!({"chief_complaint": "反复喘息3个月"})),
    )
    .unwrap()
    .id
}

#[test]
fn targets_parse_only_in_their_stored_form() {
    let id = "0193a5b0-0000-7000-8000-0000000000aa";
    assert_eq!(
        Target::parse(id),
        Some(Target {
            doc: id.into(),
            element: None
        })
    );
    let t = Target::parse(&format!("{id}#3f2a9c")).unwrap();
    assert_eq!(t.element.as_deref(), Some("3f2a9c"));
    assert_eq!(t.to_string(), format!("{id}#3f2a9c"));
    for bad in [
        "",
        "not-an-id",
        "0193A5B0-0000-7000-8000-0000000000AA",
        &format!("{id}#"),
        &format!("{id}#a b"),
        &format!("{id}#{}", "x".repeat(65)),
        &format!("{id}#a#b"),
    ] {
        assert!(Target::parse(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn a_reference_points_at_a_document_of_the_library_and_links_back() {
    let mut s = store();
    let c = case(&mut s, "支气管哮喘急性发作");
    let p = plan_with_process(
        &mut s,
        json!([
            {"stage": "导入", "minutes": 5, "ref": c},
            {"stage": "讨论", "minutes": 20},
        ]),
    );
    let links = s.links(&p).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].field, "process");
    assert!(links[0].row.is_some());
    assert_eq!(links[0].to, c);
    assert!(links[0].available);
    assert_eq!(links[0].title.as_deref(), Some("支气管哮喘急性发作"));
    assert_eq!(links[0].kind, Some(DocKind::CASE));

    let back = s.linked_from(&c).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, p);
    assert_eq!(back[0].title, "小儿哮喘的阶梯治疗");
    assert_eq!(back[0].field, "process");

    // Renaming the target changes nothing stored: the title follows.
    s.edit(&c, &json!({"title": "哮喘急性发作（修订）"}))
        .unwrap();
    assert_eq!(
        s.links(&p).unwrap()[0].title.as_deref(),
        Some("哮喘急性发作（修订）")
    );

    // Markdown shows the title, never the id.
    let md = rounds_core::markdown::to_markdown_with(&s.load(&p).unwrap(), Lang::Zh, &|id| {
        s.title_of(id).unwrap()
    });
    assert!(md.contains("→ 哮喘急性发作（修订）"), "{md}");
    assert!(!md.contains(&c), "{md}");

    // Removing the row removes the link, and the backlink with it.
    let mut rows = s.load(&p).unwrap().to_json()["process"].clone();
    rows.as_array_mut().unwrap().remove(0);
    s.edit(&p, &json!({ "process": rows })).unwrap();
    assert!(s.links(&p).unwrap().is_empty());
    assert!(s.linked_from(&c).unwrap().is_empty());
}

#[test]
fn a_new_reference_must_name_a_document_and_element_this_library_holds() {
    let mut s = store();
    let c = case(&mut s, "毛细支气管炎");
    let p = plan_with_process(&mut s, json!([{"stage": "导入"}]));
    let rows = |r: Value| json!({ "process": [ {"stage": "导入", "ref": r} ] });
    let before = s.raw_bytes(&p).unwrap();
    let err = |s: &mut Store, v: Value| s.edit(&p, &rows(v)).unwrap_err().to_string();

    let missing = "0193a5b0-0000-7000-8000-00000000dead";
    assert!(
        err(&mut s, json!(missing)).contains("no document"),
        "missing"
    );
    assert!(
        err(&mut s, json!("bronchiolitis")).contains("document id"),
        "malformed"
    );
    assert!(err(&mut s, json!(p)).contains("itself"), "self");
    assert!(
        err(&mut s, json!(format!("{c}#0a0b0c0d0e0f"))).contains("no element"),
        "element"
    );
    // Nothing of the refused edits was stored.
    assert_eq!(s.raw_bytes(&p).unwrap(), before);

    // An element of the target that exists is accepted.
    s.edit(
        &c,
        &json!({"questions": [{"act": "act1", "question": "如何评估呼吸窘迫？"}]}),
    )
    .unwrap();
    let q = s.load(&c).unwrap().to_json()["questions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.edit(&p, &rows(json!(format!("{c}#{q}")))).unwrap();
    let l = &s.links(&p).unwrap()[0];
    assert_eq!(l.element.as_deref(), Some(q.as_str()));

    // A field that allows only some kinds refuses others.
    let note = DocKind::register(&CASE_NOTE).unwrap();
    let n = s
        .create(note, "随访札记", Lang::Zh, Some(&json!({"about": c})))
        .unwrap()
        .id;
    let e = s.edit(&n, &json!({"about": p})).unwrap_err().to_string();
    assert!(e.contains("must refer to a case"), "{e}");
    assert!(
        s.create(note, "错误札记", Lang::Zh, Some(&json!({"about": p})))
            .is_err()
    );
    assert_eq!(s.linked_from(&c).unwrap().len(), 2);
}

#[test]
fn a_target_this_device_does_not_hold_is_not_available_and_says_nothing_more() {
    let mut s = store();
    // An imported plan (as a colleague's file) may refer to a document this
    // device never received: it is kept as written, and shown unavailable.
    let absent = "0193a5b0-0000-7000-8000-0000000000ee";
    let plan = json!({
        "kind": "lesson_plan",
        "title": "新生儿窒息复苏",
        "language": "zh",
        "process": [{"stage": "示范", "ref": absent}],
    });
    let (summary, created) = s.import_json(&plan.to_string()).unwrap();
    assert!(created);
    let l = &s.links(&summary.id).unwrap()[0];
    assert_eq!(l.to, absent);
    assert!(!l.available);
    assert_eq!(l.title, None);
    assert_eq!(l.kind, None);
    let md =
        rounds_core::markdown::to_markdown_with(&s.load(&summary.id).unwrap(), Lang::En, &|id| {
            s.title_of(id).unwrap()
        });
    assert!(md.contains("(not available to you)"), "{md}");
    assert!(!md.contains(absent), "{md}");
    // Editing something else keeps it; the check is only for new references.
    s.edit(&summary.id, &json!({"methods": "情景模拟"}))
        .unwrap();
    assert_eq!(s.links(&summary.id).unwrap().len(), 1);
    // The documents that link to a deleted one are not listed as linking.
    let c = case(&mut s, "新生儿窒息");
    let p = plan_with_process(&mut s, json!([{"stage": "导入", "ref": c}]));
    s.delete(&p).unwrap();
    assert!(s.linked_from(&c).unwrap().is_empty());
    assert_eq!(s.list(&Filter::default()).unwrap().len(), 2);
}
