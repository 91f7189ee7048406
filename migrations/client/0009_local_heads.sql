-- The device's own heads of each document, written with its projections
-- (every write of a Rounds document's bytes), so that an office's
-- acknowledgement can tell whether anything is still pending without
-- loading the document. NULL where unknown: rows written before this
-- release, and carried documents; those are loaded as before.
ALTER TABLE sync_docs ADD COLUMN local_heads BLOB;
