//! Logs: stderr, plus a daily-rotating file in the app's log folder (7 files kept) once the
//! folder is known. Secrets never reach a log: the core's secret and token types print as
//! `<redacted>`, and commands log environment ids, never credentials.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

pub const LOG_FILE_PREFIX: &str = "signstash-desk";

fn filter() -> EnvFilter {
    // `RUST_LOG` overrides the default level (e.g. `RUST_LOG=signstash_desk=debug`).
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs stderr + rotating file logging; returns the guard that flushes the file on exit.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let file = std::fs::create_dir_all(log_dir).ok().and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(LOG_FILE_PREFIX)
            .filename_suffix("log")
            .max_log_files(7)
            .build(log_dir)
            .ok()
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (
                Some(
                    fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer)
                        .with_filter(filter()),
                ),
                Some(guard),
            )
        }
        None => (None, None),
    };
    // `try_init`: a second call (tests, embedding) must not panic.
    let _ = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter()),
        )
        .with(file_layer)
        .try_init();
    tracing::info!(dir = %log_dir.display(), "logging to file");
    guard
}
