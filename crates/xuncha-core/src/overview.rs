//! The park overview: enterprises by status, management category and patrol
//! tier, the files that need attention, and emission quota use.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::enterprise::{EnterpriseStatus, ManagementCategory, Tier};
use crate::id::*;
use crate::park::Park;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuotaUse {
    pub pollutant: String,
    pub quota_tpa: Option<String>,
    pub year: Option<i32>,
    pub actual_tpa: Option<String>,
    /// Actual as a share of the quota, in percent, rounded to 0.1.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ParkOverview {
    pub id: ParkId,
    pub name: String,
    pub code: Option<String>,
    pub enterprises: usize,
    /// Counts keyed by the Chinese label (正常投产, 重点, A ...).
    pub by_status: BTreeMap<String, usize>,
    pub by_category: BTreeMap<String, usize>,
    pub by_tier: BTreeMap<String, usize>,
    pub without_credit_code: usize,
    /// Enterprises whose files hold irregular source cells to review.
    pub needing_review: usize,
    pub quotas: Vec<QuotaUse>,
}

fn quota_use(park: &Park) -> Vec<QuotaUse> {
    park.pollutants
        .iter()
        .map(|q| {
            let latest = q.actuals.iter().max_by_key(|a| a.year);
            let percent =
                match (q.quota_tpa.as_deref().map(str::parse::<f64>), latest.map(|a| a.amount_tpa.parse::<f64>())) {
                    (Some(Ok(quota)), Some(Ok(actual))) if quota > 0.0 => {
                        Some((actual / quota * 1000.0).round() / 10.0)
                    }
                    _ => None,
                };
            QuotaUse {
                pollutant: q.pollutant.clone(),
                quota_tpa: q.quota_tpa.clone(),
                year: latest.map(|a| a.year),
                actual_tpa: latest.map(|a| a.amount_tpa.clone()),
                percent,
            }
        })
        .collect()
}

/// The `by_tier` key of enterprises without a tier.
pub const TIER_UNSET: &str = "未定";

/// Overviews of every park, in creation order. Counted in SQL: the
/// overview is the first screen and must not load every file.
pub fn overview(store: &Store) -> Result<Vec<ParkOverview>, StoreError> {
    let mut out = Vec::new();
    for summary in store.parks()? {
        let park = store.park(summary.id)?.expect("listed park exists");
        let mut o = ParkOverview {
            id: park.id,
            name: park.name.clone(),
            code: park.code.clone(),
            enterprises: 0,
            by_status: BTreeMap::new(),
            by_category: BTreeMap::new(),
            by_tier: BTreeMap::new(),
            without_credit_code: 0,
            needing_review: 0,
            quotas: quota_use(&park),
        };
        for r in store.overview_rows(park.id)? {
            let status: EnterpriseStatus = from_text(r.status)?;
            let category: Option<ManagementCategory> = r.management_category.map(from_text).transpose()?;
            let tier =
                r.tier_override.as_deref().and_then(Tier::parse).or(category.map(ManagementCategory::default_tier));
            o.enterprises += 1;
            *o.by_status.entry(status.label().into()).or_default() += 1;
            *o.by_category.entry(category.map(|c| c.label()).unwrap_or("未填写").into()).or_default() += 1;
            *o.by_tier.entry(tier.map(|t| t.letter()).unwrap_or(TIER_UNSET).into()).or_default() += 1;
            o.without_credit_code += usize::from(r.without_credit_code);
            o.needing_review += usize::from(r.flagged);
        }
        out.push(o);
    }
    Ok(out)
}

fn from_text<T: serde::de::DeserializeOwned>(s: String) -> Result<T, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(s))?)
}
