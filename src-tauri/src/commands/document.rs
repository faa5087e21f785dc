//! Documents: office settings, notices, clue transfers, fonts, printing
//! into the 文书 folder, previews and copies.

use tauri::{AppHandle, Manager};
use xuncha_core::api::{ApiError, ErrorCode, NoticeList, Printable};
use xuncha_core::clue_transfer::ClueTransfer;
use xuncha_core::clue_transfer::TransferOffice;
use xuncha_core::id::*;
use xuncha_core::notice::{DocumentFonts, FontRole, Notice, NoticeOffice};
use xuncha_core::store::clue_transfer::NewClueTransfer;
use xuncha_core::store::notice::{NewNotice, NumberVoid};
use xuncha_core::Env;
use xuncha_print::stored::{self, Source};

use super::{off_main, with_store, Answer};
use crate::print;
use crate::state::AppState;

#[tauri::command]
pub async fn notice_office(app: AppHandle) -> Answer<Option<NoticeOffice>> {
    with_store(app, |s| Ok(s.notice_office()?)).await
}

#[tauri::command]
pub async fn save_notice_office(app: AppHandle, office: NoticeOffice) -> Answer<()> {
    with_store(app, move |s| Ok(s.save_notice_office(&office)?)).await
}

#[tauri::command]
pub async fn issue_notice(app: AppHandle, new: NewNotice) -> Answer<Notice> {
    with_store(app, move |s| Ok(s.issue_notice(&new)?)).await
}

#[tauri::command]
pub async fn notices(app: AppHandle, enterprise: Option<EnterpriseId>) -> Answer<NoticeList> {
    with_store(app, move |s| Ok(NoticeList { notices: s.notices(enterprise)?, voids: s.number_voids()? })).await
}

#[tauri::command]
pub async fn void_notice(app: AppHandle, id: NoticeId, reason: String) -> Answer<NumberVoid> {
    with_store(app, move |s| Ok(s.void_notice(id, &reason)?)).await
}

#[tauri::command]
pub async fn save_transfer_office(app: AppHandle, office: TransferOffice) -> Answer<()> {
    with_store(app, move |s| Ok(s.save_transfer_office(&office)?)).await
}

#[tauri::command]
pub async fn clue_transfer_draft(
    app: AppHandle,
    inspection: InspectionId,
    findings: Vec<FindingId>,
) -> Answer<NewClueTransfer> {
    with_store(app, move |s| Ok(s.clue_transfer_draft(inspection, &findings)?)).await
}

#[tauri::command]
pub async fn transfer_clue(app: AppHandle, new: NewClueTransfer) -> Answer<ClueTransfer> {
    with_store(app, move |s| Ok(s.transfer_clue(&new)?)).await
}

#[tauri::command]
pub async fn clue_transfers(app: AppHandle, enterprise: Option<EnterpriseId>) -> Answer<Vec<ClueTransfer>> {
    with_store(app, move |s| Ok(s.clue_transfers(enterprise)?)).await
}

#[tauri::command]
pub async fn document_fonts(app: AppHandle) -> Answer<DocumentFonts> {
    with_store(app, |s| Ok(s.document_fonts()?)).await
}

/// Makes a font file the office's 仿宋 or 小标宋 (`None`: the shipped one).
#[tauri::command]
pub async fn set_document_font(app: AppHandle, role: FontRole, path: Option<String>) -> Answer<DocumentFonts> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FONT_FOLDER);
    with_store(app, move |s| print::adopt_font(s, &dir, role, path.as_deref())).await
}

/// Renders documents gathered from the store into the 文书 folder, outside
/// the store's lock; returns their paths.
async fn print_into_folder(
    app: AppHandle,
    gather: impl FnOnce(&mut xuncha_core::Store) -> Answer<(DocumentFonts, Vec<Source>)> + Send + 'static,
) -> Answer<Vec<String>> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    let (fonts, sources) = with_store(app, gather).await?;
    off_main(move || {
        let book = print::fonts(&fonts)?;
        let mut docs = Vec::new();
        for source in &sources {
            docs.extend(source.render(&book)?);
        }
        print::write_into(&dir, docs)
    })
    .await
}

/// Prints a document into the data folder's 文书 folder; returns the paths.
#[tauri::command]
pub async fn print_document(app: AppHandle, document: Printable) -> Answer<Vec<String>> {
    let now = Env::system().now().timestamp();
    print_into_folder(app, move |s| Ok((s.document_fonts()?, vec![stored::gather(s, document, now)?]))).await
}

/// A clerk's batch: every notice issued today, printed into the 文书 folder.
#[tauri::command]
pub async fn print_todays_notices(app: AppHandle) -> Answer<Vec<String>> {
    let today = Env::system().now_in_china().format("%Y-%m-%d").to_string();
    print_into_folder(app, move |s| Ok((s.document_fonts()?, stored::todays_notices(s, &today)?))).await
}

/// Opens a printed document in the system viewer, to preview and print.
#[tauri::command]
pub async fn open_document(app: AppHandle, path: String) -> Answer<()> {
    use tauri_plugin_opener::OpenerExt;
    let folder = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    let file = print::document_in(&folder, &path)?;
    app.opener()
        .open_path(file.to_string_lossy(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法用系统程序打开文书：{e}")))
}

/// A printed document's bytes, for the preview in the window.
#[tauri::command]
pub async fn document_bytes(app: AppHandle, path: String) -> Answer<tauri::ipc::Response> {
    let folder = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    off_main(move || {
        let file = print::document_in(&folder, &path)?;
        let bytes = std::fs::read(&file)
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法读取文书 {}：{e}", file.display())))?;
        Ok(tauri::ipc::Response::new(bytes))
    })
    .await
}

/// Saves a copy of a printed document where the user chose.
#[tauri::command]
pub async fn save_document_as(app: AppHandle, path: String, target: String) -> Answer<()> {
    let folder = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    off_main(move || {
        let file = print::document_in(&folder, &path)?;
        std::fs::copy(file, &target)
            .map(|_| ())
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法保存到 {target}：{e}")))
    })
    .await
}
