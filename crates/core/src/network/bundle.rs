//! The diagnostics bundle for IT or Multicert support (`signstash doctor --bundle`, the app's
//! "Export diagnostics"): one zip with the versions, the settings with every secret removed, the
//! diagnosis and the recent log files.
//!
//! Secrets should never be in the settings or the logs in the first place; the bundle does not rely
//! on it: secret-looking settings are replaced, and the client secret and any token the diagnosis
//! saw are scrubbed from every text that goes in, as are `Bearer`/`Basic` credentials.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use zip::write::SimpleFileOptions;

use crate::credentials::KEYRING_SERVICE;
use crate::network::doctor::{DoctorReport, StepStatus};

/// What replaces a removed secret.
pub const REMOVED: &str = "[removed]";
/// Newest log files taken, and how much of the end of each.
const MAX_LOG_FILES: usize = 10;
const MAX_LOG_BYTES: u64 = 4 * 1024 * 1024;

/// Where the bundle's inputs are read from.
#[derive(Clone, Debug)]
pub struct BundleSources {
    /// Version of the program making the bundle (app or CLI).
    pub program: String,
    pub settings_file: Option<PathBuf>,
    pub log_dir: Option<PathBuf>,
}

impl BundleSources {
    /// The app's own places: `<config>/pt.multicert.signstash.desk/settings.json` and
    /// `<local data>/pt.multicert.signstash.desk/logs` (Tauri's app_log_dir on Linux).
    pub fn default_locations(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            settings_file: default_settings_file(),
            log_dir: default_log_dir(),
        }
    }
}

pub fn default_settings_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join(KEYRING_SERVICE).join("settings.json"))
}

pub fn default_log_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join(KEYRING_SERVICE).join("logs"))
}

/// What went into a bundle.
#[derive(Clone, Debug, Serialize)]
pub struct BundleSummary {
    pub path: PathBuf,
    pub entries: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path} already exists; choose another name")]
    Exists { path: PathBuf },
    #[error("could not write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

impl BundleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Exists { .. } => "bundle.exists",
            Self::Write { .. } => "bundle.write",
        }
    }
}

#[derive(Serialize)]
struct Versions<'a> {
    program: &'a str,
    core: &'static str,
    os: &'static str,
    arch: &'static str,
    created_unix: u64,
}

/// Writes the bundle to `path` (through a temporary file beside it, so a half-written bundle never
/// appears). `overwrite` false refuses an existing file; the app passes true after its save dialog
/// asked. `redact` adds strings to scrub beyond what the reports hold (e.g. a proxy password).
pub fn write_bundle(
    path: &Path,
    reports: &[DoctorReport],
    sources: &BundleSources,
    redact: &[&str],
    overwrite: bool,
) -> Result<BundleSummary, BundleError> {
    let write_error = |reason: String| BundleError::Write {
        path: path.to_path_buf(),
        reason,
    };
    if !overwrite && path.exists() {
        return Err(BundleError::Exists {
            path: path.to_path_buf(),
        });
    }
    let mut scrubber = Scrubber::default();
    for report in reports {
        for secret in report.redactions() {
            scrubber.add(secret);
        }
    }
    for secret in redact {
        scrubber.add(secret);
    }

    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let versions = Versions {
        program: &sources.program,
        core: env!("CARGO_PKG_VERSION"),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        created_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    entries.push(("versions.json".into(), pretty(&versions)));
    if let Some(settings) = sources.settings_file.as_deref().and_then(settings_entry) {
        entries.push(("settings.json".into(), settings));
    }
    entries.push(("doctor.json".into(), pretty(&reports)));
    let text: String = reports
        .iter()
        .map(report_text)
        .collect::<Vec<_>>()
        .join("\n");
    entries.push(("doctor.txt".into(), text.into_bytes()));
    if let Some(dir) = &sources.log_dir {
        for (name, content) in recent_logs(dir) {
            entries.push((format!("logs/{name}"), content));
        }
    }

    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(".signstash-diagnostics")
        .suffix(".part")
        .tempfile_in(parent)
        .map_err(|e| write_error(e.to_string()))?;
    let mut zip = zip::ZipWriter::new(temp);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut names = Vec::new();
    for (name, content) in entries {
        let content = scrubber.scrub(&String::from_utf8_lossy(&content));
        zip.start_file(name.as_str(), options)
            .map_err(|e| write_error(e.to_string()))?;
        zip.write_all(content.as_bytes())
            .map_err(|e| write_error(e.to_string()))?;
        names.push(name);
    }
    let temp = zip.finish().map_err(|e| write_error(e.to_string()))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| write_error(e.to_string()))?;
    let persisted = if overwrite {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            BundleError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            write_error(e.error.to_string())
        }
    })?;
    Ok(BundleSummary {
        path: path.to_path_buf(),
        entries: names,
    })
}

/// The report as text, for a terminal and the bundle.
pub fn report_text(report: &DoctorReport) -> String {
    use crate::error::Lang;
    let mut out = String::new();
    let (env, proxy) = match report.lang {
        Lang::Pt => ("Ambiente", "proxy"),
        Lang::En => ("Environment", "proxy"),
    };
    out.push_str(&format!(
        "{env} «{}» ({proxy}: {})\n  token: {}\n  API:   {}\n",
        report.environment, report.proxy, report.token_url, report.api_base
    ));
    for step in &report.steps {
        let mark = match step.status {
            StepStatus::Passed => "OK  ",
            StepStatus::Failed => "FAIL",
            StepStatus::Skipped => "--  ",
        };
        out.push_str(&format!(
            "  [{mark}] {} — {} ({} ms)",
            step.title, step.target, step.elapsed_ms
        ));
        if !step.detail.is_empty() {
            out.push_str(&format!(": {}", step.detail));
        }
        out.push('\n');
        if let Some(problem) = &step.problem {
            out.push_str(&format!("         {}\n", problem.message));
            out.push_str(&format!("         [{}]\n", problem.support_detail));
        }
    }
    let verdict = match (report.passed, report.lang) {
        (true, Lang::Pt) => "Tudo a funcionar.",
        (true, Lang::En) => "Everything works.",
        (false, Lang::Pt) => "Há problemas: veja os passos marcados FAIL.",
        (false, Lang::En) => "There are problems: see the steps marked FAIL.",
    };
    out.push_str(&format!("  {verdict}\n"));
    out
}

fn pretty<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_else(|e| format!("\"{e}\"").into_bytes())
}

/// The settings file with secret-looking values replaced; absent or unreadable settings are
/// left out (an unparsable file is not copied raw: it could hold anything).
fn settings_entry(path: &Path) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str::<Value>(&text) {
        Ok(mut value) => {
            remove_secrets(&mut value);
            Some(pretty(&value))
        }
        Err(e) => Some(format!("settings.json could not be read as JSON: {e}\n").into_bytes()),
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "secret",
        "password",
        "passwd",
        "token",
        "authorization",
        "credential",
        "private",
    ]
    .iter()
    .any(|word| key.contains(word))
        && !key.ends_with("_url")
        && !key.ends_with("url")
}

fn remove_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) && !inner.is_null() {
                    *inner = Value::String(REMOVED.into());
                } else {
                    remove_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_secrets),
        _ => {}
    }
}

/// The newest `*.log` files of the folder, the end of each when large.
fn recent_logs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut logs: Vec<(std::time::SystemTime, PathBuf)> = read
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    logs.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    logs.into_iter()
        .take(MAX_LOG_FILES)
        .filter_map(|(_, path)| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, tail(&path, MAX_LOG_BYTES).ok()?))
        })
        .collect()
}

fn tail(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    if length > limit {
        file.seek(SeekFrom::Start(length - limit))?;
    }
    let mut content = Vec::new();
    file.take(limit).read_to_end(&mut content)?;
    Ok(content)
}

/// Replaces known secrets, and whatever follows `Bearer ` / `Basic ` / an `access_token` key.
#[derive(Default)]
struct Scrubber {
    secrets: Vec<zeroize::Zeroizing<String>>,
}

impl Scrubber {
    fn add(&mut self, secret: &str) {
        // Very short strings would blank out ordinary words; no real secret or token is that short.
        if secret.chars().count() >= 4 {
            self.secrets
                .push(zeroize::Zeroizing::new(secret.to_string()));
        }
    }

    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REMOVED);
            }
        }
        for scheme in [
            "Bearer ",
            "bearer ",
            "Basic ",
            "basic ",
            "\"access_token\":\"",
            "\"access_token\": \"",
            "access_token=",
        ] {
            out = scrub_after(&out, scheme);
        }
        out
    }
}

/// `Bearer eyJ...` → `Bearer [removed]`: the credential runs to the next space, quote or comma.
fn scrub_after(text: &str, scheme: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(scheme) {
        let (before, after) = rest.split_at(at + scheme.len());
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REMOVED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_settings_are_removed_recursively() {
        let mut value = serde_json::json!({
            "environments": [{"id": "p", "token_url": "https://h/t", "client_secret": "s3cr3t",
                              "proxy": {"host": "p", "password": "pw"}}],
            "accessToken": "eyJ"
        });
        remove_secrets(&mut value);
        let text = value.to_string();
        assert!(!text.contains("s3cr3t") && !text.contains("\"pw\"") && !text.contains("eyJ"));
        assert!(text.contains("https://h/t"), "URLs stay: {text}");
    }

    #[test]
    fn scrubber_removes_known_secrets_and_credentials_after_schemes() {
        let mut scrubber = Scrubber::default();
        scrubber.add("barsecret");
        scrubber.add("ab");
        let out = scrubber.scrub("secret=barsecret auth=Bearer eyJ.abc.def, Basic YmFyOmJhcg== ab");
        assert_eq!(
            out,
            "secret=[removed] auth=Bearer [removed], Basic [removed] ab"
        );
    }
}
