//! The patrol plan: when each enterprise is due, and how a steward's year
//! is judged.
//!
//! 004 (table of services, item 3) sets the cadence: A (重点) once a
//! quarter, B (一般) once every half year, C (非重点) once a year. Two
//! readings are needed and both are kept:
//!
//! - **Due dates** are rolling: the last completed patrol plus the tier's
//!   interval in calendar months, the day clamped to the month's end
//!   (30 November + 3 months = 28 or 29 February). A tier change takes
//!   effect at once: the new interval counts from the last patrol. An
//!   enterprise never patrolled is due now.
//! - **Frequency compliance** (004 Appendix M, 工作业绩 item 1) is counted
//!   per calendar period: every quarter (A), half year (B) or year (C) of
//!   the contract year that has ended, plus the current one once it has a
//!   patrol, should hold at least one completed patrol.
//!
//! Park-wide screenings (全面排查) are required at least twice a year (000
//! 二). Screening inspections of one park whose dates lie within
//! [`SCREENING_GAP_DAYS`] of each other count as one round.

use crate::id::EnterpriseId;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::enterprise::Tier;

/// Due within this many days counts as due soon.
pub const DUE_SOON_DAYS: i64 = 30;
/// Screening inspections closer than this belong to one round.
pub const SCREENING_GAP_DAYS: i64 = 30;
/// Park-wide screenings required per year.
pub const SCREENINGS_REQUIRED: usize = 2;

pub fn interval_months(tier: Tier) -> u32 {
    match tier {
        Tier::A => 3,
        Tier::B => 6,
        Tier::C => 12,
    }
}

/// `date` plus whole calendar months, the day clamped to the month's end.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let mut day = date.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
            return d;
        }
        day -= 1;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    /// Never patrolled.
    Never,
    Overdue,
    DueSoon,
    Later,
    /// No tier: the category is unknown and nobody set one.
    NoTier,
}

impl DueStatus {
    /// As printed ledgers say it (the screen has its own words).
    pub fn label(self) -> &'static str {
        match self {
            DueStatus::Never => "从未巡查",
            DueStatus::Overdue => "逾期",
            DueStatus::DueSoon => "即将到期",
            DueStatus::Later => "正常",
            DueStatus::NoTier => "未定类别",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PatrolDue {
    pub enterprise_id: EnterpriseId,
    pub name: String,
    pub tier: Option<Tier>,
    /// Last completed patrol (`YYYY-MM-DD`).
    pub last_patrol: Option<String>,
    pub due_on: Option<String>,
    pub status: DueStatus,
    /// Days until due (negative: days overdue).
    pub days: Option<i64>,
}

/// When one enterprise is next due.
pub fn due(tier: Option<Tier>, last: Option<NaiveDate>, today: NaiveDate) -> (Option<NaiveDate>, DueStatus) {
    let Some(tier) = tier else {
        return (None, DueStatus::NoTier);
    };
    let Some(last) = last else {
        return (Some(today), DueStatus::Never);
    };
    let due = add_months(last, interval_months(tier));
    let days = (due - today).num_days();
    let status = if days < 0 {
        DueStatus::Overdue
    } else if days <= DUE_SOON_DAYS {
        DueStatus::DueSoon
    } else {
        DueStatus::Later
    };
    (Some(due), status)
}

/// The calendar period (0-based index within the year) a date falls in.
fn period_of(tier: Tier, date: NaiveDate) -> u32 {
    match tier {
        Tier::A => date.month0() / 3,
        Tier::B => date.month0() / 6,
        Tier::C => 0,
    }
}

fn periods_per_year(tier: Tier) -> u32 {
    12 / interval_months(tier)
}

/// The last day of a period.
fn period_end(tier: Tier, year: i32, period: u32) -> NaiveDate {
    let first_of_next = add_months(
        NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists"),
        (period + 1) * interval_months(tier),
    );
    first_of_next.pred_opt().expect("not the first day ever")
}

/// One enterprise's count for the year.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PeriodCount {
    /// Periods that count so far: ended ones, and the current one once patrolled.
    pub required: u32,
    /// Of those, periods with at least one completed patrol.
    pub done: u32,
    /// Labels of ended periods without a patrol, e.g. `2026年第2季度`.
    pub missed: Vec<String>,
}

pub fn period_label(tier: Tier, year: i32, period: u32) -> String {
    match tier {
        Tier::A => format!("{year}年第{}季度", period + 1),
        Tier::B => format!("{year}年{}", if period == 0 { "上半年" } else { "下半年" }),
        Tier::C => format!("{year}年"),
    }
}

/// Counts one enterprise's periods of `year` as of `today`.
pub fn count_periods(tier: Tier, year: i32, patrols: &[NaiveDate], today: NaiveDate) -> PeriodCount {
    let mut count = PeriodCount { required: 0, done: 0, missed: Vec::new() };
    for period in 0..periods_per_year(tier) {
        let ended = period_end(tier, year, period) < today;
        let patrolled = patrols.iter().any(|d| d.year() == year && period_of(tier, *d) == period);
        if ended || patrolled {
            count.required += 1;
        }
        if patrolled {
            count.done += 1;
        } else if ended {
            count.missed.push(period_label(tier, year, period));
        }
    }
    count
}

/// Rounds of park-wide screening among the given dates.
pub fn screening_rounds(dates: &[NaiveDate]) -> usize {
    let mut dates = dates.to_vec();
    dates.sort();
    dates.dedup();
    let mut rounds = 0;
    let mut last: Option<NaiveDate> = None;
    for d in dates {
        if last.is_none_or(|l| (d - l).num_days() > SCREENING_GAP_DAYS) {
            rounds += 1;
        }
        last = Some(d);
    }
    rounds
}
