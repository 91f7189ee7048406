//! A deterministic, seeded simulation of several teachers and an office,
//! with faults: requests and responses lost, requests delivered twice,
//! office restarts and client crashes (reopening what is on disk) between
//! any two steps. After the network heals and everyone syncs, every replica
//! must agree with the office, every saved edit must be present unless a
//! later edit removed it, and no replica may hold a document it may not read.
//!
//! `cargo test -p rounds-tests --test sim -- --nocapture` prints the counts.
//! `SIM_SEEDS=500 SIM_STEPS=300` (see `make soak`) runs more. A failing seed
//! is printed with the command that replays it; add it to
//! `tests/regressions/sim-seeds.txt` so it runs forever after.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use rounds_client::{ClientError, Transport};
use rounds_core::doc::Visibility;
use rounds_core::generate::Rng;
use rounds_core::schema::{DocKind, Lang};
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Limits, Service, new_id};
use rounds_office::sqlite::SqliteDb;
use rounds_proto::{EnrollRequest, SyncRequest};
use rounds_store::{Filter, Store};
use serde_json::{Value, json};

/// The office, restartable: transports reach it through this cell.
struct OfficeCell {
    dir: PathBuf,
    service: Arc<Service>,
    db: Arc<SqliteDb>,
}

impl OfficeCell {
    fn open(dir: PathBuf) -> OfficeCell {
        let db = Arc::new(SqliteDb::open_dir(&dir).unwrap());
        // Small pages so that paging and resuming are exercised.
        let limits = Limits {
            page_bytes: 16 << 10,
            ..Limits::default()
        };
        OfficeCell {
            service: Arc::new(Service::new(db.clone(), limits)),
            db,
            dir,
        }
    }

    fn restart(&mut self) {
        *self = OfficeCell::open(self.dir.clone());
    }
}

#[derive(Default, Debug)]
struct Counts {
    operations: u64,
    faults: u64,
    restarts: u64,
    crashes: u64,
    syncs: u64,
    edits_checked: u64,
    edits_lost: u64,
}

/// What the next exchange does wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    None,
    LoseRequest,
    LoseResponse,
    Duplicate,
}

struct Direct {
    office: Rc<RefCell<OfficeCell>>,
    token: String,
    fault: Fault,
}

impl Transport for Direct {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        let fault = std::mem::replace(&mut self.fault, Fault::None);
        if fault == Fault::LoseRequest {
            return Err(ClientError::Offline("request lost".into()));
        }
        let office = self.office.borrow();
        let svc = &office.service;
        let ctx = svc
            .authenticate(Some(&format!("Bearer {}", self.token)))
            .map_err(|e| ClientError::Unauthorized(e.message))?;
        let req = SyncRequest::decode(&request, 1 << 26)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let times = if fault == Fault::Duplicate { 2 } else { 1 };
        let mut resp = None;
        for _ in 0..times {
            let r = svc
                .sync(&ctx, req.clone())
                .map_err(|e| ClientError::Office {
                    status: e.status,
                    code: e.code.into(),
                    message: e.message,
                })?;
            resp = Some(r.encode());
        }
        if fault == Fault::LoseResponse {
            return Err(ClientError::Offline("response lost".into()));
        }
        Ok(resp.unwrap_or_default())
    }
}

struct Client {
    name: String,
    dir: tempfile::TempDir,
    store: Store,
    token: String,
    revoked: bool,
    device: String,
}

impl Client {
    fn reopen(&mut self) {
        // A crash: everything in memory is gone; what was committed is on disk.
        self.store = Store::open_dir(self.dir.path()).unwrap();
    }
}

/// A marker inserted by an edit: which document, and whether it sits in a
/// list row (which a later removal may legitimately take away).
#[derive(Debug, Clone)]
struct Marker {
    doc: String,
    text: String,
    row: Option<String>,
    by: usize,
}

struct Sim {
    rng: Rng,
    office: Rc<RefCell<OfficeCell>>,
    office_id: String,
    clients: Vec<Client>,
    outsider: Client,
    markers: Vec<Marker>,
    removed_rows: BTreeSet<String>,
    counts: Counts,
    next_marker: u64,
    _dir: tempfile::TempDir,
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let cell = OfficeCell::open(dir.path().join("office"));
        let office_id = cell
            .db
            .create_office(&new_id(), "模拟教研室", 0)
            .unwrap()
            .id;
        let other = cell
            .db
            .create_office(&new_id(), "另一教研室", 0)
            .unwrap()
            .id;
        let office = Rc::new(RefCell::new(cell));
        let mut sim = Sim {
            rng: Rng::new(seed),
            office,
            office_id: office_id.clone(),
            clients: Vec::new(),
            outsider: Client {
                name: String::new(),
                dir: tempfile::tempdir().unwrap(),
                store: Store::open_in_memory().unwrap(),
                token: String::new(),
                revoked: false,
                device: String::new(),
            },
            markers: Vec::new(),
            removed_rows: BTreeSet::new(),
            counts: Counts::default(),
            next_marker: 0,
            _dir: dir,
        };
        for i in 0..3 {
            let c = sim.enroll(&office_id, &format!("老师{i}"));
            sim.clients.push(c);
        }
        sim.outsider = sim.enroll(&other, "外院老师");
        sim
    }

    fn enroll(&mut self, office: &str, name: &str) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_dir(dir.path()).unwrap();
        store.set_user_name(name).unwrap();
        let cell = self.office.borrow();
        let member = cell
            .db
            .add_member(&new_id(), office, name, Role::Teacher, 0)
            .unwrap()
            .id;
        let code = cell.service.issue_code(&member, 24).unwrap();
        let e = cell
            .service
            .enroll(
                &EnrollRequest {
                    code,
                    actor: store.actor().to_hex_string(),
                    device_name: name.into(),
                },
                "sim",
            )
            .unwrap();
        Client {
            name: name.into(),
            dir,
            store,
            token: e.token,
            revoked: false,
            device: e.device_id,
        }
    }

    fn marker(&mut self) -> String {
        self.next_marker += 1;
        format!("⟪m{}⟫", self.next_marker)
    }

    fn fault(&mut self) -> Fault {
        match self.rng.below(10) {
            0 => Fault::LoseRequest,
            1 => Fault::LoseResponse,
            2 => Fault::Duplicate,
            _ => Fault::None,
        }
    }

    fn sync(&mut self, c: usize, fault: Fault) {
        if fault != Fault::None {
            self.counts.faults += 1;
        }
        self.counts.syncs += 1;
        let mut t = Direct {
            office: self.office.clone(),
            token: self.clients[c].token.clone(),
            fault,
        };
        let r = rounds_client::sync(&mut self.clients[c].store, &mut t, &|| 1_700_000_000_000);
        if std::env::var("SIM_TRACE").is_ok() {
            match &r {
                Ok(rep) => {
                    for rej in &rep.rejections {
                        eprintln!(
                            "  {} sync rejected {} {}: {}",
                            self.clients[c].name, rej.doc, rej.code, rej.message
                        );
                    }
                }
                Err(e) => eprintln!("  {} sync failed ({fault:?}): {e}", self.clients[c].name),
            }
        }
    }

    /// Documents client `c` can edit now: its own, and the shared ones it has.
    fn docs_of(&self, c: usize) -> Vec<(String, DocKind)> {
        self.clients[c]
            .store
            .list(&Filter::default())
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.kind))
            .collect()
    }

    fn step(&mut self) {
        self.counts.operations += 1;
        let c = self.rng.below(self.clients.len());
        if self.clients[c].revoked && self.rng.below(2) == 0 {
            return;
        }
        match self.rng.below(20) {
            0..=1 => {
                let m = self.marker();
                let share = self.rng.below(3) > 0;
                let store = &mut self.clients[c].store;
                let s = store
                    .create(
                        DocKind::LessonPlan,
                        &format!("教案{m}"),
                        Lang::Zh,
                        Some(&json!({"summary": m})),
                    )
                    .unwrap();
                if share {
                    store.set_visibility(&s.id, Visibility::Office).unwrap();
                }
                self.markers.push(Marker {
                    doc: s.id,
                    text: m,
                    row: None,
                    by: c,
                });
            }
            2 => {
                let m = self.marker();
                let store = &mut self.clients[c].store;
                let private = store
                    .create(
                        DocKind::Case,
                        "病例",
                        Lang::Zh,
                        Some(&json!({"chief_complaint": m})),
                    )
                    .unwrap();
                let shared = store.share(&private.id, true).unwrap();
                self.markers.push(Marker {
                    doc: shared.id,
                    text: m,
                    row: None,
                    by: c,
                });
            }
            3..=9 => {
                // Insert a marker somewhere in a text field.
                let docs = self.docs_of(c);
                if docs.is_empty() {
                    return;
                }
                let (id, kind) = docs[self.rng.below(docs.len())].clone();
                let field = if kind == DocKind::Case {
                    *self
                        .rng
                        .pick(&["present_illness", "management", "teaching_points"])
                } else {
                    *self
                        .rng
                        .pick(&["summary", "learner_analysis", "reflection"])
                };
                let m = self.marker();
                let store = &mut self.clients[c].store;
                let cur: Vec<char> = store.load(&id).unwrap().to_json()[field]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .collect();
                let at = self.rng.below(cur.len() + 1);
                // Insert only between markers, never inside one.
                let at = (0..=at)
                    .rev()
                    .find(|&i| i == 0 || cur[i - 1] == '⟫')
                    .unwrap_or(0);
                let new: String = cur[..at]
                    .iter()
                    .copied()
                    .chain(m.chars())
                    .chain(cur[at..].iter().copied())
                    .collect();
                store.edit(&id, &json!({ field: new })).unwrap();
                self.markers.push(Marker {
                    doc: id,
                    text: m,
                    row: None,
                    by: c,
                });
            }
            10..=13 => {
                // List rows: add, remove, move, edit.
                let docs: Vec<_> = self
                    .docs_of(c)
                    .into_iter()
                    .filter(|(_, k)| *k == DocKind::LessonPlan)
                    .collect();
                if docs.is_empty() {
                    return;
                }
                let id = docs[self.rng.below(docs.len())].0.clone();
                let store = &mut self.clients[c].store;
                let mut rows: Vec<Value> = store.load(&id).unwrap().to_json()["process"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let action = self.rng.below(4);
                let n = rows.len();
                let mut new_marker = None;
                match action {
                    0 => {
                        self.next_marker += 1;
                        let m = format!("⟪m{}⟫", self.next_marker);
                        rows.insert(self.rng.below(n + 1), json!({"stage": m}));
                        new_marker = Some(m);
                    }
                    1 if n > 0 => {
                        let r = rows.remove(self.rng.below(n));
                        self.removed_rows
                            .insert(r["id"].as_str().unwrap_or_default().to_owned());
                    }
                    2 if n > 1 => {
                        let r = rows.remove(self.rng.below(n));
                        rows.insert(self.rng.below(n), r);
                    }
                    3 if n > 0 => {
                        let i = self.rng.below(n);
                        rows[i]["minutes"] = json!(self.rng.below(90));
                    }
                    _ => return,
                }
                store.edit(&id, &json!({"process": rows})).unwrap();
                if let Some(m) = new_marker {
                    let row = store.load(&id).unwrap().to_json()["process"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|r| r["stage"] == m.as_str())
                        .and_then(|r| r["id"].as_str().map(str::to_owned));
                    self.markers.push(Marker {
                        doc: id,
                        text: m,
                        row,
                        by: c,
                    });
                }
            }
            14 => {
                // Only a document's owner may move it to the trash (the
                // office refuses anyone else), as the app offers it.
                let store = &self.clients[c].store;
                let docs: Vec<_> = self
                    .docs_of(c)
                    .into_iter()
                    .filter(|(id, _)| store.summary(id).is_ok_and(|s| s.owner == store.user_id()))
                    .collect();
                if let Some((id, _)) = docs.get(self.rng.below(docs.len().max(1))) {
                    let store = &mut self.clients[c].store;
                    if self.rng.below(2) == 0 {
                        store.delete(id).unwrap();
                    } else {
                        let _ = store.restore(id);
                    }
                }
            }
            15..=17 => {
                let f = self.fault();
                self.sync(c, f);
            }
            18 => {
                self.clients[c].reopen();
                self.counts.crashes += 1;
            }
            _ => match self.rng.below(12) {
                0 => {
                    self.office.borrow_mut().restart();
                    self.counts.restarts += 1;
                }
                1 if self.clients.len() < 6 => {
                    let name = format!("新老师{}", self.clients.len());
                    let office_id = self.office_id.clone();
                    let nc = self.enroll(&office_id, &name);
                    self.clients.push(nc);
                }
                2 if self.clients.iter().filter(|c| !c.revoked).count() > 2 => {
                    let device = self.clients[c].device.clone();
                    self.office.borrow().db.revoke_device(&device, 1).unwrap();
                    self.clients[c].revoked = true;
                }
                _ => {}
            },
        }
    }

    /// Heal the network and sync everyone until nothing moves.
    fn heal(&mut self) {
        for _ in 0..4 {
            for c in 0..self.clients.len() {
                self.sync(c, Fault::None);
            }
        }
        let mut t = Direct {
            office: self.office.clone(),
            token: self.outsider.token.clone(),
            fault: Fault::None,
        };
        let _ = rounds_client::sync(&mut self.outsider.store, &mut t, &|| 1);
    }

    fn office_doc(&self, id: &str) -> Option<Value> {
        let cell = self.office.borrow();
        let (snapshot, _, rest, _) = cell.db.doc_log_since_snapshot(id).ok()?;
        rounds_core::Document::load(&[snapshot, rest].concat())
            .ok()
            .map(|d| d.to_json())
    }

    fn check(&mut self) -> Result<(), String> {
        let live: Vec<usize> = (0..self.clients.len())
            .filter(|&c| !self.clients[c].revoked)
            .collect();
        // Every live replica agrees with the office on every document it holds
        // that the office has.
        let mut all_docs: BTreeMap<String, Value> = BTreeMap::new();
        for &c in &live {
            let cl = &self.clients[c];
            let mut rows = cl.store.list(&Filter::default()).unwrap();
            rows.extend(
                cl.store
                    .list(&Filter {
                        deleted: true,
                        ..Filter::default()
                    })
                    .unwrap(),
            );
            for s in rows {
                let mine = cl.store.load(&s.id).unwrap().to_json();
                let is_private_case =
                    s.kind == DocKind::Case && s.visibility == Visibility::Private;
                match self.office_doc(&s.id) {
                    Some(o) => {
                        if o != mine {
                            let diff: Vec<String> = mine
                                .as_object()
                                .unwrap()
                                .iter()
                                .filter(|(k, v)| o.get(k.as_str()) != Some(v))
                                .map(|(k, v)| {
                                    format!(
                                        "{k}: mine {v} office {}",
                                        o.get(k.as_str()).cloned().unwrap_or_default()
                                    )
                                })
                                .collect();
                            let info = cl.store.sync_info().unwrap();
                            let why: Option<String> = cl
                                .store
                                .connection()
                                .query_row(
                                    "SELECT rejected_code || ': ' || rejected_message FROM sync_docs s JOIN documents d ON d.doc = s.doc WHERE d.id = ?1",
                                    [&s.id],
                                    |r| r.get(0),
                                )
                                .ok()
                                .flatten();
                            return Err(format!(
                                "{} disagrees with the office on {} ({:?} {:?}, pending {}, rejected {} {:?}, held {}): {}",
                                cl.name,
                                s.id,
                                s.kind,
                                s.visibility,
                                info.pending_docs,
                                info.rejected_docs,
                                why,
                                info.held_docs,
                                diff.join("; ")
                            ));
                        }
                        all_docs.insert(s.id.clone(), o);
                    }
                    None if is_private_case => {}
                    None => {
                        return Err(format!(
                            "{} holds {} which never reached the office",
                            cl.name, s.id
                        ));
                    }
                }
                // Nobody holds another member's private document.
                if s.visibility == Visibility::Private && s.owner != cl.store.user_id() {
                    return Err(format!(
                        "{} holds another teacher's private {}",
                        cl.name, s.id
                    ));
                }
            }
        }
        if !self
            .outsider
            .store
            .list(&Filter::default())
            .unwrap()
            .is_empty()
        {
            return Err("another office received documents".into());
        }
        // Every saved edit of a live client is present, unless its row was removed.
        for m in &self.markers {
            if self.clients[m.by].revoked {
                continue;
            }
            if m.row
                .as_ref()
                .is_some_and(|r| self.removed_rows.contains(r))
            {
                continue;
            }
            self.counts.edits_checked += 1;
            let present = match self.office_doc(&m.doc) {
                Some(o) => o.to_string().contains(&m.text),
                None => self.clients[m.by]
                    .store
                    .load(&m.doc)
                    .map(|d| d.to_json().to_string().contains(&m.text))
                    .unwrap_or(false),
            };
            if !present {
                self.counts.edits_lost += 1;
                return Err(format!(
                    "edit {} by {} in {} was lost",
                    m.text, self.clients[m.by].name, m.doc
                ));
            }
        }
        Ok(())
    }
}

fn run(seed: u64, steps: usize) -> Result<Counts, String> {
    let mut sim = Sim::new(seed);
    for _ in 0..steps {
        sim.step();
    }
    sim.heal();
    sim.check().map(|()| sim.counts)
}

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn replicas_converge_under_faults() {
    let seeds = env_usize("SIM_SEEDS", 12);
    let steps = env_usize("SIM_STEPS", 120);
    let first = env_usize("SIM_FIRST_SEED", 1) as u64;
    let regressions: Vec<u64> = include_str!("regressions/sim-seeds.txt")
        .lines()
        .filter_map(|l| l.split('#').next()?.trim().parse().ok())
        .collect();
    let mut total = Counts::default();
    let mut schedules = 0;
    let mut failures = Vec::new();
    for seed in regressions
        .iter()
        .copied()
        .chain(first..first + seeds as u64)
    {
        schedules += 1;
        match run(seed, steps) {
            Ok(c) => {
                total.operations += c.operations;
                total.faults += c.faults;
                total.restarts += c.restarts;
                total.crashes += c.crashes;
                total.syncs += c.syncs;
                total.edits_checked += c.edits_checked;
            }
            Err(e) => {
                total.edits_lost += 1;
                failures.push(format!(
                    "seed {seed}: {e}\n  replay: SIM_SEEDS=1 SIM_FIRST_SEED={seed} SIM_STEPS={steps} cargo test -p rounds-tests --test sim -- --nocapture"
                ));
            }
        }
    }
    println!(
        "simulation: {schedules} schedules, {} operations, {} syncs, {} faults injected, {} office restarts, {} client crashes, {} edits checked, {} edits lost",
        total.operations,
        total.syncs,
        total.faults,
        total.restarts,
        total.crashes,
        total.edits_checked,
        total.edits_lost
    );
    assert!(
        failures.is_empty(),
        "{} failing seeds (add them to tests/regressions/sim-seeds.txt):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
