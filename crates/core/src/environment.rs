//! Where a Sign'Stash service lives: its token URL and API base (spec §2), with the presets of the
//! real environments and normalisation of addresses typed by hand.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{SignStashError, UrlField};

pub const STAGING_HOST: &str = "https://staging.must.digital";
pub const PRODUCTION_HOST: &str = "https://msignstash.multicert.com";
/// Token endpoint path, relative to the host (spec §3.1).
pub const TOKEN_PATH: &str = "oauth2/authorization-server/oauth/token";
/// The hosted Integration Service base, relative to the host (spec §2).
pub const HOSTED_BASE_PATH: &str = "signstash/einvoice-integration-ws/";
/// What marks an on-premise Proxy Client base (spec §2, §5): no consult endpoints there.
pub const PROXY_BASE_MARKER: &str = "einvoice-integration-client-ws";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentKind {
    Sandbox,
    Staging,
    Production,
    Custom,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Stable id, used with the client id to key cached tokens and stored secrets.
    pub id: String,
    pub kind: EnvironmentKind,
    pub token_url: String,
    /// Always ends with `/`; endpoint paths (`api/v0/...`) are appended to it.
    pub api_base: String,
    /// True for the hosted Integration Service (consult endpoints exist), false for an on-premise
    /// Proxy Client (sign only).
    pub hosted: bool,
}

impl Environment {
    /// Multicert's staging (integration test) environment.
    pub fn staging() -> Self {
        Self::preset("staging", EnvironmentKind::Staging, STAGING_HOST)
    }

    /// Multicert's production environment.
    pub fn production() -> Self {
        Self::preset("production", EnvironmentKind::Production, PRODUCTION_HOST)
    }

    /// A local sandbox at `host` (e.g. `http://127.0.0.1:8089`), laid out like the real service.
    pub fn sandbox(host: &str) -> Result<Self, SignStashError> {
        let host = normalise(host, UrlField::ApiBase)?;
        let mut env = Self::custom(
            "sandbox",
            &format!("{host}{TOKEN_PATH}"),
            &format!("{host}{HOSTED_BASE_PATH}"),
        )?;
        env.kind = EnvironmentKind::Sandbox;
        Ok(env)
    }

    fn preset(id: &str, kind: EnvironmentKind, host: &str) -> Self {
        Self {
            id: id.into(),
            kind,
            token_url: format!("{host}/{TOKEN_PATH}"),
            api_base: format!("{host}/{HOSTED_BASE_PATH}"),
            hosted: true,
        }
    }

    /// An environment from explicit addresses (settings, `--token-url` / `--api-base`). The base is
    /// given a trailing slash; a Proxy Client base (`einvoice-integration-client-ws`) is not hosted.
    pub fn custom(id: &str, token_url: &str, api_base: &str) -> Result<Self, SignStashError> {
        let token_url = parse(token_url, UrlField::TokenUrl)?.to_string();
        let api_base = normalise(api_base, UrlField::ApiBase)?;
        let hosted = !api_base.contains(PROXY_BASE_MARKER);
        Ok(Self {
            id: id.into(),
            kind: EnvironmentKind::Custom,
            token_url,
            api_base,
            hosted,
        })
    }

    /// The full URL of an API endpoint, e.g. `endpoint("document/sign/base64/")`.
    pub fn endpoint(&self, path: &str) -> String {
        let mut base = self.api_base.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        format!("{base}api/v0/{}", path.trim_start_matches('/'))
    }
}

/// Parses an http(s) URL without credentials, query or fragment, so nothing secret can hide in it.
fn parse(text: &str, field: UrlField) -> Result<Url, SignStashError> {
    let invalid = |reason: &str| SignStashError::InvalidUrl {
        field,
        reason: reason.into(),
    };
    let url = Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http and https are supported"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials do not belong in the address"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("no query or fragment expected"));
    }
    Ok(url)
}

/// A base URL with exactly one trailing slash.
fn normalise(text: &str, field: UrlField) -> Result<String, SignStashError> {
    let url = parse(text, field)?;
    let mut base = url.as_str().trim_end_matches('/').to_string();
    base.push('/');
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_spec() {
        let p = Environment::production();
        assert_eq!(
            p.token_url,
            "https://msignstash.multicert.com/oauth2/authorization-server/oauth/token"
        );
        assert_eq!(
            p.endpoint("document/sign/base64/"),
            "https://msignstash.multicert.com/signstash/einvoice-integration-ws/api/v0/document/sign/base64/"
        );
        assert!(p.hosted);
        let s = Environment::staging();
        assert_eq!(s.kind, EnvironmentKind::Staging);
        assert_eq!(
            s.api_base,
            "https://staging.must.digital/signstash/einvoice-integration-ws/"
        );
    }

    #[test]
    fn custom_normalises_and_detects_the_proxy() {
        let e = Environment::custom(
            "x",
            "http://127.0.0.1:9/oauth2/authorization-server/oauth/token",
            "http://127.0.0.1:8081/signstash/einvoice-integration-client-ws//",
        )
        .expect("valid");
        assert!(!e.hosted);
        assert_eq!(
            e.endpoint("/document/sign/base64/"),
            "http://127.0.0.1:8081/signstash/einvoice-integration-client-ws/api/v0/document/sign/base64/"
        );
        let h = Environment::custom(
            "y",
            "http://h/t",
            "http://h/signstash/einvoice-integration-ws",
        )
        .expect("valid");
        assert!(h.hosted);
        assert_eq!(h.api_base, "http://h/signstash/einvoice-integration-ws/");
    }

    #[test]
    fn sandbox_is_hosted_at_the_host() {
        let e = Environment::sandbox("http://127.0.0.1:8089").expect("valid");
        assert_eq!(e.kind, EnvironmentKind::Sandbox);
        assert_eq!(
            e.token_url,
            "http://127.0.0.1:8089/oauth2/authorization-server/oauth/token"
        );
        assert!(e.hosted);
    }

    #[test]
    fn refuses_bad_addresses() {
        for (token, base) in [
            ("ftp://h/t", "http://h/b"),
            ("http://h/t", "not a url"),
            ("http://u:p@h/t", "http://h/b"),
            ("http://h/t", "http://h/b?x=1"),
        ] {
            let err = Environment::custom("e", token, base).expect_err("refused");
            assert_eq!(err.code(), "config.invalid_url");
        }
    }
}
