//! Where the signature goes: inside the element the request names, else (for UBL) in the
//! standard `ext:UBLExtensions/.../sac:SignatureInformation` slot, else as the root's last child.

use libxml::tree::{Document, Namespace, Node};

use super::XadesError;

const UBL_DOCUMENT_PREFIX: &str = "urn:oasis:names:specification:ubl:schema:xsd:";
pub const EXT_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
const SIG_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2";
const SAC_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2";
const XADES_EXTENSION_URI: &str = "urn:oasis:names:specification:ubl:dsig:enveloped:xades";

fn internal(e: impl std::fmt::Display) -> XadesError {
    XadesError::Internal(e.to_string())
}

pub fn is_ubl(document: &Document) -> bool {
    document
        .get_root_element()
        .and_then(|root| root.get_namespace())
        .is_some_and(|ns| ns.get_href().starts_with(UBL_DOCUMENT_PREFIX))
}

fn find_element(node: &Node, local_name: &str) -> Option<Node> {
    for child in node.get_child_elements() {
        if child.get_name() == local_name {
            return Some(child);
        }
        if let Some(found) = find_element(&child, local_name) {
            return Some(found);
        }
    }
    None
}

pub fn signature_parent(document: &Document, location: Option<&str>) -> Result<Node, XadesError> {
    let root = document
        .get_root_element()
        .ok_or_else(|| XadesError::NotXml("no root element".into()))?;
    if let Some(name) = location {
        if root.get_name() == name {
            return Ok(root);
        }
        if let Some(found) = find_element(&root, name) {
            return Ok(found);
        }
        if !is_ubl(document) || name != "SignatureInformation" {
            return Err(XadesError::LocationNotFound(name.to_string()));
        }
    }
    if is_ubl(document) {
        ubl_signature_slot(document, root)
    } else {
        Ok(root)
    }
}

/// Creates `ext:UBLExtension/ext:ExtensionURI + ext:ExtensionContent/sig:UBLDocumentSignatures/
/// sac:SignatureInformation` under the invoice's `ext:UBLExtensions` (made first if absent, before
/// the root's first element, as the UBL schema requires).
fn ubl_signature_slot(document: &Document, mut root: Node) -> Result<Node, XadesError> {
    let existing = root.get_child_elements().into_iter().find(|c| {
        c.get_name() == "UBLExtensions" && c.get_namespace().is_some_and(|n| n.get_href() == EXT_NS)
    });
    let mut extensions = match existing {
        Some(extensions) => extensions,
        None => {
            let mut extensions =
                Node::new("UBLExtensions", None, document).map_err(|_| internal("node"))?;
            match root.get_first_element_child() {
                Some(mut first) => first.add_prev_sibling(&mut extensions).map_err(internal)?,
                None => root.add_child(&mut extensions).map_err(internal)?,
            }
            let ext = Namespace::new("ext", EXT_NS, &mut extensions).map_err(internal)?;
            extensions.set_namespace(&ext).map_err(internal)?;
            extensions
        }
    };
    let ext = namespace_on(&mut extensions, EXT_NS, "ext")?;
    let mut extension = extensions
        .new_child(Some(ext.clone()), "UBLExtension")
        .map_err(internal)?;
    let mut uri = extension
        .new_child(Some(ext.clone()), "ExtensionURI")
        .map_err(internal)?;
    uri.append_text(XADES_EXTENSION_URI).map_err(internal)?;
    let mut content = extension
        .new_child(Some(ext), "ExtensionContent")
        .map_err(internal)?;
    let mut signatures = content
        .new_child(None, "UBLDocumentSignatures")
        .map_err(internal)?;
    let sig = Namespace::new("sig", SIG_NS, &mut signatures).map_err(internal)?;
    signatures.set_namespace(&sig).map_err(internal)?;
    let mut information = signatures
        .new_child(None, "SignatureInformation")
        .map_err(internal)?;
    let sac = Namespace::new("sac", SAC_NS, &mut information).map_err(internal)?;
    information.set_namespace(&sac).map_err(internal)?;
    Ok(information)
}

/// The namespace `href` in scope at `node`, declared there with `prefix` if it is not.
fn namespace_on(node: &mut Node, href: &str, prefix: &str) -> Result<Namespace, XadesError> {
    if let Some(ns) = node.get_namespace().filter(|ns| ns.get_href() == href) {
        return Ok(ns);
    }
    Namespace::new(prefix, href, node).map_err(internal)
}
