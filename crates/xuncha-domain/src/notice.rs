//! Rectification notices (生态环境问题整改通知书, 004 Appendix J) and the
//! document numbers they carry.
//!
//! A notice is written from a signed inspection and, once numbered, is
//! evidence like the inspection: it never changes. A number is taken from
//! a block the server leased to this laptop, so two laptops issuing
//! offline never give the same number; a number is never reused, and
//! giving one up is recorded as a void with its reason.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::id::{DeviceId, EnterpriseId, FindingId, InspectionId, NoticeId, ParkId, PhotoId, Sha256};

/// A document number: the office's mark, the year and the serial, shown
/// as `祁环改〔2026〕12号` (GB/T 9704: hexagonal brackets, the full year,
/// no leading zeros, no 第).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct DocNumber {
    pub series: String,
    pub prefix: String,
    pub year: i32,
    pub serial: i64,
}

impl std::fmt::Display for DocNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}〔{}〕{}号", self.prefix, self.year, self.serial)
    }
}

/// One problem on a notice, with the suggestion for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NoticeProblem {
    pub finding_id: FindingId,
    pub found: String,
    pub suggestion: String,
    pub legal_basis: Option<String>,
}

/// A photo shown on the notice's evidence pages: the watermarked copy of
/// an inspection photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NoticePhoto {
    pub photo_id: PhotoId,
    pub sha256: Sha256,
    pub caption: String,
}

/// What the issuing office puts on every notice; kept per office in the
/// settings and copied onto each notice when it is issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NoticeOffice {
    /// 落款: the issuing office, e.g. `祁东县归阳工业园管理委员会`.
    pub issuer: String,
    /// Who inspected, as the notice says it: `托管服务`, `园区环保管家`.
    pub inspected_by: String,
    /// Where the plan goes: `归阳工业园安全环保办公室`.
    pub submit_to: String,
    pub submit_email: String,
    pub contact: String,
    pub phone: String,
    /// 发文机关标志 in red, when the office's template has one.
    pub red_header: Option<String>,
    /// 附：相关法律责任, the text attached to every notice.
    pub responsibilities: String,
}

/// The office's own font files for everything it prints (its 仿宋_GB2312
/// and 方正小标宋); `None` uses the shipped fonts. Paths on this laptop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentFonts {
    pub fang: Option<String>,
    pub title: Option<String>,
}

/// Which of the office's fonts: the body's 仿宋 or the title's 小标宋.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FontRole {
    Fang,
    Title,
}

impl DocumentFonts {
    pub fn slot(&mut self, role: FontRole) -> &mut Option<String> {
        match role {
            FontRole::Fang => &mut self.fang,
            FontRole::Title => &mut self.title,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Notice {
    pub id: NoticeId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    pub inspection_id: InspectionId,
    pub number: DocNumber,
    /// 主送: the enterprise's name.
    pub addressee: String,
    /// The inspection's start and end (`YYYY-MM-DDTHH:MM:SS`, China time).
    pub inspected_from: String,
    pub inspected_to: String,
    pub problems: Vec<NoticeProblem>,
    /// 为贯彻落实……要求: the laws and policies the notice rests on.
    pub laws: String,
    /// The day the rectification plan is due (`YYYY-MM-DD`).
    pub plan_due: String,
    pub office: NoticeOffice,
    /// The day it was issued (`YYYY-MM-DD`).
    pub issued_on: String,
    pub photos: Vec<NoticePhoto>,
    pub issued_at: String,
    pub device_id: Option<DeviceId>,
}

/// Days from the inspection to a notice's default deadline for the
/// enterprise's rectification plan.
pub const PLAN_DUE_DAYS: u32 = 15;

/// `2026-11-22` (or a timestamp starting so) as `2026年11月22日`.
pub fn chinese_date(iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let mut parts = date.split('-').map(|p| p.trim_start_matches('0'));
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) if !m.is_empty() && !d.is_empty() => format!("{y}年{m}月{d}日"),
        _ => iso.to_string(),
    }
}

/// The time of day of `YYYY-MM-DDTHH:MM:SS` as `9时05分`.
pub fn chinese_time(iso: &str) -> String {
    match (iso.get(11..13), iso.get(14..16)) {
        (Some(h), Some(m)) => format!("{}时{m}分", h.trim_start_matches('0').parse::<u32>().unwrap_or(0)),
        _ => String::new(),
    }
}

/// Chinese numerals for list headings: 一, 二, … 九十九.
pub fn chinese_numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n % 10] }),
        20..=99 => format!("{}十{}", DIGITS[n / 10], if n % 10 == 0 { "" } else { DIGITS[n % 10] }),
        _ => n.to_string(),
    }
}

/// A document number given up, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NumberVoid {
    pub id: Uuid,
    pub park_id: ParkId,
    pub number: DocNumber,
    /// The spoiled notice, if the number was used.
    pub notice_id: Option<NoticeId>,
    pub reason: String,
    pub voided_at: String,
    pub device_id: Option<DeviceId>,
}
