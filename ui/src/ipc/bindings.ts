// Generated from the Rust types by `xuncha_core::api::typescript_bindings`; do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p xuncha-core bindings

export type ErrorCode = "no_data_folder" | "not_found" | "invalid" | "stale" | "file" | "signed_out" | "offline" | "refused" | "internal";

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

export type Facility = { id: string, kind: FacilityKind, 
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
process_diagram_sha256: string | null, 
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
signboard_photo_sha256: string | null, };

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

export type Attachment = { id: string, file_name: string, sha256: string, size: number, added_at: string, };

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

export type Enterprise = { id: string, park_id: string, name: string, credit_code: string | null, legal_representative: string | null, 
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

export type Park = { id: string, name: string, 
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

export type ParkSummary = { id: string, name: string, code: string | null, enterprises: number, };

export type QuotaUse = { pollutant: string, quota_tpa: string | null, year: number | null, actual_tpa: string | null, 
/**
 * Actual as a share of the quota, in percent, rounded to 0.1.
 */
percent: number | null, };

export type ParkOverview = { id: string, name: string, code: string | null, enterprises: number, 
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

export type Hit = { id: string, name: string, credit_code: string | null, park_id: string, park: string, park_code: string | null, tier: Tier | null, management_category: ManagementCategory | null, status: EnterpriseStatus, industry: string | null, matched: MatchedField, };

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

export type RowChange = { row: number, id: string, name: string, 
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
uploads_pending: number, };

export type SyncRound = { pushed: number, accepted: number, held: number, rejected: number, pulled: number, uploaded: number, downloaded: number, 
/**
 * Files other laptops have not uploaded yet.
 */
waiting: number, 
/**
 * Local files found damaged (content no longer matches the hash).
 */
damaged: Array<string>, 
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

export type SignedIn = { server: string, user_name: string, 
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

