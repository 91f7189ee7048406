//! Push validation under random crafted changes (proptest; failing cases
//! are saved in `proptest-regressions/fuzz_push.txt` and replayed first).
//! A member's device makes arbitrary Automerge edits to a shared lesson
//! plan — at the root, in the fields, in list rows and in text, with every
//! kind of value — and pushes them. Whatever it sends, the office either
//! refuses it and its database is unchanged, or stores a document that
//! still passes every validation rule with its root keys intact. It never
//! panics.

use std::sync::Arc;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use proptest::prelude::*;
use rounds_core::doc::Document;
use rounds_core::schema::DocKind;
use rounds_core::testing::{self, doc};
use rounds_office::db::{DeviceCtx, OfficeDb, Role};
use rounds_office::service::{Limits, Service, new_id};
use rounds_office::sqlite::SqliteDb;
use rounds_proto::{DocChanges, EnrollRequest, SyncRequest, doc_id_from_str};
use serde_json::json;

const DOC: &str = "0193a5b0-0000-7000-8000-00000000f022";

struct Setup {
    _dir: tempfile::TempDir,
    db: Arc<SqliteDb>,
    service: Service,
    ctx: DeviceCtx,
    doc: AutoCommit,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(SqliteDb::open_dir(dir.path()).unwrap());
    let service = Service::new(db.clone(), Limits::default()).with_clock(Box::new(|| 1_000));
    let office = db.create_office(&new_id(), "一院", 0).unwrap().id;
    let member = db
        .add_member(&new_id(), &office, "参与人", Role::Teacher, 0)
        .unwrap()
        .id;
    let code = service.issue_code(&member, 24).unwrap();
    let actor = testing::actor(7);
    let resp = service
        .enroll(
            &EnrollRequest {
                code,
                actor: actor.to_hex_string(),
                device_name: "fuzz".into(),
            },
            "127.0.0.1",
        )
        .unwrap();
    let ctx = service
        .authenticate(Some(&format!("Bearer {}", resp.token)))
        .unwrap();
    let mut d = doc(DOC, DocKind::LESSON_PLAN, "小儿腹泻")
        .owner("u-fuzz")
        .author("参与人")
        .actor(actor.clone())
        .at(1)
        .ids("f")
        .fields(json!({
            "methods": "讲授与病例讨论",
            "objectives": [{"text": "掌握脱水分度"}],
            "process": [{"stage": "导入", "minutes": 5}]
        }))
        .create();
    let mut am = d.automerge_mut().clone();
    am.set_actor(actor);
    am.put(ROOT, "visibility", "office").unwrap();
    am.commit();
    let mut s = Setup {
        _dir: dir,
        db,
        service,
        ctx,
        doc: am,
    };
    let all = s.doc.get_changes(&[]);
    let resp = push(&s, all.iter().map(|c| c.raw_bytes().to_vec()).collect());
    assert_eq!(resp.acks.len(), 1, "{:?}", resp.rejections);
    s
}

fn push(s: &Setup, changes: Vec<Vec<u8>>) -> rounds_proto::SyncResponse {
    s.service
        .sync(
            &s.ctx,
            SyncRequest {
                cursor: vec![],
                max_page_bytes: 0,
                pushes: vec![DocChanges {
                    doc: doc_id_from_str(DOC).unwrap(),
                    changes,
                }],
            },
        )
        .unwrap()
}

/// Where an edit goes.
#[derive(Debug, Clone)]
enum Place {
    Root,
    Fields,
    /// A row of a list field (the first row, or a new one).
    Row(&'static str, bool),
}

#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    Map,
    List,
    Text(String),
}

#[derive(Debug, Clone)]
enum Edit {
    Put(Place, String, Val),
    Delete(Place, String),
    Splice(Place, String, usize, usize, String),
}

const KEYS: &[&str] = &[
    "id",
    "kind",
    "schema",
    "owner",
    "author",
    "created",
    "title",
    "visibility",
    "deleted",
    "fields",
    "tags",
    "updated",
    "language",
    "methods",
    "objectives",
    "process",
    "status",
    "approver",
    "course",
    "stage",
    "minutes",
    "text",
    "order",
    "removed",
    "session_type",
    "zzz",
];

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::Root),
        Just(Place::Fields),
        (
            prop_oneof![Just("objectives"), Just("process")],
            any::<bool>()
        )
            .prop_map(|(f, new)| Place::Row(f, new)),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{1,8}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ]{0,12}",
        "[\u{4e00}-\u{4e20}]{0,8}",
        Just("approved".to_owned()),
        Just("published".to_owned()),
        Just("private".to_owned()),
        Just("case".to_owned()),
        Just("11010519491231002X".to_owned()),
        (1usize..3).prop_map(|n| "长".repeat(n * 40_000)),
    ]
}

fn val() -> impl Strategy<Value = Val> {
    prop_oneof![
        text().prop_map(Val::Str),
        any::<i64>().prop_map(Val::Int),
        (-3i64..200).prop_map(Val::Int),
        any::<bool>().prop_map(Val::Bool),
        Just(Val::Null),
        Just(Val::Map),
        Just(Val::List),
        text().prop_map(Val::Text),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (place(), key(), val()).prop_map(|(p, k, v)| Edit::Put(p, k, v)),
        1 => (place(), key()).prop_map(|(p, k)| Edit::Delete(p, k)),
        2 => (place(), key(), 0usize..20, 0usize..5, text())
            .prop_map(|(p, k, at, del, t)| Edit::Splice(p, k, at, del, t)),
    ]
}

fn map_at(am: &AutoCommit, obj: &ObjId, key: &str) -> Option<ObjId> {
    match am.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), o))) => Some(o),
        _ => None,
    }
}

fn target(am: &mut AutoCommit, p: &Place) -> Option<ObjId> {
    match p {
        Place::Root => Some(ROOT),
        Place::Fields => map_at(am, &ROOT, "fields"),
        Place::Row(field, new) => {
            let fields = map_at(am, &ROOT, "fields")?;
            let list = map_at(am, &fields, field)?;
            if *new {
                am.put_object(&list, "fuzzrow", ObjType::Map).ok()
            } else {
                let first = am.keys(&list).next()?;
                map_at(am, &list, &first)
            }
        }
    }
}

fn apply(am: &mut AutoCommit, e: &Edit) {
    // Each edit may fail (a key that is not there, text that is not
    // text): a crafted change is whatever the edits that worked made.
    match e {
        Edit::Put(p, k, v) => {
            let Some(obj) = target(am, p) else { return };
            let _ = match v {
                Val::Str(s) => am.put(&obj, k.as_str(), s.as_str()),
                Val::Int(i) => am.put(&obj, k.as_str(), *i),
                Val::Bool(b) => am.put(&obj, k.as_str(), *b),
                Val::Null => am.put(&obj, k.as_str(), ScalarValue::Null),
                Val::Map => am.put_object(&obj, k.as_str(), ObjType::Map).map(|_| ()),
                Val::List => am.put_object(&obj, k.as_str(), ObjType::List).map(|_| ()),
                Val::Text(s) => am
                    .put_object(&obj, k.as_str(), ObjType::Text)
                    .and_then(|t| am.splice_text(&t, 0, 0, s)),
            };
        }
        Edit::Delete(p, k) => {
            if let Some(obj) = target(am, p) {
                let _ = am.delete(&obj, k.as_str());
            }
        }
        Edit::Splice(p, k, at, del, s) => {
            let Some(obj) = target(am, p) else { return };
            if let Ok(Some((Value::Object(ObjType::Text), t))) = am.get(&obj, k.as_str()) {
                let len = am.length(&t);
                let at = (*at).min(len);
                let del = (*del).min(len - at) as isize;
                let _ = am.splice_text(&t, at, del, s);
            }
        }
    }
}

fn root_keys(d: &Document) -> Vec<String> {
    ["id", "kind", "owner", "author", "created"]
        .iter()
        .map(|k| {
            format!(
                "{:?}",
                d.automerge()
                    .get(ROOT, *k)
                    .ok()
                    .flatten()
                    .map(|(v, _)| v.to_string())
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn crafted_pushes_are_refused_whole_or_leave_a_valid_document(edits in prop::collection::vec(edit(), 1..6)) {
        let s = setup();
        let stored = || {
            let (snap, _, rest, _) = s.db.doc_log_since_snapshot(DOC).unwrap();
            let mut b = snap;
            b.extend_from_slice(&rest);
            Document::load(&b).unwrap()
        };
        let original = stored();
        let mut am = s.doc.clone();
        let heads = am.get_heads();
        for e in &edits {
            apply(&mut am, e);
        }
        am.commit();
        let changes: Vec<Vec<u8>> = am.get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();
        prop_assume!(!changes.is_empty());
        let before = s.db.dump().unwrap();
        let resp = push(&s, changes);
        if resp.acks.is_empty() {
            prop_assert_eq!(resp.rejections.len(), 1);
            prop_assert!(!resp.rejections[0].message.is_empty());
            prop_assert_eq!(s.db.dump().unwrap(), before, "a refused push changed the office");
        } else {
            let now = stored();
            prop_assert_eq!(root_keys(&now), root_keys(&original));
            let checked = rounds_office::validate::check_state(Some((&original, s.ctx.member.as_str())), &now, &s.ctx, &[]);
            prop_assert!(checked.is_ok(), "an accepted state breaks a rule: {:?}", checked);
            let checked = rounds_office::validate::check_state(None, &now, &s.ctx, &[]);
            prop_assert!(checked.is_ok(), "an accepted state is not valid whole: {:?}", checked);
        }
    }
}
