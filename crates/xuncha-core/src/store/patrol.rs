//! The patrol plan and the pre-visit brief, from the store's records.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use super::{Store, StoreError};
use crate::brief::{self, BriefItem};
use crate::enterprise::{EnterpriseStatus, Tier};
use crate::id::*;
use crate::inspection::{Inspection, InspectionKind};
use crate::patrol::{self, DueStatus, PatrolDue, SCREENINGS_REQUIRED};

/// A park's plan as of a day.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PatrolPlan {
    pub park_id: ParkId,
    pub park_name: String,
    pub today: String,
    /// Every enterprise still in the park, most urgent first.
    pub enterprises: Vec<PatrolDue>,
    pub overdue: usize,
    pub due_soon: usize,
    pub never: usize,
    pub year: i32,
    pub screenings: usize,
    pub screenings_required: usize,
    /// Periods of the year that count so far, and those with a patrol.
    pub periods_required: u32,
    pub periods_done: u32,
    /// `periods_done / periods_required`, or 1 when nothing counts yet.
    pub compliance: f64,
    /// Enterprises and the periods they missed.
    pub missed: Vec<MissedPeriods>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MissedPeriods {
    pub enterprise_id: EnterpriseId,
    pub name: String,
    pub tier: Tier,
    pub periods: Vec<String>,
}

impl Store {
    /// Signed inspections of a park (or one enterprise), with corrected
    /// ones replaced by their latest correction.
    pub(crate) fn signed_inspections(
        &self,
        park: Option<ParkId>,
        enterprise: Option<EnterpriseId>,
    ) -> Result<Vec<Inspection>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc FROM inspection i
             WHERE state = 'signed' AND (?1 IS NULL OR park_id = ?1) AND (?2 IS NULL OR enterprise_id = ?2 OR enterprise_id IN (SELECT merged_id FROM enterprise_merged WHERE into_id = ?2))
               AND NOT EXISTS (SELECT 1 FROM inspection c WHERE c.corrects = i.id AND c.state = 'signed')
             ORDER BY started_at",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![park.map(|p| p.to_string()), enterprise.map(|e| e.to_string())], |r| {
                r.get::<_, String>(0)
            })?;
        let mut out = Vec::new();
        for doc in rows {
            out.push(serde_json::from_str(&doc?)?);
        }
        Ok(out)
    }

    pub fn patrol_plan(&self, park: ParkId, today: NaiveDate) -> Result<PatrolPlan, StoreError> {
        let p = self.park(park)?.ok_or_else(|| StoreError::NotFound { what: "园区", key: park.to_string() })?;
        let inspections = self.signed_inspections(Some(park), None)?;
        let merged = self.merged_enterprises()?;
        let mut patrols: HashMap<EnterpriseId, Vec<NaiveDate>> = HashMap::new();
        let mut screenings = Vec::new();
        for i in &inspections {
            let Some(d) = i.date() else { continue };
            if i.kind.is_patrol() {
                let enterprise = merged.get(&i.enterprise_id).copied().unwrap_or(i.enterprise_id);
                patrols.entry(enterprise).or_default().push(d);
            }
            if i.kind == InspectionKind::Screening && d.year() == today.year() {
                screenings.push(d);
            }
        }
        let mut plan = PatrolPlan {
            park_id: park,
            park_name: p.name,
            today: today.to_string(),
            enterprises: Vec::new(),
            overdue: 0,
            due_soon: 0,
            never: 0,
            year: today.year(),
            screenings: patrol::screening_rounds(&screenings),
            screenings_required: SCREENINGS_REQUIRED,
            periods_required: 0,
            periods_done: 0,
            compliance: 1.0,
            missed: Vec::new(),
        };
        for id in self.enterprise_ids(Some(park))? {
            let Some(e) = self.enterprise(id)? else { continue };
            if e.status == EnterpriseStatus::Exited {
                continue;
            }
            let dates = patrols.get(&id).cloned().unwrap_or_default();
            let due = due_of(&e, &dates, today);
            match due.status {
                DueStatus::Overdue => plan.overdue += 1,
                DueStatus::DueSoon => plan.due_soon += 1,
                DueStatus::Never => plan.never += 1,
                _ => {}
            }
            if let Some(tier) = e.tier() {
                let count = patrol::count_periods(tier, today.year(), &dates, today);
                plan.periods_required += count.required;
                plan.periods_done += count.done;
                if !count.missed.is_empty() {
                    plan.missed.push(MissedPeriods {
                        enterprise_id: id,
                        name: e.name.clone(),
                        tier,
                        periods: count.missed,
                    });
                }
            }
            plan.enterprises.push(due);
        }
        if plan.periods_required > 0 {
            plan.compliance = f64::from(plan.periods_done) / f64::from(plan.periods_required);
        }
        let rank = |s: DueStatus| match s {
            DueStatus::Overdue => 0,
            DueStatus::Never => 1,
            DueStatus::DueSoon => 2,
            DueStatus::Later => 3,
            DueStatus::NoTier => 4,
        };
        plan.enterprises.sort_by(|a, b| {
            (rank(a.status), a.due_on.as_deref(), &a.name).cmp(&(rank(b.status), b.due_on.as_deref(), &b.name))
        });
        Ok(plan)
    }

    /// When one enterprise is next due.
    pub fn patrol_due(&self, enterprise: EnterpriseId, today: NaiveDate) -> Result<PatrolDue, StoreError> {
        let e = self
            .enterprise(enterprise)?
            .ok_or_else(|| StoreError::NotFound { what: "企业", key: enterprise.to_string() })?;
        let dates: Vec<NaiveDate> = self
            .signed_inspections(None, Some(enterprise))?
            .iter()
            .filter(|i| i.kind.is_patrol())
            .filter_map(Inspection::date)
            .collect();
        Ok(due_of(&e, &dates, today))
    }

    /// The pre-visit brief for an enterprise.
    pub fn brief(&self, enterprise: EnterpriseId, today: NaiveDate) -> Result<Vec<BriefItem>, StoreError> {
        let e = self
            .enterprise(enterprise)?
            .ok_or_else(|| StoreError::NotFound { what: "企业", key: enterprise.to_string() })?;
        let due = self.patrol_due(enterprise, today)?;
        let inspections = self.signed_inspections(None, Some(enterprise))?;
        Ok(brief::brief(&e, &due, &inspections, today))
    }
}

fn due_of(e: &crate::Enterprise, dates: &[NaiveDate], today: NaiveDate) -> PatrolDue {
    let last = dates.iter().max().copied();
    let tier = e.tier();
    let (due_on, status) = patrol::due(tier, last, today);
    PatrolDue {
        enterprise_id: e.id,
        name: e.name.clone(),
        tier,
        last_patrol: last.map(|d| d.to_string()),
        due_on: due_on.map(|d| d.to_string()),
        status,
        days: due_on.map(|d| (d - today).num_days()),
    }
}
