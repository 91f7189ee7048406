//! The real office and teacher devices the tests use (`rounds-testkit`),
//! with the office's threads named so that its CPU time can be told apart
//! from the client's, and one office in it that every device joins.

use std::time::Duration;

use rounds_client::Connection;
use rounds_office::db::Role;
use rounds_store::Store;
use rounds_testkit::Teacher;

pub use rounds_testkit::now_ms;

/// A testkit office serving one office, `office_id`.
pub struct Office {
    pub server: rounds_testkit::Office,
    pub office_id: String,
}

impl Office {
    pub fn start(workers: usize) -> Office {
        let server = rounds_testkit::Office::builder()
            .workers(workers)
            .thread_name("office")
            // Blocking threads that end take their CPU time with them out
            // of /proc; keeping them makes the count exact.
            .keep_alive(Duration::from_secs(3600))
            .start();
        let office_id = server.create_office("基准测试教研室");
        Office { server, office_id }
    }

    /// A one-time code for a new member: a lead teacher, since the
    /// generated library holds approved plans, which only lead teachers
    /// (and office admins) may push.
    pub fn code_for_new_member(&self, name: &str) -> String {
        let member = self
            .server
            .add_member_as(&self.office_id, name, Role::LeadTeacher);
        self.server.code(&member)
    }

    /// A device of a new member that joined through `url` (the office or a
    /// proxy).
    pub fn teacher(&self, url: &str, name: &str) -> Teacher {
        let mut t = Teacher::new(name);
        let conn = Connection {
            url: url.to_owned(),
            ..Default::default()
        };
        t.join_with(&conn, &self.code_for_new_member(name), "bench device")
            .expect("joining the office");
        t
    }

    /// Brings every snapshot up to date, as the office's background task
    /// does, so that a new device is measured against compacted snapshots.
    pub fn compact_all(&self) {
        for _ in 0..10_000 {
            match self.server.service.compact_snapshots(500) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// Shares documents with the office through `Store::share`, as a teacher
/// would, so that every device of every member receives them. A case is
/// shared as a new document (checked for identifiers), so the ids that
/// come back are the ones the office knows; a document the check refuses
/// stays private and is left out.
pub fn share_all(store: &mut Store, ids: &[String]) -> Vec<String> {
    fast_writes(store, true);
    let shared = ids
        .iter()
        .filter_map(|id| store.share(id, true).ok().map(|s| s.id))
        .collect();
    fast_writes(store, false);
    shared
}

/// Setting up thousands of documents one transaction at a time would spend
/// minutes in fsync; setup turns durability off and measurement turns it
/// back on, so that measured writes pay what a teacher's save pays.
pub fn fast_writes(store: &Store, fast: bool) {
    let mode = if fast { "OFF" } else { "FULL" };
    let _ = store
        .connection()
        .execute_batch(&format!("PRAGMA synchronous = {mode}"));
}
