//! `GET /metrics` of a real office on port 0: what teachers' syncs did is
//! counted (syncs, documents accepted and refused by code and rule, pages
//! sent, request latency), in the Prometheus text format, for this machine
//! only.

use rounds_core::schema::DocKind;
use rounds_office::db::Role;
use rounds_testkit::raw::RawDevice;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

fn value(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{series} not in the page:\n{page}"))
        .parse()
        .unwrap()
}

#[test]
fn the_office_counts_what_it_does() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let mut a = Teacher::joined(&office, &o, "王老师");
    let mut b = Teacher::joined_as(&office, &o, "李老师", Role::Teacher);
    for i in 0..3 {
        let id = a.create(DocKind::LESSON_PLAN, &format!("教案{i}"), json!({}));
        a.store
            .set_visibility(&id, rounds_core::Visibility::Office)
            .unwrap();
    }
    a.sync().unwrap();
    b.sync().unwrap();
    // A push the office refuses: a teacher approving a colleague's plan.
    let plan = a.ids()[0].clone();
    let mut doc = office.document(&plan).unwrap();
    doc.set_actor(b.store.actor().clone());
    let heads = doc.heads();
    let mut ids = rounds_core::SeqIds::new("m");
    let mut ctx = rounds_core::EditCtx {
        now_ms: 1,
        author: "李老师",
        ids: &mut ids,
    };
    doc.apply_patch(&json!({"status": "approved"}), &mut ctx)
        .unwrap();
    let r = RawDevice::of(&office, &b).push(
        &plan,
        rounds_testkit::raw::changes_since(doc.automerge_mut(), &heads),
    );
    assert_eq!(r.rejections.len(), 1);

    let http = reqwest::blocking::Client::new();
    let resp = http.get(format!("{}/metrics", office.url)).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let page = resp.text().unwrap();
    assert!(value(&page, "rounds_office_syncs_total") >= 3.0);
    assert_eq!(value(&page, "rounds_office_documents_accepted_total"), 3.0);
    assert_eq!(
        value(
            &page,
            "rounds_office_refusals_total{code=\"forbidden\",rule=\"workflow\"}"
        ),
        1.0
    );
    assert!(value(&page, "rounds_office_snapshots_sent_total") >= 3.0);
    assert!(value(&page, "rounds_office_log_head") >= 3.0);
    assert_eq!(
        value(
            &page,
            "rounds_office_db_connections_max{backend=\"sqlite\"}"
        ),
        5.0
    );
    let idle = value(
        &page,
        "rounds_office_db_connections{backend=\"sqlite\",state=\"idle\"}",
    );
    let busy = value(
        &page,
        "rounds_office_db_connections{backend=\"sqlite\",state=\"busy\"}",
    );
    assert_eq!(idle + busy, 5.0);
    let syncs = value(
        &page,
        "rounds_office_requests_total{route=\"/v1/sync\",status=\"200\"}",
    );
    assert_eq!(
        value(
            &page,
            "rounds_office_request_seconds_count{route=\"/v1/sync\"}"
        ),
        syncs
    );
    assert_eq!(
        value(
            &page,
            "rounds_office_request_seconds_bucket{route=\"/v1/sync\",le=\"+Inf\"}"
        ),
        syncs
    );
    // Every line is a comment or `name{labels} number`.
    for l in page.lines().filter(|l| !l.starts_with('#')) {
        let (_, v) = l.rsplit_once(' ').unwrap();
        assert!(v.parse::<f64>().is_ok(), "{l}");
    }
    // Forwarded by a proxy: refused, with the usual JSON error.
    let resp = http
        .get(format!("{}/metrics", office.url))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(
        resp.json::<serde_json::Value>().unwrap()["code"],
        "forbidden"
    );
}
