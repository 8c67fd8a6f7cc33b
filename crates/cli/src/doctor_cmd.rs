//! `signstash doctor`: checks, step by step, that this computer can reach and use Sign'Stash, and
//! says in plain words what is wrong; `--bundle FILE.zip` also writes the diagnostics for support.

use std::path::PathBuf;

use clap::Args;
use signstash_core::credentials::CredentialStore;
use signstash_core::network::bundle::{self, BundleSources};
use signstash_core::network::doctor::{self, DoctorReport};

use crate::network_args::NetworkArgs;
use crate::sign_cmd::{connect, language};

#[derive(Args)]
pub struct DoctorArgs {
    /// Environment: sandbox, staging or production (default: those with saved credentials).
    #[arg(long)]
    env: Option<String>,
    /// Token server address (with --api-base, instead of a preset environment).
    #[arg(long, requires = "api_base")]
    token_url: Option<String>,
    /// Business API base: the hosted Integration Service or an on-premise Proxy Client.
    #[arg(long, requires = "token_url")]
    api_base: Option<String>,
    #[command(flatten)]
    network: NetworkArgs,
    /// Language of the explanations: pt or en (default: from LANG).
    #[arg(long)]
    lang: Option<String>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also write a diagnostics bundle (versions, settings without secrets, this report, recent
    /// logs) to this zip file, for IT or Multicert support. An existing file is not replaced.
    #[arg(long)]
    bundle: Option<PathBuf>,
}

/// Which environments to check: the one asked for, else every preset with saved credentials.
fn environments(args: &DoctorArgs) -> Result<Vec<Option<String>>, String> {
    if args.env.is_some() || args.token_url.is_some() {
        return Ok(vec![args.env.clone()]);
    }
    let store = CredentialStore::default();
    let saved: Vec<Option<String>> = ["staging", "production"]
        .into_iter()
        .filter(|id| matches!(store.load(id), Ok(Some(_))))
        .map(|id| Some(id.to_string()))
        .collect();
    if saved.is_empty() {
        return Err(
            "no environment has saved credentials: use --env sandbox|staging|production, \
             or --token-url with --api-base"
                .into(),
        );
    }
    Ok(saved)
}

pub async fn run(args: DoctorArgs) -> Result<bool, String> {
    let lang = language(args.lang.as_deref());
    let options = args.network.client_options()?;
    let mut reports: Vec<DoctorReport> = Vec::new();
    for env in environments(&args)? {
        let (environment, credentials, _sandbox) = connect(
            env.as_deref(),
            args.token_url.as_deref(),
            args.api_base.as_deref(),
        )
        .await?;
        let report = doctor::diagnose(&environment, &credentials, &options, lang).await;
        if !args.json {
            println!("{}", bundle::report_text(&report));
        }
        reports.push(report);
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).map_err(|e| e.to_string())?
        );
    }
    if let Some(path) = &args.bundle {
        let sources =
            BundleSources::default_locations(concat!("signstash-cli ", env!("CARGO_PKG_VERSION")));
        let proxy_password = options
            .proxy_credentials
            .as_ref()
            .map(|c| c.password.expose().to_string());
        let redact: Vec<&str> = proxy_password.iter().map(String::as_str).collect();
        let summary = bundle::write_bundle(path, &reports, &sources, &redact, false)
            .map_err(|e| e.to_string())?;
        eprintln!(
            "diagnostics written to {} ({})",
            summary.path.display(),
            summary.entries.join(", ")
        );
    }
    Ok(reports.iter().all(|r| r.passed))
}
