//! Login, sync rounds and conflicts.

use tauri::{AppHandle, Manager};
use uuid::Uuid;
use xuncha_core::api::{ConflictItem, SyncRound, SyncState};
use xuncha_core::{Env, Store};

use super::{off_main, Answer};
use crate::state::AppState;
use crate::sync::Sync;

#[tauri::command]
pub async fn sync_state(app: AppHandle) -> Answer<SyncState> {
    off_main(move || app.state::<Sync>().state(&app.state::<AppState>())).await
}

#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Answer<SyncRound> {
    off_main(move || app.state::<Sync>().round(&app)).await
}

#[tauri::command]
pub async fn login(app: AppHandle, server: String, user: String, password: String) -> Answer<SyncState> {
    off_main(move || {
        let state = app.state::<AppState>();
        // Its own connection: the window's store is not held while the server answers.
        let store = Store::open(state.db_path()?, Env::system())?;
        xuncha_client::login_store(&store, &server, &user, &password)?;
        state.signed_in_changed(&app.state::<Sync>())
    })
    .await
}

#[tauri::command]
pub async fn logout(app: AppHandle) -> Answer<SyncState> {
    off_main(move || {
        let state = app.state::<AppState>();
        xuncha_client::logout(&state.db_path()?)?;
        state.signed_in_changed(&app.state::<Sync>())
    })
    .await
}

/// Sets the name the signed-in user's records and papers carry.
#[tauri::command]
pub async fn set_full_name(app: AppHandle, name: String) -> Answer<SyncState> {
    off_main(move || {
        let state = app.state::<AppState>();
        let db = state.db_path()?;
        app.state::<Sync>().between_rounds(|| xuncha_client::set_full_name(&db, &name))?;
        state.name_operator_again()?;
        app.state::<Sync>().state(&state)
    })
    .await
}

/// The conflicts of every park on this laptop, decided ones too, named from
/// its records. Read on a connection of its own, so the window's store is
/// not held while the server answers.
#[tauri::command]
pub async fn conflicts(app: AppHandle) -> Answer<Vec<ConflictItem>> {
    off_main(move || {
        let store = Store::open(app.state::<AppState>().db_path()?, Env::system())?;
        xuncha_client::conflicts(&store, None, true)
    })
    .await
}

/// A supervisor's decision, then a round so that it arrives here too.
#[tauri::command]
pub async fn resolve_conflict(app: AppHandle, id: Uuid, take_laptop: bool) -> Answer<SyncRound> {
    off_main(move || {
        app.state::<AppState>().with_store(|s| Ok(s.decide_conflict(id, take_laptop)?))?;
        app.state::<Sync>().round(&app)
    })
    .await
}
