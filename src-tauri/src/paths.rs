//! Every path a command receives from the UI is checked here before it is used: the WebView is
//! not trusted to send only what the user chose (a compromised page could ask to "sign"
//! /etc/shadow, i.e. send it to the service). Paths must be absolute and exist; files to sign must
//! be regular files (a symlink is resolved and its target checked), within the size cap and PDF or
//! XML by content; folders must be folders. Paths are returned canonical.

use std::io::Read;
use std::path::{Path, PathBuf};

use signstash_core::detect;
use signstash_core::error::Lang;

use crate::intake::MAX_FILE_BYTES;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("not an absolute path: {0}")]
    NotAbsolute(String),
    #[error("does not exist: {0}")]
    Missing(String),
    #[error("not a file: {0}")]
    NotAFile(String),
    #[error("not a folder: {0}")]
    NotAFolder(String),
    #[error("larger than {limit_mb} MB: {path}")]
    TooLarge { path: String, limit_mb: u64 },
    #[error("not a PDF or XML document: {0}")]
    NotADocument(String),
}

impl PathError {
    pub fn code(&self) -> &'static str {
        match self {
            PathError::NotAbsolute(_) => "path.not_absolute",
            PathError::Missing(_) => "path.missing",
            PathError::NotAFile(_) => "path.not_a_file",
            PathError::NotAFolder(_) => "path.not_a_folder",
            PathError::TooLarge { .. } => "path.too_large",
            PathError::NotADocument(_) => "path.not_a_document",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, PathError::NotAbsolute(p)) => {
                format!("\"{p}\" is not a full path. Add the file again from the window.")
            }
            (Lang::Pt, PathError::NotAbsolute(p)) => {
                format!("\"{p}\" não é um caminho completo. Adicione o ficheiro de novo na janela.")
            }
            (Lang::En, PathError::Missing(p)) => {
                format!("\"{p}\" no longer exists. It may have been moved or deleted.")
            }
            (Lang::Pt, PathError::Missing(p)) => {
                format!("\"{p}\" já não existe. Pode ter sido movido ou apagado.")
            }
            (Lang::En, PathError::NotAFile(p)) => format!("\"{p}\" is not a file."),
            (Lang::Pt, PathError::NotAFile(p)) => format!("\"{p}\" não é um ficheiro."),
            (Lang::En, PathError::NotAFolder(p)) => format!("\"{p}\" is not a folder."),
            (Lang::Pt, PathError::NotAFolder(p)) => format!("\"{p}\" não é uma pasta."),
            (Lang::En, PathError::TooLarge { path, limit_mb }) => {
                format!("\"{path}\" is larger than {limit_mb} MB and cannot be signed.")
            }
            (Lang::Pt, PathError::TooLarge { path, limit_mb }) => {
                format!("\"{path}\" tem mais de {limit_mb} MB e não pode ser assinado.")
            }
            (Lang::En, PathError::NotADocument(p)) => {
                format!("\"{p}\" is not a PDF or XML invoice.")
            }
            (Lang::Pt, PathError::NotADocument(p)) => {
                format!("\"{p}\" não é uma fatura PDF nem XML.")
            }
        }
    }
}

fn absolute(raw: &str) -> Result<PathBuf, PathError> {
    let path = PathBuf::from(raw);
    if raw.contains('\0') || !path.is_absolute() {
        return Err(PathError::NotAbsolute(raw.into()));
    }
    Ok(path)
}

fn canonical(path: &Path, raw: &str) -> Result<PathBuf, PathError> {
    std::fs::canonicalize(path).map_err(|_| PathError::Missing(raw.into()))
}

/// A document to sign: a regular file (after resolving links) within `max_bytes`, PDF or XML by
/// its first bytes. Returns its canonical path and size.
pub fn document(raw: &str, max_bytes: u64) -> Result<(PathBuf, u64), PathError> {
    let path = canonical(&absolute(raw)?, raw)?;
    let meta = std::fs::metadata(&path).map_err(|_| PathError::Missing(raw.into()))?;
    if !meta.is_file() {
        return Err(PathError::NotAFile(raw.into()));
    }
    if meta.len() > max_bytes {
        return Err(PathError::TooLarge {
            path: raw.into(),
            limit_mb: max_bytes / (1024 * 1024),
        });
    }
    let mut head = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|_| PathError::Missing(raw.into()))?;
    detect::detect(&head).map_err(|_| PathError::NotADocument(raw.into()))?;
    Ok((path, meta.len()))
}

/// Documents with the app's size cap.
pub fn documents(raws: &[String]) -> Result<Vec<(PathBuf, u64)>, PathError> {
    raws.iter().map(|r| document(r, MAX_FILE_BYTES)).collect()
}

/// An existing folder, canonical.
pub fn folder(raw: &str) -> Result<PathBuf, PathError> {
    let path = canonical(&absolute(raw)?, raw)?;
    if !path.is_dir() {
        return Err(PathError::NotAFolder(raw.into()));
    }
    Ok(path)
}

/// An existing file or folder, canonical (to show it in the file manager).
pub fn existing(raw: &str) -> Result<PathBuf, PathError> {
    canonical(&absolute(raw)?, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn documents_must_be_absolute_existing_regular_small_pdf_or_xml() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pdf = d.join("a.pdf");
        std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj\n").unwrap();
        let (canon, size) = document(&s(&pdf), 1024).unwrap();
        assert_eq!((canon, size), (std::fs::canonicalize(&pdf).unwrap(), 17));

        // Relative, NUL, missing, folder, too large, not a document (a secret file, say).
        assert_eq!(
            document("a.pdf", 1024).unwrap_err().code(),
            "path.not_absolute"
        );
        assert_eq!(
            document(&format!("{}\0x", s(&pdf)), 1024)
                .unwrap_err()
                .code(),
            "path.not_absolute"
        );
        assert_eq!(
            document(&s(&d.join("gone.pdf")), 1024).unwrap_err().code(),
            "path.missing"
        );
        assert_eq!(document(&s(d), 1024).unwrap_err().code(), "path.not_a_file");
        assert_eq!(document(&s(&pdf), 10).unwrap_err().code(), "path.too_large");
        let shadow = d.join("shadow");
        std::fs::write(&shadow, b"root:$6$secret:19000:0:99999:7:::\n").unwrap();
        assert_eq!(
            document(&s(&shadow), 1024).unwrap_err().code(),
            "path.not_a_document"
        );
        assert_eq!(
            document("/dev/zero", 1024).unwrap_err().code(),
            "path.not_a_file"
        );

        // `..` segments and links are resolved: what is checked is what would be read.
        let dotted = d.join("sub").join("..").join("a.pdf");
        std::fs::create_dir(d.join("sub")).unwrap();
        assert_eq!(
            document(&s(&dotted), 1024).unwrap().0,
            std::fs::canonicalize(&pdf).unwrap()
        );
        #[cfg(unix)]
        {
            let link = d.join("link.pdf");
            std::os::unix::fs::symlink(&shadow, &link).unwrap();
            assert_eq!(
                document(&s(&link), 1024).unwrap_err().code(),
                "path.not_a_document"
            );
            let dangling = d.join("dangling.pdf");
            std::os::unix::fs::symlink(d.join("nowhere"), &dangling).unwrap();
            assert_eq!(
                document(&s(&dangling), 1024).unwrap_err().code(),
                "path.missing"
            );
        }
        // Every error has plain words in both languages and names the file.
        let e = document(&s(&shadow), 1024).unwrap_err();
        assert!(e.message(Lang::Pt).contains("não é uma fatura"));
        assert!(e.message(Lang::En).contains("shadow"));
    }

    #[test]
    fn folders_and_existing_entries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let file = d.join("a.pdf");
        std::fs::write(&file, b"%PDF").unwrap();
        assert_eq!(folder(&s(d)).unwrap(), std::fs::canonicalize(d).unwrap());
        assert_eq!(folder(&s(&file)).unwrap_err().code(), "path.not_a_folder");
        assert_eq!(
            folder("relative/dir").unwrap_err().code(),
            "path.not_absolute"
        );
        assert_eq!(
            folder(&s(&d.join("no"))).unwrap_err().code(),
            "path.missing"
        );
        assert!(existing(&s(&file)).is_ok());
        assert_eq!(
            existing(&s(&d.join("no"))).unwrap_err().code(),
            "path.missing"
        );
    }
}
