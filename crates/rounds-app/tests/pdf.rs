//! PDF from the app: the document laid out by rounds-pdf, read back with
//! poppler's pdftotext. The current text and the version number; an
//! earlier version with its own text; a case's student version without
//! the teacher-only sections; characters no bundled font has reported;
//! an unknown document said plainly.

use rounds_app::{ErrorCode, Language};
use rounds_core::schema::DocKind;
use rounds_testkit::app::{new_doc, open};
use rounds_testkit::pdf::text;
use serde_json::json;

#[test]
fn a_plan_and_an_earlier_version_of_it_print_their_own_text_and_number() {
    let (app, _dir) = open("赵老师");
    let id = new_doc(&app, DocKind::LESSON_PLAN, "新生儿黄疸的识别", Language::Zh)
        .summary
        .id;
    app.edit(
        &id,
        &json!({ "methods": "病例讨论结合经皮胆红素测定演示。" }),
    )
    .unwrap();
    let first = app.history(&id).unwrap().last().unwrap().clone();
    app.edit(
        &id,
        &json!({ "methods": "改为模拟病人问诊与光疗指征判断。" }),
    )
    .unwrap();
    let n = app.history(&id).unwrap().len();

    let now = app.pdf(&id, Language::Zh, false, None).unwrap();
    assert!(now.bytes.starts_with(b"%PDF-"));
    assert!(now.missing.is_empty(), "{:?}", now.missing);
    let t = text(&now.bytes);
    assert!(t.contains("新生儿黄疸的识别"), "{t}");
    assert!(t.contains("改为模拟病人问诊与光疗指征判断。"), "{t}");
    assert!(!t.contains("经皮胆红素"), "{t}");
    assert!(t.contains(&format!("第{n}版")), "{t}");

    let then = app
        .pdf(&id, Language::Zh, false, Some(&first.hash))
        .unwrap();
    let t = text(&then.bytes);
    assert!(t.contains("病例讨论结合经皮胆红素测定演示。"), "{t}");
    assert!(!t.contains("光疗指征"), "{t}");
    assert!(t.contains(&format!("第{}版", first.index)), "{t}");

    // Labels in the language asked for; the teacher's text as written.
    let en = text(&app.pdf(&id, Language::En, false, None).unwrap().bytes);
    assert!(en.contains("Teachingmethods"), "{en}");
    assert!(en.contains("改为模拟病人问诊与光疗指征判断。"), "{en}");
}

#[test]
fn a_case_prints_a_student_version_without_the_teacher_only_sections() {
    let (app, _dir) = open("钱老师");
    let id = new_doc(&app, DocKind::CASE, "婴儿反复喘息", Language::Zh)
        .summary
        .id;
    app.edit(
        &id,
        &json!({ "teaching_points": "区分病毒诱发喘息与多因素喘息。" }),
    )
    .unwrap();
    let teacher = text(&app.pdf(&id, Language::Zh, false, None).unwrap().bytes);
    let student = text(&app.pdf(&id, Language::Zh, true, None).unwrap().bytes);
    assert!(
        teacher.contains("区分病毒诱发喘息与多因素喘息。"),
        "{teacher}"
    );
    assert!(teacher.contains("教师版"), "{teacher}");
    assert!(student.contains("婴儿反复喘息"), "{student}");
    assert!(student.contains("学生版"), "{student}");
    assert!(!student.contains("区分病毒诱发喘息"), "{student}");
    assert!(!student.contains("教学要点"), "{student}");
}

#[test]
fn characters_no_bundled_font_has_are_reported_and_a_missing_document_is_refused() {
    let (app, _dir) = open("孙老师");
    let id = new_doc(&app, DocKind::LESSON_PLAN, "罕见字测试", Language::Zh)
        .summary
        .id;
    // An extension-B ideograph (as in some place and family names) and an
    // emoji: neither is in the bundled subsets.
    app.edit(&id, &json!({ "aids": "挂图𠀁与表情🩺" })).unwrap();
    let pdf = app.pdf(&id, Language::Zh, false, None).unwrap();
    assert_eq!(pdf.missing, vec!['𠀁', '🩺']);
    let t = text(&pdf.bytes);
    assert!(t.contains("挂图〓与表情〓"), "{t}");

    let err = app
        .pdf(
            "00000000-0000-7000-8000-000000000000",
            Language::Zh,
            false,
            None,
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    let err = app
        .pdf(&id, Language::Zh, false, Some("no-such-change"))
        .unwrap_err();
    assert_ne!(err.code, ErrorCode::Internal, "{err:?}");
}
