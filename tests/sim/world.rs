//! The simulated world of `tests/sim.rs`: an office, teachers' devices with
//! two connections each, a clock and a network that loses and repeats
//! messages. Everything random comes from the schedule's seed.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use rounds_client::{ClientError, Transport};
use rounds_core::doc::Visibility;
use rounds_core::generate::Rng;
use rounds_core::schema::{DocKind, Lang};
use rounds_core::{ChangeHash, Document};
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Limits, Service};
use rounds_office::sqlite::SqliteDb;
use rounds_proto::{EnrollRequest, SyncRequest};
use rounds_store::{Filter, SeededEntropy, Store};
use serde_json::{Value, json};

#[path = "usb.rs"]
mod usb;

/// One clock for the whole world, moved on by every step: the stores and
/// the office read it instead of the system's.
#[derive(Clone)]
pub struct SimClock(Arc<AtomicI64>);

impl SimClock {
    fn new() -> SimClock {
        SimClock(Arc::new(AtomicI64::new(1_700_000_000_000)))
    }

    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    fn store_clock(&self) -> rounds_store::Clock {
        let c = self.0.clone();
        Box::new(move || c.load(Ordering::SeqCst))
    }

    fn office_clock(&self) -> rounds_office::service::Clock {
        let c = self.0.clone();
        Box::new(move || c.load(Ordering::SeqCst))
    }
}

fn splitmix(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of one part of a schedule (the office after its n-th restart,
/// a device's editor after its n-th crash, ...): each part draws its own
/// stream, so what one part draws never shifts another's.
fn sub_seed(seed: u64, part: &[u64]) -> u64 {
    part.iter()
        .fold(splitmix(seed), |x, p| splitmix(x ^ splitmix(*p)))
}

const OFFICE_PART: u64 = 1;
const EPOCH_PART: u64 = 2;
const PROCESS_PART: u64 = 4;
const DEVICE_PART: u64 = 3;
const EDITOR: u64 = 0;
const WORKER: u64 = 1;

/// Where the simulated office keeps its data.
pub enum Backend {
    /// One SQLite file: the office's default.
    Sqlite,
    /// A PostgreSQL database (its URL), shared by every process.
    Postgres(String),
}

/// One office process: its own service (rate limits, wake-up channel,
/// per-device bookkeeping) over its own database handle (for PostgreSQL its
/// own pool). Nothing passes between processes but the database, as
/// between `rounds-office serve` processes behind a load balancer.
pub struct Process {
    pub service: Arc<Service>,
    pub db: Arc<dyn OfficeDb>,
    /// The SQLite handle, for dumps; None on PostgreSQL.
    sqlite: Option<Arc<SqliteDb>>,
    restarts: u64,
}

/// The office: one or several processes on one database, each restartable
/// on its own. Transports reach it through this cell.
pub struct OfficeCell {
    dir: PathBuf,
    backend: Backend,
    seed: u64,
    clock: SimClock,
    pub processes: Vec<Process>,
}

impl OfficeCell {
    fn open(
        dir: PathBuf,
        backend: Backend,
        count: usize,
        seed: u64,
        clock: SimClock,
    ) -> OfficeCell {
        let mut cell = OfficeCell {
            dir,
            backend,
            seed,
            clock,
            processes: Vec::new(),
        };
        for i in 0..count {
            let p = cell.start(i, 0);
            cell.processes.push(p);
        }
        cell
    }

    fn start(&self, index: usize, restarts: u64) -> Process {
        let epoch = sub_seed(self.seed, &[EPOCH_PART]) as u32;
        let (db, sqlite): (Arc<dyn OfficeDb>, _) = match &self.backend {
            Backend::Sqlite => {
                let db = Arc::new(SqliteDb::open_dir_with_epoch(&self.dir, epoch).unwrap());
                (db.clone(), Some(db))
            }
            Backend::Postgres(url) => (
                Arc::new(rounds_office::pg::PgDb::connect_with_epoch(url, epoch).unwrap()),
                None,
            ),
        };
        // Small pages so that paging and resuming are exercised. One
        // thread validates a request's pushes: on several, the order of
        // their log rows would depend on the threads, and a seed would not
        // replay byte for byte.
        let limits = Limits {
            page_bytes: 16 << 10,
            push_workers: 1,
            ..Limits::default()
        };
        // The first process draws the stream a one-process office always
        // drew, so saved regression seeds keep their schedules.
        let part = if index == 0 {
            vec![OFFICE_PART, restarts]
        } else {
            vec![OFFICE_PART, restarts, PROCESS_PART, index as u64]
        };
        let service = Service::new(db.clone(), limits)
            .with_clock(self.clock.office_clock())
            .with_entropy(Box::new(SeededEntropy::new(sub_seed(self.seed, &part))));
        Process {
            service: Arc::new(service),
            db,
            sqlite,
            restarts,
        }
    }

    /// Process `index` stops (what it held in memory is gone) and starts
    /// again on the same database.
    fn restart(&mut self, index: usize) {
        let restarts = self.processes[index].restarts + 1;
        self.processes[index] = self.start(index, restarts);
    }

    /// The process that answers administrative steps.
    pub fn first(&self) -> &Process {
        &self.processes[0]
    }
}

#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub operations: u64,
    pub faults: u64,
    pub restarts: u64,
    pub crashes: u64,
    pub syncs: u64,
    pub edits_checked: u64,
    pub edits_lost: u64,
    /// Editor saves based on heads older than the document on disk: the
    /// sync worker's connection committed between the editor's read and
    /// its save.
    pub interleavings: u64,
    /// Snapshots brought up to date by the processes' compaction.
    pub compactions: u64,
    /// Exchanges each office process answered.
    pub by_process: Vec<u64>,
    /// Bundle round trips of a site without a link (`with_usb_site`).
    pub bundles: u64,
}

/// What the next exchange does wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    None,
    LoseRequest,
    LoseResponse,
    Duplicate,
}

struct Direct {
    office: Rc<RefCell<OfficeCell>>,
    /// The process the load balancer sends this exchange to.
    process: usize,
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
        let svc = &office.processes[self.process].service;
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

/// What the device's open editor shows: a document as it was at `base`
/// (the version its values were taken from, or that its last save became).
#[derive(Clone, Debug)]
struct Open {
    id: String,
    kind: DocKind,
    shown: Value,
    base: Vec<ChangeHash>,
}

/// One teacher's device, as in the desktop app: the editor and the sync
/// worker each have their own connection to the one database file.
pub struct Client {
    pub name: String,
    index: u64,
    dir: tempfile::TempDir,
    /// Crashes so far: each reopening draws fresh streams.
    generation: u64,
    pub editor: Store,
    pub worker: Store,
    open: Option<Open>,
    token: String,
    pub revoked: bool,
    device: String,
}

fn connection(dir: &Path, seed: u64, index: u64, which: u64, gen_: u64, clock: &SimClock) -> Store {
    Store::open_with(
        &dir.join("rounds.sqlite3"),
        clock.store_clock(),
        Box::new(SeededEntropy::new(sub_seed(
            seed,
            &[DEVICE_PART, index, which, gen_],
        ))),
    )
    .unwrap()
}

impl Client {
    fn reopen(&mut self, seed: u64, clock: &SimClock) {
        // A crash: everything in memory is gone (the editor's view too);
        // what was committed is on disk.
        self.generation += 1;
        let (dir, i, g) = (self.dir.path(), self.index, self.generation);
        self.editor = connection(dir, seed, i, EDITOR, g, clock);
        self.worker = connection(dir, seed, i, WORKER, g, clock);
        self.open = None;
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
    /// Written in a comment thread, not a field.
    comment: bool,
}

pub struct Sim {
    seed: u64,
    rng: Rng,
    clock: SimClock,
    office: Rc<RefCell<OfficeCell>>,
    office_id: String,
    pub clients: Vec<Client>,
    pub outsider: Client,
    markers: Vec<Marker>,
    removed_rows: BTreeSet<String>,
    pub counts: Counts,
    next_marker: u64,
    next_client: u64,
    /// The client that syncs only by USB bundle, if any.
    usb: Option<usize>,
    /// The last return bundle it imported (carried in again later).
    last_return: Option<Vec<u8>>,
    _dir: tempfile::TempDir,
}

/// The first of the private-use characters that delimit markers.
const MARK: u32 = 0xF0000;

/// Marker `n`: `m<n>` between an opening and a closing character that no
/// other marker (and no other text) uses. A save is a diff of the whole
/// field, and with delimiters shared by all markers the diff may place an
/// insertion as a rotation of it ("m5⟫⟪" after a "⟪" instead of "⟪m5⟫"
/// after a "⟫"); two such insertions at one place then interleave
/// character by character, every character kept but no marker whole.
/// Unique delimiters leave the diff one way to place each marker.
fn marker(n: u64) -> String {
    let open = char::from_u32(MARK + 2 * n as u32).unwrap_or('?');
    let close = char::from_u32(MARK + 2 * n as u32 + 1).unwrap_or('?');
    format!("{open}m{n}{close}")
}

fn is_marker_end(c: char) -> bool {
    (c as u32) >= MARK && !(c as u32 - MARK).is_multiple_of(2)
}

/// Markers as people read them, for messages.
pub fn readable(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            x if x >= MARK && (x - MARK).is_multiple_of(2) => '⟪',
            x if x >= MARK => '⟫',
            _ => c,
        })
        .collect()
}

fn sorted(h: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut h = h.to_vec();
    h.sort();
    h
}

impl Sim {
    /// A world whose office is one process on SQLite.
    pub fn new(seed: u64) -> Sim {
        Sim::with_office(seed, Backend::Sqlite, 1)
    }

    /// A world whose office is `processes` processes on `backend`; each
    /// exchange goes to one of them at random, as through a load balancer.
    pub fn with_office(seed: u64, backend: Backend, processes: usize) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let clock = SimClock::new();
        let cell = OfficeCell::open(
            dir.path().join("office"),
            backend,
            processes,
            seed,
            clock.clone(),
        );
        let now = clock.now();
        let first = cell.first();
        let office_id = first
            .db
            .create_office(&first.service.fresh_id(), "模拟教研室", now)
            .unwrap()
            .id;
        let other = first
            .db
            .create_office(&first.service.fresh_id(), "另一教研室", now)
            .unwrap()
            .id;
        let office = Rc::new(RefCell::new(cell));
        let placeholder = tempfile::tempdir().unwrap();
        let outsider = Client {
            name: String::new(),
            index: u64::MAX,
            editor: Store::open_in_memory().unwrap(),
            worker: Store::open_in_memory().unwrap(),
            dir: placeholder,
            generation: 0,
            open: None,
            token: String::new(),
            revoked: false,
            device: String::new(),
        };
        let mut sim = Sim {
            seed,
            rng: Rng::new(seed),
            clock,
            office,
            office_id: office_id.clone(),
            clients: Vec::new(),
            outsider,
            markers: Vec::new(),
            removed_rows: BTreeSet::new(),
            counts: Counts::default(),
            next_marker: 0,
            next_client: 0,
            usb: None,
            last_return: None,
            _dir: dir,
        };
        for i in 0..3 {
            let c = sim.enroll(&office_id, &format!("老师{i}"));
            sim.clients.push(c);
        }
        sim.outsider = sim.enroll(&other, "外院老师");
        sim
    }

    /// [`Sim::new`] with its first teacher at a site without a link: that
    /// device syncs only by USB bundle, through the same faults.
    pub fn with_usb_site(seed: u64) -> Sim {
        let mut sim = Sim::new(seed);
        sim.register_usb_key(0);
        sim.usb = Some(0);
        sim
    }

    fn enroll(&mut self, office: &str, name: &str) -> Client {
        let index = self.next_client;
        self.next_client += 1;
        let dir = tempfile::tempdir().unwrap();
        let mut editor = connection(dir.path(), self.seed, index, EDITOR, 0, &self.clock);
        editor.set_user_name(name).unwrap();
        // Opened after the name is set: a connection reads it when it opens.
        let worker = connection(dir.path(), self.seed, index, WORKER, 0, &self.clock);
        let cell = self.office.borrow();
        let first = cell.first();
        let member = first
            .db
            .add_member(
                &first.service.fresh_id(),
                office,
                name,
                Role::Teacher,
                self.clock.now(),
            )
            .unwrap()
            .id;
        let code = first.service.issue_code(&member, 24).unwrap();
        let e = first
            .service
            .enroll(
                &EnrollRequest {
                    code,
                    actor: worker.actor().to_hex_string(),
                    device_name: name.into(),
                },
                "sim",
            )
            .unwrap();
        // What joining stores: the member this device acts as.
        worker.sync_set("member_id", Some(&e.member_id)).unwrap();
        worker.sync_set("role", Some(&e.role)).unwrap();
        Client {
            name: name.into(),
            index,
            dir,
            generation: 0,
            editor,
            worker,
            open: None,
            token: e.token,
            revoked: false,
            device: e.device_id,
        }
    }

    /// With `SIM_TRACE` set, says what a step did (to read a failing seed).
    fn trace(&self, c: usize, what: impl FnOnce() -> String) {
        if std::env::var("SIM_TRACE").is_ok() {
            eprintln!("  {} {}", self.clients[c].name, readable(&what()));
        }
    }

    fn marker(&mut self) -> String {
        self.next_marker += 1;
        marker(self.next_marker)
    }

    /// The process the next exchange reaches. A one-process office draws
    /// nothing, so its schedules are those it always had.
    fn process(&mut self) -> usize {
        let n = self.office.borrow().processes.len();
        if n == 1 { 0 } else { self.rng.below(n) }
    }

    fn fault(&mut self) -> Fault {
        match self.rng.below(10) {
            0 => Fault::LoseRequest,
            1 => Fault::LoseResponse,
            2 => Fault::Duplicate,
            _ => Fault::None,
        }
    }

    /// The sync worker's connection syncs with the office.
    fn sync(&mut self, c: usize, fault: Fault) {
        if fault != Fault::None {
            self.counts.faults += 1;
        }
        if self.usb == Some(c) {
            return self.bundle_sync(c, fault);
        }
        self.counts.syncs += 1;
        let process = self.process();
        if self.counts.by_process.len() <= process {
            self.counts.by_process.resize(process + 1, 0);
        }
        self.counts.by_process[process] += 1;
        let mut t = Direct {
            office: self.office.clone(),
            process,
            token: self.clients[c].token.clone(),
            fault,
        };
        let clock = self.clock.clone();
        let r = rounds_client::sync(&mut self.clients[c].worker, &mut t, &|| clock.now());
        self.trace(c, || format!("syncs ({fault:?})"));
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
            .editor
            .list(&Filter::default())
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.kind))
            .collect()
    }

    /// The editor shows `id` as it is now (opening it, or taking the
    /// merged view after a colleague's change arrived).
    fn show(&mut self, c: usize, id: &str) {
        let cl = &mut self.clients[c];
        let mut doc = cl.editor.load(id).unwrap();
        let heads = doc.heads();
        self.trace(c, || format!("shows {id} at {heads:?}"));
        let cl = &mut self.clients[c];
        cl.open = Some(Open {
            id: id.to_owned(),
            kind: doc.kind(),
            shown: doc.to_json(),
            base: heads,
        });
    }

    /// The editor's document, opening one (of `kind`, if given) when it
    /// shows none or another kind.
    fn open_doc(&mut self, c: usize, kind: Option<DocKind>) -> Option<Open> {
        if let Some(o) = &self.clients[c].open
            && kind.is_none_or(|k| k == o.kind)
        {
            return Some(o.clone());
        }
        let docs: Vec<_> = self
            .docs_of(c)
            .into_iter()
            .filter(|(_, k)| kind.is_none_or(|want| want == *k))
            .collect();
        if docs.is_empty() {
            return None;
        }
        let id = docs[self.pick_doc(docs.len())].0.clone();
        self.show(c, &id);
        self.clients[c].open.clone()
    }

    /// Which of `n` listed documents (most recently changed first) an
    /// editor opens: mostly one of the few everyone is working on, as in a
    /// preparation session, so that devices edit the same documents at
    /// once; sometimes any.
    fn pick_doc(&mut self, n: usize) -> usize {
        if self.rng.below(4) == 0 {
            self.rng.below(n)
        } else {
            self.rng.below(n.min(3))
        }
    }

    /// Saves `patch` as the editor does: based on the version it shows.
    /// Afterwards it shows the document at its own new change (what it
    /// sent), or, a quarter of the time, takes the merged view at once.
    fn save(&mut self, c: usize, open: &Open, patch: &Value) {
        let cl = &mut self.clients[c];
        let on_disk = cl.editor.load(&open.id).unwrap().heads();
        if sorted(&on_disk) != sorted(&open.base) {
            self.counts.interleavings += 1;
        }
        let (_, hash) = cl.editor.edit_at(&open.id, patch, &open.base).unwrap();
        self.trace(c, || {
            format!(
                "saves {} at {:?} (on disk {on_disk:?}): {patch} -> {hash:?}",
                open.id, open.base
            )
        });
        match hash {
            Some(h) if self.rng.below(4) > 0 => {
                let mut doc = self.clients[c].editor.load(&open.id).unwrap();
                let fork = doc.automerge_mut().fork_at(&[h]).unwrap();
                let shown = Document::from_automerge(fork).unwrap().to_json();
                self.clients[c].open = Some(Open {
                    shown,
                    base: vec![h],
                    ..open.clone()
                });
            }
            _ => self.show(c, &open.id),
        }
    }

    /// One step of the schedule, by a random device's editor or worker, or
    /// by the world (office restarts, new members, revocations).
    pub fn step(&mut self) {
        self.counts.operations += 1;
        self.clock.advance(1 + self.rng.below(3_000) as i64);
        let c = self.rng.below(self.clients.len());
        if self.clients[c].revoked && self.rng.below(2) == 0 {
            return;
        }
        match self.rng.below(27) {
            0..=1 => {
                let m = self.marker();
                let share = self.rng.below(3) > 0;
                let store = &mut self.clients[c].editor;
                let s = store
                    .create(
                        DocKind::LESSON_PLAN,
                        &format!("教案{m}"),
                        Lang::Zh,
                        Some(&json!({"summary": m})),
                    )
                    .unwrap();
                if share {
                    store.set_visibility(&s.id, Visibility::Office).unwrap();
                }
                self.markers.push(Marker {
                    doc: s.id.clone(),
                    text: m,
                    row: None,
                    by: c,
                    comment: false,
                });
                self.show(c, &s.id);
            }
            2 => {
                let m = self.marker();
                let store = &mut self.clients[c].editor;
                let private = store
                    .create(
                        DocKind::CASE,
                        "病例",
                        Lang::Zh,
                        Some(&json!({"chief_complaint": m})),
                    )
                    .unwrap();
                let shared = store.share(&private.id, true).unwrap();
                self.markers.push(Marker {
                    doc: shared.id.clone(),
                    text: m,
                    row: None,
                    by: c,
                    comment: false,
                });
                self.show(c, &shared.id);
            }
            3..=4 => {
                // The editor opens a document, or takes the merged view of
                // the one it shows.
                let docs = self.docs_of(c);
                let keep = self.clients[c].open.as_ref().map(|o| o.id.clone());
                let id = match keep {
                    Some(id) if self.rng.below(2) == 0 => id,
                    _ if docs.is_empty() => return,
                    _ => docs[self.pick_doc(docs.len())].0.clone(),
                };
                self.show(c, &id);
            }
            5..=10 => self.type_marker(c),
            11..=13 => self.edit_rows(c),
            14 => {
                // Only a document's owner may move it to the trash (the
                // office refuses anyone else), as the app offers it.
                let editor = &self.clients[c].editor;
                let docs: Vec<_> = self
                    .docs_of(c)
                    .into_iter()
                    .filter(|(id, _)| {
                        editor
                            .summary(id)
                            .is_ok_and(|s| s.owner == editor.user_id())
                    })
                    .collect();
                if let Some((id, _)) = docs.get(self.rng.below(docs.len().max(1))) {
                    let store = &mut self.clients[c].editor;
                    if self.rng.below(2) == 0 {
                        store.delete(id).unwrap();
                    } else {
                        let _ = store.restore(id);
                    }
                    // The editor reloads what its own action changed.
                    if self.clients[c].open.as_ref().is_some_and(|o| &o.id == id) {
                        let id = id.clone();
                        self.show(c, &id);
                    }
                }
            }
            15..=19 => {
                let f = self.fault();
                self.sync(c, f);
            }
            24..=26 => {
                // The race of the issue: the editor has read the document,
                // the sync worker commits a page, then the editor saves
                // what it read.
                if self.open_doc(c, None).is_some() {
                    let f = self.fault();
                    self.sync(c, f);
                    self.type_marker(c);
                }
            }
            20 => {
                let (seed, clock) = (self.seed, self.clock.clone());
                self.clients[c].reopen(seed, &clock);
                self.counts.crashes += 1;
            }
            _ => match self.rng.below(9) {
                0 => {
                    let p = self.process();
                    self.office.borrow_mut().restart(p);
                    self.counts.restarts += 1;
                }
                1 if self.clients.len() < 6 => {
                    let name = format!("新老师{}", self.clients.len());
                    let office_id = self.office_id.clone();
                    let nc = self.enroll(&office_id, &name);
                    self.clients.push(nc);
                }
                2 if !self.clients[c].revoked
                    && self.clients.iter().filter(|c| !c.revoked).count() > 2 =>
                {
                    let device = self.clients[c].device.clone();
                    let now = self.clock.now();
                    let p = self.process();
                    self.office.borrow().processes[p]
                        .db
                        .revoke_device(&device, now)
                        .unwrap();
                    self.clients[c].revoked = true;
                }
                3..=5 => self.comment_marker(c),
                // Every process compacts snapshots in the background, racing
                // the others' pushes and compactions.
                6 => {
                    let p = self.process();
                    let n = self.office.borrow().processes[p]
                        .service
                        .compact_snapshots(100)
                        .unwrap();
                    self.counts.compactions += n as u64;
                }
                _ => {}
            },
        }
    }

    /// A comment (or a reply) holding a marker, on a document the client
    /// holds: comments travel, merge and are squashed with a shared case's
    /// edits like any change, and none may be lost.
    fn comment_marker(&mut self, c: usize) {
        let docs = self.docs_of(c);
        if docs.is_empty() {
            return;
        }
        let id = docs[self.pick_doc(docs.len())].0.clone();
        let m = self.marker();
        let reply = self.rng.below(2) == 0;
        let store = &mut self.clients[c].editor;
        let threads: Vec<String> = store
            .load(&id)
            .unwrap()
            .collab()
            .threads
            .iter()
            .map(|t| t.id.clone())
            .collect();
        let pick = self.rng.below(threads.len().max(1));
        let store = &mut self.clients[c].editor;
        match threads.get(pick).filter(|_| reply) {
            Some(t) => {
                store
                    .collab_change(&id, |d, ctx, w| d.reply(t, &m, &[], w, ctx))
                    .unwrap();
            }
            None => {
                store
                    .collab_change(&id, |d, ctx, w| {
                        d.comment(&Default::default(), &m, None, &[], w, ctx)
                    })
                    .unwrap();
            }
        }
        self.trace(c, || format!("comments {m} on {id}"));
        self.markers.push(Marker {
            doc: id,
            text: m,
            row: None,
            by: c,
            comment: true,
        });
    }

    /// The editor inserts a marker somewhere in a text field of what it
    /// shows, between markers, and saves.
    fn type_marker(&mut self, c: usize) {
        let Some(open) = self.open_doc(c, None) else {
            return;
        };
        let field = if open.kind == DocKind::CASE {
            *self
                .rng
                .pick(&["present_illness", "management", "teaching_points"])
        } else {
            *self
                .rng
                .pick(&["summary", "learner_analysis", "reflection"])
        };
        let m = self.marker();
        let cur: Vec<char> = open.shown[field].as_str().unwrap_or("").chars().collect();
        let at = self.rng.below(cur.len() + 1);
        // Insert only between markers, never inside one.
        let at = (0..=at)
            .rev()
            .find(|&i| i == 0 || is_marker_end(cur[i - 1]))
            .unwrap_or(0);
        let new: String = cur[..at]
            .iter()
            .copied()
            .chain(m.chars())
            .chain(cur[at..].iter().copied())
            .collect();
        self.save(c, &open, &json!({ field: new }));
        self.markers.push(Marker {
            doc: open.id,
            text: m,
            row: None,
            by: c,
            comment: false,
        });
    }

    /// List rows of the lesson plan the editor shows: add, remove, move, edit.
    fn edit_rows(&mut self, c: usize) {
        let Some(open) = self.open_doc(c, Some(DocKind::LESSON_PLAN)) else {
            return;
        };
        let mut rows: Vec<Value> = open.shown["process"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let n = rows.len();
        let mut new_marker = None;
        match self.rng.below(4) {
            0 => {
                let m = self.marker();
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
        self.save(c, &open, &json!({ "process": rows }));
        if let Some(m) = new_marker {
            // The new row's id, as the store assigned it.
            let row = self.clients[c].editor.load(&open.id).unwrap().to_json()["process"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["stage"] == m.as_str())
                .and_then(|r| r["id"].as_str().map(str::to_owned));
            self.markers.push(Marker {
                doc: open.id,
                text: m,
                row,
                by: c,
                comment: false,
            });
        }
    }

    /// Heal the network and sync everyone until nothing moves.
    pub fn heal(&mut self) {
        for _ in 0..4 {
            for c in 0..self.clients.len() {
                self.clock.advance(1_000);
                self.sync(c, Fault::None);
            }
        }
        let process = self.process();
        let mut t = Direct {
            office: self.office.clone(),
            process,
            token: self.outsider.token.clone(),
            fault: Fault::None,
        };
        let clock = self.clock.clone();
        let _ = rounds_client::sync(&mut self.outsider.worker, &mut t, &|| clock.now());
    }

    /// Every database of the world, as a dump of its rows: the office's,
    /// then each device's (the outsider's last).
    pub fn dumps(&self) -> Vec<(String, String)> {
        let office = self.office.borrow();
        let db = office
            .first()
            .sqlite
            .as_ref()
            .expect("dumps are of SQLite offices");
        let mut out = vec![("office".to_owned(), db.dump().unwrap())];
        for cl in self.clients.iter().chain([&self.outsider]) {
            out.push((cl.name.clone(), cl.worker.dump().unwrap()));
        }
        out
    }

    fn office_doc(&self, id: &str) -> Option<Value> {
        self.office_document(id).map(|d| d.to_json())
    }

    fn office_document(&self, id: &str) -> Option<Document> {
        let cell = self.office.borrow();
        let (snapshot, _, rest, _) = cell.first().db.doc_log_since_snapshot(id).ok()?;
        Document::load(&[snapshot, rest].concat()).ok()
    }

    pub fn check(&mut self) -> Result<(), String> {
        let live: Vec<usize> = (0..self.clients.len())
            .filter(|&c| !self.clients[c].revoked)
            .collect();
        // Every live replica agrees with the office on every document it holds
        // that the office has.
        let mut all_docs: BTreeMap<String, Value> = BTreeMap::new();
        for &c in &live {
            let cl = &self.clients[c];
            let mut rows = cl.worker.list(&Filter::default()).unwrap();
            rows.extend(
                cl.worker
                    .list(&Filter {
                        deleted: true,
                        ..Filter::default()
                    })
                    .unwrap(),
            );
            for s in rows {
                let mine = cl.worker.load(&s.id).unwrap().to_json();
                // Both connections read the same document.
                if cl.editor.load(&s.id).unwrap().to_json() != mine {
                    return Err(format!(
                        "{}'s two connections disagree on {}",
                        cl.name, s.id
                    ));
                }
                let is_private_case =
                    s.kind == DocKind::CASE && s.visibility == Visibility::Private;
                match self.office_doc(&s.id) {
                    Some(o) => {
                        if o != mine {
                            return Err(disagreement(cl, &s, &mine, &o));
                        }
                        // And on what was said about it.
                        let theirs = self.office_document(&s.id).map(|d| d.collab());
                        let said = cl.worker.load(&s.id).unwrap().collab();
                        if theirs.as_ref() != Some(&said) {
                            return Err(format!(
                                "{} disagrees with the office on the comments of {}",
                                cl.name, s.id
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
                if s.visibility == Visibility::Private && s.owner != cl.worker.user_id() {
                    return Err(format!(
                        "{} holds another teacher's private {}",
                        cl.name, s.id
                    ));
                }
            }
        }
        if !self
            .outsider
            .worker
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
            let said = |d: &Document| {
                d.collab()
                    .threads
                    .iter()
                    .any(|t| t.messages.iter().any(|x| x.body == m.text))
            };
            let present = match (m.comment, self.office_document(&m.doc)) {
                (false, Some(o)) => o.to_json().to_string().contains(&m.text),
                (true, Some(o)) => said(&o),
                (comment, None) => self.clients[m.by]
                    .worker
                    .load(&m.doc)
                    .map(|d| {
                        if comment {
                            said(&d)
                        } else {
                            d.to_json().to_string().contains(&m.text)
                        }
                    })
                    .unwrap_or(false),
            };
            if !present {
                self.counts.edits_lost += 1;
                return Err(format!(
                    "edit {} by {} in {} was lost",
                    readable(&m.text),
                    self.clients[m.by].name,
                    m.doc
                ));
            }
        }
        Ok(())
    }
}

/// Why a replica and the office disagree on a document, field by field.
fn disagreement(cl: &Client, s: &rounds_core::Summary, mine: &Value, o: &Value) -> String {
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
    let info = cl.worker.sync_info().unwrap();
    let why: Option<String> = cl
        .worker
        .connection()
        .query_row(
            "SELECT rejected_code || ': ' || rejected_message FROM sync_docs s JOIN documents d ON d.doc = s.doc WHERE d.id = ?1",
            [&s.id],
            |r| r.get(0),
        )
        .ok()
        .flatten();
    format!(
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
    )
}
