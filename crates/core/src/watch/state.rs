//! What the watcher has done with each file still in the input folder, kept on disk so that a
//! restart (or a crash) never signs a file twice: the externalReference of a file is written, and
//! fsynced, before its request is sent; a file whose reference is known is never sent again, the
//! service is asked about that reference instead.
//!
//! A small JSON file replaced atomically (temp, fsync, rename): it only holds the files between
//! "sending" and "moved out of the input folder", a handful at a time.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::batch::{Failure, Recorder};

/// Where the work on one file stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "camelCase")]
pub enum Stage {
    /// Its request may have reached the service.
    Sending { reference: String },
    /// Signed, verified and saved; only the move to the backup folder is left.
    Saved { reference: String, output: PathBuf },
    /// Failed and its `.error.txt` written; only the move is left.
    Failed { code: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub name: String,
    #[serde(flatten)]
    pub stage: Stage,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    /// By [`fingerprint`].
    files: BTreeMap<String, Entry>,
}

/// The file's identity across restarts: its name and a SHA-256 of its content (a new file with
/// the same name is a new document).
pub fn fingerprint(name: &str, content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}:{name}")
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the watch state {path} cannot be read: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("the watch state {path} cannot be written: {source}")]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct WatchState {
    path: PathBuf,
    files: Mutex<BTreeMap<String, Entry>>,
}

impl WatchState {
    /// Opens (or starts) the state at `path`; its folder is created when missing.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StateError::Unwritable {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let files = match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice::<OnDisk>(&bytes)
                    .map_err(|e| StateError::Unreadable {
                        path: path.to_path_buf(),
                        detail: e.to_string(),
                    })?
                    .files
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                return Err(StateError::Unreadable {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                })
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            files: Mutex::new(files),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        self.lock().get(key).cloned()
    }

    /// Sets (or with `None` removes) entries and makes the change durable before returning.
    pub fn update(&self, changes: Vec<(String, Option<Entry>)>) -> Result<(), StateError> {
        let mut files = self.lock();
        for (key, entry) in changes {
            match entry {
                Some(entry) => files.insert(key, entry),
                None => files.remove(&key),
            };
        }
        self.write(&files)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Entry>> {
        // A panic elsewhere while holding it leaves a map that is still consistent.
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self, files: &BTreeMap<String, Entry>) -> Result<(), StateError> {
        let unwritable = |source| StateError::Unwritable {
            path: self.path.clone(),
            source,
        };
        let body = serde_json::to_vec_pretty(&OnDisk {
            version: 1,
            files: files.clone(),
        })
        .map_err(|e| unwritable(std::io::Error::other(e)))?;
        let temp = self.path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&temp).map_err(unwritable)?;
        file.write_all(&body)
            .and_then(|()| file.sync_all())
            .map_err(unwritable)?;
        std::fs::rename(&temp, &self.path).map_err(unwritable)?;
        if let Some(parent) = self.path.parent() {
            crate::output::sync_dir(parent);
        }
        Ok(())
    }
}

/// Tells the state of each reference before the batch engine sends it.
pub struct StateRecorder<'a> {
    pub state: &'a WatchState,
    /// `(fingerprint, file name)` by the batch's input index.
    pub files: &'a [(String, String)],
}

impl Recorder for StateRecorder<'_> {
    fn sending(
        &self,
        _request_reference: &str,
        documents: &[(usize, &str, String)],
    ) -> Result<(), String> {
        let changes = documents
            .iter()
            .filter_map(|(index, reference, _)| {
                let (key, name) = self.files.get(*index)?;
                Some((
                    key.clone(),
                    Some(Entry {
                        name: name.clone(),
                        stage: Stage::Sending {
                            reference: reference.to_string(),
                        },
                    }),
                ))
            })
            .collect();
        self.state.update(changes).map_err(|e| e.to_string())
    }

    fn saved(&self, index: usize, output: &Path, _operation_id: Option<i64>) {
        let Some((key, name)) = self.files.get(index) else {
            return;
        };
        let Some(Entry {
            stage: Stage::Sending { reference },
            ..
        }) = self.state.get(key)
        else {
            return;
        };
        let entry = Entry {
            name: name.clone(),
            stage: Stage::Saved {
                reference,
                output: output.to_path_buf(),
            },
        };
        if let Err(e) = self.state.update(vec![(key.clone(), Some(entry))]) {
            // Still safe: on restart the reference is looked up instead of signed again.
            tracing::warn!(error = %e, "could not record a saved document");
        }
    }

    fn failed(&self, _index: usize, _reference: Option<&str>, _failure: &Failure) {
        // Recorded by the watcher once the error file is written.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopening_and_replaces_atomically() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("deep/state.json");
        let state = WatchState::open(&path).expect("open");
        let key = fingerprint("a.pdf", b"%PDF-1.7");
        let entry = Entry {
            name: "a.pdf".into(),
            stage: Stage::Sending {
                reference: "ssd-1-0".into(),
            },
        };
        state
            .update(vec![(key.clone(), Some(entry.clone()))])
            .expect("update");
        let again = WatchState::open(&path).expect("reopen");
        assert_eq!(again.get(&key), Some(entry));
        again.update(vec![(key.clone(), None)]).expect("remove");
        assert_eq!(WatchState::open(&path).expect("reopen").get(&key), None);
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["state.json"], "no temporary file left");
        assert_ne!(
            fingerprint("a.pdf", b"1"),
            fingerprint("b.pdf", b"1"),
            "same content, other name: another document"
        );
    }

    #[test]
    fn a_corrupt_state_is_an_error_not_a_fresh_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{not json").expect("write");
        assert!(matches!(
            WatchState::open(&path),
            Err(StateError::Unreadable { .. })
        ));
    }
}
