-- Reference data (checklist templates, …): written only by the server,
-- one row per published version, never changed afterwards.
CREATE TABLE reference_doc (
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    version      BIGINT NOT NULL,
    title        TEXT NOT NULL,
    doc          TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (kind, key, version)
);

-- Document numbering: a series per kind of document and issuing office,
-- numbered from 1 each year. Numbers leave the server only in blocks
-- leased to one device; a block is never given out twice.
CREATE TABLE number_series (
    series     TEXT PRIMARY KEY,
    prefix     TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE number_next (
    series TEXT NOT NULL REFERENCES number_series (series),
    year   INTEGER NOT NULL,
    next   BIGINT NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE number_block (
    block_id   UUID PRIMARY KEY,
    request_id UUID NOT NULL UNIQUE,
    series     TEXT NOT NULL REFERENCES number_series (series),
    year       INTEGER NOT NULL,
    first      BIGINT NOT NULL,
    last       BIGINT NOT NULL,
    device_id  UUID NOT NULL,
    user_id    UUID NOT NULL,
    leased_at  TEXT NOT NULL
);
CREATE INDEX number_block_by_device ON number_block (device_id);
