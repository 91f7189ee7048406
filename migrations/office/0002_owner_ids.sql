-- Which member each document owner id belongs to. A Rounds device names a
-- document's owner by its local user id (the root `owner` key); the office
-- binds each such id to the member whose device first pushed a document
-- naming it, so that no member can push a document that names a
-- colleague as its owner.
CREATE TABLE owner_ids (
    owner  TEXT PRIMARY KEY,
    member TEXT NOT NULL REFERENCES members(id)
) STRICT;
