//! Sync inside the app: rounds on demand and in the background.
//!
//! A round runs on its own connection to the same database file, so the
//! window stays usable while changes and files go up and down (SQLite's
//! busy timeout orders the writes). One round at a time: the background
//! thread and the "sync now" button take the same lock. After every
//! change of state the whole [`SyncState`] is sent to the window as the
//! `sync-state` event.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};
use xuncha_core::api::{ApiError, SyncRound, SyncState};
use xuncha_core::{Env, Store};

use crate::state::AppState;

/// Seconds between background rounds; `XUNCHA_SYNC_EVERY` overrides it.
const DEFAULT_EVERY: u64 = 120;

#[derive(Default)]
struct Progress {
    running: bool,
    last_error: Option<ApiError>,
    last_round: Option<SyncRound>,
}

#[derive(Default)]
pub struct Sync {
    one_round: Mutex<()>,
    progress: Mutex<Progress>,
}

impl Sync {
    /// What the status bar shows now.
    pub fn state(&self, app: &AppState) -> Result<SyncState, ApiError> {
        let db = app.db_path()?;
        let (status, numbers) = app.with_store(|s| Ok((s.sync_status()?, s.numbers_left()?)))?;
        let p = self.progress.lock().expect("sync progress lock");
        Ok(SyncState {
            signed_in: xuncha_client::signed_in(&db),
            status,
            running: p.running,
            last_error: p.last_error.clone(),
            last_round: p.last_round.clone(),
            numbers,
        })
    }

    /// Runs one round now (waiting for a background round to end first).
    pub fn round(&self, handle: &AppHandle) -> Result<SyncRound, ApiError> {
        let app = handle.state::<AppState>();
        let db = app.db_path()?;
        let _one = self.one_round.lock().expect("sync round lock");
        self.progress.lock().expect("sync progress lock").running = true;
        self.announce(handle);
        let result = run_round(&db);
        // A refreshed login may bring a name set on the server meanwhile.
        let _ = app.name_operator_again();
        {
            let mut p = self.progress.lock().expect("sync progress lock");
            p.running = false;
            match &result {
                Ok(round) => {
                    p.last_error = None;
                    p.last_round = Some(round.clone());
                }
                Err(e) => p.last_error = Some(e.clone()),
            }
        }
        self.announce(handle);
        result
    }

    /// Runs `f` while no round runs: a round's refresh rewrites the saved
    /// session, so nothing else may write it meanwhile.
    pub fn between_rounds<T>(&self, f: impl FnOnce() -> T) -> T {
        let _one = self.one_round.lock().expect("sync round lock");
        f()
    }

    /// Sends the current state to the window.
    fn announce(&self, handle: &AppHandle) {
        if let Ok(state) = self.state(&handle.state::<AppState>()) {
            let _ = handle.emit("sync-state", state);
        }
    }

    /// Forgets the last round's outcome (after logging out).
    pub fn reset(&self) {
        *self.progress.lock().expect("sync progress lock") = Progress::default();
    }

    /// The background thread: a round every few minutes while logged in.
    /// A round that cannot reach the server only records that it is offline.
    pub fn run_in_background(handle: AppHandle) {
        let every = std::env::var("XUNCHA_SYNC_EVERY")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(DEFAULT_EVERY));
        std::thread::spawn(move || loop {
            let sync = handle.state::<Sync>();
            let logged_in =
                handle.state::<AppState>().db_path().is_ok_and(|db| xuncha_client::signed_in(&db).is_some());
            if logged_in {
                let _ = sync.round(&handle);
            }
            std::thread::sleep(every);
        });
    }
}

fn run_round(db: &Path) -> Result<SyncRound, ApiError> {
    let mut transport = xuncha_client::HttpTransport::for_store(db)?;
    let mut store = Store::open(db, Env::system())?;
    let report = store.sync(&mut transport)?;
    Ok(SyncRound::from(&report))
}
