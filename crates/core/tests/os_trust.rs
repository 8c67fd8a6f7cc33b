//! The operating system's trust store is used: a CA in the store (here the bundle named by
//! SSL_CERT_FILE, which the store reader honours like OpenSSL does on Linux) is trusted without
//! any extra certificate configured. Its own test binary: the store is read once per process.

use std::sync::Arc;
use std::time::Duration;

use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};

mod tls_support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_in_the_system_store_is_trusted() {
    let data = tempfile::tempdir().expect("temp dir");
    let sandbox = RunningSandbox::start(SandboxConfig {
        data_dir: data.path().to_path_buf(),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let pki = tls_support::test_pki(&["localhost"]);
    let front = tls_support::tls_front(&pki, sandbox.addr()).await;
    let store = data.path().join("ca-bundle.pem");
    std::fs::write(&store, &pki.ca_pem).expect("store");
    // Set before any client reads the store; this binary has no other test.
    std::env::set_var("SSL_CERT_FILE", &store);
    std::env::remove_var("SSL_CERT_DIR");

    let base = format!("https://localhost:{}", front.port());
    let environment = Environment::custom(
        "os",
        &format!("{base}/oauth2/authorization-server/oauth/token"),
        &format!("{base}/signstash/einvoice-integration-ws/"),
    )
    .expect("environment");
    let client = SignStashClient::new(
        environment,
        Credentials::new("bar", "barsecret"),
        Arc::new(TokenCache::new()),
        &ClientOptions {
            timeout: Duration::from_secs(30),
            proxy: ProxySetting::Direct,
            ..ClientOptions::default()
        },
    )
    .expect("client");
    let token = client
        .request_token()
        .await
        .expect("trusted through the OS store");
    assert!(!token.token.expose().is_empty());
    assert_eq!(sandbox.stats().token_requests, 1);
}
