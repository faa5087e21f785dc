//! The sync rules of `docs/sync-protocol.md`, written once over any
//! [`Backend`].
//!
//! A push is one transaction: every mutation in it is handled in device
//! order and its result stored with it, so a replay (a lost reply, a
//! duplicated packet, a laptop that crashed before recording the answer)
//! returns exactly the stored result and changes nothing.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::rectification::{step, CaseEvent, CaseState, Verdict};
use xuncha_domain::Env;
use xuncha_domain::{CaseId, DeviceId, InspectionId, ParkId};
use xuncha_sync::{
    chain_results, payload_hash, ConflictRecord, EntityKind, FieldConflict, Hello, Mutation, MutationResult, Outcome,
    PullPage, PullRequest, PushRequest, PushResponse, PushStop, Resolve, MAX_PAGE, MAX_PUSH, PROTOCOL,
};

use crate::access::{self, Action};
use crate::audit;
use crate::backend::{Backend, EntityRow, FieldMeta, Tx};
use crate::blob::{BlobState, Blobs, Chunk, Sight};
use crate::{judge, merge, natural, Principal, Role, ServerError};

pub struct Bureau<B> {
    backend: B,
    blobs: Box<dyn Blobs>,
    env: Mutex<Env>,
    /// Signs receipts; made with the database and kept in it.
    receipt_key: Vec<u8>,
}

impl<B: Backend> Bureau<B> {
    /// Wraps a backend and a blob store, giving a new database its epoch.
    pub fn new(backend: B, blobs: impl Blobs + 'static, mut env: Env) -> Result<Self, ServerError> {
        let epoch: Uuid = env.new_id();
        let mut key = [0u8; 32];
        env.rng.fill_bytes(&mut key);
        let receipt_key = backend.transaction(|tx| {
            if tx.meta("epoch")?.is_none() {
                tx.set_meta("epoch", &epoch.to_string())?;
                tx.set_meta("receipt_key", &hex::encode(key))?;
            }
            crate::natural::backfill(tx)?;
            let stored = tx.meta("receipt_key")?.ok_or_else(|| ServerError::Damaged("no receipt key".into()))?;
            hex::decode(&stored).map_err(|_| ServerError::Damaged("receipt key".into()))
        })?;
        Ok(Bureau { backend, blobs: Box::new(blobs), env: Mutex::new(env), receipt_key })
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Gives the server a new epoch, the last step after restoring it from
    /// a backup. Every laptop then takes it for a server it has not met:
    /// it sends again all it ever sent (what the server still holds is
    /// answered as before, what it lost is taken anew) and asks again about
    /// every file, so a file whose holder the backup does not know is
    /// offered again. Without it, a record sent before the backup whose
    /// file went up after it would stay hidden from every other laptop.
    pub fn renew_epoch(&self) -> Result<Uuid, ServerError> {
        let (epoch, at) = {
            let mut env = self.env();
            (env.new_id::<Uuid>(), env.now().to_rfc3339())
        };
        self.backend.transaction(|tx| {
            tx.set_meta("epoch", &epoch.to_string())?;
            let detail = format!("恢复备份后更换服务器纪元：{epoch}");
            crate::auth::console(tx, &at, crate::audit::Event::EpochRenewed, &detail)
        })?;
        Ok(epoch)
    }

    pub(crate) fn env(&self) -> std::sync::MutexGuard<'_, Env> {
        self.env.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new UUIDv7 from the server's clock and random source.
    pub fn new_id<I: From<Uuid>>(&self) -> I {
        self.env().new_id()
    }

    /// Whether the caller may learn that a file is stored: see
    /// [`Tx::blob_visible`].
    fn sight(&self, who: &Principal, sha256: &str) -> Result<Sight, ServerError> {
        if !crate::blob::valid_name(sha256) {
            return Err(crate::blob::BlobError::BadName.into());
        }
        let visible = self.backend.transaction(|tx| {
            // An administrator sees every park.
            let parks = if who.role == Role::Admin {
                tx.ids(EntityKind::Park)?.into_iter().map(ParkId).collect()
            } else {
                who.parks.clone()
            };
            tx.blob_visible(sha256, &parks, who.device_id)
        })?;
        Ok(if visible { Sight::Visible } else { Sight::Hidden })
    }

    /// Whether a blob is stored, or how much of it this device has sent. A
    /// file the caller may not see is reported as not stored.
    pub fn blob_state(&self, who: &Principal, sha256: &str) -> Result<BlobState, ServerError> {
        let sight = self.sight(who, sha256)?;
        let state = self.blobs.state(sha256, who.device_id, sight)?;
        // A device that may read a stored file holds it as good as an
        // uploader does, and never uploads it: its records vouch for it.
        if sight == Sight::Visible && matches!(state, BlobState::Stored(_)) {
            self.backend.transaction(|tx| tx.add_blob_upload(sha256, who.device_id))?;
        }
        Ok(state)
    }

    /// Takes one chunk of a blob upload. A device that sent every byte of a
    /// file it could not see holds the file, and may see it from then on.
    pub fn upload(&self, who: &Principal, sha256: &str, chunk: Chunk<'_>) -> Result<BlobState, ServerError> {
        let sight = self.sight(who, sha256)?;
        let state = self.blobs.append(sha256, who.device_id, sight, chunk)?;
        if sight == Sight::Hidden && matches!(state, BlobState::Stored(_)) {
            self.backend.transaction(|tx| tx.add_blob_upload(sha256, who.device_id))?;
        }
        Ok(state)
    }

    /// A stored blob's size and content; a file the caller may not see is
    /// answered exactly as one the server does not hold.
    pub fn blob(&self, who: &Principal, sha256: &str) -> Result<crate::blob::StoredBlob, ServerError> {
        let absent = || ServerError::NotFound("服务器上还没有这个文件".into());
        if self.sight(who, sha256)? == Sight::Hidden {
            return Err(absent());
        }
        self.blobs.open(sha256)?.ok_or_else(absent)
    }

    pub fn hello(&self, who: &Principal) -> Result<Hello, ServerError> {
        self.backend.transaction(|tx| {
            let (last_seq, results_digest) = tx.device_log(who.device_id)?;
            Ok(Hello {
                protocol: PROTOCOL,
                epoch: epoch(tx)?,
                last_seq,
                results_digest,
                parks: who.parks.clone(),
                head: tx.head()?,
                open_conflicts: tx.open_conflicts(&who.parks)?,
                overwritten: tx.overwritten(&who.parks)?,
            })
        })
    }

    pub fn push(&self, who: &Principal, req: &PushRequest) -> Result<PushResponse, ServerError> {
        check_protocol(req.protocol)?;
        if req.device_id != who.device_id {
            let at = self.env().now().to_rfc3339();
            let detail = format!("推送声称来自设备 {}，而登录的设备是 {}", req.device_id, who.device_id);
            self.backend.transaction(|tx| {
                audit::by(tx, &at, who, audit::Event::WriteRefused, audit::Outcome::Refused, &detail)
            })?;
            return Err(ServerError::Forbidden("推送的设备与登录的设备不一致".into()));
        }
        if req.mutations.len() > MAX_PUSH {
            return Err(ServerError::BadRequest(format!(
                "一次最多推送 {MAX_PUSH} 条修改，本次 {} 条",
                req.mutations.len()
            )));
        }
        for m in &req.mutations {
            if payload_hash(&m.payload) != m.payload_hash {
                return Err(ServerError::BadRequest(format!("第 {} 号修改的校验值不符：数据在传输中损坏", m.seq)));
            }
        }
        let device = who.device_id;
        let at = self.env().now().to_rfc3339();
        self.backend.transaction(|tx| {
            let epoch = epoch(tx)?;
            let (mut last, mut digest) = tx.device_log(device)?;
            // A case event also takes its case's lock: the case's events are
            // placed in order one at a time.
            let targets: Vec<_> = req
                .mutations
                .iter()
                .filter(|m| m.seq > last)
                .flat_map(|m| {
                    let case = case_of(m).map(|c| (EntityKind::CaseEvent, c));
                    [(m.entity, m.entity_id)].into_iter().chain(case).chain(crate::natural::lock_targets(m))
                })
                .collect();
            tx.lock_entities(&targets)?;
            crate::natural::read_ahead(tx, req.mutations.iter().filter(|m| m.seq > last))?;
            let mut results = Vec::with_capacity(req.mutations.len());
            let mut stop = None;
            for m in &req.mutations {
                if m.seq <= last {
                    match tx.mutation(device, m.seq)? {
                        Some(s) if s.mutation_id == m.mutation_id && s.payload_hash == m.payload_hash => {
                            results.push(s.result)
                        }
                        _ => {
                            stop = Some(PushStop::Fork { seq: m.seq });
                            break;
                        }
                    }
                } else if m.seq == last + 1 {
                    let receipt = receipt(&self.receipt_key, device, m);
                    // A mutation this server accepted before it lost it is
                    // taken again even if the user's parks changed since.
                    let vouched = m.receipt.as_deref().is_some_and(|r| same(r, &receipt));
                    let mut result = apply(tx, who, m, vouched, &mut || self.new_id())?;
                    if result.outcome != Outcome::Rejected {
                        result.receipt = receipt;
                    } else {
                        let reason = result.reason.as_deref().unwrap_or_default();
                        let detail = format!("{} {} 第 {} 号修改：{reason}", m.entity.as_str(), m.entity_id, m.seq);
                        audit::by(tx, &at, who, audit::Event::WriteRefused, audit::Outcome::Refused, &detail)?;
                    }
                    tx.insert_mutation(device, who.user_id, m, &result)?;
                    digest = chain_results(&digest, &result);
                    results.push(result);
                    last = m.seq;
                } else {
                    stop = Some(PushStop::Gap { expected: last + 1 });
                    break;
                }
            }
            tx.set_device_log(device, last, &digest)?;
            Ok(PushResponse { epoch, results, stop, last_seq: last, results_digest: digest })
        })
    }

    pub fn pull(&self, who: &Principal, req: &PullRequest) -> Result<PullPage, ServerError> {
        check_protocol(req.protocol)?;
        if !who.may_access(req.park_id) {
            return Err(ServerError::Forbidden("您未被分配到该园区，不能读取其档案".into()));
        }
        if !(1..=MAX_PAGE).contains(&req.limit) {
            return Err(ServerError::BadRequest(format!("每页条数须在 1 至 {MAX_PAGE} 之间，请求了 {}", req.limit)));
        }
        if req.after < 0 {
            return Err(ServerError::BadRequest(format!("同步位置不能为负数（收到 {}）", req.after)));
        }
        let limit = req.limit;
        self.backend.transaction(|tx| {
            let epoch = epoch(tx)?;
            let served = tx.checkpoint(who.device_id, req.park_id)?.unwrap_or(0);
            if req.after > served {
                return Ok(PullPage {
                    epoch,
                    park_id: req.park_id,
                    changes: Vec::new(),
                    cursor: 0,
                    more: true,
                    restart: true,
                });
            }
            let mut changes = tx.changes(req.park_id, req.after, limit + 1)?;
            let more = changes.len() > limit;
            changes.truncate(limit);
            let cursor = changes.last().map_or(req.after, |c| c.change_no);
            if cursor > served {
                tx.set_checkpoint(who.device_id, req.park_id, cursor)?;
            }
            Ok(PullPage { epoch, park_id: req.park_id, changes, cursor, more, restart: false })
        })
    }

    /// Puts parks and their enterprise files on the server as the server's
    /// own documents (the admin CLI's sample load). Returns how many parks
    /// and enterprises were written.
    pub fn import_files(&self, parks: &[xuncha_domain::sample::SamplePark]) -> Result<(usize, usize), ServerError> {
        let mut enterprises = 0;
        for p in parks {
            self.put_document(EntityKind::Park, p.park.id.uuid(), p.park.id, document(&p.park)?)?;
            for e in &p.enterprises {
                self.put_document(EntityKind::Enterprise, e.id.uuid(), p.park.id, document(e)?)?;
                enterprises += 1;
            }
        }
        Ok((parks.len(), enterprises))
    }

    /// Every park the server holds, with its name, by name.
    pub fn parks(&self) -> Result<Vec<(ParkId, String)>, ServerError> {
        let mut parks = self.backend.transaction(|tx| {
            let mut out = Vec::new();
            for id in tx.ids(EntityKind::Park)? {
                if let Some(row) = tx.entity(EntityKind::Park, id)? {
                    let name = row.doc.get("name").and_then(Value::as_str).unwrap_or_default();
                    out.push((ParkId(id), name.to_string()));
                }
            }
            Ok(out)
        })?;
        parks.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(parks)
    }

    /// The park an administrator means: its id, its whole name, or a part
    /// of its name that no other park's name has.
    pub fn park_named(&self, text: &str) -> Result<(ParkId, String), ServerError> {
        let text = text.trim();
        let parks = self.parks()?;
        if let Ok(id) = text.parse::<ParkId>() {
            return parks
                .into_iter()
                .find(|p| p.0 == id)
                .ok_or_else(|| ServerError::NotFound(format!("服务器上没有园区 {id}")));
        }
        // The whole name first; two parks of one name are as ambiguous as a part.
        let exact: Vec<&(ParkId, String)> = parks.iter().filter(|p| p.1 == text).collect();
        let matching: Vec<&(ParkId, String)> = if exact.is_empty() {
            parks.iter().filter(|p| !text.is_empty() && p.1.contains(text)).collect()
        } else {
            exact
        };
        match matching[..] {
            [one] => Ok(one.clone()),
            [] => Err(ServerError::NotFound(format!("没有名称含“{text}”的园区（park list 列出全部园区）"))),
            _ => {
                let names: Vec<&str> = matching.iter().map(|p| p.1.as_str()).collect();
                Err(ServerError::BadRequest(format!("“{text}”对应多个园区：{}；请写园区全名或编号", names.join("、"))))
            }
        }
    }

    /// How many parks the server holds.
    pub fn park_count(&self) -> Result<usize, ServerError> {
        self.backend.transaction(|tx| tx.count(EntityKind::Park))
    }

    /// Writes a whole document as the server itself (admin import, new
    /// parks). Every field is taken; the change is numbered like any other.
    pub fn put_document(
        &self,
        kind: EntityKind,
        id: Uuid,
        park_id: ParkId,
        doc: Map<String, Value>,
    ) -> Result<i64, ServerError> {
        self.backend.transaction(|tx| {
            tx.lock_entities(&[(kind, id)])?;
            let mut row = tx.entity(kind, id)?.unwrap_or(EntityRow {
                park_id,
                version: 0,
                change_no: 0,
                doc: Map::new(),
                field_meta: Default::default(),
            });
            row.version += 1;
            let before = row.doc.clone();
            row.field_meta.extend(crate::merge::stamp(kind, &doc, row.version, DeviceId::NIL));
            row.doc.extend(doc.clone());
            crate::natural::index(tx, kind, id, row.park_id, Some(&before), &row.doc)?;
            tx.put_entity(kind, id, &row, DeviceId::NIL, &Value::Object(doc.clone()))?;
            Ok(row.version)
        })
    }

    /// Checks every signed inspection of a park: its digest against its
    /// content, its link to the previous inspection of the same device,
    /// and that every photo and signature file is here with the content
    /// its SHA-256 names.
    pub fn verify_inspections(&self, park: ParkId) -> Result<Vec<InspectionCheck>, ServerError> {
        let docs = self.documents(park)?;
        let digests: HashMap<InspectionId, (Option<String>, Option<String>)> = docs
            .iter()
            .filter(|c| c.entity == EntityKind::Inspection)
            .map(|c| {
                let text = |k: &str| c.doc.get(k).and_then(Value::as_str).map(str::to_string);
                (InspectionId(c.entity_id), (text("digest"), text("device_id")))
            })
            .collect();
        let mut out = Vec::new();
        for c in docs.iter().filter(|c| c.entity == EntityKind::Inspection) {
            let mut problems = Vec::new();
            let inspection: xuncha_domain::inspection::Inspection = match serde_json::from_value(c.doc.clone()) {
                Ok(i) => i,
                Err(e) => {
                    out.push(InspectionCheck {
                        id: c.entity_id,
                        enterprise: String::new(),
                        signed_at: None,
                        files: 0,
                        problems: vec![format!("记录无法读取：{e}")],
                    });
                    continue;
                }
            };
            if inspection.digest != Some(xuncha_sync::inspection_digest(&c.doc)) {
                problems.push("记录内容与完整性摘要不符".to_string());
            }
            if let Some((digest, device)) = inspection.prev_id.and_then(|p| digests.get(&p)) {
                let same_device = device.as_deref() == inspection.device_id.map(|d| d.to_string()).as_deref();
                if !same_device || *digest != inspection.prev_digest.map(|d| d.to_string()) {
                    problems.push("与本设备上一份签名记录不衔接".to_string());
                }
            }
            let files = inspection.blob_hashes();
            for sha in &files {
                match self.blobs.open(&sha.hex())? {
                    None => problems.push(format!("文件 {} 尚未上传", sha.short(12))),
                    Some((_, mut reader)) => {
                        let mut hasher = Sha256::new();
                        std::io::copy(&mut reader, &mut hasher).map_err(|e| ServerError::Damaged(e.to_string()))?;
                        if xuncha_domain::Sha256::from_hasher(hasher) != *sha {
                            problems.push(format!("文件 {} 内容与校验值不符", sha.short(12)));
                        }
                    }
                }
            }
            out.push(InspectionCheck {
                id: c.entity_id,
                enterprise: inspection.enterprise_name,
                signed_at: inspection.signed_at,
                files: files.len(),
                problems,
            });
        }
        Ok(out)
    }

    pub fn entity(&self, kind: EntityKind, id: impl Into<Uuid>) -> Result<Option<EntityRow>, ServerError> {
        let id = id.into();
        self.backend.transaction(|tx| tx.entity(kind, id))
    }

    /// Every change of a park, as a laptop starting from nothing would get it.
    pub fn documents(&self, park: ParkId) -> Result<Vec<xuncha_sync::Change>, ServerError> {
        self.backend.transaction(|tx| tx.changes(park, 0, usize::MAX >> 1))
    }

    /// Conflicts in the caller's parks (all parks for an administrator).
    pub fn conflicts(&self, who: &Principal, parks: &[ParkId]) -> Result<Vec<ConflictRecord>, ServerError> {
        let parks: Vec<ParkId> = parks.iter().copied().filter(|p| who.may_access(*p)).collect();
        self.backend.transaction(|tx| tx.conflicts(&parks))
    }

    /// A supervisor's decision on a held conflict: take the laptop's value
    /// (a new numbered change) or keep the server's.
    /// A decision repeated with its `request_id` (its reply was lost) is
    /// answered as the first time.
    pub fn resolve(&self, who: &Principal, conflict_id: Uuid, decision: &Resolve) -> Result<(), ServerError> {
        let at = self.env().now().to_rfc3339();
        let out = self.decide(who, conflict_id, decision, &at);
        if let Err(e @ (ServerError::Forbidden(_) | ServerError::BadRequest(_) | ServerError::NotFound(_))) = &out {
            let detail = format!("冲突 {conflict_id}：{e}");
            self.backend
                .transaction(|tx| audit::by(tx, &at, who, audit::Event::Decision, audit::Outcome::Refused, &detail))?;
        }
        out
    }

    fn decide(&self, who: &Principal, conflict_id: Uuid, decision: &Resolve, at: &str) -> Result<(), ServerError> {
        let take_device_value = decision.take_device_value;
        let request_key = decision.request_id.map(|r| format!("decision:{r}"));
        if let Some(reason) = access::authorize(who, Action::DecideConflict, None, false) {
            return Err(ServerError::Forbidden(reason.into()));
        }
        let missing = || ServerError::NotFound("未找到该冲突记录".into());
        self.backend.transaction(|tx| {
            let c = tx.conflict(conflict_id)?.ok_or_else(missing)?;
            if let Some(reason) = access::authorize(who, Action::DecideConflict, Some(c.park_id), false) {
                return Err(ServerError::Forbidden(reason.into()));
            }
            tx.lock_entities(&[(c.entity, c.entity_id)])?;
            // Read again under the lock: another supervisor may just have decided.
            let c = tx.conflict(conflict_id)?.ok_or_else(missing)?;
            if c.resolution.is_some() {
                if let Some(key) = &request_key {
                    if tx.meta(key)?.as_deref() == Some(conflict_id.to_string().as_str()) {
                        return Ok(());
                    }
                }
                return Err(ServerError::BadRequest("该冲突已经裁决过".into()));
            }
            if let Some(key) = &request_key {
                tx.set_meta(key, &conflict_id.to_string())?;
            }
            let mut row = tx
                .entity(c.entity, c.entity_id)?
                .ok_or_else(|| ServerError::NotFound("冲突所指的记录不存在".into()))?;
            let chosen = if take_device_value {
                let before = row.doc.clone();
                row.version += 1;
                xuncha_sync::element::set(c.entity, &mut row.doc, &c.field, c.device_value.clone());
                if let Some(reason) = crate::judge::file(c.entity, &row.doc) {
                    return Err(ServerError::BadRequest(format!("采用笔记本的值后{reason}")));
                }
                if let Some(reason) = crate::natural::clash(tx, c.entity, c.entity_id, row.park_id, &before, &row.doc)?
                {
                    return Err(ServerError::BadRequest(reason));
                }
                let meta = FieldMeta::written(row.version, who.device_id);
                row.field_meta.insert(c.field.clone(), FieldMeta { since: Some(row.version), ..meta });
                row.field_meta.insert(xuncha_sync::element::field_of(&c.field).to_string(), meta);
                crate::natural::index(tx, c.entity, c.entity_id, row.park_id, Some(&before), &row.doc)?;
                // The laptop's value, so the laptop that sent it vouches for its files.
                tx.put_entity(c.entity, c.entity_id, &row, c.device_id, &c.device_value)?;
                c.device_value.clone()
            } else {
                xuncha_sync::element::get(c.entity, &row.doc, &c.field)
            };
            tx.set_resolution(conflict_id, &chosen)?;
            let side = if take_device_value { "采用笔记本的值" } else { "保留服务器的值" };
            let detail = format!("冲突 {conflict_id}（{} {} {}）：{side}", c.entity.as_str(), c.entity_id, c.field);
            audit::by(tx, at, who, audit::Event::Decision, audit::Outcome::Success, &detail)
        })
    }
}

/// HMAC-SHA-256 (RFC 2104) of the mutation's identity under the server's key.
fn receipt(key: &[u8], device: DeviceId, m: &Mutation) -> String {
    hmac(key, &format!("{device}/{}/{}/{}", m.seq, m.mutation_id, m.payload_hash))
}

/// HMAC-SHA-256 (RFC 2104) of a message under a key of at most 64 bytes.
fn hmac(key: &[u8], message: &str) -> String {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message.as_bytes()).finalize();
    hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

impl<B> Bureau<B> {
    /// A secret value derived from `message` under the server's key: the
    /// same message always gives the same value, and nobody without the
    /// key can compute it.
    pub(crate) fn derive(&self, message: &str) -> String {
        hmac(&self.receipt_key, message)
    }
}

/// Compares in time independent of where the texts differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A file as a server document: its JSON without the local version.
fn document<T: serde::Serialize>(file: &T) -> Result<Map<String, Value>, ServerError> {
    match serde_json::to_value(file)? {
        Value::Object(mut doc) => {
            doc.remove("version");
            Ok(doc)
        }
        _ => Err(ServerError::Damaged("a file is not a JSON object".into())),
    }
}

fn check_protocol(protocol: u32) -> Result<(), ServerError> {
    if protocol != PROTOCOL {
        return Err(ServerError::BadRequest(format!(
            "客户端同步协议版本为 {protocol}，服务器为 {PROTOCOL}，请升级程序"
        )));
    }
    Ok(())
}

fn epoch(tx: &mut dyn Tx) -> Result<Uuid, ServerError> {
    let text = tx.meta("epoch")?.ok_or_else(|| ServerError::Damaged("no epoch".into()))?;
    Uuid::parse_str(&text).map_err(|_| ServerError::Damaged(format!("epoch {text}")))
}

/// The server's check of one signed inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionCheck {
    pub id: Uuid,
    pub enterprise: String,
    pub signed_at: Option<String>,
    /// Photo and signature files the record points at.
    pub files: usize,
    /// Empty when everything holds.
    pub problems: Vec<String>,
}

/// Checks a signed inspection before it is kept: it must be signed, sent
/// by the device that signed it, carry the digest of its own content, and
/// link to its predecessor on that device when the server holds it (the
/// predecessor may have been refused for another reason, so a missing one
/// does not break the chain). Returns the reason for a refusal.
fn check_signed_record(
    tx: &mut dyn Tx,
    device: DeviceId,
    fields: &Map<String, Value>,
) -> Result<Option<String>, ServerError> {
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    if text("state") != Some("signed") {
        return Ok(Some("只接收已签名的检查记录".into()));
    }
    if text("device_id") != Some(device.to_string().as_str()) {
        return Ok(Some("检查记录须由签名的设备上传".into()));
    }
    let record = Value::Object(fields.clone());
    if text("digest") != Some(xuncha_sync::inspection_digest(&record).hex().as_str()) {
        return Ok(Some("完整性摘要与记录内容不符：记录在签名后被改动过".into()));
    }
    if let Some(prev) = text("prev_id").and_then(|s| Uuid::parse_str(s).ok()) {
        if let Some(row) = tx.entity(EntityKind::Inspection, prev)? {
            let linked = row.doc.get("digest").and_then(Value::as_str) == text("prev_digest")
                && row.doc.get("device_id").and_then(Value::as_str) == text("device_id");
            if !linked {
                return Ok(Some("完整性链断裂：与本设备上一份签名记录的摘要不符".into()));
            }
        }
    }
    Ok(None)
}

/// Checks the document number of a notice or a void: it must come from a
/// block the server leased to the device that sends it. Blocks never
/// overlap, so two laptops can never use one number. Returns the reason
/// for a refusal.
/// Where a case stands on the server: its state after the accepted events
/// and how many events it has had.
#[derive(serde::Serialize, serde::Deserialize)]
struct CaseHead {
    state: Option<CaseState>,
    seq: i64,
    /// The park of the case's first event (`None` for cases kept before
    /// the park was).
    #[serde(default)]
    park: Option<ParkId>,
    /// The case's notice is delivered (cases kept before this field knew
    /// nothing of it: their next delivery is taken).
    #[serde(default)]
    delivered: bool,
}

fn case_head(tx: &mut dyn Tx, case: CaseId) -> Result<CaseHead, ServerError> {
    match tx.meta(&format!("case:{case}"))? {
        Some(text) => serde_json::from_str(&text).map_err(|e| damaged("case head", e)),
        None => Ok(CaseHead { state: None, seq: 0, park: None, delivered: false }),
    }
}

/// The case a case-event mutation belongs to.
fn case_of(m: &Mutation) -> Option<Uuid> {
    (m.entity == EntityKind::CaseEvent)
        .then(|| m.payload.pointer("/fields/case_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()))
        .flatten()
}

fn damaged(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Damaged(format!("{what}: {e}"))
}

/// Places a case event in its case's history. The server's order decides:
/// an event that no longer fits the case (say, recorded offline after
/// someone else closed it) is still stored, with a verdict naming the
/// state its author saw and the state the server held, so no evidence is
/// lost. Only an event that cannot be read is refused.
fn judge_case_event(tx: &mut dyn Tx, fields: &Map<String, Value>) -> Result<Result<Value, String>, ServerError> {
    let event: CaseEvent = match serde_json::from_value(Value::Object(fields.clone())) {
        Ok(e) => e,
        Err(e) => return Ok(Err(format!("整改案件记录格式错误：{e}"))),
    };
    let key = format!("case:{}", event.case_id);
    let head = case_head(tx, event.case_id)?;
    let seq = head.seq + 1;
    let (state, delivered, verdict) = match step(head.state, head.delivered, &event.body) {
        Ok((to, d)) => (Some(to), d, Verdict { seq, accepted: true, state_at_server: head.state, reason: None }),
        Err(why) => {
            let verdict = Verdict { seq, accepted: false, state_at_server: head.state, reason: Some(why) };
            (head.state, head.delivered, verdict)
        }
    };
    let park = head.park.or(Some(event.park_id));
    let text = serde_json::to_string(&CaseHead { state, seq, park, delivered }).map_err(|e| damaged("case head", e))?;
    tx.set_meta(&key, &text)?;
    Ok(Ok(serde_json::to_value(verdict).map_err(|e| damaged("verdict", e))?))
}

/// A document must come from the device that made it.
fn check_device(device: DeviceId, fields: &Map<String, Value>) -> Option<String> {
    (fields.get("device_id").and_then(Value::as_str) != Some(device.to_string().as_str()))
        .then(|| "文书须由制作它的设备上传".into())
}

fn check_number(tx: &mut dyn Tx, device: DeviceId, fields: &Map<String, Value>) -> Result<Option<String>, ServerError> {
    if let Some(refusal) = check_device(device, fields) {
        return Ok(Some(refusal));
    }
    let number = fields.get("number");
    let part = |k: &str| number.and_then(|n| n.get(k));
    let (Some(series), Some(year), Some(serial)) = (
        part("series").and_then(Value::as_str),
        part("year").and_then(Value::as_i64),
        part("serial").and_then(Value::as_i64),
    ) else {
        return Ok(Some("文书缺少文号".into()));
    };
    let leased = tx
        .number_blocks(series)?
        .into_iter()
        .any(|(b, to)| to == device && i64::from(b.year) == year && (b.first..=b.last).contains(&serial));
    if !leased {
        let prefix = part("prefix").and_then(Value::as_str).unwrap_or(series);
        return Ok(Some(format!("文号 {prefix}〔{year}〕{serial}号 不在本设备领取的号段内")));
    }
    Ok(None)
}

/// Handles one new mutation. Business-rule failures become a stored
/// `Rejected` result; only storage failures are errors.
fn apply(
    tx: &mut dyn Tx,
    who: &Principal,
    m: &Mutation,
    vouched: bool,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<MutationResult, ServerError> {
    let op = m.payload.get("op").and_then(Value::as_str);
    let Some(fields) = m.payload.get("fields").and_then(Value::as_object).filter(|f| !f.is_empty()) else {
        return Ok(rejected(m, "修改内容格式错误：缺少字段"));
    };
    let create = match op {
        Some("create") => true,
        Some("update") => false,
        _ => return Ok(rejected(m, "修改内容格式错误：未知的操作")),
    };
    let action = match m.entity {
        EntityKind::Park if create => Action::CreatePark,
        EntityKind::Park | EntityKind::Enterprise => Action::EditFile,
        EntityKind::Inspection => Action::RecordInspection,
        EntityKind::Notice | EntityKind::NumberVoid => Action::Number,
        EntityKind::ClueTransfer | EntityKind::TransferUpdate => Action::TransferClue,
        EntityKind::CaseEvent => Action::RecordCaseEvent,
    };
    if let Some(reason) = access::authorize(who, action, None, vouched) {
        return Ok(rejected(m, reason));
    }
    let allowed = |park: ParkId| access::authorize(who, action, Some(park), vouched).is_none();
    if m.entity.is_insert_only() {
        return apply_record(tx, who.device_id, m, fields, create, &allowed);
    }
    apply_file(tx, who.device_id, m, fields, create, &allowed, new_id)
}

/// The park the server holds for what a new record is about (the
/// enterprise it concerns, the case or transfer it continues), when the
/// server holds that. A record names its park itself; that name is taken
/// only if it agrees.
fn held_park(tx: &mut dyn Tx, m: &Mutation, fields: &Map<String, Value>) -> Result<Option<ParkId>, ServerError> {
    let id = |key: &str| fields.get(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let held = match m.entity {
        EntityKind::CaseEvent => match id("case_id") {
            Some(case) => case_head(tx, CaseId(case))?.park,
            None => None,
        },
        EntityKind::TransferUpdate => match id("transfer_id") {
            Some(transfer) => tx.entity(EntityKind::ClueTransfer, transfer)?.map(|row| row.park_id),
            None => None,
        },
        _ => None,
    };
    if held.is_some() {
        return Ok(held);
    }
    let Some(enterprise) = id("enterprise_id") else { return Ok(None) };
    let enterprise = natural::resolve(tx, EntityKind::Enterprise, enterprise)?.unwrap_or(enterprise);
    Ok(tx.entity(EntityKind::Enterprise, enterprise)?.map(|row| row.park_id))
}

fn rejected(m: &Mutation, reason: &str) -> MutationResult {
    MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        outcome: Outcome::Rejected,
        version: None,
        conflicts: Vec::new(),
        reason: Some(reason.to_string()),
        receipt: String::new(),
    }
}

fn applied(m: &Mutation, version: i64) -> MutationResult {
    MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        outcome: Outcome::Applied,
        version: Some(version),
        conflicts: Vec::new(),
        reason: None,
        receipt: String::new(),
    }
}

/// The park a new record names.
fn park_of(m: &Mutation, fields: &Map<String, Value>) -> Option<ParkId> {
    match m.entity {
        EntityKind::Park => Some(ParkId(m.entity_id)),
        _ => fields.get("park_id").and_then(Value::as_str).and_then(|s| s.parse().ok()),
    }
}

/// Where a new record may go: a park the user may write, that exists.
fn check_new_in_park(
    tx: &mut dyn Tx,
    m: &Mutation,
    fields: &Map<String, Value>,
    allowed: &dyn Fn(ParkId) -> bool,
) -> Result<Result<ParkId, &'static str>, ServerError> {
    let Some(park) = park_of(m, fields) else {
        return Ok(Err("记录缺少所属园区"));
    };
    if !allowed(park) {
        return Ok(Err("您未被分配到该园区，不能修改其档案"));
    }
    if m.entity != EntityKind::Park && tx.entity(EntityKind::Park, park.uuid())?.is_none() {
        return Ok(Err("所属园区在服务器上不存在"));
    }
    Ok(Ok(park))
}

/// An insert-only record (a signed inspection, a notice, a case event, …):
/// created once by its maker, judged, never changed.
fn apply_record(
    tx: &mut dyn Tx,
    device: DeviceId,
    m: &Mutation,
    fields: &Map<String, Value>,
    create: bool,
    allowed: &dyn Fn(ParkId) -> bool,
) -> Result<MutationResult, ServerError> {
    if !create || tx.entity(m.entity, m.entity_id)?.is_some() {
        return Ok(rejected(
            m,
            match m.entity {
                EntityKind::Notice => "已下发的整改通知书不可修改；如有错误，请作废其文号后重新下发",
                EntityKind::NumberVoid => "文号作废记录不可修改",
                EntityKind::ClueTransfer => "已移交的违法线索不可修改；如需补充，请另行移交",
                EntityKind::CaseEvent => "整改案件的记录不可修改；如有出入，请另记一条",
                EntityKind::TransferUpdate => "违法线索移交的后续记录不可修改；如有出入，请另记一条",
                _ => "已签名的检查记录不可修改；如需更正，请新建一份更正记录",
            },
        ));
    }
    // Where it goes is decided before what it says: a user outside the
    // park learns nothing about the rules a record there must meet.
    let park = match check_new_in_park(tx, m, fields, allowed)? {
        Ok(park) => park,
        Err(reason) => return Ok(rejected(m, reason)),
    };
    if held_park(tx, m, fields)?.is_some_and(|held| held != park) {
        return Ok(rejected(m, "该记录所涉的企业、整改案件或线索移交属于另一园区，不能记入本园区"));
    }
    if let Some(reason) = judge::record(m.entity, fields) {
        return Ok(rejected(m, &reason));
    }
    let refusal = match m.entity {
        EntityKind::Inspection => check_signed_record(tx, device, fields)?,
        // The source form has no number; an office may still use one.
        EntityKind::ClueTransfer if fields.get("number").is_none_or(Value::is_null) => check_device(device, fields),
        EntityKind::CaseEvent | EntityKind::TransferUpdate => check_device(device, fields),
        _ => check_number(tx, device, fields)?,
    };
    if let Some(reason) = refusal {
        return Ok(rejected(m, &reason));
    }
    let mut doc = fields.clone();
    if m.entity == EntityKind::CaseEvent {
        match judge_case_event(tx, fields)? {
            Ok(verdict) => doc.insert("verdict".into(), verdict),
            Err(reason) => return Ok(rejected(m, &reason)),
        };
    }
    let row = EntityRow {
        park_id: park,
        version: 1,
        change_no: 0,
        field_meta: doc.keys().map(|f| (f.clone(), FieldMeta::written(1, device))).collect(),
        doc,
    };
    tx.put_entity(m.entity, m.entity_id, &row, device, &Value::Object(fields.clone()))?;
    Ok(applied(m, 1))
}

/// A park or enterprise file: created, or edited field by field and
/// element by element. A new enterprise whose credit code, or whose name
/// in its park, is already on the server is folded into that file instead
/// of becoming its twin; its id is kept as an alias of the file.
fn apply_file(
    tx: &mut dyn Tx,
    device: DeviceId,
    m: &Mutation,
    fields: &Map<String, Value>,
    create: bool,
    allowed: &dyn Fn(ParkId) -> bool,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<MutationResult, ServerError> {
    // Which files were folded into which is the server's to say: a laptop
    // naming ids there would make every laptop drop those files.
    let mut own = fields.clone();
    own.remove("merged_ids");
    own.remove("merged_into");
    let fields = &own;
    // An edit of a twin folded away goes to the file that stayed; its
    // author never saw that file, so every overlap is a conflict.
    let (id, mut base) = match natural::resolve(tx, m.entity, m.entity_id)? {
        Some(into) => (into, 0),
        None => (m.entity_id, m.base_version),
    };
    if id != m.entity_id {
        tx.lock_entities(&[(m.entity, id)])?;
    }
    let mut folding = false;
    let mut target = id;
    let existing = match tx.entity(m.entity, id)? {
        Some(row) => Some(row),
        None if !create => return Ok(rejected(m, "服务器上没有这条记录，无法修改")),
        None => {
            let park = match check_new_in_park(tx, m, fields, allowed)? {
                Ok(park) => park,
                Err(reason) => return Ok(rejected(m, reason)),
            };
            match natural::holder(tx, m.entity, park, fields, id)? {
                Some((holder, row)) if row.park_id == park => {
                    folding = true;
                    base = 0;
                    target = holder;
                    tx.lock_entities(&[(m.entity, holder)])?;
                    tx.entity(m.entity, holder)?
                }
                Some((_, row)) => {
                    let name = row.doc.get("name").and_then(Value::as_str).unwrap_or_default();
                    return Ok(rejected(
                        m,
                        &format!("统一社会信用代码已登记在其他园区的企业“{name}”名下；如企业迁园，请由管理员调整"),
                    ));
                }
                None => None,
            }
        }
    };
    let Some(mut row) = existing else {
        let mut doc = fields.clone();
        if m.entity == EntityKind::Enterprise {
            doc.insert("merged_ids".into(), Value::Array(Vec::new()));
        }
        if let Some(reason) = judge::file(m.entity, &doc) {
            return Ok(rejected(m, &reason));
        }
        let park = park_of(m, fields).unwrap_or(ParkId::NIL);
        let row = EntityRow {
            park_id: park,
            version: 1,
            change_no: 0,
            field_meta: merge::stamp(m.entity, &doc, 1, device).into_iter().collect(),
            doc,
        };
        natural::index(tx, m.entity, id, row.park_id, None, &row.doc)?;
        tx.put_entity(m.entity, id, &row, device, &Value::Object(fields.clone()))?;
        return Ok(applied(m, 1));
    };
    if !allowed(row.park_id) {
        return Ok(rejected(m, "您未被分配到该园区，不能修改其档案"));
    }
    if fields.get("park_id").is_some_and(|p| p.as_str() != Some(row.park_id.to_string().as_str())) {
        return Ok(rejected(m, "企业的所属园区不能在现场修改，请由管理员调整"));
    }
    // Judged as sent, so that a value the laptop's rules refuse is never
    // kept, not even in a conflict record waiting for a supervisor.
    let mut as_sent = row.doc.clone();
    as_sent.extend(fields.iter().filter(|(k, _)| k.as_str() != "id").map(|(k, v)| (k.clone(), v.clone())));
    if let Some(reason) = judge::file(m.entity, &as_sent) {
        return Ok(rejected(m, &reason));
    }
    // An edit that gives the file the credit code or name another file of
    // its park holds: the two files are one enterprise. This file, as
    // edited, is folded into the other, and leaves a marker behind.
    let mut folded_away = None;
    if !folding {
        if let Some((holder, _)) = natural::holder_of_new(tx, m.entity, target, row.park_id, &row.doc, &as_sent)? {
            tx.lock_entities(&[(m.entity, holder)])?;
            if let Some(holder_row) = tx.entity(m.entity, holder)? {
                folded_away = Some((target, std::mem::replace(&mut row, holder_row)));
                folding = true;
                base = 0;
                target = holder;
            }
        }
    }
    if folded_away.is_some() {
        as_sent.remove("merged_ids");
    }
    let fields = match &folded_away {
        Some(_) => &as_sent,
        None => fields,
    };
    let before = row.doc.clone();
    let touched = m
        .payload
        .get("touched")
        .and_then(Value::as_array)
        .map(|paths| paths.iter().filter_map(Value::as_str).map(str::to_string).collect());
    let touched = if folded_away.is_some() { None } else { touched };
    let edit = merge::Edit { kind: m.entity, device, base, version: row.version + 1, folding, touched };
    let merged = merge::merge(&mut row, fields, &edit);
    let mut changed = merged.changed;
    // The ids that now name this file: the twin's, and those folded into it before.
    let mut gone = vec![folded_away.as_ref().map_or(m.entity_id, |(id, _)| *id)];
    if let Some((_, away)) = &folded_away {
        let earlier = away.doc.get("merged_ids").and_then(Value::as_array).into_iter().flatten();
        gone.extend(earlier.filter_map(Value::as_str).filter_map(|s| Uuid::parse_str(s).ok()));
    }
    if folding {
        let mut ids: Vec<Value> = row.doc.get("merged_ids").and_then(Value::as_array).cloned().unwrap_or_default();
        ids.extend(gone.iter().map(|g| Value::String(g.to_string())));
        // In id order, as every laptop lists them.
        ids.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        ids.dedup();
        row.doc.insert("merged_ids".into(), Value::Array(ids));
        changed = true;
    }
    if changed {
        if let Some(reason) = judge::file(m.entity, &row.doc) {
            return Ok(rejected(m, &reason));
        }
        if let Some(reason) = natural::clash(tx, m.entity, target, row.park_id, &before, &row.doc)? {
            return Ok(rejected(m, &reason));
        }
        row.version += 1;
        natural::index(tx, m.entity, target, row.park_id, Some(&before), &row.doc)?;
        // Only what this device sent vouches for files, not the rest of the file.
        tx.put_entity(m.entity, target, &row, device, &Value::Object(fields.clone()))?;
    }
    if folding {
        for g in &gone {
            natural::set_alias(tx, m.entity, *g, target)?;
        }
    }
    if let Some((away_id, mut away)) = folded_away {
        natural::index(tx, m.entity, away_id, away.park_id, Some(&away.doc), &Map::new())?;
        away.doc = Map::from_iter([("merged_into".to_string(), Value::String(target.to_string()))]);
        away.version += 1;
        tx.put_entity(m.entity, away_id, &away, device, &Value::Null)?;
    }
    let conflicts: Vec<FieldConflict> = merged
        .clashes
        .iter()
        .map(|c| FieldConflict {
            conflict_id: new_id(),
            field: c.path.clone(),
            server_value: c.server_value.clone(),
            device_value: c.device_value.clone(),
            held: c.held,
        })
        .collect();
    for (c, clash) in conflicts.iter().zip(&merged.clashes) {
        tx.insert_conflict(&ConflictRecord {
            conflict_id: c.conflict_id,
            entity: m.entity,
            entity_id: target,
            park_id: row.park_id,
            field: c.field.clone(),
            server_value: c.server_value.clone(),
            device_value: c.device_value.clone(),
            device_id: device,
            mutation_id: m.mutation_id,
            held: c.held,
            resolution: (!c.held).then(|| clash.taken.clone()),
        })?;
    }
    let outcome = if conflicts.iter().any(|c| c.held) {
        Outcome::Held
    } else if conflicts.is_empty() {
        Outcome::Applied
    } else {
        Outcome::Merged
    };
    Ok(MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        outcome,
        version: changed.then_some(row.version),
        conflicts,
        reason: None,
        receipt: String::new(),
    })
}
