//! Properties `scan` and `mask_all` must keep on any input: no panics,
//! findings sorted and non-overlapping, spans on char boundaries that match
//! the reported text.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rounds_deid::{Finding, mask_all, scan};

fn check_findings(text: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    let mut previous_end = 0;
    for f in findings {
        prop_assert!(f.start < f.end, "empty span {f:?}");
        prop_assert!(f.start >= previous_end, "unsorted or overlapping at {f:?}");
        prop_assert!(
            text.is_char_boundary(f.start) && text.is_char_boundary(f.end),
            "not on char boundaries: {f:?}"
        );
        prop_assert_eq!(&text[f.start..f.end], f.text.as_str());
        prop_assert!(!f.mask.is_empty());
        previous_end = f.end;
    }
    Ok(())
}

/// Text built from the characters the detectors care about, so that the
/// random cases actually reach the interesting code paths (digits next to
/// Chinese, suffixes such as 县 and 号, full-width forms, separators).
fn clinical_noise() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "患儿",
        "母亲",
        "父",
        "姓名：",
        "张",
        "王",
        "欧阳",
        "高",
        "于",
        "某",
        "XX",
        "小明",
        "住院号",
        "身份证",
        "电话",
        "卡号",
        "家住",
        "河南省",
        "周口市",
        "淮阳",
        "县",
        "区",
        "乡",
        "镇",
        "村",
        "路",
        "号",
        "栋",
        "单元",
        "室",
        "组",
        "小学",
        "幼儿园",
        "年",
        "月",
        "日",
        "出生",
        "入院",
        "Dr. ",
        "Mr ",
        "Name: ",
        "Li",
        "Hua",
        "MRN ",
        "http://",
        "www.",
        ".com",
        "@",
        ":",
        "::",
        ".",
        "-",
        "/",
        " ",
        "，",
        "：",
        "（",
        "）",
        "×10^9/L",
        "mmHg",
        "次/分",
        "℃",
        "岁",
        "1",
        "3",
        "8",
        "0",
        "9",
        "X",
        "１",
        "３",
        "Ｘ",
        "13812345678",
        "11010519491231002X",
        "4539148803436467",
        "2024-03-05",
        "192.168.1.1",
        "\u{0301}",
        "😀",
        "\u{200B}",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    // Failing cases are kept next to this file (properties.regressions) so
    // they are replayed first on the next run.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn scan_is_total_on_arbitrary_unicode(text in any::<String>()) {
        let findings = scan(&text);
        check_findings(&text, &findings)?;
        let _ = mask_all(&text, &findings);
    }

    #[test]
    fn scan_is_total_on_clinical_noise(text in clinical_noise()) {
        let findings = scan(&text);
        check_findings(&text, &findings)?;
        let masked = mask_all(&text, &findings);
        check_findings(&masked, &scan(&masked))?;
    }

    #[test]
    fn mask_all_tolerates_arbitrary_findings(
        text in clinical_noise(),
        spans in prop::collection::vec((0usize..200, 0usize..200), 0..6),
    ) {
        let findings: Vec<Finding> = spans
            .into_iter()
            .map(|(start, end)| Finding {
                kind: rounds_deid::Kind::Name,
                confidence: rounds_deid::Confidence::High,
                start,
                end,
                text: String::new(),
                reason_en: String::new(),
                reason_zh: String::new(),
                mask: "[x]".into(),
            })
            .collect();
        let _ = mask_all(&text, &findings);
    }
}
