//! CMS SignedData building (RustCrypto `cms` builder), shared by PAdES and the TSA.

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfos};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use p256::ecdsa::DerSignature;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::pki::Identity;

pub(crate) const ID_DATA: ObjectIdentifier = const_oid::db::rfc5911::ID_DATA;
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Failure while building a CMS structure; only our own data goes in, so this is a bug or
/// a broken key, never the caller's document.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct CmsError(pub String);

impl From<der::Error> for CmsError {
    fn from(e: der::Error) -> Self {
        CmsError(format!("DER encoding failed: {e}"))
    }
}

// RFC 5035 ESS signing-certificate-v2. hashAlgorithm is omitted: it defaults to SHA-256
// and DER forbids encoding a default value.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

pub(crate) fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    }
}

fn signing_certificate_v2(id: &Identity) -> Result<Attribute, CmsError> {
    let tbs = &id.cert.tbs_certificate;
    let value = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&id.cert_der).to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
    };
    Ok(Attribute {
        oid: ID_SIGNING_CERTIFICATE_V2,
        values: SetOfVec::try_from(vec![Any::encode_from(&value)?])?,
    })
}

/// Content to sign: either detached (external SHA-256 digest) or encapsulated bytes.
pub(crate) enum Content<'a> {
    Detached {
        digest: &'a [u8; 32],
    },
    Encapsulated {
        content_type: ObjectIdentifier,
        bytes: &'a [u8],
    },
}

/// Builds `ContentInfo(SignedData)` signed by `signer` with the signed attributes
/// contentType, messageDigest (both added by the builder) and signing-certificate-v2.
pub(crate) fn sign(
    signer: &Identity,
    extra_certs: &[&Identity],
    content: Content<'_>,
) -> Result<ContentInfo, CmsError> {
    let (eci, digest) = match content {
        Content::Detached { digest } => (
            EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: None,
            },
            Some(&digest[..]),
        ),
        Content::Encapsulated {
            content_type,
            bytes,
        } => (
            EncapsulatedContentInfo {
                econtent_type: content_type,
                econtent: Some(Any::encode_from(&OctetString::new(bytes)?)?),
            },
            None,
        ),
    };
    let tbs = &signer.cert.tbs_certificate;
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let bad = |what: &str| CmsError(format!("CMS builder failed to {what}"));
    let mut si = SignerInfoBuilder::new(&signer.signing_key, sid, sha256_alg(), &eci, digest)
        .map_err(|_| bad("start the signer info"))?;
    si.add_signed_attribute(signing_certificate_v2(signer)?)
        .map_err(|_| bad("add signing-certificate-v2"))?;
    let mut sd = SignedDataBuilder::new(&eci);
    sd.add_digest_algorithm(sha256_alg())
        .map_err(|_| bad("add the digest algorithm"))?;
    for id in std::iter::once(signer).chain(extra_certs.iter().copied()) {
        sd.add_certificate(CertificateChoices::Certificate(id.cert.clone()))
            .map_err(|_| bad("add a certificate"))?;
    }
    sd.add_signer_info::<_, DerSignature>(si)
        .map_err(|_| bad("sign"))?;
    sd.build().map_err(|_| bad("assemble SignedData"))
}

/// Adds an RFC 3161 token as the unsigned attribute signature-time-stamp-token of the
/// (only) signer. Safe after signing: unsigned attributes are outside the signature.
pub(crate) fn add_signature_timestamp(
    ci: ContentInfo,
    token_for: impl FnOnce(&[u8; 32]) -> Result<Vec<u8>, CmsError>,
) -> Result<ContentInfo, CmsError> {
    let mut sd: SignedData = ci.content.decode_as()?;
    let mut infos = sd.signer_infos.0.into_vec();
    let info = infos
        .first_mut()
        .ok_or_else(|| CmsError("SignedData has no signer".into()))?;
    let imprint: [u8; 32] = Sha256::digest(info.signature.as_bytes()).into();
    let token = token_for(&imprint)?;
    let attr = Attribute {
        oid: ID_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![Any::from_der(&token)?])?,
    };
    info.unsigned_attrs = Some(SetOfVec::try_from(vec![attr])?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(infos)?);
    Ok(ContentInfo {
        content_type: ci.content_type,
        content: Any::encode_from(&sd)?,
    })
}

pub(crate) fn to_der(ci: &ContentInfo) -> Result<Vec<u8>, CmsError> {
    Ok(ci.to_der()?)
}
