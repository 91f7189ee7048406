//! Three `rounds-office serve` processes on one PostgreSQL, as behind a
//! load balancer: teachers' devices sync through whichever process they
//! pick at random, push to their own plans and to one plan they all edit,
//! while one process is killed and started again mid-way. Nothing a
//! process holds is needed by another: every device ends with every
//! shared plan, the plan they all edited reads the same on each, and no
//! change is lost or read twice (the log's positions on PostgreSQL; see
//! docs/sync-protocol.md). Needs a PostgreSQL server (`make test` runs one).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rounds_client::Connection;
use rounds_core::doc::Visibility;
use rounds_core::generate::Rng;
use rounds_core::schema::DocKind;
use rounds_testkit::Teacher;
use rounds_testkit::pg::PgTestDb;
use rounds_testkit::process::{OfficeProcess, Program};
use serde_json::json;

const TEACHERS: usize = 4;
const ROUNDS: usize = 6;

/// Syncs through a randomly picked process, trying others while one is down.
fn sync_somewhere(t: &mut Teacher, urls: &Mutex<Vec<String>>, rng: &mut Rng) {
    for _ in 0..20 {
        let url = {
            let urls = urls.lock().unwrap();
            urls[rng.below(urls.len())].clone()
        };
        t.set_url(&url);
        match t.sync() {
            Ok(r) if !r.rejections.is_empty() => panic!("refused: {:?}", r.rejections),
            Ok(_) => return,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    panic!("no office process answered in 20 tries");
}

#[test]
fn devices_sync_through_any_of_three_office_processes() {
    let Some(pg) = PgTestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let office = Program::office()
        .data(dir.path())
        .arg("--database-url")
        .arg(&pg.url);
    office.ok(&["office", "create", "省级儿科虚拟教研室"]);
    let mut procs: Vec<OfficeProcess> = (0..3)
        .map(|_| OfficeProcess::serve(&office, "127.0.0.1:0"))
        .collect();
    let urls = Arc::new(Mutex::new(
        procs.iter().map(|p| p.url.clone()).collect::<Vec<_>>(),
    ));

    let mut teachers: Vec<Teacher> = (0..TEACHERS)
        .map(|i| {
            let name = format!("教师{i}");
            let member = office.ok(&["member", "add", &name, "--role", "lead_teacher"]);
            let code = office.ok(&["code", member.trim()]);
            let mut t = Teacher::new(&name);
            let conn = Connection {
                url: procs[i % 3].url.clone(),
                ..Default::default()
            };
            t.join_with(&conn, code.trim(), &format!("PC {i}")).unwrap();
            t
        })
        .collect();
    // One plan everybody edits.
    let common = teachers[0].create(DocKind::LESSON_PLAN, "手足口病集体备课", json!({}));
    teachers[0]
        .store
        .set_visibility(&common, Visibility::Office)
        .unwrap();
    let mut rng = Rng::new(15);
    sync_somewhere(&mut teachers[0], &urls, &mut rng);
    for t in teachers.iter_mut().skip(1) {
        sync_somewhere(t, &urls, &mut rng);
        assert!(t.ids().contains(&common));
    }

    let rounds_done = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = teachers
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            let urls = urls.clone();
            let common = common.clone();
            let rounds_done = rounds_done.clone();
            std::thread::spawn(move || {
                let mut rng = Rng::new(100 + i as u64);
                let mut mine = Vec::new();
                for r in 0..ROUNDS {
                    let id = t.create(
                        DocKind::LESSON_PLAN,
                        &format!("教师{i}的第{r}份教案"),
                        json!({ "summary": format!("round {r}") }),
                    );
                    t.store.set_visibility(&id, Visibility::Office).unwrap();
                    mine.push(id);
                    let tags: Vec<String> = (0..=r).map(|k| format!("t{i}-{k}")).collect();
                    let mut all = t.json(&common)["tags"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    all.extend(tags.into_iter().map(serde_json::Value::from));
                    t.store.edit(&common, &json!({ "tags": all })).unwrap();
                    sync_somewhere(&mut t, &urls, &mut rng);
                    rounds_done.fetch_add(1, Ordering::SeqCst);
                }
                (t, mine)
            })
        })
        .collect();

    // A process dies mid-way (SIGKILL, requests in flight cut) and comes
    // back on a new port.
    while rounds_done.load(Ordering::SeqCst) < TEACHERS * ROUNDS / 3 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let dead = procs.remove(1);
    urls.lock().unwrap().retain(|u| *u != dead.url);
    dead.kill();
    let back = OfficeProcess::serve(&office, "127.0.0.1:0");
    urls.lock().unwrap().push(back.url.clone());
    procs.push(back);
    assert!(
        rounds_done.load(Ordering::SeqCst) < TEACHERS * ROUNDS,
        "the process came back while teachers were still syncing"
    );

    let mut all_ids = vec![common.clone()];
    let mut teachers = Vec::new();
    for h in handles {
        let (t, mine) = h.join().unwrap();
        all_ids.extend(mine);
        teachers.push(t);
    }
    // Two more rounds: every push has reached the office, then every device.
    for _ in 0..2 {
        for t in &mut teachers {
            sync_somewhere(t, &urls, &mut rng);
        }
    }
    all_ids.sort();
    let reference = teachers[0].json(&common);
    for t in &teachers {
        let mut ids = t.ids();
        ids.sort();
        assert_eq!(ids, all_ids, "every device holds every shared plan");
        assert_eq!(
            t.json(&common),
            reference,
            "the plan all edited reads the same everywhere"
        );
    }
    let tags = reference["tags"].as_array().unwrap();
    for i in 0..TEACHERS {
        assert!(
            tags.iter().any(|t| t == &format!("t{i}-{}", ROUNDS - 1)),
            "teacher {i}'s last edit is in {tags:?}"
        );
    }
    // Each process reports its own pool of connections to the database.
    let page = reqwest::blocking::get(format!("{}/metrics", procs[0].url))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("rounds_office_db_connections_max{backend=\"postgres\"} 16"),
        "{page}"
    );
    let status = office.json(&["status", "--json"]);
    assert_eq!(status["documents"], (1 + TEACHERS * ROUNDS) as u64);
}
