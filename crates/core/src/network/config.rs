//! The network part of the app's settings: which proxy to use (one for the whole app, since an
//! office PC has one way out whatever the environment) and, per environment, an extra trusted CA
//! certificate. The proxy's user and password are not here: they live in the OS keyring
//! ([`crate::credentials::CredentialStore::save_proxy`]).
//!
//! The extra CA is kept as PEM text in settings.json, not as a path: it is public (no secret), it
//! is validated once when chosen, and signing keeps working when the original file is moved,
//! deleted or sits on a network drive that is not mounted yet. The diagnostics bundle then also
//! shows support exactly which CA was trusted.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use crate::client::ProxySetting;
use crate::error::SignStashError;
use crate::network::proxy::normalise_proxy_url;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ProxyMode {
    /// HTTP(S)_PROXY / NO_PROXY, else the desktop's proxy setting.
    #[default]
    System,
    /// Straight to the server.
    None,
    /// Through [`NetworkSettings::proxy_address`].
    Manual,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkSettings {
    pub proxy: ProxyMode,
    /// `host:port` or `http://host:port`, for [`ProxyMode::Manual`]; never with a password.
    pub proxy_address: String,
}

/// An extra trusted CA certificate for one environment, as chosen by the admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExtraCa {
    /// Name of the file it was read from (shown, not read again).
    pub file_name: String,
    /// Subject of each certificate in it, e.g. `CN=Empresa Root CA,O=Empresa`.
    pub subjects: Vec<String>,
    pub pem: String,
}

impl NetworkSettings {
    /// The client's proxy setting.
    pub fn proxy_setting(&self) -> ProxySetting {
        match self.proxy {
            ProxyMode::System => ProxySetting::System,
            ProxyMode::None => ProxySetting::Direct,
            ProxyMode::Manual => ProxySetting::Url(normalise_proxy_url(&self.proxy_address)),
        }
    }

    /// A manual proxy needs an address the client can use, without user or password in it
    /// (those go in the keyring, not in a settings file).
    pub fn validate(&self) -> Result<(), String> {
        if self.proxy != ProxyMode::Manual {
            return Ok(());
        }
        let text = self.proxy_address.trim();
        if text.is_empty() {
            return Err("the proxy address is missing (host:port)".into());
        }
        let url = url::Url::parse(&normalise_proxy_url(text))
            .map_err(|e| format!("the proxy address '{text}' is not host:port ({e})"))?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(format!("the proxy address '{text}' is not host:port"));
        }
        if url.host_str().is_none_or(str::is_empty) || url.port_or_known_default().is_none() {
            return Err(format!("the proxy address '{text}' is not host:port"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "put the proxy user and password in their own fields, not in the address".into(),
            );
        }
        Ok(())
    }
}

impl ExtraCa {
    /// Reads a PEM file's content: at least one certificate, each one parsable; anything else is
    /// `config.ca_certificate` with a reason.
    pub fn from_pem(file_name: impl Into<String>, bytes: &[u8]) -> Result<Self, SignStashError> {
        use der::Decode;
        let invalid = |reason: String| SignStashError::CaCertificate { reason };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| invalid("not a PEM text file (-----BEGIN CERTIFICATE-----)".into()))?;
        let mut subjects = Vec::new();
        for certificate in CertificateDer::pem_slice_iter(bytes) {
            let certificate = certificate.map_err(|e| invalid(e.to_string()))?;
            let parsed = x509_cert::Certificate::from_der(certificate.as_ref())
                .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
            subjects.push(parsed.tbs_certificate.subject.to_string());
        }
        if subjects.is_empty() {
            return Err(invalid(
                "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
            ));
        }
        // The same check the client makes when it builds its trust store.
        crate::network::tls::root_store(&[bytes.to_vec()])?;
        Ok(Self {
            file_name: file_name.into(),
            subjects,
            pem: text.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_modes_map_to_client_settings() {
        let mut n = NetworkSettings::default();
        assert_eq!(n.proxy_setting(), ProxySetting::System);
        n.proxy = ProxyMode::None;
        assert_eq!(n.proxy_setting(), ProxySetting::Direct);
        n.proxy = ProxyMode::Manual;
        n.proxy_address = " proxy.local:3128 ".into();
        assert_eq!(
            n.proxy_setting(),
            ProxySetting::Url("http://proxy.local:3128".into())
        );
        n.validate().unwrap();
    }

    #[test]
    fn manual_proxy_needs_a_clean_address() {
        let manual = |a: &str| NetworkSettings {
            proxy: ProxyMode::Manual,
            proxy_address: a.into(),
        };
        assert!(manual("").validate().is_err());
        assert!(manual("not a host:port:x").validate().is_err());
        assert!(manual("http://alice:pw@proxy:3128").validate().is_err());
        assert!(manual("ftp://proxy:21").validate().is_err());
        manual("http://10.0.0.1:8080").validate().unwrap();
        // Ignored when not manual.
        NetworkSettings {
            proxy: ProxyMode::System,
            proxy_address: "junk junk".into(),
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn extra_ca_accepts_certificates_only() {
        let ca = rcgen::generate_simple_self_signed(vec!["Empresa Root CA".into()]).unwrap();
        let pem = ca.cert.pem();
        let read = ExtraCa::from_pem("empresa.pem", pem.as_bytes()).unwrap();
        assert_eq!(read.file_name, "empresa.pem");
        assert_eq!(read.subjects.len(), 1);
        assert!(read.pem.contains("BEGIN CERTIFICATE"));

        for bad in [
            &b"hello, not a certificate"[..],
            &[0xff, 0xfe, 0x00][..],
            ca.signing_key.serialize_pem().as_bytes(),
            &b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"[..],
        ] {
            let err = ExtraCa::from_pem("x.pem", bad).unwrap_err();
            assert_eq!(err.code(), "config.ca_certificate", "{err}");
        }
    }
}
