-- References between documents (a field of type `ref`), projected like the
-- other listing tables: one row per reference a live document holds, from
-- (document, field, list row or '') to (document, element or ''). "What
-- links here" is one lookup by `to_doc`. Documents written before this
-- release hold no references, so nothing is back-filled.
CREATE TABLE doc_links (
    doc        INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    field      TEXT NOT NULL,
    row        TEXT NOT NULL DEFAULT '',
    to_doc     TEXT NOT NULL,
    to_element TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc, field, row, to_doc, to_element)
) STRICT, WITHOUT ROWID;

CREATE INDEX doc_links_to ON doc_links (to_doc);
