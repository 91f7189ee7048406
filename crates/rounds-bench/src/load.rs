//! The office under a network's devices, measured honestly.
//!
//! Real `rounds-office serve` processes (one on SQLite; then one or three
//! on a PostgreSQL database the same office was moved to with
//! `rounds-office migrate`) and many simulated devices in this process,
//! each enrolled for real through HTTP. Offices of `members` members; in each,
//! `shared` members share a 5–20 KB lesson plan that every member reads,
//! the others keep a draft of the same size. The plans are made once
//! (`Prepared`), so every database is measured with the same documents. Before the clock starts every
//! device has pushed its plan and read its office's material, except a
//! few new devices whose first sync (the whole office's material) falls in
//! the measured window, and the office has compacted the snapshots of what
//! they pushed. Then every device syncs every `interval`, open
//! loop: each sync has an intended time, and its latency is measured from
//! that time, so a sync that had to wait for the one before it counts its
//! wait. A sync pushes a real text edit of the device's plan with the
//! probability that makes about 5% of syncs bring something new to a
//! colleague; what share did is counted, not assumed.
//!
//! CPU is read from `/proc` for the office processes and, on PostgreSQL,
//! for the database's processes, over the measured window only.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use rounds_core::doc::{Document, NewDoc, SeqIds, Visibility};
use rounds_core::generate::{Rng, paragraph};
use rounds_core::schema::{DocKind, Lang};
use rounds_office::backend::Backend;
use rounds_office::db::Role;
use rounds_office::service::{Limits, Service, new_id};
use rounds_proto::{
    CONTENT_TYPE, DocChanges, EnrollRequest, EnrollResponse, SyncRequest, SyncResponse,
};
use rounds_testkit::doc::ctx;
use rounds_testkit::process::{OfficeProcess, Program};
use serde_json::json;

use crate::measure::percentile;
use crate::office::now_ms;

/// Which database the office runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    /// PostgreSQL at this URL (a fresh database).
    Postgres(String),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub devices: usize,
    pub members: usize,
    pub shared: usize,
    pub interval: Duration,
    pub duration: Duration,
    /// Devices whose first sync is in each measured window, per thousand.
    pub new_per_mille: usize,
    /// The office of each measured window, one after another on the same
    /// data: the setup is done once, through the first. A window on
    /// PostgreSQL after one on SQLite runs on the SQLite office moved there
    /// (`rounds-office migrate`), devices, tokens and cursors included.
    pub phases: Vec<Phase>,
}

/// One measured window's office: its database and how many processes
/// serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub store: Store,
    pub processes: usize,
}

impl Phase {
    /// The PostgreSQL URL of its database; `None` on SQLite.
    fn url(&self) -> Option<String> {
        match &self.store {
            Store::Sqlite => None,
            Store::Postgres(u) => Some(u.clone()),
        }
    }

    /// The row label of its office.
    pub fn label(&self) -> String {
        label(self.store != Store::Sqlite, self.processes)
    }
}

/// The row label of an office.
pub fn label(postgres: bool, processes: usize) -> String {
    match (postgres, processes) {
        (false, 1) => "SQLite, 1 process".into(),
        (false, p) => format!("SQLite, {p} processes"),
        (true, 1) => "PostgreSQL, 1 process".into(),
        (true, p) => format!("PostgreSQL, {p} processes"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub label: String,
    /// The devices of the network set up.
    pub network: usize,
    /// The devices that synced in this window: the network's, less those
    /// kept back to be new in a later window.
    pub devices: usize,
    pub offices: usize,
    pub interval: Duration,
    pub window: Duration,
    pub syncs: u64,
    pub pushes: u64,
    /// Syncs that brought the device something new from a colleague.
    pub brought: u64,
    pub first_syncs: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// p99 of the new devices' first syncs alone.
    pub first_p99: Duration,
    /// CPU time of the office processes over the window.
    pub office_cpu: Duration,
    /// CPU time of the database server's processes over the window
    /// (PostgreSQL; SQLite runs inside the office).
    pub db_cpu: Duration,
    /// Bytes of the office material one device reads at its first sync.
    pub material_bytes: u64,
}

impl LoadResult {
    pub fn offered(&self) -> f64 {
        self.devices as f64 / self.interval.as_secs_f64().max(1e-9)
    }
    pub fn served(&self) -> f64 {
        self.syncs as f64 / self.window.as_secs_f64().max(1e-9)
    }
    pub fn cpu_per_sync(&self) -> Duration {
        (self.office_cpu + self.db_cpu) / (self.syncs.max(1) as u32)
    }
}

/// `rounds-office` beside this benchmark's own binary (`make bench` builds
/// it first; `cargo test --workspace` builds every binary there).
pub fn office_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let dir = exe.parent().expect("a directory");
    let dir = if dir.ends_with("deps") {
        dir.parent().expect("target/<profile>")
    } else {
        dir
    };
    dir.join(format!("rounds-office{}", std::env::consts::EXE_SUFFIX))
}

struct Device {
    token: String,
    url: String,
    cursor: Vec<u8>,
    doc: Document,
    /// Changes of `doc` the office has not acknowledged.
    unpushed: Vec<Vec<u8>>,
    rng: Rng,
}

/// A lesson plan of 5–20 KB of generated Chinese teaching text.
fn new_plan(
    i: usize,
    owner: &str,
    rng: &mut Rng,
    shared: bool,
    actor: automerge::ActorId,
) -> Document {
    let mut seq = SeqIds::new("b");
    let mut c = ctx("教师", &mut seq, now_ms());
    // 3 bytes a character: 1,700–6,800 characters make 5–20 KB.
    let chars = 1_700 + rng.below(5_100);
    let mut doc = Document::create(
        &NewDoc {
            id: uuid::Uuid::now_v7().to_string(),
            kind: DocKind::LESSON_PLAN,
            title: format!("儿科教学查房教案 {i}"),
            language: Lang::Zh,
            owner: owner.to_owned(),
        },
        actor,
        &mut c,
        Some(&json!({
            "learner_analysis": paragraph(rng, Lang::Zh, chars / 2),
            "summary": paragraph(rng, Lang::Zh, chars / 2),
        })),
    )
    .expect("a plan");
    if shared {
        doc.set_visibility(Visibility::Office, &mut c)
            .expect("sharing it");
    }
    doc
}

/// A teacher's edit: a sentence rewritten somewhere in the summary.
fn edit(d: &mut Device) -> Result<(), String> {
    let summary = d.doc.to_json()["summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let chars: Vec<char> = summary.chars().collect();
    let at = d.rng.below(chars.len().max(1));
    let cut = (at + 10 + d.rng.below(30)).min(chars.len());
    let len = 20 + d.rng.below(40);
    let sentence = paragraph(&mut d.rng, Lang::Zh, len);
    let new: String = chars[..at]
        .iter()
        .copied()
        .chain(sentence.chars())
        .chain(chars[cut..].iter().copied())
        .collect();
    let mut seq = SeqIds::new("e");
    let heads = d.doc.automerge_mut().get_heads();
    d.doc
        .apply_patch(
            &json!({ "summary": new }),
            &mut ctx("教师", &mut seq, now_ms()),
        )
        .map_err(|e| e.to_string())?;
    let fresh = d.doc.automerge_mut().get_changes(&heads);
    d.unpushed
        .extend(fresh.iter().map(|c| c.raw_bytes().to_vec()));
    Ok(())
}

/// What one sync (all its pages) brought.
struct Synced {
    items: usize,
}

async fn sync(client: &reqwest::Client, d: &mut Device) -> Result<Synced, String> {
    let mut items = 0;
    loop {
        let pushes = if d.unpushed.is_empty() {
            Vec::new()
        } else {
            vec![DocChanges {
                doc: rounds_proto::doc_id_from_str(d.doc.id()).ok_or("a document id")?,
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
            .post(format!("{}/v1/sync", d.url))
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
        if let Some(rej) = r.rejections.first() {
            return Err(format!("push refused: {}", rej.message));
        }
        if pushed && !r.acks.is_empty() {
            d.unpushed.clear();
        }
        items += r.items.len();
        d.cursor = r.cursor;
        if !r.more {
            return Ok(Synced { items });
        }
    }
}

/// CPU time (user + system) of the processes with these ids and of their
/// children that have ended, from `/proc/PID/stat` in clock ticks of 1/100
/// s (Linux's USER_HZ). PostgreSQL forks a process per connection and its
/// autovacuum workers; the time of those that ended is their parent's.
fn cpu_of(pids: &[u32]) -> Duration {
    let ticks: u64 = pids
        .iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok())
        .filter_map(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let mut t = 0;
            for i in 11..=14 {
                t += f.get(i)?.parse::<u64>().ok()?;
            }
            Some(t)
        })
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The PostgreSQL server's processes (named `postgres`), for its CPU time.
fn postgres_pids() -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .collect()
}

/// What a scenario's network starts from: each member's id, each device's
/// actor and the plan it will push, made on both cores before the devices
/// enrol (10,000 plans of 5–20 KB take about half a minute of both).
pub struct Prepared {
    members: Vec<String>,
    actors: Vec<automerge::ActorId>,
    /// Each plan and its changes, which the device pushes: taking a new
    /// document's changes out of Automerge costs as much as making it.
    plans: Vec<(Document, Vec<Vec<u8>>)>,
}

impl Prepared {
    pub fn new(devices: usize, members: usize, shared: usize) -> Prepared {
        // Ids from the index: the same in every office, unique in each.
        let id = |i: usize, tag: u128| uuid::Uuid::from_u128((tag << 64) | i as u128);
        let member_ids: Vec<String> = (0..devices).map(|i| id(i, 0xB0).to_string()).collect();
        let actors: Vec<automerge::ActorId> = (0..devices)
            .map(|i| automerge::ActorId::from(id(i, 0xAC).as_bytes().to_vec()))
            .collect();
        // On both cores: each plan from its own seed, so the plans do not
        // depend on how they were split.
        let half = devices.div_ceil(2).max(1);
        let plans: Vec<(Document, Vec<Vec<u8>>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..devices)
                .collect::<Vec<_>>()
                .chunks(half)
                .map(|chunk| {
                    let chunk = chunk.to_vec();
                    let (member_ids, actors) = (&member_ids, &actors);
                    s.spawn(move || {
                        chunk
                            .into_iter()
                            .map(|i| {
                                let mut rng = Rng::new(7_000 + i as u64);
                                let shared = i % members < shared;
                                let mut doc = new_plan(
                                    i,
                                    &member_ids[i],
                                    &mut rng,
                                    shared,
                                    actors[i].clone(),
                                );
                                let changes = doc
                                    .automerge_mut()
                                    .get_changes(&[])
                                    .iter()
                                    .map(|c| c.raw_bytes().to_vec())
                                    .collect();
                                (doc, changes)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("making the plans"))
                .collect()
        });
        Prepared {
            members: member_ids,
            actors,
            plans,
        }
    }
}

/// Devices set up at once before the clock starts: enough to keep both
/// cores busy through the request latency, few enough not to queue.
const SETUP_CONCURRENCY: usize = 8;

/// The outcome of one window: its figures, or its label and why it was not
/// measured.
pub type Outcome = Result<LoadResult, (String, String)>;

/// Sets the network up and measures each window in turn. A setup that
/// fails is the error of every window; a window that cannot start (a
/// failed move) is the error of it and those after it, and the windows
/// measured before it keep their figures.
pub fn run(sc: &Scenario, prep: &Prepared) -> Result<Vec<Outcome>, String> {
    if prep.plans.len() < sc.devices {
        return Err("fewer prepared plans than devices".to_owned());
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut url = sc.phases.first().and_then(Phase::url);
    let backend = Backend::open(url.as_deref(), dir.path())?;
    let svc = Service::new(backend.db(), Limits::default());
    let db = backend.db();
    let offices = sc.devices.div_ceil(sc.members);
    let mut codes = Vec::with_capacity(sc.devices);
    for o in 0..offices {
        let office = db
            .create_office(&new_id(), &format!("儿科虚拟教研室 {o}"), now_ms())
            .map_err(|e| e.to_string())?
            .id;
        for m in 0..sc.members.min(sc.devices - o * sc.members) {
            let member = db
                .add_member(
                    &prep.members[o * sc.members + m],
                    &office,
                    &format!("教师{o}-{m}"),
                    Role::LeadTeacher,
                    now_ms(),
                )
                .map_err(|e| e.to_string())?;
            codes.push(svc.issue_code(&member.id, 24).map_err(|e| e.to_string())?);
        }
    }
    drop(svc);
    drop(db);
    drop(backend);

    let serve = |n: usize, url: Option<&str>| -> Vec<OfficeProcess> {
        let mut office = Program::at(office_bin()).data(dir.path());
        if let Some(u) = url {
            office = office.arg("--database-url").arg(u);
        }
        (0..n)
            .map(|_| OfficeProcess::serve(&office, "127.0.0.1:0"))
            .collect()
    };
    let mut procs = serve(sc.phases.first().map_or(1, |p| p.processes), url.as_deref());
    let urls: Vec<String> = procs.iter().map(|p| p.url.clone()).collect();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("loadgen")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;

    // Enrolled for real, through the processes in turn, a few devices at
    // a time: one after another, setting up 10,000 devices took longer
    // than measuring them.
    let setup = Instant::now();
    let enrolled: Vec<EnrollResponse> = rt.block_on(async {
        futures::stream::iter(codes.iter().enumerate())
            .map(|(i, code)| {
                let client = &client;
                let url = &urls[i % urls.len()];
                let actor = &prep.actors[i];
                async move {
                    let e: EnrollResponse = client
                        .post(format!("{url}/v1/enroll"))
                        .json(&EnrollRequest {
                            code: code.clone(),
                            actor: actor.to_hex_string(),
                            device_name: format!("PC {i}"),
                        })
                        .send()
                        .await
                        .map_err(|e| e.to_string())?
                        .error_for_status()
                        .map_err(|e| e.to_string())?
                        .json()
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>(e)
                }
            })
            .buffered(SETUP_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>, String>>()
    })?;
    let mut devices: Vec<Device> = Vec::with_capacity(sc.devices);
    for (i, (e, (doc, changes))) in enrolled.into_iter().zip(&prep.plans).enumerate() {
        devices.push(Device {
            token: e.token,
            url: urls[i % urls.len()].clone(),
            cursor: Vec::new(),
            doc: doc.clone(),
            unpushed: changes.clone(),
            rng: Rng::new(1_000 + i as u64),
        });
    }
    eprintln!(
        "office: {} devices enrolled in {:.0} s",
        devices.len(),
        setup.elapsed().as_secs_f64()
    );

    // Everyone but the new devices pushes their plan, then reads the
    // office's material, before the clock starts: a few at a time, and
    // all the pushes before any of the reads.
    // Each window has its own new devices, which sync for the first time
    // in it: left out of the setup and of the windows before.
    let phases = sc.phases.len().max(1);
    let new_every = 1_000usize
        .checked_div(sc.new_per_mille * phases)
        .unwrap_or(usize::MAX);
    let new_in = |i: usize| {
        (i % new_every == new_every / 2 && i % sc.members >= sc.shared)
            .then(|| (i / new_every) % phases)
    };
    let mut material_bytes = 0u64;
    for _ in 0..2 {
        rt.block_on(async {
            futures::stream::iter(
                devices
                    .iter_mut()
                    .enumerate()
                    .filter(|(i, _)| new_in(*i).is_none())
                    .map(Ok::<_, String>),
            )
            .try_for_each_concurrent(SETUP_CONCURRENCY, |(_, d)| {
                let client = &client;
                async move { sync(client, d).await.map(|_| ()) }
            })
            .await
        })?;
    }
    eprintln!(
        "office: devices pushed and read their office's material after {:.0} s",
        setup.elapsed().as_secs_f64()
    );
    // The setup's documents, every one just pushed, wait for snapshot
    // compaction, which the office does in the background after a burst
    // like this. Folded here, through the same code, before the clock
    // starts: the window measures an office in its steady state, not one
    // still catching up with a whole network that enrolled in a minute.
    {
        let backend = Backend::open(url.as_deref(), dir.path())?;
        let svc = Service::new(backend.db(), Limits::default());
        while svc
            .compact_snapshots(rounds_office::http::COMPACT_BATCH)
            .map_err(|e| e.to_string())?
            > 0
        {}
    }
    eprintln!(
        "office: snapshots compacted after {:.0} s",
        setup.elapsed().as_secs_f64()
    );
    for d in devices.iter_mut().take(sc.shared) {
        material_bytes += d.doc.automerge_mut().save().len() as u64;
    }

    // Pushes often enough that about 5% of syncs bring something new: an
    // office's `shared` owners push with probability q each per sync, a
    // colleague's sync sees one of them with 1 − (1 − q)^shared ≈ 5%.
    let q = 1.0 - 0.95f64.powf(1.0 / sc.shared.max(1) as f64);
    let n = sc.devices;
    let mut devices: Vec<Option<Device>> = devices.into_iter().map(Some).collect();
    let mut results = Vec::new();
    for (phase, p) in sc.phases.iter().enumerate() {
        let processes = p.processes;
        if phase > 0 {
            // The next office: its processes on the same data, and every
            // device sent to them in turn.
            drop(std::mem::take(&mut procs));
            let next = p.url();
            if next != url {
                // Setting up 10,000 devices on each database took longer
                // than measuring them: the office is moved instead, as an
                // office outgrowing SQLite would be.
                let moved = Instant::now();
                let r = match (&next, &url) {
                    (Some(to), None) => rounds_office::backend::move_to_postgres(dir.path(), to),
                    _ => Err("a window may only move from SQLite to PostgreSQL".to_owned()),
                };
                let r = match r {
                    Ok(r) => r,
                    Err(e) => {
                        results.extend(sc.phases[phase..].iter().map(|p| {
                            Err((p.label(), format!("moving the office to PostgreSQL: {e}")))
                        }));
                        break;
                    }
                };
                eprintln!(
                    "office: moved to PostgreSQL in {:.0} s ({} log rows)",
                    moved.elapsed().as_secs_f64(),
                    r.tables
                        .iter()
                        .find(|t| t.table == "log")
                        .map_or(0, |t| t.rows)
                );
                url = next;
            }
            procs = serve(processes, url.as_deref());
            for (i, d) in devices.iter_mut().enumerate() {
                if let Some(d) = d {
                    d.url = procs[i % procs.len()].url.clone();
                }
            }
        }
        let syncs = Arc::new(AtomicU64::new(0));
        let pushes = Arc::new(AtomicU64::new(0));
        let brought = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
        let office_pids: Vec<u32> = procs.iter().map(OfficeProcess::pid).collect();
        // PostgreSQL's processes are listed again at the end: connections
        // opened in the window are new processes.
        let db_cpu = || {
            if url.is_some() {
                cpu_of(&postgres_pids())
            } else {
                Duration::ZERO
            }
        };
        // The devices that take part: those new in a later window have not
        // joined yet.
        let taking_part = (0..n)
            .filter(|&i| new_in(i).is_none_or(|p| p <= phase))
            .count();
        eprintln!(
            "office: the clock starts, {taking_part} devices for {} s, {}",
            sc.duration.as_secs(),
            p.label()
        );
        let cpu0 = (cpu_of(&office_pids), db_cpu());
        let start = Instant::now() + Duration::from_millis(200);
        let deadline = start + sc.duration;
        type Ran = (Vec<Duration>, Vec<Duration>, usize, Device);
        let (lat, first, back): (Vec<Duration>, Vec<Duration>, Vec<(usize, Device)>) =
            rt.block_on(async {
                let mut tasks = Vec::new();
                for (i, slot) in devices.iter_mut().enumerate() {
                    // Devices new in a later window have not joined yet.
                    if new_in(i).is_some_and(|p| p > phase) {
                        continue;
                    }
                    let Some(mut d) = slot.take() else { continue };
                    let client = client.clone();
                    let (syncs, pushes, brought, errors, first_error) = (
                        syncs.clone(),
                        pushes.clone(),
                        brought.clone(),
                        errors.clone(),
                        first_error.clone(),
                    );
                    let new = new_in(i) == Some(phase);
                    let owner_of_shared = i % sc.members < sc.shared;
                    let interval = sc.interval;
                    tasks.push(tokio::spawn(async move {
                        let (mut lat, mut first) = (Vec::new(), Vec::new());
                        // Spread over one interval, as real devices are.
                        let offset = interval.mul_f64(i as f64 / n as f64);
                        for k in 0u32.. {
                            let intended = start + offset + interval * k;
                            if intended >= deadline {
                                break;
                            }
                            tokio::time::sleep_until(intended.into()).await;
                            if !new || k > 0 {
                                let r = (d.rng.next_u64() % 1_000_000) as f64 / 1_000_000.0;
                                let push = if owner_of_shared { r < q } else { r < q / 4.0 };
                                if push && d.unpushed.is_empty() && edit(&mut d).is_ok() {
                                    pushes.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            match sync(&client, &mut d).await {
                                Ok(s) => {
                                    let took = intended.elapsed();
                                    syncs.fetch_add(1, Ordering::Relaxed);
                                    if new && k == 0 {
                                        first.push(took);
                                    } else if s.items > 0 {
                                        brought.fetch_add(1, Ordering::Relaxed);
                                    }
                                    lat.push(took);
                                }
                                Err(e) => {
                                    errors.fetch_add(1, Ordering::Relaxed);
                                    first_error.lock().unwrap().get_or_insert(e);
                                }
                            }
                        }
                        (lat, first, i, d) as Ran
                    }));
                }
                let (mut lat, mut first, mut back) = (Vec::new(), Vec::new(), Vec::new());
                for t in tasks {
                    if let Ok((l, f, i, d)) = t.await {
                        lat.extend(l);
                        first.extend(f);
                        back.push((i, d));
                    }
                }
                (lat, first, back)
            });
        let window = start.elapsed();
        let cpu1 = (cpu_of(&office_pids), db_cpu());
        for (i, d) in back {
            devices[i] = Some(d);
        }
        let mut lat = lat;
        lat.sort();
        let mut first = first;
        first.sort();
        let first_error = first_error.lock().unwrap().clone();
        results.push(Ok(LoadResult {
            label: p.label(),
            network: sc.devices,
            devices: taking_part,
            offices,
            interval: sc.interval,
            window,
            syncs: syncs.load(Ordering::Relaxed),
            pushes: pushes.load(Ordering::Relaxed),
            brought: brought.load(Ordering::Relaxed),
            first_syncs: first.len() as u64,
            errors: errors.load(Ordering::Relaxed),
            first_error,
            p50: percentile(&lat, 50.0),
            p99: percentile(&lat, 99.0),
            max: lat.last().copied().unwrap_or_default(),
            first_p99: percentile(&first, 99.0),
            office_cpu: cpu1.0.saturating_sub(cpu0.0),
            db_cpu: cpu1.1.saturating_sub(cpu0.1),
            material_bytes,
        }));
    }
    drop(procs);
    Ok(results)
}
