//! XAdES signatures checked by an independent verifier: `xmlsec1 --verify` against the sandbox CA,
//! for every transform and canonicalisation, several encodings and layouts, a second signature, and
//! the inputs that must be refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use signstash_sandbox::pki::Pki;
use signstash_sandbox::xades::{
    sign_xml, XadesError, XadesRequest, XmlCanonical, XmlSigner, XmlTransform,
};

struct Fixture {
    pki: Pki,
    dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let pki = Pki::load_or_create(&dir.path().join("pki")).expect("test CA");
    Fixture { pki, dir }
}

impl Fixture {
    fn sign(
        &self,
        input: &[u8],
        location: Option<&str>,
        transform: XmlTransform,
        canonical: XmlCanonical,
    ) -> Result<Vec<u8>, XadesError> {
        let signer = XmlSigner {
            cert_der: &self.pki.signer.cert_der,
            cert_pem: &self.pki.signer.cert_pem,
            key_pem: &self.pki.signer.key_pem,
            ca_pem: Some(&self.pki.ca.cert_pem),
        };
        let request = XadesRequest {
            signature_location: location,
            transform,
            canonical,
            signing_time: time::OffsetDateTime::now_utc(),
        };
        sign_xml(input, &signer, &request)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// xmlsec1's verdict on signature number `nth` (1-based), trusting the sandbox CA only.
    fn verifies(&self, path: &Path, nth: usize) -> bool {
        let output = Command::new("xmlsec1")
            .arg("--verify")
            .arg("--trusted-pem")
            .arg(&self.pki.ca_cert_path)
            .args([
                "--node-xpath",
                &format!("(//*[local-name()='Signature'])[{nth}]"),
            ])
            .arg(path)
            .output()
            .expect("xmlsec1 must be installed (apt xmlsec1)");
        output.status.success()
    }
}

const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="fatura.xsl"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:feap.gov.pt:CIUS-PT:2.1.1</cbc:CustomizationID>
  <!-- emitida pelo ERP -->
  <cbc:ID>FT 2026/1</cbc:ID>
  <cbc:IssueDate>2026-11-28</cbc:IssueDate>
  <cbc:Note>Fatura de serviços — pagamento a 30 dias</cbc:Note>
  <cbc:PayableAmount currencyID="EUR">123.00</cbc:PayableAmount>
</Invoice>
"#;

fn latin1(text: &str) -> Vec<u8> {
    text.replace("UTF-8", "ISO-8859-1")
        .replace('—', "-")
        .chars()
        .map(|c| c as u32 as u8)
        .collect()
}

#[test]
fn every_transform_and_canonicalisation_verifies() {
    let f = fixture();
    let transforms = [
        XmlTransform::Enveloped,
        XmlTransform::XPath,
        XmlTransform::XPath2Filter,
    ];
    let canonicals = [XmlCanonical::Exclusive, XmlCanonical::ExclusiveWithComments];
    for transform in transforms {
        for canonical in canonicals {
            let signed = f
                .sign(UBL.as_bytes(), None, transform, canonical)
                .expect("signs");
            let path = f.write(&format!("{transform:?}-{canonical:?}.xml"), &signed);
            assert!(
                f.verifies(&path, 1),
                "{transform:?} {canonical:?}: {}",
                String::from_utf8_lossy(&signed)
            );
            let text = String::from_utf8(signed).expect("UTF-8 output");
            assert!(text.contains("<ext:UBLExtensions"), "UBL slot created");
            assert!(text.contains("sac:SignatureInformation"));
            assert!(
                text.contains("xades:SigningCertificateV2") && text.contains("xades:SigningTime")
            );
            // The signature is real: the same file with the amount changed no longer verifies.
            let tampered = f.write("tampered.xml", text.replace("123.00", "923.00").as_bytes());
            assert!(
                !f.verifies(&tampered, 1),
                "{transform:?} {canonical:?}: tampering detected"
            );
        }
    }
}

#[test]
fn the_commands_of_the_acceptance_check_accept_it() {
    let f = fixture();
    let signed = f
        .sign(
            UBL.as_bytes(),
            None,
            XmlTransform::Enveloped,
            XmlCanonical::Exclusive,
        )
        .expect("signs");
    let path = f.write("plain.xml", &signed);
    let status = Command::new("xmlsec1")
        .args(["--verify", "--insecure"])
        .arg(&path)
        .output()
        .expect("xmlsec1")
        .status;
    assert!(status.success());
}

#[test]
fn encodings_locations_and_a_second_signature() {
    let f = fixture();
    let iso = latin1(UBL);
    let bom_crlf = [
        b"\xEF\xBB\xBF".as_slice(),
        UBL.replace('\n', "\r\n").as_bytes(),
    ]
    .concat();
    let existing_extensions = UBL.replace(
        "  <cbc:CustomizationID>",
        "  <ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\"><ext:UBLExtension><ext:ExtensionContent><erp xmlns=\"urn:x-erp\">v1</erp></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n  <cbc:CustomizationID>",
    );
    let other = "<?xml version=\"1.0\"?><doc><a>1</a><Assinaturas/></doc>";
    for (name, input, location) in [
        ("iso-8859-1", iso.as_slice(), None),
        ("bom-crlf", bom_crlf.as_slice(), None),
        (
            "existing-extensions",
            existing_extensions.as_bytes(),
            Some("SignatureInformation"),
        ),
        ("non-ubl-root", other.as_bytes(), None),
        ("non-ubl-named", other.as_bytes(), Some("Assinaturas")),
    ] {
        let signed = f
            .sign(
                input,
                location,
                XmlTransform::Enveloped,
                XmlCanonical::Exclusive,
            )
            .expect(name);
        let path = f.write(&format!("{name}.xml"), &signed);
        assert!(
            f.verifies(&path, 1),
            "{name}: {}",
            String::from_utf8_lossy(&signed)
        );
        if name == "existing-extensions" {
            let text = String::from_utf8_lossy(&signed);
            assert_eq!(
                text.matches("<ext:UBLExtensions").count(),
                1,
                "one UBLExtensions, reused"
            );
            assert!(
                text.contains("<erp xmlns=\"urn:x-erp\">v1</erp>"),
                "the ERP's extension kept"
            );
        }
        if name == "non-ubl-named" {
            assert!(String::from_utf8_lossy(&signed).contains("<Assinaturas><ds:Signature"));
        }
    }

    // A second signature (UBL XPath transform) keeps the first one valid.
    let first = f
        .sign(
            UBL.as_bytes(),
            None,
            XmlTransform::XPath,
            XmlCanonical::Exclusive,
        )
        .expect("first");
    let second = f
        .sign(&first, None, XmlTransform::XPath, XmlCanonical::Exclusive)
        .expect("second");
    let path = f.write("twice.xml", &second);
    assert!(f.verifies(&path, 1), "first signature still valid");
    assert!(f.verifies(&path, 2), "second signature valid");
}

#[test]
fn hostile_and_broken_inputs_are_refused_without_panic() {
    let f = fixture();
    let sign = |input: &[u8], location: Option<&str>| {
        f.sign(
            input,
            location,
            XmlTransform::Enveloped,
            XmlCanonical::Exclusive,
        )
    };
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>"#;
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]><d>&x;</d>"#;
    assert!(matches!(
        sign(laughs.as_bytes(), None),
        Err(XadesError::DtdNotAllowed | XadesError::NotXml(_))
    ));
    assert!(matches!(
        sign(xxe.as_bytes(), None),
        Err(XadesError::DtdNotAllowed | XadesError::NotXml(_))
    ));
    assert!(matches!(
        sign(b"<a><b></a>", None),
        Err(XadesError::NotXml(_))
    ));
    assert!(matches!(
        sign(b"%PDF-1.7 \x00\xff binary", None),
        Err(XadesError::NotXml(_))
    ));
    assert!(matches!(sign(b"", None), Err(XadesError::NotXml(_))));
    assert!(matches!(
        sign(b"<doc/>", Some("Missing")),
        Err(XadesError::LocationNotFound(_))
    ));
}

#[test]
fn concurrent_signatures_all_verify() {
    let f = fixture();
    let outputs: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    (0..10)
                        .map(|_| {
                            f.sign(
                                UBL.as_bytes(),
                                None,
                                XmlTransform::Enveloped,
                                XmlCanonical::Exclusive,
                            )
                            .expect("signs")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(outputs.len(), 80);
    for (i, signed) in outputs.iter().enumerate().step_by(9) {
        assert!(f.verifies(&f.write(&format!("c{i}.xml"), signed), 1));
    }
}
