-- People and access: users with one role each, their park assignments,
-- the devices they sync from, and hashed session tokens.

CREATE TABLE app_user (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('inspector', 'steward', 'clerk', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE assignment (
    user_id TEXT NOT NULL REFERENCES app_user (id),
    park_id TEXT NOT NULL,
    PRIMARY KEY (user_id, park_id)
);

CREATE TABLE device (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES app_user (id),
    name          TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

-- Only the SHA-256 of a token is stored. A refresh token is used once;
-- presenting a used one again revokes its whole family (it was copied).
CREATE TABLE session_token (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    user_id    TEXT NOT NULL REFERENCES app_user (id),
    device_id  TEXT NOT NULL,
    family     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX session_token_family ON session_token (family);
