//! Rendered PDFs read back with poppler's `pdftotext`: every field of every
//! sample in both languages, in order; the student version without the
//! teacher's sections; page numbers, office, version and approval on every
//! page; a long teaching process paginated with its header repeated;
//! characters no bundled font has marked and reported.

mod common;

use common::{
    assert_in_order, body_text, expected, from_json, pdf_pages, sample, samples, squeeze,
};
use rounds_core::DocKind;
use rounds_core::collab::Who;
use rounds_core::schema::Lang;
use rounds_pdf::{Approval, MISSING_MARK, Options, Version, render};
use serde_json::json;

const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

#[test]
fn every_sample_prints_every_field_in_order_in_both_languages() {
    let mut rendered = 0;
    for (name, doc) in samples() {
        let versions: &[bool] = if doc.kind().decl().teacher_only.is_empty() {
            &[false]
        } else {
            &[false, true]
        };
        for lang in LANGS {
            for &student in versions {
                let o = Options {
                    student,
                    ..Options::new(lang)
                };
                let pdf = render(&doc, &o).unwrap();
                assert!(
                    pdf.missing.is_empty(),
                    "{name}: the bundled fonts lack {:?}; add them to crates/rounds-pdf/fonts/extra-chars.txt and run scripts/subset-fonts.sh",
                    pdf.missing
                );
                let pages = pdf_pages(&pdf.bytes);
                assert_eq!(pages.len(), pdf.pages, "{name}");
                let what = format!("{name} ({}, student: {student})", lang.as_str());
                assert_in_order(&body_text(&pages), &expected(&doc, lang, student), &what);
                rendered += 1;
            }
        }
    }
    // 5 lesson plans in 2 languages, 6 cases in 2 languages and 2 versions.
    assert_eq!(rendered, 5 * 2 + 6 * 2 * 2);
}

#[test]
fn the_student_version_leaves_out_the_teachers_sections() {
    let doc = sample("case-febrile-seizure.zh.json");
    let json = doc.to_json();
    let kind = doc.kind();
    let teacher_only = kind.decl().teacher_only;
    assert!(!teacher_only.is_empty());
    for lang in LANGS {
        let text = |student| {
            let o = Options {
                student,
                ..Options::new(lang)
            };
            squeeze(&pdf_pages(&render(&doc, &o).unwrap().bytes).join("\n"))
        };
        let (student, teacher) = (text(true), text(false));
        let edition = |zh, en| squeeze(if lang == Lang::Zh { zh } else { en });
        assert!(student.contains(&edition("学生版", "Student version")));
        assert!(teacher.contains(&edition("教师版", "Teacher version")));
        let mut checked = 0;
        for f in kind.fields() {
            if !teacher_only.contains(&f.section)
                || !matches!(f.ty, rounds_core::schema::FieldType::Text { .. })
            {
                continue;
            }
            let Some(v) = json[f.key].as_str().filter(|v| v.chars().count() > 8) else {
                continue;
            };
            // The start of the text: a line break may fall anywhere later.
            let start = squeeze(&v.chars().take(12).collect::<String>());
            assert!(
                teacher.contains(&start),
                "the teacher's copy lacks {}",
                f.key
            );
            assert!(
                !student.contains(&start),
                "the student's copy shows {}",
                f.key
            );
            checked += 1;
        }
        assert!(checked >= 3, "only {checked} teacher-only texts checked");
        for s in teacher_only {
            assert!(!student.contains(&squeeze(s.label(lang))), "{}", s.key);
        }
    }
}

/// A lesson plan whose teaching process runs over several pages.
fn long_plan() -> rounds_core::Document {
    let rows: Vec<_> = (1..=40)
        .map(|i| {
            json!({
                "stage": format!("环节{i}"),
                "minutes": i,
                "teacher": format!("第{i}步：教师展示病例资料，提出问题，引导学员分析惊厥的原因与处理顺序。"),
                "learners": format!("学员分组讨论第{i}个问题并汇报"),
                "intent": "培养临床思维",
            })
        })
        .collect();
    let mut fields = json!({"course": "儿科学", "process": rows});
    fields["title"] = json!("长教案");
    fields["kind"] = json!("lesson_plan");
    fields["language"] = json!("zh");
    from_json("long", &fields.to_string())
}

#[test]
fn a_long_teaching_process_paginates_with_its_header_row_repeated() {
    let doc = long_plan();
    let pdf = render(&doc, &Options::new(Lang::Zh)).unwrap();
    let pages = pdf_pages(&pdf.bytes);
    assert!(pages.len() >= 3, "40 rows on {} pages", pages.len());
    let process = DocKind::LESSON_PLAN.field("process").unwrap();
    let rounds_core::schema::FieldType::List { item, .. } = process.ty else {
        panic!("process is a list");
    };
    let header: String = item.iter().map(|c| squeeze(c.label(Lang::Zh))).collect();
    for (i, page) in pages.iter().enumerate() {
        let page = squeeze(page);
        let first_row = (1..=40).find(|n| page.contains(&format!("环节{n}")));
        let Some(n) = first_row else { continue };
        let row_at = page.find(&format!("环节{n}")).unwrap();
        let head_at = page.find(&header);
        assert!(
            head_at.is_some_and(|h| h < row_at),
            "page {}: the header row does not come before row {n}",
            i + 1
        );
    }
    // Every row is printed once and whole, in order.
    let all = squeeze(&body_text(&pages));
    let mut at = 0;
    for n in 1..=40 {
        let row = squeeze(&format!("环节{n}{n}第{n}步：教师展示病例资料"));
        let i = all[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("row {n} is split or missing"));
        at += i + row.len();
    }
}

#[test]
fn every_page_carries_its_number_the_office_and_the_version() {
    let doc = long_plan();
    let version = Version {
        number: 12,
        hash: "3f2a1b9c".into(),
    };
    let approval = Approval {
        by: "李主任".into(),
        day: Some("2026-03-15".into()),
    };
    for lang in LANGS {
        let o = Options {
            office: Some("市儿童医院教学办公室"),
            version: Some(&version),
            approval: Some(&approval),
            ..Options::new(lang)
        };
        let pdf = render(&doc, &o).unwrap();
        let pages = pdf_pages(&pdf.bytes);
        let n = pages.len();
        assert!(n >= 2);
        for (i, page) in pages.iter().enumerate() {
            let page = squeeze(page);
            let (number, version, approved) = match lang {
                Lang::Zh => (
                    format!("第{}页/共{n}页", i + 1),
                    "第12版·3f2a1b9c",
                    "审核通过：李主任（2026年3月15日）",
                ),
                Lang::En => (
                    format!("Page{}of{n}", i + 1),
                    "Version12·3f2a1b9c",
                    "Approvedby李主任on15Mar2026",
                ),
            };
            assert!(page.contains(&number), "page {}: no `{number}`", i + 1);
            assert!(page.contains("市儿童医院教学办公室"), "page {}", i + 1);
            assert!(page.contains(version), "page {}: no `{version}`", i + 1);
            assert!(page.contains(approved), "page {}: no `{approved}`", i + 1);
        }
    }
}

#[test]
fn approval_comes_from_the_review_track_else_from_the_fields() {
    let mut doc = from_json(
        "review",
        &json!({"kind": "lesson_plan", "title": "热性惊厥", "status": "draft"}).to_string(),
    );
    let mut ids = rounds_core::doc::SeqIds::new("r");
    let lead = Who::new("m2", "李主任");
    let mut ctx = rounds_core::testing::ctx("李主任", &mut ids, 1_773_532_800_000);
    assert_eq!(Approval::of(&doc), None, "a draft is not approved");
    doc.review_decision("submitted", "", &Who::new("m1", "王老师"), &mut ctx)
        .unwrap();
    assert_eq!(Approval::of(&doc), None, "submitted is not approved");
    doc.review_decision("approved", "", &lead, &mut ctx)
        .unwrap();
    assert_eq!(
        Approval::of(&doc),
        Some(Approval {
            by: "李主任".into(),
            day: Some("2026-03-15".into()),
        })
    );
    // Published later by someone else: the approver is still who approved.
    let mut ctx = rounds_core::testing::ctx("管理员", &mut ids, 1_773_619_200_000);
    doc.review_decision("published", "", &Who::new("m3", "管理员"), &mut ctx)
        .unwrap();
    assert_eq!(Approval::of(&doc).unwrap().by, "李主任");

    // Without a review track, the plan's own status and approver fields.
    let plain = from_json(
        "plain",
        &json!({"kind": "lesson_plan", "title": "t", "status": "approved", "approver": "赵老师"})
            .to_string(),
    );
    assert_eq!(
        Approval::of(&plain),
        Some(Approval {
            by: "赵老师".into(),
            day: None,
        })
    );
    let v = Version::of(&mut doc);
    assert_eq!(v.number, 4, "created, then three review steps");
    assert_eq!(v.hash.len(), 8);
    assert!(doc.history().last().unwrap().hash.starts_with(&v.hash));
}

#[test]
fn characters_no_bundled_font_has_print_as_a_mark_and_are_reported() {
    let doc = from_json(
        "rare",
        &json!({
            "kind": "lesson_plan", "title": "罕见字𠀀测试😀", "language": "zh",
            "course": "儿科学𪚥",
        })
        .to_string(),
    );
    let pdf = render(&doc, &Options::new(Lang::Zh)).unwrap();
    assert_eq!(pdf.missing, vec!['𠀀', '😀', '𪚥']);
    let text = squeeze(&pdf_pages(&pdf.bytes).join(""));
    let mark = MISSING_MARK.to_string();
    assert!(text.contains(&format!("罕见字{mark}测试{mark}")), "{text}");
    assert!(text.contains(&format!("儿科学{mark}")), "{text}");
}

#[test]
fn the_same_document_renders_to_the_same_bytes() {
    let doc = sample("lesson-bronchiolitis.en.json");
    let a = render(&doc, &Options::new(Lang::En)).unwrap();
    let b = render(&doc, &Options::new(Lang::En)).unwrap();
    assert!(a.bytes.starts_with(b"%PDF-"));
    assert_eq!(a.bytes, b.bytes);
}
