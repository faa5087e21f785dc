//! The window's commands, one module per area. Each command is a few lines
//! over a flow written once in the crates, and every one runs off the main
//! thread so the window never waits on the store, a print or the network.

pub mod case;
pub mod data;
pub mod document;
pub mod enterprise;
pub mod inspection;
pub mod ledger;
pub mod sync;

use tauri::{AppHandle, Manager};
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::Store;

use crate::state::AppState;

pub type Answer<T> = Result<T, ApiError>;

/// Runs `f` on the open store, off the main thread. Keep `f` to reading and
/// writing records: slow work on what it read (rendering, hashing files
/// elsewhere) belongs after it, so others are not kept waiting.
pub async fn with_store<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut Store) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    off_main(move || app.state::<AppState>().with_store(f)).await
}

/// Runs `f` off the main thread: network calls and long work.
pub async fn off_main<T: Send + 'static>(f: impl FnOnce() -> Answer<T> + Send + 'static) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("后台任务失败：{e}")))?
}

/// Today in China, for plans, briefs and ledgers.
fn today() -> chrono::NaiveDate {
    xuncha_core::Env::system().now_in_china().date_naive()
}

/// A stored file's SHA-256 as the window names it: 64 lowercase hex
/// digits, nothing that could name a path outside the file store.
fn checked_sha256(sha256: &str) -> Answer<xuncha_core::Sha256> {
    sha256.parse().map_err(|_| ApiError::new(ErrorCode::Invalid, "文件校验值格式不对"))
}
