//! The same workload through samod 0.16 (the Rust automerge-repo): a
//! "server" repo holding the office's documents and a device repo,
//! connected in-process by a channel transport that counts every message
//! each way. Each repo runs on its own runtime with named threads, so the
//! server's CPU time is reported as the office's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use automerge::{Automerge, Change};
use futures::StreamExt;
use samod::{BackoffConfig, DialError, Dialer, DocumentId, Repo, Transport};

use crate::measure::{cpu_between, cpu_snapshot};
use crate::sync::Run;

#[derive(Default)]
struct Wire {
    up: AtomicU64,
    down: AtomicU64,
    msgs_up: AtomicU64,
    msgs_down: AtomicU64,
    /// Milliseconds since `epoch` of the last message either way.
    last: AtomicU64,
    connects: AtomicU64,
}

struct CountingDialer {
    acceptor: samod::AcceptorHandle,
    wire: Arc<Wire>,
    epoch: Instant,
}

impl Dialer for CountingDialer {
    type Error = std::convert::Infallible;

    fn url(&self) -> samod::Url {
        samod::Url::parse("channel://bench").expect("a URL")
    }

    fn connect(
        &self,
    ) -> futures::future::BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let acceptor = self.acceptor.clone();
        let wire = self.wire.clone();
        let epoch = self.epoch;
        Box::pin(async move {
            wire.connects.fetch_add(1, Ordering::SeqCst);
            let (up_tx, up_rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
            let (down_tx, down_rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
            let w = wire.clone();
            let up_stream = up_rx.map(move |m| {
                w.up.fetch_add(m.len() as u64, Ordering::SeqCst);
                w.msgs_up.fetch_add(1, Ordering::SeqCst);
                w.last
                    .store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(m)
            });
            let w = wire.clone();
            let down_stream = down_rx.map(move |m| {
                w.down.fetch_add(m.len() as u64, Ordering::SeqCst);
                w.msgs_down.fetch_add(1, Ordering::SeqCst);
                w.last
                    .store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(m)
            });
            acceptor
                .accept(Transport::new(up_stream, down_tx))
                .map_err(DialError::transient)?;
            Ok(Transport::new(down_stream, up_tx))
        })
    }
}

fn runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .thread_keep_alive(Duration::from_secs(3600))
        .enable_all()
        .build()
        .expect("a runtime")
}

struct Bench {
    wire: Arc<Wire>,
    epoch: Instant,
}

impl Bench {
    fn counts(&self) -> (u64, u64, u64, u64) {
        (
            self.wire.up.load(Ordering::SeqCst),
            self.wire.down.load(Ordering::SeqCst),
            self.wire.msgs_up.load(Ordering::SeqCst),
            self.wire.msgs_down.load(Ordering::SeqCst),
        )
    }

    /// Waits until `done` holds and then no message has moved for a quiet
    /// period (all bounded in time), and measures from `start` to the last
    /// message. Messages of an earlier phase do not count as activity.
    fn settle(
        &self,
        start: Instant,
        before: (u64, u64, u64, u64),
        cpu0: crate::measure::CpuSnapshot,
        done: &dyn Fn() -> bool,
    ) -> Result<Run, String> {
        let quiet = Duration::from_millis(1500);
        let limit = start + Duration::from_secs(300);
        let start_ms = start.duration_since(self.epoch).as_millis() as u64;
        let mut finished = false;
        while Instant::now() < limit {
            std::thread::sleep(Duration::from_millis(50));
            let last = self.wire.last.load(Ordering::SeqCst).max(start_ms);
            let idle = self
                .epoch
                .elapsed()
                .saturating_sub(Duration::from_millis(last));
            if idle >= quiet && done() {
                finished = true;
                break;
            }
        }
        if !finished {
            return Err("samod did not finish within 300 s".into());
        }
        let cpu1 = cpu_snapshot();
        let last =
            self.epoch + Duration::from_millis(self.wire.last.load(Ordering::SeqCst).max(start_ms));
        let (u, d, mu, md) = self.counts();
        let (client_cpu, office_cpu) = cpu_between(&cpu0, &cpu1);
        Ok(Run {
            body_up: u - before.0,
            body_down: d - before.1,
            wire_up: u - before.0,
            wire_down: d - before.1,
            round_trips: 0,
            client_cpu,
            office_cpu,
            wall: last.saturating_duration_since(start),
            messages: (mu - before.2, md - before.3),
        })
    }
}

/// What samod measured; a later phase failing keeps the earlier ones.
#[derive(Default)]
pub struct SamodOut {
    pub new_device: Option<Run>,
    pub nothing: Option<Run>,
    pub both: Option<Run>,
}

/// New device, nothing changed, and 10 + 10 changed, through samod. The
/// server starts with the office's documents (the same Automerge bytes);
/// the changes are the very changes the Rounds devices made.
pub fn run(
    ids: &[String],
    saved: &[Vec<u8>],
    a_changes: &[(String, Vec<Vec<u8>>)],
    b_changes: &[(String, Vec<Vec<u8>>)],
    out: &mut SamodOut,
) -> Result<(), String> {
    let rt_server = runtime("samod-a");
    let rt_device = runtime("samod-b");
    let server = rt_server.block_on(Repo::builder(rt_server.handle().clone()).load());
    let device = rt_device.block_on(Repo::builder(rt_device.handle().clone()).load());
    let acceptor = server
        .make_acceptor(samod::Url::parse("channel://bench").map_err(|e| e.to_string())?)
        .map_err(|_| "samod stopped".to_owned())?;
    let bench = Bench {
        wire: Arc::new(Wire::default()),
        epoch: Instant::now(),
    };
    let dialer = Arc::new(CountingDialer {
        acceptor,
        wire: bench.wire.clone(),
        epoch: bench.epoch,
    });

    // The server holds the office's documents as they were before the
    // edits: the state both devices started from.
    let mut doc_ids: Vec<(String, DocumentId)> = Vec::with_capacity(ids.len());
    for (id, bytes) in ids.iter().zip(saved) {
        let am = Automerge::load(bytes).map_err(|e| e.to_string())?;
        let handle = rt_server
            .block_on(server.create(am))
            .map_err(|_| "samod stopped".to_owned())?;
        doc_ids.push((id.clone(), handle.document_id().clone()));
    }

    // A new device: connect and find every document.
    let before = bench.counts();
    let cpu0 = cpu_snapshot();
    let start = Instant::now();
    let dial = device
        .dial(BackoffConfig::default(), dialer.clone())
        .map_err(|_| "samod stopped".to_owned())?;
    let handles = rt_device.block_on(async {
        let _ = dial.established().await;
        let finds = doc_ids.iter().map(|(_, d)| device.find(d.clone()));
        futures::future::join_all(finds).await
    });
    let mut device_docs = std::collections::HashMap::new();
    for ((id, _), h) in doc_ids.iter().zip(handles) {
        match h {
            Ok(Some(h)) => {
                device_docs.insert(id.clone(), h);
            }
            _ => return Err(format!("samod: the device did not find document {id}")),
        }
    }
    out.new_device = Some(bench.settle(start, before, cpu0, &|| true)?);
    dial.close();
    std::thread::sleep(Duration::from_millis(300));

    // Nothing changed: reconnect with every document open on both sides.
    let before = bench.counts();
    let cpu0 = cpu_snapshot();
    let start = Instant::now();
    let dial = device
        .dial(BackoffConfig::default(), dialer.clone())
        .map_err(|_| "samod stopped".to_owned())?;
    rt_device.block_on(async {
        let _ = dial.established().await;
    });
    out.nothing = Some(bench.settle(start, before, cpu0, &|| true)?);
    dial.close();
    std::thread::sleep(Duration::from_millis(300));

    // 10 + 10 changed while apart: the server gets the first device's
    // changes (as the office did), the device makes its own.
    let server_docs: std::collections::HashMap<String, samod::DocHandle> = rt_server
        .block_on(async {
            let finds = doc_ids.iter().map(|(_, d)| server.find(d.clone()));
            futures::future::join_all(finds).await
        })
        .into_iter()
        .zip(doc_ids.iter())
        .filter_map(|(h, (id, _))| h.ok().flatten().map(|h| (id.clone(), h)))
        .collect();
    let apply = |handles: &std::collections::HashMap<String, samod::DocHandle>,
                 changes: &[(String, Vec<Vec<u8>>)]|
     -> Result<(), String> {
        for (id, cs) in changes {
            let h = handles.get(id).ok_or("a document samod lost")?;
            let cs: Vec<Change> = cs
                .iter()
                .filter_map(|c| Change::from_bytes(c.clone()).ok())
                .collect();
            h.with_document(|d| d.apply_changes(cs))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    apply(&server_docs, a_changes)?;
    apply(&device_docs, b_changes)?;
    let before = bench.counts();
    let cpu0 = cpu_snapshot();
    let start = Instant::now();
    let dial = device
        .dial(BackoffConfig::default(), dialer.clone())
        .map_err(|_| "samod stopped".to_owned())?;
    rt_device.block_on(async {
        let _ = dial.established().await;
    });
    // Done when both sides hold every change; the numbers mean nothing
    // otherwise.
    let converged = || {
        a_changes.iter().chain(b_changes).all(|(id, _)| {
            let (Some(s), Some(d)) = (server_docs.get(id), device_docs.get(id)) else {
                return false;
            };
            let mut hs = s.with_document(|d| d.get_heads());
            let mut hd = d.with_document(|d| d.get_heads());
            hs.sort();
            hd.sort();
            hs == hd
        })
    };
    out.both = Some(
        bench
            .settle(start, before, cpu0, &converged)
            .map_err(|e| format!("{e} (10 + 10 changed: not converged)"))?,
    );
    dial.close();
    rt_device.block_on(device.stop());
    rt_server.block_on(server.stop());
    Ok(())
}
