//! Rectification cases and the news of clue transfers.

use tauri::AppHandle;
use xuncha_core::clue_transfer::{TransferFile, TransferNews};
use xuncha_core::id::*;
use xuncha_core::rectification::{Case, CaseFile, EventBody};
use xuncha_core::store::rectification::CaseFilter;

use super::{with_store, Answer};

#[tauri::command]
pub async fn cases(app: AppHandle, filter: CaseFilter) -> Answer<Vec<Case>> {
    with_store(app, move |s| Ok(s.cases(&filter)?)).await
}

#[tauri::command]
pub async fn record_case_event(app: AppHandle, case_id: CaseId, body: EventBody) -> Answer<Case> {
    with_store(app, move |s| Ok(s.record_case_event(case_id, body)?)).await
}

/// Keeps files handed in for a case (plans, evidence photos) as they are.
#[tauri::command]
pub async fn keep_case_files(app: AppHandle, paths: Vec<String>, finding: Option<FindingId>) -> Answer<Vec<CaseFile>> {
    with_store(app, move |s| paths.iter().map(|p| Ok(s.keep_case_file(p.as_ref(), finding)?)).collect()).await
}

#[tauri::command]
pub async fn transfer_files(app: AppHandle, enterprise: Option<EnterpriseId>) -> Answer<Vec<TransferFile>> {
    with_store(app, move |s| Ok(s.transfer_files(enterprise)?)).await
}

#[tauri::command]
pub async fn record_transfer_news(app: AppHandle, id: ClueTransferId, news: TransferNews) -> Answer<TransferFile> {
    with_store(app, move |s| Ok(s.record_transfer_news(id, news)?)).await
}
