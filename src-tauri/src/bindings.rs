//! TypeScript bindings for the types the UI receives, generated with ts-rs into
//! `ui/src/lib/bindings/`. The generated files are committed; the `bindings_are_current` test
//! fails when they drift from the Rust types. To regenerate after changing a type:
//!
//! ```sh
//! UPDATE_BINDINGS=1 cargo test -p signstash-desk bindings_are_current
//! ```
//!
//! (We export explicitly instead of `#[ts(export)]`, which would rewrite the committed files on
//! every `cargo test` and hide drift instead of reporting it.)

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::commands::app::AppInfo;
use crate::commands::history::{HistoryFilter, HistoryRow};
use crate::commands::network::{EnvironmentCheck, ExportedDiagnostics, NetworkView};
use crate::commands::placement::DocumentPlacement;
use crate::commands::resume::InterruptedBatch;
use crate::commands::settings::{ConnectionCheck, SettingsView};
use crate::commands::sign::{BatchSummary, FileProgress, StartedBatch};
use crate::commands::watch::{WatchFolders, WatchView};
use crate::error::CommandError;
use crate::intake::Intake;
use crate::startup::WindowReady;

/// Where the committed bindings live, relative to this crate's manifest.
pub const BINDINGS_DIR: &str = "../ui/src/lib/bindings";

/// Writes every shared type (and the types they use) into `dir`.
pub fn export_all(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir);
    AppInfo::export_all(&cfg)?;
    CommandError::export_all(&cfg)?;
    SettingsView::export_all(&cfg)?;
    ConnectionCheck::export_all(&cfg)?;
    Intake::export_all(&cfg)?;
    StartedBatch::export_all(&cfg)?;
    FileProgress::export_all(&cfg)?;
    BatchSummary::export_all(&cfg)?;
    HistoryFilter::export_all(&cfg)?;
    HistoryRow::export_all(&cfg)?;
    WatchFolders::export_all(&cfg)?;
    WatchView::export_all(&cfg)?;
    signstash_core::watch::Activity::export_all(&cfg)?;
    NetworkView::export_all(&cfg)?;
    EnvironmentCheck::export_all(&cfg)?;
    ExportedDiagnostics::export_all(&cfg)?;
    InterruptedBatch::export_all(&cfg)?;
    DocumentPlacement::export_all(&cfg)?;
    WindowReady::export_all(&cfg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::*;

    fn read_ts_files(dir: &Path) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let Ok(entries) = fs::read_dir(dir) else {
            return files;
        };
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.extension().is_some_and(|ext| ext == "ts") {
                let name = path
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned();
                files.insert(name, fs::read_to_string(&path).expect("readable binding"));
            }
        }
        files
    }

    #[test]
    fn bindings_are_current() {
        let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_DIR);

        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            // Start clean so bindings of removed types disappear too.
            if committed_dir.exists() {
                fs::remove_dir_all(&committed_dir).expect("remove old bindings");
            }
            export_all(&committed_dir).expect("export bindings");
            return;
        }

        let fresh = tempfile::tempdir().expect("temp dir");
        export_all(fresh.path()).expect("export bindings");
        let expected = read_ts_files(fresh.path());
        let committed = read_ts_files(&committed_dir);

        let mut problems = Vec::new();
        for (name, content) in &expected {
            match committed.get(name) {
                None => problems.push(format!("missing: {name}")),
                Some(c) if c != content => problems.push(format!("outdated: {name}")),
                Some(_) => {}
            }
        }
        for name in committed.keys().filter(|n| !expected.contains_key(*n)) {
            problems.push(format!("no longer generated: {name}"));
        }
        assert!(
            problems.is_empty(),
            "TypeScript bindings in {} drifted from the Rust types:\n  {}\n\
             Regenerate with: UPDATE_BINDINGS=1 cargo test -p signstash-desk bindings_are_current",
            committed_dir.display(),
            problems.join("\n  ")
        );
    }
}
