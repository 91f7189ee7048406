//! The benchmark's document library: generated lesson plans and cases with
//! 5–20 KB of text each, some of them with keystroke-level history, and
//! the edits the sync scenarios make.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ObjType, ROOT, ReadDoc, Value};
use rounds_core::DocError;
use rounds_core::schema::DocKind;
use rounds_store::Store;

use crate::office::fast_writes;

/// The text field each kind of document is edited in.
pub fn edit_field(kind: DocKind) -> &'static str {
    if kind == DocKind::LESSON_PLAN {
        "summary"
    } else {
        "management"
    }
}

/// Adds `n` documents whose text sizes spread over 5–20 KB of UTF-8, in
/// batches of rising body size (the generator takes one size per call).
pub fn generate(store: &mut Store, n: usize, seed: u64, small: bool) -> Vec<String> {
    fast_writes(store, true);
    // Body sizes in characters; Chinese text is three bytes a character,
    // so a mix of both languages lands between 5 and 20 KB.
    let sizes: &[usize] = if small {
        &[400]
    } else {
        &[3_000, 4_000, 5_000, 6_000, 7_000, 8_000]
    };
    let mut ids = Vec::with_capacity(n);
    let per = n.div_ceil(sizes.len());
    for (i, body) in sizes.iter().enumerate() {
        let k = per.min(n - ids.len());
        if k == 0 {
            break;
        }
        ids.extend(
            store
                .generate(k, seed.wrapping_add(i as u64), *body)
                .expect("generated documents"),
        );
    }
    fast_writes(store, false);
    ids
}

/// Gives a document keystroke-level history: `edits` changes of one
/// character each, typed into one of its text fields, each committed as
/// its own Automerge change through the store's edit path (`Store::change`),
/// the way an editor that saved on every keystroke would.
pub fn type_keystrokes(store: &mut Store, id: &str, edits: usize, author: &str) {
    const TYPED: &str =
        "复查血常规及C反应蛋白，必要时行胸部X线检查。Recheck the full blood count tomorrow. ";
    let chars: Vec<char> = TYPED.chars().collect();
    store
        .change(id, |doc, ctx| {
            let field = edit_field(doc.kind());
            let am = doc.automerge_mut();
            let Some((Value::Object(ObjType::Map), fields)) = am.get(ROOT, "fields")? else {
                return Ok(());
            };
            let Some((Value::Object(ObjType::Text), text)) = am.get(&fields, field)? else {
                return Ok(());
            };
            let end = am.length(&text);
            let note = serde_json::json!({"by": author, "fields": [field]}).to_string();
            for i in 0..edits {
                let c = chars[i % chars.len()].to_string();
                am.splice_text(&text, end + i, 0, &c)?;
                am.commit_with(
                    CommitOptions::default()
                        .with_message(note.clone())
                        .with_time(ctx.now_ms + i as i64 * 150),
                );
            }
            Ok::<(), DocError>(())
        })
        .expect("typing into a document");
}

/// One realistic edit: a sentence added to a text field, through
/// `Store::edit` (validated, diffed, one change). Returns the bytes of the
/// changes it made.
pub fn edit_once(store: &mut Store, id: &str, sentence: &str) -> Vec<Vec<u8>> {
    let mut doc = store.load(id).expect("a document");
    let before = doc.heads();
    let field = edit_field(doc.kind());
    let mut text = doc.to_json()[field].as_str().unwrap_or_default().to_owned();
    text.push_str(sentence);
    store
        .edit(id, &serde_json::json!({ field: text }))
        .expect("an edit");
    let mut doc = store.load(id).expect("a document");
    doc.automerge_mut()
        .get_changes(&before)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}
