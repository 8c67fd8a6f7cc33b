mod support;
use signstash_sandbox::pades::{sign_pdf, PadesRequest, VisibleBox};
use support::*;

fn req(ts: bool, visible: Option<VisibleBox>) -> PadesRequest<'static> {
    PadesRequest {
        reason: Some("Faturação"),
        location: Some("Lisboa"),
        timestamp: ts,
        visible,
        signing_time: time::OffsetDateTime::now_utc(),
    }
}

#[test]
fn smoke() {
    let pdf = simple_pdf();
    let vis = VisibleBox {
        page: 1,
        x: 300.0,
        y: 60.0,
        width: 220.0,
        height: 60.0,
        lines: vec![
            "Assinado digitalmente por".into(),
            "Sign'Stash Sandbox Signer".into(),
            "Data: 2025-01-01 12:00".into(),
        ],
        font_size: 8.0,
        background: Some([240, 240, 255]),
    };
    let out = sign_pdf(&pdf, pki(), &req(true, Some(vis))).expect("sign");
    let p = write("smoke.pdf", &out);
    println!("{}", pdfsig_text(&p));
    let (_, t) = (
        0,
        std::process::Command::new(pyhanko_path())
            .args([
                "sign",
                "validate",
                "--no-revocation-check",
                "--trust",
                pki().ca_cert_path.to_str().unwrap(),
                "--pretty-print",
                p.to_str().unwrap(),
            ])
            .output()
            .unwrap(),
    );
    println!(
        "{}{}",
        String::from_utf8_lossy(&t.stdout),
        String::from_utf8_lossy(&t.stderr)
    );
}
