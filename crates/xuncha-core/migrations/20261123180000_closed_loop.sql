-- Rectification cases as logs of events. An event is evidence: what was
-- recorded never changes. The bureau server's verdict (its place in the
-- case's history, accepted or rejected) arrives later; it is the server's
-- to give and is replaced only by the server's (after a restore).
-- Events may arrive by sync before the case opens here, so case_id is no
-- foreign key.
CREATE TABLE case_event (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL,
    park_id       TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    recorded      TEXT NOT NULL,
    verdict       TEXT,
    device_id     TEXT NOT NULL,
    stored_at     TEXT NOT NULL,
    -- Sync reads every entity's local version; each verdict received adds one.
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX case_event_by_case ON case_event (case_id);
CREATE INDEX case_event_by_enterprise ON case_event (enterprise_id);

-- The files events brought in (plans, evidence photos), so that a laptop
-- fetches the ones it lacks.
CREATE TABLE case_file (
    event_id TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    PRIMARY KEY (event_id, sha256)
);

CREATE TRIGGER case_event_is_kept BEFORE DELETE ON case_event
BEGIN
    SELECT RAISE(ABORT, 'a case event is final');
END;
CREATE TRIGGER case_event_is_final BEFORE UPDATE ON case_event
WHEN NEW.recorded IS NOT OLD.recorded
  OR NEW.case_id IS NOT OLD.case_id
  OR NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'a case event is final');
END;

-- News about a clue transfer (delivery, the bureau's feedback, the park's
-- follow-up): each a record written once.
CREATE TABLE transfer_update (
    id            TEXT PRIMARY KEY,
    transfer_id   TEXT NOT NULL,
    park_id       TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    doc           TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    stored_at     TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX transfer_update_by_transfer ON transfer_update (transfer_id);

CREATE TRIGGER transfer_update_is_final BEFORE UPDATE ON transfer_update
BEGIN
    SELECT RAISE(ABORT, 'a transfer update is final');
END;
CREATE TRIGGER transfer_update_is_kept BEFORE DELETE ON transfer_update
BEGIN
    SELECT RAISE(ABORT, 'a transfer update is final');
END;
