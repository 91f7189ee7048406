//! A loopback TCP proxy between a client and the office that counts the
//! bytes each way (so HTTP headers are measured, not guessed) and can
//! imitate a poor link: a bandwidth limit, a delay each way, and all
//! connections cut at a fixed interval.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the link behaves. The default is a plain counting wire.
#[derive(Debug, Clone, Copy, Default)]
pub struct Link {
    /// Bytes per second each way; `None` is unlimited.
    pub rate: Option<u64>,
    /// Added to every byte's trip in each direction (half the round trip).
    pub delay: Duration,
    /// Every open connection is cut at this interval.
    pub cut_every: Option<Duration>,
}

#[derive(Debug, Default)]
pub struct Counters {
    /// Client to office, as delivered.
    pub up: AtomicU64,
    /// Office to client, as delivered.
    pub down: AtomicU64,
    pub connections: AtomicU64,
    pub cuts: AtomicU64,
}

impl Counters {
    pub fn get(&self) -> (u64, u64) {
        (
            self.up.load(Ordering::SeqCst),
            self.down.load(Ordering::SeqCst),
        )
    }
}

pub struct Proxy {
    pub url: String,
    pub counters: Arc<Counters>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr, link: Link) -> Proxy {
        let counters = Arc::new(Counters::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let c = counters.clone();
        let thread = std::thread::Builder::new()
            .name("proxy".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .thread_name("proxy")
                    .enable_all()
                    .build()
                    .expect("a runtime for the proxy");
                rt.block_on(run(upstream, link, c, addr_tx, rx));
            })
            .expect("a thread for the proxy");
        let addr: SocketAddr = addr_rx.recv().expect("the proxy's address");
        Proxy {
            url: format!("http://{addr}"),
            counters,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn run(
    upstream: SocketAddr,
    link: Link,
    counters: Arc<Counters>,
    addr_tx: std::sync::mpsc::Sender<SocketAddr>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port for the proxy");
    let _ = addr_tx.send(listener.local_addr().expect("the proxy's address"));
    // A cut is a new generation: every connection of an older one closes.
    let (cut_tx, cut_rx) = tokio::sync::watch::channel(0u64);
    if let Some(every) = link.cut_every {
        let counters = counters.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                counters.cuts.fetch_add(1, Ordering::SeqCst);
                cut_tx.send_modify(|g| *g += 1);
            }
        });
    }
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                counters.connections.fetch_add(1, Ordering::SeqCst);
                let counters = counters.clone();
                let mut cut = cut_rx.clone();
                cut.mark_unchanged();
                tokio::spawn(async move {
                    let Ok(office) = TcpStream::connect(upstream).await else { return };
                    let _ = client.set_nodelay(true);
                    let _ = office.set_nodelay(true);
                    let (cr, cw) = client.into_split();
                    let (or, ow) = office.into_split();
                    let up = pump(cr, ow, link, counters.clone(), true);
                    let down = pump(or, cw, link, counters, false);
                    // Either side closing ends the connection, as does a cut.
                    tokio::select! {
                        _ = async { tokio::join!(up, down) } => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        }
    }
}

/// Copies one direction, throttled and delayed as the link says. Bytes are
/// counted when delivered, so a cut connection counts only what got through.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    link: Link,
    counters: Arc<Counters>,
    up: bool,
) {
    let counter = if up { &counters.up } else { &counters.down };
    if link.rate.is_none() && link.delay.is_zero() {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if to.write_all(&buf[..n]).await.is_err() {
                break;
            }
            counter.fetch_add(n as u64, Ordering::SeqCst);
        }
        let _ = to.shutdown().await;
        return;
    }
    // The reader paces itself at the link's rate and hands chunks to the
    // writer with the time they may arrive; the writer holds each until then.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 512];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some(rate) = link.rate {
                tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
            }
            let at = tokio::time::Instant::now() + link.delay;
            if tx.send((at, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
