-- Documents made by a newer version of Rounds, of a kind this version does
-- not know: their bytes are in `documents` like any other (and sync keeps
-- merging them), but they have no projection rows, because only a version
-- that knows the kind can read its fields. This table is what the library
-- lists for them. When Rounds is updated and knows the kind, the store
-- projects them as usual and removes them from here.
CREATE TABLE carried (
    doc        INTEGER PRIMARY KEY REFERENCES documents(doc) ON DELETE CASCADE,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    schema     INTEGER NOT NULL,
    title      TEXT NOT NULL,
    owner      TEXT NOT NULL,
    visibility TEXT NOT NULL,
    updated    INTEGER NOT NULL
) STRICT;
