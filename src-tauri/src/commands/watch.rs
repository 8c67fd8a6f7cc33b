//! The watch folder in the app: the admin's three folders and an on/off switch, kept in the
//! settings file (key `watch`) so the watch starts again when the app does. The core's watcher
//! (`signstash_core::watch`) does the work; this module starts and stops it with the app's
//! current environment and signature options, and pushes its status and activity to the UI as
//! events (`watch-changed` with the whole view, `watch-activity` per file).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use signstash_core::batch::{BatchOptions, Budget};
use signstash_core::client::SignStashClient;
use signstash_core::error::Lang;
use signstash_core::output::NamePattern;
use signstash_core::settings::Settings;
use signstash_core::watch::{self, Activity, WatchConfig, WatchPhase, WatchStatus};
use tauri::{AppHandle, Emitter, Manager, State};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::commands::network::client_for;
use crate::commands::settings::store;
use crate::commands::sign::signature_options;
use crate::error::{AppError, CommandError, Result};
use crate::paths;
use crate::state::{lock, AppState};

pub const CHANGED_EVENT: &str = "watch-changed";
pub const ACTIVITY_EVENT: &str = "watch-activity";
/// The key in the settings file (kept among the settings' other fields).
const SETTINGS_KEY: &str = "watch";

/// What the admin chose; remembered in the settings file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct WatchFolders {
    pub input: Option<String>,
    pub output: Option<String>,
    pub backup: Option<String>,
    /// On: the watch runs, and starts again when the app starts.
    pub enabled: bool,
}

/// Everything the watch panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WatchView {
    pub folders: WatchFolders,
    /// The watcher is running now (it may be on yet stopped by a problem: see `error`).
    pub running: bool,
    pub status: WatchStatus,
    /// Why the watch stopped on its own (a folder gone, a damaged record), in plain words.
    pub error: Option<CommandError>,
    /// Rises with every view taken: a command's answer can reach the UI after an event sent
    /// later, and the UI keeps whichever view is newest.
    #[ts(type = "number")]
    pub revision: u64,
}

/// The running watch, managed by Tauri beside `AppState`.
#[derive(Default)]
pub struct WatchRunner {
    /// The running watch's generation and its stop switch.
    current: Mutex<Option<(u64, CancellationToken)>>,
    generation: AtomicU64,
    status: Mutex<Option<WatchStatus>>,
    error: Mutex<Option<CommandError>>,
    /// The last view's revision; held while a view is taken, so revisions follow the reads.
    revision: Mutex<u64>,
}

fn stopped_status() -> WatchStatus {
    WatchStatus {
        phase: WatchPhase::Stopped,
        ..WatchStatus::default()
    }
}

pub fn folders_of(settings: &Settings) -> WatchFolders {
    settings
        .other
        .get(SETTINGS_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

fn save_folders(state: &AppState, folders: &WatchFolders) -> Result<()> {
    let mut settings = state.settings();
    let value = serde_json::to_value(folders).map_err(|e| AppError::Io(e.to_string()))?;
    settings.other.insert(SETTINGS_KEY.into(), value);
    store(state, settings)
}

fn view(app: &AppHandle) -> WatchView {
    let state = app.state::<AppState>();
    let runner = app.state::<WatchRunner>();
    let mut revision = lock(&runner.revision);
    *revision += 1;
    let running = lock(&runner.current).is_some();
    let status = lock(&runner.status).clone().unwrap_or_else(stopped_status);
    let error = lock(&runner.error).clone();
    WatchView {
        folders: folders_of(&state.settings()),
        running,
        status,
        error,
        revision: *revision,
    }
}

fn announce(app: &AppHandle) {
    if let Err(e) = app.emit(CHANGED_EVENT, view(app)) {
        tracing::warn!(error = %e, "watch status not delivered");
    }
}

/// The three folders, when all are chosen.
fn chosen(folders: &WatchFolders) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let pick = |f: &Option<String>| {
        f.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    Some((
        pick(&folders.input)?,
        pick(&folders.output)?,
        pick(&folders.backup)?,
    ))
}

/// The watcher's configuration and client, from the app's current environment and options.
fn configure(state: &AppState, folders: &WatchFolders) -> Result<(WatchConfig, SignStashClient)> {
    let lang = state.lang();
    let settings = state.settings();
    let (input, output, backup) = chosen(folders).ok_or(AppError::WatchNotConfigured)?;
    // The same client as signing: with the proxy and the extra CA of the Network settings.
    let client = client_for(state, &settings, &settings.active_environment)?;
    let mut config = WatchConfig::new(input, output, backup);
    config.name_pattern =
        NamePattern::new(&settings.output.name_pattern).map_err(|e| AppError::Io(e.to_string()))?;
    config.batch = BatchOptions {
        budget: Budget::default(),
        max_in_flight: settings.parallel_requests.clamp(1, 8) as usize,
        signature: signature_options(&settings),
        lang,
        ..BatchOptions::default()
    };
    Ok((config, client))
}

/// Stops the running watch, if any (what is already with the service still comes back).
fn stop(app: &AppHandle) {
    let runner = app.state::<WatchRunner>();
    if let Some((_, cancel)) = lock(&runner.current).take() {
        cancel.cancel();
    }
    *lock(&runner.status) = None;
}

/// Starts the watch with the saved folders (stopping a running one first).
fn start(app: &AppHandle) -> Result<()> {
    stop(app);
    let state = app.state::<AppState>();
    let lang: Lang = state.lang();
    let (config, client) = configure(&state, &folders_of(&state.settings()))?;
    let runner = app.state::<WatchRunner>();
    let generation = runner.generation.fetch_add(1, Ordering::Relaxed) + 1;
    let cancel = CancellationToken::new();
    *lock(&runner.current) = Some((generation, cancel.clone()));
    *lock(&runner.status) = Some(WatchStatus::default());
    *lock(&runner.error) = None;
    tracing::info!(input = %config.input.display(), "watch folder started");

    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (reports, mut status_rx, mut activity_rx) = watch::reports();
        let is_current = |app: &AppHandle| {
            lock(&app.state::<WatchRunner>().current)
                .as_ref()
                .is_some_and(|(g, _)| *g == generation)
        };
        let statuses = async {
            while status_rx.changed().await.is_ok() {
                let status = status_rx.borrow_and_update().clone();
                // The watcher refreshes its status on every scan; the UI hears only changes.
                if is_current(&app) {
                    let runner = app.state::<WatchRunner>();
                    let changed = {
                        let mut stored = lock(&runner.status);
                        let changed = stored.as_ref() != Some(&status);
                        *stored = Some(status);
                        changed
                    };
                    if changed {
                        announce(&app);
                    }
                }
            }
        };
        let activities = async {
            while let Some(activity) = activity_rx.recv().await {
                let activity: Activity = activity;
                if let Err(e) = app.emit(ACTIVITY_EVENT, activity) {
                    tracing::warn!(error = %e, "watch activity not delivered");
                }
            }
        };
        let work = watch::run(config, client, reports, cancel);
        let (result, (), ()) = tokio::join!(work, statuses, activities);
        if !is_current(&app) {
            return;
        }
        let runner = app.state::<WatchRunner>();
        *lock(&runner.current) = None;
        *lock(&runner.status) = None;
        if let Err(e) = result {
            tracing::error!(code = e.code(), error = %e, "watch folder stopped");
            *lock(&runner.error) = Some(CommandError {
                code: e.code().into(),
                message: e.message(lang),
                detail: e.to_string(),
            });
        }
        announce(&app);
    });
    Ok(())
}

/// After the environment or the signature options changed: a running watch picks them up.
pub fn restart_if_running(app: &AppHandle) {
    if lock(&app.state::<WatchRunner>().current).is_none() {
        return;
    }
    if let Err(e) = start(app) {
        tracing::error!(code = %e.code(), error = %e, "watch folder not restarted");
        *lock(&app.state::<WatchRunner>().error) = Some(CommandError::from(&e));
    }
    announce(app);
}

/// On launch: the watch starts again if it was on. A problem is shown in the panel, not fatal.
pub fn resume_on_launch(app: &AppHandle) {
    let state = app.state::<AppState>();
    if !folders_of(&state.settings()).enabled {
        return;
    }
    if let Err(e) = start(app) {
        tracing::error!(code = %e.code(), error = %e, "watch folder not restarted");
        *lock(&app.state::<WatchRunner>().error) = Some(CommandError::from(&e));
    }
}

#[tauri::command]
pub fn get_watch(app: AppHandle) -> WatchView {
    view(&app)
}

/// Saves the three folders; a running watch restarts on them.
#[tauri::command]
pub fn set_watch_folders(
    app: AppHandle,
    state: State<'_, AppState>,
    input: Option<String>,
    output: Option<String>,
    backup: Option<String>,
) -> Result<WatchView> {
    // The page is not trusted to send only folders the user chose: each must exist and is kept
    // canonical; an empty one clears the choice.
    let checked = |raw: Option<String>| -> Result<Option<String>> {
        match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(raw) => paths::folder(raw)
                .map(|p| Some(p.to_string_lossy().into_owned()))
                .map_err(|e| AppError::BadPath(e, state.lang())),
        }
    };
    let mut folders = folders_of(&state.settings());
    folders.input = checked(input)?;
    folders.output = checked(output)?;
    folders.backup = checked(backup)?;
    save_folders(&state, &folders)?;
    if lock(&app.state::<WatchRunner>().current).is_some() {
        start(&app)?;
    }
    announce(&app);
    Ok(view(&app))
}

/// The switch. Turning it on checks the folders and credentials first: a missing one is one
/// clear error and the switch stays off.
#[tauri::command]
pub fn set_watch_enabled(
    app: AppHandle,
    state: State<'_, AppState>,
    enabled: bool,
) -> Result<WatchView> {
    let mut folders = folders_of(&state.settings());
    if enabled {
        start(&app)?;
    } else {
        stop(&app);
        *lock(&app.state::<WatchRunner>().error) = None;
        tracing::info!("watch folder stopped by the user");
    }
    folders.enabled = enabled;
    save_folders(&state, &folders)?;
    announce(&app);
    Ok(view(&app))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_round_trip_through_the_settings_other_fields() {
        let mut settings = Settings::default();
        assert_eq!(folders_of(&settings), WatchFolders::default());
        let folders = WatchFolders {
            input: Some("/in".into()),
            output: Some("/out".into()),
            backup: Some("/backup".into()),
            enabled: true,
        };
        settings.other.insert(
            SETTINGS_KEY.into(),
            serde_json::to_value(&folders).expect("serializable"),
        );
        let json = serde_json::to_string(&settings).expect("serializable");
        let back: Settings = serde_json::from_str(&json).expect("readable");
        assert_eq!(folders_of(&back), folders);
    }

    #[test]
    fn all_three_folders_are_needed() {
        let mut folders = WatchFolders {
            input: Some("/in".into()),
            output: Some("  ".into()),
            backup: Some("/b".into()),
            enabled: false,
        };
        assert!(chosen(&folders).is_none());
        folders.output = Some("/out".into());
        assert_eq!(
            chosen(&folders),
            Some(("/in".into(), "/out".into(), "/b".into()))
        );
    }
}
