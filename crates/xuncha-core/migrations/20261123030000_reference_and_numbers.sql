-- Reference data received from the server (checklist templates, …): one
-- row per published version, kept after newer versions arrive, because
-- records keep the version they used.
CREATE TABLE reference_doc (
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    published_at TEXT NOT NULL,
    doc          TEXT NOT NULL,
    PRIMARY KEY (kind, key, version)
);

-- Blocks of document numbers leased to this laptop; `next` is the first
-- number not yet used.
CREATE TABLE number_block (
    block_id  TEXT PRIMARY KEY,
    series    TEXT NOT NULL,
    prefix    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    first     INTEGER NOT NULL,
    last      INTEGER NOT NULL,
    next      INTEGER NOT NULL,
    leased_at TEXT NOT NULL,
    CHECK (first <= next AND next <= last + 1)
);

-- A lease asked for and not yet answered: sent again with the same id, so
-- a lost reply costs no numbers.
CREATE TABLE number_lease (
    request_id TEXT PRIMARY KEY,
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    asked_at   TEXT NOT NULL,
    UNIQUE (series, year)
);
