//! Making clue transfers from signed inspections, offline.
//!
//! Like a notice, a transfer is checked, optionally numbered from a leased
//! block, and stored with its outbox entry in one transaction; the table's
//! triggers refuse any later change.

use chrono::Datelike;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::notice::take_number;
use super::outbox::queue;
use super::{Store, StoreError};
use crate::clue_transfer::{ClueTransfer, TransferFile, TransferNews, TransferOffice, TransferUpdate};
use crate::enterprise::FieldProblem;
use crate::id::*;
use crate::inspection::{FindingSeverity, InspectionState};
use crate::notice::chinese_date;

/// What a clerk fills in to transfer a clue from a signed inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewClueTransfer {
    pub inspection_id: InspectionId,
    /// The findings the clue rests on; at least one.
    pub finding_ids: Vec<FindingId>,
    /// The number series when the office numbers its transfers.
    pub series: Option<String>,
    /// `None` when the suspected unit is not yet known.
    pub subject: Option<String>,
    pub description: String,
    pub materials: Vec<String>,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub office: TransferOffice,
}

/// The settings key of the office's transfer settings.
const OFFICE_SETTINGS: &str = "transfer_office";

impl Store {
    /// Makes a clue transfer: checks it, takes a number if asked, and
    /// stores it with its outbox entry, all at once.
    pub fn transfer_clue(&mut self, new: &NewClueTransfer) -> Result<ClueTransfer, StoreError> {
        let i = self
            .inspection(new.inspection_id)?
            .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: new.inspection_id.to_string() })?;
        let mut problems = Vec::new();
        if i.state != InspectionState::Signed {
            problems.push(FieldProblem::error("inspection_id", "只能依据已签名的检查记录移交违法线索"));
        }
        if new.finding_ids.is_empty() {
            problems.push(FieldProblem::error("finding_ids", "请至少选择一个移交的问题"));
        } else if new.finding_ids.iter().any(|id| !i.findings.iter().any(|f| f.id == *id)) {
            problems.push(FieldProblem::error("finding_ids", "所选问题不全属于这份检查记录"));
        }
        if new.description.trim().is_empty() {
            problems.push(FieldProblem::error("description", "请填写违法行为线索简要描述"));
        }
        if new.materials.is_empty() {
            problems.push(FieldProblem::error("materials", "请列出随附的相关材料（至少一项，如现场检查记录）"));
        }
        for (n, m) in new.materials.iter().enumerate() {
            if m.trim().is_empty() {
                problems.push(FieldProblem::error("materials", format!("第{}项材料名称为空", n + 1)));
            }
        }
        if new.subject.as_deref().is_some_and(|s| s.trim().is_empty()) {
            problems.push(FieldProblem::error("subject", "涉嫌违法的单位或个人名称为空；暂不清楚时请选择“暂不清楚”"));
        }
        let office = &new.office;
        for (field, value, label) in [
            ("city", &office.city, "移交书抬头的市名"),
            ("receiver", &office.receiver, "接收单位"),
            ("sender_phrase", &office.sender_phrase, "移交部门在正文中的称谓"),
            ("issuer", &office.issuer, "落款单位"),
            ("sender_name", &office.sender_name, "移交人"),
            ("sender_phone", &office.sender_phone, "移交人联系电话"),
        ] {
            if value.trim().is_empty() {
                problems.push(FieldProblem::error(field, format!("请填写{label}")));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let now = self.env.now_in_china();
        let stamp = self.env.now().to_rfc3339();
        let (id, mutation) = (self.env.new_id(), (self.env.new_id(), self.device_id));
        let tx = self.conn.transaction()?;
        let number = match new.series.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(series) => Some(take_number(&tx, series, now.year())?),
            None => None,
        };
        let t = ClueTransfer {
            id,
            park_id: i.park_id,
            enterprise_id: i.enterprise_id,
            inspection_id: i.id,
            finding_ids: new.finding_ids.clone(),
            number,
            subject: new.subject.as_deref().map(|s| s.trim().to_string()),
            description: new.description.trim().to_string(),
            materials: new.materials.iter().map(|m| m.trim().to_string()).collect(),
            receiver_name: new.receiver_name.trim().to_string(),
            receiver_phone: new.receiver_phone.trim().to_string(),
            office: office.clone(),
            transferred_on: now.format("%Y-%m-%d").to_string(),
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            device_id: Some(self.device_id),
        };
        write(&tx, &t, &stamp)?;
        queue(&tx, mutation, "clue_transfer", t.id, &serde_json::to_value(&t)?, &stamp)?;
        tx.commit()?;
        Ok(t)
    }

    /// A transfer filled in from the inspection and the saved settings, for
    /// the clerk to check: the chosen findings (by default the serious
    /// ones), their description, the enterprise as the subject, and the
    /// record, photos and notices (not voided ones) as materials.
    pub fn clue_transfer_draft(
        &self,
        inspection_id: InspectionId,
        finding_ids: &[FindingId],
    ) -> Result<NewClueTransfer, StoreError> {
        let i = self
            .inspection(inspection_id)?
            .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: inspection_id.to_string() })?;
        let findings: Vec<_> = i
            .findings
            .iter()
            .filter(|f| {
                if finding_ids.is_empty() {
                    f.severity == FindingSeverity::Serious
                } else {
                    finding_ids.contains(&f.id)
                }
            })
            .collect();
        let photos = i.photos.iter().filter(|p| p.finding_id.is_some_and(|id| findings.iter().any(|f| f.id == id)));
        let mut materials = vec![format!("现场检查记录（{}）", chinese_date(&i.started_at))];
        match photos.count() {
            0 => {}
            n => materials.push(format!("现场照片{n}张")),
        }
        let voided: Vec<NoticeId> = self.number_voids()?.into_iter().filter_map(|v| v.notice_id).collect();
        let notices = self.notices(Some(i.enterprise_id))?;
        for n in notices.into_iter().filter(|n| n.inspection_id == i.id && !voided.contains(&n.id)) {
            materials.push(format!("生态环境问题整改通知书（{}）", n.number));
        }
        Ok(NewClueTransfer {
            inspection_id,
            finding_ids: findings.iter().map(|f| f.id).collect(),
            series: None,
            subject: Some(i.enterprise_name.clone()),
            description: findings.iter().map(|f| f.found.trim().trim_end_matches('。')).collect::<Vec<_>>().join("；"),
            materials,
            receiver_name: String::new(),
            receiver_phone: String::new(),
            office: self.transfer_office()?.unwrap_or_default(),
        })
    }

    pub fn clue_transfer(&self, id: ClueTransferId) -> Result<Option<ClueTransfer>, StoreError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT doc FROM clue_transfer WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Every transfer held here, newest first; `enterprise` narrows it.
    pub fn clue_transfers(&self, enterprise: Option<EnterpriseId>) -> Result<Vec<ClueTransfer>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc FROM clue_transfer WHERE ?1 IS NULL OR enterprise_id = ?1 OR enterprise_id IN (SELECT merged_id FROM enterprise_merged WHERE into_id = ?1)
             ORDER BY transferred_on DESC, stored_at DESC",
        )?;
        let rows = stmt.query_map([enterprise.map(|e| e.to_string())], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// The office's transfer settings last saved on this laptop.
    pub fn transfer_office(&self) -> Result<Option<TransferOffice>, StoreError> {
        self.setting(OFFICE_SETTINGS)
    }

    /// Saves the office's transfer settings for the next transfers.
    pub fn save_transfer_office(&mut self, office: &TransferOffice) -> Result<(), StoreError> {
        self.save_setting(OFFICE_SETTINGS, office)
    }
}

/// Stores a transfer received by sync, unless it is here already.
pub(super) fn receive(tx: &rusqlite::Connection, t: &ClueTransfer, stamp: &str) -> Result<(), StoreError> {
    let here: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM clue_transfer WHERE id = ?1)", [t.id.to_string()], |r| r.get(0))?;
    if !here {
        write(tx, t, stamp)?;
    }
    Ok(())
}

/// Writes a transfer row (an insert; the triggers refuse any change).
fn write(tx: &rusqlite::Connection, t: &ClueTransfer, stamp: &str) -> Result<(), StoreError> {
    let n = t.number.as_ref();
    tx.execute(
        "INSERT INTO clue_transfer (id, park_id, enterprise_id, inspection_id, series, year, serial, transferred_on,
                                    doc, device_id, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            t.id.to_string(),
            t.park_id.to_string(),
            t.enterprise_id.to_string(),
            t.inspection_id.to_string(),
            n.map(|n| &n.series),
            n.map(|n| n.year),
            n.map(|n| n.serial),
            t.transferred_on,
            serde_json::to_string(t)?,
            t.device_id.map(|d| d.to_string()),
            stamp
        ],
    )?;
    Ok(())
}

fn check_day(problems: &mut Vec<crate::enterprise::FieldProblem>, field: &str, value: &str, label: &str) {
    if chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").is_err() {
        problems.push(FieldProblem::error(field, format!("{label}“{value}”不是日期（YYYY-MM-DD）")));
    }
}

impl Store {
    /// Records news about a transfer: its delivery, the bureau's feedback,
    /// or the park's follow-up.
    pub fn record_transfer_news(
        &mut self,
        transfer_id: ClueTransferId,
        news: TransferNews,
    ) -> Result<TransferFile, StoreError> {
        let t = self
            .clue_transfer(transfer_id)?
            .ok_or_else(|| StoreError::NotFound { what: "违法线索移交书", key: transfer_id.to_string() })?;
        let mut problems = Vec::new();
        match &news {
            TransferNews::Delivered { to, on, how } => {
                if to.trim().is_empty() {
                    problems.push(FieldProblem::error("to", "请填写签收人"));
                }
                if how.trim().is_empty() {
                    problems.push(FieldProblem::error("how", "请填写送达方式"));
                }
                check_day(&mut problems, "on", on, "送达日期");
            }
            TransferNews::Feedback { result, closed_on, .. } => {
                if result.trim().is_empty() {
                    problems.push(FieldProblem::error("result", "请填写执法部门的处理情况"));
                }
                if let Some(day) = closed_on {
                    check_day(&mut problems, "closed_on", day, "结案日期");
                }
            }
            TransferNews::FollowUp { on, note, .. } => {
                if note.trim().is_empty() {
                    problems.push(FieldProblem::error("note", "请填写跟进情况"));
                }
                check_day(&mut problems, "on", on, "跟进日期");
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let now = self.env.now_in_china();
        let stamp = self.env.now().to_rfc3339();
        let (id, mutation) = (self.env.new_id(), (self.env.new_id(), self.device_id));
        let u = TransferUpdate {
            id,
            transfer_id,
            park_id: t.park_id,
            enterprise_id: t.enterprise_id,
            news,
            recorded_by: self.operator.clone(),
            recorded_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            device_id: self.device_id,
        };
        let tx = self.conn.transaction()?;
        write_update(&tx, &u, &stamp)?;
        queue(&tx, mutation, "transfer_update", u.id, &serde_json::to_value(&u)?, &stamp)?;
        tx.commit()?;
        self.transfer_file(transfer_id)?
            .ok_or(StoreError::NotFound { what: "违法线索移交书", key: transfer_id.to_string() })
    }

    /// A transfer with everything recorded about it since.
    pub fn transfer_file(&self, id: ClueTransferId) -> Result<Option<TransferFile>, StoreError> {
        let Some(t) = self.clue_transfer(id)? else { return Ok(None) };
        let mut stmt = self.conn.prepare_cached("SELECT doc FROM transfer_update WHERE transfer_id = ?1")?;
        let updates = stmt
            .query_map([id.to_string()], |r| r.get::<_, String>(0))?
            .map(|d| Ok(serde_json::from_str(&d?)?))
            .collect::<Result<Vec<TransferUpdate>, StoreError>>()?;
        Ok(Some(TransferFile::new(t, updates)))
    }

    /// Every transfer with its news, newest first; `enterprise` narrows it.
    pub fn transfer_files(&self, enterprise: Option<EnterpriseId>) -> Result<Vec<TransferFile>, StoreError> {
        self.clue_transfers(enterprise)?
            .into_iter()
            .map(|t| Ok(self.transfer_file(t.id)?.expect("a listed transfer is held")))
            .collect()
    }

    pub fn transfer_update(&self, id: Uuid) -> Result<Option<TransferUpdate>, StoreError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT doc FROM transfer_update WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }
}

fn write_update(tx: &rusqlite::Connection, u: &TransferUpdate, stamp: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO transfer_update (id, transfer_id, park_id, enterprise_id, recorded_at, doc, device_id, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            u.id.to_string(),
            u.transfer_id.to_string(),
            u.park_id.to_string(),
            u.enterprise_id.to_string(),
            u.recorded_at,
            serde_json::to_string(u)?,
            u.device_id.to_string(),
            stamp
        ],
    )?;
    Ok(())
}

/// Stores news received by sync, unless it is here already.
pub(super) fn receive_update(tx: &rusqlite::Connection, u: &TransferUpdate, stamp: &str) -> Result<(), StoreError> {
    let here: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM transfer_update WHERE id = ?1)", [u.id.to_string()], |r| r.get(0))?;
    if !here {
        write_update(tx, u, stamp)?;
    }
    Ok(())
}
