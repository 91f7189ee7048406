//! The office's storage contract on SQLite: [`OfficeDb`] for [`SqliteDb`],
//! pushes appended inside the one write transaction, and the log as
//! [`page_log`] reads it.

use rusqlite::{Connection, OptionalExtension, params};

use super::*;

impl OfficeDb for SqliteDb {
    fn epoch(&self) -> u32 {
        self.epoch
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn pool(&self) -> PoolGauge {
        // One writer and the readers, all opened at the start.
        let conns = std::iter::once(&self.writer).chain(&self.readers);
        let idle = conns.filter(|m| m.try_lock().is_ok()).count();
        PoolGauge {
            max: READERS + 1,
            open: READERS + 1,
            idle,
            waiting: 0,
        }
    }

    fn create_office(&self, id: &str, name: &str, now: i64) -> DbResult<Office> {
        let c = self.w();
        let exists: bool = c.query_row(
            "SELECT count(*) FROM offices WHERE name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )? > 0;
        if exists {
            return Err(DbError::Conflict(format!(
                "an office named `{name}` exists"
            )));
        }
        c.execute(
            "INSERT INTO offices (id, name, created) VALUES (?1, ?2, ?3)",
            params![id, name, now],
        )?;
        Ok(Office {
            id: id.to_owned(),
            name: name.to_owned(),
            created: now,
        })
    }

    fn offices(&self) -> DbResult<Vec<Office>> {
        let c = self.r();
        let mut s = c.prepare("SELECT id, name, created FROM offices ORDER BY created, name")?;
        let rows = s.query_map([], |r| {
            Ok(Office {
                id: r.get(0)?,
                name: r.get(1)?,
                created: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_member(
        &self,
        id: &str,
        office: &str,
        name: &str,
        role: Role,
        now: i64,
    ) -> DbResult<Member> {
        let c = self.w();
        let n: i64 = c.query_row(
            "SELECT count(*) FROM offices WHERE id = ?1",
            [office],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("office {office}")));
        }
        c.execute(
            "INSERT INTO members (id, office, name, role, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, office, name, role.as_str(), now],
        )?;
        Ok(Member {
            id: id.to_owned(),
            office: office.to_owned(),
            name: name.to_owned(),
            role,
            created: now,
            removed: None,
            site: String::new(),
        })
    }

    fn members(&self, office: &str) -> DbResult<Vec<Member>> {
        let c = self.r();
        let mut s = c.prepare(
            "SELECT id, office, name, role, created, removed, site FROM members WHERE office = ?1 ORDER BY created, name",
        )?;
        let rows = s.query_map([office], member_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_role(&self, member: &str, role: Role) -> DbResult<()> {
        let n = self.w().execute(
            "UPDATE members SET role = ?2 WHERE id = ?1 AND removed IS NULL",
            params![member, role.as_str()],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn set_site(&self, member: &str, site: &str) -> DbResult<()> {
        let n = self.w().execute(
            "UPDATE members SET site = ?2 WHERE id = ?1 AND removed IS NULL",
            params![member, site],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn put_rubric(&self, office: &str, name: &str, body: &str, now: i64) -> DbResult<()> {
        self.w().execute(
            "INSERT INTO rubrics (office, name, body, created) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (office, name) DO UPDATE SET body = excluded.body",
            params![office, name, body, now],
        )?;
        Ok(())
    }

    fn rubrics(&self, office: &str) -> DbResult<Vec<(String, String)>> {
        let c = self.r();
        let mut stmt = c.prepare_cached(
            "SELECT name, body FROM rubrics WHERE office = ?1 ORDER BY created, name",
        )?;
        let rows = stmt.query_map([office], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn remove_member(&self, member: &str, now: i64) -> DbResult<()> {
        let mut c = self.w();
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE members SET removed = ?2 WHERE id = ?1 AND removed IS NULL",
            params![member, now],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        tx.execute(
            "UPDATE devices SET revoked = ?2 WHERE member = ?1 AND revoked IS NULL",
            params![member, now],
        )?;
        tx.execute(
            "UPDATE enrollment_codes SET used = ?2 WHERE member = ?1 AND used IS NULL",
            params![member, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn create_code(&self, member: &str, code_hash: &[u8], expires: i64, now: i64) -> DbResult<()> {
        let c = self.w();
        let live: i64 = c.query_row(
            "SELECT count(*) FROM members WHERE id = ?1 AND removed IS NULL",
            [member],
            |r| r.get(0),
        )?;
        if live == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        c.execute(
            "INSERT INTO enrollment_codes (hash, member, created, expires) VALUES (?1, ?2, ?3, ?4)",
            params![code_hash, member, now, expires],
        )?;
        Ok(())
    }

    fn enroll(
        &self,
        code_hash: &[u8],
        device: NewDevice<'_>,
        now: i64,
        decide: &mut dyn FnMut(&EnrollView) -> Result<ActorPlan, EnrollFailure>,
    ) -> DbResult<Result<(Office, Member), EnrollFailure>> {
        let mut c = self.w();
        let tx = c.transaction()?;
        let code: Option<CodeRow> = tx
            .query_row(
                "SELECT member, expires, used FROM enrollment_codes WHERE hash = ?1",
                [code_hash],
                |r| {
                    Ok(CodeRow {
                        member: r.get(0)?,
                        expires: r.get(1)?,
                        used: r.get(2)?,
                    })
                },
            )
            .optional()?;
        let member = match &code {
            Some(code) => tx
                .query_row(
                    "SELECT id, office, name, role, created, removed, site FROM members WHERE id = ?1",
                    [&code.member],
                    member_from_row,
                )
                .optional()?,
            None => None,
        };
        let actor_holder: Option<(String, bool)> = tx
            .query_row(
                "SELECT d.member, d.revoked IS NOT NULL FROM device_actors a JOIN devices d ON d.id = a.device WHERE a.actor = ?1",
                [device.actor],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let view = EnrollView {
            code,
            member,
            actor_holder,
        };
        let plan = match decide(&view) {
            Ok(plan) => plan,
            Err(f) => return Ok(Err(f)),
        };
        let Some(member) = view.member else {
            return Ok(Err(EnrollFailure::Unknown));
        };
        tx.execute(
            "UPDATE enrollment_codes SET used = ?2 WHERE hash = ?1",
            params![code_hash, now],
        )?;
        tx.execute(
            "INSERT INTO devices (id, member, name, token_hash, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![device.id, member.id, device.name, device.token_hash, now],
        )?;
        match plan {
            ActorPlan::Move => tx.execute(
                "UPDATE device_actors SET device = ?2 WHERE actor = ?1",
                params![device.actor, device.id],
            )?,
            ActorPlan::Bind => tx.execute(
                "INSERT INTO device_actors (actor, device) VALUES (?1, ?2)",
                params![device.actor, device.id],
            )?,
        };
        let office = tx.query_row(
            "SELECT id, name, created FROM offices WHERE id = ?1",
            [&member.office],
            |r| {
                Ok(Office {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created: r.get(2)?,
                })
            },
        )?;
        tx.commit()?;
        Ok(Ok((office, member)))
    }

    fn device_for_token(&self, token_hash: &[u8]) -> DbResult<Option<TokenHolder>> {
        let c = self.r();
        Ok(c.query_row(
            &format!("SELECT {HOLDER_COLUMNS} FROM {HOLDER_FROM} WHERE d.token_hash = ?1"),
            [token_hash],
            token_holder,
        )
        .optional()?)
    }

    fn device_has_actor(&self, device: &str, actor: &[u8]) -> DbResult<bool> {
        let c = self.r();
        let n: i64 = c.query_row(
            "SELECT count(*) FROM device_actors WHERE actor = ?1 AND device = ?2",
            params![actor, device],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    fn devices(&self, office: &str) -> DbResult<Vec<DeviceInfo>> {
        let c = self.r();
        let mut s = c.prepare(
            "SELECT d.id, m.id, m.name, d.name, d.created, d.revoked, d.last_sync FROM devices d
             JOIN members m ON m.id = d.member WHERE m.office = ?1 ORDER BY d.created",
        )?;
        let rows = s.query_map([office], device_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn revoke_device(&self, device: &str, now: i64) -> DbResult<()> {
        let n = self.w().execute(
            "UPDATE devices SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
            params![device, now],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!(
                "device {device} (or it is already revoked)"
            )));
        }
        Ok(())
    }

    fn record_sync(&self, device: &str, now: i64) -> DbResult<()> {
        self.w().execute(
            "UPDATE devices SET last_sync = ?2 WHERE id = ?1",
            params![device, now],
        )?;
        Ok(())
    }

    fn device_by_id(&self, device: &str) -> DbResult<Option<(TokenHolder, Option<Vec<u8>>)>> {
        self.device_by_id_impl(device)
    }

    fn set_bundle_key(&self, device: &str, public: &[u8], now: i64) -> DbResult<()> {
        self.set_bundle_key_impl(device, public, now)
    }

    fn office_key(&self, office: &str, fresh: &[u8], now: i64) -> DbResult<Vec<u8>> {
        self.office_key_impl(office, fresh, now)
    }

    fn bundle_imported(&self, id: &str) -> DbResult<Option<i64>> {
        self.bundle_imported_impl(id)
    }

    fn record_bundle(&self, id: &str, device: &str, now: i64) -> DbResult<bool> {
        self.record_bundle_impl(id, device, now)
    }

    fn status(&self, office: &str) -> DbResult<Status> {
        let c = self.r();
        let o = c
            .query_row(
                "SELECT id, name, created FROM offices WHERE id = ?1",
                [office],
                |r| {
                    Ok(Office {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created: r.get(2)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| DbError::NotFound(format!("office {office}")))?;
        let count = |sql: &str| -> DbResult<usize> {
            Ok(c.query_row(sql, [office], |r| r.get::<_, i64>(0))? as usize)
        };
        let members = count("SELECT count(*) FROM members WHERE office = ?1 AND removed IS NULL")?;
        let documents = count("SELECT count(*) FROM documents WHERE office = ?1")?;
        let changes = count("SELECT count(*) FROM log WHERE office = ?1 AND kind = 1")?;
        drop(c);
        Ok(Status {
            office: o,
            members,
            documents,
            changes,
            devices: self.devices(office)?,
        })
    }

    fn push_doc(
        &self,
        ctx: &DeviceCtx,
        doc: &str,
        now: i64,
        rules: PushRules<'_>,
    ) -> DbResult<Result<(), rounds_proto::Rejection>> {
        // Validation (loading the document, applying the changes, scanning
        // for identifiers) runs on a reader, without the writer: one
        // device's large push does not stall every other sync. The writer
        // is taken only to check that the document did not move meanwhile
        // and to append; if it moved, the push is validated again on what
        // is there now. After a few tries the last one validates under the
        // writer, so a busy document still makes progress.
        for _ in 0..OPTIMISTIC_TRIES {
            let (state, version) = {
                let mut c = self.r();
                let tx = c.transaction()?;
                load_state(&tx, doc)?
            };
            let accepted = match (rules.decide)(state.as_ref()) {
                Ok(a) => a,
                Err(rej) => return Ok(Err(rej)),
            };
            let mut c = self.w();
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if doc_version(&tx, doc)? != version {
                continue;
            }
            return store_push(tx, ctx, doc, now, state.as_ref(), &accepted, rules.owner);
        }
        let mut c = self.w();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (state, _) = load_state(&tx, doc)?;
        let accepted = match (rules.decide)(state.as_ref()) {
            Ok(a) => a,
            Err(rej) => return Ok(Err(rej)),
        };
        store_push(tx, ctx, doc, now, state.as_ref(), &accepted, rules.owner)
    }

    fn read_log(
        &self,
        office: &str,
        after: i64,
        max_bytes: usize,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<LogPage> {
        let mut c = self.r();
        // One read transaction: everything scanned is one consistent view.
        let tx = c.transaction()?;
        page_log(&mut SqliteLog(&tx), office, after, max_bytes, wanted)
    }

    fn readable_after(
        &self,
        office: &str,
        after: i64,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<bool> {
        let mut c = self.r();
        let tx = c.transaction()?;
        let mut src = SqliteLog(&tx);
        let mut from = after;
        loop {
            let rows = src.rows(office, from, LOG_BATCH)?;
            for row in &rows {
                if wanted(&row.meta()) {
                    return Ok(true);
                }
            }
            match rows.last() {
                Some(last) if rows.len() == LOG_BATCH => from = last.pos,
                _ => return Ok(false),
            }
        }
    }

    fn head(&self) -> DbResult<i64> {
        Ok(self
            .r()
            .query_row("SELECT coalesce(max(pos), 0) FROM log", [], |r| r.get(0))?)
    }

    fn read_snapshots(
        &self,
        office: &str,
        after_doc: &str,
        upto: i64,
        max_bytes: usize,
        readable: &dyn Fn(&DocMeta<'_>) -> bool,
    ) -> DbResult<(Vec<(String, Vec<u8>)>, bool)> {
        let c = self.r();
        let mut stmt = c.prepare_cached(
            // Only documents that existed at `upto`: one that came later
            // reaches the device through the log (which leaves out the
            // device's own rows), and its snapshot, once compacted, would
            // hold changes after `upto`, such as everything a new device
            // pushed in the requests of its first sync.
            "SELECT id, owner, visibility FROM documents WHERE office = ?1 AND id > ?2
             AND EXISTS (SELECT 1 FROM log WHERE log.doc = documents.id AND log.pos <= ?3)
             ORDER BY id LIMIT 64",
        )?;
        let mut snap =
            c.prepare_cached("SELECT snapshot, snapshot_pos FROM documents WHERE id = ?1")?;
        let mut changes = c.prepare_cached("SELECT bytes FROM log WHERE doc = ?1 AND kind = 1 AND pos > ?2 AND pos <= ?3 ORDER BY pos")?;
        let mut out = Vec::new();
        let mut size = 0usize;
        let mut from = after_doc.to_owned();
        loop {
            let rows: Vec<(String, String, String)> = stmt
                .query_map(params![office, from, upto], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let fetched = rows.len();
            for (doc, owner, visibility) in rows {
                if !readable(&DocMeta {
                    owner: &owner,
                    visibility: &visibility,
                }) {
                    from = doc;
                    continue;
                }
                if size >= max_bytes && !out.is_empty() {
                    return Ok((out, true));
                }
                let (snapshot, snap_pos): (Vec<u8>, i64) =
                    snap.query_row([&doc], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let bytes = bootstrap_bytes(snapshot, snap_pos, upto, |base| {
                    let rows =
                        changes.query_map(params![doc, base, upto], |r| r.get::<_, Vec<u8>>(0))?;
                    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
                })?;
                from = doc.clone();
                if !bytes.is_empty() {
                    size += bytes.len() + 24;
                    out.push((doc, bytes));
                }
            }
            if fetched < 64 {
                return Ok((out, false));
            }
        }
    }

    fn stale_snapshots(&self, limit: usize, now: i64, until: i64) -> DbResult<Vec<String>> {
        let c = self.w();
        let mut s = c.prepare_cached(
            "UPDATE documents SET compact_claim = ?3 WHERE id IN (
                 SELECT id FROM documents WHERE last_pos > snapshot_pos AND compact_claim <= ?2
                 ORDER BY snapshot_pos, id LIMIT ?1)
             RETURNING id",
        )?;
        let mut rows: Vec<String> = s
            .query_map(params![limit as i64, now, until], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rows.sort();
        Ok(rows)
    }

    fn doc_log_since_snapshot(&self, doc: &str) -> DbResult<(Vec<u8>, i64, Vec<u8>, i64)> {
        let mut c = self.r();
        // One read transaction, so the position returned is exactly the last
        // change included, even while pushes go on.
        let tx = c.transaction()?;
        let (snapshot, pos): (Vec<u8>, i64) = tx
            .query_row(
                "SELECT snapshot, snapshot_pos FROM documents WHERE id = ?1",
                [doc],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| DbError::NotFound(format!("document {doc}")))?;
        let mut rest = Vec::new();
        let mut last = pos;
        {
            let mut s = tx.prepare_cached(
                "SELECT pos, bytes FROM log WHERE doc = ?1 AND kind = 1 AND pos > ?2 ORDER BY pos",
            )?;
            for row in s.query_map(params![doc, pos], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })? {
                let (p, b) = row?;
                rest.extend_from_slice(&b);
                last = p;
            }
        }
        tx.commit()?;
        Ok((snapshot, pos, rest, last))
    }

    fn put_snapshot(&self, doc: &str, old_pos: i64, new_pos: i64, bytes: &[u8]) -> DbResult<()> {
        self.w().execute(
            "UPDATE documents SET snapshot = ?3, snapshot_pos = ?4, compact_claim = 0 WHERE id = ?1 AND snapshot_pos = ?2",
            params![doc, old_pos, bytes, new_pos],
        )?;
        Ok(())
    }

    fn digest(&self) -> DbResult<Vec<TableDigest>> {
        let mut c = self.r();
        let tx = c.transaction()?;
        digest_of(&tx)
    }
}

/// How often a push is validated without the writer before the last try
/// validates under it.
const OPTIMISTIC_TRIES: usize = 3;

/// A document's version for the optimistic check: its last log position
/// (every stored change or reveal moves it), or `None` when it is new.
/// The columns [`token_holder`] reads, first in a query's select list,
/// and the tables they come from.
pub(super) const HOLDER_COLUMNS: &str =
    "d.id, m.id, m.office, m.role, m.name, d.revoked IS NOT NULL, m.removed IS NOT NULL";
pub(super) const HOLDER_FROM: &str = "devices d JOIN members m ON m.id = d.member";

/// A device and its member as a token (or a bundle's signature) finds them.
pub(super) fn token_holder(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenHolder> {
    let role: String = r.get(3)?;
    Ok(TokenHolder {
        ctx: DeviceCtx {
            device: r.get(0)?,
            member: r.get(1)?,
            member_name: r.get(4)?,
            // The table's CHECK admits only known roles; anything else
            // would get the least privilege.
            role: Role::parse(&role).unwrap_or(Role::Teacher),
            office: r.get(2)?,
        },
        revoked: r.get(5)?,
        member_removed: r.get(6)?,
    })
}

fn doc_version(c: &Connection, doc: &str) -> DbResult<Option<i64>> {
    Ok(
        c.query_row("SELECT last_pos FROM documents WHERE id = ?1", [doc], |r| {
            r.get(0)
        })
        .optional()?,
    )
}

/// Writes an accepted push inside the writer's transaction and commits.
fn store_push(
    tx: rusqlite::Transaction<'_>,
    ctx: &DeviceCtx,
    doc: &str,
    now: i64,
    state: Option<&DocState>,
    accepted: &Accepted,
    owner_rule: &dyn Fn(
        Option<&DocState>,
        Option<&str>,
    ) -> Result<Option<String>, rounds_proto::Rejection>,
) -> DbResult<Result<(), rounds_proto::Rejection>> {
    let bound: Option<String> = tx
        .query_row(
            "SELECT member FROM owner_ids WHERE owner = ?1",
            [&accepted.owner_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner_rule(state, bound.as_deref()) {
        Err(rej) => return Ok(Err(rej)),
        Ok(Some(member)) => {
            tx.execute(
                "INSERT INTO owner_ids (owner, member) VALUES (?1, ?2)",
                params![accepted.owner_id, member],
            )?;
        }
        Ok(None) => {}
    }
    match &state {
        None => {
            tx.execute(
                "INSERT INTO documents (id, office, owner, kind, visibility, deleted, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![doc, ctx.office, ctx.member, accepted.kind, accepted.visibility, accepted.deleted, now],
            )?;
        }
        Some(_) => {
            tx.execute(
                "UPDATE documents SET kind = ?2, visibility = ?3, deleted = ?4 WHERE id = ?1",
                params![doc, accepted.kind, accepted.visibility, accepted.deleted],
            )?;
        }
    }
    let mut last = None;
    // The reveal goes first: a colleague then receives the whole
    // document before the changes of this push, whose dependencies were
    // written while it was private.
    if accepted.reveal {
        tx.execute(
            "INSERT INTO log (office, doc, kind, device, shared) VALUES (?1, ?2, 2, ?3, 1)",
            params![ctx.office, doc, ctx.device],
        )?;
        last = Some(tx.last_insert_rowid());
    }
    {
        let mut ins = tx.prepare_cached(
            "INSERT INTO log (office, doc, kind, device, shared, hash, bytes) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)
             ON CONFLICT DO NOTHING",
        )?;
        let shared = accepted.visibility == "office";
        for (hash, bytes) in &accepted.changes {
            if ins.execute(params![ctx.office, doc, ctx.device, shared, hash, bytes])? > 0 {
                last = Some(tx.last_insert_rowid());
            }
        }
    }
    match (last, &accepted.snapshot) {
        // A new document: every change of it is in this push.
        (Some(pos), Some(snapshot)) if state.is_none() => {
            tx.execute(
                "UPDATE documents SET last_pos = ?2, snapshot = ?3, snapshot_pos = ?2 WHERE id = ?1",
                params![doc, pos, snapshot],
            )?;
        }
        (Some(pos), _) => {
            tx.execute(
                "UPDATE documents SET last_pos = ?2 WHERE id = ?1",
                params![doc, pos],
            )?;
        }
        (None, _) => {}
    }
    tx.commit()?;
    Ok(Ok(()))
}

fn load_state(
    tx: &rusqlite::Transaction<'_>,
    doc: &str,
) -> DbResult<(Option<DocState>, Option<i64>)> {
    let row: Option<(String, String, String, i64)> = tx
        .query_row(
            "SELECT office, owner, visibility, last_pos FROM documents WHERE id = ?1",
            [doc],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((office, owner, visibility, version)) = row else {
        return Ok((None, None));
    };
    Ok((
        Some(DocState {
            office,
            owner,
            visibility,
            bytes: whole_doc(tx, doc)?,
        }),
        Some(version),
    ))
}

/// A document's snapshot followed by every change logged after it.
fn whole_doc(c: &Connection, doc: &str) -> DbResult<Vec<u8>> {
    let (mut bytes, pos): (Vec<u8>, i64) = c.query_row(
        "SELECT snapshot, snapshot_pos FROM documents WHERE id = ?1",
        [doc],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut s = c.prepare_cached(
        "SELECT bytes FROM log WHERE doc = ?1 AND kind = 1 AND pos > ?2 ORDER BY pos",
    )?;
    for b in s.query_map(params![doc, pos], |r| r.get::<_, Vec<u8>>(0))? {
        bytes.extend_from_slice(&b?);
    }
    Ok(bytes)
}

/// The log as [`page_log`] reads it, inside one read transaction.
struct SqliteLog<'a>(&'a Connection);

impl LogSource for SqliteLog<'_> {
    fn rows(&mut self, office: &str, after: i64, limit: usize) -> DbResult<Vec<LogRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT l.pos, l.doc, l.kind, l.device, d.owner, d.visibility, l.shared, coalesce(length(l.bytes), 0)
             FROM log l JOIN documents d ON d.id = l.doc
             WHERE l.office = ?1 AND l.pos > ?2 ORDER BY l.pos LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![office, after, limit as i64], |r| {
            Ok(LogRow {
                pos: r.get(0)?,
                doc: r.get(1)?,
                kind: r.get(2)?,
                device: r.get(3)?,
                owner: r.get(4)?,
                visibility: r.get(5)?,
                shared: r.get(6)?,
                size: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn change_bytes(&mut self, positions: &[i64]) -> DbResult<Vec<Vec<u8>>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT coalesce(bytes, x'') FROM log WHERE pos = ?1")?;
        positions
            .iter()
            .map(|p| Ok(stmt.query_row([p], |r| r.get(0))?))
            .collect()
    }

    fn whole_doc(&mut self, doc: &str) -> DbResult<Vec<u8>> {
        whole_doc(self.0, doc)
    }
}
