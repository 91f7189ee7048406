//! The rules every pushed state must satisfy, whatever the client: the
//! office trusts no member's device. [`check_state`] compares the document
//! as it would be after a push with the document as stored and refuses,
//! naming the rule, when:
//!
//! - `immutable`: a root key set at creation (`id`, `kind`, `owner`,
//!   `author`, `created`) changed or disappeared;
//! - `schema`: the document's schema is above what this office knows (the
//!   office must be updated first), or went backwards;
//! - `structure`: a key or a value is not where the layout of
//!   `rounds_core::doc` puts it, or has the wrong Automerge type;
//! - `field`: a value is invalid for its field (the checks of
//!   `Document::create`, which walks the schema tables);
//! - `visibility`: visibility changed and the sender is neither the
//!   document's owner nor an office admin;
//! - `deleted`: the document was moved to or out of the trash (which does
//!   so for everyone) and the sender is neither its owner nor an office
//!   admin;
//! - `workflow`: a field moved to a value that the kind's field rules
//!   (`DocKind::field_rules`) reserve for other roles — for now `status`
//!   to approved or published, for lead teachers and office admins.
//! - the rules of preparing a plan together (`collab`, `attribution`,
//!   `group`, `edit`, `comment`, `stage`, `review`, `suggestion`,
//!   `scores`, `best`, `upstream`): `rounds_core::collab::policy`, which
//!   devices run before saving too, so both sides refuse the same things.
//!
//! The identifier checks of shared cases and lesson plans are in
//! `service/check.rs` (`check_case`); the binding of owner ids to members is in
//! the database's `push_doc`.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use rounds_core::collab::policy;
use rounds_core::collab::rubric::RubricDef;
use rounds_core::doc::{Document, NewDoc, RESERVED_KEYS};
use rounds_core::schema::{
    AUTHOR_MAX, DocKind, Field, FieldType, Lang, SCHEMA_VERSION, TAG_MAX, TAGS_MAX,
};
use rounds_proto::RejectCode;

use crate::db::{DeviceCtx, Role};

/// Why a state is refused: the code the client sees and a message that
/// starts with the rule's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RejectCode,
    pub message: String,
}

fn refuse(code: RejectCode, rule: &str, detail: impl std::fmt::Display) -> Refusal {
    Refusal {
        code,
        message: format!("{rule}: {detail}"),
    }
}

fn structure(detail: impl std::fmt::Display) -> Refusal {
    refuse(RejectCode::InvalidDocument, "structure", detail)
}

/// Root keys that never change once a document exists.
const IMMUTABLE: &[&str] = &["id", "kind", "owner", "author", "created"];

/// Root keys every Rounds document has from its first change.
const REQUIRED: &[&str] = &[
    "id",
    "kind",
    "schema",
    "owner",
    "author",
    "created",
    "title",
    "visibility",
    "fields",
];

/// The longest list element id: the store makes short random ids, imports
/// keep theirs (`validate_value` allows the same).
const ELEMENT_ID_MAX: usize = 64;

/// Checks the state a push would produce, `after`, against the stored one,
/// `before` (`None` for a new document), for the member behind `ctx`, whose
/// `owner` is the member owning the stored document; `rubrics` are the
/// office's own review rubrics.
pub fn check_state(
    before: Option<(&Document, &str)>,
    after: &Document,
    ctx: &DeviceCtx,
    rubrics: &[RubricDef],
) -> Result<(), Refusal> {
    check_state_with(before, after, &after.to_json(), ctx, rubrics, false)
}

/// [`check_state`] with `json`, `after`'s [`Document::to_json`] (built
/// once per push: the identifier check reads it too); `could_edit_then`:
/// the sender's changes were made on a version whose preparation group let
/// them edit (see `rounds_core::collab::policy::Sender::could_edit_then`).
pub fn check_state_with(
    before: Option<(&Document, &str)>,
    after: &Document,
    json: &serde_json::Value,
    ctx: &DeviceCtx,
    rubrics: &[RubricDef],
    could_edit_then: bool,
) -> Result<(), Refusal> {
    let am = after.automerge();
    if let Some((b, _)) = before {
        for key in IMMUTABLE {
            let was = root_scalar(b.automerge(), key);
            let now = root_scalar(am, key);
            if was != now {
                return Err(refuse(
                    RejectCode::Forbidden,
                    "immutable",
                    format!("`{key}` is set when a document is created and may not change"),
                ));
            }
        }
    }
    if after.schema() > SCHEMA_VERSION {
        return Err(refuse(
            RejectCode::InvalidDocument,
            "schema",
            format!(
                "the document says schema {}, this office knows schema {SCHEMA_VERSION}: the office must be updated before devices with a newer Rounds can sync such documents",
                after.schema()
            ),
        ));
    }
    if let Some((b, _)) = before
        && after.schema() < b.schema()
    {
        return Err(refuse(
            RejectCode::InvalidDocument,
            "schema",
            format!(
                "the document's schema may not go back from {} to {}",
                b.schema(),
                after.schema()
            ),
        ));
    }
    check_structure(am, after.kind())?;
    check_values(after, json)?;
    let privileged = ctx.role == Role::OfficeAdmin;
    if let Some((b, owner)) = before
        && b.visibility() != after.visibility()
        && owner != ctx.member
        && !privileged
    {
        return Err(refuse(
            RejectCode::Forbidden,
            "visibility",
            "only the document's owner or an office admin may change who can read it",
        ));
    }
    if let Some((b, owner)) = before
        && b.deleted() != after.deleted()
        && owner != ctx.member
        && !privileged
    {
        return Err(refuse(
            RejectCode::Forbidden,
            "deleted",
            "only the document's owner or an office admin may move it to the trash or out of it",
        ));
    }
    for rule in after.kind().field_rules() {
        let was = before.and_then(|(b, _)| b.choice(rule.field));
        let now = after.choice(rule.field);
        if let Some(v) = now.as_deref()
            && rule.values.contains(&v)
            && was != now
            && !rule.roles.contains(&ctx.role.as_str())
        {
            return Err(refuse(
                RejectCode::Forbidden,
                "workflow",
                format!(
                    "only a member with the role {} may set `{}` to {v}",
                    rule.roles.join(" or "),
                    rule.field
                ),
            ));
        }
    }
    let sender = policy::Sender {
        member: &ctx.member,
        role: ctx.role.as_str(),
        owner: before.is_none_or(|(_, owner)| owner == ctx.member),
        name: Some(&ctx.member_name),
        rubrics,
        could_edit_then,
    };
    policy::check(before.map(|(b, _)| b), after, &sender).map_err(|r| {
        let code = if r.rule == "collab" {
            RejectCode::InvalidDocument
        } else {
            RejectCode::Forbidden
        };
        refuse(code, r.rule, r.message)
    })?;
    Ok(())
}

/// A root key's scalar value as text, for comparing; `None` when absent or
/// not a scalar.
fn root_scalar(am: &AutoCommit, key: &str) -> Option<String> {
    match am.get(ROOT, key) {
        Ok(Some((Value::Scalar(s), _))) => Some(format!("{:?}", s.as_ref())),
        Ok(Some((Value::Object(t), _))) => Some(format!("object {t:?}")),
        _ => None,
    }
}

/// One entry of a map: its key, its (winning) value, and the object's id
/// when the value is an object.
struct Entry {
    key: String,
    value: Value<'static>,
    obj: ObjId,
}

/// A map's entries, read in one pass. `keys` and then `get` for each key
/// seeks through the object's ops again for every key: a tenth of the
/// office's time per pushed document went there.
fn entries(am: &AutoCommit, obj: &ObjId) -> Vec<Entry> {
    am.map_range(obj, ..)
        .map(|item| {
            let obj = if matches!(item.value, automerge::ValueRef::Object(_)) {
                item.id()
            } else {
                ROOT
            };
            Entry {
                key: item.key.into_owned(),
                value: item.value.into_value(),
                obj,
            }
        })
        .collect()
}

fn entry<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.key == key)
}

fn is_str(v: &Value<'_>) -> bool {
    matches!(v, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Str(_)))
}

fn is_int(v: &Value<'_>) -> bool {
    matches!(v, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::Timestamp(_)))
}

fn is_bool(v: &Value<'_>) -> bool {
    matches!(v, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Boolean(_)))
}

fn is_null(v: &Value<'_>) -> bool {
    matches!(v, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Null))
}

/// Every key and value where the layout puts it, with its Automerge type.
fn check_structure(am: &AutoCommit, kind: DocKind) -> Result<(), Refusal> {
    let root = entries(am, &ROOT);
    for key in REQUIRED {
        if entry(&root, key).is_none() {
            return Err(structure(format!("the root key `{key}` is missing")));
        }
    }
    for Entry { key, value: v, obj } in root {
        if !RESERVED_KEYS.contains(&key.as_str()) {
            return Err(structure(format!(
                "`{key}` is not a key of a Rounds document"
            )));
        }
        let ok = match key.as_str() {
            "id" | "kind" | "owner" | "author" | "shared_as" => is_str(&v),
            "schema" | "created" => is_int(&v),
            "title" => is_str(&v) || matches!(v, Value::Object(ObjType::Text)),
            "visibility" => scalar_str(&v).is_some_and(|s| s == "private" || s == "office"),
            "language" => scalar_str(&v).is_some_and(|s| Lang::parse(&s).is_some()),
            "deleted" => is_bool(&v),
            "tags" => {
                matches!(v, Value::Object(ObjType::Map)) && {
                    let tags = entries(am, &obj);
                    tags.len() <= TAGS_MAX
                        && tags
                            .iter()
                            .all(|t| t.key.chars().count() <= TAG_MAX && is_bool(&t.value))
                }
            }
            "updated" => {
                matches!(v, Value::Object(ObjType::Map))
                    && entries(am, &obj).iter().all(|e| is_int(&e.value))
            }
            "attestation" => {
                matches!(v, Value::Object(ObjType::Map)) && {
                    let att = entries(am, &obj);
                    att.iter().all(|e| e.key == "by" || e.key == "at")
                        && entry(&att, "by").is_some_and(|e| {
                            scalar_str(&e.value).is_some_and(|s| s.chars().count() <= AUTHOR_MAX)
                        })
                        && entry(&att, "at").is_some_and(|e| is_int(&e.value))
                }
            }
            "fields" => {
                if !matches!(v, Value::Object(ObjType::Map)) {
                    return Err(structure("`fields` must be a map"));
                }
                check_fields(am, entries(am, &obj), kind.fields(), "")?;
                true
            }
            _ => true,
        };
        if !ok {
            return Err(structure(format!(
                "the root key `{key}` does not hold what a Rounds document keeps there"
            )));
        }
    }
    Ok(())
}

fn scalar_str(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The fields of a map (the document's `fields` or a list element): only
/// declared keys, each of its field's type. Text is checked for length
/// here too, also in removed list elements, which the value checks do not
/// see but which travel with the document all the same.
fn check_fields(
    am: &AutoCommit,
    map: Vec<Entry>,
    fields: &'static [Field],
    path: &str,
) -> Result<(), Refusal> {
    for Entry {
        key,
        value: v,
        obj: id,
    } in map
    {
        // A list element's own keys, checked in `check_list`.
        if !path.is_empty() && (key == "order" || key == "removed") {
            continue;
        }
        let Some(f) = fields.iter().find(|f| f.key == key) else {
            return Err(structure(format!(
                "`{path}{key}` is not a field of this kind"
            )));
        };
        let name = format!("{path}{key}");
        match &f.ty {
            FieldType::Text { max, .. } => {
                // Rounds writes text fields only as text objects, edited
                // by splicing: so every character of them arrives as an
                // inserted op, which the identifier check reads change by
                // change.
                if !matches!(v, Value::Object(ObjType::Text)) {
                    return Err(structure(format!("`{name}` must be a text object")));
                }
                let len = am.length(&id);
                if len > *max {
                    return Err(refuse(
                        RejectCode::InvalidDocument,
                        "field",
                        format!("{name}: is {len} characters long; the limit is {max}"),
                    ));
                }
            }
            FieldType::Choice { .. } | FieldType::Date => {
                if !(is_str(&v) || is_null(&v)) {
                    return Err(structure(format!("`{name}` must be a string")));
                }
            }
            FieldType::Ref { .. } => {
                let ok = match &v {
                    Value::Scalar(s) => match s.as_ref() {
                        ScalarValue::Str(t) => rounds_core::refs::Target::parse(t).is_some(),
                        _ => false,
                    },
                    _ => false,
                };
                if !(ok || is_null(&v)) {
                    return Err(structure(format!(
                        "`{name}` must be a reference to a document"
                    )));
                }
            }
            FieldType::Int { .. } => {
                if !(is_int(&v) || is_null(&v)) {
                    return Err(structure(format!("`{name}` must be a whole number")));
                }
            }
            FieldType::Number { .. } => {
                let num = matches!(&v, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::F64(_)))
                    || is_int(&v);
                if !(num || is_null(&v)) {
                    return Err(structure(format!("`{name}` must be a number")));
                }
            }
            FieldType::List { item, .. } => {
                if !matches!(v, Value::Object(ObjType::Map)) {
                    return Err(structure(format!("`{name}` must be a map of elements")));
                }
                check_list(am, &id, item, &name)?;
            }
        }
    }
    Ok(())
}

fn check_list(
    am: &AutoCommit,
    list: &ObjId,
    item: &'static [Field],
    name: &str,
) -> Result<(), Refusal> {
    for Entry {
        key: el,
        value: v,
        obj,
    } in entries(am, list)
    {
        let well_formed = !el.is_empty()
            && el.len() <= ELEMENT_ID_MAX
            && el
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(structure(format!(
                "`{name}` has an element with a malformed id"
            )));
        }
        if !matches!(v, Value::Object(ObjType::Map)) {
            return Err(structure(format!("`{name}.{el}` must be a map")));
        }
        let own = entries(am, &obj);
        // The element's own keys: its position and its tombstone.
        if entry(&own, "order").is_some_and(|e| !is_str(&e.value)) {
            return Err(structure(format!("`{name}.{el}.order` must be a string")));
        }
        if entry(&own, "removed").is_some_and(|e| !is_bool(&e.value)) {
            return Err(structure(format!(
                "`{name}.{el}.removed` must be true or false"
            )));
        }
        check_fields(am, own, item, &format!("{name}.{el}."))?;
    }
    Ok(())
}

/// Every value valid for its field: the document's state must be valid as
/// a new document (`Document::validate_new`, the checks of
/// `Document::create`, which walk the schema tables: title, tags, every
/// field and list element), as when an export is imported. Checked without
/// building that document, which cost the office a third of its time per
/// push.
fn check_values(d: &Document, json: &serde_json::Value) -> Result<(), Refusal> {
    let summary = d.summary();
    let state = serde_json::Value::Object(
        json.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_str()) || *k == "tags")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let new = NewDoc {
        id: d.id().to_owned(),
        kind: d.kind(),
        title: summary.title,
        language: summary.language,
        owner: summary.owner,
    };
    Document::validate_new(&new, &summary.author, Some(&state))
        .map_err(|e| refuse(RejectCode::InvalidDocument, "field", e))
}
