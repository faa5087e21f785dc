//! Rectification cases: the closed loop from a problem found to its
//! closure (000 二, 001 拉条挂账, 004 Appendix J).
//!
//! A case is not a record that is edited: it is the log of its events, and
//! its state is what the log folds to under [`next`], the transition table.
//! Events are evidence, written once. Laptops record events offline, so two
//! people may act on one case without seeing each other; the bureau server
//! decides the order, and an event that no longer fits the case when it
//! arrives is kept, marked rejected with the state its author saw and the
//! state the server held, for a supervisor to see. Its files stay stored.

use crate::id::{
    CaseEventId, CaseId, ClueTransferId, DeviceId, EnterpriseId, FindingId, InspectionId, NoticeId, ParkId, Sha256,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::inspection::FindingSeverity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 待审核: findings gathered, notice not yet approved.
    Draft,
    /// 已审核.
    Reviewed,
    /// 已下发: the notice is numbered (and, once recorded, delivered).
    Issued,
    /// 已收到整改方案.
    PlanReceived,
    /// 已整改: the enterprise reports it done, with its evidence.
    Rectified,
    /// 复核通过.
    Reinspected,
    /// 已销号.
    Closed,
    /// 已移交: handed to the bureau as a clue transfer.
    Escalated,
}

impl CaseState {
    /// Whether the case still needs the park's attention.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseState::Closed | CaseState::Escalated)
    }

    /// Whether the enterprise still owes its rectification, so that a
    /// passed deadline makes the case overdue.
    pub fn awaits_enterprise(self) -> bool {
        matches!(self, CaseState::Issued | CaseState::PlanReceived)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseState::Draft => "待审核",
            CaseState::Reviewed => "已审核",
            CaseState::Issued => "已下发",
            CaseState::PlanReceived => "已收到整改方案",
            CaseState::Rectified => "已整改待复核",
            CaseState::Reinspected => "复核通过",
            CaseState::Closed => "已销号",
            CaseState::Escalated => "已移交执法部门",
        }
    }
}

/// The state after `body` and whether the case's notice is delivered then,
/// or why `body` does not fit: the transition table, and a notice
/// delivered once (a voided notice's delivery goes with it). The server
/// judges every case event by it; `Case::admits` asks it on the laptop.
pub fn step(from: Option<CaseState>, delivered: bool, body: &EventBody) -> Result<(CaseState, bool), String> {
    let to = next(from, body)?;
    let delivered =
        delivered_after(delivered, body).ok_or_else(|| "通知书已登记送达，同一份通知书只登记一次送达".to_string())?;
    Ok((to, delivered))
}

/// Whether the case's notice is delivered after `body`, given whether it
/// was before: `None` when `body` is a second delivery of one notice.
fn delivered_after(delivered: bool, body: &EventBody) -> Option<bool> {
    match body {
        EventBody::Delivered { .. } if delivered => None,
        EventBody::Delivered { .. } => Some(true),
        EventBody::NoticeVoided { .. } => Some(false),
        _ => Some(delivered),
    }
}

/// How a notice or a transfer form is delivered (送达方式), the usual one first.
pub const DELIVERY_METHODS: [&str; 4] = ["当面送达", "邮寄送达", "电子送达", "留置送达"];

/// A problem the case holds, copied from its finding when the case opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseFinding {
    pub finding_id: FindingId,
    /// The checklist item it failed, for repeat detection; `None` outside
    /// the checklist.
    pub item_key: Option<String>,
    pub found: String,
    pub suggestion: String,
    pub severity: FindingSeverity,
    /// Rectification deadline (`YYYY-MM-DD`).
    pub due: String,
    /// Before-photos (watermarked copies' SHA-256) from the inspection.
    pub photos: Vec<Sha256>,
}

/// A file the enterprise or the park handed in: a photo or a document,
/// stored as a blob by SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseFile {
    pub sha256: Sha256,
    pub file_name: String,
    /// For a photo, which finding it shows (after rectification).
    pub finding_id: Option<FindingId>,
}

/// What happened. Each kind names the facts a ledger needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    Opened {
        inspection_id: InspectionId,
        findings: Vec<CaseFinding>,
        /// Who answers for the rectification at the enterprise (name and
        /// phone), as asked when the case was opened; cases opened before
        /// it was asked have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        responsible: Option<String>,
    },
    Reviewed {
        by: String,
        note: String,
    },
    Issued {
        notice_id: NoticeId,
        number: String,
        plan_due: String,
    },
    /// The notice was spoiled and its number voided: the case waits for a
    /// new notice.
    NoticeVoided {
        notice_id: NoticeId,
        reason: String,
    },
    /// 送达: to whom, on which day, how (当面送达, 邮寄, …).
    Delivered {
        to: String,
        on: String,
        how: String,
    },
    PlanReceived {
        on: String,
        note: String,
        files: Vec<CaseFile>,
    },
    Rectified {
        on: String,
        note: String,
        files: Vec<CaseFile>,
    },
    /// The evidence was not enough: back to the enterprise.
    Returned {
        reason: String,
    },
    /// A re-inspection; failed sends the case back to the enterprise.
    Reinspected {
        inspection_id: InspectionId,
        passed: bool,
        note: String,
    },
    Closed {
        by: String,
        note: String,
    },
    /// A later deadline for one finding (or all), with the reason.
    Extended {
        finding_id: Option<FindingId>,
        due: String,
        reason: String,
    },
    Escalated {
        clue_transfer_id: ClueTransferId,
    },
}

impl EventBody {
    pub fn label(&self) -> &'static str {
        match self {
            EventBody::Opened { .. } => "立案",
            EventBody::Reviewed { .. } => "审核",
            EventBody::Issued { .. } => "下发整改通知书",
            EventBody::NoticeVoided { .. } => "通知书作废",
            EventBody::Delivered { .. } => "送达",
            EventBody::PlanReceived { .. } => "收到整改方案",
            EventBody::Rectified { .. } => "企业报告整改完成",
            EventBody::Returned { .. } => "退回补充整改",
            EventBody::Reinspected { passed: true, .. } => "复核通过",
            EventBody::Reinspected { passed: false, .. } => "复核未通过",
            EventBody::Closed { .. } => "销号",
            EventBody::Extended { .. } => "延期",
            EventBody::Escalated { .. } => "移交违法线索",
        }
    }

    /// The files the event brought in.
    pub fn files(&self) -> &[CaseFile] {
        match self {
            EventBody::PlanReceived { files, .. } | EventBody::Rectified { files, .. } => files,
            _ => &[],
        }
    }
}

/// The server's word on an event: its place in the case's history, and
/// whether it fitted the case when it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Verdict {
    /// The event's position among the case's events on the server.
    pub seq: i64,
    pub accepted: bool,
    /// The case's state on the server before this event.
    pub state_at_server: Option<CaseState>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseEvent {
    pub id: CaseEventId,
    pub case_id: CaseId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    /// The state the author saw when recording it.
    pub seen: Option<CaseState>,
    pub body: EventBody,
    /// Who recorded it, as signed in (or the laptop user's name).
    pub recorded_by: String,
    /// RFC 3339 with the +08:00 offset.
    pub recorded_at: String,
    pub device_id: DeviceId,
    /// Set by the server; `None` while the event has not been sent.
    pub verdict: Option<Verdict>,
}

/// The transition table: the state after `body` when the case is in
/// `from` (`None`: no case yet), or why the event does not fit.
pub fn next(from: Option<CaseState>, body: &EventBody) -> Result<CaseState, String> {
    use CaseState::*;
    let Some(state) = from else {
        return match body {
            EventBody::Opened { .. } => Ok(Draft),
            _ => Err("该整改案件尚未立案".into()),
        };
    };
    let to = match (state, body) {
        (_, EventBody::Opened { .. }) => None,
        (Draft, EventBody::Reviewed { .. }) => Some(Reviewed),
        (Reviewed, EventBody::Issued { .. }) => Some(Issued),
        (Issued, EventBody::NoticeVoided { .. }) => Some(Reviewed),
        (Issued | PlanReceived, EventBody::Delivered { .. }) => Some(state),
        (Issued, EventBody::PlanReceived { .. }) => Some(PlanReceived),
        (Issued | PlanReceived, EventBody::Rectified { .. }) => Some(Rectified),
        (Rectified, EventBody::Returned { .. }) => Some(Issued),
        (Issued | PlanReceived | Rectified, EventBody::Reinspected { passed: true, .. }) => Some(Reinspected),
        (Issued | PlanReceived | Rectified, EventBody::Reinspected { passed: false, .. }) => Some(Issued),
        (Reinspected, EventBody::Closed { .. }) => Some(Closed),
        (Issued | PlanReceived | Rectified, EventBody::Extended { .. }) => Some(state),
        (s, EventBody::Escalated { .. }) if s.is_open() => Some(Escalated),
        _ => None,
    };
    to.ok_or_else(|| format!("案件处于“{}”状态，不能“{}”", state.label(), body.label()))
}

/// How the notice reached the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Delivery {
    pub to: String,
    pub on: String,
    pub how: String,
}

/// A case as its events fold: what the ledgers and screens show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Case {
    pub id: CaseId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    pub inspection_id: InspectionId,
    pub state: CaseState,
    pub findings: Vec<CaseFinding>,
    pub notice_id: Option<NoticeId>,
    pub number: Option<String>,
    pub plan_due: Option<String>,
    /// The latest finding deadline: when the whole case is due.
    pub due: String,
    pub opened_on: String,
    pub reviewed_by: Option<String>,
    /// Who answers for the rectification at the enterprise.
    pub responsible: Option<String>,
    pub delivered: Option<Delivery>,
    pub closed_on: Option<String>,
    pub clue_transfer_id: Option<ClueTransferId>,
    /// Every event, in the order they count: the server's, then this
    /// laptop's unsent ones.
    pub events: Vec<CaseEvent>,
    /// Events the server kept as rejected, or unsent ones that no longer fit.
    pub rejected: usize,
    /// Days past the deadline on the day the case was read (0 when the
    /// enterprise owes nothing, or not yet); set by the store.
    pub overdue_days: i64,
    /// The kinds of event a person may record next (`delivered`,
    /// `rectified`, …), from the transition table; notices move the case
    /// through `issued` themselves.
    pub steps: Vec<String>,
}

/// The kinds of event a person records on a case, each with sample
/// content to ask the transition table whether it fits.
fn manual_steps() -> Vec<EventBody> {
    let s = String::new;
    vec![
        EventBody::Reviewed { by: s(), note: s() },
        EventBody::Delivered { to: s(), on: s(), how: s() },
        EventBody::PlanReceived { on: s(), note: s(), files: Vec::new() },
        EventBody::Rectified { on: s(), note: s(), files: Vec::new() },
        EventBody::Returned { reason: s() },
        EventBody::Reinspected { inspection_id: InspectionId::NIL, passed: true, note: s() },
        EventBody::Extended { finding_id: None, due: s(), reason: s() },
        EventBody::Closed { by: s(), note: s() },
        EventBody::Escalated { clue_transfer_id: ClueTransferId::NIL },
    ]
}

/// The event kind's name as it travels (`plan_received`).
pub fn kind_name(body: &EventBody) -> String {
    serde_json::to_value(body).ok().and_then(|v| v["kind"].as_str().map(str::to_string)).unwrap_or_default()
}

/// The order events count in: the server's sequence, then unsent events
/// in the order they were recorded (UUIDv7 ids sort by time).
pub fn order(events: &mut [CaseEvent]) {
    events.sort_by_key(|e| (e.verdict.as_ref().map_or(i64::MAX, |v| v.seq), e.id));
}

/// Folds a case's events (in [`order`]) into the case; `None` when no
/// event opens it.
pub fn fold(events: Vec<CaseEvent>) -> Option<Case> {
    let mut case: Option<Case> = None;
    let mut rejected = 0;
    for e in &events {
        if e.verdict.as_ref().is_some_and(|v| !v.accepted) {
            rejected += 1;
            continue;
        }
        let Ok(to) = next(case.as_ref().map(|c| c.state), &e.body) else {
            rejected += 1;
            continue;
        };
        let day = e.recorded_at.get(..10).unwrap_or_default().to_string();
        if let EventBody::Opened { inspection_id, findings, responsible } = &e.body {
            case = Some(Case {
                id: e.case_id,
                park_id: e.park_id,
                enterprise_id: e.enterprise_id,
                inspection_id: *inspection_id,
                state: to,
                findings: findings.clone(),
                notice_id: None,
                number: None,
                plan_due: None,
                due: latest_due(findings),
                opened_on: day,
                reviewed_by: None,
                responsible: responsible.clone(),
                delivered: None,
                closed_on: None,
                clue_transfer_id: None,
                events: Vec::new(),
                rejected: 0,
                overdue_days: 0,
                steps: Vec::new(),
            });
            continue;
        }
        let Some(c) = case.as_mut() else { continue };
        c.state = to;
        match &e.body {
            EventBody::Reviewed { by, .. } => c.reviewed_by = Some(by.clone()),
            EventBody::Issued { notice_id, number, plan_due } => {
                c.notice_id = Some(*notice_id);
                c.number = Some(number.clone());
                c.plan_due = Some(plan_due.clone());
            }
            EventBody::NoticeVoided { .. } => {
                c.notice_id = None;
                c.number = None;
                c.plan_due = None;
                c.delivered = None;
            }
            EventBody::Delivered { to, on, how } => {
                c.delivered = Some(Delivery { to: to.clone(), on: on.clone(), how: how.clone() })
            }
            EventBody::Extended { finding_id, due, .. } => {
                for f in c.findings.iter_mut().filter(|f| finding_id.is_none_or(|id| id == f.finding_id)) {
                    f.due = due.clone();
                }
                c.due = latest_due(&c.findings);
            }
            EventBody::Closed { .. } => c.closed_on = Some(day),
            EventBody::Escalated { clue_transfer_id } => {
                c.clue_transfer_id = Some(*clue_transfer_id);
                c.closed_on = Some(day);
            }
            _ => {}
        }
    }
    let mut c = case?;
    c.events = events;
    c.rejected = rejected;
    c.steps = manual_steps().iter().filter(|b| c.admits(b).is_ok()).map(kind_name).collect();
    Some(c)
}

fn latest_due(findings: &[CaseFinding]) -> String {
    findings.iter().map(|f| f.due.clone()).max().unwrap_or_default()
}

impl Case {
    /// The state after a person records `body` on this case: the
    /// transition table, and what the case already holds (a notice is
    /// delivered once). Events already recorded fold by the table alone.
    pub fn admits(&self, body: &EventBody) -> Result<CaseState, String> {
        if let (None, Some(d)) = (delivered_after(self.delivered.is_some(), body), &self.delivered) {
            let on = NaiveDate::parse_from_str(&d.on, "%Y-%m-%d")
                .map_or_else(|_| d.on.clone(), |day| day.format("%Y年%-m月%-d日").to_string());
            return Err(format!("通知书已于{on}送达{}，不必再次登记送达", d.to));
        }
        step(Some(self.state), self.delivered.is_some(), body).map(|(to, _)| to)
    }

    /// Whether the case is past its deadline on `today` while the
    /// enterprise still owes the rectification.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state.awaits_enterprise() && parse_day(&self.due).is_some_and(|due| today > due)
    }

    /// Days past the deadline on `today` (0 when not overdue).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        match parse_day(&self.due) {
            Some(due) if self.is_overdue(today) => (today - due).num_days(),
            _ => 0,
        }
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// A rectification term as offices give it: so many days, or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "unit", content = "n", rename_all = "snake_case")]
pub enum Term {
    Days(u32),
    Months(u32),
}

/// The deadline `term` after `start`. A month later than 31 January is
/// the last day of February (29 February in a leap year).
pub fn due_after(start: NaiveDate, term: Term) -> NaiveDate {
    match term {
        Term::Days(n) => start + chrono::Days::new(u64::from(n)),
        Term::Months(n) => crate::patrol::add_months(start, n),
    }
}
