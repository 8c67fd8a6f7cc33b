//! The `signstash` binary as a user runs it: sign on the built-in sandbox with no set-up, JSON
//! results, no overwrite on a second run, exit codes, and credentials through the real keyring.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use signstash_testdocs::pdf;

fn signstash(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signstash"));
    command
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("SIGNSTASH_CLIENT_ID")
        .env("LANG", "en_US.UTF-8");
    command
}

#[test]
fn signs_on_the_built_in_sandbox_with_no_set_up_and_never_overwrites() {
    let home = tempfile::tempdir().expect("home");
    let work = home.path().join("faturas");
    std::fs::create_dir_all(&work).expect("mkdir");
    std::fs::write(work.join("FT 1.pdf"), pdf("Fatura")).expect("write");
    std::fs::write(work.join("foto.pdf"), b"\x89PNG\r\n\x1a\n").expect("write");

    let first = signstash(home.path())
        .args(["sign", "--env", "sandbox", "--json"])
        .arg(work.join("FT 1.pdf"))
        .output()
        .expect("run");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&first.stdout).expect("one JSON object");
    assert_eq!(line["status"], "saved");
    let output = work.join("Signed").join("FT 1_signed.pdf");
    assert_eq!(line["output"], output.to_str().expect("utf-8"));
    let pdfsig = Command::new("pdfsig")
        .args(["-nocert", "-no-ocsp"])
        .arg(&output)
        .output()
        .expect("pdfsig");
    assert!(String::from_utf8_lossy(&pdfsig.stdout).contains("Signature is Valid"));
    let first_bytes = std::fs::read(&output).expect("read");

    // A second run, with a file that is not an invoice: the good one is saved beside, not over,
    // the first output; the bad one fails with a reason, and the exit code says so.
    let second = signstash(home.path())
        .args(["sign", "--env", "sandbox"])
        .arg(&work)
        .output()
        .expect("run");
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("foto.pdf") && stderr.contains("PNG"),
        "{stderr}"
    );
    assert!(stderr.contains("1 signed and saved, 1 failed"), "{stderr}");
    assert_eq!(
        std::fs::read(&output).expect("read"),
        first_bytes,
        "first output untouched"
    );
    assert!(work.join("Signed").join("FT 1_signed (2).pdf").exists());
}

#[test]
fn staging_without_credentials_says_what_to_do() {
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("a.pdf");
    std::fs::write(&file, pdf("Fatura")).expect("write");
    let run = signstash(home.path())
        .args(["sign", "--env", "staging"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("signstash credentials set --env staging"),
        "{stderr}"
    );
}

/// Needs the Secret Service: `make test` runs cargo test under scripts/with-keyring.sh.
#[test]
fn credentials_set_status_delete_through_the_keyring() {
    let home = tempfile::tempdir().expect("home");
    let env = format!("cli-test-{}", std::process::id());
    let mut set = signstash(home.path())
        .args([
            "credentials",
            "set",
            "--env",
            &env,
            "--client-id",
            "PRT.1-test",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run");
    set.stdin
        .take()
        .expect("stdin")
        .write_all(b"very-secret\n")
        .expect("secret");
    let set = set.wait_with_output().expect("wait");
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stdout)
    );
    let status = signstash(home.path())
        .args(["credentials", "status", "--env", &env])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("saved for client PRT.1-test") && !text.contains("very-secret"),
        "{text}"
    );
    assert!(signstash(home.path())
        .args(["credentials", "delete", "--env", &env])
        .status()
        .expect("run")
        .success());
    let status = signstash(home.path())
        .args(["credentials", "status", "--env", &env])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&status.stdout).contains("no credentials"));
}

/// A small `signstash bench` run (6 documents of 20 KiB, 2 per request, no latency).
fn bench(home: &Path, extra: &[&str]) -> std::process::Output {
    signstash(home)
        .env_remove("SIGNSTASH_DATA_DIR")
        .args([
            "bench",
            "--docs",
            "6",
            "--size-kb",
            "20",
            "--latency-ms",
            "0",
        ])
        .args(["--baseline-docs", "2", "--batch-size", "2"])
        .args(extra)
        .output()
        .expect("run bench")
}

/// A successful bench run's figures: its last line is one JSON object with every figure.
fn figures(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a last line");
    serde_json::from_str(last).expect("the last line is JSON")
}

#[test]
fn bench_signs_the_set_three_ways_and_reports_every_figure() {
    let home = tempfile::tempdir().expect("home");
    let shared = figures(&bench(home.path(), &[]));
    // The client run by the bench kept its journal in the bench's work folder: the user's
    // signing history has no bench batches in it.
    let users_journal = home
        .path()
        .join(".local/share/pt.multicert.signstash.desk/journal.sqlite3");
    assert!(!users_journal.exists(), "{}", users_journal.display());
    assert_eq!(shared["docs"], 6);
    assert_eq!(shared["split_cores"], false);
    assert_eq!(shared["token_requests"], 1, "{shared}");
    // 6 documents, 2 per request at most; the engine's first two requests (a quarter and a half
    // of the budget) take one document each.
    assert_eq!(shared["api_requests"], 4, "{shared}");
    assert_eq!(shared["baseline_token_requests"], 2, "{shared}");
    // The first signed document appeared before the batch ended.
    let first = shared["ours_first_saved_ms"].as_f64().expect("first saved");
    assert!(first > 0.0 && first <= shared["ours_seconds"].as_f64().expect("seconds") * 1000.0);
    // The warm-up had the sandbox sign all 6 once before (a); its requests are not counted above.
    assert_eq!(shared["warm_up_docs"], 6, "{shared}");
    for rate in [
        "ours_docs_per_s",
        "baseline_docs_per_s",
        "lower_bound_docs_per_s",
        "peak_rss_mb",
        "cpu_floor_s",
    ] {
        assert!(
            shared[rate].as_f64().is_some_and(|r| r > 0.0),
            "{rate}: {shared}"
        );
    }
    // Counted in clock ticks: a few small documents may take less than one.
    for cpu in [
        "sandbox_cpu_ms_per_doc_ours",
        "sandbox_cpu_ms_per_doc_lower_bound",
    ] {
        assert!(
            shared[cpu].as_f64().is_some_and(|c| c >= 0.0),
            "{cpu}: {shared}"
        );
    }

    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let split = bench(home.path(), &["--split-cores"]);
    if cpus < 2 {
        assert!(!split.status.success());
        assert!(String::from_utf8_lossy(&split.stderr).contains("at least 2 CPUs"));
    } else {
        assert!(String::from_utf8_lossy(&split.stdout).contains("--split-cores: the sandbox on"));
        let split = figures(&split);
        assert_eq!(split["split_cores"], true);
        assert_eq!(split["token_requests"], 1);
    }
}
