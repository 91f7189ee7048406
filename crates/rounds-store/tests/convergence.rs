//! Two stores edit the same documents concurrently and exchange them in any
//! order: they must end with identical documents and identical projections.

use proptest::prelude::*;
use rounds_core::schema::{DocKind, Lang};
use rounds_store::{Filter, Store};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    /// Insert text at a relative position of a text field.
    Insert {
        side: usize,
        doc: usize,
        field: usize,
        at: u8,
        text: String,
    },
    /// Delete a relative range of a text field.
    Cut {
        side: usize,
        doc: usize,
        field: usize,
        at: u8,
        len: u8,
    },
    /// Set a choice.
    Choose {
        side: usize,
        doc: usize,
        value: usize,
    },
    /// Add a process row, remove one, move one, or edit one.
    Rows {
        side: usize,
        doc: usize,
        action: u8,
        a: u8,
        b: u8,
    },
    Tags {
        side: usize,
        doc: usize,
        add: bool,
        tag: usize,
    },
    Delete {
        side: usize,
        doc: usize,
        deleted: bool,
    },
    /// Send one side's documents to the other.
    Sync { from: usize },
}

const TEXT_FIELDS: [&str; 3] = ["learner_analysis", "summary", "reflection"];
const STATUS: [&str; 4] = ["draft", "in_review", "approved", "published"];
const TAGS: [&str; 4] = ["呼吸", "CBL", "急诊", "neonatal"];

fn op() -> impl Strategy<Value = Op> {
    let side = 0..2usize;
    let doc = 0..2usize;
    prop_oneof![
        4 => (side.clone(), doc.clone(), 0..3usize, any::<u8>(), "[a-z发热咳嗽 ]{1,6}").prop_map(|(side, doc, field, at, text)| Op::Insert { side, doc, field, at, text }),
        2 => (side.clone(), doc.clone(), 0..3usize, any::<u8>(), 1..6u8).prop_map(|(side, doc, field, at, len)| Op::Cut { side, doc, field, at, len }),
        1 => (side.clone(), doc.clone(), 0..4usize).prop_map(|(side, doc, value)| Op::Choose { side, doc, value }),
        3 => (side.clone(), doc.clone(), 0..4u8, any::<u8>(), any::<u8>()).prop_map(|(side, doc, action, a, b)| Op::Rows { side, doc, action, a, b }),
        1 => (side.clone(), doc.clone(), any::<bool>(), 0..4usize).prop_map(|(side, doc, add, tag)| Op::Tags { side, doc, add, tag }),
        1 => (side.clone(), doc.clone(), any::<bool>()).prop_map(|(side, doc, deleted)| Op::Delete { side, doc, deleted }),
        2 => (0..2usize).prop_map(|from| Op::Sync { from }),
    ]
}

fn sync(stores: &mut [Store; 2], from: usize, ids: &[String]) {
    for id in ids {
        let Ok(bytes) = stores[from].raw_bytes(id) else {
            continue;
        };
        stores[1 - from].merge_bytes(&bytes).unwrap();
    }
}

fn apply(stores: &mut [Store; 2], ids: &[String], op: &Op) {
    let idx = |at: u8, len: usize| if len == 0 { 0 } else { at as usize % (len + 1) };
    match op {
        Op::Insert {
            side,
            doc,
            field,
            at,
            text,
        } => {
            let s = &mut stores[*side];
            let Ok(d) = s.load(&ids[*doc]) else { return };
            let cur: Vec<char> = d.to_json()[TEXT_FIELDS[*field]]
                .as_str()
                .unwrap_or("")
                .chars()
                .collect();
            let i = idx(*at, cur.len());
            let new: String = cur[..i]
                .iter()
                .copied()
                .chain(text.chars())
                .chain(cur[i..].iter().copied())
                .collect();
            s.edit(&ids[*doc], &json!({ TEXT_FIELDS[*field]: new }))
                .unwrap();
        }
        Op::Cut {
            side,
            doc,
            field,
            at,
            len,
        } => {
            let s = &mut stores[*side];
            let Ok(d) = s.load(&ids[*doc]) else { return };
            let cur: Vec<char> = d.to_json()[TEXT_FIELDS[*field]]
                .as_str()
                .unwrap_or("")
                .chars()
                .collect();
            let i = idx(*at, cur.len());
            let j = (i + *len as usize).min(cur.len());
            let new: String = cur[..i].iter().chain(cur[j..].iter()).collect();
            s.edit(&ids[*doc], &json!({ TEXT_FIELDS[*field]: new }))
                .unwrap();
        }
        Op::Choose { side, doc, value } => {
            let _ = stores[*side].edit(&ids[*doc], &json!({ "status": STATUS[*value] }));
        }
        Op::Rows {
            side,
            doc,
            action,
            a,
            b,
        } => {
            let s = &mut stores[*side];
            let Ok(d) = s.load(&ids[*doc]) else { return };
            let mut rows: Vec<Value> = d.to_json()["process"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let n = rows.len();
            match action {
                0 => rows.insert(
                    idx(*a, n),
                    json!({ "stage": format!("环节{a}"), "minutes": *b as i64 % 60 }),
                ),
                1 if n > 0 => {
                    rows.remove(*a as usize % n);
                }
                2 if n > 1 => {
                    let el = rows.remove(*a as usize % n);
                    rows.insert(*b as usize % n, el);
                }
                3 if n > 0 => {
                    rows[*a as usize % n]["minutes"] = json!(*b as i64 % 90);
                }
                _ => return,
            }
            s.edit(&ids[*doc], &json!({ "process": rows })).unwrap();
        }
        Op::Tags {
            side,
            doc,
            add,
            tag,
        } => {
            let s = &mut stores[*side];
            let Ok(summary) = s.summary(&ids[*doc]) else {
                return;
            };
            let mut tags = summary.tags.clone();
            tags.retain(|t| t != TAGS[*tag]);
            if *add {
                tags.push(TAGS[*tag].to_owned());
            }
            s.edit(&ids[*doc], &json!({ "tags": tags })).unwrap();
        }
        Op::Delete { side, doc, deleted } => {
            let s = &mut stores[*side];
            if s.summary(&ids[*doc]).is_err() {
                return;
            }
            if *deleted {
                s.delete(&ids[*doc]).unwrap();
            } else {
                s.restore(&ids[*doc]).unwrap();
            }
        }
        Op::Sync { from } => sync(stores, *from, ids),
    }
}

fn all_rows(s: &Store) -> Vec<rounds_core::doc::Summary> {
    let mut rows = s.list(&Filter::default()).unwrap();
    rows.extend(
        s.list(&Filter {
            deleted: true,
            ..Filter::default()
        })
        .unwrap(),
    );
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_edits_converge(ops in proptest::collection::vec(op(), 1..40), first_from in 0..2usize) {
        let mut stores = [Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap()];
        stores[0].set_user_name("甲").unwrap();
        stores[1].set_user_name("乙").unwrap();
        let a = stores[0].create(DocKind::LESSON_PLAN, "教案甲", Lang::Zh, Some(&json!({"summary": "小结"}))).unwrap().id;
        let b = stores[1].create(DocKind::LESSON_PLAN, "Plan B", Lang::En, None).unwrap().id;
        let ids = vec![a, b];
        for op in &ops {
            apply(&mut stores, &ids, op);
        }
        // Heal: exchange in both orders' worth of directions.
        sync(&mut stores, first_from, &ids);
        sync(&mut stores, 1 - first_from, &ids);
        for id in &ids {
            let x = stores[0].load(id).unwrap();
            let y = stores[1].load(id).unwrap();
            prop_assert_eq!(x.to_json(), y.to_json());
            prop_assert_eq!(x.search_text(), y.search_text());
        }
        prop_assert_eq!(all_rows(&stores[0]), all_rows(&stores[1]));
        for q in ["发热", "咳嗽", "小结"] {
            let h0: Vec<String> = stores[0].search(q, &Filter::default()).unwrap().into_iter().map(|h| h.summary.id).collect();
            let h1: Vec<String> = stores[1].search(q, &Filter::default()).unwrap().into_iter().map(|h| h.summary.id).collect();
            prop_assert_eq!(h0, h1);
        }
    }
}
