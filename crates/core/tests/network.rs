//! Office networks, for real on loopback: a forward proxy (tinyproxy, with and without Basic
//! authentication) that must have carried the requests; the sandbox served over TLS under a test CA
//! (refused without the CA, accepted with it, a name mismatch always refused); the doctor's steps
//! and explanations; and a diagnostics bundle that holds neither the secret nor a token.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::model::{Base64Document, ContentType, SignDocument, SignRequest};
use signstash_core::model::{SignatureInfo, SignatureType};
use signstash_core::network::bundle::{self, BundleSources};
use signstash_core::network::doctor::{self, DoctorReport, StepKind, StepStatus};
use signstash_core::network::proxy::ProxyCredentials;
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};
use tls_support::{test_pki, tls_front, CA_NAME};

mod tls_support;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

struct Sandbox {
    running: RunningSandbox,
    _data: tempfile::TempDir,
}

async fn sandbox() -> Sandbox {
    let data = tempfile::tempdir().expect("temp dir");
    let running = RunningSandbox::start(SandboxConfig {
        data_dir: data.path().to_path_buf(),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    Sandbox {
        running,
        _data: data,
    }
}

fn environment_at(base: &str) -> Environment {
    Environment::custom(
        "net",
        &format!("{base}/oauth2/authorization-server/oauth/token"),
        &format!("{base}/signstash/einvoice-integration-ws/"),
    )
    .expect("environment")
}

fn direct() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(60),
        proxy: ProxySetting::Direct,
        ..ClientOptions::default()
    }
}

fn client(environment: Environment, secret: &str, options: &ClientOptions) -> SignStashClient {
    SignStashClient::new(
        environment,
        Credentials::new("bar", secret),
        Arc::new(TokenCache::new()),
        options,
    )
    .expect("client")
}

fn pdf_request(reference: &str) -> SignRequest {
    SignRequest::new(
        format!("{reference}_Request"),
        "network test",
        vec![SignDocument {
            document_request: Base64Document::from_bytes(
                reference,
                format!("{reference}.pdf"),
                ContentType::Pdf,
                &signstash_testdocs::pdf(reference),
            ),
            signature_info: SignatureInfo::new(SignatureType::PAdES),
        }],
    )
}

/// tinyproxy on a free loopback port, in the foreground, logging every connection to a file.
struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    fn start(basic_auth: Option<(&str, &str)>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = dir.path().join("tinyproxy.log");
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{}\"\nLogLevel Connect\n\
             Allow 127.0.0.1\nDisableViaHeader Yes\nMaxClients 20\n",
            log.display()
        );
        if let Some((user, password)) = basic_auth {
            conf.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let conf_path = dir.path().join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).expect("conf");
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy installed (scripts/bootstrap.sh)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Log lines that name this address (tinyproxy logs each request it forwards).
    fn carried(&self, addr: SocketAddr) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .filter(|l| l.contains(&format!(":{}", addr.port())))
            .count()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn step(report: &DoctorReport, kind: StepKind) -> &doctor::Step {
    report
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} step in {report:#?}"))
}

// ---------------------------------------------------------------------------------------------
// Proxy
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_forward_proxy_carries_token_and_sign_requests() {
    let sandbox = sandbox().await;
    let proxy = Tinyproxy::start(None);
    let options = ClientOptions {
        proxy: ProxySetting::Url(proxy.url()),
        ..direct()
    };
    let client = client(
        environment_at(&sandbox.running.base_url()),
        "barsecret",
        &options,
    );
    let operation = client
        .sign_base64(&pdf_request("via-proxy"))
        .await
        .expect("signed through the proxy");
    assert_eq!(operation.document_list.len(), 1);
    assert!(
        proxy.carried(sandbox.running.addr()) >= 2,
        "token and sign requests in the proxy's log:\n{}",
        std::fs::read_to_string(&proxy.log).unwrap_or_default()
    );

    // "host:port" as people type it works too.
    let typed = ClientOptions {
        proxy: ProxySetting::Url(format!("127.0.0.1:{}", proxy.port)),
        ..direct()
    };
    let before = proxy.carried(sandbox.running.addr());
    crate::client(
        environment_at(&sandbox.running.base_url()),
        "barsecret",
        &typed,
    )
    .request_token()
    .await
    .expect("token via host:port proxy");
    assert!(proxy.carried(sandbox.running.addr()) > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_authentication_works_and_a_wrong_password_is_explained() {
    let sandbox = sandbox().await;
    let proxy = Tinyproxy::start(Some(("alice", "pr0xy-pa55")));
    let environment = environment_at(&sandbox.running.base_url());
    let pki = test_pki(&["localhost"]);
    let front = tls_front(&pki, sandbox.running.addr()).await;
    let https = environment_at(&format!("https://localhost:{}", front.port()));
    let with = |credentials: Option<ProxyCredentials>| ClientOptions {
        proxy: ProxySetting::Url(proxy.url()),
        proxy_credentials: credentials,
        extra_root_certificates_pem: vec![pki.ca_pem.clone().into_bytes()],
        ..direct()
    };

    let good = with(Some(ProxyCredentials::new("alice", "pr0xy-pa55")));
    client(environment.clone(), "barsecret", &good)
        .sign_base64(&pdf_request("auth-proxy"))
        .await
        .expect("signed through the authenticating proxy");
    assert!(proxy.carried(sandbox.running.addr()) >= 2);
    // https goes through the same proxy as a CONNECT tunnel, with the same credentials.
    client(https.clone(), "barsecret", &good)
        .sign_base64(&pdf_request("auth-proxy-tls"))
        .await
        .expect("signed over TLS through the authenticating proxy");
    assert!(
        proxy.carried(front) >= 1,
        "CONNECT to the TLS front in the proxy's log"
    );
    assert_eq!(sandbox.running.stats().token_requests, 2);

    // The service is https: a proxy refusing the tunnel is named as the problem.
    // tinyproxy asks for credentials with 407 but answers a wrong password with 401, which a
    // CONNECT cannot tell from any other refusal: both name the proxy and its password.
    let cases = [
        (None, "net.proxy_auth"),
        (
            Some(ProxyCredentials::new("alice", "wrong")),
            "net.proxy_refused",
        ),
    ];
    for (credentials, code) in cases {
        let error = client(https.clone(), "barsecret", &with(credentials))
            .request_token()
            .await
            .expect_err("refused by the proxy");
        assert_eq!(error.code(), code, "{error:?}");
        assert!(!error.is_retryable());
        let pt = error.message(Lang::Pt);
        let en = error.message(Lang::En);
        assert!(pt.contains("proxy") && pt.contains("palavra-passe"), "{pt}");
        assert!(en.contains("proxy") && en.contains("password"), "{en}");
        assert!(!format!("{error:?}{pt}{en}").contains("wrong"));
    }
    assert_eq!(
        sandbox.running.stats().token_requests,
        2,
        "refused requests never reached the sandbox"
    );

    // The doctor: through the proxy, the first hop is the proxy, and its refusal is explained.
    for target in [&environment, &https] {
        let report = doctor::diagnose(
            target,
            &Credentials::new("bar", "barsecret"),
            &with(Some(ProxyCredentials::new("alice", "wrong"))),
            Lang::En,
        )
        .await;
        assert!(!report.passed);
        let connect = step(&report, StepKind::Connect);
        assert_eq!(connect.status, StepStatus::Passed);
        assert_eq!(connect.target, format!("127.0.0.1:{}", proxy.port));
        let failed = report
            .steps
            .iter()
            .find(|s| s.status == StepStatus::Failed)
            .expect("a failed step");
        let problem = failed.problem.as_ref().expect("problem");
        assert!(
            ["net.proxy_auth", "net.proxy_refused"].contains(&problem.code.as_str()),
            "{report:#?}"
        );
        assert!(problem.message.contains("proxy"), "{}", problem.message);
        assert_eq!(step(&report, StepKind::Token).status, StepStatus::Skipped);
    }
    let report = doctor::diagnose(
        &https,
        &Credentials::new("bar", "barsecret"),
        &good,
        Lang::En,
    )
    .await;
    assert!(report.passed, "{report:#?}");
    assert!(step(&report, StepKind::Tls).detail.contains(CA_NAME));
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_over_tls_needs_its_ca_and_the_doctor_names_the_issuer() {
    let sandbox = sandbox().await;
    let pki = test_pki(&["127.0.0.1", "localhost"]);
    let front = tls_front(&pki, sandbox.running.addr()).await;
    let environment = environment_at(&format!("https://localhost:{}", front.port()));

    // Not trusted by this computer: refused, and the doctor says who issued it.
    let error = client(environment.clone(), "barsecret", &direct())
        .request_token()
        .await
        .expect_err("untrusted CA");
    assert_eq!(error.code(), "net.tls", "{error:?}");
    let report = doctor::diagnose(
        &environment,
        &Credentials::new("bar", "barsecret"),
        &direct(),
        Lang::Pt,
    )
    .await;
    assert!(!report.passed);
    let tls = step(&report, StepKind::Tls);
    assert_eq!(tls.status, StepStatus::Failed);
    let problem = tls.problem.as_ref().expect("problem");
    assert!(problem.message.contains(CA_NAME), "{}", problem.message);
    assert!(
        problem.message.contains("não confia"),
        "{}",
        problem.message
    );
    assert_eq!(step(&report, StepKind::Token).status, StepStatus::Skipped);
    assert_eq!(sandbox.running.stats().token_requests, 0);

    // With the CA as the environment's extra certificate: signs, and the doctor passes.
    let trusting = ClientOptions {
        extra_root_certificates_pem: vec![pki.ca_pem.clone().into_bytes()],
        ..direct()
    };
    let operation = client(environment.clone(), "barsecret", &trusting)
        .sign_base64(&pdf_request("over-tls"))
        .await
        .expect("signed over TLS");
    assert_eq!(operation.document_list.len(), 1);
    let report = doctor::diagnose(
        &environment,
        &Credentials::new("bar", "barsecret"),
        &trusting,
        Lang::En,
    )
    .await;
    assert!(report.passed, "{report:#?}");
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Resolve,
            StepKind::Connect,
            StepKind::Tls,
            StepKind::Token,
            StepKind::Api
        ]
    );
    assert!(step(&report, StepKind::Tls).detail.contains(CA_NAME));

    // A file that is not a certificate is a clear configuration error.
    let garbage = ClientOptions {
        extra_root_certificates_pem: vec![b"not a certificate".to_vec()],
        ..direct()
    };
    let error = SignStashClient::new(
        environment,
        Credentials::new("bar", "barsecret"),
        Arc::new(TokenCache::new()),
        &garbage,
    )
    .expect_err("bad CA file");
    assert_eq!(error.code(), "config.ca_certificate");
    assert!(error.message(Lang::En).contains("PEM"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_always_refused_with_the_reason() {
    let sandbox = sandbox().await;
    let pki = test_pki(&["signstash.other.example"]);
    let front = tls_front(&pki, sandbox.running.addr()).await;
    let environment = environment_at(&format!("https://localhost:{}", front.port()));
    // Even with its CA trusted, the name does not match.
    let trusting = ClientOptions {
        extra_root_certificates_pem: vec![pki.ca_pem.clone().into_bytes()],
        ..direct()
    };
    let error = client(environment.clone(), "barsecret", &trusting)
        .request_token()
        .await
        .expect_err("name mismatch");
    assert_eq!(error.code(), "net.tls", "{error:?}");
    assert!(error
        .message(Lang::En)
        .contains("does not match the address"));

    for lang in [Lang::Pt, Lang::En] {
        let report = doctor::diagnose(
            &environment,
            &Credentials::new("bar", "barsecret"),
            &trusting,
            lang,
        )
        .await;
        let problem = step(&report, StepKind::Tls)
            .problem
            .clone()
            .expect("TLS step failed");
        assert!(problem.message.contains(CA_NAME), "{}", problem.message);
        let reason = match lang {
            Lang::Pt => "pertence a outro nome",
            Lang::En => "belongs to another name",
        };
        assert!(problem.message.contains(reason), "{}", problem.message);
        assert!(problem.support_detail.contains(CA_NAME));
    }
    assert_eq!(sandbox.running.stats().token_requests, 0);
}

// ---------------------------------------------------------------------------------------------
// Doctor
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_on_a_healthy_sandbox_and_explains_each_failure() {
    let sandbox = sandbox().await;
    let environment = environment_at(&sandbox.running.base_url());
    let good = Credentials::new("bar", "barsecret");
    let report = doctor::diagnose(&environment, &good, &direct(), Lang::Pt).await;
    assert!(report.passed, "{report:#?}");
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Resolve,
            StepKind::Connect,
            StepKind::Token,
            StepKind::Api
        ],
        "one origin over http: no TLS step"
    );
    assert!(step(&report, StepKind::Token).detail.contains("86399"));
    let json = serde_json::to_string(&report).expect("json");
    assert!(
        !json.contains("barsecret") && !json.contains("eyJ"),
        "{json}"
    );
    assert!(json.contains("\"status\":\"passed\""));

    // Wrong secret: the token step fails naming the credentials; the API step is skipped.
    let report = doctor::diagnose(
        &environment,
        &Credentials::new("bar", "wrong"),
        &direct(),
        Lang::En,
    )
    .await;
    assert!(!report.passed);
    let token = step(&report, StepKind::Token);
    let problem = token.problem.as_ref().expect("problem");
    assert_eq!(problem.code, "auth.invalid_client");
    assert!(problem.message.contains("credentials"));
    assert!(problem.message.contains("client secret"));
    assert_eq!(step(&report, StepKind::Api).status, StepStatus::Skipped);

    // Nothing listening: connection refused at the connect step, with the proxy hint.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let nowhere = environment_at(&format!("http://127.0.0.1:{port}"));
    let report = doctor::diagnose(&nowhere, &good, &direct(), Lang::Pt).await;
    let connect = step(&report, StepKind::Connect);
    let problem = connect.problem.as_ref().expect("problem");
    assert_eq!(problem.code, "net.refused");
    assert!(problem.message.contains("proxy"), "{}", problem.message);
    assert_eq!(step(&report, StepKind::Token).status, StepStatus::Skipped);

    // A host that does not resolve.
    let unknown = environment_at("http://signstash-doctor-test.invalid");
    let report = doctor::diagnose(&unknown, &good, &direct(), Lang::En).await;
    let problem = step(&report, StepKind::Resolve)
        .problem
        .clone()
        .expect("problem");
    assert_eq!(problem.code, "net.dns");

    // A wrong token URL on a reachable server.
    let wrong_path = Environment::custom(
        "net",
        &format!("{}/not/the/token", sandbox.running.base_url()),
        &sandbox.running.hosted_api_base(),
    )
    .expect("env");
    let report = doctor::diagnose(&wrong_path, &good, &direct(), Lang::En).await;
    let problem = step(&report, StepKind::Token)
        .problem
        .clone()
        .expect("problem");
    assert_eq!(problem.code, "auth.token_url_wrong");
    assert!(problem.message.contains("token URL"));

    // A wrong API base: the token works, the API does not.
    let wrong_api = Environment::custom(
        "net",
        &sandbox.running.token_url(),
        &format!("{}/elsewhere/", sandbox.running.base_url()),
    )
    .expect("env");
    let report = doctor::diagnose(&wrong_api, &good, &direct(), Lang::En).await;
    assert_eq!(step(&report, StepKind::Token).status, StepStatus::Passed);
    let problem = step(&report, StepKind::Api)
        .problem
        .clone()
        .expect("problem");
    assert_eq!(problem.code, "api.not_found", "{problem:?}");
}

// ---------------------------------------------------------------------------------------------
// Bundle
// ---------------------------------------------------------------------------------------------

fn unzip(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("bundle");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            (entry.name().expect("name").into_owned(), text)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_holds_the_diagnosis_but_neither_secret_nor_token() {
    let sandbox = sandbox().await;
    let environment = environment_at(&sandbox.running.base_url());
    let report = doctor::diagnose(
        &environment,
        &Credentials::new("bar", "barsecret"),
        &direct(),
        Lang::En,
    )
    .await;
    assert!(report.passed, "{report:#?}");

    // A token fetched outside the doctor, then leaked into a log the way careless code would.
    let leaked = client(environment.clone(), "barsecret", &direct())
        .request_token()
        .await
        .expect("token")
        .token
        .expose()
        .to_string();
    let dir = tempfile::tempdir().expect("dir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    std::fs::write(
        logs.join("signstash.log"),
        format!(
            "INFO sign started\nDEBUG client_secret=barsecret\nDEBUG Authorization: Bearer {leaked}\n\
             DEBUG {{\"access_token\":\"{leaked}\",\"expires_in\":3600}}\n"
        ),
    )
    .expect("log");
    std::fs::write(logs.join("notes.txt"), "not a log").expect("other file");
    let settings = dir.path().join("settings.json");
    std::fs::write(
        &settings,
        r#"{"language":"pt","environments":[{"id":"net","token_url":"http://x/t","client_secret":"barsecret"}],"proxy":{"mode":"manual","url":"http://p:3128","user":"alice","password":"pr0xy"}}"#,
    )
    .expect("settings");

    let sources = BundleSources {
        program: "test 1.0".into(),
        settings_file: Some(settings),
        log_dir: Some(logs),
    };
    let path = dir.path().join("diagnostics.zip");
    let summary = bundle::write_bundle(
        &path,
        std::slice::from_ref(&report),
        &sources,
        &["pr0xy"],
        false,
    )
    .expect("bundle");
    assert_eq!(summary.path, path);
    let entries = unzip(&path);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "versions.json",
            "settings.json",
            "doctor.json",
            "doctor.txt",
            "logs/signstash.log"
        ]
    );
    for (name, text) in &entries {
        assert!(!text.contains("barsecret"), "secret in {name}:\n{text}");
        assert!(!text.contains(&leaked), "token in {name}:\n{text}");
        assert!(
            !text.contains("eyJ"),
            "a token-shaped string in {name}:\n{text}"
        );
        assert!(!text.contains("pr0xy"), "proxy password in {name}:\n{text}");
    }
    let text = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    assert!(text("versions.json").contains("test 1.0"));
    assert!(
        text("settings.json").contains("http://p:3128"),
        "settings kept, minus secrets"
    );
    assert!(text("doctor.txt").contains("Everything works"));
    assert!(text("doctor.json").contains("\"kind\": \"token\""));
    assert!(text("logs/signstash.log").contains("sign started"));
    assert!(
        !dir.path()
            .read_dir()
            .expect("dir")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".part")),
        "no temporary file left behind"
    );

    // Never replaces an existing file unless asked; absent settings and logs are fine.
    let again = bundle::write_bundle(&path, std::slice::from_ref(&report), &sources, &[], false)
        .expect_err("exists");
    assert_eq!(again.code(), "bundle.exists");
    let bare = BundleSources {
        program: "test".into(),
        settings_file: Some(dir.path().join("missing.json")),
        log_dir: Some(dir.path().join("no-logs")),
    };
    bundle::write_bundle(&path, &[report], &bare, &[], true).expect("overwrite when asked");
    let names: Vec<String> = unzip(&path).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["versions.json", "doctor.json", "doctor.txt"]);
}

/// A service whose token works but whose API says the licence or client service is inactive
/// (spec §8: 1.1.1): the doctor's API step says so and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_explains_an_inactive_licence() {
    use axum::http::{header, StatusCode};
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/oauth2/authorization-server/oauth/token",
            post(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"access_token":"eyJinactive","token_type":"bearer","expires_in":3600}"#,
                )
            }),
        )
        .fallback(|| async {
            (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"errorCode":"1.1.1","errorCodeDescription":"License inactive","causeMessage":"inactive"}"#,
            )
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let environment = environment_at(&format!("http://{addr}"));
    for (lang, words) in [(Lang::Pt, "inativos"), (Lang::En, "inactive")] {
        let report = doctor::diagnose(
            &environment,
            &Credentials::new("bar", "barsecret"),
            &direct(),
            lang,
        )
        .await;
        assert!(!report.passed);
        assert_eq!(step(&report, StepKind::Token).status, StepStatus::Passed);
        let problem = step(&report, StepKind::Api)
            .problem
            .clone()
            .expect("API step failed");
        assert_eq!(problem.code, "auth.service_inactive");
        assert!(problem.message.contains(words), "{}", problem.message);
        assert!(
            problem.message.contains("Backoffice"),
            "{}",
            problem.message
        );
        assert!(problem.support_detail.contains("1.1.1"));
    }
}
