//! The HTTP layer under the client: options, building the reqwest client (no redirects, proxy,
//! extra roots), and reading an answer whole but bounded.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::StatusCode;
use url::Url;

use crate::classify;
use crate::error::{SignStashError, UrlField};
use crate::network::proxy::{self, normalise_proxy_url, ProxyCredentials};
use crate::network::tls::{self, CertificateRecorder};

/// Which proxy the client goes through.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment, if set.
    #[default]
    System,
    /// Straight to the server, whatever the environment says.
    Direct,
    /// Through this proxy (e.g. `http://proxy.local:3128`, or `proxy.local:3128`), for every
    /// request. Its user and password go in [`ClientOptions::proxy_credentials`] (or in the URL).
    Url(String),
}

// A proxy URL may carry `user:password@`: Debug shows it without them.
impl std::fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::System => f.write_str("System"),
            Self::Direct => f.write_str("Direct"),
            Self::Url(text) => {
                let shown = Url::parse(text)
                    .map(|mut url| {
                        let _ = url.set_username("");
                        let _ = url.set_password(None);
                        url.to_string()
                    })
                    .unwrap_or_else(|_| "<unparsable>".into());
                f.debug_tuple("Url").field(&shown).finish()
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// For a whole exchange, answer included. Signing is synchronous and a batch of 100
    /// documents can take a while, so this is generous.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest answer read; a bigger one is refused (`answer.too_large`) rather than held in memory.
    pub max_answer_bytes: u64,
    /// A sign answer up to this size (by Content-Length) is read whole and parsed in place (less
    /// CPU); a larger one, or one of unknown size, is parsed as it arrives (bounded memory).
    pub read_whole_answer_max_bytes: u64,
    pub proxy: ProxySetting,
    /// User and password for a [`ProxySetting::Url`] proxy that asks for them.
    pub proxy_credentials: Option<ProxyCredentials>,
    /// Extra trusted roots (PEM), e.g. a company proxy's or an on-premise Proxy Client's; added to
    /// the operating system's roots (see [`crate::network::tls`]).
    pub extra_root_certificates_pem: Vec<Vec<u8>>,
    /// Notes the certificate each server presents (for the diagnosis: naming the issuer).
    pub certificate_recorder: Option<CertificateRecorder>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(15),
            max_answer_bytes: 1024 * 1024 * 1024,
            read_whole_answer_max_bytes: 16 * 1024 * 1024,
            proxy: ProxySetting::System,
            proxy_credentials: None,
            extra_root_certificates_pem: Vec::new(),
            certificate_recorder: None,
        }
    }
}

/// A status, the headers that matter and the whole body of one HTTP answer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn retry_after_secs(&self) -> Option<u64> {
        self.headers
            .get(RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    pub(crate) fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION)?.to_str().ok()
    }
}

/// The reqwest client for these options.
pub(crate) fn build(options: &ClientOptions) -> Result<reqwest::Client, SignStashError> {
    // Redirects are never followed: a token request re-sent elsewhere would carry the secret
    // to another host, and a sign request the documents.
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .user_agent(concat!("signstash-desk/", env!("CARGO_PKG_VERSION")));
    builder = match &options.proxy {
        // reqwest reads the environment variables itself; without them, the desktop's setting.
        ProxySetting::System if proxy::env_proxy_set() => builder,
        ProxySetting::System => match proxy::desktop_proxy() {
            Some(desktop) => desktop_proxies(builder, &desktop)?,
            None => builder,
        },
        ProxySetting::Direct => builder.no_proxy(),
        ProxySetting::Url(proxy) => {
            let mut proxy = reqwest::Proxy::all(normalise_proxy_url(proxy)).map_err(|e| {
                SignStashError::InvalidUrl {
                    field: UrlField::Proxy,
                    reason: e.to_string(),
                }
            })?;
            if let Some(credentials) = &options.proxy_credentials {
                proxy = proxy.basic_auth(&credentials.username, credentials.password.expose());
            }
            builder.proxy(proxy)
        }
    };
    // Some proxies (tinyproxy) forward an answer as keep-alive and then close the connection: a
    // pooled one would fail the next request. A fresh connection per request costs a round trip,
    // nothing beside a signing request.
    if proxy::may_use_proxy(&options.proxy) {
        builder = builder.pool_max_idle_per_host(0);
    }
    // Our own rustls configuration: the OS roots plus the extra ones (reqwest alone would use
    // Mozilla's list and ignore a CA that IT installed).
    let tls = tls::client_config(
        &options.extra_root_certificates_pem,
        options.certificate_recorder.as_ref(),
    )?;
    builder = builder.use_preconfigured_tls(tls);
    builder
        .build()
        .map_err(|e| SignStashError::HttpClient(e.to_string()))
}

/// The desktop's manual proxy, one per scheme, with its ignored hosts going direct.
fn desktop_proxies(
    mut builder: reqwest::ClientBuilder,
    desktop: &proxy::DesktopProxy,
) -> Result<reqwest::ClientBuilder, SignStashError> {
    let invalid = |e: reqwest::Error| SignStashError::InvalidUrl {
        field: UrlField::Proxy,
        reason: e.to_string(),
    };
    let direct = reqwest::NoProxy::from_string(&desktop.ignore_hosts.join(","));
    if let Some(url) = &desktop.http {
        builder = builder.proxy(
            reqwest::Proxy::http(url.as_str())
                .map_err(invalid)?
                .no_proxy(direct.clone()),
        );
    }
    if let Some(url) = &desktop.https {
        builder = builder.proxy(
            reqwest::Proxy::https(url.as_str())
                .map_err(invalid)?
                .no_proxy(direct),
        );
    }
    Ok(builder)
}

/// Reads the whole body, refusing more than `max_answer_bytes`.
pub(crate) async fn read(
    mut response: reqwest::Response,
    host: &str,
    limit: u64,
) -> Result<Answer, SignStashError> {
    // A proxy refusing credentials (tinyproxy, for one) may reset the connection right after its
    // 407 headers; the status is the whole answer, so the body is not read.
    if response.status() == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return Err(SignStashError::ProxyAuth);
    }
    let too_large = SignStashError::AnswerTooLarge { limit_bytes: limit };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large);
    }
    let body = read_body(&mut response, host, limit, Vec::new()).await?;
    Ok(Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: Bytes::from(body),
    })
}

/// The body of `response` appended to `buffer` (cleared first), refused past `limit` bytes.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    host: &str,
    limit: u64,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, SignStashError> {
    let too_large = SignStashError::AnswerTooLarge { limit_bytes: limit };
    let capacity = response.content_length().unwrap_or(0).min(64 * 1024 * 1024);
    buffer.clear();
    buffer.reserve(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify::transport(&e, host))?
    {
        if (buffer.len() + chunk.len()) as u64 > limit {
            return Err(too_large);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer)
}

pub(crate) fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
        })
        .unwrap_or_else(|| "?".into())
}

/// The path of a URL for logs (no query: nothing secret travels there, but keep logs small).
pub(crate) fn path_of(url: &str) -> String {
    Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}
