//! The security audit trail: who did what, from where, with what outcome.
//! Rows are only ever appended, each carrying the SHA-256 of the row
//! before it, so [`verify`] finds any row changed, removed or inserted.
//! Nothing in it is a password or a token.

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::DeviceId;
use xuncha_sync::EntityKind;

use crate::backend::Tx;
use crate::ServerError;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Login,
    Refresh,
    TokenRefused,
    DeviceBound,
    DeviceApproved,
    DeviceRevoked,
    UserAdded,
    UserUnlocked,
    UserNamed,
    Assignment,
    Decision,
    WriteRefused,
    EpochRenewed,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Login => "login",
            Event::Refresh => "refresh",
            Event::TokenRefused => "token_refused",
            Event::DeviceBound => "device_bound",
            Event::DeviceApproved => "device_approved",
            Event::DeviceRevoked => "device_revoked",
            Event::UserAdded => "user_added",
            Event::UserUnlocked => "user_unlocked",
            Event::UserNamed => "user_named",
            Event::Assignment => "assignment",
            Event::Decision => "decision",
            Event::WriteRefused => "write_refused",
            Event::EpochRenewed => "epoch_renewed",
        }
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Refused => "refused",
        }
    }
}

/// The operator at the server's console, as an actor.
pub const CONSOLE: &str = "（服务器控制台）";

/// One stored row of the trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    /// The user name (as typed, for a failed login), or [`CONSOLE`].
    pub actor: String,
    pub device_id: Option<DeviceId>,
    pub source: Option<String>,
    pub event: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What is recorded; the backend adds the number and the chain.
pub struct Entry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub device_id: Option<DeviceId>,
    pub source: Option<&'a str>,
    pub event: Event,
    pub outcome: Outcome,
    pub detail: &'a str,
}

/// The hash of a row: its fields and the hash before it.
fn chain(seq: i64, r: &Row) -> String {
    let mut h = Sha256::new();
    for part in [
        &seq.to_string(),
        &r.at,
        &r.actor,
        &r.device_id.map(|d| d.to_string()).unwrap_or_default(),
        r.source.as_deref().unwrap_or_default(),
        &r.event,
        &r.outcome,
        &r.detail,
        &r.prev_hash,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The lock every appender takes last, so rows get numbers one at a time.
const APPEND_LOCK: Uuid = Uuid::from_u128(0x6175_6469_745f_6c6f_675f_6170_7065_6e64);

/// Appends an entry to the trail, in the caller's transaction.
pub fn record(tx: &mut dyn Tx, e: &Entry) -> Result<(), ServerError> {
    tx.lock_entities(&[(EntityKind::Park, APPEND_LOCK)])?;
    let (seq, prev_hash) = match tx.last_audit()? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, String::new()),
    };
    let mut row = Row {
        seq,
        at: e.at.to_string(),
        actor: e.actor.chars().take(64).collect(),
        device_id: e.device_id,
        source: e.source.map(str::to_string),
        event: e.event.as_str().to_string(),
        outcome: e.outcome.as_str().to_string(),
        detail: e.detail.chars().take(500).collect(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = chain(seq, &row);
    tx.insert_audit(&row)?;
    // The head is kept apart from the rows, so cutting rows off the end is
    // found as well.
    tx.set_meta(HEAD, &format!("{seq}:{}", row.hash))
}

const HEAD: &str = "audit:head";

/// Where the trail first fails to hold, or `Ok(n)` with its length.
pub fn verify(tx: &mut dyn Tx) -> Result<Result<i64, String>, ServerError> {
    let mut expected_prev = String::new();
    let mut expected_seq = 1;
    let mut after = 0;
    loop {
        let rows = tx.audit_rows(after, 10_000)?;
        if rows.is_empty() {
            let last = expected_seq - 1;
            let head = tx.meta(HEAD)?.unwrap_or_default();
            if !head.is_empty() && head != format!("{last}:{expected_prev}") {
                let recorded = head.split(':').next().unwrap_or_default();
                return Ok(Err(format!("审计日志应有 {recorded} 条，只剩 {last} 条：末尾的记录被删除或改动")));
            }
            return Ok(Ok(last));
        }
        for r in &rows {
            if r.seq != expected_seq {
                return Ok(Err(format!("第 {expected_seq} 条审计记录缺失（下一条为第 {} 条）", r.seq)));
            }
            if r.prev_hash != expected_prev {
                return Ok(Err(format!("第 {} 条审计记录与前一条的链接不符：前一条被改动或删除", r.seq)));
            }
            if chain(r.seq, r) != r.hash {
                return Ok(Err(format!("第 {} 条审计记录的内容与其校验值不符：该记录被改动", r.seq)));
            }
            expected_prev = r.hash.clone();
            expected_seq += 1;
            after = r.seq;
        }
    }
}

/// Appends an entry for a signed-in caller's action.
pub fn by(
    tx: &mut dyn Tx,
    at: &str,
    who: &crate::Principal,
    event: Event,
    outcome: Outcome,
    detail: &str,
) -> Result<(), ServerError> {
    let name = tx.user(who.user_id)?.map(|u| u.name).unwrap_or_else(|| who.user_id.to_string());
    let entry = Entry { at, actor: &name, device_id: Some(who.device_id), source: None, event, outcome, detail };
    record(tx, &entry)
}

impl<B: crate::backend::Backend> crate::Bureau<B> {
    /// Checks the whole trail: `Ok(n)` rows hold, or where it breaks.
    pub fn verify_audit(&self) -> Result<Result<i64, String>, ServerError> {
        self.backend().transaction(verify)
    }

    /// Rows recorded at or after `since` (an RFC 3339 time or a date such
    /// as `2026-12-01`), oldest first.
    pub fn audit_since(&self, since: &str) -> Result<Vec<Row>, ServerError> {
        self.backend().transaction(|tx| {
            let mut out = Vec::new();
            let mut after = 0;
            loop {
                let rows = tx.audit_rows(after, 10_000)?;
                let Some(last) = rows.last() else { return Ok(out) };
                after = last.seq;
                out.extend(rows.into_iter().filter(|r| r.at.as_str() >= since));
            }
        })
    }
}
