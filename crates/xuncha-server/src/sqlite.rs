//! The embedded backend: one SQLite file in the data folder, so a bureau
//! needs nothing but the binary. One connection behind a mutex; every
//! transaction is `BEGIN IMMEDIATE`, which takes the write lock up front and
//! so serialises change numbering.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};
use xuncha_schema::{apply as apply_migrations, Migration};
use xuncha_sync::{
    Change, ConflictRecord, EntityKind, Mutation, MutationResult, NumberBlock, NumberSeries, ReferenceDoc,
    ReferenceEntry,
};

use crate::backend::{
    device_columns, Backend, DeviceRow, EntityRow, LoginFailure, NewBlock, StoredMutation, TokenRow, Tx, UserRow,
};
use crate::{Role, ServerError};

fn reference_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReferenceEntry> {
    Ok(ReferenceEntry {
        kind: r.get(0)?,
        key: r.get(1)?,
        version: r.get(2)?,
        title: r.get(3)?,
        sha256: r.get(4)?,
        published_at: r.get(5)?,
    })
}

const BLOCK_SELECT: &str = "SELECT b.block_id, b.series, s.prefix, b.year, b.first, b.last, b.device_id
     FROM number_block b JOIN number_series s USING (series)";

type BlockRow = (String, String, String, i32, i64, i64, String);

fn block_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BlockRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn device_row(r: &rusqlite::Row) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        id: uuid_col(r, 0)?,
        user_id: uuid_col(r, 1)?,
        name: r.get(2)?,
        registered_at: r.get(3)?,
        revoked_at: r.get(4)?,
        public_key: r.get(5)?,
        approved_at: r.get(6)?,
        last_challenge: r
            .get::<_, Option<String>>(7)?
            .map(|s| Uuid::parse_str(&s))
            .transpose()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e)))?,
    })
}

fn block_of(
    (block_id, series, prefix, year, first, last, device): BlockRow,
) -> Result<(NumberBlock, DeviceId), ServerError> {
    let id = |text: String| Uuid::parse_str(&text).map_err(|_| ServerError::Damaged(format!("id {text}")));
    Ok((NumberBlock { block_id: id(block_id)?, series, prefix, year, first, last }, DeviceId(id(device)?)))
}

/// The server's SQLite migrations, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration { name: "20261122190000_sync", sql: include_str!("../migrations/sqlite/20261122190000_sync.sql") },
    Migration { name: "20261122200000_people", sql: include_str!("../migrations/sqlite/20261122200000_people.sql") },
    Migration {
        name: "20261123030000_reference_and_numbers",
        sql: include_str!("../migrations/sqlite/20261123030000_reference_and_numbers.sql"),
    },
    Migration {
        name: "20261202200000_devices_and_logins",
        sql: include_str!("../migrations/sqlite/20261202200000_devices_and_logins.sql"),
    },
    Migration { name: "20261202210000_audit", sql: include_str!("../migrations/sqlite/20261202210000_audit.sql") },
    Migration {
        name: "20261203080000_blob_scope",
        sql: include_str!("../migrations/sqlite/20261203080000_blob_scope.sql"),
    },
    Migration {
        name: "20261203110000_device_keys",
        sql: include_str!("../migrations/sqlite/20261203110000_device_keys.sql"),
    },
    Migration {
        name: "20261206030000_person_name",
        sql: include_str!("../migrations/sqlite/20261206030000_person_name.sql"),
    },
];

pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>, now: &str) -> Result<Sqlite, ServerError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // An acknowledged push must survive a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        apply_migrations(&mut conn, MIGRATIONS, MIGRATIONS.len(), now)?;
        Ok(Sqlite { conn: Mutex::new(conn) })
    }

    /// Checks the file's structure; `ok` when sound.
    pub fn integrity_check(&self) -> Result<String, ServerError> {
        let conn = self.conn.lock().expect("no thread panics holding the connection");
        Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

impl Backend for Sqlite {
    fn transaction<T>(&self, mut f: impl FnMut(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, ServerError> {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut stx = SqliteTx { tx };
        let out = f(&mut stx)?;
        stx.tx.commit()?;
        Ok(out)
    }
}

struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

fn uuid_col<I: From<Uuid>>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<I> {
    let s: String = r.get(i)?;
    Uuid::parse_str(&s)
        .map(I::from)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn json_col<T: serde::de::DeserializeOwned>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn kind_col(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<EntityKind> {
    let s: String = r.get(i)?;
    EntityKind::parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("kind {s}").into())
    })
}

fn conflict_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConflictRecord> {
    let resolution: Option<String> = r.get(10)?;
    Ok(ConflictRecord {
        conflict_id: uuid_col(r, 0)?,
        entity: kind_col(r, 1)?,
        entity_id: uuid_col(r, 2)?,
        park_id: uuid_col(r, 3)?,
        field: r.get(4)?,
        server_value: json_col(r, 5)?,
        device_value: json_col(r, 6)?,
        device_id: uuid_col(r, 7)?,
        mutation_id: uuid_col(r, 8)?,
        held: r.get(9)?,
        resolution: resolution
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, Box::new(e)))?,
    })
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(2)?;
    let role = Role::parse(&role).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, format!("role {role}").into())
    })?;
    Ok(UserRow { id: uuid_col(r, 0)?, name: r.get(1)?, role, password_hash: r.get(3)?, full_name: r.get(4)? })
}

const CONFLICT_COLUMNS: &str = "id, kind, entity_id, park_id, field, server_value, device_value, device_id,
                                mutation_id, held, resolution";

impl Tx for SqliteTx<'_> {
    fn meta(&mut self, key: &str) -> Result<Option<String>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2")?
            .execute([key, value])?;
        Ok(())
    }

    fn head(&mut self) -> Result<i64, ServerError> {
        let head = self.meta("head")?;
        head.map(|h| h.parse::<i64>().map_err(|_| ServerError::Damaged(format!("meta head {h}"))))
            .transpose()
            .map(|h| h.unwrap_or(0))
    }

    fn device_log(&mut self, device: DeviceId) -> Result<(i64, String), ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT last_seq, results_digest FROM device_log WHERE device_id = ?1")?
            .query_row([device.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_default())
    }

    fn set_device_log(&mut self, device: DeviceId, seq: i64, digest: &str) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO device_log (device_id, last_seq, results_digest) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id) DO UPDATE SET last_seq = ?2, results_digest = ?3",
            )?
            .execute(params![device.to_string(), seq, digest])?;
        Ok(())
    }

    fn mutation(&mut self, device: DeviceId, seq: i64) -> Result<Option<StoredMutation>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT mutation_id, payload_hash, result FROM mutation WHERE device_id = ?1 AND seq = ?2")?
            .query_row(params![device.to_string(), seq], |r| {
                Ok(StoredMutation { mutation_id: uuid_col(r, 0)?, payload_hash: r.get(1)?, result: json_col(r, 2)? })
            })
            .optional()?)
    }

    fn insert_mutation(
        &mut self,
        device: DeviceId,
        user: Uuid,
        m: &Mutation,
        result: &MutationResult,
    ) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO mutation (device_id, seq, mutation_id, user_id, payload, payload_hash, result)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                device.to_string(),
                m.seq,
                m.mutation_id.to_string(),
                user.to_string(),
                serde_json::to_string(&m.payload)?,
                m.payload_hash,
                serde_json::to_string(result)?
            ])?;
        Ok(())
    }

    fn lock_entities(&mut self, _entities: &[(EntityKind, Uuid)]) -> Result<(), ServerError> {
        // BEGIN IMMEDIATE already holds the database's one write lock.
        Ok(())
    }

    fn entity(&mut self, kind: EntityKind, id: Uuid) -> Result<Option<EntityRow>, ServerError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT park_id, version, change_no, doc, field_meta FROM entity WHERE kind = ?1 AND id = ?2",
            )?
            .query_row(params![kind.as_str(), id.to_string()], |r| {
                Ok(EntityRow {
                    park_id: uuid_col(r, 0)?,
                    version: r.get(1)?,
                    change_no: r.get(2)?,
                    doc: json_col(r, 3)?,
                    field_meta: json_col(r, 4)?,
                })
            })
            .optional()?)
    }

    fn count(&mut self, kind: EntityKind) -> Result<usize, ServerError> {
        let n: i64 = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM entity WHERE kind = ?1")?
            .query_row([kind.as_str()], |r| r.get(0))?;
        Ok(n as usize)
    }

    fn ids(&mut self, kind: EntityKind) -> Result<Vec<Uuid>, ServerError> {
        let mut stmt = self.tx.prepare_cached("SELECT id FROM entity WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map([kind.as_str()], |r| uuid_col(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_entity(
        &mut self,
        kind: EntityKind,
        id: Uuid,
        row: &EntityRow,
        writer: DeviceId,
        written: &serde_json::Value,
    ) -> Result<(), ServerError> {
        // The write lock taken by BEGIN IMMEDIATE is held to commit.
        let change_no = self.head()? + 1;
        self.set_meta("head", &change_no.to_string())?;
        self.tx
            .prepare_cached(
                "INSERT INTO entity (kind, id, park_id, version, change_no, doc, field_meta)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (kind, id) DO UPDATE SET park_id = ?3, version = ?4, change_no = ?5, doc = ?6,
                                                      field_meta = ?7",
            )?
            .execute(params![
                kind.as_str(),
                id.to_string(),
                row.park_id.to_string(),
                row.version,
                change_no,
                serde_json::to_string(&row.doc)?,
                serde_json::to_string(&row.field_meta)?
            ])?;
        let mut note = self.tx.prepare_cached(
            "INSERT INTO blob_ref (sha256, park_id, device_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?;
        for sha in crate::blob::referenced(written) {
            note.execute(params![sha, row.park_id.to_string(), writer.to_string()])?;
        }
        Ok(())
    }

    fn add_blob_upload(&mut self, sha256: &str, device: DeviceId) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("INSERT INTO blob_upload (sha256, device_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
            .execute(params![sha256, device.to_string()])?;
        Ok(())
    }

    fn blob_visible(&mut self, sha256: &str, parks: &[ParkId], device: DeviceId) -> Result<bool, ServerError> {
        let parks = serde_json::to_string(&parks)?;
        let visible = self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM blob_upload WHERE sha256 = ?1 AND device_id = ?2)
                     OR EXISTS (SELECT 1 FROM blob_ref r
                                WHERE r.sha256 = ?1 AND r.park_id IN (SELECT value FROM json_each(?3))
                                  AND (r.device_id = ?4 OR EXISTS (SELECT 1 FROM blob_upload u
                                       WHERE u.sha256 = r.sha256 AND u.device_id = r.device_id)))",
            )?
            .query_row(params![sha256, device.to_string(), parks, Uuid::nil().to_string()], |r| r.get(0))?;
        Ok(visible)
    }

    fn changes(&mut self, park: ParkId, after: i64, limit: usize) -> Result<Vec<Change>, ServerError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT change_no, kind, id, park_id, version, doc FROM entity
             WHERE park_id = ?1 AND change_no > ?2 ORDER BY change_no LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![park.to_string(), after, limit as i64], |r| {
            Ok(Change {
                change_no: r.get(0)?,
                entity: kind_col(r, 1)?,
                entity_id: uuid_col(r, 2)?,
                park_id: uuid_col(r, 3)?,
                version: r.get(4)?,
                doc: json_col(r, 5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn checkpoint(&mut self, device: DeviceId, park: ParkId) -> Result<Option<i64>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT cursor FROM pull_checkpoint WHERE device_id = ?1 AND park_id = ?2")?
            .query_row([device.to_string(), park.to_string()], |r| r.get(0))
            .optional()?)
    }

    fn set_checkpoint(&mut self, device: DeviceId, park: ParkId, cursor: i64) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO pull_checkpoint (device_id, park_id, cursor) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, park_id) DO UPDATE SET cursor = MAX(cursor, ?3)",
            )?
            .execute(params![device.to_string(), park.to_string(), cursor])?;
        Ok(())
    }

    fn insert_user(&mut self, u: &UserRow, now: &str) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO app_user (id, name, role, password_hash, created_at, full_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![u.id.to_string(), u.name, u.role.as_str(), u.password_hash, now, u.full_name])?;
        Ok(())
    }

    fn set_full_name(&mut self, user: Uuid, full_name: &str) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("UPDATE app_user SET full_name = ?2 WHERE id = ?1")?
            .execute(params![user.to_string(), full_name])?;
        Ok(())
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<UserRow>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, role, password_hash, full_name FROM app_user WHERE name = ?1")?
            .query_row([name], user_row)
            .optional()?)
    }

    fn users(&mut self) -> Result<Vec<UserRow>, ServerError> {
        let mut stmt =
            self.tx.prepare_cached("SELECT id, name, role, password_hash, full_name FROM app_user ORDER BY name")?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, role, password_hash, full_name FROM app_user WHERE id = ?1")?
            .query_row([id.to_string()], user_row)
            .optional()?)
    }

    fn set_assigned(&mut self, user: Uuid, park: ParkId, assigned: bool) -> Result<(), ServerError> {
        let sql = if assigned {
            "INSERT INTO assignment (user_id, park_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM assignment WHERE user_id = ?1 AND park_id = ?2"
        };
        self.tx.prepare_cached(sql)?.execute([user.to_string(), park.to_string()])?;
        Ok(())
    }

    fn parks_of(&mut self, user: Uuid) -> Result<Vec<ParkId>, ServerError> {
        let mut stmt = self.tx.prepare_cached("SELECT park_id FROM assignment WHERE user_id = ?1 ORDER BY park_id")?;
        let rows = stmt.query_map([user.to_string()], |r| uuid_col(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn register_device(&mut self, d: &DeviceRow) -> Result<DeviceRow, ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO device (id, user_id, name, registered_at, public_key, approved_at, last_challenge)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                d.id.to_string(),
                d.user_id.to_string(),
                d.name,
                d.registered_at,
                d.public_key,
                d.approved_at,
                d.last_challenge.map(|c| c.to_string())
            ])?;
        self.device(d.id)?.ok_or_else(|| ServerError::Damaged("a device just registered is missing".into()))
    }

    fn use_challenge(&mut self, device: DeviceId, challenge: Uuid, key: &str) -> Result<bool, ServerError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE device SET last_challenge = ?2, public_key = COALESCE(public_key, ?3)
                 WHERE id = ?1 AND (last_challenge IS NULL OR last_challenge < ?2)
                   AND (public_key IS NULL OR public_key = ?3)",
            )?
            .execute(params![device.to_string(), challenge.to_string(), key])?;
        Ok(changed == 1)
    }

    fn update_device(&mut self, d: &DeviceRow) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("UPDATE device SET public_key = ?2, approved_at = ?3, last_challenge = ?4 WHERE id = ?1")?
            .execute(params![d.id.to_string(), d.public_key, d.approved_at, d.last_challenge.map(|c| c.to_string())])?;
        Ok(())
    }

    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRow>, ServerError> {
        Ok(self
            .tx
            .prepare_cached(concat!("SELECT ", device_columns!(), " FROM device WHERE id = ?1"))?
            .query_row([id.to_string()], device_row)
            .optional()?)
    }

    fn devices(&mut self) -> Result<Vec<DeviceRow>, ServerError> {
        let mut s =
            self.tx.prepare_cached(concat!("SELECT ", device_columns!(), " FROM device ORDER BY registered_at, id"))?;
        let rows = s.query_map([], device_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn revoke_device(&mut self, id: DeviceId, now: &str) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
            .execute(params![id.to_string(), now])?;
        self.tx.prepare_cached("DELETE FROM session_token WHERE device_id = ?1")?.execute([id.to_string()])?;
        Ok(())
    }

    fn login_failure(&mut self, subject: &str) -> Result<Option<LoginFailure>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT failures, last_at, locked_until FROM login_failure WHERE subject = ?1")?
            .query_row([subject], |r| {
                Ok(LoginFailure { failures: r.get(0)?, last_at: r.get(1)?, locked_until: r.get(2)? })
            })
            .optional()?)
    }

    fn set_login_failure(&mut self, subject: &str, failure: Option<&LoginFailure>) -> Result<(), ServerError> {
        match failure {
            None => {
                self.tx.prepare_cached("DELETE FROM login_failure WHERE subject = ?1")?.execute([subject])?;
            }
            Some(f) => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO login_failure (subject, failures, last_at, locked_until) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures,
                             last_at = excluded.last_at, locked_until = excluded.locked_until",
                    )?
                    .execute(params![subject, f.failures, f.last_at, f.locked_until])?;
            }
        }
        Ok(())
    }

    fn last_audit(&mut self) -> Result<Option<(i64, String)>, ServerError> {
        Ok(self
            .tx
            .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn insert_audit(&mut self, a: &crate::audit::Row) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (seq, at, actor, device_id, source, event, outcome, detail, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.seq,
                a.at,
                a.actor,
                a.device_id.map(|d| d.to_string()),
                a.source,
                a.event,
                a.outcome,
                a.detail,
                a.prev_hash,
                a.hash
            ])?;
        Ok(())
    }

    fn audit_rows(&mut self, after: i64, limit: i64) -> Result<Vec<crate::audit::Row>, ServerError> {
        let mut s = self.tx.prepare_cached(
            "SELECT seq, at, actor, device_id, source, event, outcome, detail, prev_hash, hash FROM audit_log
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = s
            .query_map(params![after, limit], |r| {
                let device: Option<String> = r.get(3)?;
                Ok(crate::audit::Row {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    device_id: device.and_then(|d| d.parse().ok()),
                    source: r.get(4)?,
                    event: r.get(5)?,
                    outcome: r.get(6)?,
                    detail: r.get(7)?,
                    prev_hash: r.get(8)?,
                    hash: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn insert_token(&mut self, t: &TokenRow) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO session_token (hash, kind, user_id, device_id, family, expires_at, used)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                t.hash,
                if t.refresh { "refresh" } else { "access" },
                t.user_id.to_string(),
                t.device_id.to_string(),
                t.family.to_string(),
                t.expires_at,
                t.used
            ])?;
        Ok(())
    }

    fn token(&mut self, hash: &str) -> Result<Option<TokenRow>, ServerError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT hash, kind, user_id, device_id, family, expires_at, used FROM session_token WHERE hash = ?1",
            )?
            .query_row([hash], |r| {
                Ok(TokenRow {
                    hash: r.get(0)?,
                    refresh: r.get::<_, String>(1)? == "refresh",
                    user_id: uuid_col(r, 2)?,
                    device_id: uuid_col(r, 3)?,
                    family: uuid_col(r, 4)?,
                    expires_at: r.get(5)?,
                    used: r.get(6)?,
                })
            })
            .optional()?)
    }

    fn mark_token_used(&mut self, hash: &str) -> Result<(), ServerError> {
        self.tx.prepare_cached("UPDATE session_token SET used = 1 WHERE hash = ?1")?.execute([hash])?;
        Ok(())
    }

    fn revoke_family(&mut self, family: Uuid) -> Result<(), ServerError> {
        self.tx.prepare_cached("DELETE FROM session_token WHERE family = ?1")?.execute([family.to_string()])?;
        Ok(())
    }

    fn insert_conflict(&mut self, c: &ConflictRecord) -> Result<(), ServerError> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO conflict ({CONFLICT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))?
            .execute(params![
                c.conflict_id.to_string(),
                c.entity.as_str(),
                c.entity_id.to_string(),
                c.park_id.to_string(),
                c.field,
                serde_json::to_string(&c.server_value)?,
                serde_json::to_string(&c.device_value)?,
                c.device_id.to_string(),
                c.mutation_id.to_string(),
                c.held,
                c.resolution.as_ref().map(serde_json::to_string).transpose()?
            ])?;
        Ok(())
    }

    fn conflict(&mut self, id: Uuid) -> Result<Option<ConflictRecord>, ServerError> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict WHERE id = ?1"))?
            .query_row([id.to_string()], conflict_row)
            .optional()?)
    }

    fn set_resolution(&mut self, id: Uuid, value: &Value) -> Result<(), ServerError> {
        self.tx
            .prepare_cached("UPDATE conflict SET resolution = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), serde_json::to_string(value)?])?;
        Ok(())
    }

    fn conflicts(&mut self, parks: &[ParkId]) -> Result<Vec<ConflictRecord>, ServerError> {
        let mut out = Vec::new();
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict WHERE park_id = ?1 ORDER BY id"))?;
        for park in parks {
            let rows = stmt.query_map([park.to_string()], conflict_row)?;
            for row in rows {
                out.push(row?);
            }
        }
        out.sort_by_key(|c| c.conflict_id);
        Ok(out)
    }

    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, ServerError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT kind, key, version, title, sha256, published_at FROM reference_doc ORDER BY kind, key, version",
        )?;
        let rows = stmt.query_map([], reference_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn reference_doc(&mut self, kind: &str, key: &str, version: i64) -> Result<Option<ReferenceDoc>, ServerError> {
        let row = self
            .tx
            .prepare_cached(
                "SELECT kind, key, version, title, sha256, published_at, doc FROM reference_doc
                 WHERE kind = ?1 AND key = ?2 AND version = ?3",
            )?
            .query_row(params![kind, key, version], |r| Ok((reference_entry(r)?, r.get::<_, String>(6)?)))
            .optional()?;
        row.map(|(entry, doc)| Ok(ReferenceDoc { entry, doc: serde_json::from_str(&doc)? })).transpose()
    }

    fn publish_reference(&mut self, e: &ReferenceEntry, doc: &str) -> Result<i64, ServerError> {
        let version: i64 = self.tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM reference_doc WHERE kind = ?1 AND key = ?2",
            params![e.kind, e.key],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO reference_doc (kind, key, version, title, doc, sha256, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![e.kind, e.key, version, e.title, doc, e.sha256, e.published_at],
        )?;
        Ok(version)
    }

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, ServerError> {
        let mut stmt = self.tx.prepare_cached("SELECT series, prefix, title FROM number_series ORDER BY series")?;
        let rows =
            stmt.query_map([], |r| Ok(NumberSeries { series: r.get(0)?, prefix: r.get(1)?, title: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_series(&mut self, s: &NumberSeries, now: &str) -> Result<(), ServerError> {
        self.tx.execute(
            "INSERT INTO number_series (series, prefix, title, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![s.series, s.prefix, s.title, now],
        )?;
        Ok(())
    }

    fn block_by_request(&mut self, request_id: Uuid) -> Result<Option<(NumberBlock, DeviceId)>, ServerError> {
        let row = self
            .tx
            .prepare_cached(&format!("{BLOCK_SELECT} WHERE b.request_id = ?1"))?
            .query_row([request_id.to_string()], block_row)
            .optional()?;
        row.map(block_of).transpose()
    }

    fn lease_block(&mut self, b: &NewBlock) -> Result<NumberBlock, ServerError> {
        // BEGIN IMMEDIATE holds the write lock: no other lease runs between these statements.
        self.tx.execute(
            "INSERT INTO number_next (series, year, next) VALUES (?1, ?2, 1) ON CONFLICT DO NOTHING",
            params![b.series, b.year],
        )?;
        let first: i64 = self.tx.query_row(
            "UPDATE number_next SET next = next + ?3 WHERE series = ?1 AND year = ?2 RETURNING next - ?3",
            params![b.series, b.year, b.size],
            |r| r.get(0),
        )?;
        let last = first + b.size - 1;
        self.tx.execute(
            "INSERT INTO number_block (block_id, request_id, series, year, first, last, device_id, user_id, leased_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                b.block_id.to_string(),
                b.request_id.to_string(),
                b.series,
                b.year,
                first,
                last,
                b.device_id.to_string(),
                b.user_id.to_string(),
                b.leased_at
            ],
        )?;
        let prefix: String =
            self.tx.query_row("SELECT prefix FROM number_series WHERE series = ?1", [&b.series], |r| r.get(0))?;
        Ok(NumberBlock { block_id: b.block_id, series: b.series.clone(), prefix, year: b.year, first, last })
    }

    fn number_blocks(&mut self, series: &str) -> Result<Vec<(NumberBlock, DeviceId)>, ServerError> {
        let mut stmt =
            self.tx.prepare_cached(&format!("{BLOCK_SELECT} WHERE b.series = ?1 ORDER BY b.year, b.first"))?;
        let rows = stmt.query_map([series], block_row)?;
        rows.map(|row| block_of(row?)).collect()
    }

    fn open_conflicts(&mut self, parks: &[ParkId]) -> Result<i64, ServerError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM conflict WHERE park_id = ?1 AND held = 1 AND resolution IS NULL")?;
        let mut open = 0;
        for park in parks {
            open += stmt.query_row([park.to_string()], |r| r.get::<_, i64>(0))?;
        }
        Ok(open)
    }

    fn overwritten(&mut self, parks: &[ParkId]) -> Result<i64, ServerError> {
        let mut stmt = self.tx.prepare_cached("SELECT COUNT(*) FROM conflict WHERE park_id = ?1 AND held = 0")?;
        let mut n = 0;
        for park in parks {
            n += stmt.query_row([park.to_string()], |r| r.get::<_, i64>(0))?;
        }
        Ok(n)
    }
}
