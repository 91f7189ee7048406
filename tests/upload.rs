//! A device's upload of many documents, read a slice at a time while the
//! office validates the request before: each document reaches the office
//! once, a sync of a few documents stays one round trip, a slice with
//! nothing to send does not end the sync, and a cut loses nothing.

use rounds_client::{ClientError, Transport};
use rounds_core::doc::Visibility;
use rounds_core::schema::DocKind;
use rounds_proto::SyncRequest;
use rounds_testkit::{Office, Teacher, now_ms};
use serde_json::json;

/// Records how many documents each request pushed, and cuts the
/// connection before the office sees request number `cut_at` (counting
/// from 0), if any.
struct Counting {
    inner: rounds_client::HttpTransport,
    pushes: Vec<usize>,
    cut_at: Option<usize>,
}

impl Transport for Counting {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        if self.cut_at == Some(self.pushes.len()) {
            self.cut_at = None;
            return Err(ClientError::Offline("cut".into()));
        }
        let req = SyncRequest::decode(&request, 1 << 26).unwrap();
        self.pushes.push(req.pushes.len());
        self.inner.exchange(request)
    }
}

fn counting(t: &Teacher, cut_at: Option<usize>) -> Counting {
    Counting {
        inner: t.transport(),
        pushes: Vec::new(),
        cut_at,
    }
}

fn plans(t: &mut Teacher, from: usize, n: usize, fields: serde_json::Value) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let id = t.create(DocKind::LESSON_PLAN, &format!("第{i}讲"), fields.clone());
            t.store.set_visibility(&id, Visibility::Office).unwrap();
            id
        })
        .collect()
}

#[test]
fn a_large_upload_goes_in_slices_and_each_document_arrives_once() {
    let office = Office::start();
    let o = office.create_office("县医院");
    let mut a = Teacher::joined(&office, &o, "王老师");

    // A few documents: one request, as before slices.
    let mut ids = plans(&mut a, 0, 200, json!({"course": "儿科学"}));
    let mut t = counting(&a, None);
    let before = a.store.stats().push_transactions;
    let r = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(t.pushes, vec![200]);
    assert_eq!((r.round_trips, r.docs_pushed), (1, 200));
    // Decided 32 to a transaction: 7 commits (syncs of the disk), not 200.
    assert_eq!(a.store.stats().push_transactions - before, 7);

    // More than a slice: the first 256 leave before the rest are read,
    // then the next slice, twice as large.
    ids.extend(plans(&mut a, 200, 600, json!({"course": "儿科学"})));
    let mut t = counting(&a, None);
    let r = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(t.pushes, vec![256, 344]);
    assert_eq!((r.round_trips, r.docs_pushed), (2, 600));
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    for id in &ids {
        let doc = office
            .document(id)
            .expect("every document reached the office");
        assert_eq!(doc.to_json(), a.json(id));
    }
    assert_eq!(a.store.sync_info().unwrap().pending_docs, 0);

    // Each change is stored once: a second device reads exactly these.
    let mut b = Teacher::joined(&office, &o, "李老师");
    let got = b.sync().unwrap();
    assert_eq!(
        (got.docs_received + got.snapshots_received) as usize,
        ids.len()
    );
    assert_eq!(b.ids(), a.ids());
}

#[test]
fn a_cut_while_the_next_slice_is_read_loses_nothing() {
    let office = Office::start();
    let o = office.create_office("县医院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let ids = plans(&mut a, 0, 700, json!({"course": "儿科学"}));

    // The second request is cut before the office sees it; its slice was
    // read (and recorded as possibly sent) meanwhile.
    let mut t = counting(&a, Some(1));
    let err = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap_err();
    assert!(matches!(err, ClientError::Offline(_)), "{err}");
    assert_eq!(t.pushes, vec![256]);
    assert_eq!(a.store.sync_info().unwrap().pending_docs, 700 - 256);

    let mut t = counting(&a, None);
    let r = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(t.pushes, vec![256, 188]);
    assert_eq!(r.docs_pushed, 700 - 256);
    for id in &ids {
        assert_eq!(
            office.document(id).map(|d| d.to_json()),
            Some(a.json(id)),
            "{id}"
        );
    }
    assert_eq!(a.store.sync_info().unwrap().pending_docs, 0);
}

#[test]
fn a_slice_with_nothing_to_send_does_not_end_the_sync() {
    let office = Office::start();
    let o = office.create_office("县医院");
    let mut a = Teacher::joined(&office, &o, "王老师");
    // Plans only a lead teacher may approve: the office refuses them, and
    // they are held until they change.
    plans(&mut a, 0, 300, json!({"status": "approved"}));
    let r = a.sync().unwrap();
    assert_eq!(r.rejections.len(), 300);
    assert_eq!(a.store.sync_info().unwrap().rejected_docs, 300);

    // Written after them, so read after them: the first slice holds only
    // held plans, and brings nothing to send.
    let fresh = plans(&mut a, 300, 5, json!({"course": "儿科学"}));
    let mut t = counting(&a, None);
    let r = rounds_client::sync(&mut a.store, &mut t, &now_ms).unwrap();
    assert_eq!(t.pushes, vec![5], "one request, with the five new plans");
    assert_eq!((r.docs_pushed, r.rejections.len()), (5, 0));
    for id in &fresh {
        assert!(office.document(id).is_some(), "{id} reached the office");
    }
}
