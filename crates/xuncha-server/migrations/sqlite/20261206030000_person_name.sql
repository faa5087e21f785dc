-- The name a person's records and papers carry (张伟), set by an
-- administrator or by the person; empty until set, when the login name
-- stands in.
ALTER TABLE app_user ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
