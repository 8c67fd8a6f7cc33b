//! `signstash doctor` and the network flags as a user runs them: a passing diagnosis, a wrong
//! secret explained (PT and EN) with a failing exit code, JSON, the bundle (no secret, no token),
//! and `sign` through a real authenticating proxy (tinyproxy) with the password from the environment.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};

fn signstash(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signstash"));
    command
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("SIGNSTASH_PROXY_PASSWORD")
        .env("SIGNSTASH_CLIENT_ID", "bar")
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::null());
    command
}

/// The sandbox on its own runtime thread, for as long as the value lives.
struct Sandbox {
    base: String,
    port: u16,
    _runtime: tokio::runtime::Runtime,
    _running: RunningSandbox,
    _data: tempfile::TempDir,
}

fn sandbox() -> Sandbox {
    let data = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let running = runtime
        .block_on(RunningSandbox::start(SandboxConfig {
            data_dir: data.path().to_path_buf(),
            clients: vec![ClientCredentials::new("bar", "barsecret")],
            ..SandboxConfig::default()
        }))
        .expect("sandbox");
    Sandbox {
        base: running.base_url(),
        port: running.addr().port(),
        _runtime: runtime,
        _running: running,
        _data: data,
    }
}

impl Sandbox {
    fn urls(&self) -> [String; 4] {
        [
            "--token-url".into(),
            format!("{}/oauth2/authorization-server/oauth/token", self.base),
            "--api-base".into(),
            format!("{}/signstash/einvoice-integration-ws", self.base),
        ]
    }
}

#[test]
fn doctor_passes_explains_a_wrong_secret_and_writes_a_clean_bundle() {
    let home = tempfile::tempdir().expect("home");
    let sandbox = sandbox();

    let ok = signstash(home.path())
        .args(["doctor", "--proxy", "none"])
        .args(sandbox.urls())
        .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(stdout.contains("Everything works"), "{stdout}");
    assert!(stdout.contains("Get authorisation (token)"), "{stdout}");

    for (lang, words) in [("en", "client secret"), ("pt", "segredo do cliente")] {
        let bad = signstash(home.path())
            .args(["doctor", "--proxy", "none", "--lang", lang])
            .args(sandbox.urls())
            .env("SIGNSTASH_CLIENT_SECRET", "wrong")
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&bad.stdout);
        assert!(!bad.status.success(), "{stdout}");
        assert!(stdout.contains(words), "{stdout}");
        assert!(stdout.contains("auth.invalid_client"), "{stdout}");
    }

    // JSON for scripts, and the bundle for support, from one run.
    let logs = home
        .path()
        .join(".local/share/pt.multicert.signstash.desk/logs");
    std::fs::create_dir_all(&logs).expect("logs");
    std::fs::write(
        logs.join("app.log"),
        "INFO started\nDEBUG secret barsecret\n",
    )
    .expect("log");
    let settings = home.path().join(".config/pt.multicert.signstash.desk");
    std::fs::create_dir_all(&settings).expect("settings dir");
    std::fs::write(
        settings.join("settings.json"),
        r#"{"language":"en","client_secret":"barsecret"}"#,
    )
    .expect("settings");
    let zip_path = home.path().join("diagnostics.zip");
    let run = signstash(home.path())
        .args(["doctor", "--proxy", "none", "--json", "--bundle"])
        .arg(&zip_path)
        .args(sandbox.urls())
        .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(reports[0]["passed"], true);
    assert_eq!(reports[0]["steps"][2]["kind"], "token");

    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&zip_path).expect("zip")).expect("a zip");
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("text");
        let name = entry.name().expect("name").into_owned();
        assert!(!text.contains("barsecret"), "secret in {name}: {text}");
        assert!(!text.contains("eyJ"), "token in {name}: {text}");
        names.push(name);
    }
    assert_eq!(
        names,
        [
            "versions.json",
            "settings.json",
            "doctor.json",
            "doctor.txt",
            "logs/app.log"
        ]
    );

    // An existing bundle is not replaced.
    let again = signstash(home.path())
        .args(["doctor", "--proxy", "none", "--bundle"])
        .arg(&zip_path)
        .args(sandbox.urls())
        .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

struct Tinyproxy(Child);

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// tinyproxy on a free loopback port (`basic_auth`: "user password"); its port and log file.
fn start_tinyproxy(dir: &Path, basic_auth: Option<&str>) -> (Tinyproxy, u16, std::path::PathBuf) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let log = dir.join(format!("tp-{port}.log"));
    let conf = dir.join(format!("tp-{port}.conf"));
    let mut text = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{}\"\nLogLevel Connect\n\
         Allow 127.0.0.1\n",
        log.display()
    );
    if let Some(auth) = basic_auth {
        text.push_str(&format!("BasicAuth {auth}\n"));
    }
    std::fs::write(&conf, text).expect("conf");
    let proxy = Tinyproxy(
        Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy installed (scripts/bootstrap.sh)"),
    );
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (proxy, port, log)
}

fn lines_naming(log: &Path, port: u16) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&format!(":{port}")))
        .count()
}

/// "system" with no proxy variables follows the desktop's manual proxy (GNOME's settings, here in a
/// private keyfile backend), and its ignored hosts go direct.
#[test]
fn system_proxy_follows_the_desktop_setting() {
    let home = tempfile::tempdir().expect("home");
    let sandbox = sandbox();
    let (_proxy, port, log) = start_tinyproxy(home.path(), None);
    let config = home.path().join("config");
    let gsettings = |args: &[&str]| {
        let status = Command::new("gsettings")
            .args(args)
            .env("GSETTINGS_BACKEND", "keyfile")
            .env("XDG_CONFIG_HOME", &config)
            .status()
            .expect("gsettings (libglib2.0-bin)");
        assert!(status.success(), "gsettings {args:?}");
    };
    gsettings(&["set", "org.gnome.system.proxy", "mode", "manual"]);
    gsettings(&["set", "org.gnome.system.proxy.http", "host", "127.0.0.1"]);
    gsettings(&[
        "set",
        "org.gnome.system.proxy.http",
        "port",
        &port.to_string(),
    ]);
    gsettings(&[
        "set",
        "org.gnome.system.proxy",
        "ignore-hosts",
        "['intranet.example']",
    ]);
    let doctor = |home_dir: &Path| {
        let mut command = signstash(home_dir);
        command
            .args(["doctor"])
            .args(sandbox.urls())
            .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
            .env("GSETTINGS_BACKEND", "keyfile")
            .env("XDG_CONFIG_HOME", &config);
        for name in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            command.env_remove(name);
        }
        command.output().expect("run")
    };
    let run = doctor(home.path());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("127.0.0.1:{port}")),
        "the proxy is the first hop: {stdout}"
    );
    let through = lines_naming(&log, sandbox.port);
    assert!(
        through >= 2,
        "token and API through the desktop's proxy, saw {through}"
    );

    gsettings(&[
        "set",
        "org.gnome.system.proxy",
        "ignore-hosts",
        "['localhost', '127.0.0.0/8']",
    ]);
    let run = doctor(home.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(
        lines_naming(&log, sandbox.port),
        through,
        "ignored hosts go direct"
    );
}

#[test]
fn sign_goes_through_an_authenticating_proxy() {
    let home = tempfile::tempdir().expect("home");
    let sandbox = sandbox();
    let (_proxy, port, log) = start_tinyproxy(home.path(), Some("alice pr0xy-pa55"));
    let input = home.path().join("in");
    std::fs::create_dir_all(&input).expect("in");
    std::fs::write(input.join("a.pdf"), signstash_testdocs::pdf("A")).expect("pdf");
    let out = home.path().join("out");

    let run = signstash(home.path())
        .args([
            "sign",
            "--proxy",
            &format!("127.0.0.1:{port}"),
            "--proxy-user",
            "alice",
        ])
        .args(sandbox.urls())
        .arg("--out")
        .arg(&out)
        .arg(&input)
        .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
        .env("SIGNSTASH_PROXY_PASSWORD", "pr0xy-pa55")
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("a_signed.pdf").exists());
    let carried = lines_naming(&log, sandbox.port);
    assert!(
        carried >= 2,
        "token and sign through the proxy, saw {carried}"
    );

    // The doctor with a wrong proxy password says it is the proxy's.
    let doctor = signstash(home.path())
        .args([
            "doctor",
            "--proxy",
            &format!("http://127.0.0.1:{port}"),
            "--proxy-user",
            "alice",
        ])
        .args(sandbox.urls())
        .env("SIGNSTASH_CLIENT_SECRET", "barsecret")
        .env("SIGNSTASH_PROXY_PASSWORD", "wrong")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&doctor.stdout);
    assert!(!doctor.status.success(), "{stdout}");
    assert!(
        stdout.contains("proxy") && stdout.contains("password"),
        "{stdout}"
    );
    assert!(stdout.contains("net.proxy_auth"), "{stdout}");
}
