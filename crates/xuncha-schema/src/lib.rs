//! Append-only SQLite migrations, the one runner of the laptop store and
//! the server's SQLite backend.
//!
//! Each migration is a file named `YYYYMMDDHHMMSS_what.sql`. Once landed it
//! is never edited: the database records each applied migration's SHA-256,
//! a database whose history disagrees with the program is refused, and a
//! tidy test pins the hashes of all landed files.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database has a migration this program does not know: a newer
    /// program wrote it.
    #[error("数据库由更新版本的程序创建（含迁移 {migration}），请升级本程序")]
    TooNew { migration: String },
    /// An applied migration's text differs from the program's.
    #[error("数据库迁移 {migration} 与本程序不一致，数据库可能被改动过")]
    Changed { migration: String },
    #[error("数据库迁移失败")]
    Sql(#[from] rusqlite::Error),
}

/// Applies the first `upto` of `migrations` that are not applied yet, each
/// in its own transaction, after checking that the applied ones are
/// unchanged.
pub fn apply(conn: &mut Connection, migrations: &[Migration], upto: usize, now: &str) -> Result<(), MigrationError> {
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
            None => return Err(MigrationError::TooNew { migration: name.clone() }),
            Some(m) if hash(m) != *sha => return Err(MigrationError::Changed { migration: name.clone() }),
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
                params![m.name, hash(m), now],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

fn hash(m: &Migration) -> String {
    hex::encode(Sha256::digest(m.sql.as_bytes()))
}
