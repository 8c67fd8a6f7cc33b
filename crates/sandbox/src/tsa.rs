//! In-process RFC 3161 time-stamping authority of the sandbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use der::asn1::{GeneralizedTime, Int, OctetString};
use der::Encode;
use sha2::{Digest, Sha256};
use x509_tsp::{Accuracy, MessageImprint, TspVersion, TstInfo};

use crate::pades::cms::{self, Content};
use crate::pki::Pki;

/// id-ct-TSTInfo.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// Policy of the sandbox TSA, under PEN 32473, reserved for examples by RFC 5612.
const SANDBOX_TSA_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.3161.1");

static SERIAL_COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, thiserror::Error)]
pub enum TsaError {
    #[error("the sandbox time-stamping authority could not create a timestamp: {0}")]
    Internal(String),
}

impl From<der::Error> for TsaError {
    fn from(e: der::Error) -> Self {
        TsaError::Internal(e.to_string())
    }
}

/// Returns a DER `ContentInfo(SignedData(TSTInfo))` time-stamp token over a SHA-256 imprint,
/// signed by the sandbox TSA certificate.
pub fn timestamp_token(message_imprint_sha256: &[u8; 32], pki: &Pki) -> Result<Vec<u8>, TsaError> {
    let now = SystemTime::now();
    let tst = TstInfo {
        version: TspVersion::V1,
        policy: SANDBOX_TSA_POLICY,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: const_oid::db::rfc5912::ID_SHA_256,
                parameters: None,
            },
            hashed_message: OctetString::new(message_imprint_sha256.to_vec())?,
        },
        serial_number: unique_serial(now, message_imprint_sha256)?,
        gen_time: GeneralizedTime::from_system_time(now)?,
        accuracy: Some(Accuracy {
            seconds: Some(1),
            millis: None,
            micros: None,
        }),
        ordering: false,
        nonce: None,
        tsa: None,
        extensions: None,
    };
    let tst_der = tst.to_der()?;
    let ci = cms::sign(
        &pki.tsa,
        &[],
        Content::Encapsulated {
            content_type: ID_CT_TST_INFO,
            bytes: &tst_der,
        },
    )
    .map_err(|e| TsaError::Internal(e.0))?;
    Ok(ci.to_der()?)
}

/// Serial numbers must be unique per TSA: hash time, a process counter and the imprint,
/// keep 15 bytes (positive, fits the 20-octet limit of RFC 3161 §2.4.2).
fn unique_serial(now: SystemTime, imprint: &[u8; 32]) -> Result<Int, TsaError> {
    let nanos = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_be_bytes());
    h.update(SERIAL_COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    h.update(std::process::id().to_be_bytes());
    h.update(imprint);
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes[1..].copy_from_slice(&digest[..15]);
    bytes[1] |= 0x01; // never all-zero
    bytes[1] &= 0x7f; // positive without a leading 0x00
    Ok(Int::new(&bytes[1..])?)
}
