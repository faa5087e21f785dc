//! An inspection on site: checklist results, findings, photos, signatures.
//!
//! An inspection is a draft while it is being filled in, completed when the
//! inspectors have finished (every rule of [`Inspection::check_complete`]
//! holds), and signed once the signatures are in. A signed inspection is
//! evidence: it never changes (the store refuses, and so does the server),
//! and a correction is a new inspection whose `corrects` names the
//! original. Drafts stay on the laptop that made them; only signed
//! inspections are sent to the bureau, as insert-only records.
//!
//! Each signed inspection carries a digest over its content (photos and
//! signatures by SHA-256) and its predecessor's digest on the same device
//! (`xuncha_sync::inspection_digest`), so tampering with any record, photo
//! or earlier inspection is detected.

use crate::id::{DeviceId, EnterpriseId, FacilityId, FindingId, InspectionId, ParkId, PhotoId, Sha256};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checklist::{self, Phrasing, Template, Topic};
use crate::enterprise::{Enterprise, Facility, FacilityKind, FieldProblem};
use crate::rectification::{Case, CaseState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 日常巡查.
    DailyPatrol,
    /// 园区全面排查.
    Screening,
    /// 专项检查：水.
    SpecialWater,
    SpecialAir,
    SpecialSolidWaste,
    SpecialSoil,
    /// 专项检查：散乱污.
    SpecialScattered,
    /// 复查.
    Reinspection,
}

impl InspectionKind {
    pub const ALL: [InspectionKind; 8] = [
        InspectionKind::DailyPatrol,
        InspectionKind::Screening,
        InspectionKind::SpecialWater,
        InspectionKind::SpecialAir,
        InspectionKind::SpecialSolidWaste,
        InspectionKind::SpecialSoil,
        InspectionKind::SpecialScattered,
        InspectionKind::Reinspection,
    ];

    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::DailyPatrol => "日常巡查",
            InspectionKind::Screening => "园区全面排查",
            InspectionKind::SpecialWater => "专项检查（水）",
            InspectionKind::SpecialAir => "专项检查（大气）",
            InspectionKind::SpecialSolidWaste => "专项检查（固体废物）",
            InspectionKind::SpecialSoil => "专项检查（土壤）",
            InspectionKind::SpecialScattered => "专项检查（散乱污）",
            InspectionKind::Reinspection => "复查",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s || k.label() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::DailyPatrol => "daily_patrol",
            InspectionKind::Screening => "screening",
            InspectionKind::SpecialWater => "special_water",
            InspectionKind::SpecialAir => "special_air",
            InspectionKind::SpecialSolidWaste => "special_solid_waste",
            InspectionKind::SpecialSoil => "special_soil",
            InspectionKind::SpecialScattered => "special_scattered",
            InspectionKind::Reinspection => "reinspection",
        }
    }

    /// Whether it counts as a patrol for the patrol plan.
    pub fn is_patrol(self) -> bool {
        matches!(self, InspectionKind::DailyPatrol | InspectionKind::Screening)
    }

    fn topic(self) -> Option<Topic> {
        match self {
            InspectionKind::SpecialWater => Some(Topic::Water),
            InspectionKind::SpecialAir => Some(Topic::Air),
            InspectionKind::SpecialSolidWaste => Some(Topic::SolidWaste),
            InspectionKind::SpecialSoil => Some(Topic::Soil),
            InspectionKind::SpecialScattered => Some(Topic::Scattered),
            _ => None,
        }
    }

    /// The templates an inspection of this kind goes through.
    pub fn template_keys(self) -> &'static [&'static str] {
        match self {
            InspectionKind::DailyPatrol => &[checklist::DAILY_PATROL, checklist::FACILITY_CARD],
            _ => &[checklist::ENTERPRISE_PROBLEMS, checklist::FACILITY_CARD],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InspectionState {
    Draft,
    Completed,
    Signed,
}

impl InspectionState {
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionState::Draft => "draft",
            InspectionState::Completed => "completed",
            InspectionState::Signed => "signed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    Compliant,
    NonCompliant,
    NotApplicable,
    NotChecked,
}

/// One checklist item's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(from = "StoredResult")]
pub struct ItemResult {
    /// What ties a finding to this result: the item's code, for a facility
    /// item with the facility (`W01@<facility id>`). Derived whenever a
    /// result is made or read, so the window never composes it; the record
    /// that is digested and sent leaves it out ([`Inspection::record`]).
    pub key: String,
    pub template: String,
    pub code: String,
    /// The item's wording, as the template version stated it.
    pub text: String,
    pub section: String,
    /// For facility_card items: which facility, and what its card says.
    pub facility_id: Option<FacilityId>,
    pub facility_name: Option<String>,
    pub card_value: Option<String>,
    pub outcome: ItemOutcome,
    /// Why it does not apply, or what was seen.
    pub note: Option<String>,
    /// For a re-inspection's row: the earlier finding it looks at again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rechecks: Option<FindingId>,
    /// How the item is worded, which decides what its answers say; derived
    /// from the template like `key`, and likewise not digested or sent.
    pub phrasing: Phrasing,
}

impl ItemOutcome {
    /// The answer as the window and the paper say it for an item worded so.
    pub fn label(self, phrasing: Phrasing) -> &'static str {
        match (self, phrasing) {
            (ItemOutcome::Compliant, Phrasing::Checks) => "符合",
            (ItemOutcome::NonCompliant, Phrasing::Checks) => "不符合",
            (ItemOutcome::Compliant, Phrasing::Problems) => "未发现",
            (ItemOutcome::NonCompliant, Phrasing::Problems) => "存在此问题",
            (ItemOutcome::Compliant, Phrasing::Rechecks) => "已整改",
            (ItemOutcome::NonCompliant, Phrasing::Rechecks) => "未整改",
            (ItemOutcome::NotApplicable, _) => "不适用",
            (ItemOutcome::NotChecked, _) => "未检查",
        }
    }
}

/// A result as stored and sent: everything but its derived key and phrasing.
#[derive(Deserialize)]
struct StoredResult {
    template: String,
    code: String,
    text: String,
    section: String,
    facility_id: Option<FacilityId>,
    facility_name: Option<String>,
    card_value: Option<String>,
    outcome: ItemOutcome,
    note: Option<String>,
    #[serde(default)]
    rechecks: Option<FindingId>,
}

impl From<StoredResult> for ItemResult {
    fn from(r: StoredResult) -> Self {
        let key = match r.facility_id {
            Some(f) => format!("{}@{f}", r.code),
            None => r.code.clone(),
        };
        ItemResult {
            key,
            phrasing: Phrasing::of(&r.template),
            template: r.template,
            code: r.code,
            text: r.text,
            section: r.section,
            facility_id: r.facility_id,
            facility_name: r.facility_name,
            card_value: r.card_value,
            outcome: r.outcome,
            note: r.note,
            rechecks: r.rechecks,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    /// 轻微：当场整改.
    Minor,
    /// 一般：下发整改通知书.
    General,
    /// 严重：移交违法线索.
    Serious,
}

impl FindingSeverity {
    pub const ALL: [FindingSeverity; 3] = [FindingSeverity::Minor, FindingSeverity::General, FindingSeverity::Serious];

    /// Days from the inspection to the finding's default deadline: a
    /// minor problem is put right on the spot and has none.
    pub fn default_deadline_days(self) -> Option<u32> {
        match self {
            FindingSeverity::Minor => None,
            FindingSeverity::General => Some(30),
            FindingSeverity::Serious => Some(15),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FindingSeverity::Minor => "轻微（当场整改）",
            FindingSeverity::General => "一般（下发整改通知书）",
            FindingSeverity::Serious => "严重（移交违法线索）",
        }
    }

    /// The grade alone, as a record's table prints it.
    pub fn grade(self) -> &'static str {
        match self {
            FindingSeverity::Minor => "轻微",
            FindingSeverity::General => "一般",
            FindingSeverity::Serious => "严重",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub id: FindingId,
    /// [`ItemResult::key`] of the item it was found under; `None` for a
    /// problem outside the checklist.
    pub item_key: Option<String>,
    /// 现场发现问题.
    pub found: String,
    /// 整改建议.
    pub suggestion: String,
    pub legal_basis: Option<String>,
    pub severity: FindingSeverity,
    /// Rectification deadline (`YYYY-MM-DD`).
    pub deadline: Option<String>,
}

/// A photo attached to an inspection; the files are blobs by SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Photo {
    pub id: PhotoId,
    pub finding_id: Option<FindingId>,
    /// The original's SHA-256: the evidence.
    pub sha256: Sha256,
    pub file_name: String,
    pub size: u64,
    /// Capture time from EXIF, camera local time (`YYYY-MM-DDTHH:MM:SS`),
    /// or entered by hand when the file carried none (`time_entered`).
    pub taken_at: Option<String>,
    /// Set when `taken_at` was entered by hand: who entered it and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time_entered: Option<HandEntry>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Upright size of the original.
    pub width: u32,
    pub height: u32,
    pub rendition_sha256: Sha256,
    pub thumbnail_sha256: Sha256,
    pub watermarked_sha256: Sha256,
    pub imported_at: String,
}

/// Who entered a value by hand, and when (RFC 3339, China time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandEntry {
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    Inspector,
    /// The enterprise's representative.
    Representative,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Signature {
    pub role: SignerRole,
    pub name: String,
    /// SHA-256 of the drawn signature (PNG, a blob); `None` when refused.
    pub image_sha256: Option<Sha256>,
    /// The signer refused to sign; a witness attests it.
    pub refused: bool,
    pub witness: Option<String>,
    pub signed_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TemplateRef {
    pub key: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Inspection {
    pub id: InspectionId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    /// The enterprise's name on the day.
    pub enterprise_name: String,
    pub kind: InspectionKind,
    pub templates: Vec<TemplateRef>,
    pub inspectors: Vec<String>,
    /// 陪同人员 from the enterprise.
    pub accompanying: Option<String>,
    /// RFC 3339 with the +08:00 offset.
    pub started_at: String,
    pub ended_at: Option<String>,
    pub results: Vec<ItemResult>,
    pub findings: Vec<Finding>,
    pub photos: Vec<Photo>,
    pub notes: String,
    pub signatures: Vec<Signature>,
    pub state: InspectionState,
    /// The signed inspection this one corrects.
    pub corrects: Option<InspectionId>,
    pub correction_reason: Option<String>,
    pub signed_at: Option<String>,
    /// Set when signed: the signing device, its chain position and link.
    pub device_id: Option<DeviceId>,
    pub chain_no: Option<i64>,
    pub prev_id: Option<InspectionId>,
    pub prev_digest: Option<Sha256>,
    pub digest: Option<Sha256>,
    /// Local version, bumped by every save of a draft; not part of the
    /// record that is sent, so absent on the server's copy.
    #[serde(default)]
    pub version: i64,
}

/// Builds the checklist rows for an enterprise: every item of the kind's
/// templates, facility_card items once per facility of that kind; items
/// that do not apply start as not applicable with the reason.
pub fn checklist_rows(kind: InspectionKind, e: &Enterprise, templates: &[Template]) -> Vec<ItemResult> {
    let mut rows = Vec::new();
    for t in templates {
        for s in &t.sections {
            let facilities: Vec<Option<&Facility>> = match s.facility {
                Some(k) => e.facilities.iter().filter(|f| f.kind == k).map(Some).collect(),
                None => vec![None],
            };
            for f in facilities {
                for item in &s.items {
                    if let Some(topic) = kind.topic() {
                        let topical =
                            item.topics.contains(&topic) || s.facility.is_some_and(|k| facility_topic(k) == topic);
                        if !topical {
                            continue;
                        }
                    }
                    let not_applicable = item.applies_if.and_then(|r| r.check(e));
                    rows.push(ItemResult::from(StoredResult {
                        template: t.key.clone(),
                        code: item.code.clone(),
                        text: item.text.clone(),
                        section: s.title.clone(),
                        facility_id: f.map(|f| f.id),
                        facility_name: f.map(|f| f.name.clone()),
                        card_value: f.and_then(|f| item.card_field.as_deref().and_then(|c| card_value(f, c))),
                        outcome: if not_applicable.is_some() {
                            ItemOutcome::NotApplicable
                        } else {
                            ItemOutcome::NotChecked
                        },
                        note: not_applicable.map(|r| format!("不适用：{r}")),
                        rechecks: None,
                    }));
                }
            }
        }
    }
    rows
}

/// A re-inspection's rows: each problem of the enterprise's cases that
/// waits to be looked at again (notice issued, plan received, or reported
/// rectified), in the cases' order, each naming the finding it re-checks.
pub fn recheck_rows(cases: &[Case]) -> Vec<ItemResult> {
    let waiting =
        cases.iter().filter(|c| matches!(c.state, CaseState::Issued | CaseState::PlanReceived | CaseState::Rectified));
    let mut rows = Vec::new();
    for c in waiting {
        let section = match &c.number {
            Some(number) => format!("整改通知书 {number}（{}）", c.state.label()),
            None => format!("{}立案的整改案件（{}）", c.opened_on, c.state.label()),
        };
        for f in &c.findings {
            rows.push(ItemResult::from(StoredResult {
                template: checklist::RECHECK.into(),
                code: format!("R{}", rows.len() + 1),
                text: f.found.clone(),
                section: section.clone(),
                facility_id: None,
                facility_name: None,
                card_value: None,
                outcome: ItemOutcome::NotChecked,
                note: None,
                rechecks: Some(f.finding_id),
            }));
        }
    }
    rows
}

fn facility_topic(k: FacilityKind) -> Topic {
    match k {
        FacilityKind::Wastewater => Topic::Water,
        FacilityKind::WasteGas => Topic::Air,
    }
}

/// What a facility's card states for one field, as text.
pub fn card_value(f: &Facility, field: &str) -> Option<String> {
    let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    match field {
        "name" => Some(f.name.clone()),
        "discharge_standard" => text(&f.discharge_standard),
        "discharge_destination" => text(&f.discharge_destination),
        "design_capacity" => text(&f.design_capacity),
        "actual_capacity" => text(&f.actual_capacity),
        "power_mode" => text(&f.power_mode),
        "online_monitoring" => f.online_monitoring.map(|m| {
            let yes = if m { "是" } else { "否" };
            match text(&f.online_factors) {
                Some(factors) if m => format!("{yes}（{factors}）"),
                _ => yes.to_string(),
            }
        }),
        "removal_efficiency" => text(&f.removal_efficiency),
        "process" => text(&f.process),
        "dosing_mode" => text(&f.dosing_mode),
        "dosing_amount" => text(&f.dosing_amount),
        "consumables_replacement" => text(&f.consumables_replacement),
        "sludge_press_frequency" => text(&f.sludge_press_frequency),
        "waste_disposal" => text(&f.waste_disposal),
        _ => None,
    }
}

impl Inspection {
    pub fn date(&self) -> Option<NaiveDate> {
        self.started_at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }

    /// What stops this inspection from being completed; fields are
    /// `results.<key>`, `findings.<id>`, `inspectors`, `ended_at`.
    pub fn check_complete(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |field: String, message: String| out.push(FieldProblem::error(field, message));
        if self.inspectors.iter().all(|i| i.trim().is_empty()) {
            problem("inspectors".into(), "请填写检查人员".into());
        }
        match &self.ended_at {
            None => problem("ended_at".into(), "请填写检查结束时间".into()),
            Some(end) if end.as_str() < self.started_at.as_str() => {
                problem("ended_at".into(), "结束时间早于开始时间".into())
            }
            _ => {}
        }
        if self.corrects.is_some() && self.correction_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            problem("correction_reason".into(), "更正记录须写明更正原因".into());
        }
        for r in &self.results {
            let at = r.facility_name.as_deref().map(|n| format!("（{n}）")).unwrap_or_default();
            if r.outcome == ItemOutcome::NonCompliant
                && !self.findings.iter().any(|f| f.item_key.as_deref() == Some(r.key.as_str()))
            {
                problem(
                    format!("results.{}", r.key),
                    format!("第 {} 项{at}“{}”判为{}，请记录发现的问题", r.code, r.text, r.outcome.label(r.phrasing)),
                );
            }
        }
        for f in &self.findings {
            let field = format!("findings.{}", f.id);
            if f.found.trim().is_empty() {
                problem(field.clone(), "请填写现场发现的问题".into());
            }
            if f.severity != FindingSeverity::Minor && f.deadline.is_none() {
                problem(field.clone(), "一般或严重问题须填写整改期限".into());
            }
            if let Some(d) = &f.deadline {
                match (NaiveDate::parse_from_str(d, "%Y-%m-%d"), self.date()) {
                    (Err(_), _) => problem(field.clone(), format!("整改期限“{d}”不是有效日期")),
                    (Ok(d), Some(day)) if d < day => problem(field.clone(), "整改期限早于检查日期".into()),
                    _ => {}
                }
            }
        }
        out
    }

    /// Items nobody answered: 未检查 and 不适用 are answers only with their
    /// reason, so a record is not closed over items nobody looked at. The
    /// laptop asks this of a record it completes; records signed before the
    /// rule existed are not judged by it again.
    pub fn check_answered(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        for r in &self.results {
            let at = r.facility_name.as_deref().map(|n| format!("（{n}）")).unwrap_or_default();
            let reasoned = r.note.as_deref().is_some_and(|n| !n.trim().is_empty());
            let message = match r.outcome {
                ItemOutcome::NotChecked if !reasoned => "未作答：请选择结果，或标为未检查并写明原因",
                ItemOutcome::NotApplicable if !reasoned => "标为不适用，请写明原因",
                _ => continue,
            };
            out.push(FieldProblem::error(
                format!("results.{}", r.key),
                format!("第 {} 项{at}“{}”{message}", r.code, r.text),
            ));
        }
        out
    }

    /// What stops these signatures from closing the inspection.
    pub fn check_signatures(signatures: &[Signature]) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |message: String| out.push(FieldProblem::error("signatures", message));
        if !signatures.iter().any(|s| s.role == SignerRole::Inspector) {
            problem("须有检查人员亲笔签名".into());
        }
        if !signatures.iter().any(|s| s.role == SignerRole::Representative) {
            problem("须有企业代表签名，或记录其拒绝签名及见证人".into());
        }
        for s in signatures {
            let role = match s.role {
                SignerRole::Inspector => "检查人员",
                SignerRole::Representative => "企业代表",
            };
            let name = s.name.trim();
            if name.is_empty() {
                problem(format!("请填写签名的{role}姓名"));
            }
            // Each signer is named once, with the one thing missing.
            let who = format!("{role}{name}");
            if s.refused && s.role == SignerRole::Inspector {
                problem(format!("{who}不能拒绝签名"));
            } else if s.refused && s.witness.as_deref().is_none_or(|w| w.trim().is_empty()) {
                problem(format!("{who}拒绝签名，须填写见证人"));
            } else if !s.refused && s.image_sha256.is_none() {
                problem(format!("{who}尚未手写签名"));
            }
        }
        out
    }

    /// The JSON that is digested and sent: the record without its local
    /// version and its results' derived keys.
    pub fn record(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("an inspection always serialises");
        if let Some(m) = v.as_object_mut() {
            m.remove("version");
            for r in m.get_mut("results").and_then(serde_json::Value::as_array_mut).into_iter().flatten() {
                if let Some(r) = r.as_object_mut() {
                    r.remove("key");
                    r.remove("phrasing");
                }
            }
        }
        v
    }

    /// SHA-256 of every file the record points at: photos and signatures.
    pub fn blob_hashes(&self) -> Vec<Sha256> {
        let mut out = Vec::new();
        for p in &self.photos {
            out.extend([p.sha256, p.rendition_sha256, p.thumbnail_sha256, p.watermarked_sha256]);
        }
        out.extend(self.signatures.iter().filter_map(|s| s.image_sha256));
        out.sort();
        out.dedup();
        out
    }
}
