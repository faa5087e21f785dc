//! The sync outbox: one entry per user change, written in the same
//! transaction as the change (sync-design.md, "Client").
//!
//! Sequence numbers are dense per device (1, 2, 3 ...) and computed inside
//! the writing transaction, which holds SQLite's write lock, so two writers
//! can never take the same number and a rolled-back change leaves no hole.

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::StoreError;
use crate::id::*;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub mutation_id: Uuid,
    pub device_id: DeviceId,
    pub entity: String,
    pub entity_id: Uuid,
    pub base_version: i64,
    pub payload: Value,
    pub payload_hash: String,
    pub created_at: String,
    pub state: String,
}

/// What a change is about, for [`append`].
pub(crate) struct Mutation<'a> {
    pub mutation_id: Uuid,
    pub device_id: DeviceId,
    pub entity: &'a str,
    pub entity_id: Uuid,
    pub base_version: i64,
    pub payload: &'a Value,
    pub created_at: &'a str,
}

/// Appends an entry and returns its sequence number.
pub(crate) fn append(tx: &Transaction<'_>, m: &Mutation<'_>) -> Result<i64, StoreError> {
    let payload = serde_json::to_string(m.payload)?;
    let hash = xuncha_sync::payload_hash(m.payload);
    let seq: i64 = tx.prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox")?.query_row([], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO outbox (seq, mutation_id, device_id, entity, entity_id, base_version,
                             payload, payload_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        m.mutation_id.to_string(),
        m.device_id.to_string(),
        m.entity,
        m.entity_id.to_string(),
        m.base_version,
        payload,
        hash,
        m.created_at
    ])?;
    Ok(seq)
}

/// Queues the creation of an insert-only record for the bureau.
pub(crate) fn queue(
    tx: &rusqlite::Transaction<'_>,
    (mutation_id, device_id): (Uuid, DeviceId),
    entity: &'static str,
    id: impl Into<Uuid>,
    record: &serde_json::Value,
    stamp: &str,
) -> Result<(), StoreError> {
    let payload = serde_json::json!({ "op": "create", "fields": record });
    append(
        tx,
        &Mutation {
            mutation_id,
            device_id,
            entity,
            entity_id: id.into(),
            base_version: 0,
            payload: &payload,
            created_at: stamp,
        },
    )?;
    Ok(())
}
