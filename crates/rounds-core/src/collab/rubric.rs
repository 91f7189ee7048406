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

    pub fn criterion(&self, key: &str) -> Option<&'static Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }
}

/// A criterion of a rubric an office defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CriterionDef {
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// A rubric as data: one of the built-in ones, or one an office defined
/// (`rounds-office rubric add`), which devices learn with the member
/// directory and the office checks reviews against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RubricDef {
    pub name: String,
    pub en: String,
    pub zh: String,
    pub min: i64,
    pub max: i64,
    pub criteria: Vec<CriterionDef>,
}

/// The most criteria a rubric may have.
pub const CRITERIA_MAX: usize = 20;

fn word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn label(what: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() || s.chars().count() > super::NAME_MAX || s.chars().any(char::is_control)
    {
        return Err(format!(
            "{what}: a label of 1 to {} characters on one line",
            super::NAME_MAX
        ));
    }
    Ok(())
}

impl RubricDef {
    /// Whether an office may define this rubric: a name and criterion keys
    /// of lowercase letters, digits and `_` (at most 32), not a built-in
    /// rubric's name; labels in both languages; a scale within 0–100; 1 to
    /// 20 criteria with distinct keys.
    pub fn validate(&self) -> Result<(), String> {
        if !word(&self.name) {
            return Err(format!(
                "name: `{}` must be lowercase letters, digits and _ (at most 32)",
                self.name
            ));
        }
        if Rubric::named(&self.name).is_some() {
            return Err(format!("name: `{}` is a built-in rubric", self.name));
        }
        label("en", &self.en)?;
        label("zh", &self.zh)?;
        if !(0 <= self.min && self.min < self.max && self.max <= 100) {
            return Err(format!(
                "scale: {}–{} must run upwards within 0–100",
                self.min, self.max
            ));
        }
        if self.criteria.is_empty() || self.criteria.len() > CRITERIA_MAX {
            return Err(format!("criteria: 1 to {CRITERIA_MAX}"));
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if !word(&c.key) {
                return Err(format!(
                    "criteria: `{}` must be lowercase letters, digits and _ (at most 32)",
                    c.key
                ));
            }
            if self.criteria[..i].iter().any(|d| d.key == c.key) {
                return Err(format!("criteria: `{}` appears twice", c.key));
            }
            label(&c.key, &c.en)?;
            label(&c.key, &c.zh)?;
        }
        Ok(())
    }

    pub fn criterion(&self, key: &str) -> Option<&CriterionDef> {
        self.criteria.iter().find(|c| c.key == key)
    }

    /// Whether `value` is a score of criterion `key` on this scale.
    pub fn check_score(&self, key: &str, value: i64) -> Result<(), String> {
        if self.criterion(key).is_none() {
            let keys: Vec<&str> = self.criteria.iter().map(|c| c.key.as_str()).collect();
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

impl From<&Rubric> for RubricDef {
    fn from(r: &Rubric) -> RubricDef {
        RubricDef {
            name: r.name.to_owned(),
            en: r.en.to_owned(),
            zh: r.zh.to_owned(),
            min: r.min,
            max: r.max,
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionDef {
                    key: c.key.to_owned(),
                    en: c.en.to_owned(),
                    zh: c.zh.to_owned(),
                })
                .collect(),
        }
    }
}

/// The rubrics a review may use: the built-in ones, then the office's
/// (an office's rubric never takes a built-in one's name).
pub fn with_office(office: &[RubricDef]) -> Vec<RubricDef> {
    let mut v: Vec<RubricDef> = Rubric::all().iter().map(|r| RubricDef::from(*r)).collect();
    for r in office {
        if !v.iter().any(|x| x.name == r.name) {
            v.push(r.clone());
        }
    }
    v
}

/// The rubric named `name` among the built-in ones and `office`'s.
pub fn find(office: &[RubricDef], name: &str) -> Option<RubricDef> {
    Rubric::named(name)
        .map(RubricDef::from)
        .or_else(|| office.iter().find(|r| r.name == name).cloned())
}
