//! Issuing numbered notices and voiding numbers, offline.
//!
//! The number is taken from a leased block in the same transaction that
//! writes the notice and its outbox entry, so a number is used once or
//! not at all. With no block left the laptop refuses: it never makes a
//! number up. Notices and voids are evidence: the tables' triggers refuse
//! changes, and a spoiled notice is voided, not edited.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::outbox::queue;
use super::rectification::{case_in, open_in, record_in};
use super::{Store, StoreError};
use crate::enterprise::FieldProblem;
use crate::id::*;
use crate::inspection::{FindingSeverity, InspectionState};
pub use crate::notice::NumberVoid;
use crate::notice::{chinese_date, DocNumber, DocumentFonts, Notice, NoticeOffice, NoticePhoto, NoticeProblem};
use crate::rectification::{CaseState, EventBody, Term};

/// What a clerk fills in to issue a notice from a signed inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewNotice {
    pub inspection_id: InspectionId,
    /// The number series, e.g. `notice`.
    pub series: String,
    /// The findings the notice names; empty means every general and
    /// serious finding of the inspection.
    pub finding_ids: Vec<FindingId>,
    pub laws: String,
    /// When the rectification plan is due (`YYYY-MM-DD`).
    pub plan_due: String,
    pub office: NoticeOffice,
    /// The case the notice is issued for; `None` opens one with the
    /// notice's findings.
    pub case_id: Option<CaseId>,
    /// Who approved the notice; needed unless the case was reviewed.
    pub reviewed_by: String,
    /// Who answers for the rectification at the enterprise, for the case
    /// the notice opens (see `NewCase::responsible`).
    #[serde(default)]
    pub responsible: String,
}

/// The rectification term of findings without a deadline of their own.
pub const DEFAULT_TERM: Term = Term::Days(30);

/// The number a void gives up: an issued notice's, or the next unused one.
enum Voided<'a> {
    Used(DocNumber, NoticeId),
    Next(&'a str),
}

/// Takes the next unused number of `series` for `year` from this laptop's
/// blocks, inside the caller's transaction.
pub(super) fn take_number(tx: &rusqlite::Transaction<'_>, series: &str, year: i32) -> Result<DocNumber, StoreError> {
    let row: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT block_id, prefix, next FROM number_block WHERE series = ?1 AND year = ?2 AND next <= last
             ORDER BY first LIMIT 1",
            params![series, year],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((block, prefix, serial)) = row else {
        return Err(StoreError::NoNumbers { series: series.to_string(), year });
    };
    tx.execute("UPDATE number_block SET next = next + 1 WHERE block_id = ?1", [block])?;
    Ok(DocNumber { series: series.to_string(), prefix, year, serial })
}

impl Store {
    /// Issues a notice from a signed inspection: checks it, takes the next
    /// number, and stores the notice with its outbox entry, all at once.
    pub fn issue_notice(&mut self, new: &NewNotice) -> Result<Notice, StoreError> {
        let i = self
            .inspection(new.inspection_id)?
            .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: new.inspection_id.to_string() })?;
        let now = self.env.now_in_china();
        let today = now.date_naive();
        let mut problems = Vec::new();
        if i.state != InspectionState::Signed {
            problems.push(FieldProblem::error("inspection_id", "只能依据已签名的检查记录下发整改通知书"));
        }
        // The case: the one named, else the inspection's case still waiting
        // for its notice (after a spoiled notice was voided, say).
        let case = match new.case_id {
            Some(id) => {
                Some(self.case(id)?.ok_or_else(|| StoreError::NotFound { what: "整改案件", key: id.to_string() })?)
            }
            None => super::rectification::awaiting_notice(&self.conn, i.id)?,
        };
        let chosen_ids: Vec<FindingId> = match &case {
            Some(c) => c.findings.iter().map(|f| f.finding_id).collect(),
            None => new.finding_ids.clone(),
        };
        match case.as_ref().map(|c| c.state) {
            Some(CaseState::Reviewed) => {}
            None | Some(CaseState::Draft) if new.reviewed_by.trim().is_empty() => {
                problems.push(FieldProblem::error("reviewed_by", "请填写审核人（通知书须经审核后下发）"))
            }
            None | Some(CaseState::Draft) => {}
            Some(s) => problems
                .push(FieldProblem::error("case_id", format!("该整改案件处于“{}”状态，不能再下发通知书", s.label()))),
        }
        let findings: Vec<_> = if chosen_ids.is_empty() {
            i.findings.iter().filter(|f| f.severity != FindingSeverity::Minor).collect()
        } else {
            let chosen: Vec<_> = i.findings.iter().filter(|f| chosen_ids.contains(&f.id)).collect();
            if chosen.len() != chosen_ids.len() {
                problems.push(FieldProblem::error("finding_ids", "所选问题不全属于这份检查记录"));
            }
            chosen
        };
        if case.is_none() {
            problems.extend(super::rectification::already_followed(&self.conn, i.id, &findings)?);
        }
        if findings.is_empty() {
            problems.push(FieldProblem::error(
                "finding_ids",
                "通知书至少要列出一个问题（当场整改的轻微问题不必下发通知书）",
            ));
        }
        match NaiveDate::parse_from_str(new.plan_due.trim(), "%Y-%m-%d") {
            Ok(due) if due <= today => problems.push(FieldProblem::error(
                "plan_due",
                format!("整改方案提交期限 {} 应晚于今天", chinese_date(&new.plan_due)),
            )),
            Ok(_) => {}
            Err(_) => problems.push(FieldProblem::error(
                "plan_due",
                format!("整改方案提交期限“{}”不是日期（YYYY-MM-DD）", new.plan_due),
            )),
        }
        if new.laws.trim().is_empty() {
            problems.push(FieldProblem::error("laws", "请填写通知书依据的法律法规及政策"));
        }
        let office = &new.office;
        for (field, value, label) in [
            ("issuer", &office.issuer, "落款单位"),
            ("inspected_by", &office.inspected_by, "检查方"),
            ("submit_to", &office.submit_to, "整改方案报送单位"),
            ("contact", &office.contact, "联系人"),
            ("phone", &office.phone, "联系电话"),
        ] {
            if value.trim().is_empty() {
                problems.push(FieldProblem::error(field, format!("请填写{label}")));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let photos = i
            .photos
            .iter()
            .filter(|p| p.finding_id.is_some_and(|f| findings.iter().any(|x| x.id == f)))
            .map(|p| {
                let found = findings.iter().find(|f| Some(f.id) == p.finding_id).map_or("", |f| f.found.as_str());
                let by_hand = if p.time_entered.is_some() { "，手工录入" } else { "" };
                let when = p
                    .taken_at
                    .as_deref()
                    .map(|t| format!("（拍摄于{}{by_hand}）", chinese_date(t)))
                    .unwrap_or_default();
                NoticePhoto { photo_id: p.id, sha256: p.watermarked_sha256, caption: format!("{found}{when}") }
            })
            .collect();
        let stamp = self.env.now().to_rfc3339();
        let (id, mutation) = (self.env.new_id(), (self.env.new_id(), self.device_id));
        let tx = self.conn.transaction()?;
        let number = take_number(&tx, new.series.trim(), now.year())?;
        let notice = Notice {
            id,
            park_id: i.park_id,
            enterprise_id: i.enterprise_id,
            inspection_id: i.id,
            number,
            addressee: i.enterprise_name.clone(),
            inspected_from: i.started_at.clone(),
            inspected_to: i.ended_at.clone().unwrap_or_else(|| i.started_at.clone()),
            problems: findings
                .iter()
                .map(|f| NoticeProblem {
                    finding_id: f.id,
                    found: f.found.clone(),
                    suggestion: f.suggestion.clone(),
                    legal_basis: f.legal_basis.clone(),
                })
                .collect(),
            laws: new.laws.trim().to_string(),
            plan_due: new.plan_due.trim().to_string(),
            office: office.clone(),
            issued_on: today.format("%Y-%m-%d").to_string(),
            photos,
            issued_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            device_id: Some(self.device_id),
        };
        write_notice(&tx, &notice, &stamp)?;
        queue(&tx, mutation, "notice", notice.id, &serde_json::to_value(&notice)?, &stamp)?;
        // The notice moves its case on: opened now if need be, reviewed,
        // issued, all in this transaction.
        let who = (self.device_id, self.operator.as_str());
        let mut case = match &case {
            Some(c) => {
                case_in(&tx, c.id)?.ok_or(StoreError::NotFound { what: "整改案件", key: c.id.to_string() })?
            }
            None => {
                let finding_ids = notice.problems.iter().map(|p| p.finding_id).collect();
                let opening = super::rectification::NewCase {
                    inspection_id: i.id,
                    finding_ids,
                    term: DEFAULT_TERM,
                    responsible: new.responsible.clone(),
                };
                open_in(&tx, &mut self.env, who, &opening)?
            }
        };
        if case.state == CaseState::Draft {
            let review = EventBody::Reviewed { by: new.reviewed_by.trim().to_string(), note: String::new() };
            case = record_in(&tx, &mut self.env, who, case.id, review)?;
        }
        let issued = EventBody::Issued {
            notice_id: notice.id,
            number: notice.number.to_string(),
            plan_due: notice.plan_due.clone(),
        };
        record_in(&tx, &mut self.env, who, case.id, issued)?;
        tx.commit()?;
        Ok(notice)
    }

    pub fn notice(&self, id: NoticeId) -> Result<Option<Notice>, StoreError> {
        let doc: Option<String> =
            self.conn.query_row("SELECT doc FROM notice WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Every notice held here, newest number first; `enterprise` narrows it.
    pub fn notices(&self, enterprise: Option<EnterpriseId>) -> Result<Vec<Notice>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc FROM notice WHERE ?1 IS NULL OR enterprise_id = ?1 OR enterprise_id IN (SELECT merged_id FROM enterprise_merged WHERE into_id = ?1) ORDER BY series, year DESC, serial DESC",
        )?;
        let rows = stmt.query_map([enterprise.map(|e| e.to_string())], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// Every voided number held here.
    pub fn number_voids(&self) -> Result<Vec<NumberVoid>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT doc FROM number_void ORDER BY series, year, serial")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// Voids an issued notice's number: the notice stays, marked void,
    /// and the number is never given again.
    pub fn void_notice(&mut self, notice_id: NoticeId, reason: &str) -> Result<NumberVoid, StoreError> {
        let n = self
            .notice(notice_id)?
            .ok_or_else(|| StoreError::NotFound { what: "整改通知书", key: notice_id.to_string() })?;
        self.void(n.park_id, Voided::Used(n.number, n.id), reason)
    }

    /// Gives up the next number of `series` without a notice (a paper form
    /// spoiled by hand, say), so the paper and the register agree.
    pub fn void_next_number(&mut self, park_id: ParkId, series: &str, reason: &str) -> Result<NumberVoid, StoreError> {
        self.void(park_id, Voided::Next(series), reason)
    }

    fn void(&mut self, park_id: ParkId, what: Voided<'_>, reason: &str) -> Result<NumberVoid, StoreError> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(vec![FieldProblem::error("reason", "请写明作废原因")]));
        }
        let now = self.env.now_in_china();
        let stamp = self.env.now().to_rfc3339();
        let (id, mutation) = (self.env.new_id(), (self.env.new_id(), self.device_id));
        let tx = self.conn.transaction()?;
        let (number, notice_id) = match what {
            Voided::Used(number, id) => (number, Some(id)),
            Voided::Next(series) => (take_number(&tx, series.trim(), now.year())?, None),
        };
        let already: Option<String> = tx
            .query_row(
                "SELECT voided_at FROM number_void WHERE series = ?1 AND year = ?2 AND serial = ?3",
                params![number.series, number.year, number.serial],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(at) = already {
            return Err(StoreError::Invalid(vec![FieldProblem::error(
                "number",
                format!("文号 {number} 已于{}作废", chinese_date(&at)),
            )]));
        }
        let v = NumberVoid {
            id,
            park_id,
            number,
            notice_id,
            reason: reason.trim().to_string(),
            voided_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            device_id: Some(self.device_id),
        };
        write_void(&tx, &v)?;
        queue(&tx, mutation, "number_void", v.id, &serde_json::to_value(&v)?, &stamp)?;
        // A spoiled notice sends its case back to wait for a new one.
        if let Some(notice_id) = notice_id {
            if let Some(case) = super::rectification::case_of_notice(&tx, notice_id)? {
                if case.state == CaseState::Issued && case.notice_id == Some(notice_id) {
                    let voided = EventBody::NoticeVoided { notice_id, reason: v.reason.clone() };
                    record_in(&tx, &mut self.env, (self.device_id, self.operator.as_str()), case.id, voided)?;
                }
            }
        }
        tx.commit()?;
        Ok(v)
    }
}

/// Stores a notice received by sync, unless it is here already.
pub(super) fn receive_notice(tx: &rusqlite::Connection, n: &Notice, stamp: &str) -> Result<(), StoreError> {
    let here: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM notice WHERE id = ?1)", [n.id.to_string()], |r| r.get(0))?;
    if !here {
        write_notice(tx, n, stamp)?;
    }
    Ok(())
}

/// Stores a void received by sync, unless it is here already.
pub(super) fn receive_void(tx: &rusqlite::Connection, v: &NumberVoid) -> Result<(), StoreError> {
    let here: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM number_void WHERE id = ?1)", [v.id.to_string()], |r| r.get(0))?;
    if !here {
        write_void(tx, v)?;
    }
    Ok(())
}

fn write_void(tx: &rusqlite::Connection, v: &NumberVoid) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO number_void (id, park_id, series, year, serial, notice_id, reason, voided_at, device_id, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            v.id.to_string(),
            v.park_id.to_string(),
            v.number.series,
            v.number.year,
            v.number.serial,
            v.notice_id.map(|n| n.to_string()),
            v.reason,
            v.voided_at,
            v.device_id.map(|d| d.to_string()),
            serde_json::to_string(v)?
        ],
    )?;
    Ok(())
}

/// Writes a notice row (an insert; the triggers refuse any change).
fn write_notice(tx: &rusqlite::Connection, n: &Notice, stamp: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO notice (id, park_id, enterprise_id, inspection_id, series, year, serial, issued_on, doc, device_id, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            n.id.to_string(),
            n.park_id.to_string(),
            n.enterprise_id.to_string(),
            n.inspection_id.to_string(),
            n.number.series,
            n.number.year,
            n.number.serial,
            n.issued_on,
            serde_json::to_string(n)?,
            n.device_id.map(|d| d.to_string()),
            stamp
        ],
    )?;
    Ok(())
}

impl Store {
    /// The notice's photos for printing: each watermarked copy's JPEG bytes
    /// and its caption. A file not yet on this laptop is named.
    pub fn notice_photos(&self, n: &Notice) -> Result<Vec<(Vec<u8>, String)>, StoreError> {
        let blobs = self.blobs();
        n.photos
            .iter()
            .map(|p| match std::fs::read(blobs.path_of(&p.sha256)) {
                Ok(bytes) => Ok((bytes, p.caption.clone())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound {
                    what: "照片文件（尚未同步到本机）",
                    key: p.sha256.to_string(),
                }),
                Err(e) => Err(e.into()),
            })
            .collect()
    }
}

/// The settings key of the office's notice settings.
const OFFICE_SETTINGS: &str = "notice_office";

/// The settings key of the office's font files.
const FONT_SETTINGS: &str = "document_fonts";

impl Store {
    /// The office's notice settings last saved on this laptop.
    pub fn notice_office(&self) -> Result<Option<NoticeOffice>, StoreError> {
        self.setting(OFFICE_SETTINGS)
    }

    /// Saves the office's notice settings for the next notices.
    pub fn save_notice_office(&mut self, office: &NoticeOffice) -> Result<(), StoreError> {
        self.save_setting(OFFICE_SETTINGS, office)
    }

    /// The office's own font files, if it chose any.
    pub fn document_fonts(&self) -> Result<DocumentFonts, StoreError> {
        Ok(self.setting(FONT_SETTINGS)?.unwrap_or_default())
    }

    pub fn save_document_fonts(&mut self, fonts: &DocumentFonts) -> Result<(), StoreError> {
        self.save_setting(FONT_SETTINGS, fonts)
    }

    /// Notices issued on `day` (`YYYY-MM-DD`), for a clerk's batch.
    pub fn notices_issued_on(&self, day: &str) -> Result<Vec<Notice>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT doc FROM notice WHERE issued_on = ?1 ORDER BY series, year, serial")?;
        let rows = stmt.query_map([day], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }
}
