-- A device's second factor: the public half of the key pair its laptop
-- made at first login. Login and refresh carry a signature checked
-- against it. Devices from before this migration have none yet; their
-- next login (password and signature) records it.
ALTER TABLE device ADD COLUMN public_key TEXT;
-- A user's first device is approved at its first login; any later new
-- device waits for an administrator. Devices already in use stay approved.
ALTER TABLE device ADD COLUMN approved_at TEXT;
UPDATE device SET approved_at = registered_at;
-- The last login challenge the device used (a UUIDv7, ordered by time):
-- a challenge is good once, and only if newer than this one.
ALTER TABLE device ADD COLUMN last_challenge UUID;
