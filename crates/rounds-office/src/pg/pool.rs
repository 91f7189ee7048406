//! Connections to PostgreSQL for a blocking storage trait: a pool of
//! `postgres` clients, each with its statement cache, and transactions
//! that roll back unless committed.
//!
//! Why not deadpool or r2d2: the office's storage trait is blocking (its
//! callers run on tokio's blocking pool), and the `postgres` client drives
//! its connection on the calling thread, so a query costs no hop to another
//! thread and back. deadpool-postgres hands out async clients whose
//! connections run as tasks on a runtime of their own: every query then
//! woke a second thread twice. r2d2 would work, but it keeps helper threads
//! to open and reap connections, and its state has no count of waiting
//! callers, which `/metrics` shows. What is needed here is a mutex, a
//! condition variable and a list.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};

use crate::db::{DbError, DbResult, PoolGauge};

/// A statement's parameters.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// How long a caller waits for a free connection before its request fails
/// (the office answers 503 and the device retries later).
const WAIT: Duration = Duration::from_secs(30);

/// One connection and the statements prepared on it.
pub struct Conn {
    client: RefCell<Client>,
    // Statements are prepared once per connection: given a plain string,
    // the client prepares it again on every call, a round trip to the
    // server (and its parse and plan) before each query.
    stmts: RefCell<HashMap<String, Statement>>,
    /// Set when a transaction could not be ended: the connection may be
    /// left inside it and must not be handed out again.
    broken: Cell<bool>,
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn {
            client: RefCell::new(client),
            stmts: RefCell::new(HashMap::new()),
            broken: Cell::new(false),
        }
    }

    /// Passes a result on, marking the connection broken when its error
    /// is not a statement's own: a server that ended the session (a
    /// restart, `pg_terminate_backend`: a FATAL error, which arrives
    /// before the end of the stream, so the client may not know yet) or a
    /// lost link. Such a connection is not lent again.
    fn check<T>(&self, r: Result<T, postgres::Error>) -> DbResult<T> {
        if r.as_ref().is_err_and(ends_session) {
            self.broken.set(true);
        }
        Ok(r?)
    }

    fn statement(&self, sql: &str) -> DbResult<Statement> {
        if let Some(s) = self.stmts.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.check(self.client.borrow_mut().prepare(sql))?;
        self.stmts.borrow_mut().insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    pub fn query(&self, sql: &str, p: Params<'_>) -> DbResult<Vec<Row>> {
        let s = self.statement(sql)?;
        let r = self.client.borrow_mut().query(&s, p);
        self.check(r)
    }

    pub fn query_opt(&self, sql: &str, p: Params<'_>) -> DbResult<Option<Row>> {
        let s = self.statement(sql)?;
        let r = self.client.borrow_mut().query_opt(&s, p);
        self.check(r)
    }

    pub fn query_one(&self, sql: &str, p: Params<'_>) -> DbResult<Row> {
        let s = self.statement(sql)?;
        let r = self.client.borrow_mut().query_one(&s, p);
        self.check(r)
    }

    pub fn execute(&self, sql: &str, p: Params<'_>) -> DbResult<u64> {
        let s = self.statement(sql)?;
        let r = self.client.borrow_mut().execute(&s, p);
        self.check(r)
    }

    /// A statement prepared once, not cached (its parameter types are read
    /// by the caller).
    pub fn prepare(&self, sql: &str) -> DbResult<Statement> {
        let r = self.client.borrow_mut().prepare(sql);
        self.check(r)
    }

    pub fn execute_prepared(&self, s: &Statement, p: Params<'_>) -> DbResult<u64> {
        let r = self.client.borrow_mut().execute(s, p);
        self.check(r)
    }

    /// Statements without parameters, sent as one string.
    pub fn batch_execute(&self, sql: &str) -> Result<(), postgres::Error> {
        let r = self.client.borrow_mut().batch_execute(sql);
        if r.as_ref().is_err_and(ends_session) {
            self.broken.set(true);
        }
        r
    }

    /// A read-write transaction.
    pub fn transaction(&self) -> DbResult<Tx<'_>> {
        self.begin("BEGIN")
    }

    /// A read-only transaction that sees one snapshot throughout.
    pub fn snapshot(&self) -> DbResult<Tx<'_>> {
        self.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    fn begin(&self, sql: &str) -> DbResult<Tx<'_>> {
        self.batch_execute(sql)?;
        Ok(Tx {
            conn: self,
            open: Cell::new(true),
        })
    }
}

/// Whether an error is not a statement's own but the session's end: the
/// server ended it (FATAL, PANIC) or the link or protocol failed.
pub(crate) fn ends_session(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.as_db_error()
            .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"))
}

/// A transaction on a connection; dropped without [`Tx::commit`], it rolls
/// back.
pub struct Tx<'a> {
    conn: &'a Conn,
    open: Cell<bool>,
}

impl Tx<'_> {
    pub fn commit(self) -> DbResult<()> {
        self.open.set(false);
        if let Err(e) = self.conn.batch_execute("COMMIT") {
            self.conn.broken.set(true);
            return Err(e.into());
        }
        Ok(())
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open.get() && self.conn.batch_execute("ROLLBACK").is_err() {
            self.conn.broken.set(true);
        }
    }
}

#[derive(Default)]
struct State {
    idle: Vec<Conn>,
    /// Connections open, idle or lent.
    open: usize,
    waiting: usize,
}

/// Up to `max` connections, opened when first needed.
pub struct Pool {
    config: Config,
    max: usize,
    state: Mutex<State>,
    freed: Condvar,
}

impl Pool {
    pub fn new(config: Config, max: usize) -> Pool {
        Pool {
            config,
            max,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A free connection, a new one while fewer than `max` are open, or
    /// the first one given back within [`WAIT`].
    pub fn get(&self) -> DbResult<Pooled<'_>> {
        let mut st = self.lock();
        loop {
            while let Some(conn) = st.idle.pop() {
                // A connection the server closed (a restart, an idle
                // timeout) is dropped here rather than failing a request.
                if conn.client.borrow().is_closed() {
                    st.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Pooled {
                        pool: self,
                        conn: Some(Conn::new(client)),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(DbError::Pool(describe_chain(&e)))
                    }
                };
            }
            st.waiting += 1;
            let (guard, timeout) = self
                .freed
                .wait_timeout(st, WAIT)
                .unwrap_or_else(|p| p.into_inner());
            st = guard;
            st.waiting -= 1;
            if timeout.timed_out() && st.idle.is_empty() && st.open >= self.max {
                return Err(DbError::Pool(format!(
                    "no database connection was free within {} s",
                    WAIT.as_secs()
                )));
            }
        }
    }

    pub fn gauge(&self) -> PoolGauge {
        let st = self.lock();
        PoolGauge {
            max: self.max,
            open: st.open,
            idle: st.idle.len(),
            waiting: st.waiting,
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A client says goodbye to the server on a runtime of its own,
        // which tokio refuses inside an async task, where the last `Arc`
        // of the service may be dropped: the idle ones go on a thread.
        let idle = std::mem::take(&mut self.lock().idle);
        if !idle.is_empty() {
            let _ = std::thread::Builder::new()
                .name("rounds-pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}

/// A connection lent by the pool, given back when dropped.
pub struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("held until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let mut st = self.pool.lock();
        if conn.broken.get() || conn.client.borrow().is_closed() {
            st.open -= 1;
        } else {
            st.idle.push(conn);
        }
        drop(st);
        self.pool.freed.notify_one();
    }
}

/// An error with its causes ("error connecting to server: Connection
/// refused"), which its own message leaves out.
pub fn describe_chain(e: &dyn std::error::Error) -> String {
    let mut m = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !m.contains(&more) {
            m = format!("{m}: {more}");
        }
        source = s.source();
    }
    m
}
