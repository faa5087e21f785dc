//! Enterprise files: search, the file itself, rosters and archive files.

use tauri::AppHandle;
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::enterprise::{Attachment, FieldProblem};
use xuncha_core::id::*;
use xuncha_core::roster::{self, ImportOptions, ImportReport};
use xuncha_core::search::{Query, SearchPage};
use xuncha_core::store::Saved;
use xuncha_core::Enterprise;

use super::{checked_sha256, off_main, with_store, Answer};

#[tauri::command]
pub async fn search(app: AppHandle, query: Query) -> Answer<SearchPage> {
    with_store(app, move |s| Ok(s.search_page(&query)?)).await
}

#[tauri::command]
pub async fn enterprise(app: AppHandle, id: EnterpriseId) -> Answer<Enterprise> {
    with_store(app, move |s| s.enterprise(id)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "未找到该企业"))).await
}

/// The same checks the store runs on save, while the form is edited.
#[tauri::command]
pub async fn check_enterprise(enterprise: Enterprise) -> Answer<Vec<FieldProblem>> {
    off_main(move || Ok(enterprise.check())).await
}

#[tauri::command]
pub async fn save_enterprise(app: AppHandle, enterprise: Enterprise) -> Answer<Saved> {
    with_store(app, move |s| Ok(s.save_enterprise(&enterprise)?)).await
}

#[tauri::command]
pub async fn import_roster(app: AppHandle, path: String, park: Option<String>) -> Answer<ImportReport> {
    with_store(app, move |s| Ok(roster::import(s, path.as_ref(), &ImportOptions { park, dry_run: false })?)).await
}

#[tauri::command]
pub async fn export_roster(app: AppHandle, path: String, park: Option<ParkId>) -> Answer<usize> {
    with_store(app, move |s| Ok(roster::export(s, path.as_ref(), park)?)).await
}

#[tauri::command]
pub async fn attach_archive_file(
    app: AppHandle,
    enterprise: EnterpriseId,
    item_no: u8,
    path: String,
) -> Answer<Attachment> {
    with_store(app, move |s| Ok(s.attach_archive_file(enterprise, item_no, path.as_ref())?.0)).await
}

/// Opens an archive file in the system viewer.
#[tauri::command]
pub async fn open_attachment(app: AppHandle, sha256: String) -> Answer<()> {
    use tauri_plugin_opener::OpenerExt;
    let path = with_store(app.clone(), move |s| Ok(s.blobs().path_of(&checked_sha256(&sha256)?))).await?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法用系统程序打开附件：{e}")))
}
