//! The command line's areas, one module each.

pub mod data;
pub mod document;
pub mod sync;

use std::path::Path;

use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::{Env, Store};

/// Writes a file the user named.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    std::fs::write(path, bytes).map_err(|e| ApiError::new(ErrorCode::File, format!("无法写入 {}：{e}", path.display())))
}

/// `--today`, or today in China.
pub fn day_or_today(today: Option<String>) -> Result<chrono::NaiveDate, ApiError> {
    match today {
        Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| ApiError::new(ErrorCode::Invalid, format!("日期“{t}”格式不对，应为 YYYY-MM-DD"))),
        None => Ok(Env::system().now_in_china().date_naive()),
    }
}

/// The park named by `--park` (code, name or id).
pub fn park_of(store: &Store, park: Option<String>) -> Result<Option<xuncha_core::ParkId>, ApiError> {
    match park {
        Some(key) => Ok(Some(
            store.find_park(&key)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("未找到园区“{key}”")))?.id,
        )),
        None => Ok(None),
    }
}

/// The enterprise named by an id, a credit code or a full name.
pub fn enterprise_of(store: &Store, key: &str) -> Result<xuncha_core::Enterprise, ApiError> {
    store.find_enterprise(key)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("未找到企业“{key}”")))
}
