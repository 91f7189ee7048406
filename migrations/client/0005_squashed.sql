-- The changes of a shared case that its last squash folded into one (see
-- `prepare_shared_case` in rounds-store's sync.rs): they are no longer in
-- the document, but an editor may still show the document at one of them.
-- Its next save is then applied to the version of the change that replaced
-- them, instead of being diffed against the current text, which would take
-- a colleague's text merged since for text the teacher deleted.
CREATE TABLE squashed (
    doc    INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    folded BLOB NOT NULL,
    squash BLOB NOT NULL,
    PRIMARY KEY (doc, folded)
) STRICT, WITHOUT ROWID;
