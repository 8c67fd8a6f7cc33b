//! Sign'Stash Desk: the Tauri shell. Logic that is not about windows and IPC belongs in the
//! workspace crates; this crate wires them to the UI.

pub mod bindings;
mod capabilities;
mod commands;
mod environment;
mod error;
mod intake;
mod logging;
mod memory;
mod open_files;
mod paths;
mod sandbox;
mod startup;
mod state;

use std::sync::{Arc, Mutex};

use signstash_core::credentials::CredentialStore;
use signstash_core::settings;
use signstash_core::token::TokenCache;
use tauri::Manager;

use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    startup::mark_main();
    memory::keep_large_buffers_out_of_arenas();
    let result = tauri::Builder::default()
        // First: a second launch must hand its files over and exit before anything else starts.
        .plugin(tauri_plugin_single_instance::init(
            open_files::on_second_launch,
        ))
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                open_files::emit_pending(webview.app_handle());
            }
        })
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::set_active_environment,
            commands::settings::set_language,
            commands::settings::save_secret,
            commands::settings::delete_secret,
            commands::settings::test_connection,
            commands::files::take_in_paths,
            commands::files::pick_files,
            commands::files::pick_folder,
            commands::files::choose_folder,
            commands::files::open_folder,
            commands::files::show_in_folder,
            commands::sign::start_signing,
            commands::sign::cancel_signing,
            commands::history::history,
            commands::history::export_history_csv,
            commands::resume::interrupted_batches,
            commands::resume::resume_batch,
            open_files::take_pending_open_files,
            commands::watch::get_watch,
            commands::watch::set_watch_folders,
            commands::watch::set_watch_enabled,
            commands::placement::pdf_for_preview,
            commands::presets::save_presets,
            commands::presets::export_presets,
            commands::presets::import_presets,
            // Office network: proxy and extra CA; Diagnose; Export diagnostics.
            commands::network::get_network,
            commands::network::save_network,
            commands::network::save_proxy_login,
            commands::network::delete_proxy_login,
            commands::network::choose_ca_certificate,
            commands::network::remove_ca_certificate,
            commands::network::diagnose,
            commands::network::export_diagnostics,
        ])
        .setup(|app| {
            startup::mark_setup_started();
            let log_guard = logging::init(&app.path().app_log_dir()?);
            open_files::remember_first_launch(app.handle());
            let version = app.package_info().version.to_string();
            tracing::info!(%version, "starting Sign'Stash Desk");
            let settings_path = settings::default_path()?;
            // A damaged settings file is reported and left in place; the app starts on defaults.
            let loaded = settings::load(&settings_path).unwrap_or_else(|e| {
                tracing::error!(error = %e, "settings not readable; using defaults");
                settings::Settings::default()
            });
            let sandbox =
                sandbox::start_embedded_sandbox(app.path().app_data_dir()?.join("sandbox"))?;
            app.manage(AppState {
                version,
                settings_path,
                settings: Mutex::new(loaded),
                credentials: CredentialStore::default(),
                tokens: Arc::new(TokenCache::new()),
                journal: Mutex::new(None),
                ui_lang: Mutex::new(None),
                running: Mutex::new(None),
                sandbox,
                _log_guard: log_guard,
            });
            app.manage(commands::watch::WatchRunner::default());
            commands::watch::resume_on_launch(app.handle());
            startup::mark_setup_done(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!());

    if let Err(err) = result {
        tracing::error!(error = %err, "Sign'Stash Desk stopped with an error");
        std::process::exit(1);
    }
}
