//! Sign'Stash Desk: the Tauri shell. Logic that is not about windows and IPC belongs in the
//! workspace crates; this crate wires them to the UI.

pub mod bindings;
mod commands;
mod environment;
mod error;
mod open_files;
mod sandbox;
mod state;

use tauri::Manager;
use tracing_subscriber::EnvFilter;

use crate::environment::EnvironmentInfo;
use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    init_tracing();

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
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            open_files::take_pending_open_files
        ])
        .setup(|app| {
            open_files::remember_first_launch(app.handle());
            let version = app.package_info().version.to_string();
            tracing::info!(%version, "starting Sign'Stash Desk");
            // Until settings exist the app always starts on Sandbox: the one environment where a
            // mistake costs nothing.
            let sandbox =
                sandbox::start_embedded_sandbox(app.path().app_data_dir()?.join("sandbox"))?;
            let api_base = sandbox.as_ref().map(|s| s.base_url.clone());
            app.manage(AppState {
                version,
                environment: EnvironmentInfo::sandbox(api_base),
                sandbox,
            });
            Ok(())
        })
        .run(tauri::generate_context!());

    if let Err(err) = result {
        tracing::error!(error = %err, "Sign'Stash Desk stopped with an error");
        std::process::exit(1);
    }
}

/// Logs to stderr; `RUST_LOG` overrides the default level (e.g. `RUST_LOG=signstash_desk=debug`).
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // `try_init`: a second call (tests, embedding) must not panic.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
