//! Rectification cases on the laptop: opening a case from a signed
//! inspection, recording its events offline, folding them into cases.
//!
//! Every event is checked against the transition table on the case as
//! this laptop knows it, and written with its outbox entry in one
//! transaction. The server's verdict arrives by sync and is set once.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::outbox::queue;
use super::rows::parsed_at;
use super::{Store, StoreError};
use crate::enterprise::FieldProblem;
use crate::id::*;
use crate::inspection::{Finding, FindingSeverity, InspectionState};
use crate::rectification::{due_after, fold, order, Case, CaseEvent, CaseFile, CaseFinding, EventBody, Term, Verdict};

/// What opens a case: a signed inspection's findings and the term for
/// those without a deadline of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewCase {
    pub inspection_id: InspectionId,
    /// Empty: every general and serious finding.
    pub finding_ids: Vec<FindingId>,
    pub term: Term,
    /// Who answers for the rectification at the enterprise; empty: the
    /// enterprise file's environmental contact, as the ledger reads it.
    #[serde(default)]
    pub responsible: String,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseFilter {
    pub park_id: Option<ParkId>,
    pub enterprise_id: Option<EnterpriseId>,
    pub open_only: bool,
}

fn day(s: &str, field: &str, label: &str) -> Result<NaiveDate, FieldProblem> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| FieldProblem::error(field, format!("{label}“{s}”不是日期（YYYY-MM-DD）")))
}

impl Store {
    /// Opens a case (待审核) for findings of a signed inspection.
    pub fn open_case(&mut self, new: &NewCase) -> Result<Case, StoreError> {
        let tx = self.conn.transaction()?;
        let case = open_in(&tx, &mut self.env, (self.device_id, &self.operator), new)?;
        tx.commit()?;
        Ok(self.dated(case))
    }

    /// Records an event on a case, if it fits the case as this laptop
    /// knows it.
    pub fn record_case_event(&mut self, case_id: CaseId, body: EventBody) -> Result<Case, StoreError> {
        let tx = self.conn.transaction()?;
        let case = record_in(&tx, &mut self.env, (self.device_id, &self.operator), case_id, body)?;
        tx.commit()?;
        Ok(self.dated(case))
    }

    /// Keeps a file handed in for a case (a plan, an evidence photo) as it
    /// is, to go with the next event.
    pub fn keep_case_file(
        &self,
        path: &std::path::Path,
        finding_id: Option<FindingId>,
    ) -> Result<CaseFile, StoreError> {
        let blob = self.blobs().put_file(path)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(CaseFile { sha256: blob.sha256, file_name, finding_id })
    }

    pub fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        Ok(case_in(&self.conn, id)?.map(|c| self.dated(c)))
    }

    /// The case with its days overdue as of today (China time).
    fn dated(&self, mut c: Case) -> Case {
        c.overdue_days = c.days_overdue(self.env.now_in_china().date_naive());
        c
    }

    /// Cases, newest first.
    pub fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT case_id FROM case_event
             WHERE (?1 IS NULL OR park_id = ?1) AND (?2 IS NULL OR enterprise_id = ?2 OR enterprise_id IN (SELECT merged_id FROM enterprise_merged WHERE into_id = ?2))",
        )?;
        let ids = stmt
            .query_map(
                params![filter.park_id.map(|p| p.to_string()), filter.enterprise_id.map(|e| e.to_string())],
                |r| parsed_at(r, 0),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let mut cases = Vec::new();
        for id in ids {
            if let Some(c) = case_in(&self.conn, id)? {
                if !filter.open_only || c.state.is_open() {
                    cases.push(self.dated(c));
                }
            }
        }
        cases.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then(b.id.cmp(&a.id)));
        Ok(cases)
    }

    /// The case a notice was issued for.
    pub fn case_of_notice(&self, notice_id: NoticeId) -> Result<Option<Case>, StoreError> {
        Ok(case_of_notice(&self.conn, notice_id)?.map(|c| self.dated(c)))
    }
}

pub(super) fn case_of_notice(conn: &rusqlite::Connection, notice_id: NoticeId) -> Result<Option<Case>, StoreError> {
    case_where(conn, "issued", "$.body.notice_id", notice_id)
}

/// The case with an event of `kind` whose `path` holds `id`.
fn case_where(
    conn: &rusqlite::Connection,
    kind: &str,
    path: &str,
    id: impl std::fmt::Display,
) -> Result<Option<Case>, StoreError> {
    let case = conn
        .query_row(
            "SELECT case_id FROM case_event WHERE kind = ?1 AND json_extract(recorded, ?2) = ?3
             ORDER BY recorded_at DESC LIMIT 1",
            params![kind, path, id.to_string()],
            |r| parsed_at(r, 0),
        )
        .optional()?;
    match case {
        Some(c) => case_in(conn, c),
        None => Ok(None),
    }
}

/// Problems of `inspection` that a case already follows, each named: a
/// problem is followed in one case, so a closed case is not reopened by a
/// second notice and an open one is carried on where it is.
pub(super) fn already_followed(
    conn: &rusqlite::Connection,
    inspection: InspectionId,
    findings: &[&Finding],
) -> Result<Vec<FieldProblem>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT case_id FROM case_event
         WHERE kind = 'opened' AND json_extract(recorded, '$.body.inspection_id') = ?1",
    )?;
    let ids = stmt.query_map(params![inspection.to_string()], |r| parsed_at::<CaseId>(r, 0))?;
    let mut problems = Vec::new();
    for id in ids {
        let Some(case) = case_in(conn, id?)? else { continue };
        for f in findings.iter().filter(|f| case.findings.iter().any(|x| x.finding_id == f.id)) {
            problems.push(FieldProblem::error(
                "finding_ids",
                format!("问题“{}”已在整改案件中（{}），不能重复立案或再下发通知书", f.found, case.state.label()),
            ));
        }
    }
    Ok(problems)
}

/// The case opened from `inspection` that still waits for its notice.
pub(super) fn awaiting_notice(
    conn: &rusqlite::Connection,
    inspection: InspectionId,
) -> Result<Option<Case>, StoreError> {
    Ok(case_where(conn, "opened", "$.body.inspection_id", inspection)?.filter(|c| {
        matches!(c.state, crate::rectification::CaseState::Draft | crate::rectification::CaseState::Reviewed)
    }))
}

/// Opens a case inside the caller's transaction.
pub(super) fn open_in(
    tx: &Transaction<'_>,
    env: &mut crate::Env,
    who: Who<'_>,
    new: &NewCase,
) -> Result<Case, StoreError> {
    let i = super::inspection::load(tx, new.inspection_id)?
        .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: new.inspection_id.to_string() })?;
    let mut problems = Vec::new();
    if i.state != InspectionState::Signed {
        problems.push(FieldProblem::error("inspection_id", "只能依据已签名的检查记录立案"));
    }
    let chosen: Vec<_> = if new.finding_ids.is_empty() {
        i.findings.iter().filter(|f| f.severity != FindingSeverity::Minor).collect()
    } else {
        i.findings.iter().filter(|f| new.finding_ids.contains(&f.id)).collect()
    };
    if chosen.len() != new.finding_ids.len() && !new.finding_ids.is_empty() {
        problems.push(FieldProblem::error("finding_ids", "所选问题不全属于这份检查记录"));
    }
    if chosen.is_empty() {
        problems.push(FieldProblem::error("finding_ids", "整改案件至少要有一个问题（当场整改的轻微问题不必立案）"));
    }
    problems.extend(already_followed(tx, i.id, &chosen)?);
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let today = env.now_in_china().date_naive();
    let default_due = due_after(today, new.term).format("%Y-%m-%d").to_string();
    let findings = chosen
        .iter()
        .map(|f| CaseFinding {
            finding_id: f.id,
            item_key: f.item_key.clone(),
            found: f.found.clone(),
            suggestion: f.suggestion.clone(),
            severity: f.severity,
            due: f.deadline.clone().unwrap_or_else(|| default_due.clone()),
            photos: i.photos.iter().filter(|p| p.finding_id == Some(f.id)).map(|p| p.watermarked_sha256).collect(),
        })
        .collect();
    let case_id = env.new_id();
    let responsible = Some(new.responsible.trim().to_string()).filter(|r| !r.is_empty());
    let opened = EventBody::Opened { inspection_id: i.id, findings, responsible };
    write_event(tx, env, who, (case_id, i.park_id, i.enterprise_id), None, opened)?;
    case_in(tx, case_id)?.ok_or(StoreError::NotFound { what: "整改案件", key: case_id.to_string() })
}

/// Records an event inside the caller's transaction.
pub(super) fn record_in(
    tx: &Transaction<'_>,
    env: &mut crate::Env,
    who: Who<'_>,
    case_id: CaseId,
    body: EventBody,
) -> Result<Case, StoreError> {
    let case = case_in(tx, case_id)?.ok_or(StoreError::NotFound { what: "整改案件", key: case_id.to_string() })?;
    if let Err(why) = case.admits(&body) {
        return Err(StoreError::Invalid(vec![FieldProblem::error("kind", why)]));
    }
    let problems = check_body(tx, &case, &body)?;
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    write_event(tx, env, who, (case_id, case.park_id, case.enterprise_id), Some(case.state), body)?;
    case_in(tx, case_id)?.ok_or(StoreError::NotFound { what: "整改案件", key: case_id.to_string() })
}

/// The rules an event's content must meet beyond the transition table.
fn check_body(tx: &Transaction<'_>, case: &Case, body: &EventBody) -> Result<Vec<FieldProblem>, StoreError> {
    let mut problems = Vec::new();
    let mut need = |field: &str, value: &str, label: &str| {
        if value.trim().is_empty() {
            problems.push(FieldProblem::error(field, format!("请填写{label}")));
        }
    };
    match body {
        EventBody::Reviewed { by, .. } => need("by", by, "审核人"),
        EventBody::Delivered { to, on, how } => {
            need("to", to, "签收人");
            need("how", how, "送达方式");
            if let Err(p) = day(on, "on", "送达日期") {
                problems.push(p);
            }
        }
        EventBody::PlanReceived { on, .. } => {
            if let Err(p) = day(on, "on", "收到日期") {
                problems.push(p);
            }
        }
        EventBody::Rectified { on, note, files } => {
            if let Err(p) = day(on, "on", "整改完成日期") {
                problems.push(p);
            }
            if note.trim().is_empty() && files.is_empty() {
                problems.push(FieldProblem::error("files", "请附上整改佐证材料（照片或文件）或写明整改情况"));
            }
        }
        EventBody::Returned { reason } => need("reason", reason, "退回原因"),
        EventBody::Reinspected { inspection_id, .. } => match super::inspection::load(tx, *inspection_id)? {
            Some(i) if i.state == InspectionState::Signed && i.enterprise_id == case.enterprise_id => {}
            Some(_) => problems.push(FieldProblem::error("inspection_id", "复核须依据对该企业的、已签名的检查记录")),
            None => problems.push(FieldProblem::error("inspection_id", "未找到复核检查记录")),
        },
        EventBody::Closed { by, .. } => need("by", by, "销号人"),
        EventBody::Extended { finding_id, due, reason } => {
            need("reason", reason, "延期原因");
            let current = match finding_id {
                Some(id) => match case.findings.iter().find(|f| f.finding_id == *id) {
                    Some(f) => f.due.clone(),
                    None => {
                        problems.push(FieldProblem::error("finding_id", "该问题不属于本案件"));
                        return Ok(problems);
                    }
                },
                None => case.due.clone(),
            };
            match day(due, "due", "新的整改期限") {
                Ok(d) if d.format("%Y-%m-%d").to_string() <= current => problems.push(FieldProblem::error(
                    "due",
                    format!(
                        "新的整改期限 {} 应晚于原期限 {}",
                        crate::notice::chinese_date(due),
                        crate::notice::chinese_date(&current)
                    ),
                )),
                Ok(_) => {}
                Err(p) => problems.push(p),
            }
        }
        EventBody::Issued { notice_id, .. } => {
            let held: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM notice WHERE id = ?1)", [notice_id.to_string()], |r| {
                    r.get(0)
                })?;
            if !held {
                problems.push(FieldProblem::error("notice_id", "案件只能由已编号下发的整改通知书推进"));
            }
        }
        EventBody::Escalated { clue_transfer_id } => {
            let enterprise: Option<String> = tx
                .query_row(
                    "SELECT enterprise_id FROM clue_transfer WHERE id = ?1",
                    [clue_transfer_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if enterprise != Some(case.enterprise_id.to_string()) {
                problems.push(FieldProblem::error("clue_transfer_id", "请先移交违法线索，再将案件转为移交"));
            }
        }
        EventBody::Opened { .. } | EventBody::NoticeVoided { .. } => {}
    }
    Ok(problems)
}

/// The recording device and the operator's name.
pub(super) type Who<'a> = (DeviceId, &'a str);

fn write_event(
    tx: &Transaction<'_>,
    env: &mut crate::Env,
    (device, by): Who<'_>,
    (case_id, park_id, enterprise_id): (CaseId, ParkId, EnterpriseId),
    seen: Option<crate::rectification::CaseState>,
    body: EventBody,
) -> Result<(), StoreError> {
    let now = env.now_in_china();
    let stamp = env.now().to_rfc3339();
    let (id, mutation) = (env.new_id(), (env.new_id(), device));
    let e = CaseEvent {
        id,
        case_id,
        park_id,
        enterprise_id,
        seen,
        body,
        recorded_by: by.trim().to_string(),
        recorded_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        device_id: device,
        verdict: None,
    };
    insert(tx, &e, &stamp)?;
    queue(tx, mutation, "case_event", e.id, &serde_json::to_value(&e)?, &stamp)
}

fn insert(tx: &rusqlite::Connection, e: &CaseEvent, stamp: &str) -> Result<(), StoreError> {
    let recorded = CaseEvent { verdict: None, ..e.clone() };
    tx.execute(
        "INSERT INTO case_event (id, case_id, park_id, enterprise_id, kind, recorded_at, recorded, verdict, device_id,
                                 stored_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            e.id.to_string(),
            e.case_id.to_string(),
            e.park_id.to_string(),
            e.enterprise_id.to_string(),
            crate::rectification::kind_name(&e.body),
            e.recorded_at,
            serde_json::to_string(&recorded)?,
            e.verdict.as_ref().map(serde_json::to_string).transpose()?,
            e.device_id.to_string(),
            stamp,
            1,
        ],
    )?;
    for f in e.body.files() {
        tx.execute(
            "INSERT INTO case_file (event_id, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![e.id.to_string(), f.sha256.to_string()],
        )?;
    }
    Ok(())
}

/// Every event of a case, in the order they count.
fn events_of(conn: &rusqlite::Connection, case_id: CaseId) -> Result<Vec<CaseEvent>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT recorded, verdict FROM case_event WHERE case_id = ?1")?;
    let rows =
        stmt.query_map([case_id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
    let mut events = Vec::new();
    for row in rows {
        let (recorded, verdict) = row?;
        let mut e: CaseEvent = serde_json::from_str(&recorded)?;
        e.verdict = verdict.map(|v| serde_json::from_str(&v)).transpose()?;
        events.push(e);
    }
    order(&mut events);
    Ok(events)
}

pub(super) fn case_in(conn: &rusqlite::Connection, id: CaseId) -> Result<Option<Case>, StoreError> {
    Ok(fold(events_of(conn, id)?))
}

/// One event, as sync compares and sends it.
pub(super) fn load_event(conn: &rusqlite::Connection, id: CaseEventId) -> Result<Option<CaseEvent>, StoreError> {
    let row: Option<(String, Option<String>)> = conn
        .query_row("SELECT recorded, verdict FROM case_event WHERE id = ?1", [id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((recorded, verdict)) = row else { return Ok(None) };
    let mut e: CaseEvent = serde_json::from_str(&recorded)?;
    e.verdict = verdict.map(|v| serde_json::from_str(&v)).transpose()?;
    Ok(Some(e))
}

impl Store {
    pub fn case_event(&self, id: CaseEventId) -> Result<Option<CaseEvent>, StoreError> {
        load_event(&self.conn, id)
    }
}

/// Stores an event received by sync: new here, or known here and now
/// carrying the server's verdict. The server's word is final, even when it
/// changes (a server restored from a backup places the event again); the
/// event as recorded never changes.
pub(super) fn receive(tx: &rusqlite::Connection, e: &CaseEvent, stamp: &str) -> Result<(), StoreError> {
    let held: Option<Option<String>> =
        tx.query_row("SELECT verdict FROM case_event WHERE id = ?1", [e.id.to_string()], |r| r.get(0)).optional()?;
    let Some(held) = held else { return insert(tx, e, stamp) };
    let verdict = e.verdict.as_ref().map(serde_json::to_string::<Verdict>).transpose()?;
    if verdict.is_some() && verdict != held {
        tx.execute(
            "UPDATE case_event SET verdict = ?2, version = version + 1 WHERE id = ?1",
            params![e.id.to_string(), verdict],
        )?;
    }
    Ok(())
}
