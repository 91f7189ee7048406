-- USB bundles (docs/sync-protocol.md, "USB bundles"): sync for a site with
-- no usable link.
--
-- The key each device signs its bundles with, registered by the device
-- over its authenticated connection while it was online. Public keys only.
CREATE TABLE bundle_keys (
    device  TEXT PRIMARY KEY REFERENCES devices(id),
    public  BLOB NOT NULL,
    created INTEGER NOT NULL
) STRICT;

-- The office's own signing key for the bundles it answers with (the seed
-- of an Ed25519 key; devices learn the public half when they register).
CREATE TABLE office_keys (
    office  TEXT PRIMARY KEY REFERENCES offices(id),
    seed    BLOB NOT NULL,
    created INTEGER NOT NULL
) STRICT;

-- Bundles imported, so that importing one again is refused.
CREATE TABLE bundles (
    id       TEXT PRIMARY KEY,
    device   TEXT NOT NULL REFERENCES devices(id),
    imported INTEGER NOT NULL
) STRICT;
