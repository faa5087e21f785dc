//! Ledgers and the dashboard.

use tauri::{AppHandle, Manager};
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::dashboard::Dashboard;
use xuncha_core::id::*;
use xuncha_core::ledger::{Ledger, LedgerKind};
use xuncha_core::Env;

use super::{off_main, today, with_store, Answer};
use crate::print;
use crate::state::AppState;

#[tauri::command]
pub async fn ledger(app: AppHandle, kind: LedgerKind, park: Option<ParkId>) -> Answer<Ledger> {
    with_store(app, move |s| Ok(xuncha_core::ledger::ledger(s, kind, park, today())?)).await
}

#[tauri::command]
pub async fn dashboard(app: AppHandle, park: Option<ParkId>) -> Answer<Dashboard> {
    with_store(app, move |s| Ok(xuncha_core::dashboard::dashboard(s, park, today())?)).await
}

/// Saves a ledger as an `.xlsx` workbook where the clerk chose.
#[tauri::command]
pub async fn export_ledger(app: AppHandle, kind: LedgerKind, park: Option<ParkId>, target: String) -> Answer<()> {
    let l = ledger(app, kind, park).await?;
    off_main(move || {
        xuncha_core::ledger::write_xlsx(&l, target.as_ref())
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法写入 {target}：{e}")))
    })
    .await
}

/// Prints a ledger into the 文书 folder; returns its path.
#[tauri::command]
pub async fn print_ledger(app: AppHandle, kind: LedgerKind, park: Option<ParkId>) -> Answer<Vec<String>> {
    let dir = app.state::<AppState>().db_path()?.with_file_name(print::FOLDER);
    let (fonts, l) =
        with_store(app, move |s| Ok((s.document_fonts()?, xuncha_core::ledger::ledger(s, kind, park, today())?)))
            .await?;
    off_main(move || {
        let doc = xuncha_print::stored::ledger(&print::fonts(&fonts)?, &l, Env::system().now_in_china())?;
        print::write_into(&dir, vec![doc])
    })
    .await
}
