-- Preparing plans together: what a document's collaboration data asks of
-- whom (rounds_core::collab::events), projected like the listing tables, one
-- row per item and recipient, rebuilt with every write of the document.
-- Documents written before this release have no collaboration data, so
-- nothing is back-filled.
CREATE TABLE inbox (
    doc       INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    item      TEXT NOT NULL,
    recipient TEXT NOT NULL,
    kind      TEXT NOT NULL,
    by        TEXT NOT NULL,
    name      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    thread    TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (doc, item)
) STRICT, WITHOUT ROWID;

CREATE INDEX inbox_by_recipient ON inbox (recipient, at);

-- Which items this device has shown as read. The device's own: read state
-- never syncs. Keyed by the document's id, which outlives a re-projection.
CREATE TABLE inbox_read (
    doc  TEXT NOT NULL,
    item TEXT NOT NULL,
    at   INTEGER NOT NULL,
    PRIMARY KEY (doc, item)
) STRICT, WITHOUT ROWID;
