//! Facts about the running app the UI shows in its chrome (environment band, footer).

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::environment::EnvironmentInfo;
use crate::error::Result;
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version (from Cargo.toml), shown in the footer and in support reports.
    pub version: String,
    pub environment: EnvironmentInfo,
}

// Returns `Result` although it cannot fail today, so every command has the same contract for
// the UI: resolve with data, or reject with `{ code, message }`.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: state.version.clone(),
        environment: state.environment.clone(),
    })
}
