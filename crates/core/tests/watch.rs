//! The watch folder against the sandbox on loopback, with real folders: files already there and
//! files arriving are signed once, originals move to backup without overwriting, a bad file gets
//! its `.error.txt`, temporary names are left alone, and a restart after a crash between "sent"
//! and "moved" fetches the signed document by externalReference instead of signing it again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use signstash_core::batch::{self, BatchOptions, Failure, Recorder};
use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs::InputFile;
use signstash_core::output::OutputWriter;
use signstash_core::token::{Credentials, TokenCache};
use signstash_core::watch::state::{fingerprint, Entry, Stage, WatchState};
use signstash_core::watch::{self, Activity, ActivityOutcome, WatchConfig, WatchPhase};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};
use signstash_testdocs::pdf as make_pdf;
use tokio_util::sync::CancellationToken;

struct Folders {
    _dir: tempfile::TempDir,
    root: PathBuf,
    input: PathBuf,
    output: PathBuf,
    backup: PathBuf,
    state: PathBuf,
}

fn folders() -> Folders {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let [input, output, backup] = ["in", "out", "backup"].map(|n| root.join(n));
    std::fs::create_dir_all(&input).expect("mkdir");
    Folders {
        state: root.join("state/watch.json"),
        _dir: dir,
        root,
        input,
        output,
        backup,
    }
}

async fn sandbox(root: &Path) -> RunningSandbox {
    RunningSandbox::start(SandboxConfig {
        data_dir: root.join("sandbox"),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox")
}

fn client(sandbox: &RunningSandbox) -> SignStashClient {
    let environment = Environment::custom("test", &sandbox.token_url(), &sandbox.hosted_api_base())
        .expect("environment");
    SignStashClient::new(
        environment,
        Credentials::new("bar", "barsecret"),
        Arc::new(TokenCache::new()),
        &ClientOptions {
            proxy: ProxySetting::Direct,
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

fn config(f: &Folders) -> WatchConfig {
    let mut config = WatchConfig::new(f.input.clone(), f.output.clone(), f.backup.clone());
    config.settle = Duration::from_millis(300);
    config.rescan = Duration::from_secs(2);
    config.state_file = Some(f.state.clone());
    config.batch = BatchOptions {
        lang: Lang::En,
        backoff: Duration::from_millis(20),
        ..BatchOptions::default()
    };
    config
}

/// A running watcher: its activities so far, and how to stop it.
struct Running {
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    activities: Arc<Mutex<Vec<Activity>>>,
    status: tokio::sync::watch::Receiver<watch::WatchStatus>,
}

fn start(config: WatchConfig, client: SignStashClient) -> Running {
    let (reports, status, mut activity) = watch::reports();
    let cancel = CancellationToken::new();
    let activities = Arc::new(Mutex::new(Vec::new()));
    let seen = activities.clone();
    tokio::spawn(async move {
        while let Some(a) = activity.recv().await {
            seen.lock().expect("lock").push(a);
        }
    });
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        watch::run(config, client, reports, stop)
            .await
            .expect("watch starts");
    });
    Running {
        cancel,
        task,
        activities,
        status,
    }
}

impl Running {
    async fn wait_for(&self, count: usize) -> Vec<Activity> {
        for _ in 0..300 {
            let now = self.activities.lock().expect("lock").clone();
            if now.len() >= count {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "only {:?} after 15 s",
            self.activities.lock().expect("lock")
        );
    }

    async fn stop(self) -> watch::WatchStatus {
        self.cancel.cancel();
        self.task.await.expect("watch task");
        let status = self.status.borrow().clone();
        status
    }
}

fn pdfsig_ok(path: &Path) -> bool {
    let output = std::process::Command::new("pdfsig")
        .args(["-nocert", "-no-ocsp"])
        .arg(path)
        .output()
        .expect("pdfsig installed");
    let text = String::from_utf8_lossy(&output.stdout);
    text.contains("Signature is Valid") && text.contains("Total document signed")
}

fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_what_arrives_once_explains_failures_and_survives_a_restart() {
    let f = folders();
    let sandbox = sandbox(&f.root).await;
    // Already there at start, and one whose name is taken in the backup folder.
    std::fs::write(f.input.join("a.pdf"), make_pdf(&format!("Fatura {}", 1))).expect("write");
    std::fs::create_dir_all(&f.backup).expect("mkdir");
    std::fs::write(f.backup.join("a.pdf"), b"an older a.pdf").expect("write");

    let running = start(config(&f), client(&sandbox));
    running.wait_for(1).await;
    // Arriving while it runs: written in two steps (still growing), a bad one, a temporary name.
    let growing = make_pdf(&format!("Fatura {}", 2));
    let (head, tail) = growing.split_at(growing.len() / 2);
    std::fs::write(f.input.join("b.pdf"), head).expect("write");
    std::fs::write(f.input.join("c.pdf"), make_pdf(&format!("Fatura {}", 3))).expect("write");
    std::fs::write(f.input.join("broken.pdf"), b"not a pdf").expect("write");
    std::fs::write(
        f.input.join("d.pdf.part"),
        make_pdf(&format!("Fatura {}", 4)),
    )
    .expect("write");
    tokio::time::sleep(Duration::from_millis(150)).await;
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(f.input.join("b.pdf"))
            .expect("open");
        file.write_all(tail).expect("append");
    }
    let activities = running.wait_for(4).await;
    let status = running.stop().await;
    assert_eq!(status.phase, WatchPhase::Stopped);
    assert_eq!((status.signed, status.failed), (3, 1), "{activities:?}");
    let failed: Vec<_> = activities
        .iter()
        .filter_map(|a| match &a.outcome {
            ActivityOutcome::Failed {
                code, error_file, ..
            } => Some((a.file.clone(), code.clone(), error_file.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "broken.pdf");
    let error_text = std::fs::read_to_string(failed[0].2.as_ref().expect("error file"))
        .expect("read error file");
    assert!(
        error_text.contains("could not be signed") && error_text.contains(&failed[0].1),
        "{error_text}"
    );

    // A restart: a file that arrived while it was stopped is signed, nothing else again.
    std::fs::write(f.input.join("e.pdf"), make_pdf(&format!("Fatura {}", 5))).expect("write");
    let running = start(config(&f), client(&sandbox));
    running.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let restarted = running.stop().await;
    assert_eq!((restarted.signed, restarted.failed), (1, 0));

    assert_eq!(
        names(&f.input),
        ["d.pdf.part"],
        "only the temporary name is left"
    );
    assert_eq!(
        names(&f.output),
        [
            "a_signed.pdf",
            "b_signed.pdf",
            "broken.pdf.error.txt",
            "c_signed.pdf",
            "e_signed.pdf"
        ]
    );
    assert_eq!(
        names(&f.backup),
        [
            "a (2).pdf",
            "a.pdf",
            "b.pdf",
            "broken.pdf",
            "c.pdf",
            "e.pdf"
        ]
    );
    assert_eq!(
        std::fs::read(f.backup.join("a.pdf")).expect("read"),
        b"an older a.pdf"
    );
    assert_eq!(
        std::fs::read(f.backup.join("b.pdf")).expect("read"),
        growing,
        "the whole file, not the half seen first"
    );
    for name in ["a", "b", "c", "e"] {
        let signed = f.output.join(format!("{name}_signed.pdf"));
        assert!(pdfsig_ok(&signed), "pdfsig rejects {}", signed.display());
    }
    assert_eq!(sandbox.stats().documents_signed, 4, "each good file once");
}

/// Captures each document's externalReference as the engine sends it.
#[derive(Default)]
struct References(Mutex<Vec<String>>);

impl Recorder for References {
    fn sending(&self, _request: &str, documents: &[(usize, &str, String)]) -> Result<(), String> {
        let mut all = self.0.lock().map_err(|e| e.to_string())?;
        all.extend(documents.iter().map(|(_, r, _)| r.to_string()));
        Ok(())
    }
    fn saved(&self, _index: usize, _output: &Path, _operation_id: Option<i64>) {}
    fn failed(&self, _index: usize, _reference: Option<&str>, _failure: &Failure) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_between_sending_and_moving_the_signed_file_is_fetched_not_signed_again() {
    let f = folders();
    let sandbox = sandbox(&f.root).await;
    let client = client(&sandbox);
    let original = make_pdf(&format!("Fatura {}", 7));
    let path = f.input.join("fatura.pdf");
    std::fs::write(&path, &original).expect("write");

    // The crash: the service signed it under a reference the state recorded, and the process died
    // before the answer was saved (the signed copy here is thrown away, as a crash would).
    let scratch = f.root.join("lost");
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let references = References::default();
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    let outcomes = batch::run_recorded(
        &client,
        &OutputWriter::into_folder(&scratch),
        &[InputFile {
            path: path.clone(),
            size: original.len() as u64,
        }],
        &BatchOptions::default(),
        &events,
        &CancellationToken::new(),
        Some(&references),
    )
    .await;
    assert!(outcomes[0].result.is_ok());
    std::fs::remove_dir_all(&scratch).expect("lose the answer");
    let reference = references.0.lock().expect("lock")[0].clone();
    WatchState::open(&f.state)
        .expect("state")
        .update(vec![(
            fingerprint("fatura.pdf", &original),
            Some(Entry {
                name: "fatura.pdf".into(),
                stage: Stage::Sending { reference },
            }),
        )])
        .expect("record");
    assert_eq!(sandbox.stats().documents_signed, 1);

    // A second file that was sent but never reached the service is signed normally.
    let other = make_pdf(&format!("Fatura {}", 8));
    std::fs::write(f.input.join("outra.pdf"), &other).expect("write");
    WatchState::open(&f.state)
        .expect("state")
        .update(vec![(
            fingerprint("outra.pdf", &other),
            Some(Entry {
                name: "outra.pdf".into(),
                stage: Stage::Sending {
                    reference: "ssd-never-arrived-0".into(),
                },
            }),
        )])
        .expect("record");

    let running = start(config(&f), client.clone());
    let activities = running.wait_for(2).await;
    running.stop().await;
    let recovered: Vec<_> = activities
        .iter()
        .filter(|a| matches!(a.outcome, ActivityOutcome::Recovered { .. }))
        .map(|a| a.file.as_str())
        .collect();
    assert_eq!(recovered, ["fatura.pdf"], "{activities:?}");
    assert!(pdfsig_ok(&f.output.join("fatura_signed.pdf")));
    assert!(pdfsig_ok(&f.output.join("outra_signed.pdf")));
    assert_eq!(
        sandbox.stats().documents_signed,
        2,
        "fatura.pdf fetched, not signed a second time"
    );
    assert!(names(&f.input).is_empty());
    let state = std::fs::read_to_string(&f.state).expect("state");
    assert!(
        !state.contains("fatura.pdf"),
        "finished files are forgotten: {state}"
    );
}
