//! The office's storage contract on PostgreSQL: [`OfficeDb`] for
//! [`PgDb`], pushes with their ordered log positions, and the log as
//! [`page_log`] reads it.

use std::collections::HashMap;

use super::*;

impl OfficeDb for PgDb {
    fn epoch(&self) -> u32 {
        self.epoch
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn pool(&self) -> PoolGauge {
        self.pool.gauge()
    }

    fn create_office(&self, id: &str, name: &str, now: i64) -> DbResult<Office> {
        let c = self.client()?;
        let n = c.execute("INSERT INTO offices (id, name, created) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            &[&id, &name, &now],
        )?;
        if n == 0 {
            return Err(DbError::Conflict(format!(
                "an office named `{name}` exists"
            )));
        }
        Ok(Office {
            id: id.to_owned(),
            name: name.to_owned(),
            created: now,
        })
    }

    fn offices(&self) -> DbResult<Vec<Office>> {
        let c = self.client()?;
        let rows = c.query(
            "SELECT id, name, created FROM offices ORDER BY created, name",
            &[],
        )?;
        Ok(rows.iter().map(office_of).collect())
    }

    fn add_member(
        &self,
        id: &str,
        office: &str,
        name: &str,
        role: Role,
        now: i64,
    ) -> DbResult<Member> {
        let c = self.client()?;
        let n = c.execute(
            "INSERT INTO members (id, office, name, role, created)
             SELECT $1, id, $3, $4, $5 FROM offices WHERE id = $2",
            &[&id, &office, &name, &role.as_str(), &now],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("office {office}")));
        }
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
        let c = self.client()?;
        let rows = c.query(
            &format!("SELECT {MEMBER_COLS} FROM members WHERE office = $1 ORDER BY created, name"),
            &[&office],
        )?;
        Ok(rows.iter().map(member_of).collect())
    }

    fn set_role(&self, member: &str, role: Role) -> DbResult<()> {
        let c = self.client()?;
        let n = c.execute(
            "UPDATE members SET role = $2 WHERE id = $1 AND removed IS NULL",
            &[&member, &role.as_str()],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn set_site(&self, member: &str, site: &str) -> DbResult<()> {
        let c = self.client()?;
        let n = c.execute(
            "UPDATE members SET site = $2 WHERE id = $1 AND removed IS NULL",
            &[&member, &site],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn put_rubric(&self, office: &str, name: &str, body: &str, now: i64) -> DbResult<()> {
        let c = self.client()?;
        c.execute(
            "INSERT INTO rubrics (office, name, body, created) VALUES ($1, $2, $3, $4)
             ON CONFLICT (office, name) DO UPDATE SET body = excluded.body",
            &[&office, &name, &body, &now],
        )?;
        Ok(())
    }

    fn rubrics(&self, office: &str) -> DbResult<Vec<(String, String)>> {
        let c = self.client()?;
        let rows = c.query(
            "SELECT name, body FROM rubrics WHERE office = $1 ORDER BY created, name",
            &[&office],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn remove_member(&self, member: &str, now: i64) -> DbResult<()> {
        let c = self.client()?;
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE members SET removed = $2 WHERE id = $1 AND removed IS NULL",
            &[&member, &now],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        tx.execute(
            "UPDATE devices SET revoked = $2 WHERE member = $1 AND revoked IS NULL",
            &[&member, &now],
        )?;
        tx.execute(
            "UPDATE enrollment_codes SET used = $2 WHERE member = $1 AND used IS NULL",
            &[&member, &now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn create_code(&self, member: &str, code_hash: &[u8], expires: i64, now: i64) -> DbResult<()> {
        let c = self.client()?;
        let n = c.execute(
            "INSERT INTO enrollment_codes (hash, member, created, expires)
             SELECT $1, id, $3, $4 FROM members WHERE id = $2 AND removed IS NULL",
            &[&code_hash, &member, &now, &expires],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn enroll(
        &self,
        code_hash: &[u8],
        device: NewDevice<'_>,
        now: i64,
        decide: &mut dyn FnMut(&EnrollView) -> Result<ActorPlan, EnrollFailure>,
    ) -> DbResult<Result<(Office, Member), EnrollFailure>> {
        let c = self.client()?;
        let tx = c.transaction()?;
        // The code's row stays locked until the end: two devices joining
        // with one code at once cannot both use it.
        let code = tx
            .query_opt(
                "SELECT member, expires, used FROM enrollment_codes WHERE hash = $1 FOR UPDATE",
                &[&code_hash],
            )?
            .map(|r| CodeRow {
                member: r.get(0),
                expires: r.get(1),
                used: r.get(2),
            });
        // The member is read without a lock: one removed meanwhile keeps
        // the device from authenticating anyway (`access::authenticates`),
        // and locking it here, after the code, could deadlock with
        // `remove_member`, which takes them the other way round.
        let member = match &code {
            Some(code) => tx
                .query_opt(
                    &format!("SELECT {MEMBER_COLS} FROM members WHERE id = $1"),
                    &[&code.member],
                )?
                .map(|r| member_of(&r)),
            None => None,
        };
        let actor_holder = tx
            .query_opt(
                "SELECT d.member, d.revoked IS NOT NULL FROM device_actors a
                 JOIN devices d ON d.id = a.device WHERE a.actor = $1 FOR UPDATE OF a",
                &[&device.actor],
            )?
            .map(|r| (r.get::<_, String>(0), r.get::<_, bool>(1)));
        let view = EnrollView {
            code,
            member,
            actor_holder,
        };
        let plan = match decide(&view) {
            Ok(p) => p,
            Err(f) => return Ok(Err(f)),
        };
        let Some(member) = view.member else {
            return Ok(Err(EnrollFailure::Unknown));
        };
        tx.execute(
            "UPDATE enrollment_codes SET used = $2 WHERE hash = $1",
            &[&code_hash, &now],
        )?;
        tx.execute("INSERT INTO devices (id, member, name, token_hash, created) VALUES ($1, $2, $3, $4, $5)",
            &[&device.id, &member.id, &device.name, &device.token_hash, &now],
        )?;
        match plan {
            ActorPlan::Move => tx.execute(
                "UPDATE device_actors SET device = $2 WHERE actor = $1",
                &[&device.actor, &device.id],
            )?,
            ActorPlan::Bind => {
                // Another device may have bound the same actor since it was
                // read (its row did not exist to lock): that one keeps it.
                let n = tx.execute("INSERT INTO device_actors (actor, device) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&device.actor, &device.id],
                )?;
                if n == 0 {
                    return Ok(Err(EnrollFailure::ActorTaken));
                }
                n
            }
        };
        let office = office_of(&tx.query_one(
            "SELECT id, name, created FROM offices WHERE id = $1",
            &[&member.office],
        )?);
        tx.commit()?;
        Ok(Ok((office, member)))
    }

    fn device_for_token(&self, token_hash: &[u8]) -> DbResult<Option<TokenHolder>> {
        let c = self.client()?;
        let row = c.query_opt(
            &format!("SELECT {HOLDER_COLUMNS} FROM {HOLDER_FROM} WHERE d.token_hash = $1"),
            &[&token_hash],
        )?;
        Ok(row.as_ref().map(token_holder))
    }

    fn device_has_actor(&self, device: &str, actor: &[u8]) -> DbResult<bool> {
        let c = self.client()?;
        Ok(c.query_opt(
            "SELECT 1 FROM device_actors WHERE actor = $1 AND device = $2",
            &[&actor, &device],
        )?
        .is_some())
    }

    fn devices(&self, office: &str) -> DbResult<Vec<DeviceInfo>> {
        let c = self.client()?;
        let rows = c.query(
            "SELECT d.id, m.id, m.name, d.name, d.created, d.revoked, d.last_sync FROM devices d
             JOIN members m ON m.id = d.member WHERE m.office = $1 ORDER BY d.created, d.id",
            &[&office],
        )?;
        Ok(rows
            .iter()
            .map(|r| DeviceInfo {
                id: r.get(0),
                member: r.get(1),
                member_name: r.get(2),
                name: r.get(3),
                created: r.get(4),
                revoked: r.get(5),
                last_sync: r.get(6),
            })
            .collect())
    }

    fn revoke_device(&self, device: &str, now: i64) -> DbResult<()> {
        let c = self.client()?;
        let n = c.execute(
            "UPDATE devices SET revoked = $2 WHERE id = $1 AND revoked IS NULL",
            &[&device, &now],
        )?;
        if n == 0 {
            return Err(DbError::NotFound(format!(
                "device {device} (or it is already revoked)"
            )));
        }
        Ok(())
    }

    fn record_sync(&self, device: &str, now: i64) -> DbResult<()> {
        let c = self.client()?;
        c.execute(
            "UPDATE devices SET last_sync = $2 WHERE id = $1",
            &[&device, &now],
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
        let c = self.client()?;
        let tx = c.snapshot()?;
        let o = tx
            .query_opt(
                "SELECT id, name, created FROM offices WHERE id = $1",
                &[&office],
            )?
            .map(|r| office_of(&r))
            .ok_or_else(|| DbError::NotFound(format!("office {office}")))?;
        let count = |sql: &str| -> DbResult<usize> {
            Ok(tx.query_one(sql, &[&office])?.get::<_, i64>(0) as usize)
        };
        let members = count("SELECT count(*) FROM members WHERE office = $1 AND removed IS NULL")?;
        let documents = count("SELECT count(*) FROM documents WHERE office = $1")?;
        let changes = count("SELECT count(*) FROM log WHERE office = $1 AND kind = 1")?;
        drop(tx);
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
        // As on SQLite: validate on a snapshot without holding anything,
        // then hold the document (an advisory lock on its id, which works
        // for a document not stored yet) just to check it did not move and
        // to append; the last try validates while holding it.
        let c = self.client()?;
        for attempt in 0..=OPTIMISTIC_TRIES {
            let last = attempt == OPTIMISTIC_TRIES;
            let mut early = None;
            if !last {
                let tx = c.snapshot()?;
                let (state, version) = self.load_state(&tx, doc)?;
                drop(tx);
                match (rules.decide)(state.as_ref()) {
                    Ok(a) => early = Some((state, version, a)),
                    Err(rej) => return Ok(Err(rej)),
                }
            }
            let tx = c.transaction()?;
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&doc],
            )?;
            let (state, accepted) = match early {
                Some((state, version, accepted)) => {
                    if self.doc_version(&tx, doc)? != version {
                        continue;
                    }
                    (state, accepted)
                }
                None => {
                    let (state, _) = self.load_state(&tx, doc)?;
                    match (rules.decide)(state.as_ref()) {
                        Ok(a) => (state, a),
                        Err(rej) => return Ok(Err(rej)),
                    }
                }
            };
            return self.store_push(tx, ctx, doc, now, state.as_ref(), &accepted, rules.owner);
        }
        unreachable!("the last try always returns")
    }

    fn read_log(
        &self,
        office: &str,
        after: i64,
        max_bytes: usize,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<LogPage> {
        let c = self.client()?;
        // Most syncs bring nothing: when the first rows after the cursor
        // (read by one statement, which sees one snapshot) hold nothing
        // for this device, the page is just the cursor moved past them,
        // without a transaction's two more round trips. Positions become
        // visible in order, so one statement's view skips nothing.
        let rows = PgLog { db: self, c: &c }.rows(office, after, LOG_BATCH)?;
        if rows.len() < LOG_BATCH && !rows.iter().any(|r| wanted(&r.meta())) {
            return Ok(LogPage {
                entries: Vec::new(),
                scanned: rows.last().map_or(after, |r| r.pos),
                more: false,
            });
        }
        // Otherwise the rows and their bytes are read in one snapshot (a
        // compaction may drop a change's bytes in between).
        let tx = c.snapshot()?;
        page_log(
            &mut PgLog { db: self, c: &tx },
            office,
            after,
            max_bytes,
            wanted,
        )
    }

    fn readable_after(
        &self,
        office: &str,
        after: i64,
        wanted: &dyn Fn(&RowMeta<'_>) -> bool,
    ) -> DbResult<bool> {
        // Each batch is one statement; a later batch seeing a later
        // snapshot only sees more, which is the question's answer anyway.
        let c = self.client()?;
        let mut src = PgLog { db: self, c: &c };
        let mut from = after;
        loop {
            let rows = src.rows(office, from, LOG_BATCH)?;
            if rows.iter().any(|r| wanted(&r.meta())) {
                return Ok(true);
            }
            match rows.last() {
                Some(last) if rows.len() == LOG_BATCH => from = last.pos,
                _ => return Ok(false),
            }
        }
    }

    fn head(&self) -> DbResult<i64> {
        let c = self.client()?;
        Ok(c.query_one("SELECT pos FROM log_head", &[])?.get(0))
    }

    fn read_snapshots(
        &self,
        office: &str,
        after_doc: &str,
        upto: i64,
        max_bytes: usize,
        readable: &dyn Fn(&DocMeta<'_>) -> bool,
    ) -> DbResult<(Vec<(String, Vec<u8>)>, bool)> {
        let c = self.client()?;
        let tx = c.snapshot()?;
        let mut out = Vec::new();
        let mut size = 0usize;
        let mut from = after_doc.to_owned();
        loop {
            let rows = tx.query(
                // Only documents that existed at `upto` (see the SQLite
                // backend).
                "SELECT id, owner, visibility, octet_length(snapshot)::bigint FROM documents
                 WHERE office = $1 AND id > $2
                 AND EXISTS (SELECT 1 FROM log WHERE log.doc = documents.id AND log.pos <= $3)
                 ORDER BY id LIMIT 64",
                &[&office, &from, &upto],
            )?;
            let fetched = rows.len();
            // The documents this page takes, chosen by their snapshots'
            // sizes, then read in two statements rather than two per
            // document: a round trip each is most of a first sync's time.
            let mut take: Vec<String> = Vec::new();
            let mut full = false;
            let mut guess = size;
            for r in rows {
                let doc: String = r.get(0);
                let (owner, visibility): (String, String) = (r.get(1), r.get(2));
                if !readable(&DocMeta {
                    owner: &owner,
                    visibility: &visibility,
                }) {
                    from = doc;
                    continue;
                }
                if guess >= max_bytes && (!out.is_empty() || !take.is_empty()) {
                    full = true;
                    break;
                }
                guess += r.get::<_, i64>(3).max(0) as usize + 24;
                from = doc.clone();
                take.push(doc);
            }
            if !take.is_empty() {
                let mut snaps: HashMap<String, (Vec<u8>, i64)> = tx
                    .query(
                        "SELECT id, snapshot, snapshot_pos FROM documents WHERE id = ANY($1)",
                        &[&take],
                    )?
                    .into_iter()
                    .map(|r| (r.get(0), (r.get(1), r.get(2))))
                    .collect();
                let mut changes: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
                for r in tx.query(
                    "SELECT l.doc, l.bytes FROM log l JOIN documents d ON d.id = l.doc
                     WHERE l.doc = ANY($1) AND l.kind = 1 AND l.pos > d.snapshot_pos AND l.pos <= $2
                     ORDER BY l.doc, l.pos",
                    &[&take, &upto],
                )? {
                    changes.entry(r.get(0)).or_default().push(r.get(1));
                }
                for doc in take {
                    let Some((snapshot, snap_pos)) = snaps.remove(&doc) else {
                        continue;
                    };
                    let mut rest = changes.remove(&doc).unwrap_or_default();
                    let bytes = bootstrap_bytes(snapshot, snap_pos, upto, |_| {
                        Ok(std::mem::take(&mut rest))
                    })?;
                    if !bytes.is_empty() {
                        size += bytes.len() + 24;
                        out.push((doc, bytes));
                    }
                }
            }
            if full {
                return Ok((out, true));
            }
            if fetched < 64 {
                return Ok((out, false));
            }
        }
    }

    fn stale_snapshots(&self, limit: usize, now: i64, until: i64) -> DbResult<Vec<String>> {
        let c = self.client()?;
        // SKIP LOCKED: a document another process is claiming (or a push
        // is writing) this instant is left for the next round.
        let rows = c.query(
            "UPDATE documents SET compact_claim = $3 WHERE id IN (
                 SELECT id FROM documents WHERE last_pos > snapshot_pos AND compact_claim <= $2
                 ORDER BY snapshot_pos, id LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING id",
            &[&(limit as i64), &now, &until],
        )?;
        let mut ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        ids.sort();
        Ok(ids)
    }

    fn doc_log_since_snapshot(&self, doc: &str) -> DbResult<(Vec<u8>, i64, Vec<u8>, i64)> {
        let c = self.client()?;
        let tx = c.snapshot()?;
        let s = tx
            .query_opt(
                "SELECT snapshot, snapshot_pos FROM documents WHERE id = $1",
                &[&doc],
            )?
            .ok_or_else(|| DbError::NotFound(format!("document {doc}")))?;
        let (snapshot, pos): (Vec<u8>, i64) = (s.get(0), s.get(1));
        let mut rest = Vec::new();
        let mut last = pos;
        for r in tx.query(
            "SELECT pos, bytes FROM log WHERE doc = $1 AND kind = 1 AND pos > $2 ORDER BY pos",
            &[&doc, &pos],
        )? {
            rest.extend_from_slice(r.get::<_, &[u8]>(1));
            last = r.get(0);
        }
        Ok((snapshot, pos, rest, last))
    }

    fn put_snapshot(&self, doc: &str, old_pos: i64, new_pos: i64, bytes: &[u8]) -> DbResult<()> {
        let c = self.client()?;
        c.execute("UPDATE documents SET snapshot = $3, snapshot_pos = $4, compact_claim = 0 WHERE id = $1 AND snapshot_pos = $2",
            &[&doc, &old_pos, &bytes, &new_pos],
        )?;
        Ok(())
    }

    fn digest(&self) -> DbResult<Vec<TableDigest>> {
        let c = self.client()?;
        let tx = c.snapshot()?;
        self.digest_in(&tx)
    }
}

/// The columns [`token_holder`] reads, first in a query's select list,
/// and the tables they come from.
pub(super) const HOLDER_COLUMNS: &str =
    "d.id, m.id, m.office, m.role, m.name, d.revoked IS NOT NULL, m.removed IS NOT NULL";
pub(super) const HOLDER_FROM: &str = "devices d JOIN members m ON m.id = d.member";

/// A device and its member as a token (or a bundle's signature) finds them.
pub(super) fn token_holder(r: &Row) -> TokenHolder {
    let role: String = r.get(3);
    TokenHolder {
        ctx: DeviceCtx {
            device: r.get(0),
            member: r.get(1),
            member_name: r.get(4),
            office: r.get(2),
            role: Role::parse(&role).unwrap_or(Role::Teacher),
        },
        revoked: r.get(5),
        member_removed: r.get(6),
    }
}

impl PgDb {
    fn doc_version(&self, c: &Conn, doc: &str) -> DbResult<Option<i64>> {
        Ok(
            c.query_opt("SELECT last_pos FROM documents WHERE id = $1", &[&doc])?
                .map(|r| r.get(0)),
        )
    }

    fn load_state(&self, c: &Conn, doc: &str) -> DbResult<(Option<DocState>, Option<i64>)> {
        let Some(r) = c.query_opt(
            "SELECT office, owner, visibility, last_pos FROM documents WHERE id = $1",
            &[&doc],
        )?
        else {
            return Ok((None, None));
        };
        Ok((
            Some(DocState {
                office: r.get(0),
                owner: r.get(1),
                visibility: r.get(2),
                bytes: self.whole_doc(c, doc)?,
            }),
            Some(r.get(3)),
        ))
    }

    fn whole_doc(&self, c: &Conn, doc: &str) -> DbResult<Vec<u8>> {
        let s = c.query_one(
            "SELECT snapshot, snapshot_pos FROM documents WHERE id = $1",
            &[&doc],
        )?;
        let (mut bytes, pos): (Vec<u8>, i64) = (s.get(0), s.get(1));
        for r in c.query(
            "SELECT bytes FROM log WHERE doc = $1 AND kind = 1 AND pos > $2 ORDER BY pos",
            &[&doc, &pos],
        )? {
            bytes.extend_from_slice(r.get::<_, &[u8]>(0));
        }
        Ok(bytes)
    }

    /// Writes an accepted push while holding its document, and commits.
    #[allow(clippy::too_many_arguments)]
    fn store_push(
        &self,
        tx: Tx<'_>,
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
        let bound = |tx: &Tx<'_>| -> DbResult<Option<String>> {
            Ok(tx
                .query_opt(
                    "SELECT member FROM owner_ids WHERE owner = $1",
                    &[&accepted.owner_id],
                )?
                .map(|r| r.get(0)))
        };
        match owner_rule(state, bound(&tx)?.as_deref()) {
            Err(rej) => return Ok(Err(rej)),
            Ok(None) => {}
            Ok(Some(member)) => {
                let n = tx.execute(
                    "INSERT INTO owner_ids (owner, member) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&accepted.owner_id, &member],
                )?;
                // Another push bound the id meanwhile: judge by that.
                if n == 0
                    && let Err(rej) = owner_rule(state, bound(&tx)?.as_deref())
                {
                    return Ok(Err(rej));
                }
            }
        }
        let deleted = accepted.deleted as i64;
        match state {
            None => tx.execute(
                "INSERT INTO documents (id, office, owner, kind, visibility, deleted, created)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &doc,
                    &ctx.office,
                    &ctx.member,
                    &accepted.kind,
                    &accepted.visibility,
                    &deleted,
                    &now,
                ],
            )?,
            Some(_) => tx.execute(
                "UPDATE documents SET kind = $2, visibility = $3, deleted = $4 WHERE id = $1",
                &[&doc, &accepted.kind, &accepted.visibility, &deleted],
            )?,
        };
        // Changes already stored (pushed before, through any process) are
        // left out; the document is held, so none can arrive meanwhile.
        let hashes: Vec<&[u8]> = accepted.changes.iter().map(|(h, _)| h.as_slice()).collect();
        let known: std::collections::HashSet<Vec<u8>> = tx
            .query(
                "SELECT hash FROM log WHERE doc = $1 AND hash = ANY($2)",
                &[&doc, &hashes],
            )?
            .iter()
            .map(|r| r.get::<_, Vec<u8>>(0))
            .collect();
        let mut kinds: Vec<i64> = Vec::new();
        let mut hash_col: Vec<Option<&[u8]>> = Vec::new();
        let mut bytes_col: Vec<Option<&[u8]>> = Vec::new();
        // The reveal goes first: a colleague then receives the whole
        // document before the changes of this push, whose dependencies
        // were written while it was private.
        if accepted.reveal {
            kinds.push(2);
            hash_col.push(None);
            bytes_col.push(None);
        }
        let mut seen = std::collections::HashSet::new();
        for (hash, bytes) in &accepted.changes {
            if known.contains(hash) || !seen.insert(hash.as_slice()) {
                continue;
            }
            kinds.push(1);
            hash_col.push(Some(hash));
            bytes_col.push(Some(bytes));
        }
        if !kinds.is_empty() {
            let k = kinds.len() as i64;
            // The last statements before the commit: the head's row lock
            // is held from here to the commit, so positions become visible
            // in order.
            let end: i64 = tx
                .query_one("UPDATE log_head SET pos = pos + $1 RETURNING pos", &[&k])?
                .get(0);
            let positions: Vec<i64> = (end - k + 1..=end).collect();
            // A reveal is written only when the document becomes shared,
            // so its row and the push's changes are all shared alike.
            let shared = (accepted.reveal || accepted.visibility == "office") as i64;
            tx.execute("INSERT INTO log (pos, office, doc, kind, device, shared, hash, bytes)
                 SELECT p, $5, $6, k, $7, $8, h, b
                 FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS t(p, k, h, b)",
                &[
                    &positions,
                    &kinds,
                    &hash_col,
                    &bytes_col,
                    &ctx.office,
                    &doc,
                    &ctx.device,
                    &shared,
                ],
            )?;
            match &accepted.snapshot {
                // A new document: every change of it is in this push.
                Some(snapshot) if state.is_none() => tx.execute(
                    "UPDATE documents SET last_pos = $2, snapshot = $3, snapshot_pos = $2 WHERE id = $1",
                    &[&doc, &end, snapshot],
                )?,
                _ => tx.execute(
                    "UPDATE documents SET last_pos = $2 WHERE id = $1",
                    &[&doc, &end],
                )?,
            };
        }
        tx.commit()?;
        Ok(Ok(()))
    }
}

/// The log as [`page_log`] reads it, on a connection or in a transaction.
struct PgLog<'a> {
    db: &'a PgDb,
    c: &'a Conn,
}

impl LogSource for PgLog<'_> {
    fn rows(&mut self, office: &str, after: i64, limit: usize) -> DbResult<Vec<LogRow>> {
        // The office's rows as a range of `log_by_office` (office, pos),
        // written as row comparisons that no other index can serve: the
        // statement is prepared once, and PostgreSQL's generic plan for
        // `office = $1 AND pos > $2 ORDER BY pos` walked the whole log's
        // primary key from the cursor on, every office's rows, to find
        // this office's few (1.2 ms and 2,900 buffers a sync under load).
        let rows = self.c.query(
            "SELECT l.pos, l.doc, l.kind, l.device, d.owner, d.visibility, l.shared,
                    coalesce(octet_length(l.bytes), 0)::bigint
             FROM log l JOIN documents d ON d.id = l.doc
             WHERE (l.office, l.pos) > ($1, $2) AND (l.office, l.pos) <= ($1, 9223372036854775807)
             ORDER BY l.office, l.pos LIMIT $3",
            &[&office, &after, &(limit as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| LogRow {
                pos: r.get(0),
                doc: r.get(1),
                kind: r.get(2),
                device: r.get(3),
                owner: r.get(4),
                visibility: r.get(5),
                shared: r.get::<_, i64>(6) != 0,
                size: r.get(7),
            })
            .collect())
    }

    fn change_bytes(&mut self, positions: &[i64]) -> DbResult<Vec<Vec<u8>>> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.c.query(
            "SELECT coalesce(bytes, '\\x'::bytea) FROM log WHERE pos = ANY($1) ORDER BY pos",
            &[&positions],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn whole_doc(&mut self, doc: &str) -> DbResult<Vec<u8>> {
        self.db.whole_doc(self.c, doc)
    }
}
