-- Blobs (scans, photos) the server is known to hold, so each file is
-- uploaded once; a file not listed here is uploaded, or resumed, at the
-- next sync.
CREATE TABLE blob_synced (
    sha256    TEXT PRIMARY KEY,
    synced_at TEXT NOT NULL
);
