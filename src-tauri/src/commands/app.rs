//! Facts about the running app the UI shows in its chrome (environment band, footer).

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::commands::settings::has_credentials;
use crate::environment::EnvironmentInfo;
use crate::error::{AppError, Result};
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version (from Cargo.toml), shown in the footer and in support reports.
    pub version: String,
    /// The environment signing goes to now.
    pub environment: EnvironmentInfo,
    /// Every environment, for the switch.
    pub environments: Vec<EnvironmentInfo>,
    /// The saved language ("pt"/"en"), or null: the UI then follows the system's.
    pub language: Option<String>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let settings = state.settings();
    let environments: Vec<EnvironmentInfo> = settings
        .environments
        .iter()
        .map(|env| {
            EnvironmentInfo::new(env, state.sandbox_host(), has_credentials(&state, &env.id))
        })
        .collect();
    let environment = environments
        .iter()
        .find(|e| e.id == settings.active_environment)
        .cloned()
        .ok_or_else(|| AppError::UnknownEnvironment(settings.active_environment.clone()))?;
    Ok(AppInfo {
        version: state.version.clone(),
        environment,
        environments,
        language: settings.language.clone(),
    })
}
