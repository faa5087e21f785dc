-- Inspections: drafts while they are filled in, then signed and final.
-- The whole record is kept as JSON in `doc`; the columns beside it are
-- what lists, the patrol plan and the integrity chain query.
CREATE TABLE inspection (
    id            TEXT PRIMARY KEY,
    park_id       TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'completed', 'signed')),
    started_at    TEXT NOT NULL,
    signed_at     TEXT,
    corrects      TEXT,
    device_id     TEXT,
    chain_no      INTEGER,
    digest        TEXT,
    doc           TEXT NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((state = 'signed') = (digest IS NOT NULL))
);
CREATE INDEX inspection_enterprise ON inspection (enterprise_id, started_at);
CREATE INDEX inspection_park ON inspection (park_id, kind, started_at);
-- Each device's signed inspections form one chain: 1, 2, 3 ...
CREATE UNIQUE INDEX inspection_chain ON inspection (device_id, chain_no) WHERE chain_no IS NOT NULL;

-- A signed inspection is evidence: no update, no delete, by anyone.
CREATE TRIGGER inspection_signed_is_final BEFORE UPDATE ON inspection
WHEN OLD.state = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed inspection is final');
END;
CREATE TRIGGER inspection_signed_is_kept BEFORE DELETE ON inspection
WHEN OLD.state = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed inspection is final');
END;

-- Files (photos, their renditions, signatures) an inspection points at,
-- so sync knows what to fetch.
CREATE TABLE inspection_blob (
    inspection_id TEXT NOT NULL REFERENCES inspection (id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,
    PRIMARY KEY (inspection_id, sha256)
);
CREATE INDEX inspection_blob_sha ON inspection_blob (sha256);
