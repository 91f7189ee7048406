//! A real client and a real office with a fault-injecting TCP proxy between
//! them: connections are cut at random byte offsets in either direction,
//! and delayed. Syncs keep being retried until they complete; nothing is
//! lost, and after a cut only the unfinished page is sent again.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rounds_core::doc::Visibility;
use rounds_core::generate::Rng;
use rounds_core::schema::DocKind;
use rounds_office::service::Limits;
use rounds_testkit::{Office, Teacher};
use serde_json::json;

/// Forwards connections to `target`, cutting all but one in `cut_one_in`
/// after a random number of bytes in one direction, and delaying each.
struct Proxy {
    addr: String,
    cuts: Arc<AtomicU64>,
    bytes_to_office: Arc<AtomicU64>,
}

fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: Option<u64>,
    counter: Arc<AtomicU64>,
    cuts: Arc<AtomicU64>,
) {
    let mut buf = [0u8; 4096];
    let mut sent = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = match limit {
            Some(l) if sent + n as u64 >= l => {
                let part = (l - sent) as usize;
                let _ = to.write_all(&buf[..part]);
                counter.fetch_add(part as u64, Ordering::Relaxed);
                cuts.fetch_add(1, Ordering::Relaxed);
                let _ = from.shutdown(Shutdown::Both);
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
            _ => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n as u64;
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Proxy {
    fn start(target: String, seed: u64, cut_one_in: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let cuts = Arc::new(AtomicU64::new(0));
        let bytes_to_office = Arc::new(AtomicU64::new(0));
        let rng = Arc::new(Mutex::new(Rng::new(seed)));
        let (c2, b2) = (cuts.clone(), bytes_to_office.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { break };
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let (up_limit, down_limit, delay) = {
                    let mut r = rng.lock().unwrap();
                    // Most connections are cut, somewhere in the first
                    // kilobytes up or the first hundred kilobytes down: a
                    // keep-alive connection carries a whole multi-page sync.
                    let cut = r.below(cut_one_in) != 0;
                    let up = (cut && r.below(3) == 0).then(|| r.below(300) as u64);
                    let down = (cut && up.is_none()).then(|| r.below(40_000) as u64);
                    (up, down, r.below(20) as u64)
                };
                std::thread::sleep(Duration::from_millis(delay));
                let (c_read, s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (cuts_up, cuts_down) = (c2.clone(), c2.clone());
                let up_counter = b2.clone();
                std::thread::spawn(move || pipe(c_read, s_write, up_limit, up_counter, cuts_up));
                std::thread::spawn(move || {
                    pipe(
                        server,
                        client,
                        down_limit,
                        Arc::new(AtomicU64::new(0)),
                        cuts_down,
                    )
                });
            }
        });
        Proxy {
            addr,
            cuts,
            bytes_to_office,
        }
    }
}

#[test]
fn syncs_through_a_cutting_proxy_complete_and_resume() {
    let office = Office::start_with(Limits {
        page_bytes: 24 << 10,
        ..Limits::default()
    });
    let o = office.create_office("教研室");
    // The generated library holds approved plans: only a lead teacher may push those.
    let mut a = Teacher::joined_as(&office, &o, "王老师", rounds_office::db::Role::LeadTeacher);
    let ids: Vec<String> = a.store.generate(40, 9, 2000).unwrap();
    let ids: Vec<String> = ids
        .iter()
        .map(|id| {
            let s = a.store.summary(id).unwrap();
            if s.kind == DocKind::CASE {
                a.store.share(id, true).unwrap().id
            } else {
                a.store.set_visibility(id, Visibility::Office).unwrap().id
            }
        })
        .collect();

    // B reaches the office only through the proxy.
    let proxy = Proxy::start(
        office.url.trim_start_matches("http://").to_owned(),
        std::env::var("PROXY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
        8,
    );
    let mut b = Teacher::new("李老师");
    let member = office.add_member(&o, "李老师");
    let code = office.code(&member);
    let conn = rounds_client::Connection {
        url: format!("http://{}", proxy.addr),
        ..Default::default()
    };
    let mut joined = false;
    for _ in 0..50 {
        match rounds_client::join(&mut b.store, b.dir.path(), &conn, &code, "b") {
            Ok(_) => {
                joined = true;
                break;
            }
            // A cut enrollment may still have spent the code: then retrying
            // cannot succeed, and the test issues a new one.
            Err(rounds_client::ClientError::Office { code: c, .. }) if c == "code_used" => {
                let code = office.code(&member);
                if rounds_client::join(&mut b.store, b.dir.path(), &conn, &code, "b").is_ok() {
                    joined = true;
                    break;
                }
            }
            Err(_) => {}
        }
    }
    assert!(joined, "could not join through the proxy");

    // A pushes everything directly; B pulls through the cutting proxy.
    a.sync().unwrap();
    let mut attempts = 0;
    let mut received_items = 0u32;
    let mut had_before_last;
    loop {
        attempts += 1;
        assert!(attempts < 200, "sync never completed through the proxy");
        had_before_last = b.ids().len();
        match b.sync() {
            Ok(r) => {
                received_items += r.docs_received + r.snapshots_received;
                break;
            }
            Err(e) => assert!(matches!(e, rounds_client::ClientError::Offline(_)), "{e}"),
        }
    }
    // The last attempt sent only what earlier, cut attempts had not applied:
    // pages applied before a cut are never sent again.
    assert_eq!(received_items as usize, ids.len() - had_before_last);
    let mut got = b.ids();
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want);
    for id in &ids {
        assert_eq!(b.json(id), a.json(id));
    }
    // B also pushes through the proxy: edits on every shared plan.
    for id in ids.iter().take(10) {
        if b.store.summary(id).unwrap().kind == DocKind::LESSON_PLAN {
            b.store
                .edit(id, &json!({"reflection": format!("李老师的反思 {id}")}))
                .unwrap();
        }
    }
    let mut push_attempts = 0;
    while b.sync().is_err() {
        push_attempts += 1;
        assert!(push_attempts < 200);
    }
    a.sync().unwrap();
    for id in &ids {
        assert_eq!(b.json(id), a.json(id));
    }
    println!(
        "proxy: {} connections cut, {attempts} pull attempts, {push_attempts} failed push attempts, {} bytes sent to the office, {received_items} items in the final pull",
        proxy.cuts.load(Ordering::Relaxed),
        proxy.bytes_to_office.load(Ordering::Relaxed)
    );
}
