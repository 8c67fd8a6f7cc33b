//! `signstash`: the command line of Sign'Stash Desk.

mod bench_cmd;
mod credentials_cmd;
mod doctor_cmd;
mod network_args;
mod progress;
mod resume_cmd;
mod sandbox_cmd;
mod sign_cmd;
mod watch_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "signstash",
    version,
    about = "Sign documents with Multicert's Sign'Stash service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign PDF and XML files (or folders of them); exits 0 only when every document was saved.
    Sign(Box<sign_cmd::SignArgs>),
    /// Finish a batch that was interrupted (crash, kill, power cut) without signing anything twice.
    Resume(resume_cmd::ResumeArgs),
    /// Save, delete or check an environment's credentials in the system keyring.
    Credentials(credentials_cmd::CredentialsArgs),
    /// Check the connection to Sign'Stash step by step and explain what is wrong (--bundle: for support).
    Doctor(Box<doctor_cmd::DoctorArgs>),
    /// Run a local look-alike of Sign'Stash (token server + API) that signs with a test CA.
    Sandbox(Box<sandbox_cmd::SandboxArgs>),
    /// Watch a folder: sign each file that arrives, move originals to a backup folder.
    Watch(Box<watch_cmd::WatchArgs>),
    /// Measure our engine against the reference-client shape and the sandbox's own limit.
    Bench(Box<bench_cmd::BenchArgs>),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SIGNSTASH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("signstash: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sign(args) => on_a_worker(sign_cmd::run(*args)).await,
            Command::Resume(args) => on_a_worker(resume_cmd::run(args)).await,
            Command::Doctor(args) => doctor_cmd::run(*args).await,
            Command::Credentials(args) => credentials_cmd::run(args).map(|()| true),
            Command::Sandbox(args) => sandbox_cmd::run(*args).await.map(|()| true),
            Command::Watch(args) => on_a_worker(watch_cmd::run(*args)).await,
            Command::Bench(args) => bench_cmd::run(*args).await,
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("signstash: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command that drives the batch engine on one of the runtime's worker threads rather than
/// on the main thread, which `block_on` would poll it from. The engine's tasks and the HTTP
/// connections' tasks then wake each other on the same worker instead of across threads: 27 %
/// fewer voluntary context switches for 1,000 × 200 KiB at 0 ms (BENCHMARKS.md, session 12).
async fn on_a_worker<F>(command: F) -> Result<bool, String>
where
    F: std::future::Future<Output = Result<bool, String>> + Send + 'static,
{
    tokio::spawn(command)
        .await
        .unwrap_or_else(|e| Err(format!("internal error: {e}")))
}
