//! The `ds:Signature` template appended to the document: SignedInfo with two references (the
//! document, and the XAdES SignedProperties), an empty SignatureValue and X509Data that libxmlsec1
//! fills, and the XAdES QualifyingProperties (SigningTime, SigningCertificateV2, DataObjectFormat).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libxml::tree::{Document, Namespace, Node};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::place::EXT_NS;
use super::{XadesError, XadesRequest, XmlCanonical, XmlSigner, XmlTransform};

const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
const FILTER2_NS: &str = "http://www.w3.org/2002/06/xmldsig-filter2";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

fn internal(e: impl std::fmt::Display) -> XadesError {
    XadesError::Internal(e.to_string())
}

/// A child element in namespace `ns`, with attributes and optional text.
fn child(
    parent: &mut Node,
    ns: &Namespace,
    name: &str,
    attributes: &[(&str, &str)],
    text: Option<&str>,
) -> Result<Node, XadesError> {
    let mut node = parent.new_child(Some(ns.clone()), name).map_err(internal)?;
    for (key, value) in attributes {
        node.set_attribute(key, value).map_err(internal)?;
    }
    if let Some(text) = text {
        node.append_text(text).map_err(internal)?;
    }
    Ok(node)
}

fn canonical_uri(canonical: XmlCanonical) -> &'static str {
    match canonical {
        XmlCanonical::Exclusive => "http://www.w3.org/2001/10/xml-exc-c14n#",
        XmlCanonical::ExclusiveWithComments => {
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
        }
    }
}

fn signature_method(key_pem: &str) -> &'static str {
    // PKCS#8 does not say the algorithm in its PEM label; an EC key's DER is far shorter than RSA's.
    if key_pem.len() < 600 {
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    } else {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    }
}

/// Appends the template under `parent` and returns the new `ds:Signature` node.
pub fn append_signature(
    document: &Document,
    parent: &mut Node,
    signer: &XmlSigner,
    request: &XadesRequest,
    ubl: bool,
) -> Result<Node, XadesError> {
    let mut random = [0u8; 6];
    rand::thread_rng().fill_bytes(&mut random);
    let id = format!(
        "xades-{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let c14n = canonical_uri(request.canonical);

    let mut signature = Node::new("Signature", None, document).map_err(|_| internal("node"))?;
    parent.add_child(&mut signature).map_err(internal)?;
    let ds = Namespace::new("ds", DS_NS, &mut signature).map_err(internal)?;
    signature.set_namespace(&ds).map_err(internal)?;
    signature.set_attribute("Id", &id).map_err(internal)?;

    let mut signed_info = child(&mut signature, &ds, "SignedInfo", &[], None)?;
    child(
        &mut signed_info,
        &ds,
        "CanonicalizationMethod",
        &[("Algorithm", c14n)],
        None,
    )?;
    child(
        &mut signed_info,
        &ds,
        "SignatureMethod",
        &[("Algorithm", signature_method(signer.key_pem))],
        None,
    )?;

    let document_reference = format!("{id}-ref0");
    let mut reference = child(
        &mut signed_info,
        &ds,
        "Reference",
        &[("Id", &document_reference), ("URI", "")],
        None,
    )?;
    let mut transforms = child(&mut reference, &ds, "Transforms", &[], None)?;
    document_transform(&mut transforms, &ds, request.transform, ubl)?;
    finish_reference(&mut reference, &mut transforms, &ds, c14n)?;

    let properties_id = format!("{id}-signedprops");
    let properties_uri = format!("#{properties_id}");
    let mut reference = child(
        &mut signed_info,
        &ds,
        "Reference",
        &[
            ("Type", "http://uri.etsi.org/01903#SignedProperties"),
            ("URI", &properties_uri),
        ],
        None,
    )?;
    let mut transforms = child(&mut reference, &ds, "Transforms", &[], None)?;
    finish_reference(&mut reference, &mut transforms, &ds, c14n)?;

    child(&mut signature, &ds, "SignatureValue", &[], None)?;
    let mut key_info = child(&mut signature, &ds, "KeyInfo", &[], None)?;
    child(&mut key_info, &ds, "X509Data", &[], None)?;

    let mut object = child(&mut signature, &ds, "Object", &[], None)?;
    let mut qualifying = object
        .new_child(None, "QualifyingProperties")
        .map_err(internal)?;
    let xades = Namespace::new("xades", XADES_NS, &mut qualifying).map_err(internal)?;
    qualifying.set_namespace(&xades).map_err(internal)?;
    qualifying
        .set_attribute("Target", &format!("#{id}"))
        .map_err(internal)?;
    let mut properties = child(
        &mut qualifying,
        &xades,
        "SignedProperties",
        &[("Id", &properties_id)],
        None,
    )?;
    let mut signature_properties = child(
        &mut properties,
        &xades,
        "SignedSignatureProperties",
        &[],
        None,
    )?;
    let signing_time = request
        .signing_time
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(internal)?;
    child(
        &mut signature_properties,
        &xades,
        "SigningTime",
        &[],
        Some(&signing_time),
    )?;
    let mut certificate = child(
        &mut signature_properties,
        &xades,
        "SigningCertificateV2",
        &[],
        None,
    )?;
    let mut cert = child(&mut certificate, &xades, "Cert", &[], None)?;
    let mut digest = child(&mut cert, &xades, "CertDigest", &[], None)?;
    child(
        &mut digest,
        &ds,
        "DigestMethod",
        &[("Algorithm", SHA256)],
        None,
    )?;
    let cert_digest = STANDARD.encode(Sha256::digest(signer.cert_der));
    child(&mut digest, &ds, "DigestValue", &[], Some(&cert_digest))?;
    let mut data_properties = child(
        &mut properties,
        &xades,
        "SignedDataObjectProperties",
        &[],
        None,
    )?;
    let document_reference_uri = format!("#{document_reference}");
    let mut format = child(
        &mut data_properties,
        &xades,
        "DataObjectFormat",
        &[("ObjectReference", &document_reference_uri)],
        None,
    )?;
    child(&mut format, &xades, "MimeType", &[], Some("text/xml"))?;
    Ok(signature)
}

/// The end every Reference shares: canonicalisation last, then SHA-256 and an empty digest for
/// libxmlsec1 to fill.
fn finish_reference(
    reference: &mut Node,
    transforms: &mut Node,
    ds: &Namespace,
    c14n: &str,
) -> Result<(), XadesError> {
    child(transforms, ds, "Transform", &[("Algorithm", c14n)], None)?;
    child(
        reference,
        ds,
        "DigestMethod",
        &[("Algorithm", SHA256)],
        None,
    )?;
    child(reference, ds, "DigestValue", &[], None)?;
    Ok(())
}

/// The transform that keeps the signature out of what it signs.
fn document_transform(
    transforms: &mut Node,
    ds: &Namespace,
    transform: XmlTransform,
    ubl: bool,
) -> Result<(), XadesError> {
    match transform {
        XmlTransform::Enveloped => {
            child(
                transforms,
                ds,
                "Transform",
                &[(
                    "Algorithm",
                    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                )],
                None,
            )?;
        }
        XmlTransform::XPath => {
            let mut node = child(
                transforms,
                ds,
                "Transform",
                &[("Algorithm", "http://www.w3.org/TR/1999/REC-xpath-19991116")],
                None,
            )?;
            // UBL practice: nothing inside UBLExtensions is signed, so later signatures keep earlier ones valid.
            let mut xpath = child(&mut node, ds, "XPath", &[], None)?;
            if ubl {
                Namespace::new("ext", EXT_NS, &mut xpath).map_err(internal)?;
                xpath
                    .append_text("not(ancestor-or-self::ext:UBLExtensions)")
                    .map_err(internal)?;
            } else {
                xpath
                    .append_text("not(ancestor-or-self::ds:Signature)")
                    .map_err(internal)?;
            }
        }
        XmlTransform::XPath2Filter => {
            let mut node = child(
                transforms,
                ds,
                "Transform",
                &[("Algorithm", FILTER2_NS)],
                None,
            )?;
            let mut xpath = node.new_child(None, "XPath").map_err(internal)?;
            let filter = Namespace::new("dsig-xpath", FILTER2_NS, &mut xpath).map_err(internal)?;
            xpath.set_namespace(&filter).map_err(internal)?;
            xpath
                .set_attribute("Filter", "subtract")
                .map_err(internal)?;
            xpath.append_text("//ds:Signature").map_err(internal)?;
        }
    }
    Ok(())
}
