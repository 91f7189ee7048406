//! Validation of ids, titles, tags and every field value against the kind's declaration.

use super::*;

/// Checks that an id is a UUID in its canonical lowercase form.
pub fn validate_id(id: &str) -> Result<(), DocError> {
    let ok = uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == id);
    if ok {
        Ok(())
    } else {
        Err(invalid("id", format!("`{id}` is not a lowercase UUID")))
    }
}

pub(super) fn validate_title(s: &str) -> Result<String, DocError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid("title", "must not be empty"));
    }
    check_len("title", t, TITLE_MAX)?;
    check_chars("title", t, false)?;
    Ok(t.to_owned())
}

pub(super) fn validate_author(s: &str) -> Result<(), DocError> {
    check_len("author", s, AUTHOR_MAX)?;
    check_chars("author", s, false)
}

pub(super) fn validate_tags(value: &Json) -> Result<(), DocError> {
    let arr = value
        .as_array()
        .ok_or_else(|| invalid("tags", "must be a list of text"))?;
    if arr.len() > TAGS_MAX {
        return Err(invalid("tags", format!("at most {TAGS_MAX} tags")));
    }
    for (i, t) in arr.iter().enumerate() {
        let name = format!("tags[{i}]");
        let s = t
            .as_str()
            .ok_or_else(|| invalid(&name, "must be text"))?
            .trim();
        if s.is_empty() {
            return Err(invalid(&name, "must not be empty"));
        }
        check_len(&name, s, TAG_MAX)?;
        check_chars(&name, s, false)?;
    }
    Ok(())
}

pub(crate) fn check_len(field: &str, s: &str, max: usize) -> Result<(), DocError> {
    let n = s.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_chars(field: &str, s: &str, multiline: bool) -> Result<(), DocError> {
    for c in s.chars() {
        if c == '\n' || c == '\t' || c == '\r' {
            if !multiline && c != '\t' {
                return Err(invalid(field, "must be a single line"));
            }
        } else if c.is_control() {
            return Err(invalid(
                field,
                format!("contains the control character U+{:04X}", c as u32),
            ));
        }
    }
    Ok(())
}

/// Which element ids a list value may name.
#[derive(Clone, Copy)]
pub(super) enum KnownIds<'a> {
    /// Only elements the document has (an edit).
    Only(&'a HashSet<String>),
    /// Any well-formed id (an import, which may bring its own elements).
    AnyWellFormed,
}

pub(super) fn validate_value(
    f: &Field,
    v: &Json,
    name: &str,
    existing: KnownIds<'_>,
) -> Result<(), DocError> {
    match &f.ty {
        FieldType::Text { max, multiline } => {
            let s = v.as_str().ok_or_else(|| invalid(name, "must be text"))?;
            check_len(name, s, *max)?;
            check_chars(name, s, *multiline)
        }
        FieldType::Choice { choices } => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() || choices.iter().any(|c| c.value == s) => Ok(()),
            _ => {
                let allowed: Vec<&str> = choices.iter().map(|c| c.value).collect();
                Err(invalid(
                    name,
                    format!("must be one of {}", allowed.join(", ")),
                ))
            }
        },
        FieldType::Int { min, max } => match v {
            Json::Null => Ok(()),
            Json::Number(n) => match n.as_i64() {
                Some(i) if (*min..=*max).contains(&i) => Ok(()),
                Some(i) if i < *min && *min == 0 => Err(invalid(name, "must not be negative")),
                _ => Err(invalid(
                    name,
                    format!("must be a whole number from {min} to {max}"),
                )),
            },
            _ => Err(invalid(
                name,
                format!("must be a whole number from {min} to {max}"),
            )),
        },
        FieldType::Number { min, max } => match v {
            Json::Null => Ok(()),
            Json::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() && (*min..=*max).contains(&x) => Ok(()),
                Some(x) if x < *min && *min == 0.0 => Err(invalid(name, "must not be negative")),
                _ => Err(invalid(
                    name,
                    format!("must be a number from {min} to {max}"),
                )),
            },
            _ => Err(invalid(
                name,
                format!("must be a number from {min} to {max}"),
            )),
        },
        FieldType::Ref { .. } => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() || crate::refs::Target::parse(s).is_some() => Ok(()),
            _ => Err(invalid(
                name,
                "must be a document id, optionally followed by `#` and an element id",
            )),
        },
        FieldType::Date => match v {
            Json::Null => Ok(()),
            Json::String(s) if s.is_empty() => Ok(()),
            Json::String(s) => match time::parse_date(s) {
                Some((y, ..)) if crate::schema::DATE_YEARS.contains(&y) => Ok(()),
                Some(_) => Err(invalid(
                    name,
                    format!(
                        "must be a date in the years {} to {}",
                        crate::schema::DATE_YEARS.start(),
                        crate::schema::DATE_YEARS.end()
                    ),
                )),
                None => Err(invalid(name, "must be a real date written YYYY-MM-DD")),
            },
            _ => Err(invalid(name, "must be a real date written YYYY-MM-DD")),
        },
        FieldType::List { item, max_items } => {
            let arr = v
                .as_array()
                .ok_or_else(|| invalid(name, "must be a list"))?;
            if arr.len() > *max_items {
                return Err(invalid(
                    name,
                    format!("has {} elements; the limit is {max_items}", arr.len()),
                ));
            }
            let mut seen = HashSet::new();
            for (i, el) in arr.iter().enumerate() {
                let el_name = format!("{name}[{i}]");
                let obj = el
                    .as_object()
                    .ok_or_else(|| invalid(&el_name, "must be an object"))?;
                for (k, val) in obj {
                    if k == "id" {
                        let id = val
                            .as_str()
                            .ok_or_else(|| invalid(format!("{el_name}.id"), "must be text"))?;
                        let known = match existing {
                            KnownIds::Only(ids) => ids.contains(id),
                            KnownIds::AnyWellFormed => {
                                !id.is_empty()
                                    && id.len() <= 64
                                    && id.bytes().all(|b| {
                                        b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
                                    })
                            }
                        };
                        if !known {
                            return Err(invalid(
                                format!("{el_name}.id"),
                                format!("there is no element `{id}`"),
                            ));
                        }
                        if !seen.insert(id.to_owned()) {
                            return Err(invalid(
                                format!("{el_name}.id"),
                                format!("`{id}` appears twice"),
                            ));
                        }
                        continue;
                    }
                    let sub = item.iter().find(|s| s.key == k).ok_or_else(|| {
                        invalid(
                            format!("{el_name}.{k}"),
                            format!("is not a field of {name}"),
                        )
                    })?;
                    validate_value(sub, val, &format!("{el_name}.{k}"), existing)?;
                }
            }
            Ok(())
        }
    }
}

/// Turns text typed on a command line into a field value of the right type.
pub fn parse_field_input(kind: DocKind, key: &str, input: &str) -> Result<Json, DocError> {
    if key == "title" || key == "language" {
        return Ok(json!(input));
    }
    if key == "tags" {
        let tags: Vec<&str> = input
            .split([',', '，'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        return Ok(json!(tags));
    }
    let f = kind.field(key).ok_or_else(|| {
        if RESERVED_KEYS.contains(&key) {
            invalid(key, "is set by Rounds and cannot be edited")
        } else {
            invalid(
                key,
                format!(
                    "is not a field of a {}",
                    kind.label(Lang::En).to_lowercase()
                ),
            )
        }
    })?;
    parse_value_input(f, input).map_err(|problem| invalid(key, problem))
}

/// Turns text typed on a command line into a value of the field `f` (a
/// field of a kind or an item field of a list). Only the type is checked;
/// limits and choices are checked when the value is applied. The error is
/// the problem, without the field's name.
pub fn parse_value_input(f: &Field, input: &str) -> Result<Json, String> {
    let t = input.trim();
    Ok(match f.ty {
        FieldType::Text { .. } => json!(input),
        FieldType::Choice { .. } | FieldType::Date | FieldType::Ref { .. } => json!(t),
        FieldType::Int { .. } | FieldType::Number { .. } if t.is_empty() => Json::Null,
        FieldType::Int { min, max } => json!(
            t.parse::<i64>()
                .map_err(|_| format!("must be a whole number from {min} to {max}"))?
        ),
        FieldType::Number { min, max } => json!(
            t.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("must be a number from {min} to {max}"))?
        ),
        FieldType::List { .. } => {
            serde_json::from_str(input).map_err(|e| format!("must be a JSON list: {e}"))?
        }
    })
}
