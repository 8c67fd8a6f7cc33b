//! Files handed to the app from outside: on the command line at first launch ("Open with" /
//! "Sign with Sign'Stash Desk" in a file manager) and from a second launch, which the
//! single-instance plugin forwards to the window already open. Both reach the UI as the
//! `open-files` event with the absolute paths of the files (folders and missing paths are left
//! out: the UI decides what to do with each file).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the UI listens to; payload: `string[]` of absolute paths.
pub const EVENT: &str = "open-files";

/// Files from the first launch, kept until the UI asks for them: an event emitted before the
/// page has registered its listener would be lost.
#[derive(Default)]
pub struct PendingOpenFiles(Mutex<Vec<String>>);

/// The files among `args` (program name excluded), made absolute against `cwd`.
pub fn files_from_args(args: &[String], cwd: &Path) -> Vec<String> {
    args.iter()
        .filter(|arg| !arg.starts_with('-'))
        .map(|arg| {
            // Some file managers pass file:// URIs even for %F.
            let text = arg.strip_prefix("file://").unwrap_or(arg);
            let path = Path::new(text);
            if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            }
        })
        .filter(|path| path.is_file())
        .map(|path| std::path::absolute(&path).unwrap_or(path))
        .map(|path: PathBuf| path.to_string_lossy().into_owned())
        .collect()
}

/// Registers the first launch's own files; they are emitted when the page has loaded and stay
/// available through [`take_pending_open_files`].
pub fn remember_first_launch<R: Runtime>(app: &AppHandle<R>) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let files = files_from_args(&args, &cwd);
    if !files.is_empty() {
        tracing::info!(count = files.len(), "files given on the command line");
    }
    app.manage(PendingOpenFiles(Mutex::new(files)));
}

/// Emits the first launch's files once the main page has loaded.
pub fn emit_pending<R: Runtime>(app: &AppHandle<R>) {
    let files = app
        .try_state::<PendingOpenFiles>()
        .and_then(|pending| pending.0.lock().ok().map(|files| files.clone()))
        .unwrap_or_default();
    if !files.is_empty() {
        emit(app, files);
    }
}

/// The single-instance callback: a second launch's arguments, forwarded by the plugin (the second
/// process exits once they were accepted).
pub fn on_second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    let files = files_from_args(argv.get(1..).unwrap_or_default(), Path::new(&cwd));
    tracing::info!(
        count = files.len(),
        "second launch: handing its files to the open window"
    );
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    if !files.is_empty() {
        emit(app, files);
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, files: Vec<String>) {
    tracing::info!(
        count = files.len(),
        event = EVENT,
        "emitting files to the UI"
    );
    if let Err(e) = app.emit(EVENT, files) {
        tracing::warn!(error = %e, "could not send the files to the window");
    }
}

/// The first launch's files, once: for a UI that registers its `open-files` listener late.
#[tauri::command]
pub fn take_pending_open_files(pending: tauri::State<'_, PendingOpenFiles>) -> Vec<String> {
    pending
        .0
        .lock()
        .map(|mut files| std::mem::take(&mut *files))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_existing_files_made_absolute_and_drops_the_rest() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.pdf"), b"%PDF").expect("write");
        std::fs::create_dir(dir.path().join("folder")).expect("mkdir");
        let absolute = dir.path().join("a.pdf").to_string_lossy().into_owned();
        let args: Vec<String> = [
            "a.pdf",
            "--flag",
            "missing.xml",
            "folder",
            &format!("file://{absolute}"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            files_from_args(&args, dir.path()),
            vec![absolute.clone(), absolute]
        );
    }
}
