//! The office's bounds on one request's pushes, and pushes racing for one
//! document: validation runs without the writer, and a document that moved
//! meanwhile is validated again, so no change is lost or stored twice.

use rounds_core::doc::Visibility;
use rounds_core::schema::DocKind;
use rounds_office::db::OfficeDb;
use rounds_office::service::Limits;
use rounds_proto::RejectCode;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

#[test]
fn pushes_beyond_a_requests_bounds_wait_for_the_next_request() {
    for limits in [
        Limits {
            max_pushes: 2,
            push_workers: 1,
            ..Limits::default()
        },
        // Fewer documents per request than threads.
        Limits {
            max_pushes: 2,
            push_workers: 4,
            ..Limits::default()
        },
        // No time at all: one document per request.
        Limits {
            push_time_ms: -1,
            push_workers: 3,
            ..Limits::default()
        },
    ] {
        let office = Office::start_with(limits);
        let o = office.create_office("一院");
        let mut a = Teacher::joined(&office, &o, "王老师");
        let ids: Vec<String> = (0..5)
            .map(|i| {
                let id = a.create(DocKind::LESSON_PLAN, &format!("第{i}讲"), json!({}));
                a.store.set_visibility(&id, Visibility::Office).unwrap();
                id
            })
            .collect();
        let report = a.sync().unwrap();
        assert!(report.rejections.is_empty(), "{:?}", report.rejections);
        assert_eq!(report.docs_pushed, 5);
        assert!(
            report.round_trips >= 3,
            "{} round trips",
            report.round_trips
        );
        for id in &ids {
            assert!(office.document(id).is_some(), "{id} reached the office");
        }
        assert_eq!(a.store.sync_info().unwrap().pending_docs, 0);
    }
}

/// A request's documents validated on several threads at once: each is
/// stored exactly once, a refused one among them changes nothing, and the
/// device learns the fate of every one in one round trip.
#[test]
fn a_requests_documents_validated_on_several_threads_are_each_stored_once() {
    let office = Office::start_with(Limits {
        push_workers: 4,
        max_changes_per_push: 3,
        ..Limits::default()
    });
    let o = office.create_office("一院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let ids: Vec<String> = (0..23)
        .map(|i| {
            let id = a.create(
                DocKind::LESSON_PLAN,
                &format!("第{i}讲"),
                json!({"methods": "讲授"}),
            );
            a.store.set_visibility(&id, Visibility::Office).unwrap();
            id
        })
        .collect();
    // One of them has more changes than a push may carry.
    let big = &ids[11];
    for i in 0..4 {
        a.store
            .edit(big, &json!({"methods": format!("讨论{i}")}))
            .unwrap();
    }
    let before = office.db.head().unwrap();
    let report = a.sync().unwrap();
    assert_eq!(report.round_trips, 1);
    assert_eq!(report.docs_pushed, 22);
    assert_eq!(report.rejections.len(), 1);
    assert_eq!(&report.rejections[0].doc, big);
    assert!(office.document(big).is_none());
    // Every change of the others is in the log, once.
    let mut changes = 0;
    for id in ids.iter().filter(|id| *id != big) {
        let mut d = office.document(id).expect("stored");
        assert_eq!(d.to_json()["methods"], "讲授");
        changes += d.automerge_mut().get_changes(&[]).len() as i64;
    }
    assert_eq!(office.db.head().unwrap() - before, changes);
    assert_eq!(a.store.sync_info().unwrap().pending_docs, 1);
}

#[test]
fn a_push_of_too_many_changes_is_refused_and_stores_nothing() {
    let office = Office::start_with(Limits {
        max_changes_per_push: 3,
        ..Limits::default()
    });
    let o = office.create_office("一院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let id = a.create(DocKind::LESSON_PLAN, "川崎病", json!({}));
    for i in 0..5 {
        a.store
            .edit(&id, &json!({"methods": format!("讲授{i}")}))
            .unwrap();
    }
    let before = office.db.head().unwrap();
    let report = a.sync().unwrap();
    assert_eq!(report.rejections.len(), 1);
    assert_eq!(report.rejections[0].code, RejectCode::TooLarge.as_str());
    assert!(report.rejections[0].message.contains("limit is 3"));
    assert_eq!(office.db.head().unwrap(), before);
    assert!(office.document(&id).is_none());
}

/// Several devices push changes to one shared plan at the same time, many
/// times over: every change each made is in the office's copy, once.
#[test]
fn concurrent_pushes_to_one_document_lose_nothing() {
    let office = Office::start();
    let o = office.create_office("一院");
    let mut first = Teacher::joined(&office, &o, "主备人");
    let id = first.create(DocKind::LESSON_PLAN, "小儿惊厥", json!({"methods": "讲授"}));
    first.store.set_visibility(&id, Visibility::Office).unwrap();
    first.sync().unwrap();
    let mut teachers = vec![first];
    for n in 1..4 {
        let mut t = Teacher::joined(&office, &o, &format!("参与人{n}"));
        t.sync().unwrap();
        teachers.push(t);
    }
    let rounds = 8;
    let handles: Vec<_> = teachers
        .into_iter()
        .enumerate()
        .map(|(n, mut t)| {
            let id = id.clone();
            std::thread::spawn(move || {
                for r in 0..rounds {
                    // Tags are a set: a patch names the whole set, so each
                    // adds its tag to every tag it has.
                    let mut tags: Vec<serde_json::Value> =
                        t.json(&id)["tags"].as_array().cloned().unwrap_or_default();
                    tags.push(json!(format!("t{n}-{r}")));
                    t.store.edit(&id, &json!({ "tags": tags })).unwrap();
                    let report = t.sync().unwrap();
                    assert!(report.rejections.is_empty(), "{:?}", report.rejections);
                }
                t
            })
        })
        .collect();
    let mut teachers: Vec<Teacher> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for t in &mut teachers {
        t.sync().unwrap();
    }
    let office_doc = office.document(&id).unwrap().to_json();
    let tags = office_doc["tags"].as_array().unwrap();
    for n in 0..4 {
        for k in 0..rounds {
            let want = format!("t{n}-{k}");
            assert!(
                tags.iter().any(|t| t == want.as_str()),
                "{want} missing: {tags:?}"
            );
        }
    }
    for t in &teachers {
        assert_eq!(t.json(&id), office_doc);
    }
    // Each change is in the log once.
    let (_, changes) = office.counts(&o);
    let distinct: std::collections::HashSet<_> = office
        .document(&id)
        .unwrap()
        .automerge_mut()
        .get_changes(&[])
        .iter()
        .map(|c| c.hash())
        .collect();
    assert_eq!(changes, distinct.len());
}
