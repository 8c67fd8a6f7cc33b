//! `signstash bench`: signs one generated set of PDFs three ways against a separate sandbox
//! process and prints the figures side by side, as ratios measured in the same run:
//! (a) our batch engine, (b) a baseline shaped like the public reference clients (a token request
//! and a sign request per document, one at a time, the whole file in memory), (c) the lower bound:
//! the sandbox's own processing time for the same documents sent in ideal batches.
//! The last line printed is one JSON object with every figure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::Args;
use serde_json::{json, Value};
use signstash_core::batch::{self, BatchOptions, Budget};
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs::InputFile;

const CLIENT_ID: &str = "bench";
const CLIENT_SECRET: &str = "bench-secret";

#[derive(Args)]
pub struct BenchArgs {
    /// Number of documents.
    #[arg(long, default_value_t = 1000)]
    docs: usize,
    /// Size of each generated PDF, in KiB.
    #[arg(long, default_value_t = 200)]
    size_kb: usize,
    /// Milliseconds the sandbox adds to each of its answers (the network to a hosted service).
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// How many of the documents the baseline signs (it is slow by design; its rate is compared).
    /// Default: all of them up to 200.
    #[arg(long)]
    baseline_docs: Option<usize>,
    /// Requests our engine keeps in flight.
    #[arg(long, default_value_t = BatchOptions::default().max_in_flight)]
    parallel: usize,
    /// Documents per request for our engine and the lower bound.
    #[arg(long, default_value_t = Budget::default().max_documents)]
    batch_size: usize,
    /// Work folder (generated documents and outputs); default a temporary folder, removed after.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Run the sandbox on the first half of this process's CPUs and our client on the other half
    /// (Linux), as when the service runs on its own machine; the lower bound is measured with the
    /// sandbox on the same CPUs. Default: both share every CPU.
    #[arg(long)]
    split_cores: bool,
}

/// The sandbox child process, stopped when dropped.
struct SandboxProcess {
    child: Child,
    base: String,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child is stopped when the bench ends, even when the bench is killed (Linux: the parent's
/// death sends it SIGTERM), so no sandbox is left running.
fn die_with_parent(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches nothing of the parent's memory.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// Which CPUs the sandbox and our client run on with `--split-cores`.
#[derive(Clone, Copy)]
struct CoreSplit {
    sandbox: libc::cpu_set_t,
    client: libc::cpu_set_t,
    sandbox_count: usize,
    client_count: usize,
}

impl CoreSplit {
    /// The CPUs this process may use, the first half for the sandbox and the rest for the client.
    fn of_this_process() -> Result<Self, String> {
        // SAFETY: cpu_set_t is plain data; sched_getaffinity writes at most its size into it.
        let allowed = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return Err(format!(
                    "--split-cores: cannot read this process's CPUs: {}",
                    std::io::Error::last_os_error()
                ));
            }
            set
        };
        let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
            // SAFETY: CPU_ISSET only reads the set, and the index is below CPU_SETSIZE.
            .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &allowed) })
            .collect();
        if cpus.len() < 2 {
            return Err("--split-cores needs at least 2 CPUs".into());
        }
        let (sandbox, client) = cpus.split_at(cpus.len() / 2);
        let set_of = |cpus: &[usize]| {
            // SAFETY: as above; CPU_SET only writes inside the set.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                cpus.iter().for_each(|&cpu| libc::CPU_SET(cpu, &mut set));
                set
            }
        };
        Ok(CoreSplit {
            sandbox: set_of(sandbox),
            client: set_of(client),
            sandbox_count: sandbox.len(),
            client_count: client.len(),
        })
    }
}

/// The child runs on `cpus` only.
fn pin(command: &mut Command, cpus: libc::cpu_set_t) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: sched_setaffinity is async-signal-safe, and `cpus` is a copy owned by the closure.
    unsafe {
        command.pre_exec(move || {
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &cpus) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

async fn start_sandbox(
    args: &BenchArgs,
    data_dir: &Path,
    http: &reqwest::Client,
    split: Option<CoreSplit>,
) -> Result<SandboxProcess, String> {
    let binary = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let port = free_port()?;
    let mut command = Command::new(binary);
    if let Some(split) = split {
        pin(&mut command, split.sandbox);
    }
    let child = die_with_parent(&mut command)
        .arg("sandbox")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--client")
        .arg(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        .arg("--latency-ms")
        .arg(args.latency_ms.to_string())
        .arg("--max-in-flight")
        .arg((args.parallel.max(1) + 2).to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the sandbox process: {e}"))?;
    let sandbox = SandboxProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if answered_stats(http, &sandbox.base).await.is_ok() {
            return Ok(sandbox);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the sandbox process did not answer within 10 s".into())
}

/// The sandbox's counters (`GET /sandbox/stats`), and the CPU time its process has used.
#[derive(Clone, Copy, Default)]
struct Counters {
    token_requests: u64,
    api_requests: u64,
    documents_signed: u64,
    processing_ms: f64,
    cpu_seconds: Option<f64>,
}

impl std::ops::Sub for Counters {
    type Output = Counters;
    fn sub(self, before: Counters) -> Counters {
        Counters {
            token_requests: self.token_requests - before.token_requests,
            api_requests: self.api_requests - before.api_requests,
            documents_signed: self.documents_signed - before.documents_signed,
            processing_ms: self.processing_ms - before.processing_ms,
            cpu_seconds: self.cpu_seconds.zip(before.cpu_seconds).map(|(a, b)| a - b),
        }
    }
}

async fn stats(http: &reqwest::Client, sandbox: &SandboxProcess) -> Result<Counters, String> {
    let mut counters = answered_stats(http, &sandbox.base).await?;
    counters.cpu_seconds = process_cpu_seconds(sandbox.child.id());
    Ok(counters)
}

/// User and system CPU time a running process has used so far (Linux: `/proc/PID/stat`).
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks: f64 = [11, 12]
        .iter()
        .map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum::<Option<f64>>()?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| ticks / per_second as f64)
}

async fn answered_stats(http: &reqwest::Client, base: &str) -> Result<Counters, String> {
    let value: Value = http
        .get(format!("{base}/sandbox/stats"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("sandbox stats: {e}"))?
        .json()
        .await
        .map_err(|e| format!("sandbox stats: {e}"))?;
    let count = |name: &str| value[name].as_u64().unwrap_or(0);
    Ok(Counters {
        token_requests: count("token_requests"),
        api_requests: count("api_requests"),
        documents_signed: count("documents_signed"),
        processing_ms: value["processing_ms"].as_f64().unwrap_or(0.0),
        cpu_seconds: None,
    })
}

fn generate(dir: &Path, docs: usize, size: usize) -> Result<Vec<InputFile>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    (0..docs)
        .map(|i| {
            let path = dir.join(format!("fatura-{i:05}.pdf"));
            let bytes = signstash_testdocs::padded_pdf(&format!("Fatura {i}"), size);
            // Written through to the disk now, so their write-back does not run during a phase.
            let write = || -> std::io::Result<()> {
                let mut file = std::fs::File::create(&path)?;
                std::io::Write::write_all(&mut file, &bytes)?;
                file.sync_all()
            };
            write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(InputFile {
                path,
                size: bytes.len() as u64,
            })
        })
        .collect()
}

async fn token(http: &reqwest::Client, environment: &Environment) -> Result<String, String> {
    let answer: Value = http
        .post(&environment.token_url)
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("token: {e}"))?
        .json()
        .await
        .map_err(|e| format!("token: {e}"))?;
    answer["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "token: no access_token".into())
}

/// A sign request as the reference clients build it: the whole body in memory.
fn request_body(reference: &str, documents: &[(String, Vec<u8>)]) -> Value {
    let documents: Vec<Value> = documents
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            json!({
                "documentRequest": {
                    "externalReference": format!("{reference}-{i}"),
                    "name": name,
                    "contentType": "application/pdf",
                    "base64Content": STANDARD.encode(bytes),
                },
                "signatureInfo": {"signatureType": "PAdES"},
            })
        })
        .collect();
    json!({
        "externalReference": reference,
        "description": "bench",
        "documents": documents,
        "returnSignedContent": true,
    })
}

async fn post_sign(
    http: &reqwest::Client,
    environment: &Environment,
    token: &str,
    body: &Value,
) -> Result<Value, String> {
    let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    http.post(environment.endpoint("document/sign/base64/"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("sign: {e}"))?
        .json()
        .await
        .map_err(|e| format!("sign answer: {e}"))
}

fn signed_count(answer: &Value) -> usize {
    answer["documentList"].as_array().map_or(0, |list| {
        list.iter().filter(|d| d["signStatus"] == "SIGNED").count()
    })
}

struct Phase {
    docs: usize,
    seconds: f64,
    counters: Counters,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.docs as f64 / self.seconds.max(1e-9)
    }
}

/// The most a warm-up signs: all of a 1,000 × 200 KiB set, a dozen documents of 20 MB.
const WARM_UP_BYTES: u64 = 256 * 1024 * 1024;

/// Bytes of a file read at a time while a warm-up request is sent (a multiple of 3, so each
/// chunk encodes to base64 on its own).
const WARM_UP_CHUNK: usize = 3 * 256 * 1024;

/// Signs the first documents (up to [`WARM_UP_BYTES`]) once before anything is measured, as many
/// requests at a time as ours sends; nothing is saved. The sandbox then has its threads and memory
/// in place, and its hosted store (which keeps signed contents up to a budget) already full, as it
/// is when (c) runs after (a). Without it (a) alone paid the sandbox's first touch of that memory:
/// 3.3 times the page faults and ~8 % more sandbox CPU than a second identical run (BENCHMARKS.md,
/// session 7). Returns how many documents it signed.
async fn warm_up(
    http: &reqwest::Client,
    sandbox: &SandboxProcess,
    environment: &Environment,
    files: &[InputFile],
    budget: Budget,
    parallel: usize,
) -> Result<usize, String> {
    use futures_util::{StreamExt, TryStreamExt};
    let mut bytes = 0;
    let count = files
        .iter()
        .take_while(|f| {
            bytes += f.size;
            bytes <= WARM_UP_BYTES
        })
        .count()
        .max(1);
    let files = &files[..count];
    let before = stats(http, sandbox).await?;
    let token = token(http, environment).await?;
    let token = &token;
    futures_util::stream::iter(batch::plan::plan(files, budget).into_iter().enumerate())
        .map(|(n, group): (usize, Vec<usize>)| async move {
            let reference = format!("bench-warm-{}-{n}", std::process::id());
            warm_up_request(http, environment, token, files, &group, &reference).await
        })
        .buffer_unordered(parallel.max(1))
        .try_collect::<()>()
        .await
        .map_err(|e| format!("warm-up: {e}"))?;
    let signed = (stats(http, sandbox).await? - before).documents_signed;
    if signed != count as u64 {
        return Err(format!("warm-up: {signed} of {count} documents signed"));
    }
    Ok(count)
}

/// One warm-up request: (c)'s JSON, each document's base64 read from its file as the body is sent
/// and the answer dropped as it arrives, so that the bench process stays small (the peak memory
/// the system reports for ours starts from this process's own, see `ours`).
async fn warm_up_request(
    http: &reqwest::Client,
    environment: &Environment,
    token: &str,
    files: &[InputFile],
    group: &[usize],
    reference: &str,
) -> Result<(), String> {
    use futures_util::StreamExt;
    const CONTENT: &str = "\"base64Content\":\"\"";
    let empty: Vec<(String, Vec<u8>)> = group
        .iter()
        .map(|&index| (format!("{index}.pdf"), Vec::new()))
        .collect();
    let text = request_body(reference, &empty).to_string();
    // The JSON around the contents: before document i's content, and after the last one.
    let around: Vec<bytes::Bytes> = text
        .split(CONTENT)
        .map(|part| bytes::Bytes::from(part.to_owned()))
        .collect();
    let paths: Vec<PathBuf> = group.iter().map(|&i| files[i].path.clone()).collect();
    let length = text.len() as u64
        + group
            .iter()
            .map(|&i| files[i].size.div_ceil(3) * 4)
            .sum::<u64>();
    let tail = futures_util::stream::iter(around.last().cloned().map(Ok)).boxed();
    let parts = (0..paths.len()).flat_map(move |i| {
        [
            futures_util::stream::iter([
                Ok(around[i].clone()),
                Ok(bytes::Bytes::from_static(b"\"base64Content\":\"")),
            ])
            .boxed(),
            file_in_base64(paths[i].clone()).boxed(),
            futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"\""))]).boxed(),
        ]
    });
    let body = futures_util::stream::iter(parts.chain([tail])).flatten();
    let mut answer = http
        .post(environment.endpoint("document/sign/base64/"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::CONTENT_LENGTH, length)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("sign: {e}"))?
        .bytes_stream();
    while let Some(chunk) = answer.next().await {
        chunk.map_err(|e| format!("sign answer: {e}"))?;
    }
    Ok(())
}

/// The base64 of a file, [`WARM_UP_CHUNK`] bytes read at a time.
fn file_in_base64(
    path: PathBuf,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send {
    use std::io::Read;
    let opened = std::fs::File::open(path);
    futures_util::stream::try_unfold(Some(opened), |file| async move {
        let Some(file) = file else { return Ok(None) };
        let mut file = file?;
        let mut chunk = Vec::with_capacity(WARM_UP_CHUNK);
        (&mut file)
            .take(WARM_UP_CHUNK as u64)
            .read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            return Ok(None);
        }
        // A short chunk is the end of the file.
        let rest = (chunk.len() == WARM_UP_CHUNK).then_some(Ok(file));
        Ok(Some((bytes::Bytes::from(STANDARD.encode(&chunk)), rest)))
    })
}

/// (c) The same documents in ideal batches, one request at a time (so processing times do not
/// overlap); the rate is what the sandbox's own processing time allows.
async fn lower_bound(
    http: &reqwest::Client,
    sandbox: &SandboxProcess,
    environment: &Environment,
    files: &[InputFile],
    budget: Budget,
) -> Result<Phase, String> {
    let before = stats(http, sandbox).await?;
    let token = token(http, environment).await?;
    for (n, group) in batch::plan::plan(files, budget).into_iter().enumerate() {
        let mut documents = Vec::with_capacity(group.len());
        for index in group {
            let path = &files[index].path;
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            documents.push((format!("{index}.pdf"), bytes));
        }
        let reference = format!("bench-lb-{}-{n}", std::process::id());
        let answer = post_sign(
            http,
            environment,
            &token,
            &request_body(&reference, &documents),
        )
        .await?;
        if signed_count(&answer) != documents.len() {
            return Err(format!("lower bound: request {n} was not all signed"));
        }
    }
    let counters = stats(http, sandbox).await? - before;
    Ok(Phase {
        docs: files.len(),
        seconds: counters.processing_ms / 1000.0,
        counters,
    })
}

/// Lowers this process's recorded peak memory to what it uses now (Linux 4.0+; best effort). The
/// peak the system reports for a child starts from its parent's peak at the time of the spawn
/// (`exec` records the peak of the address space it replaces), so ours' figure would otherwise
/// include the bench's own earlier peaks.
fn reset_peak_rss() {
    #[cfg(target_os = "linux")]
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        tracing::warn!(error = %e, "could not reset the bench's peak memory");
    }
}

/// What the operating system says about a finished child process.
struct ChildUsage {
    peak_rss_mb: f64,
    cpu_seconds: f64,
}

/// Peak RSS and CPU time of the children waited for so far. The bench waits for exactly one child
/// (the `signstash sign` run) before asking; the sandbox child is still running, so it is not counted.
fn waited_children_usage() -> Option<ChildUsage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes the struct it is given, which is large enough.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(ChildUsage {
        // ru_maxrss is in KiB on Linux.
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
        cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    })
}

/// (a) Our batch engine, as a user runs it: `signstash sign` in its own process, so its peak
/// memory is the client's alone. Its journal goes to `data_dir`, in the bench's work folder: a
/// bench run is not part of the user's signing history.
#[allow(clippy::too_many_arguments)]
async fn ours(
    http: &reqwest::Client,
    sandbox: &SandboxProcess,
    environment: &Environment,
    inputs: &Path,
    docs: usize,
    options: &BatchOptions,
    out: &Path,
    data_dir: &Path,
    split: Option<CoreSplit>,
) -> Result<(Phase, Option<ChildUsage>, Option<f64>), String> {
    let binary = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let mut command = Command::new(binary);
    if let Some(split) = split {
        pin(&mut command, split.client);
    }
    die_with_parent(&mut command)
        .arg("sign")
        .arg("--token-url")
        .arg(&environment.token_url)
        .arg("--api-base")
        .arg(&environment.api_base)
        .arg("--proxy")
        .arg("none")
        .arg("--lang")
        .arg("en")
        .arg("--parallel")
        .arg(options.max_in_flight.to_string())
        .arg("--batch-size")
        .arg(options.budget.max_documents.to_string())
        .arg("--out")
        .arg(out)
        .arg(inputs)
        .env("SIGNSTASH_CLIENT_ID", CLIENT_ID)
        .env("SIGNSTASH_CLIENT_SECRET", CLIENT_SECRET)
        .env(signstash_core::journal::DATA_DIR_ENV, data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let first_output = FirstOutput::watch(out);
    let before = stats(http, sandbox).await?;
    reset_peak_rss();
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run signstash sign: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let first_saved_ms = first_output.and_then(|f| f.since(started));
    let usage = waited_children_usage();
    let counters = stats(http, sandbox).await? - before;
    if !output.status.success() {
        return Err(format!(
            "signstash sign failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok((
        Phase {
            docs,
            seconds,
            counters,
        },
        usage,
        first_saved_ms,
    ))
}

/// When the first signed document appeared in the output folder: how soon a user sees a result.
struct FirstOutput {
    _watcher: notify::RecommendedWatcher,
    first: std::sync::Arc<std::sync::OnceLock<Instant>>,
}

impl FirstOutput {
    /// None when the folder cannot be watched; the figure is then left out.
    fn watch(folder: &Path) -> Option<Self> {
        use notify::Watcher;
        let first = std::sync::Arc::new(std::sync::OnceLock::new());
        let seen = std::sync::Arc::clone(&first);
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // A document gets its name once complete (a link to a finished file). The
                // engine's hidden temporary files, where the system has no unnamed ones, do not
                // count.
                let named = |path: &std::path::PathBuf| {
                    path.file_name()
                        .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
                };
                if event.is_ok_and(|e| e.kind.is_create() && e.paths.iter().any(named)) {
                    seen.get_or_init(Instant::now);
                }
            })
            .ok()?;
        watcher
            .watch(folder, notify::RecursiveMode::NonRecursive)
            .ok()?;
        Some(Self {
            _watcher: watcher,
            first,
        })
    }

    fn since(&self, started: Instant) -> Option<f64> {
        let first = self.first.get()?;
        Some(first.saturating_duration_since(started).as_secs_f64() * 1000.0)
    }
}

/// (b) The reference-client shape: per document, a token request, then one sign request with the
/// whole file in memory, then the answer decoded and written; one document at a time.
async fn baseline(
    http: &reqwest::Client,
    sandbox: &SandboxProcess,
    environment: &Environment,
    files: &[InputFile],
    out: &Path,
) -> Result<Phase, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let before = stats(http, sandbox).await?;
    let started = Instant::now();
    for (n, file) in files.iter().enumerate() {
        let bytes =
            std::fs::read(&file.path).map_err(|e| format!("{}: {e}", file.path.display()))?;
        let token = token(http, environment).await?;
        let reference = format!("bench-base-{}-{n}", std::process::id());
        let answer = post_sign(
            http,
            environment,
            &token,
            &request_body(&reference, &[(format!("{n}.pdf"), bytes)]),
        )
        .await?;
        let signed = answer["documentList"][0]["signedContent"]
            .as_str()
            .and_then(|c| STANDARD.decode(c).ok())
            .ok_or_else(|| format!("baseline: document {n} came back without content"))?;
        std::fs::write(out.join(format!("{n}.pdf")), signed)
            .map_err(|e| format!("baseline: cannot write: {e}"))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let counters = stats(http, sandbox).await? - before;
    Ok(Phase {
        docs: files.len(),
        seconds,
        counters,
    })
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

pub async fn run(args: BenchArgs) -> Result<bool, String> {
    if args.docs == 0 {
        return Err("--docs must be at least 1".into());
    }
    let split = args
        .split_cores
        .then(CoreSplit::of_this_process)
        .transpose()?;
    let temp;
    let work = match &args.dir {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
            temp.path().to_path_buf()
        }
    };
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let size = args.size_kb.saturating_mul(1024);
    eprintln!(
        "generating {} PDFs of {} KiB in {} ...",
        args.docs,
        args.size_kb,
        work.display()
    );
    let files = generate(&work.join("in"), args.docs, size)?;
    let sandbox = start_sandbox(&args, &work.join("sandbox-data"), &http, split).await?;
    let environment = Environment::sandbox(&sandbox.base).map_err(|e| e.message(Lang::En))?;
    let budget = Budget {
        max_documents: args.batch_size.max(1),
        ..Budget::default()
    };
    let options = BatchOptions {
        budget,
        max_in_flight: args.parallel.max(1),
        lang: Lang::En,
        description: "bench".into(),
        ..BatchOptions::default()
    };

    eprintln!("warm-up: the sandbox signs the first documents once, not measured ...");
    let warmed = warm_up(
        &http,
        &sandbox,
        &environment,
        &files,
        budget,
        options.max_in_flight,
    )
    .await?;
    eprintln!("ours: signstash sign (the batch engine) ...");
    let (ours, usage, first_saved_ms) = ours(
        &http,
        &sandbox,
        &environment,
        &work.join("in"),
        files.len(),
        &options,
        &work.join("out-ours"),
        &work.join("client-data"),
        split,
    )
    .await?;
    let peak_rss = usage.as_ref().map(|u| u.peak_rss_mb);
    eprintln!("lower bound: ideal batches, sandbox processing time ...");
    let lower = lower_bound(&http, &sandbox, &environment, &files, budget).await?;
    let baseline_docs = args.baseline_docs.unwrap_or(200).clamp(1, files.len());
    eprintln!("baseline: {baseline_docs} documents, one at a time ...");
    let base = baseline(
        &http,
        &sandbox,
        &environment,
        &files[..baseline_docs],
        &work.join("out-baseline"),
    )
    .await?;

    // One request's byte budget: the configured one, or a single document's body when a
    // document alone is larger (it then travels alone).
    let largest_body = files
        .iter()
        .map(|f| f.size.div_ceil(3) * 4 + 512)
        .max()
        .unwrap_or(0);
    let request_budget_mb = budget.max_bytes.max(largest_body) as f64 / (1024.0 * 1024.0);
    let ratio_vs_baseline = ours.rate() / base.rate();
    let lower_over_ours = lower.rate() / ours.rate();

    println!(
        "signstash bench: {} PDFs of {} KiB, sandbox latency {} ms, {} in flight, requests of up to {} documents / {} MiB",
        args.docs, args.size_kb, args.latency_ms, options.max_in_flight, budget.max_documents, budget.max_bytes / (1024 * 1024)
    );
    println!(
        "{:<34} {:>6} {:>10} {:>10} {:>7} {:>9}",
        "", "docs", "seconds", "docs/s", "tokens", "requests"
    );
    let row = |name: &str, phase: &Phase| {
        println!(
            "{:<34} {:>6} {:>10.3} {:>10.1} {:>7} {:>9}",
            name,
            phase.docs,
            phase.seconds,
            phase.rate(),
            phase.counters.token_requests,
            phase.counters.api_requests
        );
    };
    if let Some(split) = split {
        println!(
            "--split-cores: the sandbox on {} CPU(s), our client on the other {} (the lower bound's sandbox too)",
            split.sandbox_count, split.client_count
        );
    }
    row("(a) ours (batch engine)", &ours);
    if let Some(ms) = first_saved_ms {
        println!("{:<34} first signed document saved after {ms:.0} ms", "");
    }
    row(
        if baseline_docs < files.len() {
            "(b) baseline (first N docs only)"
        } else {
            "(b) baseline (reference shape)"
        },
        &base,
    );
    row("(c) lower bound (processing time)", &lower);
    println!(
        "ours / baseline: {ratio_vs_baseline:.1}x   lower bound / ours: {lower_over_ours:.2}x"
    );
    if baseline_docs < files.len() {
        println!(
            "baseline measured on the first {baseline_docs} of {} documents (--baseline-docs); its rate is compared",
            files.len()
        );
    }
    println!(
        "(c) is the sandbox's own processing time (validate, sign, encode; no latency) summed over the same documents sent one request at a time"
    );
    println!("before (a), a warm-up had the sandbox sign the first {warmed} documents once (not measured)");
    match &usage {
        Some(usage) => println!(
            "ours (signstash sign process): peak RSS {:.1} MiB, one request's byte budget {request_budget_mb:.1} MiB, ratio {:.2}; CPU {:.3} ms per document",
            usage.peak_rss_mb,
            usage.peak_rss_mb / request_budget_mb,
            usage.cpu_seconds * 1000.0 / ours.docs as f64
        ),
        None => println!("ours: peak RSS not available on this system"),
    }
    let sandbox_cpu_per_doc = |phase: &Phase| {
        phase
            .counters
            .cpu_seconds
            .map(|s| s * 1000.0 / phase.docs as f64)
    };
    if let (Some(during_ours), Some(during_lower)) =
        (sandbox_cpu_per_doc(&ours), sandbox_cpu_per_doc(&lower))
    {
        // Both processes share the CPUs unless --split-cores: what the sandbox burns while ours
        // runs is not available to our client.
        println!(
            "sandbox process CPU: {during_ours:.3} ms per document during (a), {during_lower:.3} during (c)"
        );
    }

    // (a) cannot end sooner than our client's and the sandbox's CPU time shared out over the CPUs
    // they may use (with --split-cores, each over its own), however well the work overlaps.
    let cpu_floor_s = match (&usage, ours.counters.cpu_seconds, split) {
        (Some(usage), Some(sandbox), None) => {
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            Some((usage.cpu_seconds + sandbox) / cpus as f64)
        }
        (Some(usage), Some(sandbox), Some(split)) => Some(
            (usage.cpu_seconds / split.client_count as f64)
                .max(sandbox / split.sandbox_count as f64),
        ),
        _ => None,
    };
    let ours_over_floor = cpu_floor_s.map(|floor| ours.seconds / floor.max(1e-9));
    if let (Some(floor), Some(over)) = (cpu_floor_s, ours_over_floor) {
        println!(
            "CPU floor of (a): the two processes' CPU time over their CPUs, {floor:.3} s ({:.2}x the lower bound); ours took {over:.2}x the floor",
            floor / lower.seconds.max(1e-9),
        );
    }

    let summary = json!({
        "docs": args.docs,
        "size_kb": args.size_kb,
        "latency_ms": args.latency_ms,
        "parallel": options.max_in_flight,
        "split_cores": args.split_cores,
        "batch_size": budget.max_documents,
        "ours_seconds": round(ours.seconds, 3),
        "ours_docs_per_s": round(ours.rate(), 1),
        "ours_first_saved_ms": first_saved_ms.map(|ms| round(ms, 1)),
        "baseline_docs": baseline_docs,
        "baseline_seconds": round(base.seconds, 3),
        "baseline_docs_per_s": round(base.rate(), 2),
        "baseline_token_requests": base.counters.token_requests,
        "baseline_http_requests": base.counters.token_requests + base.counters.api_requests,
        "lower_bound_processing_s": round(lower.seconds, 3),
        "lower_bound_docs_per_s": round(lower.rate(), 1),
        "ours_vs_baseline": round(ratio_vs_baseline, 2),
        "lower_bound_over_ours": round(lower_over_ours, 3),
        "token_requests": ours.counters.token_requests,
        "api_requests": ours.counters.api_requests,
        "http_requests": ours.counters.token_requests + ours.counters.api_requests,
        "peak_rss_mb": peak_rss.map(|p| round(p, 1)),
        "ours_cpu_ms_per_doc": usage.as_ref().map(|u| round(u.cpu_seconds * 1000.0 / ours.docs as f64, 3)),
        "sandbox_cpu_ms_per_doc_ours": sandbox_cpu_per_doc(&ours).map(|c| round(c, 3)),
        "sandbox_cpu_ms_per_doc_lower_bound": sandbox_cpu_per_doc(&lower).map(|c| round(c, 3)),
        "cpu_floor_s": cpu_floor_s.map(|f| round(f, 3)),
        "ours_over_cpu_floor": ours_over_floor.map(|r| round(r, 3)),
        "warm_up_docs": warmed,
        "request_budget_mb": round(request_budget_mb, 2),
        "rss_over_request_budget": peak_rss.map(|p| round(p / request_budget_mb, 2)),
    });
    println!("{summary}");
    Ok(true)
}
