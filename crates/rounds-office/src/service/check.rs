//! The identifier check of every pushed change to a case or a lesson plan,
//! whatever the client (see `check_case`).

use automerge::{AutoCommit, Change};
use rounds_core::doc::Document;
use rounds_proto::{RejectCode, Rejection};

use super::reject;

/// How often `check_case` scans the state within one push; see there.
const CHECK_EVERY: usize = 6;

/// Defence in depth for teaching cases and lesson plans, whatever the
/// client: a private case never reaches the office (cases are shared as new
/// documents made from a checked state), and no change may add a
/// high-confidence patient identifier to a shared case or to a lesson plan
/// (whose free text may quote a case). Each change is checked in turn, so an
/// identifier added and removed again within one push is refused too.
///
/// `before` is the stored document the changes apply to (none for a new
/// one), `state` its Automerge state, and `after` the document with every
/// change applied (`after_json` its `to_json`), already validated by the
/// caller: the state after the last change is `after` itself, so `state`
/// is brought forward only as far as the last state scanned on the way.
pub(super) fn check_case(
    doc: [u8; 16],
    before: Option<&Document>,
    after: &Document,
    after_json: &serde_json::Value,
    mut state: AutoCommit,
    fresh: &[Change],
    rubrics: &[rounds_core::collab::rubric::RubricDef],
) -> Result<(), Rejection> {
    let what = if after.kind().holds_patient_data() {
        "a shared case"
    } else {
        "a lesson plan"
    };
    if after.kind().holds_patient_data() && after.visibility() != rounds_core::Visibility::Office {
        return Err(reject(
            doc,
            RejectCode::Forbidden,
            "a private case stays on its author's device; share it to send it to the office",
        ));
    }
    let mut known: Vec<(rounds_deid::Kind, String)> = before
        .map(rounds_core::deid::identifiers)
        .unwrap_or_default();
    // The changes `state` must hold for the last scan before the final
    // one: the states after changes CHECK_EVERY, 2·CHECK_EVERY, … below
    // the last are scanned on their own.
    let n = fresh.len();
    let stepped = n.saturating_sub(1) / CHECK_EVERY * CHECK_EVERY;
    for (i, c) in fresh.iter().enumerate() {
        // The text this change inserts, scanned on its own: an identifier
        // pasted or typed in one save is caught even if a later change of
        // the same push removes it again.
        let mut inserted = String::new();
        let mut last_obj = None;
        // Text fields arrive as inserted characters; what people write in
        // comments, replies, suggestions and reviews arrives as whole
        // strings put under the keys `collab` keeps text in.
        let written = |op: &&automerge::legacy::Op| {
            op.insert
                || matches!(&op.key, automerge::legacy::Key::Map(k) if rounds_core::collab::is_text_key_in(k, rubrics))
        };
        for op in c.decode().operations.iter().filter(written) {
            if let Some(automerge::ScalarValue::Str(text)) = op.primitive_value() {
                // Text of different objects must not run together into one
                // number that no field holds.
                if last_obj.as_ref() != Some(&op.obj) {
                    inserted.push('\n');
                    last_obj = Some(op.obj.clone());
                }
                inserted.push_str(&text);
            }
        }
        if let Some(f) = rounds_deid::scan(&inserted)
            .into_iter()
            .find(|f| f.blocks_sharing() && rounds_core::deid::may_not_hold(after.kind(), f.kind))
            && !known.iter().any(|(k, t)| *k == f.kind && *t == f.text)
        {
            return Err(reject(
                doc,
                RejectCode::Identifier,
                format!(
                    "identifier: change {} would add a likely patient identifier ({}) to {what}",
                    c.hash(),
                    f.kind.label_en()
                ),
            ));
        }
        // Scanning the whole state after every change of a long
        // keystroke-level history costs quadratic time. Every CHECK_EVERY-th
        // state and the last are scanned: an identifier typed key by key
        // and deleted again lives through one change per character, so it
        // is caught unless it is shorter than CHECK_EVERY characters (and
        // one inserted at once is caught by the scan above).
        let last = i + 1 == n;
        if i < stepped {
            state.apply_changes([c.clone()]).map_err(|e| {
                reject(
                    doc,
                    RejectCode::Malformed,
                    format!("changes do not apply: {e}"),
                )
            })?;
        }
        if !last && (i + 1) % CHECK_EVERY != 0 {
            continue;
        }
        let now = if last {
            rounds_core::deid::identifiers_json(after, after_json)
        } else {
            let Ok(d) = Document::from_automerge(state.clone()) else {
                continue;
            };
            rounds_core::deid::identifiers(&d)
        };
        let added: Vec<&(rounds_deid::Kind, String)> =
            now.iter().filter(|x| !known.contains(x)).collect();
        if !added.is_empty() {
            let kinds: std::collections::BTreeSet<&str> =
                added.iter().map(|(k, _)| k.label_en()).collect();
            return Err(reject(
                doc,
                RejectCode::Identifier,
                format!(
                    "identifier: change {} would add {} likely patient identifier(s) ({}) to {what}",
                    c.hash(),
                    added.len(),
                    kinds.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        known = now;
    }
    Ok(())
}
