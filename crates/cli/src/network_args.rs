//! The network options shared by `sign`, `resume` and `doctor`: proxy (and its credentials) and extra CAs.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::Args;
use signstash_core::client::{ClientOptions, ProxySetting};
use signstash_core::credentials::CredentialStore;
use signstash_core::network::proxy::ProxyCredentials;

/// Where the proxy password is read from when `--proxy-user` is given (never the command line).
pub const PROXY_PASSWORD_VAR: &str = "SIGNSTASH_PROXY_PASSWORD";

#[derive(Args, Clone, Debug)]
pub struct NetworkArgs {
    /// HTTP proxy: "system" (HTTP(S)_PROXY / NO_PROXY), "none", or host:port / http://host:port.
    #[arg(long, default_value = "system")]
    pub proxy: String,
    /// User for a proxy that asks for one. The password comes from SIGNSTASH_PROXY_PASSWORD, else
    /// the system keyring (`signstash credentials set-proxy`), else a prompt.
    #[arg(long)]
    pub proxy_user: Option<String>,
    /// Extra trusted CA certificate (PEM file), e.g. the company's or a Proxy Client's; repeatable.
    #[arg(long = "ca-cert")]
    pub ca_certs: Vec<PathBuf>,
}

impl NetworkArgs {
    pub fn proxy_setting(&self) -> ProxySetting {
        match self.proxy.trim() {
            "system" | "" => ProxySetting::System,
            "none" | "direct" => ProxySetting::Direct,
            url => ProxySetting::Url(url.to_string()),
        }
    }

    /// The client options these flags ask for (proxy password and CA files read here).
    pub fn client_options(&self) -> Result<ClientOptions, String> {
        let mut extra = Vec::new();
        for path in &self.ca_certs {
            extra.push(
                std::fs::read(path).map_err(|e| {
                    format!("cannot read the CA certificate {}: {e}", path.display())
                })?,
            );
        }
        Ok(ClientOptions {
            proxy: self.proxy_setting(),
            proxy_credentials: self.proxy_credentials()?,
            extra_root_certificates_pem: extra,
            ..ClientOptions::default()
        })
    }

    fn proxy_credentials(&self) -> Result<Option<ProxyCredentials>, String> {
        let Some(user) = &self.proxy_user else {
            return Ok(None);
        };
        if let Ok(password) = std::env::var(PROXY_PASSWORD_VAR) {
            return Ok(Some(ProxyCredentials::new(user.clone(), password)));
        }
        if let Ok(Some(saved)) = CredentialStore::default().load_proxy() {
            if &saved.username == user {
                return Ok(Some(saved));
            }
        }
        Ok(Some(ProxyCredentials::new(
            user.clone(),
            read_password("Proxy password: ")?,
        )))
    }
}

/// A password from a prompt, or the first line of standard input when it is not a terminal.
pub fn read_password(prompt: &str) -> Result<String, String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        return Err("the password is empty".into());
    }
    Ok(password)
}
