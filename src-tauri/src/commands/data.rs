//! The data folder, the sample park and the parks on this laptop.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};
use xuncha_core::api::{AppInfo, ErrorCode};
use xuncha_core::id::*;
use xuncha_core::overview::{self, ParkOverview};
use xuncha_core::sample::{self, SampleLoaded};
use xuncha_core::store::ParkSummary;
use xuncha_core::Park;

use super::{off_main, with_store, Answer};
use crate::state::AppState;

#[tauri::command]
pub async fn app_info(app: AppHandle) -> Answer<AppInfo> {
    off_main(move || app.state::<AppState>().info()).await
}

#[tauri::command]
pub async fn choose_data_dir(app: AppHandle, path: Option<String>) -> Answer<AppInfo> {
    off_main(move || app.state::<AppState>().open(path.map(PathBuf::from))).await
}

#[tauri::command]
pub async fn load_sample(app: AppHandle) -> Answer<SampleLoaded> {
    with_store(app, |s| Ok(sample::load_sample(s)?)).await
}

#[tauri::command]
pub async fn parks(app: AppHandle) -> Answer<Vec<ParkSummary>> {
    with_store(app, |s| Ok(s.parks()?)).await
}

#[tauri::command]
pub async fn overview(app: AppHandle) -> Answer<Vec<ParkOverview>> {
    with_store(app, |s| Ok(overview::overview(s)?)).await
}

#[tauri::command]
pub async fn park(app: AppHandle, id: ParkId) -> Answer<Park> {
    with_store(app, move |s| {
        s.park(id)?.ok_or_else(|| xuncha_core::api::ApiError::new(ErrorCode::NotFound, "未找到该园区"))
    })
    .await
}
