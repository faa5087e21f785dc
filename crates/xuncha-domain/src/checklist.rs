//! Checklist templates: the items an inspection goes through.
//!
//! Templates are reference data: written only by the bureau, versioned, and
//! never changed once published; a laptop keeps every version it received
//! and an inspection records the version it used. The versions shipped in
//! `assets/checklists/` are the starting point (and what the bureau
//! publishes first); wording is that of the source documents.
//!
//! Whether an item applies to an enterprise is decided from its file by a
//! small closed set of [`Rule`]s. When the file does not say (a category or
//! a facility list never filled in), the item applies: unknown is checked.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enterprise::{Enterprise, FacilityKind, ManagementCategory, PermitKind};

/// The reference-data kind under which templates are published.
pub const REFERENCE_KIND: &str = "checklist_template";

/// Every version of the templates shipped with the program, as JSON. A
/// shipped version is never edited: a correction is a new file with the
/// next version, and records made with the old one keep reading it.
const SHIPPED: [&str; 4] = [
    include_str!("../../../assets/checklists/enterprise_problems.json"),
    include_str!("../../../assets/checklists/enterprise_problems_v2.json"),
    include_str!("../../../assets/checklists/daily_patrol.json"),
    include_str!("../../../assets/checklists/facility_card.json"),
];

/// Key of 004 table G.1, the enterprise problem checklist.
pub const ENTERPRISE_PROBLEMS: &str = "enterprise_problems";
/// Key of the daily patrol items of 004 6.1.2.2.
pub const DAILY_PATROL: &str = "daily_patrol";
/// Key of a re-inspection's rows: not a template but the open problems of
/// the enterprise's cases, one row each.
pub const RECHECK: &str = "recheck";
/// Key of the facility_card check (000 附件2-1, 2-2).
pub const FACILITY_CARD: &str = "facility_card";

/// How a template's items are worded, which decides what its answers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Phrasing {
    /// Items are things to check (“雨水排放口运行情况”): 符合 / 不符合.
    Checks,
    /// Items name a problem (“应当申请排污许可证但未申请”): the answer is
    /// whether that problem is there, 未发现 / 存在此问题.
    Problems,
    /// Items are earlier problems a re-inspection looks at again: 已整改 / 未整改.
    Rechecks,
}

impl Phrasing {
    /// The wording of a template's items, by its key: table G.1 lists
    /// problems in every version; the other templates list checks.
    pub fn of(template: &str) -> Phrasing {
        match template {
            ENTERPRISE_PROBLEMS => Phrasing::Problems,
            RECHECK => Phrasing::Rechecks,
            _ => Phrasing::Checks,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Template {
    pub key: String,
    pub version: u32,
    pub title: String,
    /// The document the items come from.
    pub source: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ChecklistSection")]
pub struct Section {
    pub code: String,
    pub title: String,
    /// For facility_card sections: the kind of facility each item is
    /// checked on, once per facility of the enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<FacilityKind>,
    /// Suggestion for items without their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ChecklistItem")]
pub struct Item {
    pub code: String,
    pub text: String,
    /// Default rectification suggestion, prefilled into a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_if: Option<Rule>,
    /// Special checks (water, air, ...) use the items tagged with their topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Topic>,
    /// For facility_card items: the facility field the card states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_field: Option<String>,
    /// A remark on the source's wording or numbering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_note: Option<String>,
}

/// When an item applies, judged from the enterprise file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ChecklistRule")]
pub enum Rule {
    /// Key or simplified permit management (registration needs no permit).
    PermitRequired,
    HasPermit,
    /// Has an EIA approval on file.
    HasEia,
    /// Has any pollution-control facility.
    HasFacility,
    HasWastewaterFacility,
    HasWasteGasFacility,
    /// Produces hazardous waste.
    HasHazardousWaste,
    EmergencyPlanRequired,
    HasOnlineMonitoring,
}

impl Rule {
    /// `None` when the item applies; otherwise why it does not, in Chinese.
    pub fn check(self, e: &Enterprise) -> Option<&'static str> {
        let facility = |k: Option<FacilityKind>| e.facilities.iter().any(|f| k.is_none_or(|k| f.kind == k));
        match self {
            Rule::PermitRequired => {
                (e.management_category == Some(ManagementCategory::Registration)).then_some("登记管理，无需排污许可证")
            }
            Rule::HasPermit => {
                (!e.permits.iter().any(|p| p.kind == PermitKind::Permit)).then_some("档案中无排污许可证")
            }
            Rule::HasEia => e.eia_approvals.is_empty().then_some("档案中无环评批复"),
            Rule::HasFacility => (!facility(None)).then_some("档案中无污染防治设施"),
            Rule::HasWastewaterFacility => {
                (!facility(Some(FacilityKind::Wastewater))).then_some("档案中无废水处理设施")
            }
            Rule::HasWasteGasFacility => (!facility(Some(FacilityKind::WasteGas))).then_some("档案中无废气处理设施"),
            Rule::HasHazardousWaste => {
                let recorded = !e.solid_waste.is_empty();
                let produces = e.solid_waste.iter().any(|y| {
                    y.hazardous.produced.as_deref().and_then(|v| v.trim().parse::<f64>().ok()).is_some_and(|v| v > 0.0)
                });
                (recorded && !produces).then_some("档案记载不产生危险废物")
            }
            Rule::EmergencyPlanRequired => {
                (e.emergency_plan.required == Some(false)).then_some("档案记载无需编制应急预案")
            }
            Rule::HasOnlineMonitoring => {
                (!e.facilities.iter().any(|f| f.online_monitoring == Some(true))).then_some("档案中无在线监测设施")
            }
        }
    }
}

/// Topics of special checks (专项检查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ChecklistTopic")]
pub enum Topic {
    Water,
    Air,
    SolidWaste,
    Soil,
    Scattered,
}

/// Every version of every shipped template, parsed, oldest first per key.
/// A broken shipped file is a build defect, caught by the tests.
pub fn shipped_versions() -> Vec<Template> {
    SHIPPED.iter().map(|json| serde_json::from_str(json).expect("shipped checklist templates parse")).collect()
}

/// The newest shipped version of each template: what new inspections use
/// until the bureau publishes a newer one.
pub fn shipped() -> Vec<Template> {
    let mut newest: Vec<Template> = Vec::new();
    for t in shipped_versions() {
        match newest.iter_mut().find(|n| n.key == t.key) {
            Some(n) if n.version < t.version => *n = t,
            Some(_) => {}
            None => newest.push(t),
        }
    }
    newest
}

impl Template {
    /// Reads a template from reference data, checking it is usable.
    pub fn from_json(json: &serde_json::Value) -> Result<Template, String> {
        let t: Template = serde_json::from_value(json.clone()).map_err(|e| format!("检查表格式错误：{e}"))?;
        let mut codes = std::collections::HashSet::new();
        for item in t.sections.iter().flat_map(|s| &s.items) {
            if !codes.insert(item.code.as_str()) {
                return Err(format!("检查表“{}”中编号 {} 重复", t.title, item.code));
            }
        }
        Ok(t)
    }

    pub fn item(&self, code: &str) -> Option<(&Section, &Item)> {
        self.sections.iter().find_map(|s| s.items.iter().find(|i| i.code == code).map(|i| (s, i)))
    }
}

/// What a finding starts from: the item's own suggestion, else its section's.
pub fn suggestion_for(section: &Section, item: &Item) -> String {
    item.suggestion.clone().or_else(|| section.suggestion.clone()).unwrap_or_default()
}
