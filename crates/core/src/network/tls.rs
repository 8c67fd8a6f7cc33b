//! Which servers the client trusts: the operating system's root store (so a CA that IT installed
//! works) plus the extra CA certificates (PEM) configured for an environment, e.g. an on-premise
//! Proxy Client's internal CA or a TLS-inspecting firewall's.
//!
//! The OS store is read with `rustls-native-certs` (Windows and macOS system stores; on Linux the
//! distribution bundle, honouring `SSL_CERT_FILE` / `SSL_CERT_DIR`). Verification itself stays with
//! rustls' WebPKI verifier, which gives the same answers on every platform and never goes online;
//! `rustls-platform-verifier` would hand verification to the OS and add online revocation checks,
//! which stall behind the very proxies this is for. Only if the OS store yields nothing (a bare
//! container without ca-certificates) are Mozilla's roots (`webpki-roots`) used instead.

use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::SignStashError;

/// The OS roots, read once per process (the store does not change while we run, and reading it
/// costs tens of milliseconds).
fn os_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let loaded = rustls_native_certs::load_native_certs();
        for error in &loaded.errors {
            tracing::warn!(%error, "part of the system certificate store could not be read");
        }
        tracing::debug!(roots = loaded.certs.len(), "system certificate store read");
        loaded.certs
    })
}

/// The root store: OS roots (or Mozilla's when the OS has none) plus the extra PEM certificates.
pub fn root_store(extra_pem: &[Vec<u8>]) -> Result<RootCertStore, SignStashError> {
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(os_roots().iter().cloned());
    if added == 0 {
        tracing::warn!("no usable roots in the system certificate store; using Mozilla's");
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for pem in extra_pem {
        let mut found = 0;
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate = certificate.map_err(|e| SignStashError::CaCertificate {
                reason: e.to_string(),
            })?;
            store
                .add(certificate)
                .map_err(|e| SignStashError::CaCertificate {
                    reason: e.to_string(),
                })?;
            found += 1;
        }
        if found == 0 {
            return Err(SignStashError::CaCertificate {
                reason: "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
            });
        }
    }
    Ok(store)
}

/// The rustls configuration the HTTP client uses. With a `recorder`, the certificate each server
/// presents is noted (before it is judged), so a diagnosis can name its issuer even when it is
/// refused.
pub fn client_config(
    extra_pem: &[Vec<u8>],
    recorder: Option<&CertificateRecorder>,
) -> Result<rustls::ClientConfig, SignStashError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(root_store(extra_pem)?);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|e| SignStashError::HttpClient(format!("certificate verifier: {e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = match recorder {
        Some(recorder) => Arc::new(Recording {
            inner: webpki,
            seen: recorder.clone(),
        }),
        None => webpki,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SignStashError::HttpClient(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What a server presented: its names and who issued its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentedCertificate {
    pub server_name: String,
    /// The issuer's distinguished name, e.g. `CN=Empresa Root CA,O=Empresa`.
    pub issuer: String,
    pub subject: String,
}

/// The certificates servers presented through one client, newest last. Cheap to clone (shared).
#[derive(Clone, Debug, Default)]
pub struct CertificateRecorder {
    seen: Arc<Mutex<Vec<PresentedCertificate>>>,
}

impl CertificateRecorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last certificate presented for this host name, if any.
    pub fn last_for(&self, server_name: &str) -> Option<PresentedCertificate> {
        let seen = self.seen.lock().ok()?;
        seen.iter()
            .rev()
            .find(|c| c.server_name.eq_ignore_ascii_case(server_name))
            .cloned()
    }

    fn note(&self, server_name: &ServerName<'_>, end_entity: &CertificateDer<'_>) {
        use der::Decode;
        let Ok(certificate) = x509_cert::Certificate::from_der(end_entity.as_ref()) else {
            return;
        };
        let presented = PresentedCertificate {
            server_name: match server_name {
                ServerName::DnsName(name) => name.as_ref().to_string(),
                ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
                _ => String::new(),
            },
            issuer: certificate.tbs_certificate.issuer.to_string(),
            subject: certificate.tbs_certificate.subject.to_string(),
        };
        if let Ok(mut seen) = self.seen.lock() {
            // Bounded: a diagnosis talks to a handful of hosts.
            if seen.len() >= 64 {
                seen.remove(0);
            }
            seen.push(presented);
        }
    }
}

/// The WebPKI verifier, noting each presented certificate first.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    seen: CertificateRecorder,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.seen.note(server_name, end_entity);
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
