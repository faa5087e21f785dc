//! What the desktop shell needs from the core besides the domain types:
//! the one error shape that crosses the IPC boundary, and the TypeScript
//! declarations of every type that crosses it.
//!
//! The UI branches on `code` (a small closed set) and shows its own Chinese
//! text for it; `message` is the specific Chinese explanation, and
//! `problems` carries field-level checks so a form can show each next to
//! its field.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::blob::BlobError;
use crate::enterprise::FieldProblem;
use crate::id::*;
use crate::roster::RosterError;
pub use crate::store::sync::ConflictItem;
use crate::store::sync::{describe_stop, SyncError, SyncReport, SyncStatus, TransportError};
use crate::store::{NumbersLeft, StoreError};

pub use xuncha_sync::ErrorCode;

/// The error every command returns, and the command line's `--json`
/// prints: one of the shared codes, a complete Chinese message for the
/// user, and the field-level problems behind an `invalid`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApiError {
    #[ts(type = "ErrorCode")]
    pub code: ErrorCode,
    pub message: String,
    pub problems: Vec<FieldProblem>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), problems: Vec::new() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

pub use xuncha_sync::describe;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // Every variant is named, so a new one needs a decision here.
        let code = match &e {
            StoreError::Invalid(_)
            | StoreError::DuplicateCreditCode { .. }
            | StoreError::Final
            | StoreError::NoNumbers { .. } => ErrorCode::Invalid,
            StoreError::Stale { .. } => ErrorCode::Stale,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::Io(_) => ErrorCode::File,
            StoreError::Blob(b) => match b {
                BlobError::Missing { .. } | BlobError::Read { .. } | BlobError::Empty { .. } | BlobError::Write(_) => {
                    ErrorCode::File
                }
                BlobError::Mismatch { .. } => ErrorCode::HashMismatch,
            },
            StoreError::Sqlite(_)
            | StoreError::Json(_)
            | StoreError::SchemaTooNew { .. }
            | StoreError::MigrationChanged { .. } => ErrorCode::Internal,
        };
        let problems = match &e {
            StoreError::Invalid(p) => p.clone(),
            _ => Vec::new(),
        };
        ApiError { code, message: describe(&e), problems }
    }
}

impl From<TransportError> for ApiError {
    fn from(e: TransportError) -> Self {
        let code = match &e {
            TransportError::Unreachable(_) | TransportError::NoAnswer(_) => ErrorCode::Offline,
            TransportError::Unauthorized => ErrorCode::SignedOut,
            TransportError::Refused { code, .. } => *code,
        };
        ApiError::new(code, describe(&e))
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Transport(e) => e.into(),
            SyncError::Store(e) => e.into(),
            other @ SyncError::BadAnswer(_) => ApiError::new(ErrorCode::Internal, describe(&other)),
        }
    }
}

impl From<RosterError> for ApiError {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::Store(e) => e.into(),
            other => ApiError::new(ErrorCode::File, describe(&other)),
        }
    }
}

/// What a photo import did: the inspection as saved, and a line per file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PhotosImported {
    pub inspection: crate::inspection::Inspection,
    pub report: Vec<crate::store::inspection::PhotoImport>,
}

/// TypeScript declarations of every type that crosses the IPC boundary,
/// as committed in `ui/src/ipc/bindings.ts`.
pub fn typescript_bindings() -> String {
    use crate::brief::{BriefItem, BriefKind};
    use crate::checklist::{Item, Phrasing, Rule, Section, Template, Topic};
    use crate::clue_transfer::{ClueTransfer, TransferFile, TransferNews, TransferOffice, TransferUpdate};
    use crate::dashboard::{Counts, Dashboard, Month, RejectedEvent, RepeatProblem};
    use crate::inspection::*;
    use crate::ledger::{HeadGroup, Ledger, LedgerKind};
    use crate::notice::{DocNumber, DocumentFonts, FontRole, Notice, NoticeOffice, NoticePhoto, NoticeProblem};
    use crate::patrol::{DueStatus, PatrolDue};
    use crate::rectification::{Case, CaseEvent, CaseFile, CaseFinding, CaseState, Delivery, EventBody, Term, Verdict};
    use crate::store::clue_transfer::NewClueTransfer;
    use crate::store::inspection::{InspectionSummary, IntegrityProblem, NewInspection, NewSignature, PhotoImport};
    use crate::store::notice::{NewNotice, NumberVoid};
    use crate::store::patrol::{MissedPeriods, PatrolPlan};
    use crate::store::rectification::{CaseFilter, NewCase};
    use crate::store::{ParkSummary, Saved};
    use crate::{enterprise::*, ident::Severity, overview::*, park::*, roster::*, sample::SampleLoaded, search::*};
    let cfg = ts_rs::Config::new().with_large_int("number");
    let codes = ErrorCode::ALL.iter().map(|c| format!("{:?}", c.as_str())).collect::<Vec<_>>().join(" | ");
    let decls = [
        // `xuncha_sync::ErrorCode` has no TypeScript derive (the wire crate
        // stays free of it): its declaration is written from its list.
        format!("type ErrorCode = {codes};"),
        ApiError::decl(&cfg),
        AppInfo::decl(&cfg),
        // Typed ids and hashes: plain strings on the wire, named apart so
        // the window's types say which record an id names.
        ParkId::decl(&cfg),
        EnterpriseId::decl(&cfg),
        FacilityId::decl(&cfg),
        InspectionId::decl(&cfg),
        FindingId::decl(&cfg),
        PhotoId::decl(&cfg),
        NoticeId::decl(&cfg),
        CaseId::decl(&cfg),
        CaseEventId::decl(&cfg),
        ClueTransferId::decl(&cfg),
        DeviceId::decl(&cfg),
        Sha256::decl(&cfg),
        Severity::decl(&cfg),
        FieldProblem::decl(&cfg),
        EnterpriseStatus::decl(&cfg),
        ManagementCategory::decl(&cfg),
        Tier::decl(&cfg),
        TierOverride::decl(&cfg),
        Acceptance::decl(&cfg),
        EiaApproval::decl(&cfg),
        EmergencyPlan::decl(&cfg),
        PermitKind::decl(&cfg),
        DischargePermit::decl(&cfg),
        FacilityKind::decl(&cfg),
        Facility::decl(&cfg),
        OutletKind::decl(&cfg),
        Outlet::decl(&cfg),
        WasteAmounts::decl(&cfg),
        SolidWasteYear::decl(&cfg),
        ArchiveItem::decl(&cfg),
        Attachment::decl(&cfg),
        Contact::decl(&cfg),
        SourceFlag::decl(&cfg),
        Enterprise::decl(&cfg),
        ParkLevel::decl(&cfg),
        ParkApproval::decl(&cfg),
        AnnualActual::decl(&cfg),
        PollutantQuota::decl(&cfg),
        ParkWastewaterFacility::decl(&cfg),
        Park::decl(&cfg),
        ParkSummary::decl(&cfg),
        QuotaUse::decl(&cfg),
        ParkOverview::decl(&cfg),
        MatchedField::decl(&cfg),
        Query::decl(&cfg),
        Hit::decl(&cfg),
        SearchPage::decl(&cfg),
        Saved::decl(&cfg),
        SampleLoaded::decl(&cfg),
        RowProblem::decl(&cfg),
        RowChange::decl(&cfg),
        ImportReport::decl(&cfg),
        SyncStatus::decl(&cfg),
        SyncRound::decl(&cfg),
        SignedIn::decl(&cfg),
        NumbersLeft::decl(&cfg),
        SyncState::decl(&cfg),
        ConflictItem::decl(&cfg),
        Rule::decl(&cfg),
        Topic::decl(&cfg),
        Item::decl(&cfg),
        Section::decl(&cfg),
        Template::decl(&cfg),
        InspectionKind::decl(&cfg),
        InspectionState::decl(&cfg),
        Phrasing::decl(&cfg),
        ItemOutcome::decl(&cfg),
        ItemResult::decl(&cfg),
        FindingSeverity::decl(&cfg),
        Finding::decl(&cfg),
        HandEntry::decl(&cfg),
        Photo::decl(&cfg),
        SignerRole::decl(&cfg),
        Signature::decl(&cfg),
        TemplateRef::decl(&cfg),
        Inspection::decl(&cfg),
        NewInspection::decl(&cfg),
        NewSignature::decl(&cfg),
        InspectionSummary::decl(&cfg),
        PhotoImport::decl(&cfg),
        PhotosImported::decl(&cfg),
        IntegrityProblem::decl(&cfg),
        DueStatus::decl(&cfg),
        PatrolDue::decl(&cfg),
        MissedPeriods::decl(&cfg),
        PatrolPlan::decl(&cfg),
        BriefKind::decl(&cfg),
        BriefItem::decl(&cfg),
        DocNumber::decl(&cfg),
        NoticeProblem::decl(&cfg),
        NoticePhoto::decl(&cfg),
        NoticeOffice::decl(&cfg),
        Notice::decl(&cfg),
        NewNotice::decl(&cfg),
        NumberVoid::decl(&cfg),
        NoticeList::decl(&cfg),
        TransferOffice::decl(&cfg),
        ClueTransfer::decl(&cfg),
        NewClueTransfer::decl(&cfg),
        Printable::decl(&cfg),
        DocumentFonts::decl(&cfg),
        FontRole::decl(&cfg),
        CaseState::decl(&cfg),
        CaseFinding::decl(&cfg),
        CaseFile::decl(&cfg),
        EventBody::decl(&cfg),
        Verdict::decl(&cfg),
        CaseEvent::decl(&cfg),
        Delivery::decl(&cfg),
        Case::decl(&cfg),
        Term::decl(&cfg),
        NewCase::decl(&cfg),
        CaseFilter::decl(&cfg),
        TransferNews::decl(&cfg),
        TransferUpdate::decl(&cfg),
        TransferFile::decl(&cfg),
        LedgerKind::decl(&cfg),
        HeadGroup::decl(&cfg),
        Ledger::decl(&cfg),
        Counts::decl(&cfg),
        Month::decl(&cfg),
        RepeatProblem::decl(&cfg),
        RejectedEvent::decl(&cfg),
        Dashboard::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `xuncha_core::api::typescript_bindings`; do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p xuncha-core bindings\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out
}

/// Which document to print, of which record: `{ kind, id }` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Printable {
    /// A rectification notice.
    Notice(NoticeId),
    /// An inspection's on-site record.
    Record(InspectionId),
    /// Every facility card of an enterprise.
    Cards(EnterpriseId),
    /// A clue transfer form.
    Transfer(ClueTransferId),
}

/// The notices held on this laptop and the numbers given up.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NoticeList {
    pub notices: Vec<crate::notice::Notice>,
    pub voids: Vec<crate::store::notice::NumberVoid>,
}

/// Where the app keeps its data, for the first-run screen and settings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    /// The chosen data folder, or `None` before the first run is finished.
    pub data_dir: Option<String>,
    /// Where the data folder goes if the user accepts the default.
    pub default_data_dir: String,
    /// Parks in the open store (0 when none is open).
    pub parks: usize,
}

/// What one sync round did, as the status bar reports it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncRound {
    pub pushed: usize,
    pub accepted: usize,
    pub held: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub uploaded: usize,
    pub downloaded: usize,
    /// Files other laptops have not uploaded yet.
    pub waiting: usize,
    /// Local files found damaged (content no longer matches the hash).
    pub damaged: Vec<Sha256>,
    /// Files the server refused, each with its reason (sent again next round).
    pub refused_files: Vec<String>,
    /// Parks no longer assigned, removed from this laptop.
    pub parks_removed: usize,
    /// Reference versions (checklist templates, …) received.
    pub reference_received: usize,
    /// Document numbers leased.
    pub numbers_leased: i64,
    /// The server was new or restored and this laptop sent its history again.
    pub refilled: bool,
    /// Why the server stopped taking this laptop's changes, in Chinese.
    pub stopped: Option<String>,
}

/// A file the server refused, as the user reads it: which file (its hash
/// prefix, as the file list shows it) and why.
pub fn refused_file(sha256: &Sha256, why: &str) -> String {
    format!("文件 {}：{why}", sha256.short(12))
}

impl From<&SyncReport> for SyncRound {
    fn from(r: &SyncReport) -> Self {
        SyncRound {
            pushed: r.pushed,
            accepted: r.accepted,
            held: r.held,
            rejected: r.rejected,
            pulled: r.pulled,
            uploaded: r.blobs_uploaded,
            downloaded: r.blobs_downloaded,
            waiting: r.blobs_waiting,
            damaged: r.blobs_damaged.clone(),
            refused_files: r.blobs_refused.iter().map(|(sha, why)| refused_file(sha, why)).collect(),
            parks_removed: r.parks_removed.len(),
            reference_received: r.reference_received,
            numbers_leased: r.numbers_leased,
            refilled: r.refilled,
            stopped: r.stopped.as_ref().map(describe_stop),
        }
    }
}

/// Who this laptop is logged in as.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SignedIn {
    pub server: String,
    /// The login name.
    pub user_name: String,
    /// The person's name, once set by an administrator or the user.
    pub full_name: Option<String>,
    /// The name records and papers carry: the person's name, else the
    /// login name.
    pub person: String,
    /// inspector, steward, clerk, supervisor or admin.
    pub role: String,
    pub parks: usize,
}

/// Everything the sync status bar shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncState {
    /// `None`: not logged in.
    pub signed_in: Option<SignedIn>,
    pub status: SyncStatus,
    /// A round is under way.
    pub running: bool,
    /// Why the last round did not finish (offline, signed out, …).
    pub last_error: Option<ApiError>,
    /// The last round that finished.
    pub last_round: Option<SyncRound>,
    /// Document numbers this laptop can still give out offline.
    pub numbers: Vec<NumbersLeft>,
}

/// The domain's lists and constants the UI needs, as committed in
/// `ui/src/ipc/checklists.ts`: archive checklist items, every choice a form
/// offers, the default tier per management category, deadline days and
/// blank rows of the file form, so the UI never copies a domain rule.
pub fn typescript_checklists() -> String {
    use crate::enterprise::{
        Acceptance, Contact, DischargePermit, EiaApproval, EnterpriseStatus, Facility, FacilityKind,
        ManagementCategory, Outlet, OutletKind, PermitKind, SolidWasteYear, Tier,
    };
    let list =
        |items: &[(&str, &str)]| -> String { items.iter().map(|(g, d)| format!("  [{g:?}, {d:?}],\n")).collect() };
    fn json(value: &impl Serialize) -> String {
        serde_json::to_string(value).expect("plain data serialises")
    }
    let choices = [
        ("ENTERPRISE_STATUSES", "EnterpriseStatus", json(&EnterpriseStatus::ALL)),
        ("MANAGEMENT_CATEGORIES", "ManagementCategory", json(&ManagementCategory::ALL)),
        ("TIERS", "Tier", json(&Tier::ALL)),
        ("ACCEPTANCES", "Acceptance", json(&Acceptance::ALL)),
        ("PERMIT_KINDS", "PermitKind", json(&PermitKind::ALL)),
        ("FACILITY_KINDS", "FacilityKind", json(&FacilityKind::ALL)),
        ("OUTLET_KINDS", "OutletKind", json(&OutletKind::ALL)),
        ("FINDING_SEVERITIES", "FindingSeverity", json(&crate::inspection::FindingSeverity::ALL)),
    ]
    .map(|(name, ty, values)| format!("export const {name}: ReadonlyArray<{ty}> = {values}\n"))
    .concat();
    let default_tier = ManagementCategory::ALL
        .iter()
        .map(|c| format!("{}: {}", json(c), json(&c.default_tier())))
        .collect::<Vec<_>>()
        .join(", ");
    let nil = uuid::Uuid::nil();
    let blanks = [
        ("BLANK_CONTACT", "Contact", json(&Contact::blank(nil, ""))),
        ("BLANK_EIA_APPROVAL", "EiaApproval", json(&EiaApproval::blank(nil))),
        ("BLANK_PERMIT", "DischargePermit", json(&DischargePermit::blank(nil))),
        ("BLANK_FACILITY", "Facility", json(&Facility::blank(FacilityId::NIL, FacilityKind::Wastewater))),
        ("BLANK_OUTLET", "Outlet", json(&Outlet::blank(nil))),
        ("BLANK_WASTE_YEAR", "SolidWasteYear", json(&SolidWasteYear::blank(nil, 0))),
    ]
    .map(|(name, ty, value)| format!("export const {name}: Readonly<{ty}> = {value}\n"))
    .concat();
    format!(
        "// Generated from the Rust constants by `xuncha_core::api::typescript_checklists`; do not edit.\n\n\
         import type {{ Acceptance, Contact, DischargePermit, EiaApproval, EnterpriseStatus, Facility, FacilityKind, \
         ManagementCategory, Outlet, OutletKind, PermitKind, SolidWasteYear, Tier, FindingSeverity }} from './bindings'\n\n\
         /** 一园一档: 001 附件1-2, (group, document). */\n\
         export const PARK_ARCHIVE_ITEMS: ReadonlyArray<readonly [string, string]> = [\n{}]\n\n\
         /** 一企一档: 004 table E.1, (group, document). */\n\
         export const ENTERPRISE_ARCHIVE_ITEMS: ReadonlyArray<readonly [string, string]> = [\n{}]\n\n\
         /** The contact role the ledgers and notices name as the enterprise's environmental contact. */\n\
         export const CONTACT_ROLE_ENVIRONMENT = {:?}\n\n\
         /** How a notice or a transfer form reaches its addressee, the first being the default. */\n\
         export const DELIVERY_METHODS: ReadonlyArray<string> = {:?}\n\n\
         /** The overview's key for enterprises without a patrol tier. */\n\
         export const TIER_UNSET = {:?}\n\n\
         /** Days from the inspection to a finding's default deadline, by severity (none: put right on the spot). */\n\
         export const FINDING_DEADLINE_DAYS: Readonly<Record<FindingSeverity, number | null>> = {{ {} }}\n\n\
         /** Days from the inspection to a notice's default deadline for the rectification plan. */\n\
         export const PLAN_DUE_DAYS = {}\n\n\
         /** Every value of each choice the forms offer, in the order offered. */\n\
         {choices}\n\
         /** The patrol tier a management category implies when no supervisor set another. */\n\
         export const DEFAULT_TIER: Readonly<Record<ManagementCategory, Tier>> = {{ {default_tier} }}\n\n\
         /** New rows of the file form; the form gives each a fresh id (and a facility its kind, a year its number). */\n\
         {blanks}",
        list(&crate::park::PARK_ARCHIVE_ITEMS),
        list(&crate::enterprise::ENTERPRISE_ARCHIVE_ITEMS),
        crate::enterprise::CONTACT_ROLE_ENVIRONMENT,
        crate::rectification::DELIVERY_METHODS,
        crate::overview::TIER_UNSET,
        crate::inspection::FindingSeverity::ALL
            .iter()
            .map(|s| {
                let name = serde_json::to_value(s).expect("a severity serialises");
                let days = s.default_deadline_days().map_or("null".to_string(), |d| d.to_string());
                format!("{}: {days}", name.as_str().expect("a severity is a name"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        crate::notice::PLAN_DUE_DAYS,
    )
}
