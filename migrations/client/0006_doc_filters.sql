-- Filterable fields become data: one row per (document, field) in
-- `doc_filters`, keyed by kind and field, instead of a column of
-- `doc_index` per choice. Which fields are filterable is each kind's
-- declaration (`KindDecl::filters` in rounds-core); `doc_index.filters`
-- keeps the same values as a JSON object for reading a listing row in one
-- query.
CREATE TABLE doc_filters (
    doc   INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    kind  TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, field, value, doc)
) STRICT, WITHOUT ROWID;

CREATE INDEX doc_filters_by_doc ON doc_filters (doc);

-- The columns this replaces held exactly the filters the two kinds of
-- this release declare (NULL where a kind has no such field).
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'status', status FROM doc_index WHERE status IS NOT NULL;
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'organ_system', organ_system FROM doc_index WHERE organ_system IS NOT NULL;
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'learner_level', learner_level FROM doc_index WHERE learner_level IS NOT NULL;
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'session_type', session_type FROM doc_index WHERE session_type IS NOT NULL;
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'age_band', age_band FROM doc_index WHERE age_band IS NOT NULL;
INSERT INTO doc_filters (doc, kind, field, value)
    SELECT doc, kind, 'care_level', care_level FROM doc_index WHERE care_level IS NOT NULL;

ALTER TABLE doc_index ADD COLUMN filters TEXT NOT NULL DEFAULT '{}';
UPDATE doc_index SET filters = (
    SELECT json_group_object(field, value) FROM doc_filters f WHERE f.doc = doc_index.doc
) WHERE doc IN (SELECT doc FROM doc_filters);

ALTER TABLE doc_index DROP COLUMN status;
ALTER TABLE doc_index DROP COLUMN organ_system;
ALTER TABLE doc_index DROP COLUMN learner_level;
ALTER TABLE doc_index DROP COLUMN session_type;
ALTER TABLE doc_index DROP COLUMN age_band;
ALTER TABLE doc_index DROP COLUMN care_level;

-- The filter declarations these rows follow; when a later build declares
-- other filters for a kind, the store projects that kind's documents again
-- on open (rounds-store `projection::refresh`).
INSERT INTO meta (key, value) VALUES (
    'filters',
    'case:organ_system,age_band,care_level,learner_level,status;lesson_plan:session_type,learner_level,status'
) ON CONFLICT (key) DO UPDATE SET value = excluded.value;
