//! The local store: one SQLite file holding the park and enterprise files
//! and the sync outbox.
//!
//! Durability first: WAL with `synchronous=FULL` (a save the user saw
//! confirmed survives a power cut), foreign keys on. Every change is one
//! transaction that writes the domain rows and appends its outbox entry, so
//! a change is either wholly there, ready to sync, or not there at all.

pub mod clue_transfer;
pub mod inspection;
pub(crate) mod lists;
mod migrate;
pub mod notice;
mod outbox;
pub mod patrol;
pub mod rectification;
mod reference;
mod rows;
pub mod sync;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;
use uuid::Uuid;

use crate::blob::BlobStore;
use crate::enterprise::{ArchiveItem, Attachment, Enterprise, FieldProblem, ENTERPRISE_ARCHIVE_ITEMS};
use crate::env::Env;
use crate::id::*;
use crate::ident::{self, Severity};
use crate::park::{Park, PARK_ARCHIVE_ITEMS};
use crate::search::{self, Hit, Query, SearchIndex, SearchPage};

pub use migrate::{apply as apply_migrations, sha256_hex, Migration, MIGRATIONS};
pub use outbox::OutboxEntry;
pub use reference::{NumbersLeft, NUMBERS_BLOCK, NUMBERS_LOW};

/// What can go wrong in the store. Messages are for the user, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库操作失败")]
    Sqlite(#[from] rusqlite::Error),
    #[error("读写文件失败")]
    Io(#[from] std::io::Error),
    #[error("数据格式错误")]
    Json(#[from] serde_json::Error),
    #[error("数据库由更新版本的程序创建（含迁移 {migration}），请升级本程序")]
    SchemaTooNew { migration: String },
    #[error("数据库迁移 {migration} 与本程序不一致，数据库可能被改动过")]
    MigrationChanged { migration: String },
    #[error("记录未通过校验：{}", summary(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("该记录已被修改（编辑时为第{base}版，现为第{current}版），请刷新后重试")]
    Stale { base: i64, current: i64 },
    #[error("未找到{what}“{key}”")]
    NotFound { what: &'static str, key: String },
    #[error("统一社会信用代码 {code} 已属于“{holder}”")]
    DuplicateCreditCode { code: String, holder: String },
    #[error(transparent)]
    Blob(#[from] crate::blob::BlobError),
    #[error("该检查记录已签名，不可修改；如需更正，请新建更正记录")]
    Final,
    #[error("本机已没有“{series}”系列 {year} 年的文号：请联网同步领取新号段（文号不能自行编造）")]
    NoNumbers { series: String, year: i32 },
}

fn summary(problems: &[FieldProblem]) -> String {
    problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.message.as_str()).collect::<Vec<_>>().join("；")
}

/// The result of saving a file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Saved {
    /// The file's version after the save.
    pub version: i64,
    /// The top-level fields that changed; empty when nothing did (and then
    /// nothing was written and no outbox entry was made).
    pub changed: Vec<String>,
    /// The outbox sequence number of the change, if one was recorded.
    pub seq: Option<i64>,
    /// Warnings that did not block the save.
    pub warnings: Vec<FieldProblem>,
}

/// A short line per enterprise for lists.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ParkSummary {
    pub id: ParkId,
    pub name: String,
    pub code: Option<String>,
    pub enterprises: i64,
}

pub struct Store {
    conn: Connection,
    env: Env,
    device_id: DeviceId,
    path: PathBuf,
    search: Option<(i64, SearchIndex)>,
    /// Who is working: named on every case event recorded here.
    operator: String,
}

/// The operator's name until someone signs in.
pub const NO_OPERATOR: &str = "本机用户";

impl Store {
    /// Opens (and creates, if missing) the store at `path`, bringing its
    /// schema up to date.
    pub fn open(path: impl AsRef<Path>, env: Env) -> Result<Store, StoreError> {
        Self::open_at(path, env, MIGRATIONS.len())
    }

    /// Opens the store with only the first `upto` migrations applied. Used
    /// to build databases of earlier schemas for upgrade tests.
    pub fn open_at(path: impl AsRef<Path>, mut env: Env, upto: usize) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every transaction here writes. One that began as a reader would be
        // refused at once (not after the busy timeout) when another
        // connection (the background sync, the CLI on the same file) wrote
        // in between, so each takes the write lock at its start and waits
        // its turn.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // Saving a file runs a few dozen distinct statements; keep them all prepared.
        conn.set_prepared_statement_cache_capacity(256);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let now = env.now().to_rfc3339();
        migrate::apply(&mut conn, MIGRATIONS, upto, &now)?;
        let device_id = if upto == 0 {
            DeviceId::NIL
        } else {
            let existing: Option<DeviceId> =
                conn.query_row("SELECT id FROM device LIMIT 1", [], |r| rows::parsed_at(r, 0)).optional()?;
            match existing {
                Some(id) => id,
                None => {
                    let id: DeviceId = env.new_id();
                    conn.execute("INSERT INTO device (id, created_at) VALUES (?1, ?2)", params![id.to_string(), now])?;
                    id
                }
            }
        };
        Ok(Store { conn, env, device_id, path, search: None, operator: NO_OPERATOR.to_string() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    /// Names who records what follows (the signed-in user).
    pub fn set_operator(&mut self, name: &str) {
        self.operator = if name.trim().is_empty() { NO_OPERATOR.to_string() } else { name.trim().to_string() };
    }

    /// One of this laptop's settings (never synced), if it was saved.
    pub(crate) fn setting<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let value: Option<String> =
            self.conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        Ok(value.map(|v| serde_json::from_str(&v)).transpose()?)
    }

    pub(crate) fn save_setting(&mut self, key: &str, value: &impl Serialize) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, serde_json::to_string(value)?],
        )?;
        Ok(())
    }

    /// A new UUIDv7 from the store's clock and random source.
    pub fn new_id<I: From<Uuid>>(&mut self) -> I {
        self.env.new_id()
    }

    pub fn env(&mut self) -> &mut Env {
        &mut self.env
    }

    /// The read-only connection, for checks and reports.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` inside one write transaction; everything it saves commits
    /// together or not at all.
    pub fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T, E>) -> Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut w = Writer { tx, env: &mut self.env, device_id: self.device_id };
        let out = f(&mut w)?;
        w.tx.commit().map_err(StoreError::from)?;
        self.search = None;
        Ok(out)
    }

    /// Saves an enterprise file as one change (see [`Writer::save_enterprise`]).
    pub fn save_enterprise(&mut self, e: &Enterprise) -> Result<Saved, StoreError> {
        self.write(|w| w.save_enterprise(e))
    }

    /// Saves a park file as one change.
    pub fn save_park(&mut self, p: &Park) -> Result<Saved, StoreError> {
        self.write(|w| w.save_park(p))
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>, StoreError> {
        Ok(rows::load_enterprise(&self.conn, id)?)
    }

    /// Finds an enterprise by id, credit code or exact name.
    pub fn find_enterprise(&self, key: &str) -> Result<Option<Enterprise>, StoreError> {
        if let Ok(id) = key.trim().parse::<EnterpriseId>() {
            return self.enterprise(id);
        }
        let code = ident::normalize_code(key);
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM enterprise WHERE credit_code = ?1 OR name = ?2 ORDER BY credit_code = ?1 DESC LIMIT 1",
                params![code, key.trim()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.enterprise(id.parse().expect("ids in the store are UUIDs")),
            None => Ok(None),
        }
    }

    /// Enterprise ids the server folded into another file, and that file.
    pub fn merged_enterprises(&self) -> Result<std::collections::HashMap<EnterpriseId, EnterpriseId>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT merged_id, into_id FROM enterprise_merged")?;
        let rows = stmt.query_map([], |r| Ok((rows::parsed_at(r, 0)?, rows::parsed_at(r, 1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ids of all enterprises, oldest first (UUIDv7 order is creation order).
    pub fn enterprise_ids(&self, park: Option<ParkId>) -> Result<Vec<EnterpriseId>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM enterprise WHERE ?1 IS NULL OR park_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([park.map(|p| p.to_string())], |r| rows::parsed_at(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn park(&self, id: ParkId) -> Result<Option<Park>, StoreError> {
        Ok(rows::load_park(&self.conn, id)?)
    }

    /// Finds a park by id, development-zone code or exact name.
    pub fn find_park(&self, key: &str) -> Result<Option<Park>, StoreError> {
        if let Ok(id) = key.trim().parse::<ParkId>() {
            return self.park(id);
        }
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM park WHERE code = ?1 OR name = ?2 LIMIT 1",
                params![ident::normalize_code(key), key.trim()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.park(id.parse().expect("ids in the store are UUIDs")),
            None => Ok(None),
        }
    }

    pub fn parks(&self) -> Result<Vec<ParkSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.name, p.code, (SELECT COUNT(*) FROM enterprise e WHERE e.park_id = p.id)
             FROM park p ORDER BY p.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ParkSummary { id: rows::parsed_at(r, 0)?, name: r.get(1)?, code: r.get(2)?, enterprises: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, mutation_id, device_id, entity, entity_id, base_version, payload, payload_hash,
                    created_at, state
             FROM outbox ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            let payload: String = r.get(6)?;
            Ok(OutboxEntry {
                seq: r.get(0)?,
                mutation_id: rows::parsed_at(r, 1)?,
                device_id: rows::parsed_at(r, 2)?,
                entity: r.get(3)?,
                entity_id: rows::parsed_at(r, 4)?,
                base_version: r.get(5)?,
                payload: serde_json::from_str(&payload).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
                })?,
                payload_hash: r.get(7)?,
                created_at: r.get(8)?,
                state: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The blob store beside the database file (`blobs/` in its folder).
    pub fn blobs(&self) -> BlobStore {
        BlobStore::new(self.path.parent().unwrap_or(Path::new(".")).join("blobs"))
    }

    /// Attaches a scanned document to item `item_no` of an enterprise's
    /// archive checklist and marks the item as on file. The file is stored
    /// first (content-addressed), then the file record is saved as one
    /// change. Attaching the same content to the same item again adds
    /// nothing and answers `false`.
    pub fn attach_archive_file(
        &mut self,
        enterprise: EnterpriseId,
        item_no: u8,
        file: &Path,
    ) -> Result<(Attachment, bool), StoreError> {
        let mut e = self
            .enterprise(enterprise)?
            .ok_or_else(|| StoreError::NotFound { what: "企业", key: enterprise.to_string() })?;
        let Some(index) = e.archive.iter().position(|i| i.item_no == item_no) else {
            return Err(StoreError::Invalid(vec![FieldProblem::error(
                "archive",
                format!("档案清单只有第1至{}项，没有第{item_no}项", ENTERPRISE_ARCHIVE_ITEMS.len()),
            )]));
        };
        let blob = self.blobs().put_file(file)?;
        if let Some(existing) = e.archive[index].attachments.iter().find(|a| a.sha256 == blob.sha256) {
            return Ok((existing.clone(), false));
        }
        let attachment = Attachment {
            id: self.new_id(),
            file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            sha256: blob.sha256,
            size: blob.size,
            added_at: self.env.now().to_rfc3339(),
        };
        let item = &mut e.archive[index];
        item.on_file = true;
        item.attachments.push(attachment.clone());
        self.save_enterprise(&e)?;
        Ok((attachment, true))
    }

    /// Searches enterprises. The index is built on first use and rebuilt
    /// after any commit, by this process or another one.
    pub fn search(&mut self, q: &Query) -> Result<Vec<Hit>, StoreError> {
        Ok(self.search_page(q)?.hits)
    }

    /// Searches, and counts all matches besides the first `q.limit`.
    pub fn search_page(&mut self, q: &Query) -> Result<SearchPage, StoreError> {
        let data_version: i64 = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let fresh = matches!(&self.search, Some((v, _)) if *v == data_version);
        if !fresh {
            self.search = Some((data_version, search::build_index(lists::index_rows(&self.conn)?)?));
        }
        let (_, index) = self.search.as_ref().expect("index built above");
        Ok(index.search_page(q))
    }
}

/// A write transaction in progress. Each `save_*` is one change with its
/// own outbox entry; all of them commit together.
pub struct Writer<'s> {
    tx: Transaction<'s>,
    env: &'s mut Env,
    device_id: DeviceId,
}

impl Writer<'_> {
    pub fn new_id<I: From<Uuid>>(&mut self) -> I {
        self.env.new_id()
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>, StoreError> {
        Ok(rows::load_enterprise(&self.tx, id)?)
    }

    pub fn park(&self, id: ParkId) -> Result<Option<Park>, StoreError> {
        Ok(rows::load_park(&self.tx, id)?)
    }

    /// Saves a whole enterprise file. `e.version` is the version the user
    /// edited (0 for a new file); if the stored file has moved on since, the
    /// save is refused as stale. Errors from [`Enterprise::check`] refuse
    /// the save; warnings are returned. Only changed fields are recorded in
    /// the outbox entry; a save that changes nothing writes nothing.
    pub fn save_enterprise(&mut self, e: &Enterprise) -> Result<Saved, StoreError> {
        let mut e = e.clone();
        e.credit_code = e.credit_code.as_deref().map(ident::normalize_code).filter(|c| !c.is_empty());
        complete_archive(&mut e.archive, ENTERPRISE_ARCHIVE_ITEMS.len());
        let problems = e.check();
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(StoreError::Invalid(problems));
        }
        if let Some(code) = &e.credit_code {
            let holder: Option<(String, String)> = self
                .tx
                .prepare_cached("SELECT id, name FROM enterprise WHERE credit_code = ?1 AND id <> ?2")?
                .query_row(params![code, e.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((_, holder)) = holder {
                return Err(StoreError::DuplicateCreditCode { code: code.clone(), holder });
            }
        }
        let current = rows::load_enterprise(&self.tx, e.id)?;
        let is_new = current.is_none();
        let old = current.as_ref().map(serde_json::to_value).transpose()?;
        self.record(
            "enterprise",
            e.id.uuid(),
            e.version,
            current.map(|c| c.version),
            old,
            serde_json::to_value(&e)?,
            problems,
            |tx, version, now| rows::write_enterprise(tx, &e, version, now, is_new),
        )
    }

    /// Saves a whole park file; the same rules as [`Self::save_enterprise`].
    pub fn save_park(&mut self, p: &Park) -> Result<Saved, StoreError> {
        let mut p = p.clone();
        complete_archive(&mut p.archive, PARK_ARCHIVE_ITEMS.len());
        let p = &p;
        let problems = p.check();
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(StoreError::Invalid(problems));
        }
        let current = rows::load_park(&self.tx, p.id)?;
        let old = current.as_ref().map(serde_json::to_value).transpose()?;
        self.record(
            "park",
            p.id.uuid(),
            p.version,
            current.map(|c| c.version),
            old,
            serde_json::to_value(p)?,
            problems,
            |tx, version, now| rows::write_park(tx, p, version, now),
        )
    }

    /// The common part of every save: version check, field diff, row write
    /// and outbox entry.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        entity: &str,
        id: Uuid,
        base: i64,
        current: Option<i64>,
        old: Option<Value>,
        new: Value,
        warnings: Vec<FieldProblem>,
        write_rows: impl FnOnce(&Transaction<'_>, i64, &str) -> rusqlite::Result<()>,
    ) -> Result<Saved, StoreError> {
        let current_version = current.unwrap_or(0);
        if base != current_version {
            return Err(StoreError::Stale { base, current: current_version });
        }
        let changed = changed_fields(old.as_ref(), &new);
        if changed.is_empty() {
            return Ok(Saved { version: base, changed: Vec::new(), seq: None, warnings });
        }
        let now = self.env.now().to_rfc3339();
        let version = base + 1;
        write_rows(&self.tx, version, &now)?;
        let mut fields = Map::new();
        let mut touched = Vec::new();
        let mut collections = false;
        let kind = xuncha_sync::EntityKind::parse(entity);
        for key in &changed {
            fields.insert(key.clone(), new[key].clone());
            if let Some(kind) = kind.filter(|k| xuncha_sync::element::collection(*k, key).is_some()) {
                collections = true;
                let before = old.as_ref().and_then(|o| o.get(key)).unwrap_or(&Value::Null);
                touched.extend(xuncha_sync::element::touched(kind, key, before, &new[key]));
            }
        }
        let mut payload = serde_json::json!({
            "op": if current.is_some() { "update" } else { "create" },
            "fields": fields,
        });
        // Which elements of the collections sent whole were edited: the
        // server merges only those, so an element this laptop merely holds
        // at an older value never overwrites someone else's change.
        if collections {
            payload["touched"] = Value::from(touched);
        }
        // The server judges overlaps against the server version this edit
        // started from, not the local counter.
        let synced: i64 = self
            .tx
            .prepare_cached("SELECT version FROM synced_version WHERE entity = ?1 AND entity_id = ?2")?
            .query_row(params![entity, id.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let mutation_id = self.env.new_id();
        let seq = outbox::append(
            &self.tx,
            &outbox::Mutation {
                mutation_id,
                device_id: self.device_id,
                entity,
                entity_id: id,
                base_version: synced,
                payload: &payload,
                created_at: &now,
            },
        )?;
        Ok(Saved { version, changed, seq: Some(seq), warnings })
    }
}

/// Lays out every item of a checklist of `len` items, in order, so that a
/// file reads back exactly as saved (empty items are not stored as rows).
fn complete_archive(items: &mut Vec<ArchiveItem>, len: usize) {
    for no in 1..=len as u8 {
        if !items.iter().any(|i| i.item_no == no) {
            items.push(ArchiveItem::empty(no));
        }
    }
    items.sort_by_key(|i| i.item_no);
}

/// Top-level fields whose values differ, ignoring the version counter.
fn changed_fields(old: Option<&Value>, new: &Value) -> Vec<String> {
    let Some(new) = new.as_object() else {
        return Vec::new();
    };
    new.iter()
        .filter(|(k, _)| k.as_str() != "version")
        .filter(|(k, v)| old.and_then(|o| o.get(k.as_str())) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}
