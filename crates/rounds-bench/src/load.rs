//! Many simulated devices syncing with one office over loopback at once.
//! Each device is enrolled for real and keeps its own cursor; one request
//! in ten also pushes an edit of a document the device created, which the
//! other devices then receive. Every loop stops by itself: by count and
//! by a deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rounds_core::doc::{Document, NewDoc, SeqIds, Visibility};
use rounds_core::schema::{DocKind, Lang};
use rounds_proto::{CONTENT_TYPE, DocChanges, EnrollRequest, SyncRequest, SyncResponse};
use serde_json::json;

use crate::measure::percentile;
use rounds_testkit::doc::ctx;

use crate::office::{Office, now_ms};

#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub devices: usize,
    /// Time between one device's syncs; zero means back to back.
    pub interval: Duration,
    pub duration: Duration,
    pub requests: u64,
    pub pushes: u64,
    pub errors: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl LoadResult {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.duration.as_secs_f64().max(1e-9)
    }
}

struct Device {
    token: String,
    cursor: Vec<u8>,
    doc: Document,
    /// Changes of `doc` the office has not acknowledged.
    unpushed: Vec<Vec<u8>>,
}

fn new_device(office: &Office, i: usize) -> Device {
    let code = office.code_for_new_member(&format!("教师{i}"));
    let actor = automerge::ActorId::from(uuid::Uuid::new_v4().as_bytes().to_vec());
    let enrolled = office
        .server
        .service
        .enroll(
            &EnrollRequest {
                code,
                actor: actor.to_hex_string(),
                device_name: format!("device {i}"),
            },
            "127.0.0.1",
        )
        .expect("enrolling a device");
    let mut seq = SeqIds::new("e");
    let mut ctx = ctx("教师", &mut seq, now_ms());
    let mut doc = Document::create(
        &NewDoc {
            id: uuid::Uuid::now_v7().to_string(),
            kind: DocKind::LESSON_PLAN,
            title: format!("晨间查房教案 {i}"),
            language: Lang::Zh,
            owner: enrolled.member_id.clone(),
        },
        actor,
        &mut ctx,
        None,
    )
    .expect("a document");
    // The first devices share their documents, so every device receives
    // their edits; the rest keep drafts, which only their owner reads (a
    // thousand shared documents would make the setup itself quadratic).
    if i < 20 {
        doc.set_visibility(Visibility::Office, &mut ctx)
            .expect("sharing it");
    }
    let unpushed = doc
        .automerge_mut()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    Device {
        token: enrolled.token,
        cursor: Vec::new(),
        doc,
        unpushed,
    }
}

/// One sync of a simulated device; returns whether it pushed.
async fn sync_once(
    client: &reqwest::Client,
    url: &str,
    d: &mut Device,
    push: bool,
    n: u64,
) -> Result<bool, String> {
    if push && d.unpushed.is_empty() {
        let mut seq = SeqIds::new("e");
        d.doc
            .apply_patch(
                &json!({"title": format!("晨间查房教案 第{n}版")}),
                &mut ctx("教师", &mut seq, now_ms()),
            )
            .map_err(|e| e.to_string())?;
        if let Some(c) = d.doc.automerge_mut().get_last_local_change() {
            d.unpushed.push(c.raw_bytes().to_vec());
        }
    }
    let pushes = if d.unpushed.is_empty() {
        Vec::new()
    } else {
        let id = rounds_proto::doc_id_from_str(d.doc.id()).ok_or("a document id")?;
        vec![DocChanges {
            doc: id,
            changes: d.unpushed.clone(),
        }]
    };
    let pushed = !pushes.is_empty();
    let body = SyncRequest {
        cursor: d.cursor.clone(),
        max_page_bytes: 0,
        pushes,
    }
    .encode();
    let resp = client
        .post(url)
        .bearer_auth(&d.token)
        .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
    let r = SyncResponse::decode(&bytes, 64 << 20).map_err(|e| e.to_string())?;
    if !r.rejections.is_empty() {
        return Err(format!("push refused: {}", r.rejections[0].message));
    }
    if pushed && !r.acks.is_empty() {
        d.unpushed.clear();
    }
    d.cursor = r.cursor;
    Ok(pushed)
}

/// Enrolls `devices` devices, brings each up to date, then lets them all
/// sync for `duration`, each every `interval` (back to back when zero).
pub fn run(office: &Office, devices: usize, interval: Duration, duration: Duration) -> LoadResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("loadgen")
        .enable_all()
        .build()
        .expect("a runtime for the load");
    let url = format!("{}/v1/sync", office.server.url);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let mut all: Vec<Device> = (0..devices).map(|i| new_device(office, i)).collect();
    // Everyone's first sync (pushing their document) before the clock starts.
    rt.block_on(async {
        for d in &mut all {
            for _ in 0..20 {
                if sync_once(&client, &url, d, false, 0).await.is_ok() && d.unpushed.is_empty() {
                    break;
                }
            }
        }
    });
    let requests = Arc::new(AtomicU64::new(0));
    let pushes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let latencies: Vec<Duration> = rt.block_on(async {
        let mut tasks = Vec::new();
        for (i, mut d) in all.into_iter().enumerate() {
            let client = client.clone();
            let url = url.clone();
            let (requests, pushes, errors) = (requests.clone(), pushes.clone(), errors.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                // Devices start spread over one interval, as real ones would.
                if !interval.is_zero() {
                    let phase = interval.mul_f64(i as f64 / devices as f64);
                    tokio::time::sleep(phase).await;
                }
                // Bounded by count as well as by time.
                for n in 0..1_000_000u64 {
                    let t = Instant::now();
                    if t >= deadline {
                        break;
                    }
                    // One sync in ten pushes, staggered across devices.
                    match sync_once(&client, &url, &mut d, (n + i as u64) % 10 == 9, n).await {
                        Ok(pushed) => {
                            lat.push(t.elapsed());
                            requests.fetch_add(1, Ordering::Relaxed);
                            if pushed {
                                pushes.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if !interval.is_zero() {
                        let next = t + interval;
                        if next >= deadline {
                            break;
                        }
                        tokio::time::sleep_until(next.into()).await;
                    }
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            if let Ok(l) = t.await {
                all.extend(l);
            }
        }
        all
    });
    let elapsed = start.elapsed();
    let mut lat = latencies;
    lat.sort();
    LoadResult {
        devices,
        interval,
        duration: elapsed,
        requests: requests.load(Ordering::Relaxed),
        pushes: pushes.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        p50: percentile(&lat, 50.0),
        p99: percentile(&lat, 99.0),
        max: lat.last().copied().unwrap_or_default(),
    }
}
