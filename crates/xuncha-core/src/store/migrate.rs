//! Embedded, append-only migrations.
//!
//! Each migration is a file named `YYYYMMDDHHMMSS_what.sql` under
//! `crates/xuncha-core/migrations/`. Once landed it is never edited: the
//! store records each applied migration's SHA-256 and refuses to open a
//! database whose history disagrees with the program, and a test pins the
//! hashes of all landed files.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::StoreError;

pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

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

/// Applies the first `upto` of `migrations` that are not applied yet, each
/// in its own transaction, after checking that the applied ones are
/// unchanged. The server's SQLite backend uses the same rules.
pub fn apply(conn: &mut Connection, migrations: &[Migration], upto: usize, now: &str) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             name       TEXT PRIMARY KEY,
             sha256     TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let applied: Vec<(String, String)> = {
        let mut stmt = conn.prepare("SELECT name, sha256 FROM schema_migration ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (name, sha) in &applied {
        match migrations.iter().find(|m| m.name == name) {
            None => return Err(StoreError::SchemaTooNew { migration: name.clone() }),
            Some(m) if sha256_hex(m.sql.as_bytes()) != *sha => {
                return Err(StoreError::MigrationChanged { migration: name.clone() })
            }
            Some(_) => {}
        }
    }
    for m in migrations.iter().take(upto) {
        let tx = conn.transaction()?;
        let done: Option<String> =
            tx.query_row("SELECT name FROM schema_migration WHERE name = ?1", [m.name], |r| r.get(0)).optional()?;
        if done.is_none() {
            tx.execute_batch(m.sql)?;
            tx.execute(
                "INSERT INTO schema_migration (name, sha256, applied_at) VALUES (?1, ?2, ?3)",
                params![m.name, sha256_hex(m.sql.as_bytes()), now],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}
