//! Sign'Stash Desk: the Tauri shell. Logic that is not about windows and IPC belongs in the
//! workspace crates; this crate wires them to the UI.

pub mod bindings;
mod commands;
mod environment;
mod error;
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
        .invoke_handler(tauri::generate_handler![commands::app::app_info])
        .setup(|app| {
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
