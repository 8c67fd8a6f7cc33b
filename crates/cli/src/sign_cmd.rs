//! `signstash sign`: batch-signs files and folders against an environment, headless.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use signstash_core::batch::{self, BatchOptions, Budget, Outcome, SignatureOptions};
use signstash_core::client::SignStashClient;
use signstash_core::credentials::CredentialStore;
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs;
use signstash_core::journal::{Journal, JournalRecorder, NewBatch, OutputSettings, ResumeSettings};
use signstash_core::model::{LocationType, VisibleSignatureInfo};
use signstash_core::output::{NamePattern, OutputDir, OutputWriter, SIGNED_FOLDER};
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{RunningSandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;

#[derive(Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub options: SignOptions,
    /// Folder for the signed files (default: a "Signed" folder beside each original).
    #[arg(long)]
    out: Option<PathBuf>,
    /// One JSON object per document on standard output.
    #[arg(long)]
    json: bool,
    /// PDF and XML files, or folders holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// The service and how to sign: shared by `sign` and `watch`.
#[derive(Args)]
pub struct SignOptions {
    /// Environment: sandbox (a built-in training service, no set-up), staging or production.
    #[arg(long)]
    env: Option<String>,
    /// Token server address (with --api-base, instead of a preset environment).
    #[arg(long, requires = "api_base")]
    token_url: Option<String>,
    /// Business API base: the hosted Integration Service or an on-premise Proxy Client.
    #[arg(long, requires = "token_url")]
    api_base: Option<String>,
    /// Name of each signed file; {stem}, {ext} and {name} come from the original.
    #[arg(long, default_value = "{stem}_signed.{ext}")]
    name_pattern: String,
    /// Reason written in PDF signatures.
    #[arg(long)]
    reason: Option<String>,
    /// Location written in PDF signatures.
    #[arg(long)]
    location: Option<String>,
    /// Add a timestamp from the service's TSA.
    #[arg(long)]
    timestamp: bool,
    /// Visible PDF signature: page=N,x=X,y=Y[,width=W,height=H] in points from the bottom-left.
    #[arg(long, value_parser = parse_visible)]
    visible: Option<VisibleSignatureInfo>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 2)]
    parallel: usize,
    /// Documents per request.
    #[arg(long, default_value_t = 50)]
    batch_size: usize,
    #[command(flatten)]
    network: crate::network_args::NetworkArgs,
    /// Largest input file, in MB.
    #[arg(long, default_value_t = 100)]
    max_file_mb: u64,
    /// Language of messages: pt or en (default: from LANG).
    #[arg(long)]
    lang: Option<String>,
}

impl SignOptions {
    pub fn lang(&self) -> Lang {
        language(self.lang.as_deref())
    }

    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_mb.saturating_mul(1024 * 1024)
    }

    pub fn name_pattern(&self) -> Result<NamePattern, String> {
        NamePattern::new(&self.name_pattern).map_err(|e| e.to_string())
    }

    /// The client for the chosen environment, and the in-process sandbox when it is the one
    /// (keep it alive as long as the client).
    pub async fn client(&self) -> Result<(SignStashClient, Option<RunningSandbox>), String> {
        let (environment, credentials, sandbox) = self.environment().await?;
        Ok((self.client_for(environment, credentials)?, sandbox))
    }

    /// The chosen environment and its credentials (and the in-process sandbox when it is the one).
    pub async fn environment(
        &self,
    ) -> Result<(Environment, Credentials, Option<RunningSandbox>), String> {
        connect(
            self.env.as_deref(),
            self.token_url.as_deref(),
            self.api_base.as_deref(),
        )
        .await
    }

    /// A client for `environment` with the network options of the command line.
    pub fn client_for(
        &self,
        environment: Environment,
        credentials: Credentials,
    ) -> Result<SignStashClient, String> {
        let options = self.network.client_options()?;
        SignStashClient::new(
            environment,
            credentials,
            Arc::new(TokenCache::new()),
            &options,
        )
        .map_err(|e| e.message(self.lang()))
    }

    pub fn batch_options(&self) -> BatchOptions {
        BatchOptions {
            budget: Budget {
                max_documents: self.batch_size.max(1),
                ..Budget::default()
            },
            max_in_flight: self.parallel.max(1),
            signature: SignatureOptions {
                reason: self.reason.clone(),
                location: self.location.clone(),
                timestamp: self.timestamp,
                visible: self.visible.clone(),
                xml: None,
            },
            lang: self.lang(),
            ..BatchOptions::default()
        }
    }
}

fn parse_visible(text: &str) -> Result<VisibleSignatureInfo, String> {
    let mut location = Vec::new();
    let mut area = Vec::new();
    for item in text.split(',') {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("'{item}' is not key=value"))?;
        let key = key.trim().to_ascii_lowercase();
        let number: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("{key}={value} is not a number"))?;
        if number < 0.0 {
            return Err(format!("{key} must not be negative"));
        }
        match key.as_str() {
            "page" | "x" | "y" => location.push(format!("{key}={}", value.trim())),
            "width" | "height" => area.push(format!("{key}={}", value.trim())),
            _ => return Err(format!("unknown key '{key}' (page, x, y, width, height)")),
        }
    }
    if location.len() != 3 {
        return Err("page=, x= and y= are all needed".into());
    }
    Ok(VisibleSignatureInfo {
        location_type: LocationType::Coordinate,
        location_value: location.join(","),
        area: (area.len() == 2).then(|| area.join(",")),
        area_background_color: None,
        font: None,
        template_type: None,
        one_off_template: None,
        image_type: None,
        image_value: None,
    })
}

pub(crate) fn language(flag: Option<&str>) -> Lang {
    let text = flag
        .map(str::to_string)
        .or_else(|| std::env::var("LANG").ok())
        .unwrap_or_default();
    if text.to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Pt
    }
}

/// The environment to use, its credentials, and the in-process sandbox when it is the one.
pub(crate) async fn connect(
    env: Option<&str>,
    token_url: Option<&str>,
    api_base: Option<&str>,
) -> Result<(Environment, Credentials, Option<RunningSandbox>), String> {
    let from_environment = match (
        std::env::var("SIGNSTASH_CLIENT_ID"),
        std::env::var("SIGNSTASH_CLIENT_SECRET"),
    ) {
        (Ok(id), Ok(secret)) if !id.is_empty() => Some(Credentials::new(id, secret)),
        _ => None,
    };
    let saved = |id: &str| -> Result<Option<Credentials>, String> {
        CredentialStore::default()
            .load(id)
            .map_err(|e| e.to_string())
    };
    let missing = |id: &str| {
        format!(
            "no credentials for environment '{id}': run `signstash credentials set --env {id} --client-id ID` \
             or set SIGNSTASH_CLIENT_ID and SIGNSTASH_CLIENT_SECRET"
        )
    };
    if let (Some(token_url), Some(api_base)) = (token_url, api_base) {
        let id = env.unwrap_or("custom").to_string();
        let environment =
            Environment::custom(&id, token_url, api_base).map_err(|e| e.message(Lang::En))?;
        let credentials = match from_environment {
            Some(c) => c,
            None => saved(&id)?.ok_or_else(|| missing(&id))?,
        };
        return Ok((environment, credentials, None));
    }
    match env.unwrap_or("sandbox") {
        "sandbox" => {
            let sandbox = RunningSandbox::start(SandboxConfig::default()).await.map_err(|e| e.to_string())?;
            let environment = Environment::sandbox(&sandbox.base_url()).map_err(|e| e.message(Lang::En))?;
            Ok((environment, Credentials::new("sandbox", "sandbox"), Some(sandbox)))
        }
        id @ ("staging" | "production") => {
            let environment = if id == "staging" { Environment::staging() } else { Environment::production() };
            let credentials = match from_environment {
                Some(c) => c,
                None => saved(id)?.ok_or_else(|| missing(id))?,
            };
            Ok((environment, credentials, None))
        }
        other => Err(format!("unknown environment '{other}': use sandbox, staging or production, or --token-url with --api-base")),
    }
}

pub async fn run(args: SignArgs) -> Result<bool, String> {
    keep_large_buffers_out_of_arenas();
    let lang = args.options.lang();
    let outputs = inputs::OutputFolders {
        paths: args.out.iter().cloned().collect(),
        name: args.out.is_none().then(|| SIGNED_FOLDER.to_string()),
    };
    let listed = inputs::collect(&args.paths, args.options.max_file_bytes(), &outputs);
    for skipped in &listed.skipped {
        eprintln!(
            "{}: {} ({})",
            skipped.path.display(),
            skipped.reason,
            skipped.code
        );
    }
    if listed.files.is_empty() {
        return Err("no PDF or XML documents to sign".into());
    }
    let pattern = args.options.name_pattern()?;
    let folder = match &args.out {
        Some(out) => {
            std::fs::create_dir_all(out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            OutputDir::Fixed(out.clone())
        }
        None => OutputDir::SignedFolderBeside,
    };
    let writer = OutputWriter::new(folder, pattern);
    let options = &args.options;
    let (environment, credentials, _sandbox) = options.environment().await?;
    let batch_options = options.batch_options();
    let journal = Journal::open_default().map_err(|e| e.message(lang))?;
    let new_batch = NewBatch {
        environment_id: environment.id.clone(),
        token_url: environment.token_url.clone(),
        api_base: environment.api_base.clone(),
        hosted: environment.hosted,
        output: OutputSettings {
            folder: args
                .out
                .as_ref()
                .map(|out| out.canonicalize().unwrap_or_else(|_| out.clone())),
            name_pattern: options.name_pattern.clone(),
        },
        settings: ResumeSettings {
            signature: batch_options.signature.clone(),
            max_documents: batch_options.budget.max_documents,
            max_bytes: batch_options.budget.max_bytes,
            max_in_flight: batch_options.max_in_flight,
            lang,
            description: batch_options.description.clone(),
            visible_per_document: batch_options.visible_per_document.clone(),
        },
    };
    // Absolute input paths, so that `resume` finds them from any folder.
    let files: Vec<inputs::InputFile> = listed
        .files
        .iter()
        .map(|f| inputs::InputFile {
            path: std::path::absolute(&f.path).unwrap_or_else(|_| f.path.clone()),
            size: f.size,
        })
        .collect();
    let (batch_id, document_ids) = journal
        .begin_batch(&new_batch, &files)
        .map_err(|e| e.message(lang))?;
    let recorder = JournalRecorder {
        journal: &journal,
        document_ids,
    };
    let client = options.client_for(environment, credentials)?;

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let started = Instant::now();
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let progress = crate::progress::Progress::new(listed.files.len(), args.json);
    let work = async {
        let outcomes = batch::run_recorded(
            &client,
            &writer,
            &files,
            &batch_options,
            &events,
            &cancel,
            Some(&recorder),
        )
        .await;
        drop(events);
        outcomes
    };
    let show = async {
        while let Some(event) = received.recv().await {
            progress.show(&event, &listed.files);
        }
    };
    let (outcomes, ()) = tokio::join!(work, show);
    progress.finish();
    if let Err(e) = journal.finish_batch_if_done(batch_id) {
        tracing::warn!(error = %e, "could not close the batch in the journal");
    }

    let saved = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let failed = outcomes.len() - saved;
    if args.json {
        for outcome in &outcomes {
            println!("{}", outcome_json(outcome));
        }
    }
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    let summary = match lang {
        Lang::Pt => format!(
            "{saved} assinados e gravados, {failed} falharam, {} ignorados ({:.1} documentos/s)",
            listed.skipped.len(),
            saved as f64 / seconds
        ),
        Lang::En => format!(
            "{saved} signed and saved, {failed} failed, {} skipped ({:.1} documents/s)",
            listed.skipped.len(),
            saved as f64 / seconds
        ),
    };
    eprintln!("{summary}");
    Ok(failed == 0 && listed.skipped.is_empty())
}

fn outcome_json(outcome: &Outcome) -> serde_json::Value {
    let common = json!({
        "input": outcome.input,
        "external_reference": outcome.external_reference,
        "operation_id": outcome.operation_id,
    });
    let mut value = common;
    match &outcome.result {
        Ok(output) => {
            value["status"] = json!("saved");
            value["output"] = json!(output);
        }
        Err(failure) => {
            value["status"] = json!("failed");
            value["code"] = json!(failure.code);
            value["message"] = json!(failure.message);
        }
    }
    value
}

/// Signed documents are decoded on one thread and saved on another; with glibc's default dynamic
/// threshold, buffers of tens of MB end up in per-thread arenas and their memory is not given back.
/// A fixed 1 MiB threshold keeps them in their own mappings, returned to the system when freed.
/// Fixing it also fixes the trim threshold at glibc's 128 KiB, so the heap was given back and
/// page-faulted in again for every document's buffers (a profile of 1,000 × 200 KiB showed page
/// faults and the zeroing of fresh pages at ~20 % of the client's CPU): up to 1 MiB of free heap
/// per arena is kept for reuse instead (a few documents' buffers; 4 MiB doubled the peak RSS of
/// 1,000 × 200 KiB, each saving thread's arena keeping its own).
fn keep_large_buffers_out_of_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before any signing starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1024 * 1024);
    }
}
