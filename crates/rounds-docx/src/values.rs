//! Turning a cell's text into a field's value, by the field's declared
//! type. A conversion says whether it was exact: when text is left over
//! (`24 人，分两组` for a number, `理论+见习` for a choice), the importer
//! keeps the whole text in notes as well, so nothing is lost.

use rounds_core::schema::{Choice, DATE_YEARS, Field, FieldType};
use serde_json::{Value as Json, json};

use crate::labels::{norm, without_parens};

/// A converted value, and whether the text said nothing more than it.
pub struct Converted {
    pub value: Json,
    pub exact: bool,
}

/// `text` as a value of `f`, or `None` when it cannot be one (it goes to
/// notes). Text fields always convert; lists are the importer's.
pub fn convert(f: &Field, text: &str) -> Option<Converted> {
    let text = text.trim();
    match &f.ty {
        FieldType::Text { max, multiline } => {
            let v = clean_text(text, *multiline);
            let exact = v.chars().count() <= *max;
            Some(Converted {
                value: json!(v.chars().take(*max).collect::<String>()),
                exact,
            })
        }
        FieldType::Choice { choices } => {
            let n = norm(text);
            let exact = choices.iter().find(|c| {
                [c.value, c.zh, c.en].iter().any(|l| norm(l) == n)
                    || [c.zh, c.en].iter().any(|l| norm(&without_parens(l)) == n)
            });
            if let Some(c) = exact {
                return Some(Converted {
                    value: json!(c.value),
                    exact: true,
                });
            }
            // One choice named inside longer text (`CBL 教学`): taken, with
            // the text kept in notes too.
            let named: Vec<_> = choices
                .iter()
                .filter(|c| {
                    [c.zh, c.en]
                        .iter()
                        .flat_map(|l| [norm(&without_parens(l)), norm(&parens(l))])
                        .any(|l| l.chars().count() >= 2 && n.contains(&l))
                })
                .collect();
            match named.as_slice() {
                [c] => Some(Converted {
                    value: json!(c.value),
                    exact: false,
                }),
                _ => None,
            }
        }
        FieldType::Int { min, max } => {
            let (x, rest) = leading_number(text)?;
            let i = x.round() as i64;
            ((*min..=*max).contains(&i) && x.fract() == 0.0).then(|| Converted {
                value: json!(i),
                exact: trivial(rest),
            })
        }
        FieldType::Number { min, max } => {
            let (x, rest) = leading_number(text)?;
            (*min..=*max).contains(&x).then(|| Converted {
                value: json!(x),
                exact: trivial(rest),
            })
        }
        FieldType::Date => {
            let (y, m, d, rest) = date(text)?;
            let ok = DATE_YEARS.contains(&y) && rounds_core::time::is_real_date(y, m, d);
            ok.then(|| Converted {
                value: json!(format!("{y:04}-{m:02}-{d:02}")),
                exact: rest.trim().is_empty(),
            })
        }
        // A reference names a document of this library by id; a Word file
        // can only name it by title, which may match none or several.
        FieldType::Ref { .. } | FieldType::List { .. } => None,
    }
}

/// The words that name a choice inside a sentence: its labels, without
/// their parentheses, the part of a Chinese label before `与`/`和`/`及`
/// (`态度` for 态度与职业素养), and the first word of an English label of
/// four letters or more (`Attitude`).
pub fn choice_words(c: &Choice) -> Vec<String> {
    let mut out = Vec::new();
    for l in [c.zh, c.en] {
        out.push(norm(&without_parens(l)));
    }
    if let Some(head) = without_parens(c.zh).split(['与', '和', '及']).next() {
        out.push(norm(head));
    }
    if let Some(first) = c.en.split_whitespace().next()
        && first.chars().count() >= 4
    {
        out.push(norm(first));
    }
    out.retain(|w| w.chars().count() >= 2);
    out.sort();
    out.dedup();
    out
}

/// Text as a text field takes it: no control characters, and one line for
/// a one-line field.
pub fn clean_text(s: &str, multiline: bool) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    if multiline {
        s.trim().to_owned()
    } else {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn parens(s: &str) -> String {
    let open = s.find(['（', '(']);
    let close = s.rfind(['）', ')']);
    match (open, close) {
        (Some(o), Some(c)) if o < c => {
            let start = o + s[o..].chars().next().map_or(1, char::len_utf8);
            s[start..c].to_owned()
        }
        _ => String::new(),
    }
}

/// A unit word or nothing after a number: `人`, `学时`, `分钟`, `min`.
fn trivial(rest: &str) -> bool {
    let r = rest.trim();
    r.chars().count() <= 6 && !r.chars().any(|c| c.is_ascii_digit())
}

/// The number a text starts with (after spaces), and what follows it.
pub fn leading_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim_start();
    let end = s
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*c == '.' && *i > 0)))
        .map_or(s.len(), |(i, _)| i);
    let num = s[..end].trim_end_matches('.');
    let x: f64 = num.parse().ok()?;
    x.is_finite().then_some((x, &s[num.len()..]))
}

/// A date written `2025-10-15`, `2025/10/15`, `2025.10.15` or
/// `2025年10月15日`, and what follows it.
fn date(s: &str) -> Option<(i64, u32, u32, &str)> {
    let s = s.trim();
    let mut nums = Vec::new();
    let mut rest = s;
    for i in 0..3 {
        let end = rest
            .char_indices()
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        if end == 0 {
            return None;
        }
        nums.push(rest[..end].parse::<i64>().ok()?);
        rest = &rest[end..];
        let seps: &[&str] = if i < 2 {
            &["-", "/", ".", "年", "月"]
        } else {
            &["日", "号"]
        };
        if let Some(sep) = seps.iter().find(|p| rest.starts_with(**p)) {
            rest = &rest[sep.len()..];
        } else if i < 2 {
            return None;
        }
    }
    let (y, m, d) = (nums[0], nums[1], nums[2]);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some((y, m as u32, d as u32, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rounds_core::DocKind;

    fn conv(key: &str, text: &str) -> Option<(Json, bool)> {
        let f = DocKind::LESSON_PLAN.field(key).unwrap();
        convert(f, text).map(|c| (c.value, c.exact))
    }

    #[test]
    fn values_convert_by_type_and_say_when_text_is_left_over() {
        assert_eq!(conv("learner_count", "24人"), Some((json!(24), true)));
        assert_eq!(
            conv("learner_count", "24 人（其中进修医师 4 人）"),
            Some((json!(24), false))
        );
        assert_eq!(conv("class_hours", "1.5 学时"), Some((json!(1.5), true)));
        assert_eq!(
            conv("date", "2025年10月15日"),
            Some((json!("2025-10-15"), true))
        );
        assert_eq!(conv("date", "2025/2/30"), None);
        assert_eq!(
            conv("session_type", "教学查房"),
            Some((json!("ward_round"), true))
        );
        assert_eq!(conv("session_type", "CBL"), Some((json!("cbl"), true)));
        assert_eq!(
            conv("session_type", "Case-based learning"),
            Some((json!("cbl"), true))
        );
        assert_eq!(
            conv("session_type", "CBL 小组讨论"),
            Some((json!("cbl"), false))
        );
        assert_eq!(conv("session_type", "理论+见习"), None);
        assert_eq!(
            conv("learner_level", "住院医师"),
            Some((json!("resident"), true))
        );
        assert_eq!(
            conv("site", "示教室\n三楼"),
            Some((json!("示教室 三楼"), true))
        );
    }
}
