-- Snapshot compaction claims a document for a while (docs/office.md,
-- "Several processes"): until `compact_claim` (milliseconds since the
-- epoch) no other compaction takes it, so office processes compacting at
-- once fold different documents instead of the same ones. A claim ends
-- when the snapshot is stored, or runs out if its process stopped.
ALTER TABLE documents ADD COLUMN compact_claim BIGINT NOT NULL DEFAULT 0;

-- The documents whose snapshot is behind their log, oldest first, without
-- reading every document.
CREATE INDEX documents_stale ON documents (snapshot_pos, id) WHERE last_pos > snapshot_pos;
