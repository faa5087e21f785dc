-- This laptop's own settings (the office's notice settings, …): kept
-- here so the app and the command line share them; never synced.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
