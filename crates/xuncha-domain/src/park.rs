//! The park file (一园一档): identity, planning approvals, emission quotas and
//! annual actuals, the central wastewater facility and the park archive.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::id::ParkId;

use crate::enterprise::{ArchiveItem, Contact};

/// Level of a development zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParkLevel {
    National,
    Provincial,
    Cluster,
}

impl ParkLevel {
    pub fn label(self) -> &'static str {
        match self {
            ParkLevel::National => "国家级",
            ParkLevel::Provincial => "省级",
            ParkLevel::Cluster => "集聚区",
        }
    }
}

/// A planning EIA approval or a tracking-evaluation opinion of the park.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ParkApproval {
    pub id: Uuid,
    /// `planning_eia` or `tracking_evaluation`.
    pub kind: String,
    pub doc_number: String,
    pub authority: Option<String>,
    pub approved_on: Option<String>,
    pub title: Option<String>,
}

/// One pollutant's total-quantity quota and its reported annual actuals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PollutantQuota {
    pub id: Uuid,
    /// Short name as the sources write it: COD, NH3-N, SO2, NOx, VOCs, 颗粒物, TN, TP.
    pub pollutant: String,
    /// Quota in t/a, as a decimal string so the source's precision is kept.
    pub quota_tpa: Option<String>,
    pub actuals: Vec<AnnualActual>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AnnualActual {
    pub year: i32,
    /// Amount in t/a, as a decimal string.
    pub amount_tpa: String,
}

/// The park's central wastewater facility, built by the park or relied on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ParkWastewaterFacility {
    pub name: Option<String>,
    /// `self_built` or `relied_on`.
    pub mode: Option<String>,
    /// Design capacity in 10⁴ t/d.
    pub design_capacity: Option<String>,
    /// Actual throughput in 10⁴ t/d.
    pub actual_capacity: Option<String>,
    pub process: Option<String>,
    pub discharge_standard: Option<String>,
    pub online_monitoring: Option<bool>,
}

/// A park file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Park {
    pub id: ParkId,
    pub name: String,
    /// Development-zone code such as `S437012`, or `※` for a cluster without one.
    pub code: Option<String>,
    pub level: Option<ParkLevel>,
    /// Prefecture-level city (地市).
    pub city: Option<String>,
    /// County (区县市).
    pub county: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub area_km2: Option<String>,
    pub leading_industries: Option<String>,
    pub approvals: Vec<ParkApproval>,
    pub pollutants: Vec<PollutantQuota>,
    pub wastewater_facility: Option<ParkWastewaterFacility>,
    pub emergency_plan_filing: Option<String>,
    pub last_drill_on: Option<String>,
    pub archive: Vec<ArchiveItem>,
    pub contacts: Vec<Contact>,
    /// Local version, bumped by every save; a save names the version it edited.
    pub version: i64,
}

impl Park {
    /// Every problem with this file, by field: errors block a save (on the
    /// laptop and on the server alike); warnings are shown and kept.
    pub fn check(&self) -> Vec<crate::enterprise::FieldProblem> {
        use crate::enterprise::FieldProblem;
        use crate::ident;
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(FieldProblem::error("name", "园区名称不能为空"));
        }
        for (field, verdict) in [
            ("code", self.code.as_deref().map(ident::check_park_code)),
            ("region_code", self.region_code.as_deref().map(ident::check_region_code)),
        ] {
            for pr in verdict.map(|v| v.problems).unwrap_or_default() {
                problems.push(FieldProblem { field: field.into(), severity: pr.severity, message: pr.message });
            }
        }
        problems
    }

    /// A new, empty park file with the 20-item archive checklist laid out.
    pub fn new(id: ParkId, name: impl Into<String>) -> Self {
        Park {
            id,
            name: name.into(),
            code: None,
            level: None,
            city: None,
            county: None,
            region_code: None,
            address: None,
            area_km2: None,
            leading_industries: None,
            approvals: Vec::new(),
            pollutants: Vec::new(),
            wastewater_facility: None,
            emergency_plan_filing: None,
            last_drill_on: None,
            archive: PARK_ARCHIVE_ITEMS.iter().enumerate().map(|(i, _)| ArchiveItem::empty(i as u8 + 1)).collect(),
            contacts: Vec::new(),
            version: 0,
        }
    }
}

/// The 20 documents of a park file in six groups, after 001 附件1-2.
pub const PARK_ARCHIVE_ITEMS: [(&str, &str); 20] = [
    ("园区审批及规划", "发改、环保（批复）"),
    ("园区审批及规划", "园区区划位置、规划情况、建设规模等具体情况"),
    ("园区审批及规划", "对照各类保护区、红线划定区域情况排查及县级人民政府审核意见"),
    ("园区审批及规划", "园区企业情况总表（企业名称、生产规模、运行情况、废水排放量、是否纳入管网）"),
    ("园区审批及规划", "应急风险评估、应急预案编制及应急演练情况"),
    ("企业情况", "环保批复"),
    ("企业情况", "企业营业执照及运营情况"),
    ("企业情况", "企业生产、生活用水产排情况佐证材料"),
    ("企业情况", "企业雨污分流、污污分质分类收集处理及纳管情况佐证材料"),
    ("企业情况", "环保监管情况"),
    ("雨污水管网", "雨污水排水体系、管网缺陷排查及园区排查意见"),
    ("雨污水管网", "管网系统布局走向、管网及污水流径线路图、管网长度"),
    ("污水处理设施", "处理规模、工艺、负荷及是否满足纳管需求"),
    ("污水处理设施", "化工、有色等园区独立污水集中处理设施情况"),
    ("污水处理设施", "依托的城镇污水处理设施运行情况及处理效果评估"),
    ("污水处理设施", "排污（水）口设置、异常排污排查及标识"),
    ("监测监管", "自动在线监控设施运行情况及佐证材料"),
    ("监测监管", "在线与手工监测数据比对情况"),
    ("监测监管", "园区及受纳地表水体环境质量监测数据（含上下游对比监测）"),
    ("其他情况资料", "其他相关佐证资料"),
];
