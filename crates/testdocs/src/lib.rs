//! Documents for tests and benchmarks, made in code so no fixture files are needed: a valid
//! one-page PDF (classic xref table, Helvetica text) and a small UBL 2.1 / CIUS-PT invoice.

/// A valid one-page PDF showing `text`.
pub fn pdf(text: &str) -> Vec<u8> {
    padded_pdf(text, 0)
}

/// A valid one-page PDF of about `size` bytes: a comment before the objects fills the rest, so the
/// file stays cheap to parse whatever its size.
pub fn padded_pdf(text: &str, size: usize) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let line = [b"%".as_slice(), &[b'x'; 78], b"\n"].concat();
    while out.len() + line.len() + 700 < size {
        out.extend_from_slice(&line);
    }
    append_objects(out, &objects)
}

/// Appends `objects` (numbered from 1, object 1 the catalog), a classic xref table and the trailer.
fn append_objects(mut out: Vec<u8>, objects: &[String]) -> Vec<u8> {
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
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
    append_objects(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(), &objects)
}
