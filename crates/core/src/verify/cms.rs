//! Checks of the CMS SignedData found in a PDF's /Contents: the messageDigest signed
//! attribute against the ByteRange digest, and the signature value against the embedded
//! signer certificate (ECDSA P-256 or RSA PKCS#1 v1.5). No trust-chain validation.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Tag, Tagged};
use x509_cert::Certificate;

use super::pdf::{DigestAlgorithm, SignatureCheck};
use super::VerifyError;

const ID_SIGNED_DATA: ObjectIdentifier = const_oid::db::rfc5911::ID_SIGNED_DATA;
const ID_MESSAGE_DIGEST: ObjectIdentifier = const_oid::db::rfc5911::ID_MESSAGE_DIGEST;
const ID_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
const ID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier =
    const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER;
const ID_EC_PUBLIC_KEY: ObjectIdentifier = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;
const SECP256R1: ObjectIdentifier = const_oid::db::rfc5912::SECP_256_R_1;
const RSA_ENCRYPTION: ObjectIdentifier = const_oid::db::rfc5912::RSA_ENCRYPTION;
const ID_RSASSA_PSS: ObjectIdentifier = const_oid::db::rfc5912::ID_RSASSA_PSS;
const ID_CN: ObjectIdentifier = const_oid::db::rfc4519::CN;

/// Largest CMS accepted. Real PAdES signatures are 2–30 KB (more with embedded revocation
/// data); the cap bounds the `der` crate's quadratic SET sorting on hostile input.
pub(crate) const MAX_CMS_LEN: usize = 2 * 1024 * 1024;
/// Most elements accepted in one SET (see `MAX_CMS_LEN`).
const MAX_SET_ELEMENTS: usize = 256;
const MAX_DEPTH: usize = 48;

/// What the CMS says, once its messageDigest matched.
pub(crate) struct CmsFindings {
    pub signer_common_name: Option<String>,
    pub has_timestamp: bool,
    pub digest_algorithm: DigestAlgorithm,
    pub signature_check: SignatureCheck,
}

fn cms_err(what: impl Into<String>) -> VerifyError {
    VerifyError::Cms(what.into())
}

/// Verifies `der_bytes` (exactly one DER ContentInfo) as a detached signature over the
/// content whose digest `digest_of` computes for a given algorithm.
pub(crate) fn check(
    der_bytes: &[u8],
    digest_of: impl Fn(DigestAlgorithm) -> Vec<u8>,
) -> Result<CmsFindings, VerifyError> {
    precheck(der_bytes)?;
    let ci = ContentInfo::from_der(der_bytes).map_err(|e| cms_err(format!("not CMS: {e}")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(cms_err("the signature is not CMS SignedData"));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| cms_err(format!("bad SignedData: {e}")))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(VerifyError::Unsupported(
            "a signature that embeds its content (not a detached PDF signature)".into(),
        ));
    }
    let signer = match sd.signer_infos.0.as_slice() {
        [] => return Err(cms_err("the signature has no signer")),
        [one] => one,
        _ => {
            return Err(VerifyError::Unsupported(
                "several signers in one signature".into(),
            ))
        }
    };
    let alg = DigestAlgorithm::from_oid(&signer.digest_alg.oid).ok_or_else(|| {
        VerifyError::Unsupported(format!("digest algorithm {}", signer.digest_alg.oid))
    })?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| cms_err("the signature has no signed attributes"))?;
    let md = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .ok_or_else(|| cms_err("no messageDigest attribute"))?;
    let md = match md.values.as_slice() {
        [v] => v
            .decode_as::<OctetString>()
            .map_err(|_| cms_err("messageDigest is not an OCTET STRING"))?,
        _ => return Err(cms_err("messageDigest must have exactly one value")),
    };
    if md.as_bytes() != digest_of(alg).as_slice() {
        return Err(VerifyError::DigestMismatch);
    }

    let cert = signer_certificate(&sd, signer)?;
    let signed_attrs_der = raw_signed_attrs(der_bytes)?;
    let signature_check = check_signature(cert, signer, alg, &signed_attrs_der)?;
    let has_timestamp = signer
        .unsigned_attrs
        .as_ref()
        .is_some_and(|u| u.iter().any(|a| a.oid == ID_TIME_STAMP_TOKEN));
    Ok(CmsFindings {
        signer_common_name: common_name(cert),
        has_timestamp,
        digest_algorithm: alg,
        signature_check,
    })
}

fn signer_certificate<'a>(
    sd: &'a SignedData,
    signer: &SignerInfo,
) -> Result<&'a Certificate, VerifyError> {
    let certs = sd
        .certificates
        .as_ref()
        .map(|c| c.0.as_slice())
        .unwrap_or(&[]);
    certs
        .iter()
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .find(|c| {
            let tbs = &c.tbs_certificate;
            match &signer.sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    tbs.issuer == ias.issuer && tbs.serial_number == ias.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
                    .extensions
                    .iter()
                    .flatten()
                    .filter(|e| e.extn_id == ID_SUBJECT_KEY_IDENTIFIER)
                    .any(|e| {
                        OctetString::from_der(e.extn_value.as_bytes())
                            .is_ok_and(|v| v.as_bytes() == ski.0.as_bytes())
                    }),
            }
        })
        .ok_or(VerifyError::SignerCertificateMissing)
}

/// The signer's signature covers the DER of the signed attributes as a SET (tag 0x31), as
/// they appear in the file. Re-encoding the decoded attributes would re-sort them, so take
/// the original bytes: ContentInfo / [0] / SignedData / SignerInfos / SignerInfo / [0].
fn raw_signed_attrs(der_bytes: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let bad = || cms_err("cannot locate the signed attributes");
    let (_, ci) = tlv(der_bytes).ok_or_else(bad)?;
    let explicit = children(ci.content).nth(1).ok_or_else(bad)?;
    let (_, sd) = tlv(explicit.content).ok_or_else(bad)?;
    let infos = children(sd.content).last().ok_or_else(bad)?;
    let info = children(infos.content).next().ok_or_else(bad)?;
    let attrs = children(info.content)
        .find(|c| c.tag == 0xa0)
        .ok_or_else(bad)?;
    let mut raw = attrs.whole.to_vec();
    raw[0] = 0x31;
    Ok(raw)
}

fn check_signature(
    cert: &Certificate,
    signer: &SignerInfo,
    alg: DigestAlgorithm,
    signed_attrs_der: &[u8],
) -> Result<SignatureCheck, VerifyError> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let sig = signer.signature.as_bytes();
    let hash = alg.digest(&[signed_attrs_der]);
    if spki.algorithm.oid == ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(SECP256R1) {
            return Ok(SignatureCheck::NotChecked(
                "ECDSA key on a curve other than P-256".into(),
            ));
        }
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        let key = VerifyingKey::from_sec1_bytes(key_bytes)
            .map_err(|_| cms_err("the signer's P-256 public key is invalid"))?;
        // CMS requires DER (r, s); some HSM integrations emit raw r||s, accept both.
        let sig = Signature::from_der(sig)
            .or_else(|_| Signature::from_slice(sig))
            .map_err(|_| VerifyError::SignatureInvalid)?;
        // ring's P-256 (assembly) is several times faster than p256's pure-Rust arithmetic, which
        // was ~10 % of the client's CPU per document; p256 stays for SHA-512, which ring lacks.
        let fast = match alg {
            DigestAlgorithm::Sha256 => Some(&ring::signature::ECDSA_P256_SHA256_ASN1),
            DigestAlgorithm::Sha384 => Some(&ring::signature::ECDSA_P256_SHA384_ASN1),
            DigestAlgorithm::Sha512 => None,
        };
        let valid = match fast {
            Some(algorithm) => ring::signature::UnparsedPublicKey::new(algorithm, key_bytes)
                .verify(signed_attrs_der, sig.to_der().as_bytes())
                .is_ok(),
            None => key.verify_prehash(&hash, &sig).is_ok(),
        };
        if !valid {
            return Err(VerifyError::SignatureInvalid);
        }
        return Ok(SignatureCheck::Verified("ECDSA P-256"));
    }
    if spki.algorithm.oid == RSA_ENCRYPTION {
        if signer.signature_algorithm.oid == ID_RSASSA_PSS {
            return Ok(SignatureCheck::NotChecked("RSA-PSS signature".into()));
        }
        use rsa::pkcs1::DecodeRsaPublicKey;
        // Keys over 4096 bits are refused by `rsa` (bounded time); report, do not fail.
        let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(key_bytes) else {
            return Ok(SignatureCheck::NotChecked(
                "RSA key not supported (over 4096 bits or malformed)".into(),
            ));
        };
        let scheme = match alg {
            DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        };
        key.verify(scheme, &hash, sig)
            .map_err(|_| VerifyError::SignatureInvalid)?;
        return Ok(SignatureCheck::Verified("RSA PKCS#1 v1.5"));
    }
    Ok(SignatureCheck::NotChecked(format!(
        "public key algorithm {}",
        spki.algorithm.oid
    )))
}

/// The subject's (last) commonName, if it is a string.
fn common_name(cert: &Certificate) -> Option<String> {
    let atv = cert
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .rfind(|atv| atv.oid == ID_CN)?;
    let v = &atv.value;
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            Some(String::from_utf8_lossy(v.value()).into_owned())
        }
        Tag::BmpString => {
            let units = v
                .value()
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            Some(
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or('\u{fffd}'))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// One DER element.
struct Tlv<'a> {
    tag: u8,
    whole: &'a [u8],
    content: &'a [u8],
}

/// Parses the element at the start of `b`; returns it and the rest. DER only: definite
/// lengths, single-byte tags.
fn tlv(b: &[u8]) -> Option<(&[u8], Tlv<'_>)> {
    let tag = *b.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (len, header) = der_header(b)?;
    let end = header.checked_add(len)?;
    let whole = b.get(..end)?;
    Some((
        &b[end..],
        Tlv {
            tag,
            whole,
            content: &whole[header..],
        },
    ))
}

fn children(mut b: &[u8]) -> impl Iterator<Item = Tlv<'_>> {
    std::iter::from_fn(move || {
        let (rest, t) = tlv(b)?;
        b = rest;
        Some(t)
    })
}

/// Linear walk of the whole structure before the typed decode: only well-formed DER TLVs,
/// bounded depth, and no SET-like element (0x31, implicit [0]/[1]) with more than
/// `MAX_SET_ELEMENTS` children (see `MAX_CMS_LEN`).
fn precheck(b: &[u8]) -> Result<(), VerifyError> {
    let mut stack = vec![(b, 0usize)];
    while let Some((mut rest, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(cms_err("the signature is nested too deeply"));
        }
        while !rest.is_empty() {
            let (next, t) = tlv(rest).ok_or_else(|| cms_err("not valid DER"))?;
            if t.tag & 0x20 != 0 {
                if matches!(t.tag, 0x31 | 0xa0 | 0xa1)
                    && children(t.content).nth(MAX_SET_ELEMENTS).is_some()
                {
                    return Err(cms_err("a set in the signature has too many elements"));
                }
                stack.push((t.content, depth + 1));
            }
            rest = next;
        }
    }
    Ok(())
}

/// Content length and header length of the DER element at the start of `b` (definite lengths
/// of at most 4 bytes), if its header is whole.
fn der_header(b: &[u8]) -> Option<(usize, usize)> {
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some((usize::from(first), 2));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for &x in b.get(2..2 + n)? {
        len = (len << 8) | usize::from(x);
    }
    Some((len, 2 + n))
}

/// Length of the DER element at the start of `b` (header + content), if its header is whole.
pub(crate) fn der_len(b: &[u8]) -> Option<usize> {
    let (len, header) = der_header(b)?;
    len.checked_add(header)
}
