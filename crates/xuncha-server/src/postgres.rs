//! The shared backend: a PostgreSQL database, for bureaus that run several
//! server instances behind a load balancer (each instance keeps nothing but
//! a connection pool).
//!
//! Transactions run at READ COMMITTED with explicit locks, taken in one
//! order so that waits rarely form a cycle:
//! 1. a device's advisory lock when its log is read (a push, a hello), so
//!    two copies of one push are handled one after the other;
//! 2. the advisory locks of every entity the transaction may write, all
//!    at once in ascending key order ([`Tx::lock_entities`]), so concurrent
//!    edits of one file merge instead of overwriting, two pushes touching
//!    the same files in different orders cannot deadlock, and a file that
//!    does not exist yet is covered too;
//! 3. the change counter row, last: entity writes are kept in the
//!    transaction and numbered just before commit, so the counter is held
//!    for two statements and the commit rather than for a whole push.
//!
//! A deadlock or serialisation failure that still happens runs the whole
//! transaction again (see [`crate::backend::Backend::transaction`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Condvar, Mutex};

use postgres::error::SqlState;
use postgres::{Client, NoTls, Statement};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};
use xuncha_sync::{
    Change, ConflictRecord, EntityKind, Mutation, MutationResult, NumberBlock, NumberSeries, ReferenceDoc,
    ReferenceEntry,
};

use crate::backend::{
    device_columns, Backend, DeviceRow, EntityRow, LoginFailure, NewBlock, StoredMutation, TokenRow, Tx, UserRow,
};
use crate::{Role, ServerError};

fn reference_entry(r: &postgres::Row) -> ReferenceEntry {
    ReferenceEntry {
        kind: r.get(0),
        key: r.get(1),
        version: r.get(2),
        title: r.get(3),
        sha256: r.get(4),
        published_at: r.get(5),
    }
}

/// A block and its device from `block_id, series, prefix, year, first, last, device_id`.
fn block_of(r: &postgres::Row) -> (NumberBlock, DeviceId) {
    let block = NumberBlock {
        block_id: r.get(0),
        series: r.get(1),
        prefix: r.get(2),
        year: r.get(3),
        first: r.get(4),
        last: r.get(5),
    };
    (block, DeviceId(r.get(6)))
}

/// The server's PostgreSQL migrations, oldest first. Append only.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("20261122230000_sync_and_people", include_str!("../migrations/postgres/20261122230000_sync_and_people.sql")),
    (
        "20261123030000_reference_and_numbers",
        include_str!("../migrations/postgres/20261123030000_reference_and_numbers.sql"),
    ),
    ("20261202200000_devices_and_logins", include_str!("../migrations/postgres/20261202200000_devices_and_logins.sql")),
    ("20261202210000_audit", include_str!("../migrations/postgres/20261202210000_audit.sql")),
    ("20261203080000_blob_scope", include_str!("../migrations/postgres/20261203080000_blob_scope.sql")),
    ("20261203110000_device_keys", include_str!("../migrations/postgres/20261203110000_device_keys.sql")),
    ("20261206030000_person_name", include_str!("../migrations/postgres/20261206030000_person_name.sql")),
];

/// How often a transaction is tried when PostgreSQL aborts it for a
/// deadlock or a conflicting concurrent write.
const ATTEMPTS: usize = 8;

/// Lock-key salts: devices and entities live in one 64-bit key space.
const DEVICE_SALT: u64 = 0x6465_7669_6365_0000;
const MIGRATION_LOCK: i64 = 0x7875_6e63_6861;

struct Conn {
    client: Client,
    /// Prepared statements of this connection, by their SQL.
    statements: HashMap<&'static str, Statement>,
}

struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

pub struct Postgres {
    config: postgres::Config,
    max: usize,
    pool: Mutex<Pool>,
    returned: Condvar,
}

impl Postgres {
    /// Connects to `url` (`postgres://user:password@host/db`), applies
    /// missing migrations and keeps up to `max_connections` connections.
    pub fn open(url: &str, max_connections: usize, now: &str) -> Result<Postgres, ServerError> {
        let config: postgres::Config = url.parse()?;
        let db = Postgres {
            config,
            max: max_connections.max(1),
            pool: Mutex::new(Pool { idle: Vec::new(), open: 0 }),
            returned: Condvar::new(),
        };
        let mut conn = db.checkout()?;
        let applied = migrate(&mut conn.client, now);
        db.checkin(conn);
        applied?;
        Ok(db)
    }

    fn checkout(&self) -> Result<Conn, ServerError> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(conn);
            }
            if pool.open < self.max {
                pool.open += 1;
                drop(pool);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Conn { client, statements: HashMap::new() }),
                    Err(e) => {
                        self.forget();
                        Err(e.into())
                    }
                };
            }
            pool = self.returned.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn checkin(&self, conn: Conn) {
        if conn.client.is_closed() {
            return self.forget();
        }
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).idle.push(conn);
        self.returned.notify_one();
    }

    /// A connection was lost: make room for a new one.
    fn forget(&self) {
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
        self.returned.notify_one();
    }
}

fn migrate(client: &mut Client, now: &str) -> Result<(), ServerError> {
    let mut tx = client.transaction()?;
    // Instances started together wait for one another here.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let applied: HashMap<String, String> =
        tx.query("SELECT name, sha256 FROM schema_migration", &[])?.iter().map(|r| (r.get(0), r.get(1))).collect();
    if let Some(unknown) = applied.keys().find(|name| !MIGRATIONS.iter().any(|(known, _)| known == name)) {
        return Err(ServerError::Damaged(format!(
            "the database has migration {unknown}, which this program does not know: it belongs to a newer program"
        )));
    }
    for (name, sql) in MIGRATIONS {
        let sha = hex::encode(Sha256::digest(sql.as_bytes()));
        match applied.get(*name) {
            Some(recorded) if *recorded == sha => {}
            Some(_) => return Err(ServerError::Damaged(format!("migration {name} differs from the one applied"))),
            None => {
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO schema_migration (name, sha256, applied_at) VALUES ($1, $2, $3)",
                    &[name, &sha, &now],
                )?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn retryable(e: &ServerError) -> bool {
    let ServerError::Postgres(e) = e else { return false };
    matches!(
        e.code(),
        Some(&SqlState::T_R_DEADLOCK_DETECTED | &SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::UNIQUE_VIOLATION)
    )
}

impl Backend for Postgres {
    fn transaction<T>(&self, mut f: impl FnMut(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, ServerError> {
        let mut conn = self.checkout()?;
        let mut attempt = 1;
        let out = loop {
            let out = run(&mut conn, &mut f);
            match out {
                Err(e) if retryable(&e) && attempt < ATTEMPTS && !conn.client.is_closed() => attempt += 1,
                out => break out,
            }
        };
        self.checkin(conn);
        out
    }
}

fn run<T>(conn: &mut Conn, f: &mut impl FnMut(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, ServerError> {
    let Conn { client, statements } = conn;
    let tx = client.transaction()?;
    let mut ptx = PgTx {
        tx,
        statements,
        locked: HashSet::new(),
        known: HashMap::new(),
        pending: Vec::new(),
        blob_refs: BTreeSet::new(),
        mutations: Vec::new(),
        metas: HashMap::new(),
        pending_metas: BTreeSet::new(),
    };
    let out = f(&mut ptx)?;
    ptx.flush()?;
    ptx.tx.commit()?;
    Ok(out)
}

struct PgTx<'c> {
    tx: postgres::Transaction<'c>,
    statements: &'c mut HashMap<&'static str, Statement>,
    /// Advisory lock keys this transaction holds.
    locked: HashSet<i64>,
    /// Entities as this transaction sees them: read under its lock, or
    /// written by it (`None`: known not to exist).
    known: HashMap<(EntityKind, Uuid), Option<EntityRow>>,
    /// Entity writes not yet numbered, in write order (one per entity).
    pending: Vec<(EntityKind, Uuid)>,
    /// Handled mutations not yet inserted: device, user, mutation, result.
    mutations: Vec<(Uuid, Uuid, Mutation, MutationResult)>,
    /// Meta values as this transaction sees them (`None`: known absent).
    metas: HashMap<String, Option<String>>,
    /// Meta keys written and not yet stored.
    pending_metas: BTreeSet<String>,
    /// Files named by written entities, not yet noted: hash, park, writer.
    blob_refs: BTreeSet<(String, Uuid, Uuid)>,
}

/// Park ids as PostgreSQL's `uuid[]` takes them.
fn uuids(parks: &[ParkId]) -> Vec<Uuid> {
    parks.iter().map(|p| p.0).collect()
}

fn lock_key(salt: u64, id: Uuid) -> i64 {
    let (hi, lo) = id.as_u64_pair();
    (hi ^ lo ^ salt) as i64
}

fn entity_salt(kind: EntityKind) -> u64 {
    match kind {
        EntityKind::Park => 0x7061_726b,
        EntityKind::Enterprise => 0x656e_7465_7270,
        EntityKind::Inspection => 0x696e_7370,
        EntityKind::Notice => 0x6e6f_7469_6365,
        EntityKind::NumberVoid => 0x766f_6964,
        EntityKind::ClueTransfer => 0x636c_7565,
        EntityKind::CaseEvent => 0x6361_7365,
        EntityKind::TransferUpdate => 0x6e65_7773,
    }
}

fn damaged(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Damaged(format!("{what}: {e}"))
}

fn kind_of(s: &str) -> Result<EntityKind, ServerError> {
    EntityKind::parse(s).ok_or_else(|| damaged("entity kind", s))
}

fn conflict_of(r: &postgres::Row) -> Result<ConflictRecord, ServerError> {
    let resolution: Option<String> = r.get(10);
    Ok(ConflictRecord {
        conflict_id: r.get(0),
        entity: kind_of(r.get(1))?,
        entity_id: r.get(2),
        park_id: ParkId(r.get(3)),
        field: r.get(4),
        server_value: serde_json::from_str(r.get(5))?,
        device_value: serde_json::from_str(r.get(6))?,
        device_id: DeviceId(r.get(7)),
        mutation_id: r.get(8),
        held: r.get(9),
        resolution: resolution.map(|s| serde_json::from_str(&s)).transpose()?,
    })
}

/// An entity row from its five columns starting at `at`.
fn entity_row(r: &postgres::Row, at: usize) -> Result<EntityRow, ServerError> {
    Ok(EntityRow {
        park_id: ParkId(r.get(at)),
        version: r.get(at + 1),
        change_no: r.get(at + 2),
        doc: serde_json::from_str(r.get(at + 3))?,
        field_meta: serde_json::from_str(r.get(at + 4))?,
    })
}

fn device_row(r: &postgres::Row) -> DeviceRow {
    DeviceRow {
        id: DeviceId(r.get(0)),
        user_id: r.get(1),
        name: r.get(2),
        registered_at: r.get(3),
        revoked_at: r.get(4),
        public_key: r.get(5),
        approved_at: r.get(6),
        last_challenge: r.get(7),
    }
}

fn user_of(r: &postgres::Row) -> Result<UserRow, ServerError> {
    let role: &str = r.get(2);
    Ok(UserRow {
        id: r.get(0),
        name: r.get(1),
        role: Role::parse(role).ok_or_else(|| damaged("role", role))?,
        password_hash: r.get(3),
        full_name: r.get(4),
    })
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, ServerError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn lock(&mut self, key: i64) -> Result<(), ServerError> {
        if self.locked.insert(key) {
            let s = self.statement("SELECT pg_advisory_xact_lock($1)")?;
            self.tx.execute(&s, &[&key])?;
        }
        Ok(())
    }

    /// Writes what the transaction kept back: the handled mutations, and
    /// the entity writes, numbered, each in one statement.
    fn flush(&mut self) -> Result<(), ServerError> {
        self.flush_mutations()?;
        self.flush_metas()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let n = self.pending.len() as i64;
        let s = self.statement("UPDATE change_counter SET head = head + $1 RETURNING head")?;
        let head: i64 = self.tx.query_one(&s, &[&n])?.get(0);
        let mut kinds = Vec::new();
        let mut ids = Vec::new();
        let mut parks = Vec::new();
        let mut versions = Vec::new();
        let mut numbers = Vec::new();
        let mut docs = Vec::new();
        let mut metas = Vec::new();
        for (i, (kind, id)) in std::mem::take(&mut self.pending).into_iter().enumerate() {
            let row = self.known[&(kind, id)].as_ref().expect("a pending write has its row");
            kinds.push(kind.as_str());
            ids.push(id);
            parks.push(row.park_id.0);
            versions.push(row.version);
            numbers.push(head - n + 1 + i as i64);
            docs.push(serde_json::to_string(&row.doc)?);
            metas.push(serde_json::to_string(&row.field_meta)?);
        }
        let s = self.statement(
            "INSERT INTO entity (kind, id, park_id, version, change_no, doc, field_meta)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int8[], $5::int8[], $6::text[], $7::text[])
             ON CONFLICT (kind, id) DO UPDATE SET park_id = EXCLUDED.park_id, version = EXCLUDED.version,
                 change_no = EXCLUDED.change_no, doc = EXCLUDED.doc, field_meta = EXCLUDED.field_meta",
        )?;
        self.tx.execute(&s, &[&kinds, &ids, &parks, &versions, &numbers, &docs, &metas])?;
        self.flush_blob_refs()
    }

    fn flush_blob_refs(&mut self) -> Result<(), ServerError> {
        if self.blob_refs.is_empty() {
            return Ok(());
        }
        let (mut hashes, mut parks, mut writers) = (Vec::new(), Vec::new(), Vec::new());
        for (sha, park, writer) in std::mem::take(&mut self.blob_refs) {
            hashes.push(sha);
            parks.push(park);
            writers.push(writer);
        }
        let s = self.statement(
            "INSERT INTO blob_ref (sha256, park_id, device_id)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[]) ON CONFLICT DO NOTHING",
        )?;
        self.tx.execute(&s, &[&hashes, &parks, &writers])?;
        Ok(())
    }

    fn flush_metas(&mut self) -> Result<(), ServerError> {
        if self.pending_metas.is_empty() {
            return Ok(());
        }
        let s = self.statement(
            "INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )?;
        let keys: Vec<String> = std::mem::take(&mut self.pending_metas).into_iter().collect();
        let values: Vec<&str> =
            keys.iter().map(|k| self.metas[k].as_deref().expect("a pending meta has its value")).collect();
        self.tx.execute(&s, &[&keys, &values])?;
        Ok(())
    }

    fn flush_mutations(&mut self) -> Result<(), ServerError> {
        if self.mutations.is_empty() {
            return Ok(());
        }
        let (mut devices, mut seqs, mut ids, mut users) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut payloads, mut hashes, mut results) = (Vec::new(), Vec::new(), Vec::new());
        for (device, user, m, result) in std::mem::take(&mut self.mutations) {
            devices.push(device);
            seqs.push(m.seq);
            ids.push(m.mutation_id);
            users.push(user);
            payloads.push(serde_json::to_string(&m.payload)?);
            hashes.push(m.payload_hash);
            results.push(serde_json::to_string(&result)?);
        }
        let s = self.statement(
            "INSERT INTO mutation (device_id, seq, mutation_id, user_id, payload, payload_hash, result)
             SELECT * FROM unnest($1::uuid[], $2::int8[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[])",
        )?;
        self.tx.execute(&s, &[&devices, &seqs, &ids, &users, &payloads, &hashes, &results])?;
        Ok(())
    }
}

impl Tx for PgTx<'_> {
    fn meta(&mut self, key: &str) -> Result<Option<String>, ServerError> {
        if let Some(known) = self.metas.get(key) {
            return Ok(known.clone());
        }
        let s = self.statement("SELECT value FROM meta WHERE key = $1")?;
        let value: Option<String> = self.tx.query_opt(&s, &[&key])?.map(|r| r.get(0));
        self.metas.insert(key.to_owned(), value.clone());
        Ok(value)
    }

    fn read_meta(&mut self, keys: &[String]) -> Result<(), ServerError> {
        let wanted: Vec<&str> = keys.iter().map(String::as_str).filter(|k| !self.metas.contains_key(*k)).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let s = self.statement("SELECT key, value FROM meta WHERE key = ANY($1::text[])")?;
        let rows = self.tx.query(&s, &[&wanted])?;
        for key in wanted {
            self.metas.insert(key.to_owned(), None);
        }
        for r in &rows {
            self.metas.insert(r.get(0), Some(r.get(1)));
        }
        Ok(())
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), ServerError> {
        self.pending_metas.insert(key.to_owned());
        self.metas.insert(key.to_owned(), Some(value.to_owned()));
        Ok(())
    }

    fn head(&mut self) -> Result<i64, ServerError> {
        let s = self.statement("SELECT head FROM change_counter")?;
        Ok(self.tx.query_one(&s, &[])?.get(0))
    }

    fn device_log(&mut self, device: DeviceId) -> Result<(i64, String), ServerError> {
        self.lock(lock_key(DEVICE_SALT, device.0))?;
        let s = self.statement("SELECT last_seq, results_digest FROM device_log WHERE device_id = $1")?;
        Ok(self.tx.query_opt(&s, &[&device.0])?.map(|r| (r.get(0), r.get(1))).unwrap_or_default())
    }

    fn set_device_log(&mut self, device: DeviceId, seq: i64, digest: &str) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO device_log (device_id, last_seq, results_digest) VALUES ($1, $2, $3)
             ON CONFLICT (device_id) DO UPDATE SET last_seq = EXCLUDED.last_seq,
                                                   results_digest = EXCLUDED.results_digest",
        )?;
        self.tx.execute(&s, &[&device.0, &seq, &digest])?;
        Ok(())
    }

    fn mutation(&mut self, device: DeviceId, seq: i64) -> Result<Option<StoredMutation>, ServerError> {
        if let Some((_, _, m, result)) = self.mutations.iter().find(|(d, _, m, _)| *d == device.0 && m.seq == seq) {
            return Ok(Some(StoredMutation {
                mutation_id: m.mutation_id,
                payload_hash: m.payload_hash.clone(),
                result: result.clone(),
            }));
        }
        let s =
            self.statement("SELECT mutation_id, payload_hash, result FROM mutation WHERE device_id = $1 AND seq = $2")?;
        self.tx
            .query_opt(&s, &[&device.0, &seq])?
            .map(|r| {
                Ok(StoredMutation {
                    mutation_id: r.get(0),
                    payload_hash: r.get(1),
                    result: serde_json::from_str(r.get(2))?,
                })
            })
            .transpose()
    }

    fn insert_mutation(
        &mut self,
        device: DeviceId,
        user: Uuid,
        m: &Mutation,
        result: &MutationResult,
    ) -> Result<(), ServerError> {
        self.mutations.push((device.0, user, m.clone(), result.clone()));
        Ok(())
    }

    fn lock_entities(&mut self, entities: &[(EntityKind, Uuid)]) -> Result<(), ServerError> {
        let mut keys: Vec<i64> = entities
            .iter()
            .map(|(kind, id)| lock_key(entity_salt(*kind), *id))
            .filter(|key| !self.locked.contains(key))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return Ok(());
        }
        // One statement takes them all, in the array's (ascending) order.
        let s = self.statement("SELECT pg_advisory_xact_lock(k) FROM unnest($1::int8[]) AS k")?;
        self.tx.execute(&s, &[&keys])?;
        self.locked.extend(keys);
        // Read them all now: nobody else can change them until commit.
        let wanted: Vec<(EntityKind, Uuid)> =
            entities.iter().filter(|(kind, id)| !self.pending.contains(&(*kind, *id))).copied().collect();
        let kinds: Vec<&str> = wanted.iter().map(|(kind, _)| kind.as_str()).collect();
        let ids: Vec<Uuid> = wanted.iter().map(|(_, id)| *id).collect();
        let s = self.statement(
            "SELECT kind, id, park_id, version, change_no, doc, field_meta FROM entity
             WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))",
        )?;
        let rows = self.tx.query(&s, &[&kinds, &ids])?;
        for (kind, id) in &wanted {
            self.known.insert((*kind, *id), None);
        }
        for r in &rows {
            let kind = kind_of(r.get(0))?;
            self.known.insert((kind, r.get(1)), Some(entity_row(r, 2)?));
        }
        Ok(())
    }

    fn entity(&mut self, kind: EntityKind, id: Uuid) -> Result<Option<EntityRow>, ServerError> {
        if let Some(known) = self.known.get(&(kind, id)) {
            return Ok(known.clone());
        }
        let s = self
            .statement("SELECT park_id, version, change_no, doc, field_meta FROM entity WHERE kind = $1 AND id = $2")?;
        let row = self.tx.query_opt(&s, &[&kind.as_str(), &id])?.map(|r| entity_row(&r, 0)).transpose()?;
        self.known.insert((kind, id), row.clone());
        Ok(row)
    }

    fn count(&mut self, kind: EntityKind) -> Result<usize, ServerError> {
        self.flush()?;
        let s = self.statement("SELECT COUNT(*) FROM entity WHERE kind = $1")?;
        let n: i64 = self.tx.query_one(&s, &[&kind.as_str()])?.get(0);
        Ok(n as usize)
    }

    fn ids(&mut self, kind: EntityKind) -> Result<Vec<Uuid>, ServerError> {
        self.flush()?;
        let s = self.statement("SELECT id FROM entity WHERE kind = $1 ORDER BY id")?;
        Ok(self.tx.query(&s, &[&kind.as_str()])?.iter().map(|r| r.get(0)).collect())
    }

    fn put_entity(
        &mut self,
        kind: EntityKind,
        id: Uuid,
        row: &EntityRow,
        writer: DeviceId,
        written: &serde_json::Value,
    ) -> Result<(), ServerError> {
        // Normally taken already by lock_entities; a retry follows if not.
        self.lock(lock_key(entity_salt(kind), id))?;
        self.pending.retain(|pending| *pending != (kind, id));
        self.pending.push((kind, id));
        self.known.insert((kind, id), Some(row.clone()));
        self.blob_refs.extend(crate::blob::referenced(written).into_iter().map(|sha| (sha, row.park_id.0, writer.0)));
        Ok(())
    }

    fn add_blob_upload(&mut self, sha256: &str, device: DeviceId) -> Result<(), ServerError> {
        let s = self.statement("INSERT INTO blob_upload (sha256, device_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")?;
        self.tx.execute(&s, &[&sha256, &device.0])?;
        Ok(())
    }

    fn blob_visible(&mut self, sha256: &str, parks: &[ParkId], device: DeviceId) -> Result<bool, ServerError> {
        self.flush()?;
        let s = self.statement(
            "SELECT EXISTS (SELECT 1 FROM blob_upload WHERE sha256 = $1 AND device_id = $2)
                 OR EXISTS (SELECT 1 FROM blob_ref r
                            WHERE r.sha256 = $1 AND r.park_id = ANY($3::uuid[])
                              AND (r.device_id = $4 OR EXISTS (SELECT 1 FROM blob_upload u
                                   WHERE u.sha256 = r.sha256 AND u.device_id = r.device_id)))",
        )?;
        let parks = uuids(parks);
        Ok(self.tx.query_one(&s, &[&sha256, &device.0, &parks, &Uuid::nil()])?.get(0))
    }

    fn changes(&mut self, park: ParkId, after: i64, limit: usize) -> Result<Vec<Change>, ServerError> {
        self.flush()?;
        let s = self.statement(
            "SELECT change_no, kind, id, park_id, version, doc FROM entity
             WHERE park_id = $1 AND change_no > $2 ORDER BY change_no LIMIT $3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.tx
            .query(&s, &[&park.0, &after, &limit])?
            .iter()
            .map(|r| {
                Ok(Change {
                    change_no: r.get(0),
                    entity: kind_of(r.get(1))?,
                    entity_id: r.get(2),
                    park_id: ParkId(r.get(3)),
                    version: r.get(4),
                    doc: serde_json::from_str(r.get(5))?,
                })
            })
            .collect()
    }

    fn checkpoint(&mut self, device: DeviceId, park: ParkId) -> Result<Option<i64>, ServerError> {
        let s = self.statement("SELECT cursor FROM pull_checkpoint WHERE device_id = $1 AND park_id = $2")?;
        Ok(self.tx.query_opt(&s, &[&device.0, &park.0])?.map(|r| r.get(0)))
    }

    fn set_checkpoint(&mut self, device: DeviceId, park: ParkId, cursor: i64) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO pull_checkpoint (device_id, park_id, cursor) VALUES ($1, $2, $3)
             ON CONFLICT (device_id, park_id) DO UPDATE
                 SET cursor = GREATEST(pull_checkpoint.cursor, EXCLUDED.cursor)",
        )?;
        self.tx.execute(&s, &[&device.0, &park.0, &cursor])?;
        Ok(())
    }

    fn insert_user(&mut self, u: &UserRow, now: &str) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO app_user (id, name, role, password_hash, created_at, full_name) VALUES ($1, $2, $3, $4, $5, $6)",
        )?;
        self.tx.execute(&s, &[&u.id, &u.name, &u.role.as_str(), &u.password_hash, &now, &u.full_name])?;
        Ok(())
    }

    fn set_full_name(&mut self, user: Uuid, full_name: &str) -> Result<(), ServerError> {
        let s = self.statement("UPDATE app_user SET full_name = $2 WHERE id = $1")?;
        self.tx.execute(&s, &[&user, &full_name])?;
        Ok(())
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<UserRow>, ServerError> {
        let s = self.statement("SELECT id, name, role, password_hash, full_name FROM app_user WHERE name = $1")?;
        self.tx.query_opt(&s, &[&name])?.as_ref().map(user_of).transpose()
    }

    fn users(&mut self) -> Result<Vec<UserRow>, ServerError> {
        let s = self.statement("SELECT id, name, role, password_hash, full_name FROM app_user ORDER BY name")?;
        self.tx.query(&s, &[])?.iter().map(user_of).collect()
    }

    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, ServerError> {
        let s = self.statement("SELECT id, name, role, password_hash, full_name FROM app_user WHERE id = $1")?;
        self.tx.query_opt(&s, &[&id])?.as_ref().map(user_of).transpose()
    }

    fn set_assigned(&mut self, user: Uuid, park: ParkId, assigned: bool) -> Result<(), ServerError> {
        let s = if assigned {
            self.statement("INSERT INTO assignment (user_id, park_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")?
        } else {
            self.statement("DELETE FROM assignment WHERE user_id = $1 AND park_id = $2")?
        };
        self.tx.execute(&s, &[&user, &park.0])?;
        Ok(())
    }

    fn parks_of(&mut self, user: Uuid) -> Result<Vec<ParkId>, ServerError> {
        let s = self.statement("SELECT park_id FROM assignment WHERE user_id = $1 ORDER BY park_id")?;
        Ok(self.tx.query(&s, &[&user])?.iter().map(|r| ParkId(r.get(0))).collect())
    }

    fn register_device(&mut self, d: &DeviceRow) -> Result<DeviceRow, ServerError> {
        let s = self.statement(
            "INSERT INTO device (id, user_id, name, registered_at, public_key, approved_at, last_challenge)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        )?;
        self.tx.execute(
            &s,
            &[&d.id.0, &d.user_id, &d.name, &d.registered_at, &d.public_key, &d.approved_at, &d.last_challenge],
        )?;
        self.device(d.id)?.ok_or_else(|| ServerError::Damaged("a device just registered is missing".into()))
    }

    fn use_challenge(&mut self, device: DeviceId, challenge: Uuid, key: &str) -> Result<bool, ServerError> {
        let s = self.statement(
            "UPDATE device SET last_challenge = $2, public_key = COALESCE(public_key, $3)
             WHERE id = $1 AND (last_challenge IS NULL OR last_challenge < $2)
               AND (public_key IS NULL OR public_key = $3)",
        )?;
        Ok(self.tx.execute(&s, &[&device.0, &challenge, &key])? == 1)
    }

    fn update_device(&mut self, d: &DeviceRow) -> Result<(), ServerError> {
        let s =
            self.statement("UPDATE device SET public_key = $2, approved_at = $3, last_challenge = $4 WHERE id = $1")?;
        self.tx.execute(&s, &[&d.id.0, &d.public_key, &d.approved_at, &d.last_challenge])?;
        Ok(())
    }

    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRow>, ServerError> {
        let s = self.statement(concat!("SELECT ", device_columns!(), " FROM device WHERE id = $1"))?;
        Ok(self.tx.query_opt(&s, &[&id.0])?.map(|r| device_row(&r)))
    }

    fn devices(&mut self) -> Result<Vec<DeviceRow>, ServerError> {
        let s = self.statement(concat!("SELECT ", device_columns!(), " FROM device ORDER BY registered_at, id"))?;
        Ok(self.tx.query(&s, &[])?.iter().map(device_row).collect())
    }

    fn revoke_device(&mut self, id: DeviceId, now: &str) -> Result<(), ServerError> {
        let id = id.0;
        let s = self.statement("UPDATE device SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")?;
        self.tx.execute(&s, &[&id, &now])?;
        let s = self.statement("DELETE FROM session_token WHERE device_id = $1")?;
        self.tx.execute(&s, &[&id])?;
        Ok(())
    }

    fn login_failure(&mut self, subject: &str) -> Result<Option<LoginFailure>, ServerError> {
        let s = self.statement("SELECT failures, last_at, locked_until FROM login_failure WHERE subject = $1")?;
        Ok(self.tx.query_opt(&s, &[&subject])?.map(|r| LoginFailure {
            failures: r.get(0),
            last_at: r.get(1),
            locked_until: r.get(2),
        }))
    }

    fn set_login_failure(&mut self, subject: &str, failure: Option<&LoginFailure>) -> Result<(), ServerError> {
        match failure {
            None => {
                let s = self.statement("DELETE FROM login_failure WHERE subject = $1")?;
                self.tx.execute(&s, &[&subject])?;
            }
            Some(f) => {
                let s = self.statement(
                    "INSERT INTO login_failure (subject, failures, last_at, locked_until) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (subject) DO UPDATE SET failures = EXCLUDED.failures,
                         last_at = EXCLUDED.last_at, locked_until = EXCLUDED.locked_until",
                )?;
                self.tx.execute(&s, &[&subject, &f.failures, &f.last_at, &f.locked_until])?;
            }
        }
        Ok(())
    }

    fn last_audit(&mut self) -> Result<Option<(i64, String)>, ServerError> {
        let s = self.statement("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?;
        Ok(self.tx.query_opt(&s, &[])?.map(|r| (r.get(0), r.get(1))))
    }

    fn insert_audit(&mut self, a: &crate::audit::Row) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO audit_log (seq, at, actor, device_id, source, event, outcome, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )?;
        self.tx.execute(
            &s,
            &[
                &a.seq,
                &a.at,
                &a.actor,
                &a.device_id.map(|d| d.0),
                &a.source,
                &a.event,
                &a.outcome,
                &a.detail,
                &a.prev_hash,
                &a.hash,
            ],
        )?;
        Ok(())
    }

    fn audit_rows(&mut self, after: i64, limit: i64) -> Result<Vec<crate::audit::Row>, ServerError> {
        let s = self.statement(
            "SELECT seq, at, actor, device_id, source, event, outcome, detail, prev_hash, hash FROM audit_log
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )?;
        Ok(self
            .tx
            .query(&s, &[&after, &limit])?
            .iter()
            .map(|r| crate::audit::Row {
                seq: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                device_id: r.get::<_, Option<Uuid>>(3).map(DeviceId),
                source: r.get(4),
                event: r.get(5),
                outcome: r.get(6),
                detail: r.get(7),
                prev_hash: r.get(8),
                hash: r.get(9),
            })
            .collect())
    }

    fn insert_token(&mut self, t: &TokenRow) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO session_token (hash, kind, user_id, device_id, family, expires_at, used)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )?;
        let kind = if t.refresh { "refresh" } else { "access" };
        self.tx.execute(&s, &[&t.hash, &kind, &t.user_id, &t.device_id.0, &t.family, &t.expires_at, &t.used])?;
        Ok(())
    }

    fn token(&mut self, hash: &str) -> Result<Option<TokenRow>, ServerError> {
        let s = self.statement(
            "SELECT hash, kind, user_id, device_id, family, expires_at, used FROM session_token WHERE hash = $1",
        )?;
        Ok(self.tx.query_opt(&s, &[&hash])?.map(|r| TokenRow {
            hash: r.get(0),
            refresh: r.get::<_, &str>(1) == "refresh",
            user_id: r.get(2),
            device_id: DeviceId(r.get(3)),
            family: r.get(4),
            expires_at: r.get(5),
            used: r.get(6),
        }))
    }

    fn mark_token_used(&mut self, hash: &str) -> Result<(), ServerError> {
        let s = self.statement("UPDATE session_token SET used = TRUE WHERE hash = $1")?;
        self.tx.execute(&s, &[&hash])?;
        Ok(())
    }

    fn revoke_family(&mut self, family: Uuid) -> Result<(), ServerError> {
        let s = self.statement("DELETE FROM session_token WHERE family = $1")?;
        self.tx.execute(&s, &[&family])?;
        Ok(())
    }

    fn insert_conflict(&mut self, c: &ConflictRecord) -> Result<(), ServerError> {
        let s = self.statement(
            "INSERT INTO conflict (id, kind, entity_id, park_id, field, server_value, device_value, device_id,
                                   mutation_id, held, resolution)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )?;
        let server_value = serde_json::to_string(&c.server_value)?;
        let device_value = serde_json::to_string(&c.device_value)?;
        let resolution = c.resolution.as_ref().map(serde_json::to_string).transpose()?;
        self.tx.execute(
            &s,
            &[
                &c.conflict_id,
                &c.entity.as_str(),
                &c.entity_id,
                &c.park_id.0,
                &c.field,
                &server_value,
                &device_value,
                &c.device_id.0,
                &c.mutation_id,
                &c.held,
                &resolution,
            ],
        )?;
        Ok(())
    }

    fn conflict(&mut self, id: Uuid) -> Result<Option<ConflictRecord>, ServerError> {
        let s = self.statement(
            "SELECT id, kind, entity_id, park_id, field, server_value, device_value, device_id,
                    mutation_id, held, resolution FROM conflict WHERE id = $1",
        )?;
        self.tx.query_opt(&s, &[&id])?.as_ref().map(conflict_of).transpose()
    }

    fn set_resolution(&mut self, id: Uuid, value: &serde_json::Value) -> Result<(), ServerError> {
        let s = self.statement("UPDATE conflict SET resolution = $2 WHERE id = $1")?;
        self.tx.execute(&s, &[&id, &serde_json::to_string(value)?])?;
        Ok(())
    }

    fn conflicts(&mut self, parks: &[ParkId]) -> Result<Vec<ConflictRecord>, ServerError> {
        let s = self.statement(
            "SELECT id, kind, entity_id, park_id, field, server_value, device_value, device_id,
                    mutation_id, held, resolution FROM conflict WHERE park_id = ANY($1) ORDER BY id",
        )?;
        let parks = uuids(parks);
        self.tx.query(&s, &[&parks])?.iter().map(conflict_of).collect()
    }

    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, ServerError> {
        let s = self.statement(
            "SELECT kind, key, version, title, sha256, published_at FROM reference_doc ORDER BY kind, key, version",
        )?;
        Ok(self.tx.query(&s, &[])?.iter().map(reference_entry).collect())
    }

    fn reference_doc(&mut self, kind: &str, key: &str, version: i64) -> Result<Option<ReferenceDoc>, ServerError> {
        let s = self.statement(
            "SELECT kind, key, version, title, sha256, published_at, doc FROM reference_doc
             WHERE kind = $1 AND key = $2 AND version = $3",
        )?;
        self.tx
            .query_opt(&s, &[&kind, &key, &version])?
            .map(|r| Ok(ReferenceDoc { entry: reference_entry(&r), doc: serde_json::from_str(r.get(6))? }))
            .transpose()
    }

    fn publish_reference(&mut self, e: &ReferenceEntry, doc: &str) -> Result<i64, ServerError> {
        // Two publishers of one key pick the same version; the primary key
        // refuses the second, and its transaction is tried again.
        let s = self.statement(
            "INSERT INTO reference_doc (kind, key, version, title, doc, sha256, published_at)
             SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6 FROM reference_doc
             WHERE kind = $1 AND key = $2
             RETURNING version",
        )?;
        Ok(self.tx.query_one(&s, &[&e.kind, &e.key, &e.title, &doc, &e.sha256, &e.published_at])?.get(0))
    }

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, ServerError> {
        let s = self.statement("SELECT series, prefix, title FROM number_series ORDER BY series")?;
        Ok(self
            .tx
            .query(&s, &[])?
            .iter()
            .map(|r| NumberSeries { series: r.get(0), prefix: r.get(1), title: r.get(2) })
            .collect())
    }

    fn add_series(&mut self, series: &NumberSeries, now: &str) -> Result<(), ServerError> {
        let s =
            self.statement("INSERT INTO number_series (series, prefix, title, created_at) VALUES ($1, $2, $3, $4)")?;
        self.tx.execute(&s, &[&series.series, &series.prefix, &series.title, &now])?;
        Ok(())
    }

    fn block_by_request(&mut self, request_id: Uuid) -> Result<Option<(NumberBlock, DeviceId)>, ServerError> {
        let s = self.statement(
            "SELECT b.block_id, b.series, s.prefix, b.year, b.first, b.last, b.device_id
             FROM number_block b JOIN number_series s USING (series) WHERE b.request_id = $1",
        )?;
        Ok(self.tx.query_opt(&s, &[&request_id])?.as_ref().map(block_of))
    }

    fn lease_block(&mut self, b: &NewBlock) -> Result<NumberBlock, ServerError> {
        let ensure =
            self.statement("INSERT INTO number_next (series, year, next) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING")?;
        self.tx.execute(&ensure, &[&b.series, &b.year])?;
        // The row lock taken by UPDATE makes concurrent leases of one series wait in turn.
        let take = self.statement(
            "UPDATE number_next n SET next = n.next + $3 FROM number_series s
             WHERE n.series = $1 AND n.year = $2 AND s.series = n.series
             RETURNING n.next - $3, s.prefix",
        )?;
        let row = self.tx.query_one(&take, &[&b.series, &b.year, &b.size])?;
        let (first, prefix): (i64, String) = (row.get(0), row.get(1));
        let last = first + b.size - 1;
        let insert = self.statement(
            "INSERT INTO number_block (block_id, request_id, series, year, first, last, device_id, user_id, leased_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )?;
        self.tx.execute(
            &insert,
            &[&b.block_id, &b.request_id, &b.series, &b.year, &first, &last, &b.device_id.0, &b.user_id, &b.leased_at],
        )?;
        Ok(NumberBlock { block_id: b.block_id, series: b.series.clone(), prefix, year: b.year, first, last })
    }

    fn number_blocks(&mut self, series: &str) -> Result<Vec<(NumberBlock, DeviceId)>, ServerError> {
        let s = self.statement(
            "SELECT b.block_id, b.series, s.prefix, b.year, b.first, b.last, b.device_id
             FROM number_block b JOIN number_series s USING (series) WHERE b.series = $1 ORDER BY b.year, b.first",
        )?;
        Ok(self.tx.query(&s, &[&series])?.iter().map(block_of).collect())
    }

    fn open_conflicts(&mut self, parks: &[ParkId]) -> Result<i64, ServerError> {
        let s =
            self.statement("SELECT COUNT(*) FROM conflict WHERE park_id = ANY($1) AND held AND resolution IS NULL")?;
        let parks = uuids(parks);
        Ok(self.tx.query_one(&s, &[&parks])?.get(0))
    }

    fn overwritten(&mut self, parks: &[ParkId]) -> Result<i64, ServerError> {
        let s = self.statement("SELECT COUNT(*) FROM conflict WHERE park_id = ANY($1) AND NOT held")?;
        let parks = uuids(parks);
        Ok(self.tx.query_one(&s, &[&parks])?.get(0))
    }
}
