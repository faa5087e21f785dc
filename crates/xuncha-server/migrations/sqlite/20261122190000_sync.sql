-- The bureau server's sync state (SQLite backend). The PostgreSQL backend
-- keeps the same tables under migrations/postgres.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The highest accepted number per device (pushes continue from here) and
-- the chain of its results up to that number.
CREATE TABLE device_log (
    device_id      TEXT PRIMARY KEY,
    last_seq       INTEGER NOT NULL,
    results_digest TEXT NOT NULL
);

-- Every mutation the server has handled, with its final result, so that a
-- replay gets the same answer and a different payload under a held number
-- is recognised as a fork.
CREATE TABLE mutation (
    device_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    mutation_id  TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- The current document of every synced entity. change_no is the number of
-- its latest change: a pull returns entities whose change_no is above the
-- cursor, so a page never splits a change and superseded states are not
-- sent at all.
CREATE TABLE entity (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    park_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    change_no  INTEGER NOT NULL UNIQUE,
    doc        TEXT NOT NULL,
    field_meta TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX entity_park_change ON entity (park_id, change_no);

-- The furthest cursor served to each device per park. A laptop that asks
-- for changes after a cursor beyond this is talking to a server restored
-- from an older backup (whose change numbers were handed out again) and
-- is told to pull the park again from the start.
CREATE TABLE pull_checkpoint (
    device_id TEXT NOT NULL,
    park_id   TEXT NOT NULL,
    cursor    INTEGER NOT NULL,
    PRIMARY KEY (device_id, park_id)
);

CREATE TABLE conflict (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    park_id      TEXT NOT NULL,
    field        TEXT NOT NULL,
    server_value TEXT NOT NULL,
    device_value TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    mutation_id  TEXT NOT NULL,
    held         INTEGER NOT NULL,
    resolution   TEXT
);
CREATE INDEX conflict_park ON conflict (park_id);
