//! Test-data generators and external verifier wrappers for the PAdES tests.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use signstash_sandbox::pki::Pki;

/// Options of the minimal PDF generator (a Rust port of the reference Python one).
#[derive(Default, Clone)]
pub struct GenOpts {
    pub pages: usize,
    /// Extra entries for the catalog dictionary.
    pub catalog_extra: String,
    /// Extra entries for every page dictionary.
    pub page_extra: String,
    /// Extra objects, numbered from `first_extra_id(pages)` on.
    pub extra_objects: Vec<String>,
    /// Bytes of filler text per page (to reach a target file size).
    pub filler_per_page: usize,
}

pub fn first_extra_id(pages: usize) -> usize {
    4 + 2 * pages
}

/// A valid classic-xref PDF: Catalog(1), Pages(2), Helvetica(3), then page/content pairs.
pub fn make_pdf(o: &GenOpts) -> Vec<u8> {
    let pages = o.pages.max(1);
    let mut objs: Vec<Vec<u8>> = Vec::new();
    objs.push(format!("<< /Type /Catalog /Pages 2 0 R {} >>", o.catalog_extra).into_bytes());
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objs.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        )
        .into_bytes(),
    );
    objs.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for i in 0..pages {
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> {} >>",
                5 + 2 * i,
                o.page_extra
            )
            .into_bytes(),
        );
        let mut content = format!("BT /F1 24 Tf 72 760 Td (Fatura FT 2025/{}) Tj ET\n", i + 1);
        let mut y = 720;
        while content.len() < o.filler_per_page {
            let _ = writeln!(content, "BT /F1 6 Tf 40 {y} Td (Linha de teste {y} - produto servico quantidade preco) Tj ET");
            y = if y < 60 { 720 } else { y - 7 };
        }
        let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        s.extend_from_slice(content.as_bytes());
        s.extend_from_slice(b"\nendstream");
        objs.push(s);
    }
    for e in &o.extra_objects {
        objs.push(e.clone().into_bytes());
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1);
    for off in offsets {
        let _ = writeln!(x, "{off:010} 00000 n ");
    }
    let _ = write!(
        x,
        "trailer\n<< /Size {} /Root 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    );
    out.extend_from_slice(x.as_bytes());
    out
}

pub fn simple_pdf() -> Vec<u8> {
    make_pdf(&GenOpts {
        pages: 1,
        ..Default::default()
    })
}

pub fn work_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pades_verify");
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = work_dir().join(format!("pki-{}", std::process::id()));
        Pki::load_or_create(&dir).expect("test PKI")
    })
}

pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = work_dir().join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("verifier `{cmd}` could not be run ({e}); it must be installed for these tests")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// qpdf object-stream + xref-stream rewrite of a classic file.
pub fn qpdf_objstm(input: &[u8], name: &str) -> Vec<u8> {
    let src = write(&format!("{name}.src.pdf"), input);
    let dst = work_dir().join(format!("{name}.pdf"));
    let (ok, text) = run(
        "qpdf",
        &[
            "--object-streams=generate",
            src.to_str().unwrap_or_default(),
            dst.to_str().unwrap_or_default(),
        ],
    );
    assert!(ok, "qpdf failed: {text}");
    std::fs::read(dst).expect("read qpdf output")
}

pub fn qpdf_encrypt(input: &[u8], name: &str, user_pw: &str) -> Vec<u8> {
    let src = write(&format!("{name}.src.pdf"), input);
    let dst = work_dir().join(format!("{name}.pdf"));
    let (ok, text) = run(
        "qpdf",
        &[
            "--encrypt",
            user_pw,
            "owner-pw",
            "256",
            "--",
            src.to_str().unwrap_or_default(),
            dst.to_str().unwrap_or_default(),
        ],
    );
    assert!(ok, "qpdf --encrypt failed: {text}");
    std::fs::read(dst).expect("read qpdf output")
}

/// pdfsig: every signature Valid, the last one covering the whole document.
pub fn assert_pdfsig(path: &Path, expected_sigs: usize) {
    let (_, text) = run(
        "pdfsig",
        &["-nocert", "-no-ocsp", path.to_str().unwrap_or_default()],
    );
    let blocks: Vec<&str> = text.split("Signature #").skip(1).collect();
    assert_eq!(
        blocks.len(),
        expected_sigs,
        "pdfsig signature count for {}:\n{text}",
        path.display()
    );
    for b in &blocks {
        assert!(
            b.contains("Signature is Valid"),
            "pdfsig: not valid in {}:\n{text}",
            path.display()
        );
    }
    let last = blocks.last().copied().unwrap_or_default();
    assert!(
        last.contains("Total document signed") && !last.contains("Not total"),
        "pdfsig: last signature does not cover the whole file {}:\n{text}",
        path.display()
    );
}

/// pdfsig output, for negative tests.
pub fn pdfsig_text(path: &Path) -> String {
    run(
        "pdfsig",
        &["-nocert", "-no-ocsp", path.to_str().unwrap_or_default()],
    )
    .1
}

pub fn assert_qpdf_check(path: &Path) {
    let (ok, text) = run("qpdf", &["--check", path.to_str().unwrap_or_default()]);
    assert!(
        ok && text.contains("No syntax or stream encoding errors found")
            && !text.contains("WARNING"),
        "qpdf --check not clean for {}:\n{text}",
        path.display()
    );
}

pub fn pyhanko_path() -> PathBuf {
    if let Some(p) = std::env::var_os("PYHANKO") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join(".tools/venv/bin/pyhanko")
}

/// pyHanko: every signature INTACT (cryptographically sound), TRUSTED (chain to our CA)
/// and judged VALID; with `timestamped`, a timestamp token that is sound and trusted.
pub fn assert_pyhanko(path: &Path, expected_sigs: usize, timestamped: bool) {
    let bin = pyhanko_path();
    assert!(
        bin.exists(),
        "pyHanko not found at {} (set PYHANKO=/path/to/pyhanko); verifiers must be installed for this test",
        bin.display()
    );
    let ca = pki().ca_cert_path.to_str().unwrap_or_default().to_string();
    let (ok, text) = run(
        bin.to_str().unwrap_or_default(),
        &[
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            &ca,
            "--pretty-print",
            path.to_str().unwrap_or_default(),
        ],
    );
    let ctx = format!("pyHanko on {}:\n{text}", path.display());
    assert!(ok, "{ctx}");
    let count = |s: &str| text.matches(s).count();
    assert_eq!(
        count("The signature is cryptographically sound."),
        expected_sigs,
        "INTACT: {ctx}"
    );
    assert_eq!(
        count("The signer's certificate is trusted."),
        expected_sigs,
        "TRUSTED: {ctx}"
    );
    assert_eq!(
        count("The signature is judged VALID."),
        expected_sigs,
        "VALID: {ctx}"
    );
    assert!(
        !text.contains("INVALID") && !text.contains("untrusted"),
        "{ctx}"
    );
    if timestamped {
        assert!(
            text.contains("The timestamp token is cryptographically sound."),
            "TS INTACT: {ctx}"
        );
        assert!(
            text.contains("The TSA certificate is trusted."),
            "TS TRUSTED: {ctx}"
        );
    }
}
