-- The office server's database.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE offices (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
) STRICT;

CREATE TABLE members (
    id      TEXT PRIMARY KEY,
    office  TEXT NOT NULL REFERENCES offices(id),
    name    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('office_admin', 'lead_teacher', 'teacher')),
    created INTEGER NOT NULL,
    removed INTEGER
) STRICT;

-- One-time enrollment codes, stored only as hashes.
CREATE TABLE enrollment_codes (
    hash    BLOB PRIMARY KEY,
    member  TEXT NOT NULL REFERENCES members(id),
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    used    INTEGER
) STRICT;

-- Devices, with their token stored only as a hash.
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    member     TEXT NOT NULL REFERENCES members(id),
    name       TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created    INTEGER NOT NULL,
    revoked    INTEGER,
    last_sync  INTEGER
) STRICT;

-- The Automerge actors a device may write as.
CREATE TABLE device_actors (
    actor  BLOB PRIMARY KEY,
    device TEXT NOT NULL REFERENCES devices(id)
) STRICT;

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    office        TEXT NOT NULL REFERENCES offices(id),
    owner         TEXT NOT NULL REFERENCES members(id),
    kind          TEXT NOT NULL,
    visibility    TEXT NOT NULL,
    deleted       INTEGER NOT NULL,
    created       INTEGER NOT NULL,
    -- A compacted save of the document up to log position snapshot_pos,
    -- kept fresh off the request path for devices that join later.
    snapshot      BLOB NOT NULL DEFAULT x'',
    snapshot_pos  INTEGER NOT NULL DEFAULT 0,
    last_pos      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX documents_by_office ON documents (office, id);

-- The change log. Positions only grow, in commit order: every write to the
-- log happens inside the database's single write transaction, so a reader
-- never sees a position before an earlier one has committed.
-- kind 1: an Automerge change; kind 2: the document became visible to the
-- office (readers receive it whole, so changes made while it was private
-- need not, and must not, reach them one by one).
-- shared: the document was visible to the office when the change was
-- written; colleagues read only such changes, its owner reads all.
CREATE TABLE log (
    pos    INTEGER PRIMARY KEY AUTOINCREMENT,
    office TEXT NOT NULL,
    doc    TEXT NOT NULL REFERENCES documents(id),
    kind   INTEGER NOT NULL,
    device TEXT NOT NULL,
    shared INTEGER NOT NULL,
    hash   BLOB,
    bytes  BLOB
) STRICT;

CREATE INDEX log_by_office ON log (office, pos);
CREATE UNIQUE INDEX log_change_hash ON log (doc, hash) WHERE hash IS NOT NULL;
CREATE INDEX log_by_doc ON log (doc, pos);
