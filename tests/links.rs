//! References through a real office: a colleague sees the title of a
//! target that reached their device, and only "not available" for one that
//! did not (the author's private draft), with nothing of it leaked.

use rounds_core::schema::DocKind;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

#[test]
fn a_colleague_sees_shared_targets_and_not_private_ones() {
    let office = Office::start();
    let o = office.create_office("儿科教研室");
    let mut author = Teacher::joined(&office, &o, "孙老师");
    let case = author.create(
        DocKind::CASE,
        "手足口病重症识别",
        json!({"chief_complaint": "发热2天，手足皮疹1天"}),
    );
    let case = author.store.share(&case, true).unwrap().id;
    let draft = author.create(
        DocKind::LESSON_PLAN,
        "未完成的草稿：疱疹性咽峡炎",
        json!({}),
    );
    let plan = author.create(
        DocKind::LESSON_PLAN,
        "手足口病的分级诊疗",
        json!({"process": [
            {"stage": "病例导入", "ref": case},
            {"stage": "对比讨论", "ref": draft},
        ]}),
    );
    author.store.share(&plan, false).unwrap();
    author.sync().unwrap();

    let mut colleague = Teacher::joined(&office, &o, "钱老师");
    colleague.sync().unwrap();
    let links = colleague.store.links(&plan).unwrap();
    assert_eq!(links.len(), 2);
    let to_case = links.iter().find(|l| l.to == case).unwrap();
    assert!(to_case.available);
    assert_eq!(to_case.title.as_deref(), Some("手足口病重症识别"));
    let to_draft = links.iter().find(|l| l.to == draft).unwrap();
    assert!(!to_draft.available);
    assert_eq!((to_draft.title.as_ref(), to_draft.kind), (None, None));
    // The draft never reached the colleague's device at all.
    assert!(colleague.store.load(&draft).is_err());
    let md = rounds_core::markdown::to_markdown_with(
        &colleague.store.load(&plan).unwrap(),
        rounds_core::Lang::Zh,
        &|id| colleague.store.title_of(id).unwrap(),
    );
    assert!(
        md.contains("→ 手足口病重症识别") && md.contains("你无权查看"),
        "{md}"
    );
    assert!(!md.contains("疱疹性咽峡炎"), "{md}");
    // "What links here" on the colleague's device: the shared case is
    // referred to by the shared plan.
    let back = colleague.store.linked_from(&case).unwrap();
    assert_eq!(
        back.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        [plan.as_str()]
    );
}
