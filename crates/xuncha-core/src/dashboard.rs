//! What a supervisor reads at a glance: open, overdue and closed cases per
//! park and per category of problem, the last twelve months, and repeat
//! problems (the same checklist item failing again at the same enterprise).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::checklist::Topic;
use crate::id::*;
use crate::rectification::{Case, CaseEvent, CaseState};
use crate::store::rectification::CaseFilter;
use crate::{Store, StoreError};

/// Open, overdue and closed cases of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Counts {
    pub name: String,
    pub open: usize,
    pub overdue: usize,
    pub closed: usize,
    pub escalated: usize,
}

impl Counts {
    fn add(&mut self, c: &Case, today: NaiveDate) {
        match c.state {
            CaseState::Closed => self.closed += 1,
            CaseState::Escalated => self.escalated += 1,
            _ => self.open += 1,
        }
        if c.is_overdue(today) {
            self.overdue += 1;
        }
    }
}

/// Cases opened and closed in one month, and those open at its end.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Month {
    /// `2026-11`.
    pub month: String,
    pub opened: usize,
    pub closed: usize,
    pub open_at_end: usize,
}

/// A checklist item that failed more than once at one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RepeatProblem {
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub item_key: String,
    pub item_text: String,
    /// How many inspections found it.
    pub times: usize,
    /// The days it was found (`YYYY-MM-DD`), oldest first.
    pub found_on: Vec<String>,
}

/// An event the server kept as rejected: for a supervisor to check.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RejectedEvent {
    pub case_id: CaseId,
    pub event: CaseEvent,
    pub enterprise_name: String,
    pub number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Dashboard {
    pub today: String,
    pub total: Counts,
    pub parks: Vec<Counts>,
    pub categories: Vec<Counts>,
    pub months: Vec<Month>,
    pub repeats: Vec<RepeatProblem>,
    /// Events that arrived after the case had moved on, newest first.
    pub rejected: Vec<RejectedEvent>,
}

fn topic_name(t: Option<Topic>) -> &'static str {
    match t {
        Some(Topic::Water) => "水环境",
        Some(Topic::Air) => "大气环境",
        Some(Topic::SolidWaste) => "固体废物",
        Some(Topic::Soil) => "土壤环境",
        Some(Topic::Scattered) => "散乱污",
        None => "综合管理",
    }
}

/// A checklist item's words and first topic, by its code.
fn items(store: &Store) -> Result<BTreeMap<String, (String, Option<Topic>)>, StoreError> {
    let mut map = BTreeMap::new();
    for t in crate::checklist::shipped().into_iter().chain(store.templates()?) {
        for s in t.sections {
            for i in s.items {
                map.entry(i.code.clone()).or_insert((i.text.clone(), i.topics.first().copied()));
            }
        }
    }
    Ok(map)
}

/// The item code of a result key (`P1@facility` → `P1`).
fn code(item_key: &str) -> &str {
    item_key.split('@').next().unwrap_or(item_key)
}

/// The dashboard of `park` (every park with `None`) on `today`.
pub fn dashboard(store: &Store, park: Option<ParkId>, today: NaiveDate) -> Result<Dashboard, StoreError> {
    let items = items(store)?;
    let cases = store.cases(&CaseFilter { park_id: park, ..Default::default() })?;
    let mut total = Counts { name: "合计".into(), ..Default::default() };
    let mut parks: BTreeMap<ParkId, Counts> = BTreeMap::new();
    let mut categories: BTreeMap<&str, Counts> = BTreeMap::new();
    for c in &cases {
        total.add(c, today);
        parks.entry(c.park_id).or_default().add(c, today);
        // A case counts once in each category its problems fall in.
        let mut seen: Vec<&str> = c
            .findings
            .iter()
            .map(|f| topic_name(f.item_key.as_deref().and_then(|k| items.get(code(k))).and_then(|(_, t)| *t)))
            .collect();
        seen.dedup();
        for name in seen {
            categories.entry(name).or_insert_with(|| Counts { name: name.into(), ..Default::default() }).add(c, today);
        }
    }
    let mut park_counts = Vec::new();
    for (id, mut counts) in parks {
        counts.name = store.park(id)?.map(|p| p.name).unwrap_or_else(|| id.to_string());
        park_counts.push(counts);
    }

    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("the first of a month");
    let mut months = Vec::new();
    for back in (0..12).rev() {
        let start = sub_months(this_month, back);
        let (from, to) =
            (start.format("%Y-%m-%d").to_string(), crate::patrol::add_months(start, 1).format("%Y-%m-%d").to_string());
        let within = |day: &str| day >= from.as_str() && day < to.as_str();
        let before_end = |day: &str| day < to.as_str();
        months.push(Month {
            month: start.format("%Y-%m").to_string(),
            opened: cases.iter().filter(|c| within(&c.opened_on)).count(),
            closed: cases.iter().filter(|c| c.closed_on.as_deref().is_some_and(within)).count(),
            open_at_end: cases
                .iter()
                .filter(|c| before_end(&c.opened_on) && !c.closed_on.as_deref().is_some_and(before_end))
                .count(),
        });
    }

    let mut found: BTreeMap<(EnterpriseId, String), (String, Vec<String>)> = BTreeMap::new();
    for i in store.standing_inspections(park)? {
        let day = i.started_at.get(..10).unwrap_or_default().to_string();
        let mut keys: Vec<&str> = i.findings.iter().filter_map(|f| f.item_key.as_deref()).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let entry = found
                .entry((i.enterprise_id, k.to_string()))
                .or_insert_with(|| (i.enterprise_name.clone(), Vec::new()));
            entry.0 = i.enterprise_name.clone();
            entry.1.push(day.clone());
        }
    }
    let mut repeats: Vec<RepeatProblem> = found
        .into_iter()
        .filter(|(_, (_, days))| days.len() > 1)
        .map(|((enterprise_id, item_key), (enterprise_name, found_on))| RepeatProblem {
            enterprise_id,
            enterprise_name,
            item_text: items.get(code(&item_key)).map(|(t, _)| t.clone()).unwrap_or_default(),
            item_key,
            times: found_on.len(),
            found_on,
        })
        .collect();
    repeats.sort_by(|a, b| b.times.cmp(&a.times).then(b.found_on.last().cmp(&a.found_on.last())));

    let mut rejected = Vec::new();
    for c in &cases {
        for e in c.events.iter().filter(|e| e.verdict.as_ref().is_some_and(|v| !v.accepted)) {
            let enterprise_name = store.enterprise(c.enterprise_id)?.map(|e| e.name).unwrap_or_default();
            rejected.push(RejectedEvent { case_id: c.id, event: e.clone(), enterprise_name, number: c.number.clone() });
        }
    }
    rejected.sort_by(|a, b| b.event.recorded_at.cmp(&a.event.recorded_at));

    Ok(Dashboard {
        rejected,
        today: today.format("%Y-%m-%d").to_string(),
        total,
        parks: park_counts,
        categories: categories.into_values().collect(),
        months,
        repeats,
    })
}

fn sub_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 - months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).expect("the first of a month")
}
