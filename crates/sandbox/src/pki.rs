//! Test PKI of the sandbox: a CA, a document signer and a TSA, all P-256.
//!
//! Generated on first start into a data folder and reused afterwards, so a
//! user can import `ca.pem` once into their verifier and keep trusting it.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use der::{Decode, DecodePem, Encode};
use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use x509_cert::Certificate;

/// Organisation written into every certificate of the sandbox.
pub const ORGANISATION: &str = "Sign'Stash Desk Sandbox";
const CA_CN: &str = "Sign'Stash Sandbox Test CA - SANDBOX - NOT VALID";
const SIGNER_CN: &str = "Sign'Stash Sandbox Signer - SANDBOX - NOT VALID";
const TSA_CN: &str = "Sign'Stash Sandbox TSA - SANDBOX - NOT VALID";
const VALIDITY_DAYS: i64 = 3650;
/// Regenerate a little before expiry so a long-running sandbox never signs with an expired cert.
const RENEW_MARGIN: Duration = Duration::from_secs(7 * 24 * 3600);

/// DER of `ExtKeyUsageSyntax ::= SEQUENCE { id-kp-timeStamping }`.
const EKU_TIMESTAMPING_DER: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
];
const OID_EXT_KEY_USAGE: [u64; 4] = [2, 5, 29, 37];

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("could not read or write the sandbox certificate folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not generate the sandbox test certificates: {0}")]
    Generate(String),
}

/// One certificate with its private key.
#[derive(Clone)]
pub struct Identity {
    pub common_name: String,
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    /// PKCS#8 PEM.
    pub key_pem: String,
    pub signing_key: SigningKey,
    /// Parsed form of `cert_der` (re-encodes byte-identically; checked on load).
    pub cert: Certificate,
}

impl fmt::Debug for Identity {
    // Never print key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("common_name", &self.common_name)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Pki {
    pub ca: Identity,
    pub signer: Identity,
    pub tsa: Identity,
    pub ca_cert_path: PathBuf,
}

const FILES: [(&str, &str); 3] = [
    ("ca.pem", "ca.key.pem"),
    ("signer.pem", "signer.key.pem"),
    ("tsa.pem", "tsa.key.pem"),
];

impl Pki {
    /// Loads the test PKI from `dir`, or (re)creates all of it when any file is
    /// missing, unreadable, mismatched or (nearly) expired.
    pub fn load_or_create(dir: &Path) -> Result<Pki, PkiError> {
        match Self::load(dir) {
            Some(pki) => Ok(pki),
            None => {
                tracing::info!(dir = %dir.display(), "generating sandbox test PKI");
                Self::create(dir)
            }
        }
    }

    fn load(dir: &Path) -> Option<Pki> {
        let mut ids = FILES.iter().map(|(cert, key)| {
            let cert_pem = fs::read_to_string(dir.join(cert)).ok()?;
            let key_pem = fs::read_to_string(dir.join(key)).ok()?;
            Identity::from_pem(cert_pem, key_pem)
        });
        let ca = ids.next()??;
        let signer = ids.next()??;
        let tsa = ids.next()??;
        // The leaves must have been issued by this CA (a half-finished regeneration is possible).
        let ca_subject = &ca.cert.tbs_certificate.subject;
        if &signer.cert.tbs_certificate.issuer != ca_subject
            || &tsa.cert.tbs_certificate.issuer != ca_subject
        {
            return None;
        }
        Some(Pki {
            ca,
            signer,
            tsa,
            ca_cert_path: dir.join("ca.pem"),
        })
    }

    fn create(dir: &Path) -> Result<Pki, PkiError> {
        let (ca, signer, tsa) = generate().map_err(|e| PkiError::Generate(e.to_string()))?;
        fs::create_dir_all(dir).map_err(|source| PkiError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for ((cert_file, key_file), id) in FILES.iter().zip([&ca, &signer, &tsa]) {
            write_atomic(&dir.join(key_file), id.key_pem.as_bytes(), true)?;
            write_atomic(&dir.join(cert_file), id.cert_pem.as_bytes(), false)?;
        }
        Ok(Pki {
            ca,
            signer,
            tsa,
            ca_cert_path: dir.join("ca.pem"),
        })
    }
}

impl Identity {
    /// Parses and sanity-checks a stored identity; `None` means "regenerate".
    fn from_pem(cert_pem: String, key_pem: String) -> Option<Identity> {
        let cert = Certificate::from_pem(cert_pem.as_bytes()).ok()?;
        let cert_der = cert.to_der().ok()?;
        // The CMS embeds `cert`; it must be byte-identical to what the CA signed.
        if Certificate::from_der(&cert_der).ok()? != cert {
            return None;
        }
        let signing_key = SigningKey::from_pkcs8_pem(&key_pem).ok()?;
        let public = signing_key.verifying_key().to_encoded_point(false);
        let spki = &cert.tbs_certificate.subject_public_key_info;
        if spki.subject_public_key.raw_bytes() != public.as_bytes() {
            return None;
        }
        let not_after = cert.tbs_certificate.validity.not_after.to_system_time();
        if not_after < SystemTime::now() + RENEW_MARGIN {
            return None;
        }
        Some(Identity {
            common_name: common_name(&cert)?,
            cert_der,
            cert_pem,
            key_pem,
            signing_key,
            cert,
        })
    }
}

fn common_name(cert: &Certificate) -> Option<String> {
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::CN {
                if let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value) {
                    return Some(s.to_string());
                }
                if let Ok(s) = der::asn1::PrintableStringRef::try_from(&atv.value) {
                    return Some(s.to_string());
                }
            }
        }
    }
    None
}

fn distinguished_name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, ORGANISATION);
    dn.push(DnType::CountryName, "PT");
    dn
}

fn base_params(cn: &str) -> CertificateParams {
    let now = time::OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(cn);
    // Backdate a day so a verifier with a slightly wrong clock still accepts fresh certs.
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(VALIDITY_DAYS);
    params
}

fn generate() -> Result<(Identity, Identity, Identity), rcgen::Error> {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut ca_params = base_params(CA_CN);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_after += time::Duration::days(1);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let ca = finish(CA_CN, ca_cert.der().to_vec(), &ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let signer_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = base_params(SIGNER_CN);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&signer_key, &issuer)?;
    let signer = finish(SIGNER_CN, cert.der().to_vec(), &signer_key)?;

    let tsa_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = base_params(TSA_CN);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    // RFC 3161 §2.3 requires the EKU to be critical; rcgen's own EKU is not.
    let mut eku =
        CustomExtension::from_oid_content(&OID_EXT_KEY_USAGE, EKU_TIMESTAMPING_DER.to_vec());
    eku.set_criticality(true);
    params.custom_extensions.push(eku);
    let cert = params.signed_by(&tsa_key, &issuer)?;
    let tsa = finish(TSA_CN, cert.der().to_vec(), &tsa_key)?;
    Ok((ca, signer, tsa))
}

fn finish(cn: &str, cert_der: Vec<u8>, key: &KeyPair) -> Result<Identity, rcgen::Error> {
    let bad = |what: &str| rcgen::Error::PemError(format!("generated {what} does not parse"));
    let cert = Certificate::from_der(&cert_der).map_err(|_| bad("certificate"))?;
    let key_pem = key.serialize_pem();
    let signing_key = SigningKey::from_pkcs8_pem(&key_pem).map_err(|_| bad("key"))?;
    Ok(Identity {
        common_name: cn.to_string(),
        cert_pem: pem_encode("CERTIFICATE", &cert_der),
        cert_der,
        key_pem,
        signing_key,
        cert,
    })
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::with_capacity(der.len() * 4 / 3 + 4);
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Writes via a temporary file and a rename so a crash never leaves a half-written file.
fn write_atomic(path: &Path, data: &[u8], secret: bool) -> Result<(), PkiError> {
    let io = |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = opts.open(&tmp).map_err(io)?;
    #[cfg(unix)]
    if secret {
        // `mode` only applies on creation; a leftover temp file could have looser bits.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    file.write_all(data).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};

    fn temp_dir(tag: &str) -> PathBuf {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        std::env::temp_dir().join(format!(
            "signstash-pki-{tag}-{}-{nanos}",
            std::process::id()
        ))
    }

    fn ext(cert: &Certificate, oid: const_oid::ObjectIdentifier) -> &x509_cert::ext::Extension {
        let exts = cert
            .tbs_certificate
            .extensions
            .as_ref()
            .expect("extensions");
        exts.iter()
            .find(|e| e.extn_id == oid)
            .expect("extension present")
    }

    #[test]
    fn load_or_create_reuses_and_has_right_usages() {
        let dir = temp_dir("reuse");
        let first = Pki::load_or_create(&dir).expect("create");
        let second = Pki::load_or_create(&dir).expect("load");
        assert_eq!(first.ca.cert_der, second.ca.cert_der);
        assert_eq!(first.signer.cert_der, second.signer.cert_der);
        assert_eq!(first.tsa.key_pem, second.tsa.key_pem);
        assert!(second.signer.common_name.contains("SANDBOX - NOT VALID"));

        use const_oid::db::rfc5280 as o;
        let ku = |c: &Certificate| {
            KeyUsage::from_der(ext(c, o::ID_CE_KEY_USAGE).extn_value.as_bytes()).expect("ku")
        };
        let ca_ku = ku(&second.ca.cert);
        assert!(ca_ku.0.contains(KeyUsages::KeyCertSign) && ca_ku.0.contains(KeyUsages::CRLSign));
        let s_ku = ku(&second.signer.cert);
        assert!(s_ku.0.contains(KeyUsages::DigitalSignature));
        assert!(s_ku.0.contains(KeyUsages::NonRepudiation));
        ext(&second.signer.cert, o::ID_CE_AUTHORITY_KEY_IDENTIFIER);
        let bc = ext(&second.ca.cert, o::ID_CE_BASIC_CONSTRAINTS);
        assert!(bc.critical);
        let eku = ext(&second.tsa.cert, o::ID_CE_EXT_KEY_USAGE);
        assert!(eku.critical, "TSA EKU must be critical");
        let eku = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).expect("eku");
        assert_eq!(eku.0, vec![const_oid::db::rfc5280::ID_KP_TIME_STAMPING]);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("signer.key.pem"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // A missing file regenerates everything.
        fs::remove_file(dir.join("tsa.key.pem")).expect("rm");
        let third = Pki::load_or_create(&dir).expect("regenerate");
        assert_ne!(third.ca.cert_der, first.ca.cert_der);
        let fourth = Pki::load_or_create(&dir).expect("load again");
        assert_eq!(third.ca.cert_der, fourth.ca.cert_der);
        let _ = fs::remove_dir_all(&dir);
    }
}
