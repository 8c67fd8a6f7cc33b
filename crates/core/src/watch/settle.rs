//! Which files in the input folder are ready: not a temporary or hidden name, and no longer
//! growing (size and modification time unchanged for the quiet period). A copy over the network
//! or a scanner writing page by page is left alone until it is complete.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Names other programs use while a file is still being written, and our own leftovers.
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const PARTIAL: [&str; 9] = [
        ".tmp",
        ".temp",
        ".part",
        ".partial",
        ".crdownload",
        ".download",
        ".swp",
        ".lock",
        ".error.txt",
    ];
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || PARTIAL.iter().any(|suffix| lower.ends_with(suffix))
}

/// A regular file directly in the input folder, as listed now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

/// The candidate files of `folder` (not recursive; links and folders left out).
pub fn list(folder: &Path) -> std::io::Result<Vec<Listed>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_file() {
            continue;
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            // Not valid UTF-8: still a document; the name is only used locally.
            files.extend(listed(entry.path()));
            continue;
        };
        if is_ignored_name(name) {
            continue;
        }
        files.extend(listed(entry.path()));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn listed(path: PathBuf) -> Option<Listed> {
    let meta = std::fs::metadata(&path).ok()?;
    Some(Listed {
        path,
        size: meta.len(),
        modified: meta.modified().ok(),
    })
}

struct Seen {
    size: u64,
    modified: Option<SystemTime>,
    unchanged_since: Instant,
}

/// Remembers each file's last size and time; a file is settled once they stayed the same for
/// `quiet`.
pub struct Settle {
    quiet: Duration,
    seen: HashMap<PathBuf, Seen>,
}

impl Settle {
    pub fn new(quiet: Duration) -> Self {
        Self {
            quiet,
            seen: HashMap::new(),
        }
    }

    /// Takes a fresh listing and returns the files that are settled now.
    pub fn observe(&mut self, listing: &[Listed], now: Instant) -> Vec<Listed> {
        self.seen
            .retain(|path, _| listing.iter().any(|l| &l.path == path));
        let mut settled = Vec::new();
        for file in listing {
            match self.seen.get_mut(&file.path) {
                Some(seen) if seen.size == file.size && seen.modified == file.modified => {
                    if now.duration_since(seen.unchanged_since) >= self.quiet {
                        settled.push(file.clone());
                    }
                }
                Some(seen) => {
                    seen.size = file.size;
                    seen.modified = file.modified;
                    seen.unchanged_since = now;
                }
                None => {
                    self.seen.insert(
                        file.path.clone(),
                        Seen {
                            size: file.size,
                            modified: file.modified,
                            unchanged_since: now,
                        },
                    );
                }
            }
        }
        settled
    }

    /// Files seen but not settled yet (the watcher then looks again soon).
    pub fn waiting(&self, now: Instant) -> usize {
        self.seen
            .values()
            .filter(|s| now.duration_since(s.unchanged_since) < self.quiet)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_and_hidden_names_are_ignored() {
        for name in [
            ".hidden.pdf",
            "~$fatura.pdf",
            "fatura.pdf~",
            "fatura.pdf.part",
            "fatura.PDF.crdownload",
            "x.tmp",
            "fatura.pdf.error.txt",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in [
            "fatura.pdf",
            "FT 2026-1.XML",
            "notes.txt",
            "partial-invoice.pdf",
        ] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn a_file_settles_only_after_it_stopped_changing_for_the_quiet_period() {
        let quiet = Duration::from_millis(500);
        let mut settle = Settle::new(quiet);
        let t0 = Instant::now();
        let file = |size| Listed {
            path: "in/a.pdf".into(),
            size,
            modified: None,
        };
        assert!(settle.observe(&[file(10)], t0).is_empty());
        // Still growing: the clock starts again.
        assert!(settle
            .observe(&[file(20)], t0 + Duration::from_millis(400))
            .is_empty());
        assert!(settle
            .observe(&[file(20)], t0 + Duration::from_millis(800))
            .is_empty());
        assert_eq!(settle.waiting(t0 + Duration::from_millis(800)), 1);
        assert_eq!(
            settle.observe(&[file(20)], t0 + Duration::from_millis(900)),
            vec![file(20)]
        );
        // Gone from the folder: forgotten.
        assert!(settle.observe(&[], t0 + Duration::from_secs(2)).is_empty());
        assert_eq!(settle.waiting(t0 + Duration::from_secs(2)), 0);
    }
}
