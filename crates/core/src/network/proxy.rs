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

/// The system's proxy for HTTPS right now (environment, else the desktop's setting), without
/// user or password; `None` when there is none.
pub fn system_proxy() -> Option<String> {
    system_proxy_for("https").map(|url| without_userinfo(&url))
}

/// A proxy address for reports and logs: no user, no password.
pub fn describe(setting: &ProxySetting) -> String {
    match setting {
        ProxySetting::System => match system_proxy() {
            Some(url) => format!("system ({url})"),
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

/// The system proxy for a scheme: the environment variables first, else the desktop's setting.
fn system_proxy_for(scheme: &str) -> Option<String> {
    if env_proxy_set() {
        return env_proxy_for(scheme);
    }
    let desktop = desktop_proxy()?;
    if scheme == "https" {
        desktop.https
    } else {
        desktop.http
    }
}

/// Whether any proxy environment variable is set (then they alone decide, as for curl).
pub(crate) fn env_proxy_set() -> bool {
    env_proxy_for("https").is_some() || env_proxy_for("http").is_some()
}

/// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (either case), as reqwest reads them.
fn env_proxy_for(scheme: &str) -> Option<String> {
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

/// `NO_PROXY` (or the desktop's ignored hosts): `*`, exact hosts and domain suffixes
/// (`.example.com` or `example.com`), and address ranges (`10.0.0.0/8`).
fn excluded_by_no_proxy(host: &str) -> bool {
    let list = if env_proxy_set() {
        std::env::var("NO_PROXY")
            .or_else(|_| std::env::var("no_proxy"))
            .unwrap_or_default()
    } else {
        desktop_proxy()
            .map(|d| d.ignore_hosts.join(","))
            .unwrap_or_default()
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let address: Option<std::net::IpAddr> = host.parse().ok();
    list.split(',').map(str::trim).any(|entry| {
        if let (Some(address), Some((network, bits))) = (address, entry.split_once('/')) {
            return in_range(address, network, bits);
        }
        let entry = entry.trim_start_matches('.');
        entry == "*"
            || (!entry.is_empty()
                && (host.eq_ignore_ascii_case(entry)
                    || host
                        .to_ascii_lowercase()
                        .ends_with(&format!(".{}", entry.to_ascii_lowercase()))))
    })
}

/// Whether `address` is in `network/bits` (both of one IP family).
fn in_range(address: std::net::IpAddr, network: &str, bits: &str) -> bool {
    use std::net::IpAddr;
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    let (address, network, width) = match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (address >> shift) == (network >> shift)
}

/// The desktop's manual proxy (GNOME and desktops that share its settings), when one is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DesktopProxy {
    /// `http://host:port` for http and https addresses.
    pub http: Option<String>,
    pub https: Option<String>,
    /// Hosts and ranges that go direct, as the desktop lists them.
    pub ignore_hosts: Vec<String>,
}

/// Reads `org.gnome.system.proxy` with `gsettings` (no D-Bus client of our own); `None` when
/// the mode is not "manual", or there is no gsettings. "auto" (a PAC file) is not followed.
pub fn desktop_proxy() -> Option<DesktopProxy> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let get = |schema: &str, key: &str| -> Option<String> {
        let output = std::process::Command::new("gsettings")
            .args(["get", schema, key])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    if unquote(&get("org.gnome.system.proxy", "mode")?) != "manual" {
        return None;
    }
    let proxy_of = |schema: &str| -> Option<String> {
        let host = unquote(&get(schema, "host")?);
        let port: u16 = get(schema, "port")?.parse().ok()?;
        (!host.is_empty() && port != 0).then(|| format!("http://{host}:{port}"))
    };
    let ignore_hosts = get("org.gnome.system.proxy", "ignore-hosts")
        .map(|list| {
            list.trim_start_matches("@as")
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(unquote)
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let proxy = DesktopProxy {
        http: proxy_of("org.gnome.system.proxy.http"),
        https: proxy_of("org.gnome.system.proxy.https"),
        ignore_hosts,
    };
    (proxy.http.is_some() || proxy.https.is_some()).then_some(proxy)
}

/// A GVariant text string (`'value'`) without its quotes.
fn unquote(text: &str) -> String {
    text.trim().trim_matches('\'').to_string()
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

    #[test]
    fn address_ranges_match() {
        let ip = |t: &str| t.parse().expect("ip");
        assert!(in_range(ip("127.0.0.1"), "127.0.0.0", "8"));
        assert!(in_range(ip("10.1.2.3"), "10.0.0.0", "8"));
        assert!(!in_range(ip("11.1.2.3"), "10.0.0.0", "8"));
        assert!(in_range(ip("192.168.1.9"), "0.0.0.0", "0"));
        assert!(in_range(ip("::1"), "::1", "128"));
        assert!(!in_range(ip("::1"), "127.0.0.0", "8"));
    }
}
