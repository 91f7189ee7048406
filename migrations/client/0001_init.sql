-- The local store of one Rounds device.
-- Documents are Automerge bytes; everything else is a projection of them,
-- rebuilt in the same transaction as the bytes it describes.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per document: its compacted snapshot. Changes saved since then
-- are in doc_chunks; loading reads the snapshot followed by the chunks.
CREATE TABLE documents (
    doc         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    snapshot    BLOB NOT NULL,
    chunks_size INTEGER NOT NULL DEFAULT 0,
    next_chunk  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE doc_chunks (
    doc  INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    seq  INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
) STRICT, WITHOUT ROWID;

-- The listing row of each document.
CREATE TABLE doc_index (
    doc           INTEGER PRIMARY KEY REFERENCES documents(doc) ON DELETE CASCADE,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    schema        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    author        TEXT NOT NULL,
    owner         TEXT NOT NULL,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    visibility    TEXT NOT NULL,
    language      TEXT NOT NULL,
    deleted       INTEGER NOT NULL,
    tags          TEXT NOT NULL,
    status        TEXT,
    organ_system  TEXT,
    learner_level TEXT,
    session_type  TEXT,
    age_band      TEXT,
    care_level    TEXT
) STRICT;

CREATE INDEX doc_index_by_updated ON doc_index (deleted, updated DESC);
CREATE INDEX doc_index_by_kind ON doc_index (kind, deleted, updated DESC);

CREATE TABLE doc_tags (
    tag TEXT NOT NULL,
    doc INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    PRIMARY KEY (tag, doc)
) STRICT, WITHOUT ROWID;

-- The original text, for cutting snippets; the index below holds only tokens.
CREATE TABLE doc_text (
    doc   INTEGER PRIMARY KEY REFERENCES documents(doc) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body  TEXT NOT NULL
) STRICT;

-- Full-text index over the prepared form of the text (see rounds_core::search).
CREATE VIRTUAL TABLE doc_fts USING fts5 (
    title,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
