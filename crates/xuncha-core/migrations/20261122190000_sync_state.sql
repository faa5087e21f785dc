-- What a laptop knows of the bureau server: the server's epoch, a pull
-- cursor per park, the server version of every synced entity (the base of
-- the next edit), and each outbox entry's stored result and receipt.

CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sync_cursor (
    park_id TEXT PRIMARY KEY,
    cursor  INTEGER NOT NULL
);

CREATE TABLE synced_version (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

ALTER TABLE outbox ADD COLUMN result TEXT;
-- The receipt of an earlier acceptance, kept when the entry is sent again
-- to a server that lost it.
ALTER TABLE outbox ADD COLUMN receipt TEXT;
CREATE INDEX outbox_state ON outbox (state, seq);
