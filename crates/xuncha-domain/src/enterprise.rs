//! The enterprise file (一企一档) and the rules that judge it.
//!
//! An [`Enterprise`] is one aggregate: identity, status, category and tier,
//! EIA approvals, the emergency plan, permits, facilities with every field of
//! the facility cards (明白卡), outlets, solid waste per year, the 33-item
//! archive, contacts and the flags that record irregular source data. It is
//! saved whole, and the store records which top-level fields changed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::id::{EnterpriseId, FacilityId, ParkId, Sha256};

use crate::ident::{self, Problem, Severity};

/// Operating status of an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseStatus {
    Operating,
    UnderConstruction,
    TrialProduction,
    Suspended,
    Exited,
}

impl EnterpriseStatus {
    pub const ALL: [EnterpriseStatus; 5] = [
        EnterpriseStatus::Operating,
        EnterpriseStatus::UnderConstruction,
        EnterpriseStatus::TrialProduction,
        EnterpriseStatus::Suspended,
        EnterpriseStatus::Exited,
    ];
    pub fn label(self) -> &'static str {
        match self {
            EnterpriseStatus::Operating => "正常投产",
            EnterpriseStatus::UnderConstruction => "在建",
            EnterpriseStatus::TrialProduction => "试生产",
            EnterpriseStatus::Suspended => "停产",
            EnterpriseStatus::Exited => "退园",
        }
    }
    /// Reads a label as people write it (正常投产, 投产, 运行, 在建 ...).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|x| x.label() == s).or(match s {
            "投产" | "运行" | "正常" | "生产" | "在产" => Some(EnterpriseStatus::Operating),
            "在建企业" | "建设中" => Some(EnterpriseStatus::UnderConstruction),
            "停产企业" | "停业" => Some(EnterpriseStatus::Suspended),
            "退出" | "已退园" | "清退" => Some(EnterpriseStatus::Exited),
            _ => None,
        })
    }
}

/// Discharge-permit management category (管理类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ManagementCategory {
    Key,
    Simplified,
    Registration,
}

impl ManagementCategory {
    pub const ALL: [ManagementCategory; 3] =
        [ManagementCategory::Key, ManagementCategory::Simplified, ManagementCategory::Registration];
    pub fn label(self) -> &'static str {
        match self {
            ManagementCategory::Key => "重点",
            ManagementCategory::Simplified => "简化",
            ManagementCategory::Registration => "登记",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().trim_end_matches("管理") {
            "重点" => Some(ManagementCategory::Key),
            "简化" => Some(ManagementCategory::Simplified),
            "登记" => Some(ManagementCategory::Registration),
            _ => None,
        }
    }
    /// The patrol tier a category implies (重点→A, 简化→B, 登记→C).
    pub fn default_tier(self) -> Tier {
        match self {
            ManagementCategory::Key => Tier::A,
            ManagementCategory::Simplified => Tier::B,
            ManagementCategory::Registration => Tier::C,
        }
    }
}

/// Patrol tier: A quarterly, B half-yearly, C yearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum Tier {
    A,
    B,
    C,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::A, Tier::B, Tier::C];
    pub fn parse(s: &str) -> Option<Self> {
        match ident::normalize_code(s).as_str() {
            "A" | "A类" => Some(Tier::A),
            "B" | "B类" => Some(Tier::B),
            "C" | "C类" => Some(Tier::C),
            _ => None,
        }
    }
    pub fn letter(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Tier::A => "A类（重点企业，每季度巡查）",
            Tier::B => "B类（一般企业，每半年巡查）",
            Tier::C => "C类（非重点企业，每年巡查）",
        }
    }
}

/// A supervisor's decision to patrol an enterprise at another tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TierOverride {
    pub tier: Tier,
    pub reason: String,
}

/// Completion acceptance (竣工环保验收) of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    Done,
    NotDone,
    /// Registration-form projects need no acceptance.
    NotRequired,
    Unknown,
}

impl Acceptance {
    pub const ALL: [Acceptance; 4] =
        [Acceptance::Done, Acceptance::NotDone, Acceptance::NotRequired, Acceptance::Unknown];
    pub fn label(self) -> &'static str {
        match self {
            Acceptance::Done => "是",
            Acceptance::NotDone => "否",
            Acceptance::NotRequired => "无需验收",
            Acceptance::Unknown => "",
        }
    }
}

/// One EIA approval (环评批复) or registration filing, with its acceptance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EiaApproval {
    pub id: Uuid,
    /// Document number as written, e.g. `祁环评[2019]43号` or `登记备案：201943042600000059`.
    pub doc_number: String,
    pub authority: Option<String>,
    pub approved_on: Option<String>,
    pub project: Option<String>,
    pub acceptance: Acceptance,
    pub accepted_on: Option<String>,
}

impl EiaApproval {
    /// A new row of the file form, nothing known yet.
    pub fn blank(id: Uuid) -> Self {
        EiaApproval {
            id,
            doc_number: String::new(),
            authority: None,
            approved_on: None,
            project: None,
            acceptance: Acceptance::Unknown,
            accepted_on: None,
        }
    }
}

/// The enterprise's emergency plan filing (突发环境事件应急预案备案).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct EmergencyPlan {
    /// `Some(false)` when the enterprise has no risk source.
    pub required: Option<bool>,
    pub filing_number: Option<String>,
    pub filed_on: Option<String>,
    pub last_drill_on: Option<String>,
}

/// Kind of permit document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PermitKind {
    /// 排污许可证.
    Permit,
    /// 固定污染源排污登记回执.
    Registration,
}

impl PermitKind {
    pub const ALL: [PermitKind; 2] = [PermitKind::Permit, PermitKind::Registration];
}

/// A discharge permit or registration receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DischargePermit {
    pub id: Uuid,
    pub kind: PermitKind,
    pub number: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
}

impl DischargePermit {
    /// A new row of the file form: a permit, number to be entered.
    pub fn blank(id: Uuid) -> Self {
        DischargePermit { id, kind: PermitKind::Permit, number: String::new(), issued_on: None, expires_on: None }
    }
}

/// Kind of pollution-control facility; each has its own facility card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    Wastewater,
    WasteGas,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 2] = [FacilityKind::Wastewater, FacilityKind::WasteGas];
}

/// A pollution-control facility with every field of its facility card
/// (000 附件2-1 for wastewater, 附件2-2 for waste gas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Facility {
    pub id: FacilityId,
    pub kind: FacilityKind,
    /// 环保设施名称.
    pub name: String,
    /// 废水/废气排放标准.
    pub discharge_standard: Option<String>,
    /// 排水去向 (wastewater).
    pub discharge_destination: Option<String>,
    /// 设计规模 (t/d for wastewater; fan airflow for waste gas).
    pub design_capacity: Option<String>,
    /// 实际处理规模 (t/d, wastewater).
    pub actual_capacity: Option<String>,
    /// 运行方式: 电 or 气.
    pub power_mode: Option<String>,
    /// 是否安装在线监测设施.
    pub online_monitoring: Option<bool>,
    /// 在线监测的主要因子.
    pub online_factors: Option<String>,
    /// 处理效率（主要处理因子）.
    pub removal_efficiency: Option<String>,
    /// 工艺流程 (wastewater) or 工艺原理 (waste gas), in words.
    pub process: Option<String>,
    /// SHA-256 of the process diagram picture, stored as a blob.
    pub process_diagram_sha256: Option<Sha256>,
    /// 药剂投加方式: 自动 or 人工.
    pub dosing_mode: Option<String>,
    /// 药剂投加数量.
    pub dosing_amount: Option<String>,
    /// 环保耗材更换频次.
    pub consumables_replacement: Option<String>,
    /// 污泥压滤频次 (wastewater).
    pub sludge_press_frequency: Option<String>,
    /// 废弃物处置去向.
    pub waste_disposal: Option<String>,
}

impl Facility {
    /// A new facility of the file form, its card still empty.
    pub fn blank(id: FacilityId, kind: FacilityKind) -> Self {
        Facility {
            id,
            kind,
            name: String::new(),
            discharge_standard: None,
            discharge_destination: None,
            design_capacity: None,
            actual_capacity: None,
            power_mode: None,
            online_monitoring: None,
            online_factors: None,
            removal_efficiency: None,
            process: None,
            process_diagram_sha256: None,
            dosing_mode: None,
            dosing_amount: None,
            consumables_replacement: None,
            sludge_press_frequency: None,
            waste_disposal: None,
        }
    }
}

/// Kind of outlet (排放口).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutletKind {
    Wastewater,
    WasteGas,
    Rainwater,
}

impl OutletKind {
    pub const ALL: [OutletKind; 3] = [OutletKind::Wastewater, OutletKind::WasteGas, OutletKind::Rainwater];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Outlet {
    pub id: Uuid,
    pub kind: OutletKind,
    /// Outlet code as in the permit, e.g. `DW001`.
    pub code: Option<String>,
    pub location: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// SHA-256 of the signboard photo.
    pub signboard_photo_sha256: Option<Sha256>,
}

impl Outlet {
    /// A new outlet of the file form: a wastewater outlet, code to be entered.
    pub fn blank(id: Uuid) -> Self {
        Outlet {
            id,
            kind: OutletKind::Wastewater,
            code: None,
            location: None,
            longitude: None,
            latitude: None,
            signboard_photo_sha256: None,
        }
    }
}

/// Produced, self-utilised, self-disposed and entrusted amounts in t/a,
/// as decimal strings so the source's precision is kept (0.40 stays 0.40).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WasteAmounts {
    pub produced: Option<String>,
    pub self_utilised: Option<String>,
    pub self_disposed: Option<String>,
    pub entrusted: Option<String>,
}

/// Solid and hazardous waste of one year (002 table 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SolidWasteYear {
    pub id: Uuid,
    pub year: i32,
    pub general: WasteAmounts,
    pub hazardous: WasteAmounts,
    /// 涉危废转移清单企业: `None` where the source has `/`.
    pub on_transfer_list: Option<bool>,
}

impl SolidWasteYear {
    /// A new year of the file form, amounts still unknown.
    pub fn blank(id: Uuid, year: i32) -> Self {
        SolidWasteYear {
            id,
            year,
            general: WasteAmounts::default(),
            hazardous: WasteAmounts::default(),
            on_transfer_list: None,
        }
    }
}

/// One document of an archive checklist and its scanned attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ArchiveItem {
    /// 1-based item number of the checklist.
    pub item_no: u8,
    pub on_file: bool,
    pub doc_date: Option<String>,
    pub note: Option<String>,
    pub attachments: Vec<Attachment>,
}

impl ArchiveItem {
    pub fn empty(item_no: u8) -> Self {
        ArchiveItem { item_no, on_file: false, doc_date: None, note: None, attachments: Vec::new() }
    }
}

/// A file attached to an archive item; its bytes live in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attachment {
    pub id: Uuid,
    pub file_name: String,
    pub sha256: Sha256,
    pub size: u64,
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contact {
    pub id: Uuid,
    /// e.g. 环保负责人, 法定代表人, 园区联系人.
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    pub note: Option<String>,
}

impl Contact {
    /// A new contact in `role`, name to be entered.
    pub fn blank(id: Uuid, role: &str) -> Self {
        Contact { id, role: role.to_string(), name: String::new(), phone: None, note: None }
    }
}

/// Something irregular that the source data holds, kept as found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceFlag {
    /// The column or field, in Chinese as the source names it.
    pub field: String,
    /// The cell as found.
    pub raw: String,
    pub message: String,
}

/// An enterprise file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub park_id: ParkId,
    pub name: String,
    pub credit_code: Option<String>,
    pub legal_representative: Option<String>,
    /// Industry as written (GB/T 4754-2017 name), kept as found.
    pub industry: Option<String>,
    pub industry_code: Option<String>,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub status: EnterpriseStatus,
    pub management_category: Option<ManagementCategory>,
    pub tier_override: Option<TierOverride>,
    /// Whether the enterprise holds a permit, where the source says so without a number.
    pub permit_held: Option<bool>,
    pub eia_approvals: Vec<EiaApproval>,
    pub emergency_plan: EmergencyPlan,
    pub permits: Vec<DischargePermit>,
    pub facilities: Vec<Facility>,
    pub outlets: Vec<Outlet>,
    pub solid_waste: Vec<SolidWasteYear>,
    pub archive: Vec<ArchiveItem>,
    pub contacts: Vec<Contact>,
    /// Other spellings of the name met in source tables.
    pub aliases: Vec<String>,
    pub source_flags: Vec<SourceFlag>,
    /// Ids of files the server folded into this one: two laptops created
    /// the same enterprise offline, and records naming those ids (signed
    /// inspections, notices, cases) belong to this file.
    #[serde(default)]
    pub merged_ids: Vec<EnterpriseId>,
    /// Local version, bumped by every save; a save names the version it edited.
    pub version: i64,
}

impl Enterprise {
    /// A new, empty enterprise file with the 33-item archive laid out.
    pub fn new(id: EnterpriseId, park_id: ParkId, name: impl Into<String>) -> Self {
        Enterprise {
            id,
            park_id,
            name: name.into(),
            credit_code: None,
            legal_representative: None,
            industry: None,
            industry_code: None,
            address: None,
            longitude: None,
            latitude: None,
            status: EnterpriseStatus::Operating,
            management_category: None,
            tier_override: None,
            permit_held: None,
            eia_approvals: Vec::new(),
            emergency_plan: EmergencyPlan::default(),
            permits: Vec::new(),
            facilities: Vec::new(),
            outlets: Vec::new(),
            solid_waste: Vec::new(),
            archive: (1..=ENTERPRISE_ARCHIVE_ITEMS.len() as u8).map(ArchiveItem::empty).collect(),
            contacts: Vec::new(),
            aliases: Vec::new(),
            source_flags: Vec::new(),
            merged_ids: Vec::new(),
            version: 0,
        }
    }

    /// The patrol tier: a supervisor's override, else the category's default.
    /// `None` when the category is unknown and nobody has set a tier.
    pub fn tier(&self) -> Option<Tier> {
        self.tier_override.as_ref().map(|o| o.tier).or(self.management_category.map(ManagementCategory::default_tier))
    }

    /// The current permit or registration receipt number, if any. Both
    /// carry the holder's credit code in the same 22-character form.
    pub fn permit_number(&self) -> Option<&str> {
        self.permits.first().map(|p| p.number.as_str())
    }

    /// The environmental contact's phone (环保负责人), the first contact's otherwise.
    pub fn contact_phone(&self) -> Option<&str> {
        self.contacts
            .iter()
            .find(|c| c.role == CONTACT_ROLE_ENVIRONMENT)
            .or(self.contacts.first())
            .and_then(|c| c.phone.as_deref())
    }

    /// Every problem with this file, by field: identifier checks and
    /// consistency rules. Errors block a save; warnings are shown and kept.
    pub fn check(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut push = |field: &str, p: Problem| {
            out.push(FieldProblem { field: field.to_string(), severity: p.severity, message: p.message })
        };
        if self.name.trim().is_empty() {
            push("name", Problem::error("企业名称不能为空"));
        }
        if let Some(code) = &self.credit_code {
            for p in ident::check_credit_code(code).problems {
                push("credit_code", p);
            }
        }
        for (i, permit) in self.permits.iter().enumerate() {
            {
                let field = format!("permits[{i}].number");
                for p in ident::check_permit_number(&permit.number).problems {
                    push(&field, p);
                }
                if let (Some(code), Some(of_permit)) = (&self.credit_code, ident::credit_code_of_permit(&permit.number))
                {
                    if ident::normalize_code(code) != of_permit {
                        push(
                            &field,
                            Problem::warning(format!("排污许可证编号前18位“{of_permit}”与统一社会信用代码不一致")),
                        );
                    }
                }
            }
        }
        if let Some(number) = &self.emergency_plan.filing_number {
            for p in ident::check_emergency_filing(number).problems {
                push("emergency_plan.filing_number", p);
            }
        }
        if let Some(o) = &self.tier_override {
            if o.reason.trim().is_empty() {
                push("tier_override.reason", Problem::error("调整巡查类别必须填写理由"));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for item in &self.archive {
            if item.item_no == 0 || usize::from(item.item_no) > ENTERPRISE_ARCHIVE_ITEMS.len() {
                push("archive", Problem::error(format!("档案清单没有第{}项", item.item_no)));
            } else if !seen.insert(item.item_no) {
                push("archive", Problem::error(format!("档案清单第{}项重复", item.item_no)));
            }
        }
        let mut years = std::collections::BTreeSet::new();
        for w in &self.solid_waste {
            if !years.insert(w.year) {
                push("solid_waste", Problem::error(format!("{}年的固体废物数据重复", w.year)));
            }
            for (part, amounts) in [("一般工业固体废物", &w.general), ("危险废物", &w.hazardous)] {
                for value in [&amounts.produced, &amounts.self_utilised, &amounts.self_disposed, &amounts.entrusted]
                    .into_iter()
                    .flatten()
                {
                    if !is_decimal(value) {
                        push("solid_waste", Problem::error(format!("{}年{part}数量“{value}”不是数字", w.year)));
                    }
                }
            }
        }
        out
    }
}

/// A problem with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldProblem {
    pub field: String,
    pub severity: Severity,
    pub message: String,
}

impl FieldProblem {
    /// A problem that blocks the save, on `field`.
    pub fn error(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem { field: field.into(), severity: Severity::Error, message: message.into() }
    }
}

/// Whether a string is a plain non-negative decimal number such as `0.40`.
pub fn is_decimal(s: &str) -> bool {
    let mut parts = s.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// The contact role whose phone is the enterprise's environmental contact.
pub const CONTACT_ROLE_ENVIRONMENT: &str = "环保负责人";

/// The 33 documents of an enterprise file, after 004 table E.1: (group, document).
pub const ENTERPRISE_ARCHIVE_ITEMS: [(&str, &str); 33] = [
    ("入驻企业环境保护手续情况", "环境影响评价报告书（报告表/登记表）或者排污评估报告"),
    ("入驻企业环境保护手续情况", "建设项目的环评审查意见或备案意见"),
    ("入驻企业环境保护手续情况", "建设项目环境保护验收批复或入驻企业自主验收意见及竣工环境保护验收监测（调查）报告"),
    ("入驻企业环境保护手续情况", "污染物排放许可证/固定污染源排污登记回执"),
    ("入驻企业环境保护手续情况", "其他生态环境部门相关资料（如入驻企业环境影响后评价文件等）"),
    ("入驻企业环境保护手续情况", "辐射安全许可证（特殊行业）"),
    ("入驻企业环境保护手续情况", "排水许可证、排水接驳意见、排水咨询意见"),
    ("入驻企业执行报告", "排污许可证执行报告（季报、年报）"),
    ("环境风险排查及应急管理资料", "入驻企业突发环境事件应急预案、环境风险评估报告、环境应急资源调查报告"),
    ("环境风险排查及应急管理资料", "入驻企业突发环境事件应急预案备案表"),
    ("环境风险排查及应急管理资料", "入驻企业突发环境事件应急演练记录、照片和总结"),
    ("环境风险排查及应急管理资料", "应急资源（设备）清单、检查和维护情况记录、隐患排查整改记录"),
    ("环境风险排查及应急管理资料", "土壤污染重点监管单位土壤污染隐患排查报告及系统填报资料"),
    ("环境监测基础资料", "污染物监测报告、自行监测数据的填报及上传记录"),
    ("污染治理设施运行情况", "污染治理设施设计方案、图纸"),
    ("污染治理设施运行情况", "污染治理设施运维管理制度"),
    ("污染治理设施运行情况", "污染治理设施运行、维护及故障检修记录台账"),
    ("污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行验收文件"),
    ("污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行（维护）委托合同"),
    ("污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行记录统计表"),
    ("排污口规范化资料", "排污口设置情况说明"),
    ("排污口规范化资料", "排污口标志牌照片"),
    ("固体废物处置情况", "危险废物委托处理处置协议/合同、转移联单、台账"),
    ("固体废物处置情况", "固体废物环境监管信息平台数据填报"),
    ("固体废物处置情况", "委托的危险废物处理处置单位资质证明"),
    ("固体废物处置情况", "一般固体废物处置协议"),
    ("固体废物处置情况", "一般固体废物产生、利用、处置台账"),
    ("固体废物处置情况", "危险废物贮存场所设置规范化照片"),
    ("清洁生产工作档案", "清洁生产审核报告、专家意见及有关部门对通过清洁生产审核入驻企业的公示名单"),
    ("生态环境主管部门监督检查资料", "生态环境主管部门监督检查记录"),
    ("生态环境主管部门监督检查资料", "环境保护行政处罚记录"),
    ("生态环境主管部门监督检查资料", "行政处罚记录完成整改（销案）的证明材料"),
    ("入驻企业环境信息依法披露档案", "年度环境信息依法披露报告或临时环境信息依法披露报告"),
];
