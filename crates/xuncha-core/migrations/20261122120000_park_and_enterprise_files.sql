-- Park and enterprise files (一园一档, 一企一档), the device identity and
-- the sync outbox. Ids are UUIDv7 text; dates are ISO text; amounts are
-- decimal text so the source's precision survives a round trip.

CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);

CREATE TABLE park (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    code                  TEXT,
    level                 TEXT CHECK (level IN ('national', 'provincial', 'cluster')),
    city                  TEXT,
    county                TEXT,
    region_code           TEXT,
    address               TEXT,
    area_km2              TEXT,
    leading_industries    TEXT,
    emergency_plan_filing TEXT,
    last_drill_on         TEXT,
    version               INTEGER NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX park_code ON park (code) WHERE code IS NOT NULL AND code <> '※';

CREATE TABLE park_approval (
    id           TEXT PRIMARY KEY,
    park_id      TEXT NOT NULL REFERENCES park (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('planning_eia', 'tracking_evaluation')),
    doc_number   TEXT NOT NULL,
    authority    TEXT,
    approved_on  TEXT,
    title        TEXT
);

CREATE TABLE park_pollutant (
    id         TEXT PRIMARY KEY,
    park_id    TEXT NOT NULL REFERENCES park (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    pollutant  TEXT NOT NULL,
    quota_tpa  TEXT,
    UNIQUE (park_id, pollutant)
);

CREATE TABLE park_pollutant_actual (
    pollutant_id TEXT NOT NULL REFERENCES park_pollutant (id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    amount_tpa   TEXT NOT NULL,
    PRIMARY KEY (pollutant_id, year)
);

CREATE TABLE park_wastewater_facility (
    park_id            TEXT PRIMARY KEY REFERENCES park (id) ON DELETE CASCADE,
    name               TEXT,
    mode               TEXT CHECK (mode IN ('self_built', 'relied_on')),
    design_capacity    TEXT,
    actual_capacity    TEXT,
    process            TEXT,
    discharge_standard TEXT,
    online_monitoring  INTEGER
);

CREATE TABLE enterprise (
    id                    TEXT PRIMARY KEY,
    park_id               TEXT NOT NULL REFERENCES park (id),
    name                  TEXT NOT NULL,
    credit_code           TEXT,
    legal_representative  TEXT,
    industry              TEXT,
    industry_code         TEXT,
    address               TEXT,
    longitude             REAL,
    latitude              REAL,
    status                TEXT NOT NULL CHECK (status IN
                            ('operating', 'under_construction', 'trial_production', 'suspended', 'exited')),
    management_category   TEXT CHECK (management_category IN ('key', 'simplified', 'registration')),
    tier_override         TEXT CHECK (tier_override IN ('A', 'B', 'C')),
    tier_override_reason  TEXT,
    permit_held           INTEGER,
    emergency_required    INTEGER,
    emergency_filing      TEXT,
    emergency_filed_on    TEXT,
    emergency_last_drill  TEXT,
    version               INTEGER NOT NULL,
    updated_at            TEXT NOT NULL,
    CHECK ((tier_override IS NULL) = (tier_override_reason IS NULL))
);
CREATE UNIQUE INDEX enterprise_credit_code ON enterprise (credit_code) WHERE credit_code IS NOT NULL;
CREATE INDEX enterprise_park ON enterprise (park_id);

CREATE TABLE enterprise_alias (
    enterprise_id TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    alias         TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, alias)
);

CREATE TABLE eia_approval (
    id            TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    doc_number    TEXT NOT NULL,
    authority     TEXT,
    approved_on   TEXT,
    project       TEXT,
    acceptance    TEXT NOT NULL CHECK (acceptance IN ('done', 'not_done', 'not_required', 'unknown')),
    accepted_on   TEXT
);
CREATE INDEX eia_approval_enterprise ON eia_approval (enterprise_id);

CREATE TABLE discharge_permit (
    id            TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('permit', 'registration')),
    number        TEXT NOT NULL,
    issued_on     TEXT,
    expires_on    TEXT
);
CREATE INDEX discharge_permit_enterprise ON discharge_permit (enterprise_id);

CREATE TABLE facility (
    id                      TEXT PRIMARY KEY,
    enterprise_id           TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    position                INTEGER NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('wastewater', 'waste_gas')),
    name                    TEXT NOT NULL,
    discharge_standard      TEXT,
    discharge_destination   TEXT,
    design_capacity         TEXT,
    actual_capacity         TEXT,
    power_mode              TEXT,
    online_monitoring       INTEGER,
    online_factors          TEXT,
    removal_efficiency      TEXT,
    process                 TEXT,
    process_diagram_sha256  TEXT,
    dosing_mode             TEXT,
    dosing_amount           TEXT,
    consumables_replacement TEXT,
    sludge_press_frequency  TEXT,
    waste_disposal          TEXT
);
CREATE INDEX facility_enterprise ON facility (enterprise_id);

CREATE TABLE outlet (
    id                     TEXT PRIMARY KEY,
    enterprise_id          TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    position               INTEGER NOT NULL,
    kind                   TEXT NOT NULL CHECK (kind IN ('wastewater', 'waste_gas', 'rainwater')),
    code                   TEXT,
    location               TEXT,
    longitude              REAL,
    latitude               REAL,
    signboard_photo_sha256 TEXT
);
CREATE INDEX outlet_enterprise ON outlet (enterprise_id);

CREATE TABLE solid_waste (
    id                      TEXT PRIMARY KEY,
    enterprise_id           TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    year                    INTEGER NOT NULL,
    general_produced        TEXT,
    general_self_utilised   TEXT,
    general_self_disposed   TEXT,
    general_entrusted       TEXT,
    hazardous_produced      TEXT,
    hazardous_self_utilised TEXT,
    hazardous_self_disposed TEXT,
    hazardous_entrusted     TEXT,
    on_transfer_list        INTEGER,
    UNIQUE (enterprise_id, year)
);

-- Archive checklists of both kinds of file: owner_id is a park or an enterprise.
CREATE TABLE archive_item (
    owner_id  TEXT NOT NULL,
    item_no   INTEGER NOT NULL,
    on_file   INTEGER NOT NULL,
    doc_date  TEXT,
    note      TEXT,
    PRIMARY KEY (owner_id, item_no)
);

CREATE TABLE archive_attachment (
    id        TEXT PRIMARY KEY,
    owner_id  TEXT NOT NULL,
    item_no   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    added_at  TEXT NOT NULL,
    FOREIGN KEY (owner_id, item_no) REFERENCES archive_item (owner_id, item_no) ON DELETE CASCADE
);

-- Contacts of both kinds of file: owner_id is a park or an enterprise.
CREATE TABLE contact (
    id       TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    role     TEXT NOT NULL,
    name     TEXT NOT NULL,
    phone    TEXT,
    note     TEXT
);
CREATE INDEX contact_owner ON contact (owner_id);

CREATE TABLE source_flag (
    enterprise_id TEXT NOT NULL REFERENCES enterprise (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    field         TEXT NOT NULL,
    raw           TEXT NOT NULL,
    message       TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, position)
);

-- One entry per user-visible change, in device order (sync-design.md).
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY,
    mutation_id   TEXT NOT NULL UNIQUE,
    device_id     TEXT NOT NULL REFERENCES device (id),
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    base_version  INTEGER NOT NULL,
    payload       TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'acknowledged', 'rejected', 'conflict'))
);
CREATE INDEX outbox_entity ON outbox (entity, entity_id);
