//! What the user handed us: files and folders turned into the list of documents to sign. Folders
//! expand to the PDFs and XMLs inside; nothing is silently dropped (each skip has a reason), links
//! never lead out of a dropped folder, and a file is listed once however it was reached.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A document to sign, with its size when listed (it is read later, when its request is built).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    pub size: u64,
}

/// Something that will not be signed, and why (in plain English; the code is for the UI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub code: &'static str,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    pub skipped: Vec<Skipped>,
}

fn has_invoice_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("xml"))
}

impl Inputs {
    fn skip(&mut self, path: &Path, code: &'static str, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            code,
            reason: reason.into(),
        });
    }

    fn add(&mut self, path: &Path, seen: &mut HashSet<FileId>, max_size: u64) {
        let identity = std::fs::metadata(path).and_then(|meta| Ok((file_id(path, &meta)?, meta)));
        let meta = match identity {
            Ok((id, meta)) if seen.insert(id) => meta,
            Ok(_) => return,
            Err(e) => return self.skip(path, "input.unreadable", format!("cannot be opened: {e}")),
        };
        if !meta.is_file() {
            self.skip(path, "input.not_a_file", "is not a regular file")
        } else if meta.len() == 0 {
            self.skip(path, "input.empty", "is empty")
        } else if meta.len() > max_size {
            self.skip(
                path,
                "input.too_large",
                format!(
                    "is {} MB, above the {} MB limit",
                    meta.len() / 1_048_576,
                    max_size / 1_048_576
                ),
            )
        } else {
            self.files.push(InputFile {
                path: path.to_path_buf(),
                size: meta.len(),
            })
        }
    }
}

/// What tells one file from another however it was reached (a link, `..`, a hard link): device
/// and inode on Unix, from the metadata already read; the canonical path elsewhere. (Canonicalising
/// every path cost a `readlink` per path component: a fifth of the start-up of a 1,000-file run.)
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(_path: &Path, meta: &std::fs::Metadata) -> std::io::Result<FileId> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path, _meta: &std::fs::Metadata) -> std::io::Result<FileId> {
    path.canonicalize()
}

/// Folders never searched for documents: where signed files are written, so that a second run over
/// the same folder does not sign its own outputs again.
#[derive(Clone, Debug, Default)]
pub struct OutputFolders {
    /// Exact folders (e.g. `--out`).
    pub paths: Vec<PathBuf>,
    /// Any folder with this name (e.g. the `Signed` folder beside each original).
    pub name: Option<String>,
}

impl OutputFolders {
    fn contains(&self, folder: &Path) -> bool {
        let named = self
            .name
            .as_deref()
            .is_some_and(|n| folder.file_name().is_some_and(|f| f == n));
        named
            || folder.canonicalize().is_ok_and(|c| {
                self.paths
                    .iter()
                    .any(|p| p.canonicalize().is_ok_and(|p| p == c))
            })
    }
}

/// Lists the documents named by `paths`. Files named directly are taken whatever their extension
/// (their content decides later); inside folders only `.pdf` and `.xml` files are taken, outside
/// `outputs`.
pub fn collect(paths: &[PathBuf], max_size: u64, outputs: &OutputFolders) -> Inputs {
    let mut inputs = Inputs::default();
    let mut seen = HashSet::new();
    for path in paths {
        let Ok(meta) = std::fs::metadata(path) else {
            inputs.skip(path, "input.missing", "does not exist or cannot be opened");
            continue;
        };
        if !meta.is_dir() {
            inputs.add(path, &mut seen, max_size);
            continue;
        }
        let Ok(root) = path.canonicalize() else {
            inputs.skip(path, "input.unreadable", "folder cannot be opened");
            continue;
        };
        // Links are not followed into other folders; a linked file counts only if it stays inside.
        let walker = walkdir::WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(e.depth() > 0 && e.file_type().is_dir() && outputs.contains(e.path()))
            });
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let at = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| path.clone());
                    inputs.skip(&at, "input.unreadable", format!("cannot be read: {e}"));
                    continue;
                }
            };
            let file = entry.path();
            if entry.file_type().is_dir() || !has_invoice_extension(file) {
                continue;
            }
            if entry.path_is_symlink() {
                let inside = file
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(&root));
                if !inside {
                    inputs.skip(
                        file,
                        "input.link_outside",
                        "is a link to a file outside the folder",
                    );
                    continue;
                }
            }
            inputs.add(file, &mut seen, max_size);
        }
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_folders_and_explains_every_skip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("in");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("a.pdf"), b"%PDF-1.7").expect("write");
        std::fs::write(root.join("sub/b.XML"), b"<a/>").expect("write");
        std::fs::write(root.join("notes.txt"), b"x").expect("write");
        std::fs::write(root.join("empty.pdf"), b"").expect("write");
        std::fs::write(root.join("big.pdf"), vec![b'x'; 2048]).expect("write");
        let outside = dir.path().join("secret.pdf");
        std::fs::write(&outside, b"%PDF-1.7").expect("write");
        std::os::unix::fs::symlink(&outside, root.join("link.pdf")).expect("symlink");
        std::os::unix::fs::symlink(root.join("a.pdf"), root.join("same.pdf")).expect("symlink");
        // Another name for the same file is the same document too.
        std::fs::hard_link(root.join("a.pdf"), root.join("hard.pdf")).expect("hard link");

        std::fs::create_dir_all(root.join("Signed")).expect("mkdir");
        std::fs::write(root.join("Signed/a_signed.pdf"), b"%PDF-1.7").expect("write");
        let outputs = OutputFolders {
            paths: vec![],
            name: Some("Signed".into()),
        };
        let paths = [
            root.clone(),
            root.join("a.pdf"),
            dir.path().join("nope.pdf"),
        ];
        let inputs = collect(&paths, 1024, &outputs);
        let names: Vec<_> = inputs
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            ["a.pdf", "b.XML"],
            "each file once, folders expanded, .txt ignored in folders"
        );
        let mut codes: Vec<_> = inputs.skipped.iter().map(|s| s.code).collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                "input.empty",
                "input.link_outside",
                "input.missing",
                "input.too_large"
            ]
        );
    }
}
