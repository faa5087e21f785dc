-- Rectification notices and voided document numbers: evidence, written
-- once. Records may arrive by sync before what they point at, so the
-- links are not foreign keys.
CREATE TABLE notice (
    id            TEXT PRIMARY KEY,
    park_id       TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    inspection_id TEXT NOT NULL,
    series        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    serial        INTEGER NOT NULL,
    issued_on     TEXT NOT NULL,
    doc           TEXT NOT NULL,
    device_id     TEXT,
    stored_at     TEXT NOT NULL,
    -- Sync reads every entity's local version; evidence stays at 1.
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (series, year, serial)
);
CREATE INDEX notice_by_enterprise ON notice (enterprise_id, issued_on);

-- A number given up: a spoiled notice (`notice_id` set) or a number taken
-- for a paper document. The number is never given again.
CREATE TABLE number_void (
    id        TEXT PRIMARY KEY,
    park_id   TEXT NOT NULL,
    series    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    serial    INTEGER NOT NULL,
    notice_id TEXT,
    reason    TEXT NOT NULL,
    voided_at TEXT NOT NULL,
    device_id TEXT,
    doc       TEXT NOT NULL,
    version   INTEGER NOT NULL DEFAULT 1,
    UNIQUE (series, year, serial)
);

CREATE TRIGGER notice_is_final BEFORE UPDATE ON notice
BEGIN
    SELECT RAISE(ABORT, 'an issued notice is final');
END;
CREATE TRIGGER notice_is_kept BEFORE DELETE ON notice
BEGIN
    SELECT RAISE(ABORT, 'an issued notice is final');
END;
CREATE TRIGGER number_void_is_final BEFORE UPDATE ON number_void
BEGIN
    SELECT RAISE(ABORT, 'a voided number stays void');
END;
CREATE TRIGGER number_void_is_kept BEFORE DELETE ON number_void
BEGIN
    SELECT RAISE(ABORT, 'a voided number stays void');
END;
