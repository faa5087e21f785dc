-- Sync that survives ordinary events (two laptops creating one
-- enterprise, a record this laptop cannot read, a lost reply).

-- Ids of enterprise files the server folded into another one (two laptops
-- created the same enterprise offline): records that name the old id
-- belong to the file that stayed.
CREATE TABLE enterprise_merged (
    merged_id TEXT PRIMARY KEY,
    into_id   TEXT NOT NULL
);
CREATE INDEX enterprise_merged_into ON enterprise_merged (into_id);

-- Records a pull brought that this laptop could not apply (an older or
-- newer server, a damaged document): kept aside with the reason, shown
-- in the status, and replaced when a later change of the record applies.
CREATE TABLE sync_set_aside (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    park_id   TEXT NOT NULL,
    change_no INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    doc       TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

-- A supervisor's decisions on conflicts, sent with every round until the
-- server answers (a lost reply is answered again under the same request id).
CREATE TABLE conflict_decision (
    request_id        TEXT PRIMARY KEY,
    conflict_id       TEXT NOT NULL UNIQUE,
    take_device_value INTEGER NOT NULL,
    decided_at        TEXT NOT NULL
);
