//! Natural keys of enterprise files: the credit code (unique everywhere)
//! and the name within a park. Two laptops that create the same new
//! enterprise offline make two ids for one enterprise; the server keeps the
//! first file and folds the second into it, remembering the second id as
//! an alias, so the park never holds twins and later edits of the second
//! id reach the file that stayed.
//!
//! The keys live in the backend's meta table (`key:…` → id, `alias:…` →
//! id), so both backends keep them without tables of their own; writers
//! lock a key before reading it (see [`lock_targets`]).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::ParkId;
use xuncha_sync::{EntityKind, Mutation};

use crate::backend::{EntityRow, Tx};
use crate::ServerError;

fn code_of(doc: &Map<String, Value>) -> Option<String> {
    doc.get("credit_code").and_then(Value::as_str).map(xuncha_domain::ident::normalize_code).filter(|c| !c.is_empty())
}

fn name_of(doc: &Map<String, Value>) -> Option<String> {
    doc.get("name").and_then(Value::as_str).map(xuncha_domain::ident::normalize).filter(|n| !n.is_empty())
}

fn code_key(code: &str) -> String {
    format!("key:enterprise:credit_code:{code}")
}

fn name_key(park: ParkId, name: &str) -> String {
    format!("key:enterprise:name:{park}:{name}")
}

fn alias_key(id: Uuid) -> String {
    format!("alias:enterprise:{id}")
}

/// A lock id for a key: no entity has it, so locking it only orders the
/// writers of that key.
fn lock_id(key: &str) -> Uuid {
    let hash = Sha256::digest(key.as_bytes());
    Uuid::from_slice(&hash[..16]).expect("16 bytes")
}

/// The keys a mutation may claim, to lock with its entities.
pub fn lock_targets(m: &Mutation) -> Vec<(EntityKind, Uuid)> {
    if m.entity != EntityKind::Enterprise {
        return Vec::new();
    }
    let Some(fields) = m.payload.get("fields").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(code) = code_of(fields) {
        out.push((EntityKind::Enterprise, lock_id(&code_key(&code))));
    }
    if let Some(name) = name_of(fields) {
        out.push((EntityKind::Enterprise, lock_id(&format!("lock:name:{name}"))));
    }
    out
}

/// Reads at once every key the mutations may look up (their aliases and
/// the keys they claim), after their locks are taken.
pub fn read_ahead<'m>(tx: &mut dyn Tx, mutations: impl IntoIterator<Item = &'m Mutation>) -> Result<(), ServerError> {
    let mut keys = Vec::new();
    for m in mutations.into_iter().filter(|m| m.entity == EntityKind::Enterprise) {
        keys.push(alias_key(m.entity_id));
        let Some(fields) = m.payload.get("fields").and_then(Value::as_object) else { continue };
        keys.extend(code_of(fields).map(|c| code_key(&c)));
        let Some(name) = name_of(fields) else { continue };
        let park = match fields.get("park_id").and_then(Value::as_str).and_then(|p| p.parse().ok()) {
            Some(park) => Some(park),
            None => tx.entity(m.entity, m.entity_id)?.map(|row| row.park_id),
        };
        keys.extend(park.map(|p| name_key(p, &name)));
    }
    tx.read_meta(&keys)
}

fn id_at(tx: &mut dyn Tx, key: &str) -> Result<Option<Uuid>, ServerError> {
    Ok(tx.meta(key)?.and_then(|v| Uuid::parse_str(&v).ok()))
}

/// The file an id was folded into, if it was.
pub fn alias(tx: &mut dyn Tx, kind: EntityKind, id: Uuid) -> Result<Option<Uuid>, ServerError> {
    if kind != EntityKind::Enterprise {
        return Ok(None);
    }
    id_at(tx, &alias_key(id))
}

/// The file an id now names, following folds of folded files.
pub fn resolve(tx: &mut dyn Tx, kind: EntityKind, id: Uuid) -> Result<Option<Uuid>, ServerError> {
    let mut at = alias(tx, kind, id)?;
    // A fold points at a live file; a chain only forms through files folded
    // later, and is short.
    for _ in 0..16 {
        match at {
            Some(next) => match alias(tx, kind, next)? {
                Some(further) => at = Some(further),
                None => return Ok(Some(next)),
            },
            None => return Ok(None),
        }
    }
    Err(ServerError::Damaged(format!("alias chain of {id} does not end")))
}

pub fn set_alias(tx: &mut dyn Tx, kind: EntityKind, from: Uuid, into: Uuid) -> Result<(), ServerError> {
    if kind == EntityKind::Enterprise {
        tx.set_meta(&alias_key(from), &into.to_string())?;
    }
    Ok(())
}

/// The live file (other than `id`) that already holds the credit code, or
/// else the name in `park`, that `doc` names.
pub fn holder(
    tx: &mut dyn Tx,
    kind: EntityKind,
    park: ParkId,
    doc: &Map<String, Value>,
    id: Uuid,
) -> Result<Option<(Uuid, EntityRow)>, ServerError> {
    if kind != EntityKind::Enterprise {
        return Ok(None);
    }
    let code = code_of(doc);
    let name = name_of(doc);
    let keys = [code.as_deref().map(code_key), name.as_deref().map(|n| name_key(park, n))];
    for key in keys.into_iter().flatten() {
        let Some(other) = id_at(tx, &key)?.filter(|o| *o != id) else { continue };
        let Some(row) = tx.entity(kind, other)? else { continue };
        // The index is checked against the file, in case it is stale.
        let still = (code.is_some() && code_of(&row.doc) == code)
            || (name.is_some() && row.park_id == park && name_of(&row.doc) == name);
        if still {
            return Ok(Some((other, row)));
        }
    }
    Ok(None)
}

/// The other file of the park that already holds a credit code or name
/// the edit from `before` to `after` gives the file `id`.
pub fn holder_of_new(
    tx: &mut dyn Tx,
    kind: EntityKind,
    id: Uuid,
    park: ParkId,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Result<Option<(Uuid, EntityRow)>, ServerError> {
    if kind != EntityKind::Enterprise {
        return Ok(None);
    }
    let mut claimed = Map::new();
    if code_of(before) != code_of(after) {
        claimed.insert("credit_code".into(), after.get("credit_code").cloned().unwrap_or(Value::Null));
    }
    if name_of(before) != name_of(after) {
        claimed.insert("name".into(), after.get("name").cloned().unwrap_or(Value::Null));
    }
    if claimed.is_empty() {
        return Ok(None);
    }
    Ok(holder(tx, kind, park, &claimed, id)?.filter(|(_, row)| row.park_id == park))
}

/// Why an edit may not give the file `id` the credit code or name it
/// gives it: another file holds it already.
pub fn clash(
    tx: &mut dyn Tx,
    kind: EntityKind,
    id: Uuid,
    park: ParkId,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Result<Option<String>, ServerError> {
    if kind != EntityKind::Enterprise || (code_of(before) == code_of(after) && name_of(before) == name_of(after)) {
        return Ok(None);
    }
    let mut claimed = Map::new();
    if code_of(before) != code_of(after) {
        claimed.insert("credit_code".into(), after.get("credit_code").cloned().unwrap_or(Value::Null));
    }
    if name_of(before) != name_of(after) {
        claimed.insert("name".into(), after.get("name").cloned().unwrap_or(Value::Null));
    }
    Ok(holder(tx, kind, park, &claimed, id)?.map(|(_, row)| {
        let name = row.doc.get("name").and_then(Value::as_str).unwrap_or_default();
        format!("另一份企业档案“{name}”已使用该统一社会信用代码或名称；两份档案需由主管在服务器上合并")
    }))
}

/// Records the keys of a written file, releasing those it no longer has.
pub fn index(
    tx: &mut dyn Tx,
    kind: EntityKind,
    id: Uuid,
    park: ParkId,
    before: Option<&Map<String, Value>>,
    after: &Map<String, Value>,
) -> Result<(), ServerError> {
    if kind != EntityKind::Enterprise {
        return Ok(());
    }
    let keys = |doc: &Map<String, Value>| {
        [code_of(doc).map(|c| code_key(&c)), name_of(doc).map(|n| name_key(park, &n))].into_iter().flatten()
    };
    let now: Vec<String> = keys(after).collect();
    for old in before.into_iter().flat_map(keys) {
        if !now.contains(&old) && id_at(tx, &old)? == Some(id) {
            tx.set_meta(&old, "")?;
        }
    }
    for key in now {
        if id_at(tx, &key)?.is_none() {
            tx.set_meta(&key, &id.to_string())?;
        }
    }
    Ok(())
}

/// Builds the keys of every enterprise file once (a database from before
/// natural keys were kept).
pub fn backfill(tx: &mut dyn Tx) -> Result<(), ServerError> {
    if tx.meta("natural_keys")?.is_some() {
        return Ok(());
    }
    for id in tx.ids(EntityKind::Enterprise)? {
        if let Some(row) = tx.entity(EntityKind::Enterprise, id)? {
            index(tx, EntityKind::Enterprise, id, row.park_id, None, &row.doc)?;
        }
    }
    tx.set_meta("natural_keys", "1")
}
