//! `signstash sandbox`: runs the sandbox until stopped (Ctrl-C or SIGTERM).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use signstash_sandbox::{ClientCredentials, Faults, RunningSandbox, SandboxConfig};

#[derive(Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8085")]
    listen: SocketAddr,
    /// A client service allowed to get tokens, as ID:SECRET (repeatable; default sandbox:sandbox).
    #[arg(long = "client", value_parser = parse_client)]
    clients: Vec<ClientCredentials>,
    /// Folder keeping the generated test CA (default: the user's data folder).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Lifetime of issued tokens (`expires_in`), in seconds.
    #[arg(long, default_value_t = 86_399)]
    token_lifetime: u64,
    /// API requests served at once; one more is answered 429.
    #[arg(long, default_value_t = 8)]
    max_in_flight: usize,
    /// Fault: milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: the next N API requests fail, as STATUS:N with STATUS one of 500, 503, 429, 401, 409.
    #[arg(long, value_parser = parse_fail_next)]
    fail_next: Option<(u16, u32)>,
    /// Fault: tokens expire (409 0.0.10) after this many uses.
    #[arg(long)]
    token_max_uses: Option<u32>,
    /// Fault: the next N documents fail with SIGN_ERROR, as SIGN_ERROR:N.
    #[arg(long, value_parser = parse_document_error)]
    document_error: Option<(String, u32)>,
    /// Fault: the next N sign answers are not valid JSON.
    #[arg(long, default_value_t = 0)]
    malformed_json: u32,
    /// Fault: the next N sign answers carry signedContent that is not base64.
    #[arg(long, default_value_t = 0)]
    invalid_base64: u32,
    /// Fault: the next N sign answers are cut off half-way.
    #[arg(long, default_value_t = 0)]
    truncate: u32,
    /// Fault: the next N sign requests are signed, then the connection is dropped.
    #[arg(long, default_value_t = 0)]
    drop_connection: u32,
    /// Fault: the next N sign answers name documents ../../<name>.
    #[arg(long, default_value_t = 0)]
    unsafe_names: u32,
}

fn parse_client(text: &str) -> Result<ClientCredentials, String> {
    ClientCredentials::parse(text).ok_or_else(|| format!("'{text}' is not ID:SECRET"))
}

fn count_after_colon(text: &str) -> Result<(&str, u32), String> {
    let (head, count) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("'{text}' lacks :N"))?;
    let count = count
        .parse()
        .map_err(|_| format!("'{count}' is not a count"))?;
    Ok((head, count))
}

fn parse_fail_next(text: &str) -> Result<(u16, u32), String> {
    let (status, count) = count_after_colon(text)?;
    let status = status
        .parse()
        .map_err(|_| format!("'{status}' is not an HTTP status"))?;
    if !signstash_sandbox::faults::FAIL_STATUSES.contains(&status) {
        return Err(format!(
            "status {status} is not one of 500, 503, 429, 401, 409"
        ));
    }
    Ok((status, count))
}

fn parse_document_error(text: &str) -> Result<(String, u32), String> {
    let (error, count) = count_after_colon(text)?;
    if !signstash_sandbox::faults::SIGN_ERRORS.contains(&error) {
        return Err(format!(
            "'{error}' is not one of {}",
            signstash_sandbox::faults::SIGN_ERRORS.join(", ")
        ));
    }
    Ok((error.to_string(), count))
}

impl SandboxArgs {
    fn into_config(self) -> SandboxConfig {
        let defaults = SandboxConfig::default();
        let mut faults = Faults {
            latency_ms: self.latency_ms,
            token_max_uses: self.token_max_uses,
            malformed_json_next: self.malformed_json,
            invalid_base64_next: self.invalid_base64,
            truncated_body_next: self.truncate,
            drop_connection_next: self.drop_connection,
            unsafe_name_next: self.unsafe_names,
            ..Faults::default()
        };
        if let Some((status, count)) = self.fail_next {
            faults.fail_status = status;
            faults.fail_next = count;
        }
        if let Some((error, count)) = self.document_error {
            faults.document_sign_error = error;
            faults.document_error_next = count;
        }
        SandboxConfig {
            listen: self.listen,
            data_dir: self.data_dir.unwrap_or(defaults.data_dir),
            clients: if self.clients.is_empty() {
                defaults.clients
            } else {
                self.clients
            },
            token_lifetime_secs: self.token_lifetime,
            max_in_flight: self.max_in_flight.max(1),
            faults,
            ..defaults
        }
    }
}

pub async fn run(args: SandboxArgs) -> Result<(), String> {
    let config = args.into_config();
    let clients: Vec<String> = config.clients.iter().map(|c| c.id.clone()).collect();
    let sandbox = RunningSandbox::start(config)
        .await
        .map_err(|e| e.to_string())?;
    println!("Sign'Stash sandbox (training: signatures are NOT VALID)");
    println!("token URL:        {}", sandbox.token_url());
    println!("API base (hosted): {}", sandbox.hosted_api_base());
    println!("API base (proxy):  {}", sandbox.proxy_api_base());
    println!("CA certificate:   {}", sandbox.ca_cert_path().display());
    println!("clients:          {}", clients.join(", "));
    println!(
        "stats / faults:   {0}/sandbox/stats  {0}/sandbox/faults",
        sandbox.base_url()
    );
    wait_for_stop().await;
    sandbox.stop().await;
    Ok(())
}

async fn wait_for_stop() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
