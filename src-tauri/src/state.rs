//! The app's state: the remembered data folder and the open store.
//!
//! The data folder is chosen on first run and remembered in a small JSON
//! file in the app's config folder (`XUNCHA_CONFIG_DIR` overrides where
//! that is, for tests and portable installs).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use xuncha_core::api::{ApiError, AppInfo, ErrorCode, SyncState};
use xuncha_core::{Env, Store};

/// The file name of the database inside the data folder.
const DB_FILE: &str = "xuncha.db";

#[derive(Default, Serialize, Deserialize)]
struct Config {
    data_dir: Option<PathBuf>,
}

pub struct AppState {
    config_file: PathBuf,
    default_data_dir: PathBuf,
    data_dir: Mutex<Option<PathBuf>>,
    store: Mutex<Option<Store>>,
}

impl AppState {
    /// Reads the remembered data folder and opens its store, if any.
    pub fn load(app: &AppHandle) -> Result<AppState, Box<dyn std::error::Error>> {
        let config_dir = match std::env::var_os("XUNCHA_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_config_dir()?,
        };
        let default_data_dir = match std::env::var_os("XUNCHA_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir).join("data"),
            None => app.path().app_data_dir()?,
        };
        let config_file = config_dir.join("config.json");
        let config: Config =
            std::fs::read(&config_file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let state = AppState { config_file, default_data_dir, data_dir: Mutex::new(None), store: Mutex::new(None) };
        if let Some(dir) = config.data_dir {
            // A folder that cannot be opened any more sends the user back to the first-run screen.
            let _ = state.open(Some(dir));
        } else if std::env::args().any(|a| a == "--sample") {
            // `xuncha-app --sample`: a first run straight into the sample park.
            state.open(None)?;
            state.with_store(|s| Ok(xuncha_core::sample::load_sample(s)?))?;
        }
        Ok(state)
    }

    pub fn info(&self) -> Result<AppInfo, ApiError> {
        let data_dir = self.data_dir.lock().expect("data_dir lock").clone();
        let parks = self.with_store(|s| Ok(s.parks()?.len())).unwrap_or(0);
        Ok(AppInfo {
            data_dir: data_dir.map(|d| d.display().to_string()),
            default_data_dir: self.default_data_dir.display().to_string(),
            parks,
        })
    }

    /// Opens (creating if needed) the store in `dir`, or in the default
    /// folder, and remembers the choice.
    pub fn open(&self, dir: Option<PathBuf>) -> Result<AppInfo, ApiError> {
        let dir = dir.unwrap_or_else(|| self.default_data_dir.clone());
        std::fs::create_dir_all(&dir)
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法创建数据文件夹 {}：{e}", dir.display())))?;
        let mut store = Store::open(dir.join(DB_FILE), Env::system())?;
        self.name_operator(&mut store, &dir.join(DB_FILE));
        *self.store.lock().expect("store lock") = Some(store);
        *self.data_dir.lock().expect("data_dir lock") = Some(dir.clone());
        remember(&self.config_file, &dir)?;
        self.info()
    }

    /// Names the signed-in person (if any) on what the store records next.
    fn name_operator(&self, store: &mut Store, db: &Path) {
        let person = xuncha_client::signed_in(db).map(|s| s.person).unwrap_or_default();
        store.set_operator(&person);
    }

    /// Names the signed-in person again, after the saved session changed
    /// (a login, a logout, a name set, a refresh during a round).
    pub fn name_operator_again(&self) -> Result<(), ApiError> {
        let db = self.db_path()?;
        self.with_store(|s| {
            self.name_operator(s, &db);
            Ok(())
        })
    }

    /// After a login or logout: names the user on what the store records
    /// next, forgets the last round's outcome, and says what the bar shows.
    pub fn signed_in_changed(&self, sync: &crate::sync::Sync) -> Result<SyncState, ApiError> {
        self.name_operator_again()?;
        sync.reset();
        sync.state(self)
    }

    /// The database file of the chosen data folder.
    pub fn db_path(&self) -> Result<PathBuf, ApiError> {
        let dir = self.data_dir.lock().expect("data_dir lock").clone();
        dir.map(|d| d.join(DB_FILE)).ok_or_else(|| ApiError::new(ErrorCode::NoDataFolder, "尚未选择数据文件夹"))
    }

    /// Runs `f` on the open store.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut guard = self.store.lock().expect("store lock");
        let store = guard.as_mut().ok_or_else(|| ApiError::new(ErrorCode::NoDataFolder, "尚未选择数据文件夹"))?;
        f(store)
    }
}

fn remember(config_file: &Path, dir: &Path) -> Result<(), ApiError> {
    let write = || -> std::io::Result<()> {
        if let Some(parent) = config_file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let json = serde_json::to_vec_pretty(&Config { data_dir: Some(dir.to_path_buf()) })?;
        std::fs::write(config_file, json)
    };
    write().map_err(|e| ApiError::new(ErrorCode::File, format!("无法保存设置 {}：{e}", config_file.display())))
}
