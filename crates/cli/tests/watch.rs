//! `signstash watch` as a separate process against a sandbox process: killed with SIGKILL in the
//! middle of a stream of files and started again, it still signs every file exactly once.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use signstash_testdocs::pdf;

const FILES: usize = 30;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn count(folder: &Path, suffix: &str) -> usize {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
                .count()
        })
        .unwrap_or(0)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn get(url: &str) -> String {
    let out = Command::new("curl")
        .args(["-s", url])
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn killed_mid_stream_and_restarted_signs_every_file_exactly_once() {
    let home = tempfile::tempdir().expect("home");
    let root = home.path();
    let [input, output, backup] = ["in", "out", "backup"].map(|n| root.join(n));
    std::fs::create_dir_all(&input).expect("mkdir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _sandbox = Killed(
        Command::new(env!("CARGO_BIN_EXE_signstash"))
            .args([
                "sandbox",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--client",
                "bar:barsecret",
            ])
            .env("HOME", root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sandbox"),
    );
    wait_until("the sandbox listens", || {
        get(&format!("{base}/sandbox/stats")).contains("documents_signed")
    });
    for n in 0..FILES {
        std::fs::write(
            input.join(format!("fatura_{n:03}.pdf")),
            pdf(&format!("Fatura {n}")),
        )
        .expect("write");
    }
    let watch = || {
        Command::new(env!("CARGO_BIN_EXE_signstash"))
            .args([
                "watch",
                "--settle",
                "0.2",
                "--batch-size",
                "1",
                "--parallel",
                "1",
            ])
            .arg("--in")
            .arg(&input)
            .arg("--out")
            .arg(&output)
            .arg("--backup")
            .arg(&backup)
            .args([
                "--token-url",
                &format!("{base}/oauth2/authorization-server/oauth/token"),
            ])
            .args([
                "--api-base",
                &format!("{base}/signstash/einvoice-integration-ws"),
            ])
            .env("HOME", root)
            .env_remove("XDG_DATA_HOME")
            .env("SIGNSTASH_CLIENT_ID", "bar")
            .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("watch")
    };

    let mut first = Killed(watch());
    wait_until("a few signed", || count(&backup, ".pdf") >= 5);
    // SIGKILL: no clean-up at all, most likely with a request in flight.
    first.0.kill().expect("kill");
    first.0.wait().expect("reap");
    let after_kill = count(&backup, ".pdf");
    assert!(after_kill < FILES, "killed too late to test anything");

    let _second = Killed(watch());
    wait_until("every original moved to backup", || {
        count(&backup, ".pdf") >= FILES && count(&input, ".pdf") == 0
    });

    assert_eq!(count(&output, "_signed.pdf"), FILES);
    assert_eq!(
        count(&output, ").pdf"),
        0,
        "no second copy of any signed file"
    );
    assert_eq!(count(&output, ".error.txt"), 0);
    let stats: serde_json::Value =
        serde_json::from_str(&get(&format!("{base}/sandbox/stats"))).expect("stats");
    assert_eq!(
        stats["documents_signed"], FILES,
        "each file signed once across the kill"
    );
    for entry in std::fs::read_dir(&output).expect("list") {
        let path = entry.expect("entry").path();
        let pdfsig = Command::new("pdfsig")
            .args(["-nocert", "-no-ocsp"])
            .arg(&path)
            .output()
            .expect("pdfsig");
        assert!(
            String::from_utf8_lossy(&pdfsig.stdout).contains("Signature is Valid"),
            "pdfsig rejects {}",
            path.display()
        );
    }
}
