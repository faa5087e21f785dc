//! The pre-visit brief: what an inspector should know before walking in,
//! read from the enterprise file and earlier visits.

use crate::id::InspectionId;
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use crate::enterprise::{Acceptance, Enterprise, EnterpriseStatus, PermitKind};
use crate::inspection::{FindingSeverity, Inspection};
use crate::patrol::{DueStatus, PatrolDue};

/// Permits expiring within this many days are flagged.
pub const PERMIT_WARNING_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BriefKind {
    PermitExpired,
    PermitExpiring,
    EmergencyPlanMissing,
    NoAcceptance,
    PatrolOverdue,
    OpenFinding,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BriefItem {
    pub kind: BriefKind,
    /// What to look at, in Chinese.
    pub text: String,
    /// The earlier inspection an open finding comes from.
    pub inspection_id: Option<InspectionId>,
}

pub fn chinese_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The brief for one enterprise. `inspections` are its signed inspections
/// (corrected ones already replaced by their corrections).
pub fn brief(e: &Enterprise, due: &PatrolDue, inspections: &[Inspection], today: NaiveDate) -> Vec<BriefItem> {
    let mut out = Vec::new();
    let mut add = |kind, text: String| out.push(BriefItem { kind, text, inspection_id: None });
    for p in e.permits.iter().filter(|p| p.kind == PermitKind::Permit) {
        let Some(expires) = p.expires_on.as_deref().and_then(date) else {
            continue;
        };
        let days = (expires - today).num_days();
        if days < 0 {
            add(BriefKind::PermitExpired, format!("排污许可证 {} 已于{}过期", p.number, chinese_date(expires)));
        } else if days <= PERMIT_WARNING_DAYS {
            add(
                BriefKind::PermitExpiring,
                format!(
                    "排污许可证 {} 将于{}到期（还有 {days} 天），应在届满60日前申请延续",
                    p.number,
                    chinese_date(expires)
                ),
            );
        }
    }
    if e.emergency_plan.required == Some(true)
        && e.emergency_plan.filing_number.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        add(BriefKind::EmergencyPlanMissing, "需编制突发环境事件应急预案，但档案中无备案编号".into());
    }
    if e.status == EnterpriseStatus::Operating {
        for a in e.eia_approvals.iter().filter(|a| a.acceptance == Acceptance::NotDone) {
            add(BriefKind::NoAcceptance, format!("正常投产，但环评批复 {} 未完成竣工环保验收", a.doc_number));
        }
    }
    match (due.status, &due.due_on) {
        (DueStatus::Overdue, Some(d)) => add(
            BriefKind::PatrolOverdue,
            format!(
                "巡查已逾期 {} 天（应于{}前巡查）",
                -due.days.unwrap_or(0),
                date(d).map(chinese_date).unwrap_or_else(|| d.clone())
            ),
        ),
        (DueStatus::Never, _) => add(BriefKind::PatrolOverdue, "从未巡查".into()),
        _ => {}
    }
    for i in inspections {
        for f in i.findings.iter().filter(|f| f.severity != FindingSeverity::Minor) {
            let when = i.date().map(chinese_date).unwrap_or_default();
            let deadline = match f.deadline.as_deref().and_then(date) {
                Some(d) if d < today => format!("，整改期限{}已过", chinese_date(d)),
                Some(d) => format!("，整改期限{}", chinese_date(d)),
                None => String::new(),
            };
            out.push(BriefItem {
                kind: BriefKind::OpenFinding,
                // The deadline's clause follows the finding as the inspector
                // wrote it, less the full stop that would come before it.
                text: format!(
                    "{when}{}发现：{}{deadline}",
                    i.kind.label(),
                    f.found.trim().trim_end_matches(['。', '；', '，', '.', ';', ','])
                ),
                inspection_id: Some(i.id),
            });
        }
    }
    out
}
