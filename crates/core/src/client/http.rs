//! The HTTP layer under the client: options, building the reqwest client (no redirects, proxy,
//! extra roots), and reading an answer whole but bounded.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::StatusCode;
use url::Url;

use crate::classify;
use crate::error::{SignStashError, UrlField};

/// Which proxy the client goes through.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment, if set.
    #[default]
    System,
    /// Straight to the server, whatever the environment says.
    Direct,
    /// Through this proxy (e.g. `http://proxy.local:3128`), for every request.
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
    /// Extra trusted roots (PEM), e.g. a company proxy's or an on-premise Proxy Client's.
    pub extra_root_certificates_pem: Vec<Vec<u8>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(15),
            max_answer_bytes: 1024 * 1024 * 1024,
            read_whole_answer_max_bytes: 16 * 1024 * 1024,
            proxy: ProxySetting::System,
            extra_root_certificates_pem: Vec::new(),
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
        ProxySetting::System => builder,
        ProxySetting::Direct => builder.no_proxy(),
        ProxySetting::Url(proxy) => {
            let proxy =
                reqwest::Proxy::all(proxy.as_str()).map_err(|e| SignStashError::InvalidUrl {
                    field: UrlField::Proxy,
                    reason: e.to_string(),
                })?;
            builder.proxy(proxy)
        }
    };
    for pem in &options.extra_root_certificates_pem {
        let certificate = reqwest::Certificate::from_pem(pem)
            .map_err(|e| SignStashError::HttpClient(format!("root certificate: {e}")))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| SignStashError::HttpClient(e.to_string()))
}

/// Reads the whole body, refusing more than `max_answer_bytes`.
pub(crate) async fn read(
    mut response: reqwest::Response,
    host: &str,
    limit: u64,
) -> Result<Answer, SignStashError> {
    let too_large = SignStashError::AnswerTooLarge { limit_bytes: limit };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large);
    }
    let capacity = response.content_length().unwrap_or(0).min(64 * 1024 * 1024);
    let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify::transport(&e, host))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: Bytes::from(body),
    })
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
