//! The durable journal of batches: every document from the moment it is queued to its end state,
//! in one SQLite database (WAL mode) shared by the app and the CLI. It is what `resume` reads after
//! a crash and what the app shows as history.
//!
//! The externalReferences of a request are written (and committed) before the request is sent, so
//! after a kill the service can always be asked whether it signed them: nothing is signed twice.
//!
//! SQLite is bundled (compiled into the binary): the same version with WAL on Linux, Windows and
//! macOS, and no system library for the app's installers to depend on.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::batch::{Budget, Failure, Recorder, SignatureOptions};
use crate::error::Lang;
use crate::inputs::InputFile;
use crate::model::VisibleSignatureInfo;

/// The app's identifier: the journal lives in Tauri's `app_data_dir()`.
pub const APP_ID: &str = "pt.multicert.signstash.desk";
pub const FILE_NAME: &str = "journal.sqlite3";
/// Overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "SIGNSTASH_DATA_DIR";
/// How long a writer waits for another process holding the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no data folder for this user (HOME not set?)")]
    NoDataDir,
    #[error("the batch journal {path} could not be opened: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the batch journal failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the batch journal holds unreadable settings: {0}")]
    Settings(#[from] serde_json::Error),
    #[error("the history could not be exported: {0}")]
    Export(#[from] csv::Error),
    #[error("no batch {0} in the journal")]
    NoSuchBatch(i64),
}

impl JournalError {
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::NoDataDir => "journal.no_data_dir",
            JournalError::Open { .. } => "journal.open",
            JournalError::Sql(_) => "journal.sql",
            JournalError::Settings(_) => "journal.settings",
            JournalError::Export(_) => "journal.export",
            JournalError::NoSuchBatch(_) => "journal.no_such_batch",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Pt => match self {
                JournalError::NoDataDir => {
                    "Não há pasta de dados para este utilizador (HOME não definido?).".into()
                }
                JournalError::NoSuchBatch(id) => format!("O lote {id} não existe no registo."),
                other => format!("O registo de lotes falhou: {other}"),
            },
        }
    }
}

/// Where a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocState {
    Queued,
    Sending,
    Saved,
    Failed,
    /// The process stopped (crash, kill) before the document reached an end state.
    Interrupted,
}

impl DocState {
    pub fn as_str(self) -> &'static str {
        match self {
            DocState::Queued => "queued",
            DocState::Sending => "sending",
            DocState::Saved => "saved",
            DocState::Failed => "failed",
            DocState::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> DocState {
        match text {
            "queued" => DocState::Queued,
            "sending" => DocState::Sending,
            "saved" => DocState::Saved,
            "failed" => DocState::Failed,
            _ => DocState::Interrupted,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, DocState::Saved | DocState::Failed)
    }
}

/// Where outputs go, as `OutputWriter` needs it again on resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputSettings {
    /// `None`: a `Signed` folder beside each original.
    pub folder: Option<PathBuf>,
    pub name_pattern: String,
}

/// What a batch needs to be resumed with the same settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeSettings {
    pub signature: SignatureOptions,
    pub max_documents: usize,
    pub max_bytes: u64,
    pub max_in_flight: usize,
    pub lang: Lang,
    pub description: String,
    /// PDFs placed one by one, by position in the batch (`BatchOptions::visible_per_document`):
    /// a resumed document keeps its own box. Absent in batches recorded before it existed.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub visible_per_document: HashMap<usize, VisibleSignatureInfo>,
}

impl ResumeSettings {
    pub fn budget(&self) -> Budget {
        let default = Budget::default();
        Budget {
            max_documents: if self.max_documents == 0 {
                default.max_documents
            } else {
                self.max_documents
            },
            max_bytes: if self.max_bytes == 0 {
                default.max_bytes
            } else {
                self.max_bytes
            },
        }
    }
}

/// A batch about to start.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub environment_id: String,
    pub token_url: String,
    pub api_base: String,
    pub hosted: bool,
    pub output: OutputSettings,
    pub settings: ResumeSettings,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRecord {
    pub id: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    pub environment_id: String,
    pub token_url: String,
    pub api_base: String,
    pub hosted: bool,
    pub output: OutputSettings,
    pub settings: ResumeSettings,
    pub finished_at: Option<i64>,
    /// Processes that have worked on it (the first `sign`, then each `resume`).
    pub pids: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRecord {
    pub id: i64,
    pub batch_id: i64,
    /// Place in the batch's input list.
    pub position: i64,
    pub input_path: PathBuf,
    /// Size when queued.
    pub input_size: u64,
    /// SHA-256 (hex) of the bytes sent, once sent.
    pub sent_sha256: Option<String>,
    pub request_reference: Option<String>,
    pub external_reference: Option<String>,
    pub state: DocState,
    pub output_path: Option<PathBuf>,
    pub operation_id: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub queued_at: i64,
    pub updated_at: i64,
}

/// The end state a history search asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeFilter {
    Saved,
    Failed,
    Interrupted,
    /// Queued or sending (a batch running now).
    Pending,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryQuery {
    /// Matched (case-insensitively) against input and output paths, externalReference and error.
    pub text: Option<String>,
    pub environment_id: Option<String>,
    pub outcome: Option<OutcomeFilter>,
    /// Unix milliseconds, inclusive (by the time the document was queued).
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub batch_id: Option<i64>,
    /// 0: no limit.
    pub limit: usize,
}

/// One history line: a document and the environment of its batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub document: DocumentRecord,
    pub environment_id: String,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `SIGNSTASH_DATA_DIR`, or the per-user data folder of the app (Tauri's `app_data_dir()`).
pub fn data_dir() -> Result<PathBuf, JournalError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_ID))
        .ok_or(JournalError::NoDataDir)
}

pub fn default_path() -> Result<PathBuf, JournalError> {
    Ok(data_dir()?.join(FILE_NAME))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batch (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    environment_id TEXT NOT NULL,
    token_url TEXT NOT NULL,
    api_base TEXT NOT NULL,
    hosted INTEGER NOT NULL,
    output_json TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    finished_at INTEGER
);
CREATE TABLE IF NOT EXISTS batch_run (
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS document (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    position INTEGER NOT NULL,
    input_path TEXT NOT NULL,
    input_size INTEGER NOT NULL,
    sent_sha256 TEXT,
    request_reference TEXT,
    external_reference TEXT,
    state TEXT NOT NULL,
    output_path TEXT,
    operation_id INTEGER,
    error_code TEXT,
    error_message TEXT,
    queued_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS document_by_batch ON document(batch_id, position);
CREATE INDEX IF NOT EXISTS document_by_state ON document(state);
CREATE INDEX IF NOT EXISTS document_by_queued ON document(queued_at);
CREATE INDEX IF NOT EXISTS batch_run_by_batch ON batch_run(batch_id);
";

const DOCUMENT_COLUMNS: &str = "d.id, d.batch_id, d.position, d.input_path, d.input_size, \
    d.sent_sha256, d.request_reference, d.external_reference, d.state, d.output_path, \
    d.operation_id, d.error_code, d.error_message, d.queued_at, d.updated_at";

fn document_from_row(row: &Row<'_>) -> rusqlite::Result<DocumentRecord> {
    Ok(DocumentRecord {
        id: row.get(0)?,
        batch_id: row.get(1)?,
        position: row.get(2)?,
        input_path: PathBuf::from(row.get::<_, String>(3)?),
        input_size: u64::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
        sent_sha256: row.get(5)?,
        request_reference: row.get(6)?,
        external_reference: row.get(7)?,
        state: DocState::parse(&row.get::<_, String>(8)?),
        output_path: row.get::<_, Option<String>>(9)?.map(PathBuf::from),
        operation_id: row.get(10)?,
        error_code: row.get(11)?,
        error_message: row.get(12)?,
        queued_at: row.get(13)?,
        updated_at: row.get(14)?,
    })
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn size_value(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// The journal. Cheap to share behind an `Arc`; each call is one short transaction.
pub struct Journal {
    connection: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// The shared journal of this user (see [`data_dir`]).
    pub fn open_default() -> Result<Self, JournalError> {
        Self::open(&default_path()?)
    }

    /// Opens (creating it and its folder if needed) the journal at `path`.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let open_error = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| open_error(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        }
        let connection = Connection::open(path).map_err(open_error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // WAL: readers (the app's history) never block the writer (a CLI batch), and a commit
        // survives the process being killed. NORMAL sync: durable across process crashes; only a
        // power cut may lose the last commits, and the outputs themselves are fsynced.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        connection.execute_batch(SCHEMA).map_err(open_error)?;
        Ok(Journal {
            connection: Mutex::new(connection),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (transactions roll back).
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a new batch and its documents, all queued; returns the batch id and one document id
    /// per file, in order.
    pub fn begin_batch(
        &self,
        batch: &NewBatch,
        files: &[InputFile],
    ) -> Result<(i64, Vec<i64>), JournalError> {
        let output_json = serde_json::to_string(&batch.output)?;
        let settings_json = serde_json::to_string(&batch.settings)?;
        let now = now_ms();
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        tx.execute(
            "INSERT INTO batch (created_at, environment_id, token_url, api_base, hosted, \
             output_json, settings_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                now,
                batch.environment_id,
                batch.token_url,
                batch.api_base,
                batch.hosted,
                output_json,
                settings_json
            ],
        )?;
        let batch_id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO batch_run (batch_id, pid, started_at) VALUES (?1, ?2, ?3)",
            params![batch_id, std::process::id(), now],
        )?;
        let mut ids = Vec::with_capacity(files.len());
        {
            let mut insert = tx.prepare(
                "INSERT INTO document (batch_id, position, input_path, input_size, state, \
                 queued_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
            )?;
            for (position, file) in files.iter().enumerate() {
                insert.execute(params![
                    batch_id,
                    position as i64,
                    path_text(&file.path),
                    size_value(file.size),
                    now
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok((batch_id, ids))
    }

    /// Notes that this process now works on `batch_id` (its temporary files carry its pid).
    pub fn add_run(&self, batch_id: i64) -> Result<(), JournalError> {
        self.lock().execute(
            "INSERT INTO batch_run (batch_id, pid, started_at) VALUES (?1, ?2, ?3)",
            params![batch_id, std::process::id(), now_ms()],
        )?;
        Ok(())
    }

    /// The references of one request, committed before it is sent.
    pub fn record_sending(
        &self,
        request_reference: &str,
        documents: &[(i64, &str, String)],
    ) -> Result<(), JournalError> {
        let now = now_ms();
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        {
            let mut update = tx.prepare(
                "UPDATE document SET state = 'sending', request_reference = ?2, \
                 external_reference = ?3, sent_sha256 = ?4, updated_at = ?5 WHERE id = ?1",
            )?;
            for (id, reference, sha) in documents {
                update.execute(params![id, request_reference, reference, sha, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn record_saved(
        &self,
        document_id: i64,
        output: &Path,
        operation_id: Option<i64>,
    ) -> Result<(), JournalError> {
        self.lock().execute(
            "UPDATE document SET state = 'saved', output_path = ?2, operation_id = ?3, \
             error_code = NULL, error_message = NULL, updated_at = ?4 WHERE id = ?1",
            params![document_id, path_text(output), operation_id, now_ms()],
        )?;
        Ok(())
    }

    /// A failure is final: the document is not retried by `resume`.
    pub fn record_failed(
        &self,
        document_id: i64,
        reference: Option<&str>,
        code: &str,
        message: &str,
    ) -> Result<(), JournalError> {
        self.set_error(document_id, reference, DocState::Failed, code, message)
    }

    /// Leaves the document to a later `resume`, with the reason it is still open.
    pub fn record_interrupted(
        &self,
        document_id: i64,
        code: &str,
        message: &str,
    ) -> Result<(), JournalError> {
        self.set_error(document_id, None, DocState::Interrupted, code, message)
    }

    fn set_error(
        &self,
        document_id: i64,
        reference: Option<&str>,
        state: DocState,
        code: &str,
        message: &str,
    ) -> Result<(), JournalError> {
        self.lock().execute(
            "UPDATE document SET state = ?2, error_code = ?3, error_message = ?4, \
             external_reference = COALESCE(?5, external_reference), updated_at = ?6 WHERE id = ?1",
            params![
                document_id,
                state.as_str(),
                code,
                message,
                reference,
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Every document of the batch not in an end state becomes interrupted; returns how many.
    pub fn mark_interrupted(&self, batch_id: i64) -> Result<usize, JournalError> {
        Ok(self.lock().execute(
            "UPDATE document SET state = 'interrupted', updated_at = ?2 \
             WHERE batch_id = ?1 AND state IN ('queued', 'sending')",
            params![batch_id, now_ms()],
        )?)
    }

    /// Marks the batch done when no document is left open.
    pub fn finish_batch_if_done(&self, batch_id: i64) -> Result<bool, JournalError> {
        let changed = self.lock().execute(
            "UPDATE batch SET finished_at = ?2 WHERE id = ?1 AND NOT EXISTS \
             (SELECT 1 FROM document WHERE batch_id = ?1 AND state NOT IN ('saved', 'failed'))",
            params![batch_id, now_ms()],
        )?;
        Ok(changed > 0)
    }

    pub fn batch(&self, batch_id: i64) -> Result<BatchRecord, JournalError> {
        let connection = self.lock();
        let row = connection
            .query_row(
                "SELECT id, created_at, environment_id, token_url, api_base, hosted, output_json, \
                 settings_json, finished_at FROM batch WHERE id = ?1",
                params![batch_id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, bool>(5)?,
                        row.get::<_, String>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, Option<i64>>(8)?,
                    ))
                },
            )
            .optional()?
            .ok_or(JournalError::NoSuchBatch(batch_id))?;
        let mut pids = connection.prepare("SELECT pid FROM batch_run WHERE batch_id = ?1")?;
        let pids = pids
            .query_map(params![batch_id], |r| r.get::<_, u32>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BatchRecord {
            id: row.0,
            created_at: row.1,
            environment_id: row.2,
            token_url: row.3,
            api_base: row.4,
            hosted: row.5,
            output: serde_json::from_str(&row.6)?,
            settings: serde_json::from_str(&row.7)?,
            finished_at: row.8,
            pids,
        })
    }

    /// Ids of the batches with documents not in an end state, newest first.
    pub fn unfinished_batches(&self) -> Result<Vec<i64>, JournalError> {
        let connection = self.lock();
        let mut query = connection.prepare(
            "SELECT DISTINCT batch_id FROM document WHERE state NOT IN ('saved', 'failed') \
             ORDER BY batch_id DESC",
        )?;
        let ids = query
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    /// The batch's documents in input order.
    pub fn documents(&self, batch_id: i64) -> Result<Vec<DocumentRecord>, JournalError> {
        let connection = self.lock();
        let mut query = connection.prepare(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM document d WHERE d.batch_id = ?1 ORDER BY d.position"
        ))?;
        let documents = query
            .query_map(params![batch_id], document_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(documents)
    }

    /// The history: documents matching `query`, newest first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryEntry>, JournalError> {
        let mut sql = format!(
            "SELECT {DOCUMENT_COLUMNS}, b.environment_id FROM document d \
             JOIN batch b ON b.id = d.batch_id WHERE 1 = 1"
        );
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let escaped = text
                .trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            values.push(format!("%{escaped}%").into());
            let n = values.len();
            sql.push_str(&format!(
                " AND (d.input_path LIKE ?{n} ESCAPE '\\' OR d.output_path LIKE ?{n} ESCAPE '\\' \
                 OR d.external_reference LIKE ?{n} ESCAPE '\\' OR d.error_message LIKE ?{n} ESCAPE '\\' \
                 OR d.error_code LIKE ?{n} ESCAPE '\\')"
            ));
        }
        if let Some(environment) = &query.environment_id {
            values.push(environment.clone().into());
            sql.push_str(&format!(" AND b.environment_id = ?{}", values.len()));
        }
        if let Some(outcome) = query.outcome {
            sql.push_str(match outcome {
                OutcomeFilter::Saved => " AND d.state = 'saved'",
                OutcomeFilter::Failed => " AND d.state = 'failed'",
                OutcomeFilter::Interrupted => " AND d.state = 'interrupted'",
                OutcomeFilter::Pending => " AND d.state IN ('queued', 'sending')",
            });
        }
        if let Some(since) = query.since {
            values.push(since.into());
            sql.push_str(&format!(" AND d.queued_at >= ?{}", values.len()));
        }
        if let Some(until) = query.until {
            values.push(until.into());
            sql.push_str(&format!(" AND d.queued_at <= ?{}", values.len()));
        }
        if let Some(batch_id) = query.batch_id {
            values.push(batch_id.into());
            sql.push_str(&format!(" AND d.batch_id = ?{}", values.len()));
        }
        sql.push_str(" ORDER BY d.queued_at DESC, d.batch_id DESC, d.position DESC");
        if query.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", query.limit));
        }
        let connection = self.lock();
        let mut statement = connection.prepare(&sql)?;
        let entries = statement
            .query_map(params_from_iter(values), |row| {
                Ok(HistoryEntry {
                    document: document_from_row(row)?,
                    environment_id: row.get(15)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(entries)
    }

    /// Writes the history matching `query` as CSV (header line first); returns the rows written.
    pub fn export_csv(&self, query: &HistoryQuery, out: impl Write) -> Result<usize, JournalError> {
        let entries = self.history(query)?;
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record([
            "queued_at",
            "updated_at",
            "environment",
            "batch",
            "state",
            "input",
            "output",
            "external_reference",
            "operation_id",
            "error_code",
            "error_message",
        ])?;
        for entry in &entries {
            let d = &entry.document;
            writer.write_record([
                rfc3339(d.queued_at),
                rfc3339(d.updated_at),
                entry.environment_id.clone(),
                d.batch_id.to_string(),
                d.state.as_str().to_string(),
                path_text(&d.input_path),
                d.output_path.as_deref().map(path_text).unwrap_or_default(),
                d.external_reference.clone().unwrap_or_default(),
                d.operation_id.map(|i| i.to_string()).unwrap_or_default(),
                d.error_code.clone().unwrap_or_default(),
                d.error_message.clone().unwrap_or_default(),
            ])?;
        }
        writer.flush().map_err(csv::Error::from)?;
        Ok(entries.len())
    }
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Lower-case hexadecimal, as the journal stores digests.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds the batch engine's steps into the journal: `document_ids[i]` is the journal id of the
/// engine's `files[i]`.
pub struct JournalRecorder<'a> {
    pub journal: &'a Journal,
    pub document_ids: Vec<i64>,
}

impl JournalRecorder<'_> {
    fn id(&self, index: usize) -> Option<i64> {
        self.document_ids.get(index).copied()
    }
}

impl Recorder for JournalRecorder<'_> {
    fn sending(
        &self,
        request_reference: &str,
        documents: &[(usize, &str, String)],
    ) -> Result<(), String> {
        let rows = documents
            .iter()
            .filter_map(|(index, reference, sha256)| {
                Some((self.id(*index)?, *reference, sha256.clone()))
            })
            .collect::<Vec<_>>();
        self.journal
            .record_sending(request_reference, &rows)
            .map_err(|e| e.to_string())
    }

    fn saved(&self, index: usize, output: &Path, operation_id: Option<i64>) {
        if let Some(id) = self.id(index) {
            if let Err(e) = self.journal.record_saved(id, output, operation_id) {
                tracing::error!(error = %e, "could not record a saved document in the journal");
            }
        }
    }

    fn failed(&self, index: usize, reference: Option<&str>, failure: &Failure) {
        let Some(id) = self.id(index) else { return };
        // A cancelled document was never sent: it stays open for `resume`, not failed.
        let result = if failure.code == "batch.cancelled" {
            self.journal
                .record_interrupted(id, &failure.code, &failure.message)
        } else {
            self.journal
                .record_failed(id, reference, &failure.code, &failure.message)
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "could not record a failed document in the journal");
        }
    }
}
