//! The laptop's side of sync (`docs/sync-protocol.md`): push the outbox in
//! device order, pull each assigned park from its cursor, keep unsent
//! edits on top of what arrives.
//!
//! Every step commits on its own: recording push results, applying one
//! pull page together with its cursor. A crash or a lost reply between
//! steps leaves nothing half-done; the next round sends the same
//! mutations again (the server answers replays from its stored results)
//! and pulls from the last committed cursor.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;
use xuncha_sync::{
    BlobUpload, ConflictRecord, EntityKind, ErrorCode, Hello, LeaseRequest, Mutation, NumberBlock, NumberSeries,
    Outcome, PullPage, PullRequest, PushRequest, PushResponse, PushStop, ReferenceDoc, ReferenceEntry, Resolve,
    BLOB_CHUNK, MAX_PAGE, MAX_PUSH, PROTOCOL,
};

use super::{rows, Store, StoreError};
use crate::id::*;

/// The way to the server. The HTTP client implements it, and so does the
/// simulated network of the sync simulation.
pub trait Transport {
    fn hello(&mut self, device_id: DeviceId) -> Result<Hello, TransportError>;
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError>;
    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError>;
    fn blob_state(&mut self, sha256: &Sha256) -> Result<BlobOnServer, TransportError>;
    /// Sends `bytes` at `offset` of a file of `total` bytes.
    fn upload_chunk(
        &mut self,
        sha256: &Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobUpload, TransportError>;
    /// Writes a stored blob into `into`; `false` when the server has none.
    fn download(&mut self, sha256: &Sha256, into: &mut dyn Write) -> Result<bool, TransportError>;
    /// Every published reference version.
    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, TransportError>;
    fn reference_doc(&mut self, entry: &ReferenceEntry) -> Result<ReferenceDoc, TransportError>;
    /// The numbering series this user may lease from.
    fn number_series(&mut self) -> Result<Vec<NumberSeries>, TransportError>;
    fn lease(&mut self, req: &LeaseRequest) -> Result<NumberBlock, TransportError>;
    /// A supervisor's decision on a held conflict.
    fn resolve(&mut self, conflict: Uuid, decision: &Resolve) -> Result<(), TransportError>;
}

/// Where a blob stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOnServer {
    Stored,
    /// Not (completely) there: this many bytes have arrived.
    Missing {
        received: u64,
    },
}

/// Why a request did not get an answer. Any of these may hide a request
/// the server did carry out: the next round repeats it, which is safe.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("无法连接同步服务器：{0}")]
    Unreachable(String),
    #[error("未收到服务器的答复（{0}），下次同步会安全地重发")]
    NoAnswer(String),
    #[error("登录已失效，请重新登录")]
    Unauthorized,
    /// The server answered and said no: its code and its Chinese reason.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("服务器返回的数据无法读取：{0}")]
    BadAnswer(String),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

impl From<serde_json::Error> for SyncError {
    fn from(e: serde_json::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Mutations sent (replays included).
    pub pushed: usize,
    /// Of those, taken by the server (some after overwriting another edit).
    pub accepted: usize,
    /// Of those, waiting for a supervisor on some field.
    pub held: usize,
    /// Of those, refused by a business rule.
    pub rejected: usize,
    /// Entities received.
    pub pulled: usize,
    /// Set when the server refused to go on (a fork or a gap it could not close).
    pub stopped: Option<PushStop>,
    /// True when the server was new or had been restored from a backup and
    /// this laptop sent its history again.
    pub refilled: bool,
    /// Parks no longer assigned whose files were removed from this laptop.
    pub parks_removed: Vec<ParkId>,
    /// Scans and photos sent to the server (resumed uploads included).
    pub blobs_uploaded: usize,
    /// Scans and photos received from the server.
    pub blobs_downloaded: usize,
    /// Files a record refers to that the server does not have yet (the
    /// laptop that made them has not uploaded them): fetched later.
    pub blobs_waiting: usize,
    /// Local files whose content no longer matches their hash (damaged on
    /// disk): not sent, listed for the user.
    pub blobs_damaged: Vec<Sha256>,
    /// Files the server refused (too large, not allowed), with its reason:
    /// kept here and offered again next round.
    pub blobs_refused: Vec<(Sha256, String)>,
    /// Reference versions (checklist templates, …) received.
    pub reference_received: usize,
    /// Document numbers leased in this round.
    pub numbers_leased: i64,
    /// Supervisors' decisions the server took in this round.
    pub decisions_sent: usize,
    /// Decisions the server refused, with its reason (another supervisor
    /// decided first, or the user may not decide).
    pub decisions_refused: Vec<(Uuid, String)>,
    /// Records received that this laptop could not apply, with the reason;
    /// the rest of the page was applied.
    pub set_aside: Vec<String>,
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    /// Changes not yet accepted by the server.
    pub pending: i64,
    /// Changes of this laptop that met another person's edit of a
    /// guarded field and were held for a supervisor (decided or not).
    pub held: i64,
    /// Conflicts in this laptop's parks waiting for a supervisor, as of
    /// the last round.
    pub conflicts_waiting: i64,
    /// Changes the server refused.
    pub rejected: i64,
    /// When the last round finished, RFC 3339, if ever.
    pub last_sync_at: Option<String>,
    /// Scans and photos on this laptop not yet on the server.
    pub uploads_pending: i64,
    /// Values in this laptop's parks that a later edit replaced, as of the
    /// last round (kept in conflict records, listed on the conflicts screen).
    pub overwritten: i64,
    /// Records from the server this laptop could not apply and set aside.
    pub set_aside: i64,
    /// Supervisors' decisions made here and not yet taken by the server.
    pub decisions_waiting: i64,
}

/// A record from the server that this laptop set aside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetAside {
    pub entity: String,
    pub entity_id: Uuid,
    pub change_no: i64,
    /// Why it could not be applied, in Chinese.
    pub reason: String,
}

/// Why the server stopped taking this laptop's changes, for the user.
pub fn describe_stop(stop: &PushStop) -> String {
    match stop {
        PushStop::Gap { expected } => {
            format!("服务器缺少本机第 {expected} 条修改之前的记录，已停止接收；下次同步会从第 {expected} 条补发")
        }
        PushStop::Fork { seq } => format!(
            "服务器上本机第 {seq} 条修改与本机记录不一致（数据库可能被复制或从旧备份恢复），已停止接收本机修改，请联系管理员"
        ),
    }
}

fn state_of(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Applied | Outcome::Merged => "acknowledged",
        Outcome::Held => "conflict",
        Outcome::Rejected => "rejected",
    }
}

impl Store {
    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let count = |state: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row("SELECT COUNT(*) FROM outbox WHERE state = ?1", [state], |r| r.get(0))?)
        };
        Ok(SyncStatus {
            pending: count("pending")?,
            held: count("conflict")?,
            conflicts_waiting: sync_meta(&self.conn, "open_conflicts")?.and_then(|v| v.parse().ok()).unwrap_or(0),
            rejected: count("rejected")?,
            last_sync_at: sync_meta(&self.conn, "last_sync_at")?,
            uploads_pending: self.blobs_to_upload()?.len() as i64,
            overwritten: sync_meta(&self.conn, "overwritten")?.and_then(|v| v.parse().ok()).unwrap_or(0),
            set_aside: self.conn.query_row("SELECT COUNT(*) FROM sync_set_aside", [], |r| r.get(0))?,
            decisions_waiting: self.conn.query_row("SELECT COUNT(*) FROM conflict_decision", [], |r| r.get(0))?,
        })
    }

    /// Records from the server this laptop could not apply, oldest first.
    pub fn set_aside(&self) -> Result<Vec<SetAside>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT entity, entity_id, change_no, reason FROM sync_set_aside ORDER BY change_no")?;
        let rows = stmt.query_map([], |r| {
            Ok(SetAside {
                entity: r.get(0)?,
                entity_id: rows::parsed_at(r, 1)?,
                change_no: r.get(2)?,
                reason: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a supervisor's decision on a held conflict, to be sent with
    /// this and every later round until the server answers. Deciding a
    /// conflict already decided here keeps the first decision.
    pub fn decide_conflict(&mut self, conflict: Uuid, take_device_value: bool) -> Result<(), StoreError> {
        let request: Uuid = self.env.new_id();
        self.conn.execute(
            "INSERT INTO conflict_decision (request_id, conflict_id, take_device_value, decided_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (conflict_id) DO NOTHING",
            params![request.to_string(), conflict.to_string(), take_device_value, self.env.now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Sends the decisions waiting here. A refused one is dropped and
    /// reported; one without an answer waits for the next round.
    fn send_decisions(&mut self, t: &mut dyn Transport, report: &mut SyncReport) -> Result<(), SyncError> {
        let waiting: Vec<(Uuid, Uuid, bool)> = {
            let mut stmt = self.conn.prepare(
                "SELECT request_id, conflict_id, take_device_value FROM conflict_decision ORDER BY decided_at",
            )?;
            let rows = stmt.query_map([], |r| Ok((rows::parsed_at(r, 0)?, rows::parsed_at(r, 1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (request, conflict, take) in waiting {
            let decision = Resolve { take_device_value: take, request_id: Some(request) };
            match t.resolve(conflict, &decision) {
                Ok(()) => report.decisions_sent += 1,
                Err(TransportError::Refused { message, .. }) => report.decisions_refused.push((conflict, message)),
                Err(e) => return Err(e.into()),
            }
            self.conn.execute("DELETE FROM conflict_decision WHERE request_id = ?1", [request.to_string()])?;
        }
        Ok(())
    }

    /// Files on this laptop the server is not known to hold. Taken from
    /// the folder, not from the records: a file whose record left this
    /// laptop (its park was unassigned) is still sent.
    fn blobs_to_upload(&self) -> Result<Vec<Sha256>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM blob_synced WHERE sha256 = ?1")?;
        let mut out = Vec::new();
        for sha in self.blobs().list()? {
            if !stmt.exists([sha.to_string()])? {
                out.push(sha);
            }
        }
        Ok(out)
    }

    /// Files records refer to that this laptop does not have.
    fn blobs_to_download(&self) -> Result<Vec<Sha256>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT sha256 FROM archive_attachment UNION SELECT sha256 FROM inspection_blob
             UNION SELECT sha256 FROM case_file ORDER BY sha256",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let blobs = self.blobs();
        let mut out = Vec::new();
        for sha in rows {
            // A name that is no hash (written before hashes were checked)
            // names no file the server could send: it is passed over, and
            // the other files still come.
            let Ok(sha) = sha?.parse::<Sha256>() else { continue };
            if !blobs.path_of(&sha).exists() {
                out.push(sha);
            }
        }
        Ok(out)
    }

    fn mark_blob_synced(&self, sha256: &Sha256) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO blob_synced (sha256, synced_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![sha256.to_string(), self.env.now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Uploads the files this laptop has and the server lacks (resuming
    /// where an earlier upload stopped), and downloads the ones records
    /// refer to that this laptop lacks. A file is marked as on the server
    /// only once the server has verified it.
    fn sync_blobs(&mut self, t: &mut dyn Transport, report: &mut SyncReport) -> Result<(), SyncError> {
        let blobs = self.blobs();
        for sha in self.blobs_to_upload()? {
            // A draft discarded since the list was made took its photos along.
            if !blobs.path_of(&sha).exists() {
                continue;
            }
            if !blobs.verify(&sha).map_err(StoreError::from)? {
                report.blobs_damaged.push(sha);
                continue;
            }
            match upload(t, &blobs.path_of(&sha), &sha) {
                Ok(sent) => {
                    report.blobs_uploaded += usize::from(sent);
                    self.mark_blob_synced(&sha)?;
                }
                Err(SyncError::Transport(TransportError::Refused { message, .. })) => {
                    report.blobs_refused.push((sha, message));
                }
                Err(e) => return Err(e),
            }
        }
        for sha in self.blobs_to_download()? {
            let mut writer = blobs.writer().map_err(StoreError::from)?;
            if !t.download(&sha, &mut writer)? {
                report.blobs_waiting += 1;
                continue;
            }
            match writer.finish(Some(sha)) {
                Ok(_) => {
                    report.blobs_downloaded += 1;
                    self.mark_blob_synced(&sha)?;
                }
                // Damaged on the way: the next round fetches it again.
                Err(crate::blob::BlobError::Mismatch { .. }) => report.blobs_waiting += 1,
                Err(e) => return Err(StoreError::from(e).into()),
            }
        }
        Ok(())
    }

    /// The server's conflict records as the conflicts screen shows them,
    /// each named from this laptop's copy of its record.
    pub fn conflict_items(&self, records: Vec<ConflictRecord>) -> Result<Vec<ConflictItem>, StoreError> {
        let mut items = Vec::with_capacity(records.len());
        for c in records {
            let entity_name = match c.entity {
                EntityKind::Enterprise => self.enterprise(c.entity_id.into())?.map(|e| e.name),
                EntityKind::Park => self.park(c.entity_id.into())?.map(|p| p.name),
                EntityKind::Inspection => self.inspection(c.entity_id.into())?.map(|i| i.enterprise_name),
                EntityKind::Notice => self.notice(c.entity_id.into())?.map(|n| n.number.to_string()),
                EntityKind::NumberVoid => None,
                EntityKind::ClueTransfer => self.clue_transfer(c.entity_id.into())?.and_then(|t| t.subject),
                EntityKind::CaseEvent => self.case_event(c.entity_id.into())?.map(|e| e.body.label().to_string()),
                EntityKind::TransferUpdate => self.transfer_update(c.entity_id)?.map(|u| u.news.label().to_string()),
            };
            let park_name = self.park(c.park_id)?.map(|p| p.name);
            items.push(ConflictItem {
                conflict_id: c.conflict_id,
                entity: c.entity.as_str().to_string(),
                entity_id: c.entity_id,
                entity_name: entity_name.unwrap_or_else(|| c.entity_id.to_string()),
                park_name: park_name.unwrap_or_else(|| c.park_id.to_string()),
                field: c.field,
                server_value: c.server_value,
                device_value: c.device_value,
                from_this_laptop: c.device_id == self.device_id,
                held: c.held,
                resolution: c.resolution,
            });
        }
        Ok(items)
    }

    /// How many times a park's cursor was deliberately set back to 0 (the
    /// server was restored, or a refused change made its park refetch).
    /// Apart from these, cursors only move forward.
    pub fn cursor_resets(&self) -> Result<i64, StoreError> {
        Ok(sync_meta(&self.conn, "cursor_resets")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// The pull cursor of a park (0: nothing pulled yet).
    pub fn sync_cursor(&self, park: ParkId) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT cursor FROM sync_cursor WHERE park_id = ?1", [park.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// One sync round: hello, push everything pending, pull every assigned
    /// park, drop parks no longer assigned.
    pub fn sync(&mut self, t: &mut dyn Transport) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let hello = t.hello(self.device_id)?;
        report.refilled = self.reconcile(&hello)?;
        self.push_all(t, &mut report)?;
        self.send_decisions(t, &mut report)?;
        for park in &hello.parks {
            let mut after = self.sync_cursor(*park)?;
            loop {
                let page = t.pull(&PullRequest { protocol: PROTOCOL, park_id: *park, after, limit: MAX_PAGE })?;
                if page.park_id != *park || page.changes.iter().any(|c| c.park_id != *park) {
                    return Err(SyncError::BadAnswer("返回了未请求的园区".into()));
                }
                if page.restart {
                    reset_cursor(&self.conn, "DELETE FROM sync_cursor WHERE park_id = ?1", &park.to_string())?;
                    report.refilled = true;
                    after = 0;
                    continue;
                }
                report.pulled += page.changes.len();
                after = self.apply_page(&page, &mut report.set_aside)?;
                if !page.more || page.changes.is_empty() {
                    break;
                }
            }
        }
        report.parks_removed = self.forget_unassigned(&hello.parks)?;
        self.sync_blobs(t, &mut report)?;
        report.reference_received = self.sync_reference(t)?;
        report.numbers_leased = self.stock_numbers(t)?;
        // This round's own held changes are not in the first count: ask
        // again. Should that fail, the work is done and the count waits
        // for the next round.
        let open_conflicts = match report.held {
            0 => hello.open_conflicts,
            _ => t.hello(self.device_id).map_or(hello.open_conflicts, |h| h.open_conflicts),
        };
        set_sync_meta(&self.conn, "open_conflicts", &open_conflicts.to_string())?;
        set_sync_meta(&self.conn, "overwritten", &hello.overwritten.to_string())?;
        let now = self.env.now().to_rfc3339();
        set_sync_meta(&self.conn, "last_sync_at", &now)?;
        self.search = None;
        Ok(report)
    }

    /// Compares what the server says it holds with what this laptop
    /// believes it sent. A server that is new, or was restored from an
    /// older backup, gets the missing history again. (Pulls find out on
    /// their own: the server answers an unknown cursor with `restart`.)
    fn reconcile(&mut self, hello: &Hello) -> Result<bool, SyncError> {
        let tx = self.conn.transaction()?;
        let known_epoch = sync_meta(&tx, "epoch")?;
        let new_server = known_epoch.as_deref().is_some_and(|e| e != hello.epoch.to_string());
        let resend_after = if new_server { 0 } else { hello.last_seq };
        let mut resent = send_again(&tx, "seq > ?1", resend_after)?;
        if !new_server {
            resent += ask_again_if_results_differ(&tx, hello.last_seq, &hello.results_digest)?;
        }
        set_sync_meta(&tx, "epoch", &hello.epoch.to_string())?;
        if resent > 0 {
            // The server lost what this laptop sent (a restore, a new
            // server): it may have lost the files too, or the record that
            // this laptop sent every byte of them. Each file is asked about
            // again and, where the server does not show it, sent again.
            tx.execute("DELETE FROM blob_synced", [])?;
        }
        tx.commit()?;
        Ok(resent > 0)
    }

    fn push_all(&mut self, t: &mut dyn Transport, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut chain: Option<(i64, String)> = None;
        // Batches go out until nothing is pending. A gap the server reports
        // (entries this laptop took as sent are missing there) or a result
        // chain that differs sets entries back; a few setbacks are normal
        // after a restore, more mean the server is misbehaving.
        let mut setbacks = 0;
        while setbacks <= 4 {
            let batch = self.pending_mutations(MAX_PUSH)?;
            if batch.is_empty() {
                // Every change has its result now: they must chain to what
                // the server holds, or this laptop asks for them again.
                if let Some((last, digest)) = chain.take() {
                    let tx = self.conn.transaction()?;
                    let again = ask_again_if_results_differ(&tx, last, &digest)?;
                    tx.commit()?;
                    if again > 0 {
                        report.refilled = true;
                        setbacks += 1;
                        continue;
                    }
                }
                return Ok(());
            }
            let resp =
                t.push(&PushRequest { protocol: PROTOCOL, device_id: self.device_id, mutations: batch.clone() })?;
            if resp.results.is_empty() && resp.stop.is_none() {
                return Err(SyncError::BadAnswer("服务器没有处理任何修改".into()));
            }
            report.pushed += resp.results.len();
            self.record_results(&resp)?;
            chain = Some((resp.last_seq, resp.results_digest.clone()));
            for r in &resp.results {
                match r.outcome {
                    Outcome::Applied | Outcome::Merged => report.accepted += 1,
                    Outcome::Held => report.held += 1,
                    Outcome::Rejected => report.rejected += 1,
                }
            }
            match resp.stop {
                Some(PushStop::Fork { seq }) => {
                    report.stopped = Some(PushStop::Fork { seq });
                    return Ok(());
                }
                Some(PushStop::Gap { expected }) => {
                    send_again(&self.conn, "seq >= ?1", expected)?;
                    report.stopped = Some(PushStop::Gap { expected });
                    setbacks += 1;
                }
                None => report.stopped = None,
            }
        }
        Ok(())
    }

    /// The first pending entries, in device order. Some may already be on
    /// the server (a lost reply leaves exactly that state); sending them
    /// again returns their stored results.
    fn pending_mutations(&self, limit: usize) -> Result<Vec<Mutation>, SyncError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, mutation_id, entity, entity_id, base_version, payload, payload_hash, created_at, receipt
             FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                rows::parsed_at(r, 1)?,
                r.get::<_, String>(2)?,
                rows::parsed_at(r, 3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, mutation_id, entity, entity_id, base_version, payload, payload_hash, created_at, receipt) = row?;
            let entity = EntityKind::parse(&entity)
                .ok_or_else(|| SyncError::BadAnswer(format!("本地修改记录 {seq} 的类型 {entity} 无法同步")))?;
            out.push(Mutation {
                seq,
                mutation_id,
                entity,
                entity_id,
                base_version,
                payload: serde_json::from_str(&payload)?,
                payload_hash,
                created_at,
                receipt,
            });
        }
        Ok(out)
    }

    /// Stores each result with its outbox entry. A held field goes back to
    /// the server's value on this laptop (the laptop's value waits in the
    /// conflict record); a rejected change makes its park pull again from
    /// the start, so the file shows what the server holds.
    fn record_results(&mut self, resp: &PushResponse) -> Result<(), SyncError> {
        let now = self.env.now().to_rfc3339();
        let mut tx = self.conn.transaction()?;
        for r in &resp.results {
            let entity: Option<(String, String)> = tx
                .query_row(
                    "SELECT entity, entity_id FROM outbox WHERE seq = ?1 AND mutation_id = ?2",
                    params![r.seq, r.mutation_id.to_string()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((entity, entity_id)) = entity else {
                return Err(SyncError::BadAnswer(format!("服务器答复了本机没有的修改 {}", r.seq)));
            };
            tx.execute(
                "UPDATE outbox SET state = ?2, result = ?3 WHERE seq = ?1",
                params![r.seq, state_of(r.outcome), serde_json::to_string(r)?],
            )?;
            let kind = EntityKind::parse(&entity)
                .ok_or_else(|| SyncError::BadAnswer(format!("本地修改记录 {} 的类型 {entity} 无法同步", r.seq)))?;
            let id = Uuid::parse_str(&entity_id).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            match r.outcome {
                Outcome::Held => {
                    let held: Vec<_> = r.conflicts.iter().filter(|c| c.held).collect();
                    // When the server folded this file into another, the held
                    // values are that file's (its credit code, say) and cannot
                    // go onto this copy; the copy leaves with the next pull.
                    let sp = tx.savepoint()?;
                    match revert_fields(&sp, kind, id, &held, &now) {
                        Ok(()) => sp.commit()?,
                        Err(SyncError::Store(StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))))
                            if f.code == rusqlite::ErrorCode::ConstraintViolation => {}
                        Err(e) => return Err(e),
                    }
                }
                Outcome::Rejected => {
                    reset_cursor(
                        &tx,
                        "DELETE FROM sync_cursor WHERE park_id IN
                           (SELECT park_id FROM enterprise WHERE id = ?1 UNION SELECT id FROM park WHERE id = ?1)",
                        &entity_id,
                    )?;
                }
                Outcome::Applied | Outcome::Merged => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies one page and moves the park's cursor, in one transaction.
    /// A record this laptop cannot apply (one it cannot read, or that
    /// contradicts what it holds) is set aside with the reason, and the
    /// rest of the page is applied. Returns the cursor.
    fn apply_page(&mut self, page: &PullPage, set_aside: &mut Vec<String>) -> Result<i64, SyncError> {
        let now = self.env.now().to_rfc3339();
        let mut tx = self.conn.transaction()?;
        for c in &page.changes {
            let sp = tx.savepoint()?;
            match apply_change(&sp, c, &now) {
                Ok(()) => {
                    sp.execute(
                        "DELETE FROM sync_set_aside WHERE entity = ?1 AND entity_id = ?2",
                        params![c.entity.as_str(), c.entity_id.to_string()],
                    )?;
                    sp.commit()?;
                }
                Err(SyncError::Transport(e)) => return Err(e.into()),
                Err(e) => {
                    drop(sp);
                    let reason = xuncha_sync::describe(&e as &dyn std::error::Error);
                    tx.execute(
                        "INSERT INTO sync_set_aside (entity, entity_id, park_id, change_no, reason, doc)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (entity, entity_id) DO UPDATE
                           SET change_no = ?4, reason = ?5, doc = ?6",
                        params![
                            c.entity.as_str(),
                            c.entity_id.to_string(),
                            c.park_id.to_string(),
                            c.change_no,
                            reason,
                            c.doc.to_string()
                        ],
                    )?;
                    set_aside.push(format!(
                        "第 {} 号变更（{} {}）：{reason}",
                        c.change_no,
                        c.entity.as_str(),
                        c.entity_id
                    ));
                }
            }
        }
        tx.execute(
            "INSERT INTO sync_cursor (park_id, cursor) VALUES (?1, ?2)
              ON CONFLICT (park_id) DO UPDATE SET cursor = ?2",
            params![page.park_id.to_string(), page.cursor],
        )?;
        tx.commit()?;
        Ok(page.cursor)
    }

    /// Removes the files of parks this user is no longer assigned to,
    /// except files with changes the server has not accepted.
    fn forget_unassigned(&mut self, assigned: &[ParkId]) -> Result<Vec<ParkId>, SyncError> {
        let tx = self.conn.transaction()?;
        let synced_parks: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT park_id FROM sync_cursor
                 UNION SELECT entity_id FROM synced_version WHERE entity = 'park'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut removed = Vec::new();
        for park in synced_parks {
            let id: ParkId = park.parse().map_err(|e: uuid::Error| SyncError::BadAnswer(e.to_string()))?;
            if assigned.contains(&id) {
                continue;
            }
            let keep = "SELECT entity_id FROM outbox WHERE state <> 'acknowledged'";
            for owner_table in ["archive_attachment", "archive_item", "contact"] {
                tx.execute(
                    &format!(
                        "DELETE FROM {owner_table} WHERE owner_id IN
                           (SELECT id FROM enterprise WHERE park_id = ?1 AND id NOT IN ({keep}))"
                    ),
                    [&park],
                )?;
            }
            let mut removed_rows =
                tx.execute(&format!("DELETE FROM enterprise WHERE park_id = ?1 AND id NOT IN ({keep})"), [&park])?;
            let left: i64 =
                tx.query_row("SELECT COUNT(*) FROM enterprise WHERE park_id = ?1", [&park], |r| r.get(0))?;
            let park_unsent: bool = tx.query_row(&format!("SELECT ?1 IN ({keep})"), [&park], |r| r.get(0))?;
            if left == 0 && !park_unsent {
                for owner_table in ["archive_attachment", "archive_item", "contact"] {
                    tx.execute(&format!("DELETE FROM {owner_table} WHERE owner_id = ?1"), [&park])?;
                }
                removed_rows += tx.execute("DELETE FROM park WHERE id = ?1", [&park])?;
                tx.execute("DELETE FROM synced_version WHERE entity = 'park' AND entity_id = ?1", [&park])?;
            }
            removed_rows += tx.execute("DELETE FROM sync_cursor WHERE park_id = ?1", [&park])?;
            if removed_rows > 0 {
                removed.push(id);
            }
        }
        tx.commit()?;
        Ok(removed)
    }
}

/// Writes one received change over this laptop's copy, with this laptop's
/// unsent edits on top.
fn apply_change(tx: &rusqlite::Connection, c: &xuncha_sync::Change, now: &str) -> Result<(), SyncError> {
    let Value::Object(mut doc) = c.doc.clone() else {
        return Err(SyncError::BadAnswer(format!("第 {} 号变更不是一个对象", c.change_no)));
    };
    // A file the server folded into another (it turned out to be the same
    // enterprise) leaves only a marker: the file goes, its id names the other.
    if let (EntityKind::Enterprise, Some(into)) = (c.entity, doc.get("merged_into").and_then(Value::as_str)) {
        let into = Uuid::parse_str(into).map_err(|e| SyncError::BadAnswer(format!("合并去向无法读取：{e}")))?;
        rows::delete_enterprise(tx, c.entity_id.into())?;
        tx.execute(
            "INSERT INTO enterprise_merged (merged_id, into_id) VALUES (?1, ?2)
             ON CONFLICT (merged_id) DO UPDATE SET into_id = ?2",
            params![c.entity_id.to_string(), into.to_string()],
        )?;
        return Ok(());
    }
    overlay_unsent(tx, c.entity, c.entity_id, &mut doc)?;
    if c.entity == EntityKind::Enterprise {
        drop_refused_twins(tx, c.entity_id, doc.get("credit_code").and_then(Value::as_str))?;
    }
    let local: Option<i64> = tx
        .query_row(
            &format!("SELECT version FROM {} WHERE id = ?1", c.entity.as_str()),
            [c.entity_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    // The local version only ever grows, so an editor open on the old
    // state is told it is stale instead of overwriting.
    let version = local.map_or(c.version, |v| (v + 1).max(c.version));
    doc.insert("version".into(), version.into());
    write_doc(tx, c.entity, c.entity_id, Value::Object(doc), version, now, local.is_none())?;
    tx.execute(
        "INSERT INTO synced_version (entity, entity_id, version) VALUES (?1, ?2, ?3)
         ON CONFLICT (entity, entity_id) DO UPDATE SET version = ?3",
        params![c.entity.as_str(), c.entity_id.to_string(), c.version],
    )?;
    Ok(())
}

/// Removes files made here whose creation the server refused, that the
/// server never sent, and that hold the credit code of a file the server
/// sends: the server's file is the enterprise; the refused change stays in
/// the outbox with its reason.
fn drop_refused_twins(tx: &rusqlite::Connection, id: Uuid, code: Option<&str>) -> Result<(), SyncError> {
    let Some(code) = code else { return Ok(()) };
    let twins: Vec<EnterpriseId> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM enterprise WHERE credit_code = ?1 AND id <> ?2 AND id IN
               (SELECT entity_id FROM outbox WHERE entity = 'enterprise' AND state = 'rejected'
                  AND json_extract(payload, '$.op') = 'create')
               AND id NOT IN (SELECT entity_id FROM synced_version WHERE entity = 'enterprise')",
        )?;
        let rows = stmt.query_map(params![code, id.to_string()], |r| rows::parsed_at(r, 0))?;
        rows.collect::<Result<_, _>>()?
    };
    for twin in twins {
        rows::delete_enterprise(tx, twin)?;
    }
    Ok(())
}

/// Sets held fields back to the server's value, except fields a later
/// unsent edit of this laptop changes again.
fn revert_fields(
    tx: &rusqlite::Connection,
    kind: EntityKind,
    id: Uuid,
    held: &[&xuncha_sync::FieldConflict],
    now: &str,
) -> Result<(), SyncError> {
    if held.is_empty() || kind.is_insert_only() {
        return Ok(());
    }
    let mut later = Map::new();
    overlay_unsent(tx, kind, id, &mut later)?;
    let doc = match kind {
        EntityKind::Enterprise => rows::load_enterprise(tx, id.into())?.map(serde_json::to_value).transpose()?,
        EntityKind::Park => rows::load_park(tx, id.into())?.map(serde_json::to_value).transpose()?,
        // Insert-only records hold no fields back.
        _ => None,
    };
    let Some(Value::Object(mut doc)) = doc else {
        return Ok(());
    };
    let mut changed = false;
    for c in held {
        if !later.contains_key(xuncha_sync::element::field_of(&c.field)) {
            xuncha_sync::element::set(kind, &mut doc, &c.field, c.server_value.clone());
            changed = true;
        }
    }
    if !changed {
        return Ok(());
    }
    let version = doc.get("version").and_then(Value::as_i64).unwrap_or(0) + 1;
    doc.insert("version".into(), version.into());
    write_doc(tx, kind, id, Value::Object(doc), version, now, false)
}

/// Writes a whole document into the local tables.
fn write_doc(
    tx: &rusqlite::Connection,
    kind: EntityKind,
    id: Uuid,
    doc: Value,
    version: i64,
    now: &str,
    is_new: bool,
) -> Result<(), SyncError> {
    match kind {
        EntityKind::Enterprise => {
            let e: crate::Enterprise = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("企业档案 {id} 无法读取：{e}")))?;
            rows::receive_folds(tx, &e)?;
            rows::write_enterprise(tx, &e, version, now, is_new)?;
        }
        EntityKind::Park => {
            let p: crate::Park = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("园区档案 {id} 无法读取：{e}")))?;
            rows::write_park(tx, &p, version, now)?;
        }
        EntityKind::Inspection => {
            let i: crate::inspection::Inspection = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("检查记录 {id} 无法读取：{e}")))?;
            super::inspection::receive(tx, &i, now)?;
        }
        EntityKind::Notice => {
            let n: crate::notice::Notice = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("整改通知书 {id} 无法读取：{e}")))?;
            super::notice::receive_notice(tx, &n, now)?;
        }
        EntityKind::NumberVoid => {
            let v: super::notice::NumberVoid = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("文号作废记录 {id} 无法读取：{e}")))?;
            super::notice::receive_void(tx, &v)?;
        }
        EntityKind::ClueTransfer => {
            let t: crate::clue_transfer::ClueTransfer = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("违法线索移交书 {id} 无法读取：{e}")))?;
            super::clue_transfer::receive(tx, &t, now)?;
        }
        EntityKind::CaseEvent => {
            let e: crate::rectification::CaseEvent = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("整改案件记录 {id} 无法读取：{e}")))?;
            super::rectification::receive(tx, &e, now)?;
        }
        EntityKind::TransferUpdate => {
            let u: crate::clue_transfer::TransferUpdate = serde_json::from_value(doc)
                .map_err(|e| SyncError::BadAnswer(format!("违法线索移交的后续记录 {id} 无法读取：{e}")))?;
            super::clue_transfer::receive_update(tx, &u, now)?;
        }
    }
    Ok(())
}

/// Puts this laptop's unsent edits of an entity over the server's document.
fn overlay_unsent(
    tx: &rusqlite::Connection,
    kind: EntityKind,
    id: Uuid,
    doc: &mut Map<String, Value>,
) -> Result<(), SyncError> {
    let mut stmt = tx.prepare_cached(
        "SELECT payload FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND state = 'pending' ORDER BY seq",
    )?;
    let payloads = stmt.query_map(params![kind.as_str(), id.to_string()], |r| r.get::<_, String>(0))?;
    for payload in payloads {
        let payload: Value = serde_json::from_str(&payload?)?;
        if let Some(fields) = payload.get("fields").and_then(Value::as_object) {
            for (k, v) in fields {
                doc.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(())
}

/// Compares this laptop's result chain up to `last` with the server's.
/// When they differ, every result up to `last` is forgotten, so the next
/// push asks for them again (the server answers from its stored results).
/// Returns how many entries were set back; 0 when the chains agree or some
/// entry up to `last` has no result yet (it is sent anyway).
fn ask_again_if_results_differ(tx: &Transaction<'_>, last: i64, digest: &str) -> Result<usize, SyncError> {
    let mut chain = String::new();
    {
        let mut stmt = tx.prepare_cached("SELECT result FROM outbox WHERE seq <= ?1 ORDER BY seq")?;
        let mut rows = stmt.query([last])?;
        while let Some(row) = rows.next()? {
            let Some(text) = row.get::<_, Option<String>>(0)? else {
                return Ok(0);
            };
            let result: xuncha_sync::MutationResult = serde_json::from_str(&text)?;
            chain = xuncha_sync::chain_results(&chain, &result);
        }
    }
    if chain == digest {
        return Ok(0);
    }
    send_again(tx, "seq <= ?1", last)
}

/// Sets the entries matching `condition` (on `?1`) back to pending,
/// keeping the receipt of an earlier acceptance to send along.
fn send_again(conn: &rusqlite::Connection, condition: &str, param: i64) -> Result<usize, SyncError> {
    Ok(conn.execute(
        &format!(
            "UPDATE outbox SET state = 'pending',
                    receipt = COALESCE(NULLIF(json_extract(result, '$.receipt'), ''), receipt),
                    result = NULL
             WHERE {condition} AND state <> 'pending'"
        ),
        [param],
    )?)
}

/// Deletes cursors with `sql` (one parameter) and counts the reset.
fn reset_cursor(conn: &rusqlite::Connection, sql: &str, param: &str) -> Result<(), StoreError> {
    if conn.execute(sql, [param])? > 0 {
        let resets = sync_meta(conn, "cursor_resets")?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        set_sync_meta(conn, "cursor_resets", &(resets + 1).to_string())?;
    }
    Ok(())
}

fn sync_meta(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT value FROM sync_meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_sync_meta(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

fn file_error(e: std::io::Error) -> SyncError {
    SyncError::Store(crate::blob::BlobError::from(e).into())
}

/// Sends one file from where the server stopped; `false` when the server
/// had it already. A refused chunk (the server's offset moved, say) asks
/// where the server stands and goes on from there, a few times at most.
fn upload(t: &mut dyn Transport, path: &std::path::Path, sha256: &Sha256) -> Result<bool, SyncError> {
    let mut offset = match t.blob_state(sha256)? {
        BlobOnServer::Stored => return Ok(false),
        BlobOnServer::Missing { received } => received,
    };
    let mut file = File::open(path).map_err(file_error)?;
    let total = file.metadata().map_err(file_error)?.len();
    let mut buf = vec![0u8; BLOB_CHUNK];
    let mut setbacks = 0;
    loop {
        let len = BLOB_CHUNK.min(total.saturating_sub(offset) as usize);
        let chunk = &mut buf[..len];
        file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_exact(chunk)).map_err(file_error)?;
        match t.upload_chunk(sha256, offset, total, chunk) {
            Ok(BlobUpload { complete: true, .. }) => return Ok(true),
            Ok(BlobUpload { received, .. }) if received > offset && received < total => offset = received,
            Ok(answer) => return Err(SyncError::BadAnswer(format!("上传进度异常：{answer:?}"))),
            // The server stands elsewhere (this device's other program, the
            // window beside the CLI, sent part of the file, or an unfinished
            // upload expired), or bytes were damaged on the way and the
            // server threw the upload away: go on from where it stands. Any other
            // refusal is the server's last word on this file.
            Err(TransportError::Refused { code: ErrorCode::UploadOffset | ErrorCode::HashMismatch, .. })
                if setbacks < 3 =>
            {
                setbacks += 1;
                offset = match t.blob_state(sha256)? {
                    BlobOnServer::Stored => return Ok(true),
                    BlobOnServer::Missing { received } => received,
                };
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// One conflict as the conflicts screen shows it: both values and whose
/// record it is.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConflictItem {
    pub conflict_id: uuid::Uuid,
    /// `enterprise` or `park`.
    pub entity: String,
    pub entity_id: uuid::Uuid,
    /// The enterprise's or park's name on this laptop.
    pub entity_name: String,
    pub park_name: String,
    /// The field's name in the record (`legal_representative`, …).
    pub field: String,
    /// The value the server holds (the one that arrived first).
    #[ts(type = "unknown")]
    pub server_value: serde_json::Value,
    /// The value a laptop sent later.
    #[ts(type = "unknown")]
    pub device_value: serde_json::Value,
    /// The later value came from this laptop.
    pub from_this_laptop: bool,
    /// Waiting for a supervisor (a field with legal or risk weight).
    pub held: bool,
    /// The value that stands once decided, or for unguarded fields the
    /// value that was taken on arrival.
    #[ts(type = "unknown | null")]
    pub resolution: Option<serde_json::Value>,
}
