-- USB bundles: the same tables as the SQLite office's 0005_bundles.sql.
CREATE TABLE bundle_keys (
    device  TEXT COLLATE "C" PRIMARY KEY REFERENCES devices(id),
    public  BYTEA NOT NULL,
    created BIGINT NOT NULL
);

CREATE TABLE office_keys (
    office  TEXT COLLATE "C" PRIMARY KEY REFERENCES offices(id),
    seed    BYTEA NOT NULL,
    created BIGINT NOT NULL
);

CREATE TABLE bundles (
    id       TEXT COLLATE "C" PRIMARY KEY,
    device   TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
    imported BIGINT NOT NULL
);
