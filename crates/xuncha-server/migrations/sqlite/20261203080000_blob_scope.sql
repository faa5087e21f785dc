-- Which park's records point at which file, as written by which device.
-- A park's users may read a file when one of the park's records points at
-- it and the device that wrote that record also uploaded the file (the
-- nil device is the server itself, whose writes vouch for their files).
CREATE TABLE blob_ref (
    sha256    TEXT NOT NULL,
    park_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (sha256, park_id, device_id)
);

-- Devices that sent every byte of a file: they hold it, so they may see it.
CREATE TABLE blob_upload (
    sha256    TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (sha256, device_id)
);

-- Records held before files were scoped vouch for the files they name.
INSERT OR IGNORE INTO blob_ref (sha256, park_id, device_id)
SELECT DISTINCT j.value, e.park_id, '00000000-0000-0000-0000-000000000000'
FROM entity e, json_tree(e.doc) j
WHERE j.type = 'text' AND length(j.value) = 64 AND j.value NOT GLOB '*[^0-9a-f]*';
