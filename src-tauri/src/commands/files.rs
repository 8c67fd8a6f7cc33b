//! Bringing files in (native dialogs, dropped paths) and showing results in the file manager.
//! Dialogs and the opener are called from Rust, so the UI needs no plugin permission for them.

use std::path::PathBuf;

use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::{AppError, Result};
use crate::intake::{self, Intake};
use crate::paths;
use crate::state::AppState;

/// Sorts dropped or opened paths into documents to sign and files listed with a reason.
#[tauri::command]
pub async fn take_in_paths(paths: Vec<String>) -> Intake {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    // Walking a big folder and reading heads is blocking work.
    let intake = tauri::async_runtime::spawn_blocking(move || intake::take_in(&paths))
        .await
        .unwrap_or_default();
    crate::commands::placement::remember(&intake);
    intake
}

/// "Add files…": the native dialog; the chosen files go through the same intake as a drop.
#[tauri::command]
pub async fn pick_files(app: AppHandle) -> Intake {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("PDF, XML", &["pdf", "xml", "PDF", "XML"])
        .pick_files(move |files| {
            let _ = tx.send(files.unwrap_or_default());
        });
    let chosen: Vec<String> = rx
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    take_in_paths(chosen).await
}

/// "Add folder…".
#[tauri::command]
pub async fn pick_folder(app: AppHandle) -> Intake {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().pick_folder(move |folder| {
        let _ = tx.send(folder);
    });
    let chosen: Vec<String> = rx
        .await
        .ok()
        .flatten()
        .and_then(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
        .into_iter()
        .collect();
    take_in_paths(chosen).await
}

/// A folder for the settings' "output folder" field; null when cancelled.
#[tauri::command]
pub async fn choose_folder(app: AppHandle) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().pick_folder(move |folder| {
        let _ = tx.send(folder);
    });
    rx.await
        .ok()
        .flatten()
        .and_then(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
}

/// Opens a folder in the file manager.
#[tauri::command]
pub fn open_folder(app: AppHandle, state: State<'_, AppState>, path: String) -> Result<()> {
    let path = paths::folder(&path).map_err(|e| AppError::BadPath(e, state.lang()))?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| AppError::Io(e.to_string()))
}

/// Shows a file selected in its folder.
#[tauri::command]
pub fn show_in_folder(app: AppHandle, state: State<'_, AppState>, path: String) -> Result<()> {
    let path = paths::existing(&path).map_err(|e| AppError::BadPath(e, state.lang()))?;
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| AppError::Io(e.to_string()))
}
