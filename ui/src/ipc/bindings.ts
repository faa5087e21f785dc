// Generated from the Rust types by `xuncha_core::api::typescript_bindings`; do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p xuncha-core bindings

export type ErrorCode = "no_data_folder" | "not_found" | "invalid" | "stale" | "file" | "signed_out" | "offline" | "forbidden" | "throttled" | "too_large" | "upload_offset" | "hash_mismatch" | "internal" | "refused";

export type ApiError = { code: ErrorCode, message: string, problems: Array<FieldProblem>, };

export type AppInfo = { 
/**
 * The chosen data folder, or `None` before the first run is finished.
 */
data_dir: string | null, 
/**
 * Where the data folder goes if the user accepts the default.
 */
default_data_dir: string, 
/**
 * Parks in the open store (0 when none is open).
 */
parks: number, };

export type ParkId = string;

export type EnterpriseId = string;

export type FacilityId = string;

export type InspectionId = string;

export type FindingId = string;

export type PhotoId = string;

export type NoticeId = string;

export type CaseId = string;

export type CaseEventId = string;

export type ClueTransferId = string;

export type DeviceId = string;

export type Sha256 = string;

export type Severity = "warning" | "error";

export type FieldProblem = { field: string, severity: Severity, message: string, };

export type EnterpriseStatus = "operating" | "under_construction" | "trial_production" | "suspended" | "exited";

export type ManagementCategory = "key" | "simplified" | "registration";

export type Tier = "A" | "B" | "C";

export type TierOverride = { tier: Tier, reason: string, };

export type Acceptance = "done" | "not_done" | "not_required" | "unknown";

export type EiaApproval = { id: string, 
/**
 * Document number as written, e.g. `祁环评[2019]43号` or `登记备案：201943042600000059`.
 */
doc_number: string, authority: string | null, approved_on: string | null, project: string | null, acceptance: Acceptance, accepted_on: string | null, };

export type EmergencyPlan = { 
/**
 * `Some(false)` when the enterprise has no risk source.
 */
required: boolean | null, filing_number: string | null, filed_on: string | null, last_drill_on: string | null, };

export type PermitKind = "permit" | "registration";

export type DischargePermit = { id: string, kind: PermitKind, number: string, issued_on: string | null, expires_on: string | null, };

export type FacilityKind = "wastewater" | "waste_gas";

export type Facility = { id: FacilityId, kind: FacilityKind, 
/**
 * 环保设施名称.
 */
name: string, 
/**
 * 废水/废气排放标准.
 */
discharge_standard: string | null, 
/**
 * 排水去向 (wastewater).
 */
discharge_destination: string | null, 
/**
 * 设计规模 (t/d for wastewater; fan airflow for waste gas).
 */
design_capacity: string | null, 
/**
 * 实际处理规模 (t/d, wastewater).
 */
actual_capacity: string | null, 
/**
 * 运行方式: 电 or 气.
 */
power_mode: string | null, 
/**
 * 是否安装在线监测设施.
 */
online_monitoring: boolean | null, 
/**
 * 在线监测的主要因子.
 */
online_factors: string | null, 
/**
 * 处理效率（主要处理因子）.
 */
removal_efficiency: string | null, 
/**
 * 工艺流程 (wastewater) or 工艺原理 (waste gas), in words.
 */
process: string | null, 
/**
 * SHA-256 of the process diagram picture, stored as a blob.
 */
process_diagram_sha256: Sha256 | null, 
/**
 * 药剂投加方式: 自动 or 人工.
 */
dosing_mode: string | null, 
/**
 * 药剂投加数量.
 */
dosing_amount: string | null, 
/**
 * 环保耗材更换频次.
 */
consumables_replacement: string | null, 
/**
 * 污泥压滤频次 (wastewater).
 */
sludge_press_frequency: string | null, 
/**
 * 废弃物处置去向.
 */
waste_disposal: string | null, };

export type OutletKind = "wastewater" | "waste_gas" | "rainwater";

export type Outlet = { id: string, kind: OutletKind, 
/**
 * Outlet code as in the permit, e.g. `DW001`.
 */
code: string | null, location: string | null, longitude: number | null, latitude: number | null, 
/**
 * SHA-256 of the signboard photo.
 */
signboard_photo_sha256: Sha256 | null, };

export type WasteAmounts = { produced: string | null, self_utilised: string | null, self_disposed: string | null, entrusted: string | null, };

export type SolidWasteYear = { id: string, year: number, general: WasteAmounts, hazardous: WasteAmounts, 
/**
 * 涉危废转移清单企业: `None` where the source has `/`.
 */
on_transfer_list: boolean | null, };

export type ArchiveItem = { 
/**
 * 1-based item number of the checklist.
 */
item_no: number, on_file: boolean, doc_date: string | null, note: string | null, attachments: Array<Attachment>, };

export type Attachment = { id: string, file_name: string, sha256: Sha256, size: number, added_at: string, };

export type Contact = { id: string, 
/**
 * e.g. 环保负责人, 法定代表人, 园区联系人.
 */
role: string, name: string, phone: string | null, note: string | null, };

export type SourceFlag = { 
/**
 * The column or field, in Chinese as the source names it.
 */
field: string, 
/**
 * The cell as found.
 */
raw: string, message: string, };

export type Enterprise = { id: EnterpriseId, park_id: ParkId, name: string, credit_code: string | null, legal_representative: string | null, 
/**
 * Industry as written (GB/T 4754-2017 name), kept as found.
 */
industry: string | null, industry_code: string | null, address: string | null, longitude: number | null, latitude: number | null, status: EnterpriseStatus, management_category: ManagementCategory | null, tier_override: TierOverride | null, 
/**
 * Whether the enterprise holds a permit, where the source says so without a number.
 */
permit_held: boolean | null, eia_approvals: Array<EiaApproval>, emergency_plan: EmergencyPlan, permits: Array<DischargePermit>, facilities: Array<Facility>, outlets: Array<Outlet>, solid_waste: Array<SolidWasteYear>, archive: Array<ArchiveItem>, contacts: Array<Contact>, 
/**
 * Other spellings of the name met in source tables.
 */
aliases: Array<string>, source_flags: Array<SourceFlag>, 
/**
 * Ids of files the server folded into this one: two laptops created
 * the same enterprise offline, and records naming those ids (signed
 * inspections, notices, cases) belong to this file.
 */
merged_ids: Array<EnterpriseId>, 
/**
 * Local version, bumped by every save; a save names the version it edited.
 */
version: number, };

export type ParkLevel = "national" | "provincial" | "cluster";

export type ParkApproval = { id: string, 
/**
 * `planning_eia` or `tracking_evaluation`.
 */
kind: string, doc_number: string, authority: string | null, approved_on: string | null, title: string | null, };

export type AnnualActual = { year: number, 
/**
 * Amount in t/a, as a decimal string.
 */
amount_tpa: string, };

export type PollutantQuota = { id: string, 
/**
 * Short name as the sources write it: COD, NH3-N, SO2, NOx, VOCs, 颗粒物, TN, TP.
 */
pollutant: string, 
/**
 * Quota in t/a, as a decimal string so the source's precision is kept.
 */
quota_tpa: string | null, actuals: Array<AnnualActual>, };

export type ParkWastewaterFacility = { name: string | null, 
/**
 * `self_built` or `relied_on`.
 */
mode: string | null, 
/**
 * Design capacity in 10⁴ t/d.
 */
design_capacity: string | null, 
/**
 * Actual throughput in 10⁴ t/d.
 */
actual_capacity: string | null, process: string | null, discharge_standard: string | null, online_monitoring: boolean | null, };

export type Park = { id: ParkId, name: string, 
/**
 * Development-zone code such as `S437012`, or `※` for a cluster without one.
 */
code: string | null, level: ParkLevel | null, 
/**
 * Prefecture-level city (地市).
 */
city: string | null, 
/**
 * County (区县市).
 */
county: string | null, region_code: string | null, address: string | null, area_km2: string | null, leading_industries: string | null, approvals: Array<ParkApproval>, pollutants: Array<PollutantQuota>, wastewater_facility: ParkWastewaterFacility | null, emergency_plan_filing: string | null, last_drill_on: string | null, archive: Array<ArchiveItem>, contacts: Array<Contact>, 
/**
 * Local version, bumped by every save; a save names the version it edited.
 */
version: number, };

export type ParkSummary = { id: ParkId, name: string, code: string | null, enterprises: number, };

export type QuotaUse = { pollutant: string, quota_tpa: string | null, year: number | null, actual_tpa: string | null, 
/**
 * Actual as a share of the quota, in percent, rounded to 0.1.
 */
percent: number | null, };

export type ParkOverview = { id: ParkId, name: string, code: string | null, enterprises: number, 
/**
 * Counts keyed by the Chinese label (正常投产, 重点, A ...).
 */
by_status: { [key in string]: number }, by_category: { [key in string]: number }, by_tier: { [key in string]: number }, without_credit_code: number, 
/**
 * Enterprises whose files hold irregular source cells to review.
 */
needing_review: number, quotas: Array<QuotaUse>, };

export type MatchedField = "name" | "credit_code" | "permit_number" | "emergency_filing" | "eia_approval" | "filter";

export type Query = { text: string, 
/**
 * Park id, development-zone code or name.
 */
park: string | null, tier: Tier | null, category: ManagementCategory | null, status: EnterpriseStatus | null, 
/**
 * Industry name as written in the files, e.g. 食品制造业.
 */
industry: string | null, 
/**
 * At most this many hits; `None` for all.
 */
limit: number | null, };

export type Hit = { id: EnterpriseId, name: string, credit_code: string | null, park_id: ParkId, park: string, park_code: string | null, tier: Tier | null, management_category: ManagementCategory | null, status: EnterpriseStatus, industry: string | null, matched: MatchedField, };

export type SearchPage = { total: number, hits: Array<Hit>, };

export type Saved = { 
/**
 * The file's version after the save.
 */
version: number, 
/**
 * The top-level fields that changed; empty when nothing did (and then
 * nothing was written and no outbox entry was made).
 */
changed: Array<string>, 
/**
 * The outbox sequence number of the change, if one was recorded.
 */
seq: number | null, 
/**
 * Warnings that did not block the save.
 */
warnings: Array<FieldProblem>, };

export type SampleLoaded = { parks: number, enterprises: number, 
/**
 * Records written; 0 when the sample was already loaded unchanged.
 */
changes: number, };

export type RowProblem = { 
/**
 * 1-based row number as the spreadsheet shows it.
 */
row: number, 
/**
 * The column header, if the problem belongs to one cell.
 */
column: string | null, value: string, severity: Severity, message: string, };

export type RowChange = { row: number, id: EnterpriseId, name: string, 
/**
 * Fields that changed (for an update).
 */
fields: Array<string>, };

export type ImportReport = { 
/**
 * Enterprise rows read (continuation rows not counted).
 */
enterprises_read: number, created: Array<RowChange>, updated: Array<RowChange>, unchanged: number, problems: Array<RowProblem>, 
/**
 * Whether anything was written. False when any row has an error.
 */
committed: boolean, };

export type SyncStatus = { 
/**
 * Changes not yet accepted by the server.
 */
pending: number, 
/**
 * Changes of this laptop that met another person's edit of a
 * guarded field and were held for a supervisor (decided or not).
 */
held: number, 
/**
 * Conflicts in this laptop's parks waiting for a supervisor, as of
 * the last round.
 */
conflicts_waiting: number, 
/**
 * Changes the server refused.
 */
rejected: number, 
/**
 * When the last round finished, RFC 3339, if ever.
 */
last_sync_at: string | null, 
/**
 * Scans and photos on this laptop not yet on the server.
 */
uploads_pending: number, 
/**
 * Values in this laptop's parks that a later edit replaced, as of the
 * last round (kept in conflict records, listed on the conflicts screen).
 */
overwritten: number, 
/**
 * Records from the server this laptop could not apply and set aside.
 */
set_aside: number, 
/**
 * Supervisors' decisions made here and not yet taken by the server.
 */
decisions_waiting: number, };

export type SyncRound = { pushed: number, accepted: number, held: number, rejected: number, pulled: number, uploaded: number, downloaded: number, 
/**
 * Files other laptops have not uploaded yet.
 */
waiting: number, 
/**
 * Local files found damaged (content no longer matches the hash).
 */
damaged: Array<Sha256>, 
/**
 * Files the server refused, each with its reason (sent again next round).
 */
refused_files: Array<string>, 
/**
 * Parks no longer assigned, removed from this laptop.
 */
parks_removed: number, 
/**
 * Reference versions (checklist templates, …) received.
 */
reference_received: number, 
/**
 * Document numbers leased.
 */
numbers_leased: number, 
/**
 * The server was new or restored and this laptop sent its history again.
 */
refilled: boolean, 
/**
 * Why the server stopped taking this laptop's changes, in Chinese.
 */
stopped: string | null, };

export type SignedIn = { server: string, 
/**
 * The login name.
 */
user_name: string, 
/**
 * The person's name, once set by an administrator or the user.
 */
full_name: string | null, 
/**
 * The name records and papers carry: the person's name, else the
 * login name.
 */
person: string, 
/**
 * inspector, steward, clerk, supervisor or admin.
 */
role: string, parks: number, };

export type NumbersLeft = { series: string, 
/**
 * The office's mark, e.g. `祁环改`.
 */
prefix: string, year: number, left: number, 
/**
 * The next number this laptop would give, if any.
 */
next: number | null, };

export type SyncState = { 
/**
 * `None`: not logged in.
 */
signed_in: SignedIn | null, status: SyncStatus, 
/**
 * A round is under way.
 */
running: boolean, 
/**
 * Why the last round did not finish (offline, signed out, …).
 */
last_error: ApiError | null, 
/**
 * The last round that finished.
 */
last_round: SyncRound | null, 
/**
 * Document numbers this laptop can still give out offline.
 */
numbers: Array<NumbersLeft>, };

export type ConflictItem = { conflict_id: string, 
/**
 * `enterprise` or `park`.
 */
entity: string, entity_id: string, 
/**
 * The enterprise's or park's name on this laptop.
 */
entity_name: string, park_name: string, 
/**
 * The field's name in the record (`legal_representative`, …).
 */
field: string, 
/**
 * The value the server holds (the one that arrived first).
 */
server_value: unknown, 
/**
 * The value a laptop sent later.
 */
device_value: unknown, 
/**
 * The later value came from this laptop.
 */
from_this_laptop: boolean, 
/**
 * Waiting for a supervisor (a field with legal or risk weight).
 */
held: boolean, 
/**
 * The value that stands once decided, or for unguarded fields the
 * value that was taken on arrival.
 */
resolution: unknown | null, };

export type ChecklistRule = "permit_required" | "has_permit" | "has_eia" | "has_facility" | "has_wastewater_facility" | "has_waste_gas_facility" | "has_hazardous_waste" | "emergency_plan_required" | "has_online_monitoring";

export type ChecklistTopic = "water" | "air" | "solid_waste" | "soil" | "scattered";

export type ChecklistItem = { code: string, text: string, 
/**
 * Default rectification suggestion, prefilled into a finding.
 */
suggestion?: string | null, legal_basis?: string | null, applies_if?: ChecklistRule | null, 
/**
 * Special checks (water, air, ...) use the items tagged with their topic.
 */
topics?: Array<ChecklistTopic>, 
/**
 * For facility_card items: the facility field the card states.
 */
card_field?: string | null, 
/**
 * A remark on the source's wording or numbering.
 */
source_note?: string | null, };

export type ChecklistSection = { code: string, title: string, 
/**
 * For facility_card sections: the kind of facility each item is
 * checked on, once per facility of the enterprise.
 */
facility?: FacilityKind | null, 
/**
 * Suggestion for items without their own.
 */
suggestion?: string | null, items: Array<ChecklistItem>, };

export type Template = { key: string, version: number, title: string, 
/**
 * The document the items come from.
 */
source: string, sections: Array<ChecklistSection>, };

export type InspectionKind = "daily_patrol" | "screening" | "special_water" | "special_air" | "special_solid_waste" | "special_soil" | "special_scattered" | "reinspection";

export type InspectionState = "draft" | "completed" | "signed";

export type Phrasing = "checks" | "problems" | "rechecks";

export type ItemOutcome = "compliant" | "non_compliant" | "not_applicable" | "not_checked";

export type ItemResult = { 
/**
 * What ties a finding to this result: the item's code, for a facility
 * item with the facility (`W01@<facility id>`). Derived whenever a
 * result is made or read, so the window never composes it; the record
 * that is digested and sent leaves it out ([`Inspection::record`]).
 */
key: string, template: string, code: string, 
/**
 * The item's wording, as the template version stated it.
 */
text: string, section: string, 
/**
 * For facility_card items: which facility, and what its card says.
 */
facility_id: FacilityId | null, facility_name: string | null, card_value: string | null, outcome: ItemOutcome, 
/**
 * Why it does not apply, or what was seen.
 */
note: string | null, 
/**
 * For a re-inspection's row: the earlier finding it looks at again.
 */
rechecks?: FindingId, 
/**
 * How the item is worded, which decides what its answers say; derived
 * from the template like `key`, and likewise not digested or sent.
 */
phrasing: Phrasing, };

export type FindingSeverity = "minor" | "general" | "serious";

export type Finding = { id: FindingId, 
/**
 * [`ItemResult::key`] of the item it was found under; `None` for a
 * problem outside the checklist.
 */
item_key: string | null, 
/**
 * 现场发现问题.
 */
found: string, 
/**
 * 整改建议.
 */
suggestion: string, legal_basis: string | null, severity: FindingSeverity, 
/**
 * Rectification deadline (`YYYY-MM-DD`).
 */
deadline: string | null, };

export type HandEntry = { by: string, at: string, };

export type Photo = { id: PhotoId, finding_id: FindingId | null, 
/**
 * The original's SHA-256: the evidence.
 */
sha256: Sha256, file_name: string, size: number, 
/**
 * Capture time from EXIF, camera local time (`YYYY-MM-DDTHH:MM:SS`),
 * or entered by hand when the file carried none (`time_entered`).
 */
taken_at: string | null, 
/**
 * Set when `taken_at` was entered by hand: who entered it and when.
 */
time_entered?: HandEntry, latitude: number | null, longitude: number | null, 
/**
 * Upright size of the original.
 */
width: number, height: number, rendition_sha256: Sha256, thumbnail_sha256: Sha256, watermarked_sha256: Sha256, imported_at: string, };

export type SignerRole = "inspector" | "representative";

export type Signature = { role: SignerRole, name: string, 
/**
 * SHA-256 of the drawn signature (PNG, a blob); `None` when refused.
 */
image_sha256: Sha256 | null, 
/**
 * The signer refused to sign; a witness attests it.
 */
refused: boolean, witness: string | null, signed_at: string, };

export type TemplateRef = { key: string, version: number, };

export type Inspection = { id: InspectionId, park_id: ParkId, enterprise_id: EnterpriseId, 
/**
 * The enterprise's name on the day.
 */
enterprise_name: string, kind: InspectionKind, templates: Array<TemplateRef>, inspectors: Array<string>, 
/**
 * 陪同人员 from the enterprise.
 */
accompanying: string | null, 
/**
 * RFC 3339 with the +08:00 offset.
 */
started_at: string, ended_at: string | null, results: Array<ItemResult>, findings: Array<Finding>, photos: Array<Photo>, notes: string, signatures: Array<Signature>, state: InspectionState, 
/**
 * The signed inspection this one corrects.
 */
corrects: InspectionId | null, correction_reason: string | null, signed_at: string | null, 
/**
 * Set when signed: the signing device, its chain position and link.
 */
device_id: DeviceId | null, chain_no: number | null, prev_id: InspectionId | null, prev_digest: Sha256 | null, digest: Sha256 | null, 
/**
 * Local version, bumped by every save of a draft; not part of the
 * record that is sent, so absent on the server's copy.
 */
version: number, };

export type NewInspection = { enterprise_id: EnterpriseId, kind: InspectionKind, inspectors: Array<string>, accompanying: string | null, };

export type NewSignature = { role: SignerRole, name: string, 
/**
 * The drawn signature as PNG bytes; `None` when refused.
 */
png: number[] | null, refused: boolean, witness: string | null, };

export type InspectionSummary = { id: InspectionId, enterprise_id: EnterpriseId, enterprise_name: string, kind: InspectionKind, state: InspectionState, started_at: string, signed_at: string | null, findings: number, photos: number, corrects: InspectionId | null, 
/**
 * A later signed correction replaces this one.
 */
corrected_by: InspectionId | null, digest: Sha256 | null, 
/**
 * The sync state of a signed inspection: pending, applied, rejected ...
 */
sync_state: string | null, };

export type PhotoImport = { file_name: string, photo: Photo | null, 
/**
 * Why the file was not imported, in Chinese.
 */
error: string | null, 
/**
 * What an imported photo lacks and why (no capture time, no place),
 * in Chinese.
 */
notes: Array<string>, };

export type PhotosImported = { inspection: Inspection, report: Array<PhotoImport>, };

export type IntegrityProblem = { inspection_id: InspectionId, message: string, };

export type DueStatus = "never" | "overdue" | "due_soon" | "later" | "no_tier";

export type PatrolDue = { enterprise_id: EnterpriseId, name: string, tier: Tier | null, 
/**
 * Last completed patrol (`YYYY-MM-DD`).
 */
last_patrol: string | null, due_on: string | null, status: DueStatus, 
/**
 * Days until due (negative: days overdue).
 */
days: number | null, };

export type MissedPeriods = { enterprise_id: EnterpriseId, name: string, tier: Tier, periods: Array<string>, };

export type PatrolPlan = { park_id: ParkId, park_name: string, today: string, 
/**
 * Every enterprise still in the park, most urgent first.
 */
enterprises: Array<PatrolDue>, overdue: number, due_soon: number, never: number, year: number, screenings: number, screenings_required: number, 
/**
 * Periods of the year that count so far, and those with a patrol.
 */
periods_required: number, periods_done: number, 
/**
 * `periods_done / periods_required`, or 1 when nothing counts yet.
 */
compliance: number, 
/**
 * Enterprises and the periods they missed.
 */
missed: Array<MissedPeriods>, };

export type BriefKind = "permit_expired" | "permit_expiring" | "emergency_plan_missing" | "no_acceptance" | "patrol_overdue" | "open_finding";

export type BriefItem = { kind: BriefKind, 
/**
 * What to look at, in Chinese.
 */
text: string, 
/**
 * The earlier inspection an open finding comes from.
 */
inspection_id: InspectionId | null, };

export type DocNumber = { series: string, prefix: string, year: number, serial: number, };

export type NoticeProblem = { finding_id: FindingId, found: string, suggestion: string, legal_basis: string | null, };

export type NoticePhoto = { photo_id: PhotoId, sha256: Sha256, caption: string, };

export type NoticeOffice = { 
/**
 * 落款: the issuing office, e.g. `祁东县归阳工业园管理委员会`.
 */
issuer: string, 
/**
 * Who inspected, as the notice says it: `托管服务`, `园区环保管家`.
 */
inspected_by: string, 
/**
 * Where the plan goes: `归阳工业园安全环保办公室`.
 */
submit_to: string, submit_email: string, contact: string, phone: string, 
/**
 * 发文机关标志 in red, when the office's template has one.
 */
red_header: string | null, 
/**
 * 附：相关法律责任, the text attached to every notice.
 */
responsibilities: string, };

export type Notice = { id: NoticeId, park_id: ParkId, enterprise_id: EnterpriseId, inspection_id: InspectionId, number: DocNumber, 
/**
 * 主送: the enterprise's name.
 */
addressee: string, 
/**
 * The inspection's start and end (`YYYY-MM-DDTHH:MM:SS`, China time).
 */
inspected_from: string, inspected_to: string, problems: Array<NoticeProblem>, 
/**
 * 为贯彻落实……要求: the laws and policies the notice rests on.
 */
laws: string, 
/**
 * The day the rectification plan is due (`YYYY-MM-DD`).
 */
plan_due: string, office: NoticeOffice, 
/**
 * The day it was issued (`YYYY-MM-DD`).
 */
issued_on: string, photos: Array<NoticePhoto>, issued_at: string, device_id: DeviceId | null, };

export type NewNotice = { inspection_id: InspectionId, 
/**
 * The number series, e.g. `notice`.
 */
series: string, 
/**
 * The findings the notice names; empty means every general and
 * serious finding of the inspection.
 */
finding_ids: Array<FindingId>, laws: string, 
/**
 * When the rectification plan is due (`YYYY-MM-DD`).
 */
plan_due: string, office: NoticeOffice, 
/**
 * The case the notice is issued for; `None` opens one with the
 * notice's findings.
 */
case_id: CaseId | null, 
/**
 * Who approved the notice; needed unless the case was reviewed.
 */
reviewed_by: string, 
/**
 * Who answers for the rectification at the enterprise, for the case
 * the notice opens (see `NewCase::responsible`).
 */
responsible: string, };

export type NumberVoid = { id: string, park_id: ParkId, number: DocNumber, 
/**
 * The spoiled notice, if the number was used.
 */
notice_id: NoticeId | null, reason: string, voided_at: string, device_id: DeviceId | null, };

export type NoticeList = { notices: Array<Notice>, voids: Array<NumberVoid>, };

export type TransferOffice = { 
/**
 * The city in the form's title: `益阳市`.
 */
city: string, 
/**
 * The receiving branch: `益阳市生态环境局赫山分局`.
 */
receiver: string, 
/**
 * How the form names the sender in its text: `我管委会`.
 */
sender_phrase: string, 
/**
 * 落款: the transferring office.
 */
issuer: string, 
/**
 * 违法线索移交人 and phone.
 */
sender_name: string, sender_phone: string, };

export type ClueTransfer = { id: ClueTransferId, park_id: ParkId, enterprise_id: EnterpriseId, inspection_id: InspectionId, 
/**
 * The findings the clue rests on.
 */
finding_ids: Array<FindingId>, 
/**
 * Set when the office numbers its transfers.
 */
number: DocNumber | null, 
/**
 * The suspected unit or person; `None` when not yet known (the form
 * allows it to be left blank).
 */
subject: string | null, 
/**
 * 违法行为线索简要描述.
 */
description: string, 
/**
 * 相关材料清单: what goes with the form.
 */
materials: Array<string>, 
/**
 * 违法线索接收人 and phone; empty when the receiver fills them in by hand.
 */
receiver_name: string, receiver_phone: string, office: TransferOffice, 
/**
 * 移送时间 (`YYYY-MM-DD`).
 */
transferred_on: string, created_at: string, device_id: DeviceId | null, };

export type NewClueTransfer = { inspection_id: InspectionId, 
/**
 * The findings the clue rests on; at least one.
 */
finding_ids: Array<FindingId>, 
/**
 * The number series when the office numbers its transfers.
 */
series: string | null, 
/**
 * `None` when the suspected unit is not yet known.
 */
subject: string | null, description: string, materials: Array<string>, receiver_name: string, receiver_phone: string, office: TransferOffice, };

export type Printable = { "kind": "notice", "id": NoticeId } | { "kind": "record", "id": InspectionId } | { "kind": "cards", "id": EnterpriseId } | { "kind": "transfer", "id": ClueTransferId };

export type DocumentFonts = { fang: string | null, title: string | null, };

export type FontRole = "fang" | "title";

export type CaseState = "draft" | "reviewed" | "issued" | "plan_received" | "rectified" | "reinspected" | "closed" | "escalated";

export type CaseFinding = { finding_id: FindingId, 
/**
 * The checklist item it failed, for repeat detection; `None` outside
 * the checklist.
 */
item_key: string | null, found: string, suggestion: string, severity: FindingSeverity, 
/**
 * Rectification deadline (`YYYY-MM-DD`).
 */
due: string, 
/**
 * Before-photos (watermarked copies' SHA-256) from the inspection.
 */
photos: Array<Sha256>, };

export type CaseFile = { sha256: Sha256, file_name: string, 
/**
 * For a photo, which finding it shows (after rectification).
 */
finding_id: FindingId | null, };

export type EventBody = { "kind": "opened", inspection_id: InspectionId, findings: Array<CaseFinding>, 
/**
 * Who answers for the rectification at the enterprise (name and
 * phone), as asked when the case was opened; cases opened before
 * it was asked have none.
 */
responsible?: string, } | { "kind": "reviewed", by: string, note: string, } | { "kind": "issued", notice_id: NoticeId, number: string, plan_due: string, } | { "kind": "notice_voided", notice_id: NoticeId, reason: string, } | { "kind": "delivered", to: string, on: string, how: string, } | { "kind": "plan_received", on: string, note: string, files: Array<CaseFile>, } | { "kind": "rectified", on: string, note: string, files: Array<CaseFile>, } | { "kind": "returned", reason: string, } | { "kind": "reinspected", inspection_id: InspectionId, passed: boolean, note: string, } | { "kind": "closed", by: string, note: string, } | { "kind": "extended", finding_id: FindingId | null, due: string, reason: string, } | { "kind": "escalated", clue_transfer_id: ClueTransferId, };

export type Verdict = { 
/**
 * The event's position among the case's events on the server.
 */
seq: number, accepted: boolean, 
/**
 * The case's state on the server before this event.
 */
state_at_server: CaseState | null, reason: string | null, };

export type CaseEvent = { id: CaseEventId, case_id: CaseId, park_id: ParkId, enterprise_id: EnterpriseId, 
/**
 * The state the author saw when recording it.
 */
seen: CaseState | null, body: EventBody, 
/**
 * Who recorded it, as signed in (or the laptop user's name).
 */
recorded_by: string, 
/**
 * RFC 3339 with the +08:00 offset.
 */
recorded_at: string, device_id: DeviceId, 
/**
 * Set by the server; `None` while the event has not been sent.
 */
verdict: Verdict | null, };

export type Delivery = { to: string, on: string, how: string, };

export type Case = { id: CaseId, park_id: ParkId, enterprise_id: EnterpriseId, inspection_id: InspectionId, state: CaseState, findings: Array<CaseFinding>, notice_id: NoticeId | null, number: string | null, plan_due: string | null, 
/**
 * The latest finding deadline: when the whole case is due.
 */
due: string, opened_on: string, reviewed_by: string | null, 
/**
 * Who answers for the rectification at the enterprise.
 */
responsible: string | null, delivered: Delivery | null, closed_on: string | null, clue_transfer_id: ClueTransferId | null, 
/**
 * Every event, in the order they count: the server's, then this
 * laptop's unsent ones.
 */
events: Array<CaseEvent>, 
/**
 * Events the server kept as rejected, or unsent ones that no longer fit.
 */
rejected: number, 
/**
 * Days past the deadline on the day the case was read (0 when the
 * enterprise owes nothing, or not yet); set by the store.
 */
overdue_days: number, 
/**
 * The kinds of event a person may record next (`delivered`,
 * `rectified`, …), from the transition table; notices move the case
 * through `issued` themselves.
 */
steps: Array<string>, };

export type Term = { "unit": "days", "n": number } | { "unit": "months", "n": number };

export type NewCase = { inspection_id: InspectionId, 
/**
 * Empty: every general and serious finding.
 */
finding_ids: Array<FindingId>, term: Term, 
/**
 * Who answers for the rectification at the enterprise; empty: the
 * enterprise file's environmental contact, as the ledger reads it.
 */
responsible: string, };

export type CaseFilter = { park_id: ParkId | null, enterprise_id: EnterpriseId | null, open_only: boolean, };

export type TransferNews = { "kind": "delivered", to: string, on: string, how: string, } | { "kind": "feedback", filed: boolean, case_number: string | null, result: string, closed_on: string | null, } | { "kind": "follow_up", on: string, note: string, rectified: boolean, };

export type TransferUpdate = { id: string, transfer_id: ClueTransferId, park_id: ParkId, enterprise_id: EnterpriseId, news: TransferNews, recorded_by: string, recorded_at: string, device_id: DeviceId, };

export type TransferFile = { transfer: ClueTransfer, updates: Array<TransferUpdate>, 
/**
 * The latest delivery, feedback and follow-up.
 */
delivered: TransferNews | null, feedback: TransferNews | null, follow_up: TransferNews | null, 
/**
 * Where it stands, as the ledger says it (see [`TransferFile::standing`]).
 */
standing: string, };

export type LedgerKind = "rectification" | "overdue" | "transfer" | "patrol" | "compliance" | "waste";

export type HeadGroup = { title: string, first: number, count: number, };

export type Ledger = { kind: LedgerKind, title: string, 
/**
 * Whose and as of when: `湖南祁东高新技术产业开发区　截至2026年11月22日`.
 */
subtitle: string, heads: Array<string>, 
/**
 * Heads over several columns, above theirs (表10's 一般工业固体废物（t/a）).
 */
groups: Array<HeadGroup>, 
/**
 * Relative column widths, for the page and the workbook.
 */
widths: Array<number>, rows: Array<Array<string>>, 
/**
 * Lines under the table: totals, rates.
 */
notes: Array<string>, };

export type Counts = { name: string, open: number, overdue: number, closed: number, escalated: number, };

export type Month = { 
/**
 * `2026-11`.
 */
month: string, opened: number, closed: number, open_at_end: number, };

export type RepeatProblem = { enterprise_id: EnterpriseId, enterprise_name: string, item_key: string, item_text: string, 
/**
 * How many inspections found it.
 */
times: number, 
/**
 * The days it was found (`YYYY-MM-DD`), oldest first.
 */
found_on: Array<string>, };

export type RejectedEvent = { case_id: CaseId, event: CaseEvent, enterprise_name: string, number: string | null, };

export type Dashboard = { today: string, total: Counts, parks: Array<Counts>, categories: Array<Counts>, months: Array<Month>, repeats: Array<RepeatProblem>, 
/**
 * Events that arrived after the case had moved on, newest first.
 */
rejected: Array<RejectedEvent>, };

