//! The batch journal: what it records, its history queries and CSV export, and two connections
//! (as the app and the CLI would hold) writing at once.

use std::path::PathBuf;

use signstash_core::batch::{Failure, Recorder};
use signstash_core::inputs::InputFile;
use signstash_core::journal::{
    sha256_hex, DocState, HistoryQuery, Journal, JournalRecorder, NewBatch, OutcomeFilter,
    OutputSettings, ResumeSettings,
};

fn new_batch(environment: &str) -> NewBatch {
    NewBatch {
        environment_id: environment.into(),
        token_url: "http://127.0.0.1:1/oauth/token".into(),
        api_base: "http://127.0.0.1:1/signstash/einvoice-integration-ws/".into(),
        hosted: true,
        output: OutputSettings {
            folder: Some("/tmp/out".into()),
            name_pattern: "{stem}_signed.{ext}".into(),
        },
        settings: ResumeSettings {
            max_documents: 7,
            ..ResumeSettings::default()
        },
    }
}

fn files(names: &[&str]) -> Vec<InputFile> {
    names
        .iter()
        .map(|n| InputFile {
            path: PathBuf::from(format!("/data/{n}")),
            size: 100,
        })
        .collect()
}

#[test]
fn records_each_step_and_reopens_from_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sub/journal.sqlite3");
    let journal = Journal::open(&path).expect("open");
    let (batch, ids) = journal
        .begin_batch(&new_batch("sandbox"), &files(&["a.pdf", "b.pdf", "c.xml"]))
        .expect("begin");
    let recorder = JournalRecorder {
        journal: &journal,
        document_ids: ids.clone(),
    };
    recorder
        .sending(
            "ssd-req",
            &[
                (0, "ssd-req-0", sha256_hex(b"aaa")),
                (1, "ssd-req-1", sha256_hex(b"bbb")),
            ],
        )
        .expect("sending");
    recorder.saved(0, &PathBuf::from("/tmp/out/a_signed.pdf"), Some(42));
    recorder.failed(
        1,
        Some("ssd-req-1"),
        &Failure {
            code: "sign.TIMESTAMP_SIGN_ERROR".into(),
            message: "The timestamp could not be added.".into(),
        },
    );
    drop(recorder);
    drop(journal);

    let journal = Journal::open(&path).expect("reopen");
    let record = journal.batch(batch).expect("batch");
    assert_eq!(record.settings.max_documents, 7);
    assert_eq!(record.pids, vec![std::process::id()]);
    assert_eq!(
        journal.unfinished_batches().expect("open batches"),
        vec![batch]
    );
    let docs = journal.documents(batch).expect("documents");
    assert_eq!(
        docs.iter().map(|d| d.state).collect::<Vec<_>>(),
        [DocState::Saved, DocState::Failed, DocState::Queued]
    );
    assert_eq!(docs[0].operation_id, Some(42));
    assert_eq!(docs[0].external_reference.as_deref(), Some("ssd-req-0"));
    assert_eq!(
        docs[0].sent_sha256.as_deref(),
        Some("9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0")
    );
    assert_eq!(
        docs[1].error_code.as_deref(),
        Some("sign.TIMESTAMP_SIGN_ERROR")
    );
    assert_eq!(docs[2].external_reference, None);

    assert_eq!(journal.mark_interrupted(batch).expect("interrupt"), 1);
    assert!(!journal.finish_batch_if_done(batch).expect("finish"));
    journal
        .record_failed(ids[2], None, "input.unreadable", "gone")
        .expect("fail");
    assert!(journal.finish_batch_if_done(batch).expect("finish"));
    assert!(journal
        .unfinished_batches()
        .expect("open batches")
        .is_empty());
}

#[test]
fn history_filters_newest_first_and_exports_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Journal::open(&dir.path().join("j.sqlite3")).expect("open");
    let (first, first_ids) = journal
        .begin_batch(
            &new_batch("staging"),
            &files(&["fatura_1.pdf", "fatura_2.pdf"]),
        )
        .expect("begin");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let (second, second_ids) = journal
        .begin_batch(&new_batch("production"), &files(&["recibo_100%.pdf"]))
        .expect("begin");
    journal
        .record_saved(
            first_ids[0],
            &PathBuf::from("/out/fatura_1_signed.pdf"),
            Some(1),
        )
        .expect("saved");
    journal
        .record_failed(
            first_ids[1],
            Some("ssd-x-1"),
            "verify.digest_mismatch",
            "Not what was sent",
        )
        .expect("failed");

    let all = journal.history(&HistoryQuery::default()).expect("history");
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].document.batch_id, second, "newest batch first");
    assert_eq!(all[0].environment_id, "production");

    let query = |q: HistoryQuery| -> Vec<String> {
        journal
            .history(&q)
            .expect("history")
            .into_iter()
            .map(|e| e.document.input_path.display().to_string())
            .collect()
    };
    assert_eq!(
        query(HistoryQuery {
            text: Some("FATURA".into()),
            ..Default::default()
        }),
        ["/data/fatura_2.pdf", "/data/fatura_1.pdf"]
    );
    // % and _ are literal characters in a search, not wildcards.
    assert_eq!(
        query(HistoryQuery {
            text: Some("100%".into()),
            ..Default::default()
        }),
        ["/data/recibo_100%.pdf"]
    );
    assert!(query(HistoryQuery {
        text: Some("tur_".into()),
        ..Default::default()
    })
    .is_empty());
    assert_eq!(
        query(HistoryQuery {
            text: Some("digest".into()),
            ..Default::default()
        }),
        ["/data/fatura_2.pdf"]
    );
    assert_eq!(
        query(HistoryQuery {
            environment_id: Some("staging".into()),
            outcome: Some(OutcomeFilter::Saved),
            ..Default::default()
        }),
        ["/data/fatura_1.pdf"]
    );
    assert_eq!(
        query(HistoryQuery {
            outcome: Some(OutcomeFilter::Pending),
            ..Default::default()
        }),
        ["/data/recibo_100%.pdf"]
    );
    let second_time = journal.documents(second).expect("docs")[0].queued_at;
    assert_eq!(
        query(HistoryQuery {
            until: Some(second_time - 1),
            limit: 1,
            ..Default::default()
        }),
        ["/data/fatura_2.pdf"]
    );
    assert_eq!(
        query(HistoryQuery {
            since: Some(second_time),
            ..Default::default()
        }),
        ["/data/recibo_100%.pdf"]
    );
    assert_eq!(second_ids.len(), 1);
    let _ = first;

    let mut csv = Vec::new();
    let rows = journal
        .export_csv(&HistoryQuery::default(), &mut csv)
        .expect("csv");
    assert_eq!(rows, 3);
    let text = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("queued_at,updated_at,environment,batch,state,input"));
    assert!(
        lines[2].contains(
            ",failed,/data/fatura_2.pdf,,ssd-x-1,,verify.digest_mismatch,Not what was sent"
        ),
        "{}",
        lines[2]
    );
    assert!(
        lines[1].contains("T") && lines[1].contains("Z,"),
        "RFC 3339 times: {}",
        lines[1]
    );
}

#[test]
fn two_connections_write_at_once_without_busy_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shared.sqlite3");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let journal = Journal::open(&path).expect("open");
                for n in 0..25 {
                    let name = format!("w{w}-{n}.pdf");
                    let (_, ids) = journal
                        .begin_batch(&new_batch("sandbox"), &files(&[&name]))
                        .expect("begin under contention");
                    journal
                        .record_saved(ids[0], &PathBuf::from(format!("/out/{name}")), None)
                        .expect("saved under contention");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread");
    }
    let journal = Journal::open(&path).expect("open");
    let saved = journal
        .history(&HistoryQuery {
            outcome: Some(OutcomeFilter::Saved),
            ..Default::default()
        })
        .expect("history");
    assert_eq!(saved.len(), 100);
    assert_eq!(journal_mode(&path), "wal");
}

/// The journal mode as another SQLite client sees it.
fn journal_mode(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sqlite3")
        .arg(path)
        .arg("PRAGMA journal_mode;")
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        // No sqlite3 shell: the WAL file beside the database says the same.
        _ => {
            if path.with_extension("sqlite3-wal").exists() {
                "wal".into()
            } else {
                "unknown".into()
            }
        }
    }
}
