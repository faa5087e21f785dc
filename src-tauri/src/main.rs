//! The 巡查 desktop app: a thin Tauri shell over `xuncha-core`.
//!
//! Each command converts its arguments, calls the core and converts the
//! answer; no SQL and no business rules live here. Errors cross the IPC
//! boundary as `ApiError { code, message, problems }`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod print;
mod state;
mod sync;

use std::path::PathBuf;

use tauri::{AppHandle, Manager, State};
use uuid::Uuid;
use xuncha_core::api::{
    ApiError, AppInfo, ConflictItem, DocumentKind, ErrorCode, NoticeList, PhotosImported, SyncRound, SyncState,
};
use xuncha_core::brief::BriefItem;
use xuncha_core::checklist::Template;
use xuncha_core::clue_transfer::{ClueTransfer, TransferFile, TransferNews, TransferOffice};
use xuncha_core::dashboard::Dashboard;
use xuncha_core::enterprise::{Attachment, FieldProblem};
use xuncha_core::inspection::Inspection;
use xuncha_core::ledger::{Ledger, LedgerKind};
use xuncha_core::notice::{DocumentFonts, FontRole, Notice, NoticeOffice};
use xuncha_core::overview::{self, ParkOverview};
use xuncha_core::rectification::{Case, CaseFile, EventBody};
use xuncha_core::roster::{self, ImportOptions, ImportReport};
use xuncha_core::sample::{self, SampleLoaded};
use xuncha_core::search::{Query, SearchPage};
use xuncha_core::store::clue_transfer::NewClueTransfer;
use xuncha_core::store::inspection::{
    photo_files_in, InspectionSummary, IntegrityProblem, NewInspection, NewSignature,
};
use xuncha_core::store::notice::{NewNotice, NumberVoid};
use xuncha_core::store::patrol::PatrolPlan;
use xuncha_core::store::rectification::{CaseFilter, NewCase};
use xuncha_core::store::{ParkSummary, Saved};
use xuncha_core::{Enterprise, Park};

use state::AppState;
use sync::Sync;

type Answer<T> = Result<T, ApiError>;

#[tauri::command]
fn app_info(state: State<'_, AppState>) -> Answer<AppInfo> {
    state.info()
}

#[tauri::command]
fn choose_data_dir(state: State<'_, AppState>, path: Option<String>) -> Answer<AppInfo> {
    state.open(path.map(PathBuf::from))
}

#[tauri::command]
fn load_sample(state: State<'_, AppState>) -> Answer<SampleLoaded> {
    state.with_store(|s| Ok(sample::load_sample(s)?))
}

#[tauri::command]
fn parks(state: State<'_, AppState>) -> Answer<Vec<ParkSummary>> {
    state.with_store(|s| Ok(s.parks()?))
}

#[tauri::command]
fn overview(state: State<'_, AppState>) -> Answer<Vec<ParkOverview>> {
    state.with_store(|s| Ok(overview::overview(s)?))
}

#[tauri::command]
fn park(state: State<'_, AppState>, id: Uuid) -> Answer<Park> {
    state.with_store(|s| s.park(id)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "未找到该园区")))
}

#[tauri::command]
fn search(state: State<'_, AppState>, query: Query) -> Answer<SearchPage> {
    state.with_store(|s| Ok(s.search_page(&query)?))
}

#[tauri::command]
fn enterprise(state: State<'_, AppState>, id: Uuid) -> Answer<Enterprise> {
    state.with_store(|s| s.enterprise(id)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "未找到该企业")))
}

#[tauri::command]
fn check_enterprise(enterprise: Enterprise) -> Vec<FieldProblem> {
    enterprise.check()
}

#[tauri::command]
fn save_enterprise(state: State<'_, AppState>, enterprise: Enterprise) -> Answer<Saved> {
    state.with_store(|s| Ok(s.save_enterprise(&enterprise)?))
}

#[tauri::command]
async fn import_roster(app: AppHandle, path: String, park: Option<String>) -> Answer<ImportReport> {
    blocking(app, move |s| Ok(roster::import(s, path.as_ref(), &ImportOptions { park, dry_run: false })?)).await
}

#[tauri::command]
async fn export_roster(app: AppHandle, path: String, park: Option<Uuid>) -> Answer<usize> {
    blocking(app, move |s| Ok(roster::export(s, path.as_ref(), park)?)).await
}

#[tauri::command]
fn attach_archive_file(state: State<'_, AppState>, enterprise: Uuid, item_no: u8, path: String) -> Answer<Attachment> {
    state.with_store(|s| Ok(s.attach_archive_file(enterprise, item_no, path.as_ref())?.0))
}

#[tauri::command]
fn open_attachment(app: AppHandle, state: State<'_, AppState>, sha256: String) -> Answer<()> {
    use tauri_plugin_opener::OpenerExt;
    let path = state.with_store(|s| Ok(s.blobs().path_of(&sha256)))?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法用系统程序打开附件：{e}")))
}

#[tauri::command]
fn checklist_templates(state: State<'_, AppState>) -> Answer<Vec<Template>> {
    state.with_store(|s| Ok(s.templates()?))
}

#[tauri::command]
fn patrol_plan(state: State<'_, AppState>, park: Uuid) -> Answer<PatrolPlan> {
    state.with_store(|s| {
        let today = s.env().now_in_china().date_naive();
        Ok(s.patrol_plan(park, today)?)
    })
}

#[tauri::command]
fn brief(state: State<'_, AppState>, enterprise: Uuid) -> Answer<Vec<BriefItem>> {
    state.with_store(|s| {
        let today = s.env().now_in_china().date_naive();
        Ok(s.brief(enterprise, today)?)
    })
}

#[tauri::command]
fn inspections(
    state: State<'_, AppState>,
    enterprise: Option<Uuid>,
    park: Option<Uuid>,
) -> Answer<Vec<InspectionSummary>> {
    state.with_store(|s| Ok(s.inspections(enterprise, park)?))
}

#[tauri::command]
fn start_inspection(state: State<'_, AppState>, new: NewInspection) -> Answer<Inspection> {
    state.with_store(|s| Ok(s.start_inspection(&new)?))
}

#[tauri::command]
fn inspection(state: State<'_, AppState>, id: Uuid) -> Answer<Inspection> {
    state.with_store(|s| s.inspection(id)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "未找到该检查记录")))
}

#[tauri::command]
fn save_inspection(state: State<'_, AppState>, inspection: Inspection) -> Answer<Inspection> {
    state.with_store(|s| Ok(s.save_inspection(&inspection)?))
}

#[tauri::command]
fn discard_inspection(state: State<'_, AppState>, id: Uuid) -> Answer<()> {
    state.with_store(|s| Ok(s.discard_inspection(id)?))
}

#[tauri::command]
fn sign_inspection(
    state: State<'_, AppState>,
    id: Uuid,
    version: i64,
    signers: Vec<NewSignature>,
) -> Answer<Inspection> {
    state.with_store(|s| Ok(s.sign_inspection(id, version, &signers)?))
}

#[tauri::command]
fn correct_inspection(state: State<'_, AppState>, id: Uuid, reason: String) -> Answer<Inspection> {
    state.with_store(|s| Ok(s.correct_inspection(id, &reason)?))
}

/// Imports photo files, or every photo in a folder and its subfolders.
#[tauri::command]
async fn import_photos(app: AppHandle, id: Uuid, finding: Option<Uuid>, paths: Vec<String>) -> Answer<PhotosImported> {
    blocking(app, move |s| {
        let mut files = Vec::new();
        for p in paths.iter().map(PathBuf::from) {
            if p.is_dir() {
                files.extend(photo_files_in(&p)?);
            } else {
                files.push(p);
            }
        }
        let (inspection, report) = s.import_photos(id, finding, &files)?;
        Ok(PhotosImported { inspection, report })
    })
    .await
}

/// A stored file's bytes (photo renditions, signatures), for display.
#[tauri::command]
async fn blob_bytes(app: AppHandle, sha256: String) -> Answer<tauri::ipc::Response> {
    blocking(app, move |s| {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::new(ErrorCode::Invalid, "文件校验值格式不对"));
        }
        let bytes = std::fs::read(s.blobs().path_of(&sha256))
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "本机还没有这个文件，同步后即可查看"))?;
        Ok(tauri::ipc::Response::new(bytes))
    })
    .await
}

#[tauri::command]
async fn verify_inspections(app: AppHandle) -> Answer<Vec<IntegrityProblem>> {
    blocking(app, |s| Ok(s.verify_inspections()?)).await
}

#[tauri::command]
fn notice_office(state: State<'_, AppState>) -> Answer<Option<NoticeOffice>> {
    state.with_store(|s| Ok(s.notice_office()?))
}

#[tauri::command]
fn save_notice_office(state: State<'_, AppState>, office: NoticeOffice) -> Answer<()> {
    state.with_store(|s| Ok(s.save_notice_office(&office)?))
}

#[tauri::command]
fn issue_notice(state: State<'_, AppState>, new: NewNotice) -> Answer<Notice> {
    state.with_store(|s| Ok(s.issue_notice(&new)?))
}

#[tauri::command]
fn notices(state: State<'_, AppState>, enterprise: Option<Uuid>) -> Answer<NoticeList> {
    state.with_store(|s| Ok(NoticeList { notices: s.notices(enterprise)?, voids: s.number_voids()? }))
}

#[tauri::command]
fn void_notice(state: State<'_, AppState>, id: Uuid, reason: String) -> Answer<NumberVoid> {
    state.with_store(|s| Ok(s.void_notice(id, &reason)?))
}

#[tauri::command]
fn transfer_office(state: State<'_, AppState>) -> Answer<Option<TransferOffice>> {
    state.with_store(|s| Ok(s.transfer_office()?))
}

#[tauri::command]
fn save_transfer_office(state: State<'_, AppState>, office: TransferOffice) -> Answer<()> {
    state.with_store(|s| Ok(s.save_transfer_office(&office)?))
}

#[tauri::command]
fn clue_transfer_draft(state: State<'_, AppState>, inspection: Uuid, findings: Vec<Uuid>) -> Answer<NewClueTransfer> {
    state.with_store(|s| Ok(s.clue_transfer_draft(inspection, &findings)?))
}

#[tauri::command]
fn transfer_clue(state: State<'_, AppState>, new: NewClueTransfer) -> Answer<ClueTransfer> {
    state.with_store(|s| Ok(s.transfer_clue(&new)?))
}

#[tauri::command]
fn clue_transfers(state: State<'_, AppState>, enterprise: Option<Uuid>) -> Answer<Vec<ClueTransfer>> {
    state.with_store(|s| Ok(s.clue_transfers(enterprise)?))
}

#[tauri::command]
fn document_fonts(state: State<'_, AppState>) -> Answer<DocumentFonts> {
    state.with_store(|s| Ok(s.document_fonts()?))
}

/// Makes a font file the office's 仿宋 or 小标宋 (`None`: the shipped one).
#[tauri::command]
async fn set_document_font(app: AppHandle, role: FontRole, path: Option<String>) -> Answer<DocumentFonts> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FONT_FOLDER);
    blocking(app, move |s| print::adopt_font(s, &dir, role, path.as_deref())).await
}

#[tauri::command]
fn cases(state: State<'_, AppState>, filter: CaseFilter) -> Answer<Vec<Case>> {
    state.with_store(|s| Ok(s.cases(&filter)?))
}

#[tauri::command]
fn case_of_notice(state: State<'_, AppState>, notice: Uuid) -> Answer<Option<Case>> {
    state.with_store(|s| Ok(s.case_of_notice(notice)?))
}

#[tauri::command]
fn open_case(state: State<'_, AppState>, new: NewCase) -> Answer<Case> {
    state.with_store(|s| Ok(s.open_case(&new)?))
}

#[tauri::command]
fn record_case_event(state: State<'_, AppState>, case_id: Uuid, body: EventBody) -> Answer<Case> {
    state.with_store(|s| Ok(s.record_case_event(case_id, body)?))
}

/// Keeps files handed in for a case (plans, evidence photos) as they are.
#[tauri::command]
async fn keep_case_files(app: AppHandle, paths: Vec<String>, finding: Option<Uuid>) -> Answer<Vec<CaseFile>> {
    blocking(app, move |s| paths.iter().map(|p| Ok(s.keep_case_file(std::path::Path::new(p), finding)?)).collect())
        .await
}

#[tauri::command]
fn transfer_files(state: State<'_, AppState>, enterprise: Option<Uuid>) -> Answer<Vec<TransferFile>> {
    state.with_store(|s| Ok(s.transfer_files(enterprise)?))
}

#[tauri::command]
fn record_transfer_news(state: State<'_, AppState>, id: Uuid, news: TransferNews) -> Answer<TransferFile> {
    state.with_store(|s| Ok(s.record_transfer_news(id, news)?))
}

#[tauri::command]
fn ledger(state: State<'_, AppState>, kind: LedgerKind, park: Option<Uuid>) -> Answer<Ledger> {
    let today = xuncha_core::Env::system().now_in_china().date_naive();
    state.with_store(|s| Ok(xuncha_core::ledger::ledger(s, kind, park, today)?))
}

#[tauri::command]
fn dashboard(state: State<'_, AppState>, park: Option<Uuid>) -> Answer<Dashboard> {
    let today = xuncha_core::Env::system().now_in_china().date_naive();
    state.with_store(|s| Ok(xuncha_core::dashboard::dashboard(s, park, today)?))
}

/// Saves a ledger as an `.xlsx` workbook where the clerk chose.
#[tauri::command]
async fn export_ledger(app: AppHandle, kind: LedgerKind, park: Option<Uuid>, target: String) -> Answer<()> {
    let today = xuncha_core::Env::system().now_in_china().date_naive();
    blocking(app, move |s| {
        let l = xuncha_core::ledger::ledger(s, kind, park, today)?;
        xuncha_core::ledger::write_xlsx(&l, std::path::Path::new(&target))
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法写入 {target}：{e}")))
    })
    .await
}

/// Prints a ledger into the 文书 folder; returns its path.
#[tauri::command]
async fn print_ledger(app: AppHandle, kind: LedgerKind, park: Option<Uuid>) -> Answer<Vec<String>> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    let now = xuncha_core::Env::system().now_in_china();
    blocking(app, move |s| {
        let l = xuncha_core::ledger::ledger(s, kind, park, now.date_naive())?;
        let pdf = xuncha_print::ledger::render(&print::fonts(s)?, &l, now.timestamp()).map_err(print::error)?;
        let file_name = format!("{} {}.pdf", l.title, now.format("%Y-%m-%d"));
        print::write_into(&dir, vec![xuncha_print::stored::Document { file_name, pdf }])
    })
    .await
}

/// Renders a document into the data folder's 文书 folder; returns the paths.
#[tauri::command]
async fn print_document(app: AppHandle, kind: DocumentKind, id: Uuid) -> Answer<Vec<String>> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    blocking(app, move |s| {
        let book = &print::fonts(s)?;
        let docs = match kind {
            DocumentKind::Notice => vec![xuncha_print::stored::notice(s, book, id).map_err(print::error)?],
            DocumentKind::Transfer => vec![xuncha_print::stored::transfer(s, book, id).map_err(print::error)?],
            DocumentKind::Record => vec![xuncha_print::stored::record(s, book, id).map_err(print::error)?],
            DocumentKind::Cards => {
                let now = xuncha_core::Env::system().now().timestamp();
                xuncha_print::stored::cards(s, book, id, now).map_err(print::error)?
            }
        };
        print::write_into(&dir, docs)
    })
    .await
}

/// A clerk's batch: every notice issued today, rendered into the 文书 folder.
#[tauri::command]
async fn print_todays_notices(app: AppHandle) -> Answer<Vec<String>> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    blocking(app, move |s| {
        let book = &print::fonts(s)?;
        let today = xuncha_core::Env::system().now_in_china().format("%Y-%m-%d").to_string();
        let docs = s
            .notices_issued_on(&today)?
            .into_iter()
            .map(|n| xuncha_print::stored::notice(s, book, n.id).map_err(print::error))
            .collect::<Answer<Vec<_>>>()?;
        print::write_into(&dir, docs)
    })
    .await
}

/// Opens a printed document in the system viewer, to preview and print.
#[tauri::command]
fn open_document(app: AppHandle, path: String) -> Answer<()> {
    use tauri_plugin_opener::OpenerExt;
    let folder = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    let file = print::document_in(&folder, &path)?;
    app.opener()
        .open_path(file.to_string_lossy(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法用系统程序打开文书：{e}")))
}

/// A printed document's bytes, for the preview in the window.
#[tauri::command]
fn document_bytes(state: State<'_, AppState>, path: String) -> Answer<tauri::ipc::Response> {
    let file = print::document_in(&state.db_path()?.with_file_name(print::FOLDER), &path)?;
    let bytes = std::fs::read(&file)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法读取文书 {}：{e}", file.display())))?;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Saves a copy of a printed document where the user chose.
#[tauri::command]
fn save_document_as(state: State<'_, AppState>, path: String, target: String) -> Answer<()> {
    let file = print::document_in(&state.db_path()?.with_file_name(print::FOLDER), &path)?;
    std::fs::copy(file, &target)
        .map(|_| ())
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法保存到 {target}：{e}")))
}

#[tauri::command]
fn sync_state(state: State<'_, AppState>, sync: State<'_, Sync>) -> Answer<SyncState> {
    sync.state(&state)
}

#[tauri::command]
async fn sync_now(app: AppHandle) -> Answer<SyncRound> {
    off_main(move || app.state::<Sync>().round(&app)).await
}

#[tauri::command]
async fn login(app: AppHandle, server: String, user: String, password: String) -> Answer<SyncState> {
    off_main(move || {
        let state = app.state::<AppState>();
        let device = state.with_store(|s| Ok(s.device_id()))?;
        let db = state.db_path()?;
        xuncha_client::login(&db, &server, &user, &password, device, &xuncha_client::device_name())?;
        state.with_store(|s| {
            state.name_operator(s, &db);
            Ok(())
        })?;
        let sync = app.state::<Sync>();
        sync.reset();
        sync.state(&state)
    })
    .await
}

#[tauri::command]
fn logout(state: State<'_, AppState>, sync: State<'_, Sync>) -> Answer<SyncState> {
    let db = state.db_path()?;
    xuncha_client::logout(&db)?;
    state.with_store(|s| {
        state.name_operator(s, &db);
        Ok(())
    })?;
    sync.reset();
    sync.state(&state)
}

/// The conflicts of every park on this laptop, named from its records.
#[tauri::command]
async fn conflicts(app: AppHandle) -> Answer<Vec<ConflictItem>> {
    off_main(move || {
        let state = app.state::<AppState>();
        let mut transport = xuncha_client::HttpTransport::for_store(&state.db_path()?)?;
        let parks = state.with_store(|s| Ok(s.parks()?))?;
        let records = transport.conflicts(parks.iter().map(|p| p.id))?;
        state.with_store(|s| Ok(s.conflict_items(records)?))
    })
    .await
}

/// A supervisor's decision, then a round so that it arrives here too.
#[tauri::command]
async fn resolve_conflict(app: AppHandle, id: Uuid, take_laptop: bool) -> Answer<SyncRound> {
    off_main(move || {
        app.state::<AppState>().with_store(|s| Ok(s.decide_conflict(id, take_laptop)?))?;
        app.state::<Sync>().round(&app)
    })
    .await
}

/// Runs a long store operation off the main thread, so the window stays
/// responsive while a roster is imported.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut xuncha_core::Store) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    off_main(move || app.state::<AppState>().with_store(f)).await
}

/// Runs `f` off the main thread: network calls and long work.
async fn off_main<T: Send + 'static>(f: impl FnOnce() -> Answer<T> + Send + 'static) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("后台任务失败：{e}")))?
}

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let state = AppState::load(app.handle())?;
            app.manage(state);
            app.manage(Sync::default());
            Sync::run_in_background(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            choose_data_dir,
            load_sample,
            parks,
            overview,
            park,
            search,
            enterprise,
            check_enterprise,
            save_enterprise,
            import_roster,
            export_roster,
            attach_archive_file,
            open_attachment,
            sync_state,
            sync_now,
            login,
            logout,
            conflicts,
            resolve_conflict,
            checklist_templates,
            patrol_plan,
            brief,
            inspections,
            start_inspection,
            inspection,
            save_inspection,
            discard_inspection,
            sign_inspection,
            correct_inspection,
            import_photos,
            blob_bytes,
            verify_inspections,
            notice_office,
            save_notice_office,
            issue_notice,
            notices,
            void_notice,
            transfer_office,
            save_transfer_office,
            clue_transfer_draft,
            transfer_clue,
            clue_transfers,
            document_fonts,
            set_document_font,
            cases,
            case_of_notice,
            open_case,
            record_case_event,
            keep_case_files,
            transfer_files,
            record_transfer_news,
            ledger,
            dashboard,
            export_ledger,
            print_ledger,
            print_document,
            print_todays_notices,
            open_document,
            document_bytes,
            save_document_as,
        ])
        .run(tauri::generate_context!())
        .expect("the 巡查 window could not be started");
}
