-- The office server's database on PostgreSQL: the same tables as the
-- SQLite office after its migrations 0001-0004 (migrations/office/), so
-- `rounds-office migrate --to postgres://...` copies row for row and both
-- hash the same (`TableDigest`). Later changes are appended as new files
-- here and in migrations/office/ together.

CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE offices (
    id      TEXT COLLATE "C" PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL UNIQUE,
    created BIGINT NOT NULL
);

CREATE TABLE members (
    id      TEXT COLLATE "C" PRIMARY KEY,
    office  TEXT COLLATE "C" NOT NULL REFERENCES offices(id),
    name    TEXT COLLATE "C" NOT NULL,
    role    TEXT COLLATE "C" NOT NULL CHECK (role IN ('office_admin', 'lead_teacher', 'teacher')),
    created BIGINT NOT NULL,
    removed BIGINT,
    site    TEXT COLLATE "C" NOT NULL DEFAULT ''
);

-- One-time enrollment codes, stored only as hashes.
CREATE TABLE enrollment_codes (
    hash    BYTEA PRIMARY KEY,
    member  TEXT COLLATE "C" NOT NULL REFERENCES members(id),
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    used    BIGINT
);

-- Devices, with their token stored only as a hash.
CREATE TABLE devices (
    id         TEXT COLLATE "C" PRIMARY KEY,
    member     TEXT COLLATE "C" NOT NULL REFERENCES members(id),
    name       TEXT COLLATE "C" NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created    BIGINT NOT NULL,
    revoked    BIGINT,
    last_sync  BIGINT
);

CREATE TABLE device_actors (
    actor  BYTEA PRIMARY KEY,
    device TEXT COLLATE "C" NOT NULL REFERENCES devices(id)
);

CREATE TABLE documents (
    id            TEXT COLLATE "C" PRIMARY KEY,
    office        TEXT COLLATE "C" NOT NULL REFERENCES offices(id),
    owner         TEXT COLLATE "C" NOT NULL REFERENCES members(id),
    kind          TEXT COLLATE "C" NOT NULL,
    visibility    TEXT COLLATE "C" NOT NULL,
    deleted       BIGINT NOT NULL,
    created       BIGINT NOT NULL,
    snapshot      BYTEA NOT NULL DEFAULT '\x',
    snapshot_pos  BIGINT NOT NULL DEFAULT 0,
    last_pos      BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX documents_by_office ON documents (office, id);

-- The change log. A position is not taken from a sequence (a transaction
-- that took 1 and commits after the one that took 2 would be skipped by a
-- reader that saw 2): a push takes its positions from the one row of
-- log_head as the last thing before it commits, so the row's lock makes
-- writers commit one at a time, in the order of their positions. See
-- docs/sync-protocol.md, "Positions on PostgreSQL".
CREATE TABLE log (
    pos    BIGINT PRIMARY KEY,
    office TEXT COLLATE "C" NOT NULL,
    doc    TEXT COLLATE "C" NOT NULL REFERENCES documents(id),
    kind   BIGINT NOT NULL,
    device TEXT COLLATE "C" NOT NULL,
    shared BIGINT NOT NULL,
    hash   BYTEA,
    bytes  BYTEA
);

CREATE INDEX log_by_office ON log (office, pos);
CREATE UNIQUE INDEX log_change_hash ON log (doc, hash) WHERE hash IS NOT NULL;
CREATE INDEX log_by_doc ON log (doc, pos);

CREATE TABLE log_head (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    pos BIGINT NOT NULL
);
INSERT INTO log_head (one, pos) VALUES (TRUE, 0);

CREATE TABLE owner_ids (
    owner  TEXT COLLATE "C" PRIMARY KEY,
    member TEXT COLLATE "C" NOT NULL REFERENCES members(id)
);

CREATE TABLE rubrics (
    office  TEXT COLLATE "C" NOT NULL REFERENCES offices(id),
    name    TEXT COLLATE "C" NOT NULL,
    body    TEXT COLLATE "C" NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (office, name)
);
