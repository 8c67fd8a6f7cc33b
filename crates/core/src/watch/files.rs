//! Moving an original out of the input folder without overwriting anything in the backup folder,
//! and writing the `<name>.error.txt` that explains a failure.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Lang;
use crate::output::{numbered, sync_dir, NamePattern, OutputDir, OutputWriter};

const MAX_SUFFIX: u32 = 9999;

/// Moves `file` into `folder` under its own name, or `name (2).ext`, `(3)`… if taken. The new
/// name is created atomically (hard link, or a complete fsynced copy on filesystems without
/// links or across drives) before the original is removed: a crash leaves two copies, never none.
pub fn move_into(file: &Path, folder: &Path) -> io::Result<PathBuf> {
    let name = file
        .file_name()
        .ok_or_else(|| io::Error::other("the file has no name"))?;
    let first = folder.join(name);
    for n in 1..=MAX_SUFFIX {
        let candidate = numbered(&first, n);
        match fs::hard_link(file, &candidate) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
            Err(_) => {
                if !copy_new(file, &candidate)? {
                    continue;
                }
            }
        }
        sync_dir(folder);
        fs::remove_file(file)?;
        if let Some(parent) = file.parent() {
            sync_dir(parent);
        }
        return Ok(candidate);
    }
    Err(io::Error::other(format!(
        "too many files named like {} in {}",
        first.display(),
        folder.display()
    )))
}

/// Copies into a name that must not exist yet; `Ok(false)` if it does. A failed copy is removed.
fn copy_new(from: &Path, to: &Path) -> io::Result<bool> {
    let mut target = match OpenOptions::new().write(true).create_new(true).open(to) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    let copied = fs::File::open(from)
        .and_then(|mut source| io::copy(&mut source, &mut target))
        .and_then(|_| target.sync_all());
    if let Err(e) = copied {
        let _ = fs::remove_file(to);
        return Err(e);
    }
    Ok(true)
}

/// The text of `<name>.error.txt`: what happened in plain words, where the original went, and the
/// code for support.
pub fn error_text(name: &str, message: &str, code: &str, backup: &Path, lang: Lang) -> String {
    match lang {
        Lang::Pt => format!(
            "Não foi possível assinar «{name}».\n\n{message}\n\nO original foi movido para a pasta {}.\n\
             Para tentar de novo, corrija o problema e volte a colocar o ficheiro na pasta de entrada.\n\n\
             Código para o suporte: {code}\n",
            backup.display()
        ),
        Lang::En => format!(
            "\"{name}\" could not be signed.\n\n{message}\n\nThe original was moved to the folder {}.\n\
             To try again, fix the problem and put the file back in the input folder.\n\n\
             Code for support: {code}\n",
            backup.display()
        ),
    }
}

/// Writes `text` as `<input name>.error.txt` in `output` (never over an existing file).
pub fn write_error_file(input: &Path, output: &Path, text: &str) -> Result<PathBuf, String> {
    let pattern = NamePattern::new("{name}.error.txt").map_err(|e| e.to_string())?;
    OutputWriter::new(OutputDir::Fixed(output.to_path_buf()), pattern)
        .write(input, text.as_bytes())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_without_overwriting() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (input, backup) = (dir.path().join("in"), dir.path().join("backup"));
        fs::create_dir_all(&input).expect("mkdir");
        fs::create_dir_all(&backup).expect("mkdir");
        fs::write(backup.join("a.pdf"), b"older").expect("write");
        fs::write(input.join("a.pdf"), b"newer").expect("write");
        let moved = move_into(&input.join("a.pdf"), &backup).expect("move");
        assert_eq!(moved, backup.join("a (2).pdf"));
        assert_eq!(fs::read(backup.join("a.pdf")).expect("read"), b"older");
        assert_eq!(fs::read(&moved).expect("read"), b"newer");
        assert!(!input.join("a.pdf").exists());
    }

    #[test]
    fn error_file_is_named_after_the_original_and_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("broken.pdf");
        fs::write(&input, b"x").expect("write");
        let first = write_error_file(&input, dir.path(), "one").expect("write");
        let second = write_error_file(&input, dir.path(), "two").expect("write");
        assert_eq!(first, dir.path().join("broken.pdf.error.txt"));
        assert_ne!(first, second);
        assert_eq!(fs::read_to_string(first).expect("read"), "one");
    }
}
