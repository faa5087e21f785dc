-- A device's second factor: the public half of the key pair its laptop
-- made at first login. Login and refresh carry a signature checked
-- against it. Devices from before this migration have none yet; their
-- next login records the key it brings.
ALTER TABLE device ADD COLUMN public_key TEXT;
-- A user's first device is approved at its first login; any later new
-- device waits for an administrator. So do devices from before this
-- migration: their id alone is no secret, so the key their next login
-- brings is approved by an administrator who compares it with the
-- fingerprint the laptop shows.
ALTER TABLE device ADD COLUMN approved_at TEXT;
-- The last login challenge the device used (a UUIDv7, ordered by time):
-- a challenge is good once, and only if newer than this one.
ALTER TABLE device ADD COLUMN last_challenge UUID;
