//! Behaviour of documents: creation, edits, validation, merging, history.

use rounds_core::doc::{DocError, Document, SeqIds};
use rounds_core::schema::{DocKind, Lang, SCHEMA_VERSION};
use rounds_core::testing::{ctx, fork};
use serde_json::{Value, json};

const ID: &str = "0193a5b0-0000-7000-8000-000000000001";

fn new_doc(kind: DocKind) -> Document {
    rounds_core::testing::doc(ID, kind, "热性惊厥").create()
}

fn edit(
    doc: &mut Document,
    patch: Value,
    author: &str,
    ids: &mut SeqIds,
    t: i64,
) -> Result<(), DocError> {
    doc.apply_patch(&patch, &mut ctx(author, ids, t))
        .map(|_| ())
}

fn merge(a: &mut Document, b: &mut Document) {
    a.merge_bytes(&b.save()).unwrap();
    b.merge_bytes(&a.save()).unwrap();
}

#[test]
fn a_new_document_has_every_field_empty() {
    let d = new_doc(DocKind::LESSON_PLAN);
    let j = d.to_json();
    assert_eq!(j["title"], "热性惊厥");
    assert_eq!(j["kind"], "lesson_plan");
    assert_eq!(j["schema"], rounds_core::schema::BASE_SCHEMA);
    assert_eq!(j["visibility"], "private");
    assert_eq!(j["course"], "");
    assert_eq!(j["objectives"], json!([]));
    assert_eq!(j["session_type"], Value::Null);
    assert_eq!(j["created"], "2023-11-14T22:13:20Z");
}

#[test]
fn edits_set_every_kind_of_field() {
    let mut d = new_doc(DocKind::LESSON_PLAN);
    let mut ids = SeqIds::new("el");
    edit(
        &mut d,
        json!({
            "course": "儿科学", "session_type": "cbl", "learner_count": 12, "class_hours": 1.5,
            "date": "2026-03-02", "tags": ["神经系统", "CBL"],
            "objectives": [{"domain": "knowledge", "level": "master", "text": "掌握热性惊厥的定义"}],
            "process": [{"stage": "导入", "minutes": 5}, {"stage": "讨论", "minutes": 30}]
        }),
        "王老师",
        &mut ids,
        1_700_000_100_000,
    )
    .unwrap();
    let j = d.to_json();
    assert_eq!(j["course"], "儿科学");
    assert_eq!(j["session_type"], "cbl");
    assert_eq!(j["learner_count"], 12);
    assert_eq!(j["class_hours"], 1.5);
    assert_eq!(j["date"], "2026-03-02");
    let mut tags: Vec<&str> = j["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tags.sort();
    assert_eq!(tags, ["CBL", "神经系统"]);
    assert_eq!(j["objectives"][0]["level"], "master");
    assert_eq!(j["process"][1]["stage"], "讨论");
    assert_eq!(j["updated"], "2023-11-14T22:15:00Z");
    let s = d.summary();
    assert_eq!(s.filter("session_type"), Some("cbl"));
    assert!(d.search_text().contains("掌握热性惊厥的定义"));
}

#[test]
fn each_invalid_value_is_refused_naming_the_field_and_nothing_changes() {
    let cases = [
        (json!({"title": "  "}), "title: must not be empty"),
        (
            json!({"title": "x".repeat(201)}),
            "title: is 201 characters long; the limit is 200",
        ),
        (json!({"course": "a\nb"}), "course: must be a single line"),
        (json!({"course": 5}), "course: must be text"),
        (
            json!({"session_type": "lecturez"}),
            "session_type: must be one of lecture, ward_round, bedside, cbl, pbl, tbl, skills, simulation",
        ),
        (
            json!({"process": [{"minutes": -5}]}),
            "process[0].minutes: must not be negative",
        ),
        (
            json!({"process": [{"minutes": 601}]}),
            "process[0].minutes: must be a whole number from 0 to 600",
        ),
        (
            json!({"process": [{"stage": "a"}, {"colour": "red"}]}),
            "process[1].colour: is not a field of process",
        ),
        (
            json!({"process": [{"id": "nope"}]}),
            "process[0].id: there is no element `nope`",
        ),
        (json!({"process": "rows"}), "process: must be a list"),
        (
            json!({"learner_analysis": "长".repeat(50_001)}),
            "learner_analysis: is 50001 characters long; the limit is 50000",
        ),
        (
            json!({"date": "2026-02-30"}),
            "date: must be a real date written YYYY-MM-DD",
        ),
        (
            json!({"date": "0015-12-03"}),
            "date: must be a date in the years 1900 to 2100",
        ),
        (
            json!({"date": "2101-01-01"}),
            "date: must be a date in the years 1900 to 2100",
        ),
        (
            json!({"class_hours": -1}),
            "class_hours: must not be negative",
        ),
        (
            json!({"organ_system": "respiratory"}),
            "organ_system: is not a field of a lesson plan",
        ),
        (
            json!({"created": "2020-01-01T00:00:00Z"}),
            "created: is set by Rounds and cannot be edited",
        ),
        (
            json!({"visibility": "office"}),
            "visibility: is changed by sharing the document, not by editing it",
        ),
        (json!({"tags": ["ok", ""]}), "tags[1]: must not be empty"),
        (json!({"language": "fr"}), "language: must be `zh` or `en`"),
        (
            json!(["course"]),
            "edit: must be a JSON object of field names and values",
        ),
        (
            json!({"summary": "ok\u{0007}"}),
            "summary: contains the control character U+0007",
        ),
    ];
    let mut d = new_doc(DocKind::LESSON_PLAN);
    let before = d.save();
    let heads = d.heads();
    for (patch, message) in cases {
        let mut ids = SeqIds::new("x");
        // A valid key beside the invalid one must not be applied either.
        let mut patch = patch;
        if let Some(o) = patch.as_object_mut() {
            o.insert("chapter".into(), json!("第九章"));
        }
        let err = edit(&mut d, patch, "王老师", &mut ids, 1).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(d.heads(), heads, "{message}: the document changed");
    }
    assert_eq!(d.save(), before);
}

#[test]
fn dates_are_taken_from_1900_to_2100_inclusive() {
    let mut d = new_doc(DocKind::LESSON_PLAN);
    let mut ids = SeqIds::new("x");
    for date in ["1900-01-01", "2026-03-15", "2100-12-31"] {
        edit(&mut d, json!({ "date": date }), "王老师", &mut ids, 1).unwrap();
        assert_eq!(d.to_json()["date"], date);
    }
    for date in ["1899-12-31", "2101-01-01", "0015-12-03"] {
        let err = edit(&mut d, json!({ "date": date }), "王老师", &mut ids, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "date: must be a date in the years 1900 to 2100",
            "{date}"
        );
    }
}

#[test]
fn concurrent_edits_to_one_text_field_both_survive() {
    let mut a = new_doc(DocKind::CASE);
    let mut ids = SeqIds::new("a");
    edit(
        &mut a,
        json!({"present_illness": "患儿发热2天。咳嗽。"}),
        "甲",
        &mut ids,
        10,
    )
    .unwrap();
    let mut b = fork(&mut a, 2);
    edit(
        &mut a,
        json!({"present_illness": "患儿发热2天，最高39℃。咳嗽。"}),
        "甲",
        &mut ids,
        20,
    )
    .unwrap();
    let mut ids_b = SeqIds::new("b");
    edit(
        &mut b,
        json!({"present_illness": "患儿发热2天。咳嗽，有痰。"}),
        "乙",
        &mut ids_b,
        21,
    )
    .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(
        a.to_json()["present_illness"],
        "患儿发热2天，最高39℃。咳嗽，有痰。"
    );
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn list_elements_merge_per_element() {
    let mut a = new_doc(DocKind::LESSON_PLAN);
    let mut ids = SeqIds::new("a");
    edit(
        &mut a,
        json!({"process": [{"stage": "导入"}, {"stage": "讲授"}, {"stage": "小结"}]}),
        "甲",
        &mut ids,
        1,
    )
    .unwrap();
    let rows = a.to_json()["process"].clone();
    let id = |i: usize| rows[i]["id"].as_str().unwrap().to_owned();
    let mut b = fork(&mut a, 2);
    // A moves the last row to the front and edits the first.
    edit(
        &mut a,
        json!({"process": [{"id": id(2)}, {"id": id(0), "minutes": 5}, {"id": id(1)}]}),
        "甲",
        &mut ids,
        2,
    )
    .unwrap();
    // B deletes the middle row, edits the last and appends one.
    let mut ids_b = SeqIds::new("b");
    edit(
        &mut b,
        json!({"process": [{"id": id(0)}, {"id": id(2), "stage": "课堂小结"}, {"stage": "作业"}]}),
        "乙",
        &mut ids_b,
        3,
    )
    .unwrap();
    merge(&mut a, &mut b);
    let stages: Vec<String> = a.to_json()["process"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stages, ["课堂小结", "导入", "作业"]);
    assert_eq!(a.to_json()["process"][1]["minutes"], 5);
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn an_element_removed_on_one_side_and_edited_on_the_other_stays_removed_with_the_edit_kept() {
    let mut a = new_doc(DocKind::LESSON_PLAN);
    let mut ids = SeqIds::new("a");
    edit(
        &mut a,
        json!({"objectives": [{"text": "掌握定义"}, {"text": "熟悉鉴别"}]}),
        "甲",
        &mut ids,
        1,
    )
    .unwrap();
    let els = a.to_json()["objectives"].clone();
    let (first, second) = (
        els[0]["id"].as_str().unwrap().to_owned(),
        els[1]["id"].as_str().unwrap().to_owned(),
    );
    let mut b = fork(&mut a, 2);
    edit(
        &mut a,
        json!({"objectives": [{"id": first}]}),
        "甲",
        &mut ids,
        2,
    )
    .unwrap();
    let mut ids_b = SeqIds::new("b");
    edit(
        &mut b,
        json!({"objectives": [{"id": first}, {"id": second, "text": "熟悉鉴别诊断"}]}),
        "乙",
        &mut ids_b,
        3,
    )
    .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.to_json()["objectives"].as_array().unwrap().len(), 1);
    // The edit is kept: restoring the element brings it back with B's text.
    edit(
        &mut a,
        json!({"objectives": [{"id": first}, {"id": second}]}),
        "甲",
        &mut ids,
        4,
    )
    .unwrap();
    assert_eq!(a.to_json()["objectives"][1]["text"], "熟悉鉴别诊断");
}

#[test]
fn concurrent_choices_resolve_the_same_way_everywhere() {
    let mut a = new_doc(DocKind::CASE);
    let mut b = fork(&mut a, 2);
    let mut ids = SeqIds::new("a");
    edit(&mut a, json!({"age_band": "infant"}), "甲", &mut ids, 1).unwrap();
    edit(&mut b, json!({"age_band": "toddler"}), "乙", &mut ids, 1).unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.to_json()["age_band"], b.to_json()["age_band"]);
    assert!(["infant", "toddler"].contains(&a.to_json()["age_band"].as_str().unwrap()));
}

/// The readers take each map in one pass (`MapView`): where two devices
/// set the same key, they must read the value Automerge's `get` reads.
#[test]
fn readers_take_the_value_automerge_picks_where_edits_conflict() {
    use automerge::{ObjType, ROOT, ReadDoc, ScalarValue, Value as Am};
    let mut a = new_doc(DocKind::CASE);
    let mut b = fork(&mut a, 2);
    let mut ids = SeqIds::new("a");
    edit(
        &mut a,
        json!({"age_band": "infant", "tags": ["呼吸"]}),
        "甲",
        &mut ids,
        1,
    )
    .unwrap();
    edit(
        &mut b,
        json!({"age_band": "school_age", "tags": ["感染"]}),
        "乙",
        &mut ids,
        2,
    )
    .unwrap();
    merge(&mut a, &mut b);
    let am = a.automerge();
    let Ok(Some((Am::Object(ObjType::Map), fields))) = am.get(ROOT, "fields") else {
        panic!("a document has fields");
    };
    let picked = match am.get(&fields, "age_band").unwrap() {
        Some((Am::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => panic!("a choice is a string, not {other:?}"),
        },
        other => panic!("a choice is a scalar, not {other:?}"),
    };
    assert_eq!(
        am.get_all(&fields, "age_band").unwrap().len(),
        2,
        "the edits conflict"
    );
    assert_eq!(a.to_json()["age_band"], picked.as_str());
    assert_eq!(a.summary().filter("age_band"), Some(picked.as_str()));
    let mut tags = a.summary().tags;
    tags.sort();
    assert_eq!(tags, ["呼吸", "感染"]);
}

#[test]
fn the_updated_time_is_the_latest_edit_on_any_device() {
    let mut a = new_doc(DocKind::CASE);
    let mut b = fork(&mut a, 2);
    let mut ids = SeqIds::new("a");
    edit(
        &mut a,
        json!({"diagnosis": "毛细支气管炎"}),
        "甲",
        &mut ids,
        1_700_000_500_000,
    )
    .unwrap();
    edit(
        &mut b,
        json!({"feeding": "母乳"}),
        "乙",
        &mut ids,
        1_700_000_200_000,
    )
    .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.summary().updated, 1_700_000_500_000);
    assert_eq!(b.summary().updated, 1_700_000_500_000);
}

#[test]
fn a_document_from_a_newer_schema_opens_read_only() {
    let mut d = new_doc(DocKind::CASE);
    {
        use automerge::transaction::Transactable;
        d.automerge_mut()
            .put(automerge::ROOT, "schema", SCHEMA_VERSION + 1)
            .unwrap();
        d.automerge_mut().commit();
    }
    let mut d = Document::load(&d.save()).unwrap();
    assert!(matches!(d.read_only(), Some(DocError::ReadOnly { .. })));
    let mut ids = SeqIds::new("a");
    let err = edit(&mut d, json!({"diagnosis": "x"}), "甲", &mut ids, 1).unwrap_err();
    assert!(err.to_string().contains("newer version of Rounds"), "{err}");
    assert_eq!(d.to_json()["diagnosis"], "");
}

#[test]
fn bytes_that_are_not_a_rounds_document_are_refused() {
    assert!(matches!(
        Document::load(b"not automerge"),
        Err(DocError::Automerge(_))
    ));
    let mut empty = automerge::AutoCommit::new();
    assert!(matches!(
        Document::load(&empty.save()),
        Err(DocError::NotRounds(_))
    ));
}

#[test]
fn history_names_authors_and_fields_and_old_versions_can_be_read() {
    let mut d = new_doc(DocKind::CASE);
    let mut ids = SeqIds::new("a");
    edit(
        &mut d,
        json!({"chief_complaint": "发热3天"}),
        "王老师",
        &mut ids,
        5_000,
    )
    .unwrap();
    edit(
        &mut d,
        json!({"chief_complaint": "发热3天，抽搐1次", "title": "热性惊厥病例"}),
        "李老师",
        &mut ids,
        9_000,
    )
    .unwrap();
    let h = d.history();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].author, "王老师");
    assert_eq!(h[1].fields, ["chief_complaint"]);
    assert_eq!(h[2].author, "李老师");
    assert_eq!(h[2].fields, ["chief_complaint", "title"]);
    assert_eq!(h[2].time, 9_000);
    let old = d.at(&h[1].hash).unwrap();
    assert_eq!(old.to_json()["chief_complaint"], "发热3天");
    assert_eq!(old.to_json()["title"], "热性惊厥");
    assert!(d.at("00").is_err());
}

#[test]
fn unchanged_values_make_no_change() {
    let mut d = new_doc(DocKind::CASE);
    let mut ids = SeqIds::new("a");
    edit(
        &mut d,
        json!({"diagnosis": "川崎病", "age_band": "toddler"}),
        "甲",
        &mut ids,
        1,
    )
    .unwrap();
    let n = d.history().len();
    edit(
        &mut d,
        json!({"diagnosis": "川崎病", "age_band": "toddler"}),
        "甲",
        &mut ids,
        2,
    )
    .unwrap();
    assert_eq!(d.history().len(), n);
}

#[test]
fn markdown_lays_out_a_lesson_plan_in_its_language() {
    let mut d = new_doc(DocKind::LESSON_PLAN);
    let mut ids = SeqIds::new("a");
    edit(
        &mut d,
        json!({"course": "儿科学", "session_type": "cbl", "objectives": [{"domain": "knowledge", "level": "master", "text": "定义"}],
               "process": [{"stage": "导入", "minutes": 5, "teacher": "提问 | 引出", "learners": "回答"}]}),
        "王老师", &mut ids, 1_700_000_000_000,
    ).unwrap();
    let md = rounds_core::markdown::to_markdown(&d, Lang::Zh);
    insta::assert_snapshot!(md, @r"
    # 热性惊厥

    > 教案 · 王老师 · 2023-11-14T22:13:20Z

    ## 基本信息

    | 项目 | 内容 |
    |---|---|
    | 课程 | 儿科学 |
    | 授课类型 | 病例导向教学（CBL） |

    ## 教学目标

    ### 教学目标

    | 维度 | 要求 | 目标 |
    |---|---|---|
    | 知识 | 掌握 | 定义 |

    ## 教学过程

    ### 教学过程

    | 教学环节 | 时间（分钟） | 教师活动 | 学生活动 | 设计意图 | 关联病例/试题/教案 | 其他资源 |
    |---|---|---|---|---|---|---|
    | 导入 | 5 | 提问 \| 引出 | 回答 |  |  |  |
    ");
}
