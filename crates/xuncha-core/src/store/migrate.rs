//! Embedded, append-only migrations.
//!
//! Each migration is a file named `YYYYMMDDHHMMSS_what.sql` under
//! `crates/xuncha-core/migrations/`. Once landed it is never edited: the
//! store records each applied migration's SHA-256 and refuses to open a
//! database whose history disagrees with the program, and a test pins the
//! hashes of all landed files.

use rusqlite::Connection;
use sha2::{Digest, Sha256};
pub use xuncha_schema::Migration;
use xuncha_schema::MigrationError;

use super::StoreError;

/// Every migration, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "20261122120000_park_and_enterprise_files",
        sql: include_str!("../../migrations/20261122120000_park_and_enterprise_files.sql"),
    },
    Migration {
        name: "20261122190000_sync_state",
        sql: include_str!("../../migrations/20261122190000_sync_state.sql"),
    },
    Migration { name: "20261122233000_blob_sync", sql: include_str!("../../migrations/20261122233000_blob_sync.sql") },
    Migration {
        name: "20261123030000_reference_and_numbers",
        sql: include_str!("../../migrations/20261123030000_reference_and_numbers.sql"),
    },
    Migration {
        name: "20261123090000_inspections",
        sql: include_str!("../../migrations/20261123090000_inspections.sql"),
    },
    Migration { name: "20261123120000_notices", sql: include_str!("../../migrations/20261123120000_notices.sql") },
    Migration { name: "20261123140000_settings", sql: include_str!("../../migrations/20261123140000_settings.sql") },
    Migration {
        name: "20261123160000_clue_transfers",
        sql: include_str!("../../migrations/20261123160000_clue_transfers.sql"),
    },
    Migration {
        name: "20261123180000_closed_loop",
        sql: include_str!("../../migrations/20261123180000_closed_loop.sql"),
    },
    Migration {
        name: "20261202120000_sync_with_people",
        sql: include_str!("../../migrations/20261202120000_sync_with_people.sql"),
    },
];

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Applies the first `upto` of `migrations` that are not applied yet (see
/// [`xuncha_schema::apply`]).
pub fn apply(conn: &mut Connection, migrations: &[Migration], upto: usize, now: &str) -> Result<(), StoreError> {
    xuncha_schema::apply(conn, migrations, upto, now).map_err(|e| match e {
        MigrationError::TooNew { migration } => StoreError::SchemaTooNew { migration },
        MigrationError::Changed { migration } => StoreError::MigrationChanged { migration },
        MigrationError::Sql(e) => StoreError::Sqlite(e),
    })
}
