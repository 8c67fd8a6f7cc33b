//! Crash safety with real kills: `signstash sign` is killed with SIGKILL mid-batch (and `resume`
//! too), then `signstash resume` finishes the batch. Checked against the sandbox's own counters:
//! every document signed exactly once, every original untouched, no temporary file left.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use signstash_core::journal::{DocState, Journal};
use signstash_sandbox::{ClientCredentials, Faults, RunningSandbox, SandboxConfig};
use signstash_testdocs::padded_pdf;

struct Setup {
    sandbox: RunningSandbox,
    dir: tempfile::TempDir,
    originals: Vec<(PathBuf, Vec<u8>)>,
    api_base: String,
}

async fn setup(documents: usize, hosted: bool) -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    };
    let sandbox = RunningSandbox::start(config).await.expect("sandbox");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("out")).expect("mkdir");
    let originals = (0..documents)
        .map(|n| {
            let path = input.join(format!("fatura-{n:04}.pdf"));
            let bytes = padded_pdf(&format!("Fatura {n}"), 20 * 1024);
            std::fs::write(&path, &bytes).expect("write");
            (path, bytes)
        })
        .collect();
    let api_base = if hosted {
        sandbox.hosted_api_base()
    } else {
        sandbox.proxy_api_base()
    };
    Setup {
        sandbox,
        dir,
        originals,
        api_base,
    }
}

impl Setup {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn command(&self, verb: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_signstash"));
        command
            .env("SIGNSTASH_DATA_DIR", self.data_dir())
            .env("SIGNSTASH_CLIENT_ID", "bar")
            .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
            .env("LANG", "en_US.UTF-8")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .arg(verb)
            .args(["--proxy", "none", "--token-url"])
            .arg(self.sandbox.token_url())
            .arg("--api-base")
            .arg(&self.api_base)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn sign(&self) -> Child {
        self.command("sign")
            .args(["--batch-size", "10", "--parallel", "2", "--out"])
            .arg(self.out())
            .arg(self.dir.path().join("in"))
            .spawn()
            .expect("start signstash sign")
    }

    fn resume(&self) -> Command {
        let mut command = self.command("resume");
        command.args(["--json", "--settle-secs", "60"]);
        command
    }

    fn states(&self) -> Vec<DocState> {
        let Ok(journal) = Journal::open(&self.data_dir().join("journal.sqlite3")) else {
            return Vec::new();
        };
        journal
            .unfinished_batches()
            .ok()
            .and_then(|ids| ids.first().copied())
            .and_then(|id| journal.documents(id).ok())
            .map(|docs| docs.into_iter().map(|d| d.state).collect())
            .unwrap_or_default()
    }

    /// SIGKILL `child` as soon as `ready` holds for the journal's states.
    fn kill_when(&self, mut child: Child, ready: impl Fn(&[DocState]) -> bool) {
        let started = Instant::now();
        loop {
            if ready(&self.states()) {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("finished ({status}) before the kill: use more documents");
            }
            assert!(started.elapsed() < Duration::from_secs(120), "never ready");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reap");
        assert!(!status.success(), "the process was killed");
    }

    fn outputs(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut pdfs = Vec::new();
        let mut other = Vec::new();
        for entry in std::fs::read_dir(self.out()).expect("out") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "pdf") {
                pdfs.push(path);
            } else {
                other.push(path);
            }
        }
        pdfs.sort();
        (pdfs, other)
    }

    fn assert_originals_untouched(&self) {
        for (path, bytes) in &self.originals {
            assert_eq!(
                &std::fs::read(path).expect("original"),
                bytes,
                "{path:?} changed"
            );
        }
    }
}

fn saved(states: &[DocState]) -> usize {
    states.iter().filter(|s| **s == DocState::Saved).count()
}

fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn pdfsig_ok(path: &Path) -> bool {
    let out = Command::new("pdfsig")
        .args(["-nocert", "-no-ocsp"])
        .arg(path)
        .output()
        .expect("pdfsig (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.contains("Signature is Valid") && text.contains("Total document signed")
}

fn assert_all_signed_once(setup: &Setup, n: usize) {
    let (pdfs, other) = setup.outputs();
    assert_eq!(pdfs.len(), n, "one signed PDF per input");
    assert!(other.is_empty(), "left behind: {other:?}");
    let stats = setup.sandbox.stats();
    assert_eq!(stats.documents_signed, n as u64, "signed exactly once each");
    assert_eq!(stats.duplicate_contents_signed, 0);
    for pdf in pdfs.iter().step_by(n / 5) {
        assert!(pdfsig_ok(pdf), "pdfsig rejects {pdf:?}");
    }
    setup.assert_originals_untouched();
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_batch_then_resume_signs_each_document_exactly_once() {
    let setup = setup(200, true).await;
    setup.kill_when(setup.sign(), |s| saved(s) >= 30);
    let before = setup.states();
    assert!(saved(&before) < 200, "killed mid-batch");

    let output = setup.resume().output().expect("resume");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = report(&output);
    assert_eq!(report["interrupted"], 200 - saved(&before));
    assert_eq!(report["saved"], 200);
    assert_eq!(report["stillOpen"], 0);
    assert_all_signed_once(&setup, 200);

    // Nothing left to resume.
    let again = setup.resume().output().expect("resume again");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no interrupted batch"));
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_killed_too_then_resumed_again() {
    let setup = setup(200, true).await;
    setup.kill_when(setup.sign(), |s| saved(s) >= 20);
    let resume = setup.resume().spawn().expect("start resume");
    setup.kill_when(resume, |s| saved(s) >= 100);
    let output = setup.resume().output().expect("resume");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_all_signed_once(&setup, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_in_flight_at_the_kill_is_not_signed_twice() {
    let setup = setup(60, true).await;
    // Every answer takes 1.5 s: the kill lands while the service holds the first requests.
    setup.sandbox.set_faults(Faults {
        latency_ms: 1500,
        ..Faults::default()
    });
    setup.kill_when(setup.sign(), |s| s.contains(&DocState::Sending));
    let in_flight = setup
        .states()
        .iter()
        .filter(|s| **s == DocState::Sending)
        .count();
    setup.sandbox.set_faults(Faults::default());
    let output = setup.resume().output().expect("resume");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = report(&output);
    eprintln!("{report}");
    let settled =
        report["resent"].as_u64().unwrap_or(0) + report["recovered"].as_u64().unwrap_or(0);
    // Every document of the requests in flight at the kill, and only those, was settled by
    // reference (fetched from the service, or sent again when the service never had it).
    assert!(in_flight >= 1, "{report}");
    assert_eq!(
        settled, in_flight as u64,
        "the requests in flight were settled by reference: {report}"
    );
    assert_all_signed_once(&setup, 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn proxy_base_reports_what_it_cannot_fetch_and_signs_nothing_twice() {
    let setup = setup(200, false).await;
    setup.kill_when(setup.sign(), |s| saved(s) >= 30);
    let output = setup.resume().output().expect("resume");
    let report = report(&output);
    eprintln!("{report}");
    let not_retrievable = report["signedNotRetrievable"].as_u64().expect("count");
    assert_eq!(report["saved"].as_u64(), Some(200 - not_retrievable));
    assert_eq!(report["failed"].as_u64(), Some(not_retrievable));
    assert_eq!(output.status.success(), not_retrievable == 0);
    let (pdfs, other) = setup.outputs();
    assert_eq!(pdfs.len() as u64, 200 - not_retrievable);
    assert!(other.is_empty(), "left behind: {other:?}");
    assert_eq!(
        setup.sandbox.stats().documents_signed,
        200,
        "nothing signed twice"
    );
    setup.assert_originals_untouched();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_that_document_with_a_reason_and_leaves_no_partial_file() {
    let setup = setup(3, true).await;
    // A 400 KB document among small ones; files may not grow past 256 KB (RLIMIT_FSIZE, the
    // kernel answers EFBIG as it would ENOSPC on a full disk; SIGXFSZ ignored so the write fails).
    let big = setup.dir.path().join("in").join("big.pdf");
    let big_bytes = padded_pdf("Big", 400 * 1024);
    std::fs::write(&big, &big_bytes).expect("write");
    let mut command = setup.command("sign");
    command
        .args(["--json", "--out"])
        .arg(setup.out())
        .arg(setup.dir.path().join("in"));
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut shell = Command::new("bash");
    shell
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 256; exec \"$@\"")
        .arg("bash")
        .arg(program)
        .args(args);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    let output = shell.output().expect("run");
    assert!(!output.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in &lines {
        if line["input"]
            .as_str()
            .is_some_and(|i| i.ends_with("big.pdf"))
        {
            assert_eq!(line["status"], "failed");
            assert_eq!(line["code"], "output.disk_full", "{line}");
        } else {
            assert_eq!(line["status"], "saved", "{line}");
        }
    }
    let (pdfs, other) = setup.outputs();
    assert_eq!(pdfs.len(), 3);
    assert!(other.is_empty(), "left behind: {other:?}");
    assert_eq!(std::fs::read(&big).expect("big"), big_bytes);
    setup.assert_originals_untouched();
}
