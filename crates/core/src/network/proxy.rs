//! The HTTP proxy a client goes through: the setting kinds live with the client options
//! ([`ProxySetting`]); here are the proxy's own credentials, where the password is kept (the OS
//! keyring, like the client secret), and which proxy a given address would really use (for the
//! diagnosis, which must connect to the first hop itself).

use url::Url;

use crate::client::ProxySetting;
use crate::token::ClientSecret;

/// User and password for a proxy that asks for them (HTTP Basic, `Proxy-Authorization`).
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    pub username: String,
    pub password: ClientSecret,
}

impl ProxyCredentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: ClientSecret::new(password),
        }
    }
}

impl std::fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A proxy URL as written by a person: `host:port` gets `http://`.
pub fn normalise_proxy_url(text: &str) -> String {
    let text = text.trim();
    if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    }
}

/// A proxy address for reports and logs: no user, no password.
pub fn describe(setting: &ProxySetting) -> String {
    match setting {
        ProxySetting::System => match system_proxy_for("https") {
            Some(url) => format!("system ({})", without_userinfo(&url)),
            None => "system (none set)".into(),
        },
        ProxySetting::Direct => "none".into(),
        ProxySetting::Url(text) => without_userinfo(text),
    }
}

fn without_userinfo(text: &str) -> String {
    Url::parse(&normalise_proxy_url(text))
        .map(|mut url| {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        })
        .unwrap_or_else(|_| "<unparsable>".into())
}

/// The proxy this address would go through with this setting, if any.
pub fn proxy_for(setting: &ProxySetting, target: &Url) -> Option<Url> {
    match setting {
        ProxySetting::Direct => None,
        ProxySetting::Url(text) => Url::parse(&normalise_proxy_url(text)).ok(),
        ProxySetting::System => {
            let host = target.host_str()?;
            if excluded_by_no_proxy(host) {
                return None;
            }
            system_proxy_for(target.scheme()).and_then(|p| Url::parse(&p).ok())
        }
    }
}

/// Whether requests may go through a proxy with this setting.
pub fn may_use_proxy(setting: &ProxySetting) -> bool {
    match setting {
        ProxySetting::Direct => false,
        ProxySetting::Url(_) => true,
        ProxySetting::System => {
            system_proxy_for("https").is_some() || system_proxy_for("http").is_some()
        }
    }
}

/// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (either case), as reqwest reads them.
fn system_proxy_for(scheme: &str) -> Option<String> {
    let names: &[&str] = if scheme == "https" {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"]
    };
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .find(|v| !v.trim().is_empty())
        .map(|v| normalise_proxy_url(&v))
}

/// `NO_PROXY`: `*`, exact hosts and domain suffixes (`.example.com` or `example.com`).
fn excluded_by_no_proxy(host: &str) -> bool {
    let list = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    list.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        entry == "*"
            || (!entry.is_empty()
                && (host.eq_ignore_ascii_case(entry)
                    || host
                        .to_ascii_lowercase()
                        .ends_with(&format!(".{}", entry.to_ascii_lowercase()))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_shown_without_credentials() {
        let setting = ProxySetting::Url("http://alice:pa55@proxy.local:3128".into());
        assert_eq!(describe(&setting), "http://proxy.local:3128/");
        assert_eq!(normalise_proxy_url("proxy:8080"), "http://proxy:8080");
        let debug = format!("{:?}", ProxyCredentials::new("alice", "pa55"));
        assert!(!debug.contains("pa55"));
    }

    #[test]
    fn an_explicit_proxy_is_used_for_every_address() {
        let target = Url::parse("https://msignstash.multicert.com/x").expect("url");
        let setting = ProxySetting::Url("10.0.0.1:3128".into());
        assert_eq!(
            proxy_for(&setting, &target).map(|u| u.to_string()),
            Some("http://10.0.0.1:3128/".into())
        );
        assert_eq!(proxy_for(&ProxySetting::Direct, &target), None);
    }
}
