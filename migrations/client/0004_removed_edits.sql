-- Rows a colleague removed while this device was editing them (see
-- rounds-core's `removed` module). The merge keeps the row removed; this
-- table is the notice the editor shows, with an offer to restore the row,
-- until the teacher restores it or dismisses the notice. The row's text is
-- kept in the document itself; `text` is what the notice quotes.
CREATE TABLE removed_edits (
    doc      INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    field    TEXT NOT NULL,
    row      TEXT NOT NULL,
    text     TEXT NOT NULL,
    found_at INTEGER NOT NULL,
    PRIMARY KEY (doc, field, row)
) STRICT;
