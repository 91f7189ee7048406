-- What the office has of each document, for sync.
-- office_heads: the heads of the office's copy, as far as this device knows
-- (32 bytes each, sorted). pending: the local copy has changes beyond them.
-- rejected_*: the office refused the changes up to rejected_heads; they are
-- not sent again until the document changes.
CREATE TABLE sync_docs (
    doc              INTEGER PRIMARY KEY REFERENCES documents(doc) ON DELETE CASCADE,
    office_heads     BLOB NOT NULL DEFAULT x'',
    -- The heads of what was last offered to the office: the office may have
    -- it even if the acknowledgement was lost, so it is never rewritten.
    sent_heads       BLOB NOT NULL DEFAULT x'',
    pending          INTEGER NOT NULL DEFAULT 1,
    rejected_heads   BLOB,
    rejected_code    TEXT,
    rejected_message TEXT,
    rejected_at      INTEGER,
    -- A shared case whose unpushed edits bring a patient identifier: held
    -- on this device, with the reason, until the identifier is removed.
    held_message     TEXT
) STRICT;

CREATE INDEX sync_docs_pending ON sync_docs (pending) WHERE pending = 1;

INSERT INTO sync_docs (doc) SELECT doc FROM documents;
