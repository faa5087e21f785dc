-- A device an administrator revoked: its tokens stop working and it may
-- not sign in again.
ALTER TABLE device ADD COLUMN revoked_at TEXT;

-- Failed sign-ins, per account name and per source address, for growing
-- delays and a temporary lockout. A success clears the account's row.
CREATE TABLE login_failure (
    subject      TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
