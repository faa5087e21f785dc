-- Violation clue transfers (000 附件3): evidence, written once. The number
-- is optional (the source form has none); SQLite lets several rows leave
-- it NULL under the unique constraint.
CREATE TABLE clue_transfer (
    id             TEXT PRIMARY KEY,
    park_id        TEXT NOT NULL,
    enterprise_id  TEXT NOT NULL,
    inspection_id  TEXT NOT NULL,
    series         TEXT,
    year           INTEGER,
    serial         INTEGER,
    transferred_on TEXT NOT NULL,
    doc            TEXT NOT NULL,
    device_id      TEXT,
    stored_at      TEXT NOT NULL,
    -- Sync reads every entity's local version; evidence stays at 1.
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (series, year, serial)
);
CREATE INDEX clue_transfer_by_enterprise ON clue_transfer (enterprise_id, transferred_on);

CREATE TRIGGER clue_transfer_is_final BEFORE UPDATE ON clue_transfer
BEGIN
    SELECT RAISE(ABORT, 'a clue transfer is final');
END;
CREATE TRIGGER clue_transfer_is_kept BEFORE DELETE ON clue_transfer
BEGIN
    SELECT RAISE(ABORT, 'a clue transfer is final');
END;
