//! The 巡查 desktop app: a thin Tauri shell over `xuncha-core`.
//!
//! Each command converts its arguments, calls a flow written once in the
//! crates and converts the answer; no SQL and no business rules live here.
//! Commands live in `commands/`, one module per area. Errors cross the IPC
//! boundary as `ApiError { code, message, problems }`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod print;
mod state;
mod sync;

use tauri::Manager;

use state::AppState;
use sync::Sync;

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let state = AppState::load(app.handle())?;
            app.manage(state);
            app.manage(Sync::default());
            Sync::run_in_background(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::data::app_info,
            commands::data::choose_data_dir,
            commands::data::load_sample,
            commands::data::parks,
            commands::data::overview,
            commands::data::park,
            commands::enterprise::search,
            commands::enterprise::enterprise,
            commands::enterprise::check_enterprise,
            commands::enterprise::save_enterprise,
            commands::enterprise::import_roster,
            commands::enterprise::export_roster,
            commands::enterprise::attach_archive_file,
            commands::enterprise::open_attachment,
            commands::sync::sync_state,
            commands::sync::sync_now,
            commands::sync::login,
            commands::sync::logout,
            commands::sync::set_full_name,
            commands::sync::conflicts,
            commands::sync::resolve_conflict,
            commands::inspection::checklist_templates,
            commands::inspection::patrol_plan,
            commands::inspection::brief,
            commands::inspection::inspections,
            commands::inspection::start_inspection,
            commands::inspection::inspection,
            commands::inspection::save_inspection,
            commands::inspection::discard_inspection,
            commands::inspection::enter_photo_time,
            commands::inspection::sign_inspection,
            commands::inspection::correct_inspection,
            commands::inspection::import_photos,
            commands::inspection::blob_bytes,
            commands::document::notice_office,
            commands::document::save_notice_office,
            commands::document::issue_notice,
            commands::document::notices,
            commands::document::void_notice,
            commands::document::save_transfer_office,
            commands::document::clue_transfer_draft,
            commands::document::transfer_clue,
            commands::document::clue_transfers,
            commands::document::document_fonts,
            commands::document::set_document_font,
            commands::case::cases,
            commands::case::record_case_event,
            commands::case::keep_case_files,
            commands::case::transfer_files,
            commands::case::record_transfer_news,
            commands::ledger::ledger,
            commands::ledger::dashboard,
            commands::ledger::export_ledger,
            commands::ledger::print_ledger,
            commands::document::print_document,
            commands::document::print_todays_notices,
            commands::document::open_document,
            commands::document::document_bytes,
            commands::document::save_document_as,
        ])
        .run(tauri::generate_context!())
        .expect("the 巡查 window could not be started");
}
