//! XAdES-BES enveloped signatures over XML invoices (UBL 2.1 / CIUS-PT and any other XML), made with
//! libxmlsec1 so that every canonicalisation and digest is computed exactly as `xmlsec1 --verify`
//! recomputes it. See `../shared/notes/xades-in-rust.md` for the measured route and its pitfalls.

mod place;
mod template;

use std::sync::Mutex;

use libxml::parser::{Parser, ParserOptions};
use libxml::tree::{Document, SaveOptions};
use xmlsec::{XmlSecKey, XmlSecKeyFormat, XmlSecSignatureContext};

/// `advancedSignatureInfo.signatureTransform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlTransform {
    Enveloped,
    XPath,
    XPath2Filter,
}

/// `advancedSignatureInfo.canonicalTransform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlCanonical {
    Exclusive,
    ExclusiveWithComments,
}

pub struct XadesRequest<'a> {
    /// Local name of the element that will hold the signature (e.g. `SignatureInformation`).
    pub signature_location: Option<&'a str>,
    pub transform: XmlTransform,
    pub canonical: XmlCanonical,
    pub signing_time: time::OffsetDateTime,
}

pub struct XmlSigner<'a> {
    pub cert_der: &'a [u8],
    pub cert_pem: &'a str,
    /// PKCS#8 PEM (P-256 in the sandbox; RSA works too).
    pub key_pem: &'a str,
    /// Put in KeyInfo after the signer's certificate when given.
    pub ca_pem: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum XadesError {
    #[error("the document is not well-formed XML: {0}")]
    NotXml(String),
    #[error(
        "the document declares a DTD, which is refused (entity expansion and external entities)"
    )]
    DtdNotAllowed,
    #[error("the document has no element named '{0}' to hold the signature")]
    LocationNotFound(String),
    #[error("the signing key or certificate could not be loaded: {0}")]
    Key(String),
    #[error("the XML signature could not be made: {0}")]
    Internal(String),
}

/// libxml2's and libxmlsec1's global state is not safe to share between threads without care;
/// one signature at a time costs a few milliseconds each and keeps it simple.
static XMLSEC: Mutex<()> = Mutex::new(());

pub fn sign_xml(
    input: &[u8],
    signer: &XmlSigner,
    request: &XadesRequest,
) -> Result<Vec<u8>, XadesError> {
    let _one_at_a_time = XMLSEC
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let document = parse(input)?;
    let mut parent = place::signature_parent(&document, request.signature_location)?;
    let ubl = place::is_ubl(&document);
    let signature = template::append_signature(&document, &mut parent, signer, request, ubl)?;

    let key = XmlSecKey::from_memory(signer.key_pem.as_bytes(), XmlSecKeyFormat::Pem, None)
        .map_err(|e| XadesError::Key(format!("{e:?}")))?;
    key.load_cert_from_memory(signer.cert_pem.as_bytes(), XmlSecKeyFormat::CertPem)
        .map_err(|e| XadesError::Key(format!("{e:?}")))?;
    if let Some(ca) = signer.ca_pem {
        key.load_cert_from_memory(ca.as_bytes(), XmlSecKeyFormat::CertPem)
            .map_err(|e| XadesError::Key(format!("{e:?}")))?;
    }
    let mut context = XmlSecSignatureContext::new();
    context.insert_key(key);
    // The new Signature node, not the first one in the document: an already-signed invoice keeps its
    // earlier signature untouched.
    context
        .sign_node(&signature)
        .map_err(|e| XadesError::Internal(format!("{e:?}")))?;

    let options = SaveOptions {
        format: false,
        ..SaveOptions::default()
    };
    Ok(document.to_string_with_options(options).into_bytes())
}

/// Strict parsing: no recovery of broken XML, no network, and no DTD at all.
fn parse(input: &[u8]) -> Result<Document, XadesError> {
    let options = ParserOptions {
        recover: false,
        no_net: true,
        no_def_dtd: true,
        no_error: true,
        no_warning: true,
        no_blanks: false,
        huge: false,
        ..ParserOptions::default()
    };
    let document = Parser::default()
        .parse_string_with_options(input, options)
        .map_err(|e| XadesError::NotXml(format!("{e:?}")))?;
    let doc = document.doc_ptr();
    // SAFETY: `doc` is the live document just returned by libxml2; only two pointer fields are read.
    let has_dtd = unsafe { !(*doc).intSubset.is_null() || !(*doc).extSubset.is_null() };
    if has_dtd {
        return Err(XadesError::DtdNotAllowed);
    }
    if document.get_root_element().is_none() {
        return Err(XadesError::NotXml("no root element".into()));
    }
    Ok(document)
}
