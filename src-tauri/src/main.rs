//! The 巡查 desktop app: a thin Tauri shell over `xuncha-core`.
//!
//! Each command converts its arguments, calls the core and converts the
//! answer; no SQL and no business rules live here. Errors cross the IPC
//! boundary as `ApiError { code, message, problems }`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod state;

use std::path::PathBuf;

use tauri::{AppHandle, Manager, State};
use uuid::Uuid;
use xuncha_core::api::{ApiError, AppInfo, ErrorCode};
use xuncha_core::enterprise::{Attachment, FieldProblem};
use xuncha_core::overview::{self, ParkOverview};
use xuncha_core::roster::{self, ImportOptions, ImportReport};
use xuncha_core::sample::{self, SampleLoaded};
use xuncha_core::search::{Query, SearchPage};
use xuncha_core::store::{ParkSummary, Saved};
use xuncha_core::{Enterprise, Park};

use state::AppState;

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

/// Runs a long store operation off the main thread, so the window stays
/// responsive while a roster is imported.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut xuncha_core::Store) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(move || app.state::<AppState>().with_store(f))
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
        ])
        .run(tauri::generate_context!())
        .expect("the 巡查 window could not be started");
}
