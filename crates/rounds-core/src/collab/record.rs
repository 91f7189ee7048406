//! A plan's review record as Markdown, in Chinese or English: the track's
//! decisions, each reviewer's rubric scores with their total, comments,
//! recommendation and declared conflicts, for printing and export.

use super::RECOMMENDATIONS;
use super::REVIEW_STATES;
use super::rubric::{self, RubricDef};
use crate::doc::Document;
use crate::schema::Lang;
use crate::time;

fn label(table: &[(&str, &str, &str)], key: &str, lang: Lang) -> String {
    table
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en }.to_owned())
        .unwrap_or_else(|| key.to_owned())
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The review record of `doc`, on built-in rubrics.
pub fn review_record(doc: &Document, lang: Lang) -> String {
    review_record_in(doc, lang, &[])
}

/// The review record of `doc`, whose reviews may use the office's rubrics.
pub fn review_record_in(doc: &Document, lang: Lang, office: &[RubricDef]) -> String {
    let zh = lang == Lang::Zh;
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let c = doc.collab();
    let mut out = format!("# {}: {}\n\n", t("Review record", "审核记录"), doc.title());
    match c.review_state() {
        Some(s) => out.push_str(&format!(
            "**{}**: {}\n\n",
            t("State", "状态"),
            label(REVIEW_STATES, &s.value, lang)
        )),
        None => out.push_str(&format!(
            "{}\n\n",
            t("Not submitted for review.", "尚未提交审核。")
        )),
    }
    if !c.decisions.is_empty() {
        out.push_str(&format!("## {}\n\n", t("Decisions", "审核过程")));
        for d in &c.decisions {
            let note = if d.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", d.note)
            };
            out.push_str(&format!(
                "- {} {} ({}){note}\n",
                time::rfc3339(d.at),
                label(REVIEW_STATES, &d.value, lang),
                d.name
            ));
        }
        out.push('\n');
    }
    for r in &c.reviews {
        let rubric = rubric::find(office, &r.rubric);
        let rubric = rubric.as_ref();
        let rname = rubric.map_or(r.rubric.clone(), |x| {
            if zh { x.zh.clone() } else { x.en.clone() }
        });
        out.push_str(&format!(
            "## {} {} — {rname}\n\n",
            t("Reviewer", "评审人"),
            r.name
        ));
        if !r.coi.is_empty() {
            out.push_str(&format!(
                "**{}**: {}\n\n",
                t("Declared conflict of interest", "利益冲突声明"),
                r.coi
            ));
        }
        out.push_str(&format!(
            "| {} | {} | {} |\n|---|---|---|\n",
            t("Criterion", "评价项目"),
            t("Score", "得分"),
            t("Comment", "意见")
        ));
        let criteria: Vec<(String, String)> = match rubric {
            Some(x) => x
                .criteria
                .iter()
                .map(|c| (c.key.clone(), if zh { c.zh.clone() } else { c.en.clone() }))
                .collect(),
            None => r.scores.keys().map(|k| (k.clone(), k.clone())).collect(),
        };
        for (key, name) in criteria {
            let score = r.scores.get(&key).map_or("—".to_owned(), |s| {
                rubric.map_or(s.to_string(), |x| format!("{s}/{}", x.max))
            });
            let note = r.notes.get(&key).map(|n| cell(n)).unwrap_or_default();
            out.push_str(&format!("| {} | {score} | {note} |\n", cell(&name)));
        }
        let max = rubric.map_or(0, |x| x.max * x.criteria.len() as i64);
        out.push_str(&format!(
            "| **{}** | **{}/{max}** | |\n\n",
            t("Total", "合计"),
            r.total()
        ));
        if !r.recommendation.is_empty() {
            out.push_str(&format!(
                "**{}**: {}\n\n",
                t("Recommendation", "建议"),
                label(RECOMMENDATIONS, &r.recommendation, lang)
            ));
        }
        if !r.comment.is_empty() {
            out.push_str(&format!("{}\n\n", r.comment));
        }
    }
    out
}
