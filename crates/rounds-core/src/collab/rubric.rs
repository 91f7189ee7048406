//! Review rubrics, declared as data: Glassick's six criteria of scholarly
//! teaching for a plan under review, and a 评课 (lesson observation) rubric
//! for a plan that was taught. Each criterion is scored on its scale.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Criterion {
    pub key: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rubric {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub min: i64,
    pub max: i64,
    pub criteria: &'static [Criterion],
}

const fn cr(key: &'static str, en: &'static str, zh: &'static str) -> Criterion {
    Criterion { key, en, zh }
}

pub static GLASSICK: Rubric = Rubric {
    name: "glassick",
    en: "Glassick's criteria",
    zh: "Glassick 学术性教学标准",
    min: 1,
    max: 5,
    criteria: &[
        cr("clear_goals", "Clear goals", "目标明确"),
        cr("adequate_preparation", "Adequate preparation", "准备充分"),
        cr("appropriate_methods", "Appropriate methods", "方法恰当"),
        cr("significant_results", "Significant results", "成效显著"),
        cr(
            "effective_presentation",
            "Effective presentation",
            "表达有效",
        ),
        cr("reflective_critique", "Reflective critique", "反思批判"),
    ],
};

pub static PINGKE: Rubric = Rubric {
    name: "pingke",
    en: "Lesson observation (评课)",
    zh: "评课",
    min: 1,
    max: 5,
    criteria: &[
        cr("objectives", "Objectives met", "教学目标达成"),
        cr(
            "content",
            "Content accurate and focused",
            "内容准确、重点突出",
        ),
        cr(
            "methods",
            "Methods and learner engagement",
            "教学方法与学员参与",
        ),
        cr(
            "clinical_reasoning",
            "Clinical reasoning taught",
            "临床思维培养",
        ),
        cr("time", "Use of time", "时间掌控"),
        cr("presence", "Teacher's presence", "教态与表达"),
    ],
};

static ALL: &[&Rubric] = &[&GLASSICK, &PINGKE];

impl Rubric {
    pub fn named(name: &str) -> Option<&'static Rubric> {
        ALL.iter().copied().find(|r| r.name == name)
    }

    pub fn all() -> &'static [&'static Rubric] {
        ALL
    }

    pub fn names() -> Vec<&'static str> {
        ALL.iter().map(|r| r.name).collect()
    }

    pub fn criterion(&self, key: &str) -> Option<&'static Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }

    /// Whether `value` is a score of criterion `key` on this scale.
    pub fn check_score(&self, key: &str, value: i64) -> Result<(), String> {
        if self.criterion(key).is_none() {
            let keys: Vec<&str> = self.criteria.iter().map(|c| c.key).collect();
            return Err(format!(
                "`{key}` is not a criterion of {} ({})",
                self.name,
                keys.join(", ")
            ));
        }
        if value < self.min || value > self.max {
            return Err(format!(
                "{key}: {value} is outside the scale {}–{}",
                self.min, self.max
            ));
        }
        Ok(())
    }
}
