//! Storage behind one trait, so the sync rules in [`crate::bureau`] are
//! written once and run unchanged on SQLite and PostgreSQL.
//!
//! A backend hands out transactions; every method of [`Tx`] runs inside
//! one. The backend numbers each entity write ([`Tx::put_entity`]) under a
//! lock held to commit (SQLite's write lock; in PostgreSQL a counter row
//! locked only while the transaction's writes are numbered and committed),
//! so a reader of "changes after N" can never skip a change that commits
//! late: committed change numbers always form an unbroken prefix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};
use xuncha_sync::{
    Change, ConflictRecord, EntityKind, Mutation, MutationResult, NumberBlock, NumberSeries, ReferenceDoc,
    ReferenceEntry,
};

use crate::{Role, ServerError};

/// Who last changed a field or an element of a collection (keyed by its
/// path, see `xuncha_sync::element`), and at which entity version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMeta {
    #[serde(rename = "v")]
    pub version: i64,
    #[serde(rename = "d")]
    pub device_id: DeviceId,
    /// The version at which an element first appeared: a laptop whose edit
    /// started from an older version never saw it, so its absence there is
    /// no removal. `None` for fields, and for elements stored before
    /// elements had their own metadata (read as present from the start).
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// The element was removed at `version`: a laptop that still has it
    /// and never saw the removal does not bring it back.
    #[serde(rename = "x", default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

impl FieldMeta {
    /// A field or element written at `version` by `device`.
    pub fn written(version: i64, device_id: DeviceId) -> FieldMeta {
        FieldMeta { version, device_id, since: None, removed: false }
    }
}

/// An entity's current state on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub park_id: ParkId,
    pub version: i64,
    pub change_no: i64,
    pub doc: Map<String, Value>,
    pub field_meta: BTreeMap<String, FieldMeta>,
}

/// A handled mutation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMutation {
    pub mutation_id: Uuid,
    pub payload_hash: String,
    pub result: MutationResult,
}

/// A user account.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    /// The name records and papers carry; empty until set.
    pub full_name: String,
}

/// A block of numbers to hand out, before the backend numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBlock {
    pub block_id: Uuid,
    pub request_id: Uuid,
    pub series: String,
    pub year: i32,
    pub size: i64,
    pub device_id: DeviceId,
    pub user_id: Uuid,
    pub leased_at: String,
}

/// A laptop (a laptop store) and the user it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub user_id: Uuid,
    pub name: String,
    pub registered_at: String,
    pub revoked_at: Option<String>,
    /// The public half of the laptop's key pair (64 hex digits); none for
    /// a device from before keys, until its next login.
    pub public_key: Option<String>,
    /// When the device was approved: a user's first device at its first
    /// login, a later one by an administrator.
    pub approved_at: Option<String>,
    /// The last login challenge the device used (a UUIDv7, so later ones
    /// sort higher).
    pub last_challenge: Option<Uuid>,
}

/// The columns of a device row, in the order both backends read them.
macro_rules! device_columns {
    () => {
        "id, user_id, name, registered_at, revoked_at, public_key, approved_at, last_challenge"
    };
}
pub(crate) use device_columns;

/// Where a device stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    /// A user's later device, not yet approved by an administrator.
    Pending,
    Active,
    Revoked,
}

impl DeviceRow {
    pub fn state(&self) -> DeviceState {
        match (&self.revoked_at, &self.approved_at) {
            (Some(_), _) => DeviceState::Revoked,
            (None, None) => DeviceState::Pending,
            (None, Some(_)) => DeviceState::Active,
        }
    }
}

/// Consecutive failed sign-ins of one subject; times in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailure {
    pub failures: i64,
    pub last_at: i64,
    pub locked_until: i64,
}

/// A stored session token (only its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub hash: String,
    pub refresh: bool,
    pub user_id: Uuid,
    pub device_id: DeviceId,
    pub family: Uuid,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
    pub used: bool,
}

pub trait Tx {
    fn meta(&mut self, key: &str) -> Result<Option<String>, ServerError>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), ServerError>;
    /// Reads these keys at once, so that later reads of them need no trip
    /// to the database (a backend that has no trips to save does nothing).
    fn read_meta(&mut self, _keys: &[String]) -> Result<(), ServerError> {
        Ok(())
    }
    /// The highest change number committed.
    fn head(&mut self) -> Result<i64, ServerError>;

    /// The highest number held for a device and its result chain (0 and
    /// empty for a device never seen).
    fn device_log(&mut self, device: DeviceId) -> Result<(i64, String), ServerError>;
    fn set_device_log(&mut self, device: DeviceId, seq: i64, digest: &str) -> Result<(), ServerError>;
    fn mutation(&mut self, device: DeviceId, seq: i64) -> Result<Option<StoredMutation>, ServerError>;
    fn insert_mutation(
        &mut self,
        device: DeviceId,
        user: Uuid,
        m: &Mutation,
        result: &MutationResult,
    ) -> Result<(), ServerError>;

    /// Locks these entities against concurrent writers until the
    /// transaction ends. A writer locks everything it may write up front,
    /// in one call, so that two transactions never wait on each other in a
    /// cycle; reading an entity does not lock it.
    fn lock_entities(&mut self, entities: &[(EntityKind, Uuid)]) -> Result<(), ServerError>;
    fn entity(&mut self, kind: EntityKind, id: Uuid) -> Result<Option<EntityRow>, ServerError>;
    fn count(&mut self, kind: EntityKind) -> Result<usize, ServerError>;
    /// The ids of every entity of a kind.
    fn ids(&mut self, kind: EntityKind) -> Result<Vec<Uuid>, ServerError>;
    /// Writes an entity's new state under a new change number (the
    /// `change_no` of `row` is ignored). Reading the entity later in the same
    /// transaction sees the write. The files `written` names (what this
    /// write supplied, never the rest of the document: see
    /// [`crate::blob::referenced`]) are noted for the entity's park as
    /// written by `writer` (nil: the server itself).
    fn put_entity(
        &mut self,
        kind: EntityKind,
        id: Uuid,
        row: &EntityRow,
        writer: DeviceId,
        written: &serde_json::Value,
    ) -> Result<(), ServerError>;
    /// Notes that `device` sent every byte of a file.
    fn add_blob_upload(&mut self, sha256: &str, device: DeviceId) -> Result<(), ServerError>;
    /// Whether a user of `parks` on `device` may see a file: the device
    /// uploaded it, or a record of one of the parks names it and the
    /// device that wrote that record uploaded it (or the server wrote it).
    fn blob_visible(&mut self, sha256: &str, parks: &[ParkId], device: DeviceId) -> Result<bool, ServerError>;
    /// Entities of a park changed after `after`, by change number, at most `limit`.
    fn changes(&mut self, park: ParkId, after: i64, limit: usize) -> Result<Vec<Change>, ServerError>;

    fn checkpoint(&mut self, device: DeviceId, park: ParkId) -> Result<Option<i64>, ServerError>;
    fn set_checkpoint(&mut self, device: DeviceId, park: ParkId, cursor: i64) -> Result<(), ServerError>;

    fn insert_user(&mut self, user: &UserRow, now: &str) -> Result<(), ServerError>;
    fn user_by_name(&mut self, name: &str) -> Result<Option<UserRow>, ServerError>;
    fn set_full_name(&mut self, user: Uuid, full_name: &str) -> Result<(), ServerError>;
    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, ServerError>;
    /// Every user, by name.
    fn users(&mut self) -> Result<Vec<UserRow>, ServerError>;
    fn set_assigned(&mut self, user: Uuid, park: ParkId, assigned: bool) -> Result<(), ServerError>;
    fn parks_of(&mut self, user: Uuid) -> Result<Vec<ParkId>, ServerError>;
    /// Registers a device unless its id is taken; returns the device as
    /// stored (the one first registered under that id).
    fn register_device(&mut self, device: &DeviceRow) -> Result<DeviceRow, ServerError>;
    /// Stores a device's key, approval and last challenge.
    fn update_device(&mut self, device: &DeviceRow) -> Result<(), ServerError>;
    /// Spends a login challenge of a device signed with `key`, recording
    /// the key if the device has none: false (and nothing written) when
    /// the device used this or a later challenge, or holds another key.
    /// One conditional write, so two logins racing with one challenge
    /// cannot both pass.
    fn use_challenge(&mut self, device: DeviceId, challenge: Uuid, key: &str) -> Result<bool, ServerError>;
    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRow>, ServerError>;
    /// Every registered device, by registration time.
    fn devices(&mut self) -> Result<Vec<DeviceRow>, ServerError>;
    /// Marks a device revoked and deletes every token it holds.
    fn revoke_device(&mut self, id: DeviceId, now: &str) -> Result<(), ServerError>;
    /// Failed sign-ins counted against a subject (`user:…`, `addr:…`).
    fn login_failure(&mut self, subject: &str) -> Result<Option<LoginFailure>, ServerError>;
    /// Records a subject's failures; `None` clears them.
    fn set_login_failure(&mut self, subject: &str, failure: Option<&LoginFailure>) -> Result<(), ServerError>;
    /// The number and hash of the newest audit row.
    fn last_audit(&mut self) -> Result<Option<(i64, String)>, ServerError>;
    fn insert_audit(&mut self, row: &crate::audit::Row) -> Result<(), ServerError>;
    /// Audit rows after `after`, by number, at most `limit`.
    fn audit_rows(&mut self, after: i64, limit: i64) -> Result<Vec<crate::audit::Row>, ServerError>;
    fn insert_token(&mut self, t: &TokenRow) -> Result<(), ServerError>;
    fn token(&mut self, hash: &str) -> Result<Option<TokenRow>, ServerError>;
    fn mark_token_used(&mut self, hash: &str) -> Result<(), ServerError>;
    fn revoke_family(&mut self, family: Uuid) -> Result<(), ServerError>;

    fn insert_conflict(&mut self, c: &ConflictRecord) -> Result<(), ServerError>;
    fn conflict(&mut self, id: Uuid) -> Result<Option<ConflictRecord>, ServerError>;
    fn set_resolution(&mut self, id: Uuid, value: &Value) -> Result<(), ServerError>;
    /// Conflicts in these parks, oldest first.
    fn conflicts(&mut self, parks: &[ParkId]) -> Result<Vec<ConflictRecord>, ServerError>;
    /// How many held conflicts in these parks wait for a decision.
    fn open_conflicts(&mut self, parks: &[ParkId]) -> Result<i64, ServerError>;
    /// How many values in these parks a later edit replaced (conflicts not
    /// held, kept for the record).
    fn overwritten(&mut self, parks: &[ParkId]) -> Result<i64, ServerError>;

    /// Every published reference version, ordered by kind, key, version.
    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, ServerError>;
    fn reference_doc(&mut self, kind: &str, key: &str, version: i64) -> Result<Option<ReferenceDoc>, ServerError>;
    /// Stores `entry`'s document as the next version of its kind and key
    /// (`entry.version` is ignored); returns that version.
    fn publish_reference(&mut self, entry: &ReferenceEntry, doc: &str) -> Result<i64, ServerError>;

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, ServerError>;
    fn add_series(&mut self, series: &NumberSeries, now: &str) -> Result<(), ServerError>;
    /// The block given for a lease request, and the device it went to.
    fn block_by_request(&mut self, request_id: Uuid) -> Result<Option<(NumberBlock, DeviceId)>, ServerError>;
    /// Takes the next `size` numbers of the series and year for a device.
    fn lease_block(&mut self, block: &NewBlock) -> Result<NumberBlock, ServerError>;
    /// Every block of a series, with the device it went to (nil for numbers
    /// skipped by an administrator), by year and first number.
    fn number_blocks(&mut self, series: &str) -> Result<Vec<(NumberBlock, DeviceId)>, ServerError>;
}

pub trait Backend: Send + Sync {
    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled
    /// back otherwise. A backend with concurrent writers may run `f` again
    /// after a deadlock or serialisation failure, so `f` must not act
    /// outside the transaction.
    fn transaction<T>(&self, f: impl FnMut(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, ServerError>;
}

/// The backend chosen when the server starts: the embedded SQLite file, or
/// a PostgreSQL database shared by several server instances.
pub enum Database {
    Sqlite(crate::sqlite::Sqlite),
    Postgres(Box<crate::postgres::Postgres>),
}

impl Backend for Database {
    fn transaction<T>(&self, f: impl FnMut(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, ServerError> {
        match self {
            Database::Sqlite(db) => db.transaction(f),
            Database::Postgres(db) => db.transaction(f),
        }
    }
}
