/// The app's own commands. Declaring them makes Tauri generate an `allow-<command>` permission
/// for each and, unlike the default, refuse any app command that no capability allows
/// (capabilities/default.json lists them; a test keeps the three lists equal).
const COMMANDS: &[&str] = &[
    "app_info",
    "get_settings",
    "save_settings",
    "set_active_environment",
    "set_language",
    "save_secret",
    "delete_secret",
    "test_connection",
    "take_in_paths",
    "pick_files",
    "pick_folder",
    "choose_folder",
    "open_folder",
    "show_in_folder",
    "start_signing",
    "cancel_signing",
    "history",
    "export_history_csv",
    "interrupted_batches",
    "resume_batch",
    "take_pending_open_files",
    "get_watch",
    "set_watch_folders",
    "set_watch_enabled",
    "pdf_for_preview",
    "save_presets",
    "export_presets",
    "import_presets",
    "get_network",
    "save_network",
    "save_proxy_login",
    "delete_proxy_login",
    "choose_ca_certificate",
    "remove_ca_certificate",
    "diagnose",
    "export_diagnostics",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
