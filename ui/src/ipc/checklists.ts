// Generated from the Rust constants by `xuncha_core::api::typescript_checklists`; do not edit.

import type { Acceptance, Contact, DischargePermit, EiaApproval, EnterpriseStatus, Facility, FacilityKind, ManagementCategory, Outlet, OutletKind, PermitKind, SolidWasteYear, Tier, FindingSeverity } from './bindings'

/** 一园一档: 001 附件1-2, (group, document). */
export const PARK_ARCHIVE_ITEMS: ReadonlyArray<readonly [string, string]> = [
  ["园区审批及规划", "发改、环保（批复）"],
  ["园区审批及规划", "园区区划位置、规划情况、建设规模等具体情况"],
  ["园区审批及规划", "对照各类保护区、红线划定区域情况排查及县级人民政府审核意见"],
  ["园区审批及规划", "园区企业情况总表（企业名称、生产规模、运行情况、废水排放量、是否纳入管网）"],
  ["园区审批及规划", "应急风险评估、应急预案编制及应急演练情况"],
  ["企业情况", "环保批复"],
  ["企业情况", "企业营业执照及运营情况"],
  ["企业情况", "企业生产、生活用水产排情况佐证材料"],
  ["企业情况", "企业雨污分流、污污分质分类收集处理及纳管情况佐证材料"],
  ["企业情况", "环保监管情况"],
  ["雨污水管网", "雨污水排水体系、管网缺陷排查及园区排查意见"],
  ["雨污水管网", "管网系统布局走向、管网及污水流径线路图、管网长度"],
  ["污水处理设施", "处理规模、工艺、负荷及是否满足纳管需求"],
  ["污水处理设施", "化工、有色等园区独立污水集中处理设施情况"],
  ["污水处理设施", "依托的城镇污水处理设施运行情况及处理效果评估"],
  ["污水处理设施", "排污（水）口设置、异常排污排查及标识"],
  ["监测监管", "自动在线监控设施运行情况及佐证材料"],
  ["监测监管", "在线与手工监测数据比对情况"],
  ["监测监管", "园区及受纳地表水体环境质量监测数据（含上下游对比监测）"],
  ["其他情况资料", "其他相关佐证资料"],
]

/** 一企一档: 004 table E.1, (group, document). */
export const ENTERPRISE_ARCHIVE_ITEMS: ReadonlyArray<readonly [string, string]> = [
  ["入驻企业环境保护手续情况", "环境影响评价报告书（报告表/登记表）或者排污评估报告"],
  ["入驻企业环境保护手续情况", "建设项目的环评审查意见或备案意见"],
  ["入驻企业环境保护手续情况", "建设项目环境保护验收批复或入驻企业自主验收意见及竣工环境保护验收监测（调查）报告"],
  ["入驻企业环境保护手续情况", "污染物排放许可证/固定污染源排污登记回执"],
  ["入驻企业环境保护手续情况", "其他生态环境部门相关资料（如入驻企业环境影响后评价文件等）"],
  ["入驻企业环境保护手续情况", "辐射安全许可证（特殊行业）"],
  ["入驻企业环境保护手续情况", "排水许可证、排水接驳意见、排水咨询意见"],
  ["入驻企业执行报告", "排污许可证执行报告（季报、年报）"],
  ["环境风险排查及应急管理资料", "入驻企业突发环境事件应急预案、环境风险评估报告、环境应急资源调查报告"],
  ["环境风险排查及应急管理资料", "入驻企业突发环境事件应急预案备案表"],
  ["环境风险排查及应急管理资料", "入驻企业突发环境事件应急演练记录、照片和总结"],
  ["环境风险排查及应急管理资料", "应急资源（设备）清单、检查和维护情况记录、隐患排查整改记录"],
  ["环境风险排查及应急管理资料", "土壤污染重点监管单位土壤污染隐患排查报告及系统填报资料"],
  ["环境监测基础资料", "污染物监测报告、自行监测数据的填报及上传记录"],
  ["污染治理设施运行情况", "污染治理设施设计方案、图纸"],
  ["污染治理设施运行情况", "污染治理设施运维管理制度"],
  ["污染治理设施运行情况", "污染治理设施运行、维护及故障检修记录台账"],
  ["污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行验收文件"],
  ["污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行（维护）委托合同"],
  ["污染物在线监控（监测）系统资料", "污染物在线自动监控（监测）设备运行记录统计表"],
  ["排污口规范化资料", "排污口设置情况说明"],
  ["排污口规范化资料", "排污口标志牌照片"],
  ["固体废物处置情况", "危险废物委托处理处置协议/合同、转移联单、台账"],
  ["固体废物处置情况", "固体废物环境监管信息平台数据填报"],
  ["固体废物处置情况", "委托的危险废物处理处置单位资质证明"],
  ["固体废物处置情况", "一般固体废物处置协议"],
  ["固体废物处置情况", "一般固体废物产生、利用、处置台账"],
  ["固体废物处置情况", "危险废物贮存场所设置规范化照片"],
  ["清洁生产工作档案", "清洁生产审核报告、专家意见及有关部门对通过清洁生产审核入驻企业的公示名单"],
  ["生态环境主管部门监督检查资料", "生态环境主管部门监督检查记录"],
  ["生态环境主管部门监督检查资料", "环境保护行政处罚记录"],
  ["生态环境主管部门监督检查资料", "行政处罚记录完成整改（销案）的证明材料"],
  ["入驻企业环境信息依法披露档案", "年度环境信息依法披露报告或临时环境信息依法披露报告"],
]

/** The contact role the ledgers and notices name as the enterprise's environmental contact. */
export const CONTACT_ROLE_ENVIRONMENT = "环保负责人"

/** How a notice or a transfer form reaches its addressee, the first being the default. */
export const DELIVERY_METHODS: ReadonlyArray<string> = ["当面送达", "邮寄送达", "电子送达", "留置送达"]

/** The overview's key for enterprises without a patrol tier. */
export const TIER_UNSET = "未定"

/** Days from the inspection to a finding's default deadline, by severity (none: put right on the spot). */
export const FINDING_DEADLINE_DAYS: Readonly<Record<FindingSeverity, number | null>> = { minor: null, general: 30, serious: 15 }

/** Days from the inspection to a notice's default deadline for the rectification plan. */
export const PLAN_DUE_DAYS = 15

/** Every value of each choice the forms offer, in the order offered. */
export const ENTERPRISE_STATUSES: ReadonlyArray<EnterpriseStatus> = ["operating","under_construction","trial_production","suspended","exited"]
export const MANAGEMENT_CATEGORIES: ReadonlyArray<ManagementCategory> = ["key","simplified","registration"]
export const TIERS: ReadonlyArray<Tier> = ["A","B","C"]
export const ACCEPTANCES: ReadonlyArray<Acceptance> = ["done","not_done","not_required","unknown"]
export const PERMIT_KINDS: ReadonlyArray<PermitKind> = ["permit","registration"]
export const FACILITY_KINDS: ReadonlyArray<FacilityKind> = ["wastewater","waste_gas"]
export const OUTLET_KINDS: ReadonlyArray<OutletKind> = ["wastewater","waste_gas","rainwater"]
export const FINDING_SEVERITIES: ReadonlyArray<FindingSeverity> = ["minor","general","serious"]

/** The patrol tier a management category implies when no supervisor set another. */
export const DEFAULT_TIER: Readonly<Record<ManagementCategory, Tier>> = { "key": "A", "simplified": "B", "registration": "C" }

/** New rows of the file form; the form gives each a fresh id (and a facility its kind, a year its number). */
export const BLANK_CONTACT: Readonly<Contact> = {"id":"00000000-0000-0000-0000-000000000000","role":"","name":"","phone":null,"note":null}
export const BLANK_EIA_APPROVAL: Readonly<EiaApproval> = {"id":"00000000-0000-0000-0000-000000000000","doc_number":"","authority":null,"approved_on":null,"project":null,"acceptance":"unknown","accepted_on":null}
export const BLANK_PERMIT: Readonly<DischargePermit> = {"id":"00000000-0000-0000-0000-000000000000","kind":"permit","number":"","issued_on":null,"expires_on":null}
export const BLANK_FACILITY: Readonly<Facility> = {"id":"00000000-0000-0000-0000-000000000000","kind":"wastewater","name":"","discharge_standard":null,"discharge_destination":null,"design_capacity":null,"actual_capacity":null,"power_mode":null,"online_monitoring":null,"online_factors":null,"removal_efficiency":null,"process":null,"process_diagram_sha256":null,"dosing_mode":null,"dosing_amount":null,"consumables_replacement":null,"sludge_press_frequency":null,"waste_disposal":null}
export const BLANK_OUTLET: Readonly<Outlet> = {"id":"00000000-0000-0000-0000-000000000000","kind":"wastewater","code":null,"location":null,"longitude":null,"latitude":null,"signboard_photo_sha256":null}
export const BLANK_WASTE_YEAR: Readonly<SolidWasteYear> = {"id":"00000000-0000-0000-0000-000000000000","year":0,"general":{"produced":null,"self_utilised":null,"self_disposed":null,"entrusted":null},"hazardous":{"produced":null,"self_utilised":null,"self_disposed":null,"entrusted":null},"on_transfer_list":null}
