//! Documents for tests and benchmarks, made in code so no fixture files are needed: a valid
//! one-page PDF (classic xref table, Helvetica text) and a small UBL 2.1 / CIUS-PT invoice.

/// The version line, and a comment of high bytes that marks the file as binary.
const HEADER: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

/// A valid one-page PDF showing `text`.
pub fn pdf(text: &str) -> Vec<u8> {
    padded_pdf(text, 0)
}

/// A valid one-page PDF of about `size` bytes. Like a real invoice, its bulk is binary: a logo,
/// drawn in a corner, whose pixels are incompressible noise (as JPEG or Flate data would be), in a
/// stream a parser skips by its /Length. (Padding with comment lines, as before, made the sandbox
/// spend a fifth of its CPU parsing them, and so flattered the client against the sandbox.)
pub fn padded_pdf(text: &str, size: usize) -> Vec<u8> {
    const LOGO_WIDTH: usize = 256;
    // What the file holds besides the logo's pixels, with room to spare.
    const FRAME: usize = 1024;
    let rows = size.saturating_sub(FRAME) / LOGO_WIDTH;
    let logo = (rows > 0).then(|| noise(text, rows * LOGO_WIDTH));
    let mut content = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let mut resources = "/Font << /F1 5 0 R >>".to_string();
    if logo.is_some() {
        content.push_str(" q 120 0 0 60 72 760 cm /Logo Do Q");
        resources.push_str(" /XObject << /Logo 6 0 R >>");
    }
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << {resources} >> >>"
        )
        .into_bytes(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    if let Some(pixels) = logo {
        let mut image = format!(
            "<< /Type /XObject /Subtype /Image /Width {LOGO_WIDTH} /Height {rows} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
            pixels.len()
        )
        .into_bytes();
        image.extend_from_slice(&pixels);
        image.extend_from_slice(b"\nendstream");
        objects.push(image);
    }
    append_objects(HEADER.to_vec(), &objects)
}

/// `len` bytes of noise, the same for the same `seed` (xorshift64*, seeded from its text).
fn noise(seed: &str, len: usize) -> Vec<u8> {
    let mut state = seed.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Appends `objects` (numbered from 1, object 1 the catalog), a classic xref table and the trailer.
fn append_objects(mut out: Vec<u8>, objects: &[impl AsRef<[u8]>]) -> Vec<u8> {
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body.as_ref());
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A small UBL 2.1 invoice with the CIUS-PT customisation id.
pub fn ubl_invoice(id: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:feap.gov.pt:CIUS-PT:2.1.1</cbc:CustomizationID>
  <cbc:ID>{id}</cbc:ID>
  <cbc:IssueDate>2026-11-28</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
</Invoice>
"#
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn padding_reaches_the_size_asked() {
        let small = super::pdf("x");
        assert!(small.starts_with(b"%PDF-1.7") && small.ends_with(b"%%EOF\n"));
        let big = super::padded_pdf("x", 200 * 1024);
        assert!(
            big.len() > 199 * 1024 && big.len() <= 200 * 1024,
            "{}",
            big.len()
        );
    }

    #[test]
    fn the_bulk_is_a_binary_stream_and_the_xref_points_at_each_object() {
        let big = super::padded_pdf("x", 200 * 1024);
        let text = String::from_utf8_lossy(&big);
        assert!(text.contains("/Subtype /Image /Width 256"));
        let xref = text.rfind("\nxref\n").expect("xref");
        let offsets: Vec<usize> = text[xref..]
            .lines()
            .filter(|l| l.ends_with(" 00000 n "))
            .map(|l| l[..10].parse().expect("offset"))
            .collect();
        assert_eq!(offsets.len(), 6);
        // Object 1 follows the two header lines: no padding a parser would read line by line.
        assert_eq!(offsets[0], super::HEADER.len());
        for (i, at) in offsets.into_iter().enumerate() {
            assert!(big[at..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
    }
}

/// One blank page of [`pdf_pages`]: its MediaBox (`[llx lly urx ury]`, points) and /Rotate.
#[derive(Clone, Copy, Debug)]
pub struct BlankPage {
    pub media_box: [f32; 4],
    pub rotate: i32,
}

impl BlankPage {
    pub const A4: BlankPage = BlankPage {
        media_box: [0.0, 0.0, 595.0, 842.0],
        rotate: 0,
    };
}

/// A valid PDF of blank pages, so whatever a renderer draws on them is the signature box alone.
pub fn pdf_pages(pages: &[BlankPage]) -> Vec<u8> {
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", i + 3)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    ];
    for page in pages {
        let [a, b, c, d] = page.media_box;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [{a} {b} {c} {d}] /Rotate {} /Resources << >> >>",
            page.rotate
        ));
    }
    append_objects(HEADER.to_vec(), &objects)
}
