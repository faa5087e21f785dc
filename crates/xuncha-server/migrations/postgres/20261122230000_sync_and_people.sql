-- The bureau server's tables on PostgreSQL: the same records as the
-- SQLite backend's two migrations, with native UUIDs. JSON is kept as
-- text, exactly as received, so both backends store the same bytes
-- (cast to jsonb to query it: doc::jsonb ->> 'name').

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The change counter, one row. A writing transaction locks it only to
-- number its writes just before commit, so committed change numbers form
-- an unbroken prefix and a pull never skips a change that commits late.
CREATE TABLE change_counter (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    head     BIGINT NOT NULL
);
INSERT INTO change_counter (only_row, head) VALUES (TRUE, 0);

CREATE TABLE device_log (
    device_id      UUID PRIMARY KEY,
    last_seq       BIGINT NOT NULL,
    results_digest TEXT NOT NULL
);

-- arrival numbers the mutations in the order the server took them.
CREATE TABLE mutation (
    arrival      BIGINT GENERATED ALWAYS AS IDENTITY,
    device_id    UUID NOT NULL,
    seq          BIGINT NOT NULL,
    mutation_id  UUID NOT NULL UNIQUE,
    user_id      UUID NOT NULL,
    payload      TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE entity (
    kind       TEXT NOT NULL,
    id         UUID NOT NULL,
    park_id    UUID NOT NULL,
    version    BIGINT NOT NULL,
    change_no  BIGINT NOT NULL UNIQUE,
    doc        TEXT NOT NULL,
    field_meta TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX entity_park_change ON entity (park_id, change_no);

CREATE TABLE pull_checkpoint (
    device_id UUID NOT NULL,
    park_id   UUID NOT NULL,
    cursor    BIGINT NOT NULL,
    PRIMARY KEY (device_id, park_id)
);

CREATE TABLE conflict (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    entity_id    UUID NOT NULL,
    park_id      UUID NOT NULL,
    field        TEXT NOT NULL,
    server_value TEXT NOT NULL,
    device_value TEXT NOT NULL,
    device_id    UUID NOT NULL,
    mutation_id  UUID NOT NULL,
    held         BOOLEAN NOT NULL,
    resolution   TEXT
);
CREATE INDEX conflict_park ON conflict (park_id);

CREATE TABLE app_user (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('inspector', 'steward', 'clerk', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE assignment (
    user_id UUID NOT NULL REFERENCES app_user (id),
    park_id UUID NOT NULL,
    PRIMARY KEY (user_id, park_id)
);

CREATE TABLE device (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES app_user (id),
    name          TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE session_token (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    user_id    UUID NOT NULL REFERENCES app_user (id),
    device_id  UUID NOT NULL,
    family     UUID NOT NULL,
    expires_at BIGINT NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX session_token_family ON session_token (family);
