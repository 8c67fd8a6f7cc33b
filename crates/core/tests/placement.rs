//! Per-document placement of the visible signature, against the sandbox's rendering: each document
//! of one batch gets its own box (or the batch's), and pdftoppm at 72 dpi (1 px = 1 pt) shows the
//! drawn box exactly where it was asked for, on a page with a non-zero MediaBox origin and on a
//! rotated page too.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use signstash_core::batch::{self, BatchOptions, SignatureOptions};
use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs::InputFile;
use signstash_core::journal::{Journal, NewBatch, OutputSettings, ResumeSettings};
use signstash_core::model::{LocationType, VisibleSignatureInfo};
use signstash_core::output::OutputWriter;
use signstash_core::resume::{self, ResumeOptions};
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};
use signstash_testdocs::{pdf_pages, BlankPage};
use tokio_util::sync::CancellationToken;

fn placed(page: u32, x: f32, y: f32, width: f32, height: f32) -> VisibleSignatureInfo {
    VisibleSignatureInfo {
        location_type: LocationType::Coordinate,
        location_value: format!("page={page},x={x},y={y}"),
        area: Some(format!("width={width},height={height}")),
        area_background_color: None,
        font: None,
        template_type: None,
        one_off_template: None,
        image_type: None,
        image_value: None,
    }
}

/// Bounding box (left, top, right, bottom; pixels, top-down) of the non-white pixels of `page`
/// rendered by pdftoppm at 72 dpi, and the image size.
fn drawn_box(pdf: &Path, page: u32) -> ((usize, usize, usize, usize), (usize, usize)) {
    let prefix = pdf.with_extension(format!("page{page}"));
    let status = Command::new("pdftoppm")
        .args(["-r", "72", "-gray", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    let image =
        std::fs::read(pdf.with_extension(format!("page{page}.pgm"))).expect("rendered page");
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while image[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !image[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&image[start..at]).into_owned());
    }
    let pixels = &image[at + 1..];
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let (mut left, mut top, mut right, mut bottom) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if pixels[y * w + x] < 128 {
                left = left.min(x);
                right = right.max(x);
                top = top.min(y);
                bottom = bottom.max(y);
            }
        }
    }
    assert!(left != usize::MAX, "nothing drawn on page {page}");
    ((left, top, right, bottom), (w, h))
}

fn assert_near(got: (usize, usize, usize, usize), want: (f32, f32, f32, f32), what: &str) {
    let got = [got.0, got.1, got.2, got.3];
    let want = [want.0, want.1, want.2, want.3];
    for (g, w) in got.iter().zip(want) {
        assert!(
            (*g as f32 - w).abs() <= 2.0,
            "{what}: drawn box {got:?}, asked for {want:?} (left, top, right, bottom)"
        );
    }
}

async fn sandbox_and_client(dir: &Path) -> (RunningSandbox, SignStashClient) {
    let sandbox = RunningSandbox::start(SandboxConfig {
        data_dir: dir.join("sandbox"),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let environment = Environment::custom("test", &sandbox.token_url(), &sandbox.hosted_api_base())
        .expect("environment");
    let client = SignStashClient::new(
        environment,
        Credentials::new("bar", "barsecret"),
        Arc::new(TokenCache::new()),
        &ClientOptions {
            proxy: ProxySetting::Direct,
            ..ClientOptions::default()
        },
    )
    .expect("client");
    (sandbox, client)
}

fn write_inputs(dir: &Path, documents: &[(&str, Vec<u8>)]) -> Vec<InputFile> {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    documents
        .iter()
        .map(|(name, bytes)| {
            let path = input.join(name);
            std::fs::write(&path, bytes).unwrap();
            InputFile {
                path,
                size: bytes.len() as u64,
            }
        })
        .collect()
}

#[tokio::test]
async fn each_document_gets_its_own_box_where_it_was_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_sandbox, client) = sandbox_and_client(dir.path()).await;

    let letter_offset = BlankPage {
        media_box: [100.0, 200.0, 712.0, 992.0],
        rotate: 0,
    };
    let rotated = BlankPage {
        rotate: 90,
        ..BlankPage::A4
    };
    let documents = [
        ("default.pdf", pdf_pages(&[BlankPage::A4])),
        (
            "offset.pdf",
            pdf_pages(&[BlankPage::A4, BlankPage::A4, letter_offset]),
        ),
        ("rotated.pdf", pdf_pages(&[rotated])),
    ];
    let files = write_inputs(dir.path(), &documents);

    let options = BatchOptions {
        signature: SignatureOptions {
            visible: Some(placed(1, 36.0, 36.0, 180.0, 50.0)),
            ..SignatureOptions::default()
        },
        visible_per_document: HashMap::from([
            // Coordinates are relative to the page's lower-left corner (MediaBox origin 100,200).
            (1, placed(3, 300.0, 400.0, 150.0, 60.0)),
            // Unrotated page space; shown turned a quarter clockwise.
            (2, placed(1, 100.0, 200.0, 150.0, 60.0)),
        ]),
        lang: Lang::En,
        ..BatchOptions::default()
    };
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let writer = OutputWriter::into_folder(&out);
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let outcomes = batch::run(
        &client,
        &writer,
        &files,
        &options,
        &events,
        &CancellationToken::new(),
    )
    .await;
    drop(events);
    while received.recv().await.is_some() {}
    let signed: Vec<_> = outcomes
        .iter()
        .map(|o| o.result.clone().expect("signed"))
        .collect();

    // The batch's own box, A4 (842 pt tall): y=36..86 from the bottom.
    let (drawn, size) = drawn_box(&signed[0], 1);
    assert_eq!(size, (595, 842));
    assert_near(drawn, (36.0, 842.0 - 86.0, 216.0, 842.0 - 36.0), "default");

    // Page 3 is 612 x 792 with its origin at (100, 200): the box is relative to that corner.
    let (drawn, size) = drawn_box(&signed[1], 3);
    assert_eq!(size, (612, 792));
    assert_near(
        drawn,
        (300.0, 792.0 - 460.0, 450.0, 792.0 - 400.0),
        "offset",
    );

    // /Rotate 90: shown 842 wide, 595 tall; user (x, y) appears at (y, x) from the top-left.
    let (drawn, size) = drawn_box(&signed[2], 1);
    assert_eq!(size, (842, 595));
    assert_near(drawn, (200.0, 100.0, 260.0, 250.0), "rotated");
}

/// A batch stopped before anything was sent (a crash) and resumed: each placed PDF keeps its own
/// box, the others the batch's.
#[tokio::test]
async fn a_resumed_batch_keeps_each_documents_own_box() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_sandbox, client) = sandbox_and_client(dir.path()).await;
    let documents = [
        ("first.pdf", pdf_pages(&[BlankPage::A4])),
        ("placed.pdf", pdf_pages(&[BlankPage::A4, BlankPage::A4])),
    ];
    let files = write_inputs(dir.path(), &documents);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let journal = Journal::open(&dir.path().join("journal.sqlite")).expect("journal");
    let (batch_id, _) = journal
        .begin_batch(
            &NewBatch {
                environment_id: "test".into(),
                token_url: client.environment().token_url.clone(),
                api_base: client.environment().api_base.clone(),
                hosted: true,
                output: OutputSettings {
                    folder: Some(out.clone()),
                    name_pattern: "{stem}_signed.{ext}".into(),
                },
                settings: ResumeSettings {
                    signature: SignatureOptions {
                        visible: Some(placed(1, 36.0, 36.0, 180.0, 50.0)),
                        ..SignatureOptions::default()
                    },
                    visible_per_document: HashMap::from([(
                        1,
                        placed(2, 300.0, 500.0, 150.0, 60.0),
                    )]),
                    lang: Lang::En,
                    ..ResumeSettings::default()
                },
            },
            &files,
        )
        .expect("batch recorded");

    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let report = resume::run(
        &journal,
        batch_id,
        &client,
        &ResumeOptions::default(),
        &events,
        &CancellationToken::new(),
    )
    .await
    .expect("resumed");
    drop(events);
    while received.recv().await.is_some() {}
    assert_eq!(report.saved, 2, "{report:?}");

    let (drawn, _) = drawn_box(&out.join("first_signed.pdf"), 1);
    assert_near(
        drawn,
        (36.0, 842.0 - 86.0, 216.0, 842.0 - 36.0),
        "batch box",
    );
    let (drawn, _) = drawn_box(&out.join("placed_signed.pdf"), 2);
    assert_near(
        drawn,
        (300.0, 842.0 - 560.0, 450.0, 842.0 - 500.0),
        "own box",
    );
}
