//! What happens to paths the user brings in (drop, dialogs, `open-files`): folders are walked,
//! PDF and XML documents kept, and everything else listed with its reason, never silently dropped.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use signstash_core::detect::{self, DetectError, DocumentKind};
use signstash_core::inputs::{self, OutputFolders};
use signstash_core::output::SIGNED_FOLDER;
use ts_rs::TS;

/// Largest document accepted, as the CLI's default.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Enough of the start of a file to tell PDF from XML from anything else.
const HEAD_BYTES: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    /// Signed as PAdES.
    Pdf,
    /// Signed as XAdES.
    Xml,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedFile {
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    pub kind: DocumentType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RejectedFile {
    pub path: String,
    /// `input.unsupported`, `input.empty`, `input.too_large`, `input.missing`, …: the UI words it.
    pub code: String,
    /// English technical detail ("a PNG image").
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Intake {
    pub accepted: Vec<AcceptedFile>,
    pub rejected: Vec<RejectedFile>,
}

fn reject(path: &Path, code: &str, detail: impl Into<String>) -> RejectedFile {
    RejectedFile {
        path: path.to_string_lossy().into_owned(),
        code: code.into(),
        detail: detail.into(),
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Files in `folder` that are not PDF or XML by name (the core's walk leaves them out), so they
/// can be listed too. Hidden files and our own output folders are not the user's documents.
fn other_files_in(folder: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(folder)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.') || (e.file_type().is_dir() && name == SIGNED_FOLDER))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            !p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("xml"))
        })
        .collect()
}

pub fn take_in(paths: &[PathBuf]) -> Intake {
    let outputs = OutputFolders {
        paths: Vec::new(),
        name: Some(SIGNED_FOLDER.into()),
    };
    // Paths come from the WebView: a relative one would be read against the app's working folder.
    let (paths, relative): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.is_absolute());
    let paths = paths.as_slice();
    let listed = inputs::collect(paths, MAX_FILE_BYTES, &outputs);
    let mut intake = Intake::default();
    for path in relative {
        intake
            .rejected
            .push(reject(&path, "input.not_absolute", "not an absolute path"));
    }
    for file in listed.files {
        match read_head(&file.path) {
            Ok(head) => match detect::detect(&head) {
                Ok(kind) => intake.accepted.push(AcceptedFile {
                    path: file.path.to_string_lossy().into_owned(),
                    size: file.size,
                    kind: match kind {
                        DocumentKind::Pdf => DocumentType::Pdf,
                        DocumentKind::Xml => DocumentType::Xml,
                    },
                }),
                Err(DetectError::Unsupported { what }) => {
                    intake
                        .rejected
                        .push(reject(&file.path, "input.unsupported", what))
                }
                Err(e) => {
                    intake
                        .rejected
                        .push(reject(&file.path, "input.unsupported", e.to_string()))
                }
            },
            Err(e) => intake
                .rejected
                .push(reject(&file.path, "input.unreadable", e.to_string())),
        }
    }
    for skipped in listed.skipped {
        intake
            .rejected
            .push(reject(&skipped.path, skipped.code, skipped.reason));
    }
    for folder in paths.iter().filter(|p| p.is_dir()) {
        for other in other_files_in(folder) {
            intake
                .rejected
                .push(reject(&other, "input.unsupported", "not a PDF or XML file"));
        }
    }
    intake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_documents_and_lists_the_rest_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.pdf"), b"%PDF-1.7\n1 0 obj\n").unwrap();
        std::fs::write(d.join("b.xml"), b"<?xml version=\"1.0\"?><Invoice/>").unwrap();
        std::fs::write(d.join("scan.png"), b"\x89PNG\r\n\x1a\n0000").unwrap();
        std::fs::write(d.join("fake.pdf"), b"hello, I am text").unwrap();
        std::fs::write(d.join("empty.xml"), b"").unwrap();
        std::fs::create_dir(d.join(SIGNED_FOLDER)).unwrap();
        std::fs::write(d.join(SIGNED_FOLDER).join("a_signed.pdf"), b"%PDF-1.7").unwrap();

        let intake = take_in(&[d.to_path_buf(), d.join("missing.pdf")]);
        let accepted: Vec<_> = intake
            .accepted
            .iter()
            .map(|f| (f.path.rsplit('/').next().unwrap().to_string(), f.kind))
            .collect();
        assert_eq!(
            accepted,
            [
                ("a.pdf".to_string(), DocumentType::Pdf),
                ("b.xml".to_string(), DocumentType::Xml)
            ]
        );
        let mut rejected: Vec<_> = intake
            .rejected
            .iter()
            .map(|f| {
                (
                    f.path.rsplit('/').next().unwrap().to_string(),
                    f.code.clone(),
                )
            })
            .collect();
        rejected.sort();
        assert_eq!(
            rejected,
            [
                ("empty.xml".to_string(), "input.empty".to_string()),
                ("fake.pdf".into(), "input.unsupported".into()),
                ("missing.pdf".into(), "input.missing".into()),
                ("scan.png".into(), "input.unsupported".into()),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_a_dropped_folder_relative_paths_and_oversize_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.pdf");
        std::fs::write(&secret, b"%PDF-1.7 not yours").unwrap();
        let d = dir.path().join("dropped");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("mine.pdf"), b"%PDF-1.7\n").unwrap();
        std::os::unix::fs::symlink(&secret, d.join("link.pdf")).unwrap();
        std::os::unix::fs::symlink(outside.path(), d.join("elsewhere")).unwrap();
        let big = d.join("big.pdf");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();

        let intake = take_in(&[d.clone(), PathBuf::from("relative.pdf")]);
        let accepted: Vec<_> = intake.accepted.iter().map(|f| f.path.clone()).collect();
        assert_eq!(
            accepted,
            [d.join("mine.pdf").to_string_lossy().into_owned()]
        );
        assert!(
            !format!("{intake:?}").contains("secret.pdf\", size"),
            "the link's target was taken in: {intake:?}"
        );
        let codes: Vec<_> = intake
            .rejected
            .iter()
            .map(|r| {
                (
                    r.path.rsplit('/').next().unwrap().to_string(),
                    r.code.clone(),
                )
            })
            .collect();
        assert!(
            codes.contains(&("relative.pdf".into(), "input.not_absolute".into())),
            "{codes:?}"
        );
        assert!(
            codes.contains(&("big.pdf".into(), "input.too_large".into())),
            "{codes:?}"
        );
        assert!(
            codes
                .iter()
                .any(|(n, c)| n == "link.pdf" && c == "input.link_outside"),
            "{codes:?}"
        );
    }
}
