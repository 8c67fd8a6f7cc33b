//! `signstash resume`: finishes the newest interrupted batch (or `--batch ID`) from the journal.

use std::sync::Arc;

use clap::Args;
use signstash_core::client::SignStashClient;
use signstash_core::error::Lang;
use signstash_core::inputs::InputFile;
use signstash_core::journal::{DocState, Journal};
use signstash_core::resume::{self, ResumeError, ResumeOptions};
use signstash_core::token::TokenCache;
use tokio_util::sync::CancellationToken;

use crate::network_args::NetworkArgs;
use crate::sign_cmd::{connect, language};

#[derive(Args)]
pub struct ResumeArgs {
    /// Environment id (staging, production, or the id given to --token-url/--api-base).
    #[arg(long)]
    env: Option<String>,
    /// Token server address (with --api-base; default: the one the batch was signed with).
    #[arg(long, requires = "api_base")]
    token_url: Option<String>,
    /// Business API base (with --token-url; default: the one the batch was signed with).
    #[arg(long, requires = "token_url")]
    api_base: Option<String>,
    /// The batch to resume (default: the newest one left unfinished on this API base).
    #[arg(long)]
    batch: Option<i64>,
    /// How long to wait, in seconds, for a request the service was still processing.
    #[arg(long, default_value_t = 120)]
    settle_secs: u64,
    #[command(flatten)]
    network: NetworkArgs,
    /// Language of messages: pt or en (default: from LANG).
    #[arg(long)]
    lang: Option<String>,
    /// The report as one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: ResumeArgs) -> Result<bool, String> {
    let lang = language(args.lang.as_deref());
    let journal = Journal::open_default().map_err(|e| e.message(lang))?;
    let batch_id = match args.batch {
        Some(id) => id,
        None => resume::latest_unfinished(&journal, args.api_base.as_deref())
            .and_then(|found| found.ok_or(ResumeError::NothingToResume))
            .map_err(|e| e.message(lang))?,
    };
    let batch = journal.batch(batch_id).map_err(|e| e.message(lang))?;
    let env = args
        .env
        .clone()
        .unwrap_or_else(|| batch.environment_id.clone());
    let (token_url, api_base) = match (&args.token_url, &args.api_base) {
        (Some(t), Some(a)) => (t.clone(), a.clone()),
        _ if env == "staging" || env == "production" => (String::new(), String::new()),
        _ => (batch.token_url.clone(), batch.api_base.clone()),
    };
    let (environment, credentials, _sandbox) = if token_url.is_empty() {
        connect(Some(&env), None, None).await?
    } else {
        connect(Some(&env), Some(&token_url), Some(&api_base)).await?
    };
    let options = args.network.client_options()?;
    let client = SignStashClient::new(
        environment,
        credentials,
        Arc::new(TokenCache::new()),
        &options,
    )
    .map_err(|e| e.message(lang))?;

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let documents = journal.documents(batch_id).map_err(|e| e.message(lang))?;
    let files: Vec<InputFile> = documents
        .iter()
        .map(|d| InputFile {
            path: d.input_path.clone(),
            size: d.input_size,
        })
        .collect();
    let open = documents.iter().filter(|d| !d.state.is_final()).count();
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let progress = crate::progress::Progress::new(open, args.json);
    let resume_options = ResumeOptions {
        settle: std::time::Duration::from_secs(args.settle_secs),
        lang: Some(lang),
    };
    let work = async {
        let report = resume::run(
            &journal,
            batch_id,
            &client,
            &resume_options,
            &events,
            &cancel,
        )
        .await;
        drop(events);
        report
    };
    let show = async {
        while let Some(event) = received.recv().await {
            progress.show(&event, &files);
        }
    };
    let (report, ()) = tokio::join!(work, show);
    progress.finish();
    let report = report.map_err(|e| e.message(lang))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    }
    let summary = match lang {
        Lang::Pt => format!(
            "lote {}: {} interrompidos, {} ficheiros temporários removidos; {} recuperados do serviço sem nova assinatura, {} reenviados, {} assinados agora, {} assinados mas irrecuperáveis; total {} gravados, {} falharam, {} por concluir",
            report.batch_id, report.interrupted, report.temp_files_removed, report.recovered, report.resent, report.sent_now, report.signed_not_retrievable, report.saved, report.failed, report.still_open
        ),
        Lang::En => format!(
            "batch {}: {} interrupted, {} temporary files removed; {} recovered from the service without signing again, {} resent, {} signed now, {} signed but not retrievable; in all {} saved, {} failed, {} still open",
            report.batch_id, report.interrupted, report.temp_files_removed, report.recovered, report.resent, report.sent_now, report.signed_not_retrievable, report.saved, report.failed, report.still_open
        ),
    };
    eprintln!("{summary}");
    let failed_now = journal
        .documents(batch_id)
        .map_err(|e| e.message(lang))?
        .into_iter()
        .filter(|d| d.state != DocState::Saved)
        .count();
    Ok(failed_now == 0)
}
