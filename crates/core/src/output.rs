//! Writing signed documents without ever losing one: names come only from the local input
//! file name, an existing file is never overwritten (`name (2).pdf`, `(3)`…, race-free), the
//! data is complete and fsynced before it gets its final name, and no temporary file is left
//! behind on any error.

use std::ffi::{OsStr, OsString};
use std::fs::{self, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a signed document could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("the output folder {0} does not exist (was a drive disconnected?)")]
    FolderMissing(PathBuf),
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error("cannot write in {0}: permission denied or read-only")]
    NotWritable(PathBuf),
    #[error("the disk holding {0} is full")]
    DiskFull(PathBuf),
    #[error("refusing to save over the original document {0}")]
    SameAsInput(PathBuf),
    #[error("the file name pattern is not valid: {0}")]
    InvalidPattern(String),
    #[error("too many files named like {0} already exist")]
    NoFreeName(PathBuf),
    #[error("could not save in {dir}: {source}")]
    Io { dir: PathBuf, source: io::Error },
}

impl OutputError {
    /// Stable machine-readable code, e.g. `output.disk_full`.
    pub fn code(&self) -> &'static str {
        match self {
            OutputError::FolderMissing(_) => "output.folder_missing",
            OutputError::NotAFolder(_) => "output.not_a_folder",
            OutputError::NotWritable(_) => "output.not_writable",
            OutputError::DiskFull(_) => "output.disk_full",
            OutputError::SameAsInput(_) => "output.same_as_input",
            OutputError::InvalidPattern(_) => "output.invalid_pattern",
            OutputError::NoFreeName(_) => "output.no_free_name",
            OutputError::Io { .. } => "output.io",
        }
    }

    fn from_io(e: io::Error, dir: &Path) -> Self {
        let dir = dir.to_path_buf();
        match e.kind() {
            io::ErrorKind::NotFound => OutputError::FolderMissing(dir),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                OutputError::NotWritable(dir)
            }
            io::ErrorKind::StorageFull
            | io::ErrorKind::QuotaExceeded
            | io::ErrorKind::FileTooLarge => OutputError::DiskFull(dir),
            _ => OutputError::Io { dir, source: e },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Stem,
    Ext,
    Name,
}

/// Output file name pattern with `{stem}`, `{ext}` and `{name}` placeholders (from the
/// input file name `invoice.pdf`: `invoice`, `pdf`, `invoice.pdf`). When the input has no
/// extension, a `.` right before `{ext}` is dropped too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    source: String,
    parts: Vec<Part>,
}

impl NamePattern {
    pub const DEFAULT: &'static str = "{stem}_signed.{ext}";

    /// Validates a pattern: no path separators, `..`, NUL or characters Windows refuses in
    /// names, only known placeholders, and `{stem}` or `{name}` present so that every
    /// document gets its own name.
    pub fn new(pattern: &str) -> Result<Self, OutputError> {
        let bad = |m: &str| Err(OutputError::InvalidPattern(m.to_owned()));
        if pattern.trim().is_empty() {
            return bad("it is empty");
        }
        if pattern.contains(['/', '\\']) {
            return bad("it must not contain / or \\ (it names a file, not a folder)");
        }
        if pattern.contains("..") {
            return bad("it must not contain ..");
        }
        if pattern
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        {
            return bad("it contains a character not allowed in file names");
        }
        let mut parts = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return bad("it has a } without {");
            }
            let Some(close) = rest[open..].find('}') else {
                return bad("it has a { without }");
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            parts.push(match &rest[open + 1..open + close] {
                "stem" => Part::Stem,
                "ext" => Part::Ext,
                "name" => Part::Name,
                other => return bad(&format!("unknown placeholder {{{other}}}")),
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Stem | Part::Name)) {
            return bad("it must contain {stem} or {name}");
        }
        Ok(NamePattern {
            source: pattern.to_owned(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The output file name for the input file name `input_name`.
    fn render(&self, input_name: &OsStr) -> OsString {
        let path = Path::new(input_name);
        let stem = path.file_stem().unwrap_or(input_name);
        let ext = path.extension().unwrap_or_default();
        let mut out = OsString::new();
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Text(t) => {
                    let dot_before_missing_ext =
                        ext.is_empty() && self.parts.get(i + 1) == Some(&Part::Ext);
                    out.push(match t.strip_suffix('.') {
                        Some(trimmed) if dot_before_missing_ext => trimmed,
                        _ => t,
                    });
                }
                Part::Stem => out.push(stem),
                Part::Ext => out.push(ext),
                Part::Name => out.push(input_name),
            }
        }
        out
    }
}

impl Default for NamePattern {
    fn default() -> Self {
        NamePattern {
            source: Self::DEFAULT.to_owned(),
            parts: vec![Part::Stem, Part::Text("_signed.".into()), Part::Ext],
        }
    }
}

/// Where signed documents go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputDir {
    /// One folder for everything; it must exist.
    Fixed(PathBuf),
    /// A `Signed` folder next to each original (created when missing).
    SignedFolderBeside,
}

pub const SIGNED_FOLDER: &str = "Signed";

/// Highest numbered suffix tried before giving up.
const MAX_SUFFIX: u32 = 9999;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone)]
pub struct OutputWriter {
    dir: OutputDir,
    pattern: NamePattern,
}

impl OutputWriter {
    pub fn new(dir: OutputDir, pattern: NamePattern) -> Self {
        OutputWriter { dir, pattern }
    }

    /// All outputs in `dir`, default name pattern.
    pub fn into_folder(dir: impl Into<PathBuf>) -> Self {
        Self::new(OutputDir::Fixed(dir.into()), NamePattern::default())
    }

    /// Outputs in a `Signed` folder beside each original, default name pattern.
    pub fn beside() -> Self {
        Self::new(OutputDir::SignedFolderBeside, NamePattern::default())
    }

    pub fn dir(&self) -> &OutputDir {
        &self.dir
    }

    pub fn pattern(&self) -> &NamePattern {
        &self.pattern
    }

    /// The folder the output for `input` goes to.
    pub fn output_dir_for(&self, input: &Path) -> PathBuf {
        match &self.dir {
            OutputDir::Fixed(d) => d.clone(),
            OutputDir::SignedFolderBeside => input
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join(SIGNED_FOLDER),
        }
    }

    /// The preferred output path for `input`, from its local file name only (never from a
    /// name the server sends). `write` may pick a numbered variant if this one exists.
    /// An output of `input` already holding exactly `bytes` (the preferred name or a numbered
    /// one), if any: what a process killed between saving and recording left behind.
    pub fn identical_output(&self, input: &Path, bytes: &[u8]) -> Option<PathBuf> {
        let preferred = self.output_path_for(input);
        let folder = preferred.parent()?;
        let stem = preferred.file_stem()?.to_str()?.to_owned();
        std::fs::read_dir(folder)
            .ok()?
            .flatten()
            .filter(|e| {
                e.file_name().to_str().is_some_and(|n| n.starts_with(&stem))
                    && e.metadata()
                        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            })
            .map(|e| e.path())
            .find(|path| std::fs::read(path).is_ok_and(|found| found == bytes))
    }

    pub fn output_path_for(&self, input: &Path) -> PathBuf {
        let name = input.file_name().unwrap_or(OsStr::new("document"));
        self.output_dir_for(input).join(self.pattern.render(name))
    }

    /// Saves `bytes` as the output for `input` and returns the path actually written.
    /// Never overwrites: an existing name gets ` (2)`, ` (3)`… before its extension.
    pub fn write(&self, input: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
        let staged = self.stage(input, bytes)?;
        let output = self.name(staged)?;
        sync_dir(&self.output_dir_for(input));
        Ok(output)
    }

    /// First half of [`Self::write`]: `bytes` written to a hidden temporary file in the output
    /// folder, not yet fsynced nor named. Writing several documents before fsyncing any lets the disk
    /// work on them together (their write-back starts as each is written, and a journaling
    /// filesystem can commit several in one go) instead of waiting for each in turn.
    pub fn stage(&self, input: &Path, bytes: &[u8]) -> Result<Staged, OutputError> {
        let dir = self.output_dir_for(input);
        if self.dir == OutputDir::SignedFolderBeside {
            match fs::create_dir(&dir) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                    return Err(OutputError::from_io(e, &dir))
                }
                _ => {}
            }
        }
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(OutputError::NotAFolder(dir)),
            Err(e) => return Err(OutputError::from_io(e, &dir)),
        }
        let (temp, file) = create_staged_file(&dir, bytes)?;
        Ok(Staged {
            file,
            temp,
            input: input.to_path_buf(),
            dir,
        })
    }

    /// Second half: the staged file fsynced, then given its final name (the first free one). The
    /// name is durable once the caller has fsynced the output folder ([`sync_dir`]), which it
    /// does once for many files.
    pub fn name(&self, staged: Staged) -> Result<PathBuf, OutputError> {
        // Bound before `file`, so dropped after it: the file is closed before it is removed.
        let Staged {
            temp,
            mut file,
            input,
            dir,
        } = staged;
        file.sync_all().map_err(|e| OutputError::from_io(e, &dir))?;
        leave_page_cache(&file);
        let first = self.output_path_for(&input);
        let mut last_tried = first.clone();
        for n in 1..=MAX_SUFFIX {
            let candidate = numbered(&first, n);
            last_tried.clone_from(&candidate);
            // A hard link to the complete, fsynced file either creates the final name atomically
            // or fails because it exists: no overwrite, no race, no partial file.
            match temp.link(&file, &candidate) {
                Ok(()) => return Ok(candidate),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // The pattern maps the input onto itself: refused, not numbered around.
                    if n == 1 && same_file::is_same_file(&input, &candidate).unwrap_or(false) {
                        return Err(OutputError::SameAsInput(candidate));
                    }
                    continue;
                }
                // Filesystems without hard links (FAT/exFAT sticks, some shares).
                Err(_) => match write_new(&candidate, &mut file) {
                    Ok(true) => return Ok(candidate),
                    Ok(false) => continue,
                    Err(e) => return Err(OutputError::from_io(e, &dir)),
                },
            }
        }
        Err(OutputError::NoFreeName(last_tried))
    }
}

/// A signed document in its temporary file, waiting for [`OutputWriter::name`]; dropped unnamed,
/// nothing remains: an unnamed file goes with its descriptor, a hidden one is removed (fields drop
/// in order: the file is closed before it is removed).
pub struct Staged {
    file: fs::File,
    temp: Temporary,
    input: PathBuf,
    dir: PathBuf,
}

/// `path` for n = 1, else `stem (n).ext`.
pub(crate) fn numbered(path: &Path, n: u32) -> PathBuf {
    if n == 1 {
        return path.to_path_buf();
    }
    let mut name = path.file_stem().unwrap_or_default().to_os_string();
    name.push(format!(" ({n})"));
    if let Some(ext) = path.extension() {
        name.push(".");
        name.push(ext);
    }
    path.with_file_name(name)
}

/// Fallback when hard links are unsupported: `create_new` the final name and copy the staged
/// file into it; removed again if anything fails. `Ok(false)` when the name is taken.
fn write_new(path: &Path, staged: &mut fs::File) -> io::Result<bool> {
    let mut f = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    let guard = TempFile {
        path: path.to_path_buf(),
    };
    staged.seek(io::SeekFrom::Start(0))?;
    io::copy(staged, &mut f)?;
    f.sync_all()?;
    std::mem::forget(guard);
    Ok(true)
}

/// A new file holding `bytes` (written, not yet fsynced) in `dir`, open for reading and writing,
/// with no name yet where the system allows it.
fn create_staged_file(dir: &Path, bytes: &[u8]) -> Result<(Temporary, fs::File), OutputError> {
    let (temp, mut file) = create_temporary(dir)?;
    // On an error `temp` is dropped, which removes a hidden file.
    file.write_all(bytes)
        .map_err(|e| OutputError::from_io(e, dir))?;
    start_writeback(&file);
    Ok((temp, file))
}

/// An empty file in `dir` for a staged document: unnamed where the system allows it, else hidden.
fn create_temporary(dir: &Path) -> Result<(Temporary, fs::File), OutputError> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let unnamed = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .open(dir);
        match unnamed {
            Ok(file) => return Ok((Temporary::Unnamed, file)),
            // Filesystems (or kernels) without O_TMPFILE: a hidden named file instead.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
                ) => {}
            Err(e) => return Err(OutputError::from_io(e, dir)),
        }
    }
    let (temp, file) = TempFile::create(dir)?;
    Ok((Temporary::Hidden(temp), file))
}

/// How a staged document exists before it gets its final name.
enum Temporary {
    /// No name at all (Linux `O_TMPFILE`): nothing to remove afterwards, a crash leaves nothing
    /// behind, and creating it does not lock the output folder, which the saving threads share.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Unnamed,
    /// A hidden file in the output folder, removed when dropped.
    Hidden(TempFile),
}

impl Temporary {
    /// Gives `file` the name `to`; fails with `AlreadyExists` rather than replace anything.
    fn link(&self, file: &fs::File, to: &Path) -> io::Result<()> {
        match self {
            Self::Hidden(temp) => fs::hard_link(&temp.path, to),
            Self::Unnamed => link_unnamed(file, to),
        }
    }
}

/// `linkat` through `/proc/self/fd` (as open(2) describes for `O_TMPFILE`); the `AT_EMPTY_PATH`
/// form would need a privilege. Without `/proc` this fails and the caller copies instead.
#[cfg(target_os = "linux")]
fn link_unnamed(file: &fs::File, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let to = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated strings that outlive the call.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn link_unnamed(_file: &fs::File, _to: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A temporary file in the output folder, removed when dropped (on every error path).
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Creates a uniquely named, empty hidden file in `dir`, open for reading and writing.
    fn create(dir: &Path) -> Result<(TempFile, fs::File), OutputError> {
        for _ in 0..100 {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".signstash-{}-{n}.tmp", std::process::id()));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => return Ok((TempFile { path }, f)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(OutputError::from_io(e, dir)),
            }
        }
        Err(OutputError::Io {
            dir: dir.to_path_buf(),
            source: io::Error::other("could not create a temporary file"),
        })
    }
}

/// Starts writing the file's data to the disk without waiting (Linux): by the time a round's files
/// are fsynced their data is already on its way, and a journaling filesystem commits the blocks of
/// the whole round with the first fsync rather than one file at a time. Only a hint: errors show
/// up in the fsync.
fn start_writeback(file: &fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for as long as `file` is borrowed; the call only reads it.
        unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Lets the kernel drop the file's pages from its cache (Linux). Called once the data is fsynced,
/// so the pages are clean and go at once: a batch of thousands of outputs, which we never read
/// again, then reuses the same few pages instead of pushing the rest of the desktop's files out of
/// memory, and on a virtual machine instead of touching fresh guest memory for every document
/// (BENCHMARKS.md, session 6). Only a hint; a file opened later is read from disk.
fn leave_page_cache(file: &fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for as long as `file` is borrowed; the call only reads it.
        unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_file(&self.path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), error = %e, "temporary file left behind");
            }
        }
    }
}

/// Makes the new directory entry durable. Best effort: the data itself is already fsynced.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(dir = %dir.display(), error = %e, "could not fsync the output folder");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `O_TMPFILE` is missing, the staged file is a hidden named one: linked to its final
    /// name, then removed.
    #[test]
    fn a_hidden_temporary_file_is_named_then_removed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let input = tmp.path().join("fatura.pdf");
        fs::write(&input, b"original").expect("input");
        let (temp, mut file) = TempFile::create(tmp.path()).expect("temp");
        file.write_all(b"signed bytes").expect("write");
        let staged = Staged {
            file,
            temp: Temporary::Hidden(temp),
            input,
            dir: tmp.path().to_path_buf(),
        };
        let named = OutputWriter::into_folder(tmp.path())
            .name(staged)
            .expect("named");
        assert_eq!(named, tmp.path().join("fatura_signed.pdf"));
        assert_eq!(fs::read(&named).expect("read"), b"signed bytes");
        let mut left: Vec<_> = fs::read_dir(tmp.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["fatura.pdf", "fatura_signed.pdf"]);
    }

    #[test]
    fn without_hard_links_the_staged_file_is_copied_to_a_new_name_never_over_one() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (temp, mut file) = TempFile::create(tmp.path()).expect("temp");
        file.write_all(b"signed bytes").expect("write");
        let target = tmp.path().join("a_signed.pdf");
        assert!(write_new(&target, &mut file).expect("copy"));
        assert_eq!(fs::read(&target).expect("read"), b"signed bytes");
        fs::write(&target, b"taken").expect("overwrite by hand");
        assert!(!write_new(&target, &mut file).expect("taken"));
        assert_eq!(fs::read(&target).expect("read"), b"taken");
        drop(file);
        drop(temp);
        let left: Vec<_> = fs::read_dir(tmp.path()).expect("list").collect();
        assert_eq!(left.len(), 1, "only the named file stays");
    }
}
