//! What kind of document a file is, from its bytes (never from its extension): a user's
//! `fatura.pdf` may well be a PNG scan or a Word file, and the service must be told the truth.

use std::fmt;

/// The two kinds of document Sign'Stash can sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Pdf,
    Xml,
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentKind::Pdf => "PDF",
            DocumentKind::Xml => "XML",
        })
    }
}

/// Why a file cannot be sent for signing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    #[error("the file is empty")]
    Empty,
    /// A format we recognise but cannot sign; `what` reads like "a PNG image".
    #[error("this is {what}, not a PDF or XML invoice")]
    Unsupported { what: &'static str },
    #[error("this file is not a PDF or XML invoice (its content is not recognised)")]
    Unknown,
}

impl DetectError {
    /// Stable machine-readable code (used in reports and by the UI for translation).
    pub fn code(&self) -> &'static str {
        match self {
            DetectError::Empty => "detect.empty",
            DetectError::Unsupported { .. } => "detect.unsupported",
            DetectError::Unknown => "detect.unknown",
        }
    }

    /// What the user reads, in their language.
    pub fn message(&self, lang: crate::error::Lang) -> String {
        if lang == crate::error::Lang::En {
            return self.to_string();
        }
        match self {
            DetectError::Empty => "O ficheiro está vazio.".into(),
            DetectError::Unsupported { what } => {
                format!("Isto é {}, não uma fatura em PDF ou XML.", what_pt(what))
            }
            DetectError::Unknown => {
                "Este ficheiro não é uma fatura em PDF ou XML (o conteúdo não é reconhecido)."
                    .into()
            }
        }
    }
}

/// The Portuguese of each `what` below (kept beside them: a new format needs both).
fn what_pt(what: &str) -> &str {
    match what {
        "an HTML page" => "uma página HTML",
        "a blank text file" => "um ficheiro de texto em branco",
        "a plain text file" => "um ficheiro de texto simples",
        "a PNG image" => "uma imagem PNG",
        "a JPEG image" => "uma imagem JPEG",
        "a GIF image" => "uma imagem GIF",
        "a TIFF image" => "uma imagem TIFF",
        "a WebP image" => "uma imagem WebP",
        "a BMP image" => "uma imagem BMP",
        "a ZIP archive or an Office document (.docx, .xlsx, .odt)" => {
            "um arquivo ZIP ou um documento do Office (.docx, .xlsx, .odt)"
        }
        "an empty ZIP archive" => "um arquivo ZIP vazio",
        "an old Microsoft Office document (.doc, .xls)" => {
            "um documento antigo do Microsoft Office (.doc, .xls)"
        }
        "an RTF document" => "um documento RTF",
        "a gzip-compressed file" => "um ficheiro comprimido (gzip)",
        "a 7-Zip archive" => "um arquivo 7-Zip",
        "a RAR archive" => "um arquivo RAR",
        "a program (executable)" => "um programa (executável)",
        "a Windows program (executable)" => "um programa do Windows (executável)",
        other => other,
    }
}

/// How far into the file the `%PDF-` header may start (readers tolerate leading junk).
const PDF_HEADER_WINDOW: usize = 1024;

/// Detects a PDF (`%PDF-` within the first KiB) or an XML document (optional BOM, optional
/// whitespace, then `<?xml`, `<!--` or `<` and a name start character).
pub fn detect(bytes: &[u8]) -> Result<DocumentKind, DetectError> {
    if bytes.is_empty() {
        return Err(DetectError::Empty);
    }
    let head = &bytes[..bytes.len().min(PDF_HEADER_WINDOW)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Ok(DocumentKind::Pdf);
    }
    if let Some(what) = known_other_format(bytes) {
        return Err(DetectError::Unsupported { what });
    }
    match xml_start(bytes) {
        Some(XmlStart::Xml) => return Ok(DocumentKind::Xml),
        Some(XmlStart::Html) => {
            return Err(DetectError::Unsupported {
                what: "an HTML page",
            })
        }
        None => {}
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DetectError::Unsupported {
            what: "a blank text file",
        });
    }
    if looks_like_text(bytes) {
        return Err(DetectError::Unsupported {
            what: "a plain text file",
        });
    }
    Err(DetectError::Unknown)
}

/// MIME type to declare when uploading a document of this kind.
pub fn content_type(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Pdf => "application/pdf",
        DocumentKind::Xml => "application/xml",
    }
}

/// Sign'Stash `signatureType` for this kind of document.
pub fn signature_type(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Pdf => "PAdES",
        DocumentKind::Xml => "XAdES",
    }
}

/// Magic numbers of the formats users most often pick by mistake.
fn known_other_format(b: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (
            b"PK\x03\x04",
            "a ZIP archive or an Office document (.docx, .xlsx, .odt)",
        ),
        (b"PK\x05\x06", "an empty ZIP archive"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Microsoft Office document (.doc, .xls)",
        ),
        (b"{\\rtf", "an RTF document"),
        (b"\x1f\x8b", "a gzip-compressed file"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"\x7fELF", "a program (executable)"),
    ];
    // Short magics that plain text could start with get a second check.
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some("a WebP image");
    }
    if b.len() >= 26 && b.starts_with(b"BM") && b[6..10] == [0, 0, 0, 0] {
        return Some("a BMP image");
    }
    if b.len() >= 64 && b.starts_with(b"MZ") && b[..64].contains(&0) {
        return Some("a Windows program (executable)");
    }
    MAGIC
        .iter()
        .find(|(magic, _)| b.starts_with(magic))
        .map(|(_, what)| *what)
}

enum XmlStart {
    Xml,
    Html,
}

/// Decodes the first few characters (after any BOM) in UTF-8 or UTF-16 and checks how the
/// markup starts. Only the beginning is looked at: well-formedness is checked later by the
/// verifier and by the service.
fn xml_start(b: &[u8]) -> Option<XmlStart> {
    let head: String = if let Some(rest) = b.strip_prefix(b"\xef\xbb\xbf") {
        utf8_prefix(rest)
    } else if let Some(rest) = b.strip_prefix(b"\xff\xfe") {
        utf16_prefix(rest, u16::from_le_bytes)
    } else if let Some(rest) = b.strip_prefix(b"\xfe\xff") {
        utf16_prefix(rest, u16::from_be_bytes)
    } else if b.starts_with(b"<\0") || b.starts_with(b" \0") || b.starts_with(b"\n\0") {
        // UTF-16 LE without BOM (XML spec, appendix F).
        utf16_prefix(b, u16::from_le_bytes)
    } else if b.starts_with(b"\0<") || b.starts_with(b"\0 ") || b.starts_with(b"\0\n") {
        utf16_prefix(b, u16::from_be_bytes)
    } else {
        utf8_prefix(b)
    };
    let s = head.trim_start_matches([' ', '\t', '\r', '\n']);
    let rest = s.strip_prefix('<')?;
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("!doctype html") || lower.starts_with("html") {
        return Some(XmlStart::Html);
    }
    if rest.starts_with("?xml") || rest.starts_with("!--") || rest.starts_with("!DOCTYPE") {
        return Some(XmlStart::Xml);
    }
    let first = rest.chars().next()?;
    (first.is_alphabetic() || first == '_' || first == ':').then_some(XmlStart::Xml)
}

/// Up to 256 bytes of `b` as UTF-8, stopping at the first invalid sequence.
fn utf8_prefix(b: &[u8]) -> String {
    let b = &b[..b.len().min(256)];
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(e) => String::from_utf8_lossy(&b[..e.valid_up_to()]).into_owned(),
    }
}

fn utf16_prefix(b: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = b.chunks_exact(2).take(128).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units).map_while(Result::ok).collect()
}

/// UTF-8 (or ASCII) without control characters other than whitespace, in the first 4 KiB.
fn looks_like_text(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the 4 KiB boundary is still text.
        Err(e) => e.error_len().is_none(),
    };
    valid
        && !head
            .iter()
            .any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0c))
}

#[cfg(test)]
mod message_tests {
    use super::*;
    use crate::error::Lang;

    /// Every format we name has its Portuguese name: an office in Portugal reads the reason.
    #[test]
    fn every_refusal_reads_in_portuguese() {
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0u8; 30]);
        let mut exe = b"MZ".to_vec();
        exe.extend_from_slice(&[0u8; 70]);
        let samples: Vec<Vec<u8>> = vec![
            b"\x89PNG\r\n\x1a\n....".to_vec(),
            b"\xff\xd8\xff\xe0".to_vec(),
            b"GIF87a".to_vec(),
            b"GIF89a".to_vec(),
            b"II*\0".to_vec(),
            b"MM\0*".to_vec(),
            b"PK\x03\x04".to_vec(),
            b"PK\x05\x06".to_vec(),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec(),
            b"{\\rtf1".to_vec(),
            b"\x1f\x8b\x08".to_vec(),
            b"7z\xbc\xaf\x27\x1c".to_vec(),
            b"Rar!\x1a\x07\x00".to_vec(),
            b"\x7fELF\x02".to_vec(),
            b"RIFF\0\0\0\0WEBPVP8 ".to_vec(),
            bmp,
            exe,
            b"<!DOCTYPE html><html></html>".to_vec(),
            b"  \n\t ".to_vec(),
            b"Fatura 123, total 45 EUR\n".to_vec(),
        ];
        for sample in samples {
            let Err(DetectError::Unsupported { what }) = detect(&sample) else {
                panic!("{sample:?} should be refused as a named format");
            };
            assert_ne!(what_pt(what), what, "no Portuguese for {what:?}");
            let pt = DetectError::Unsupported { what }.message(Lang::Pt);
            assert!(
                pt.starts_with("Isto é um") && pt.ends_with("PDF ou XML."),
                "{pt}"
            );
        }
        assert_eq!(
            DetectError::Empty.message(Lang::Pt),
            "O ficheiro está vazio."
        );
        assert_eq!(
            DetectError::Unknown.message(Lang::En),
            DetectError::Unknown.to_string()
        );
    }
}
