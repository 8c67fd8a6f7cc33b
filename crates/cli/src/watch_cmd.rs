//! `signstash watch`: the watch folder, headless. Runs until interrupted (Ctrl+C or SIGTERM), one
//! line per file on standard error.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use signstash_core::error::Lang;
use signstash_core::watch::{self, ActivityOutcome, WatchConfig};
use tokio_util::sync::CancellationToken;

use crate::sign_cmd::SignOptions;

#[derive(Args)]
pub struct WatchArgs {
    /// Folder to watch: each file that appears here is signed once it has stopped growing.
    #[arg(long = "in")]
    input: PathBuf,
    /// Folder for the signed files and for `<name>.error.txt` when a file cannot be signed.
    #[arg(long)]
    out: PathBuf,
    /// Folder the originals are moved to (signed or not); nothing there is ever overwritten.
    #[arg(long)]
    backup: PathBuf,
    /// Seconds a file's size and time must stay unchanged before it is taken.
    #[arg(long, default_value_t = 2.0)]
    settle: f64,
    /// Seconds between full rescans of the input folder (besides change notifications).
    #[arg(long, default_value_t = 30.0)]
    rescan: f64,
    /// State file (default: one per input folder in the app's data folder).
    #[arg(long)]
    state: Option<PathBuf>,
    #[command(flatten)]
    options: SignOptions,
}

fn seconds(value: f64, name: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("--{name} must be a positive number of seconds"))
}

pub async fn run(args: WatchArgs) -> Result<bool, String> {
    let lang = args.options.lang();
    let mut config = WatchConfig::new(args.input.clone(), args.out.clone(), args.backup.clone());
    config.name_pattern = args.options.name_pattern()?;
    config.batch = args.options.batch_options();
    config.max_file_bytes = args.options.max_file_bytes();
    config.settle = seconds(args.settle, "settle")?;
    config.rescan = seconds(args.rescan, "rescan")?;
    config.state_file = args.state.clone();
    let (client, _sandbox) = args.options.client().await?;

    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        stop_signal().await;
        on_signal.cancel();
    });
    let (reports, _status, mut activity) = watch::reports();
    let show = tokio::spawn(async move {
        while let Some(a) = activity.recv().await {
            let line = match (&a.outcome, lang) {
                (ActivityOutcome::Signed { output, .. }, Lang::Pt) => {
                    format!("assinado: {} -> {}", a.file, output.display())
                }
                (ActivityOutcome::Signed { output, .. }, Lang::En) => {
                    format!("signed: {} -> {}", a.file, output.display())
                }
                (ActivityOutcome::Recovered { output, .. }, Lang::Pt) => format!(
                    "já estava assinado (recuperado do serviço): {} -> {}",
                    a.file,
                    output.display()
                ),
                (ActivityOutcome::Recovered { output, .. }, Lang::En) => format!(
                    "already signed (fetched from the service): {} -> {}",
                    a.file,
                    output.display()
                ),
                (ActivityOutcome::Failed { code, message, .. }, Lang::Pt) => {
                    format!("falhou: {}: {message} ({code})", a.file)
                }
                (ActivityOutcome::Failed { code, message, .. }, Lang::En) => {
                    format!("failed: {}: {message} ({code})", a.file)
                }
            };
            eprintln!("{line}");
        }
    });
    eprintln!(
        "{} {}",
        if lang == Lang::Pt {
            "A vigiar"
        } else {
            "Watching"
        },
        args.input.display()
    );
    let result = watch::run(config, client, reports, cancel).await;
    let _ = show.await;
    result.map(|()| true).map_err(|e| e.message(lang))
}

/// Ctrl+C, or SIGTERM (a service manager or `kill` stopping it).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
