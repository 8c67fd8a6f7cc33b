//! The connection diagnosis behind `signstash doctor` and the app's "Diagnose" button: for one
//! environment, resolve each host, connect, complete TLS, fetch a token and call the API with an
//! empty request, timing each step and explaining each failure in plain words with the likely fix.
//!
//! The report is serialisable and holds no secret and no token; what must be scrubbed from a
//! diagnostics bundle (the secret, the token obtained) is kept beside it, never serialised.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use url::Url;
use zeroize::Zeroizing;

use crate::client::{ClientOptions, SignStashClient};
use crate::environment::Environment;
use crate::error::{Lang, SignStashError};
use crate::model::SignRequest;
use crate::network::proxy;
use crate::network::tls::CertificateRecorder;
use crate::token::{Credentials, TokenCache};

/// The kind of a diagnosis step, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Resolve,
    Connect,
    /// Only for http through a proxy: a plain GET, so the proxy's answer (407...) is seen.
    Proxy,
    Tls,
    Token,
    Api,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    /// Not run because an earlier step it depends on failed.
    Skipped,
}

/// What went wrong in a step: the machine code, the plain-language explanation with the likely
/// fix, and the short technical line for support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: String,
    pub message: String,
    pub support_detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    /// The step's name in the report's language, e.g. "Ligar ao servidor".
    pub title: String,
    /// What it was run against: `host:port`, or the proxy's when the step goes through one.
    pub target: String,
    pub status: StepStatus,
    pub elapsed_ms: u64,
    /// What was found when it passed (addresses, certificate issuer, token lifetime...).
    pub detail: String,
    pub problem: Option<Problem>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoctorReport {
    pub environment: String,
    pub token_url: String,
    pub api_base: String,
    /// The proxy setting as used, without user or password.
    pub proxy: String,
    pub lang: Lang,
    pub passed: bool,
    pub steps: Vec<Step>,
    /// The client secret and any token seen: for scrubbing a bundle, never serialised or shown.
    #[serde(skip)]
    redact: Redactions,
}

impl DoctorReport {
    pub(crate) fn redactions(&self) -> &[Zeroizing<String>] {
        &self.redact.0
    }
}

#[derive(Clone, Default)]
struct Redactions(Vec<Zeroizing<String>>);

impl std::fmt::Debug for Redactions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactions({})", self.0.len())
    }
}

/// Runs every step for one environment. Never fails as a whole: each failure is a step of the
/// report (steps that depend on a failed one are skipped).
pub async fn diagnose(
    environment: &Environment,
    credentials: &Credentials,
    options: &ClientOptions,
    lang: Lang,
) -> DoctorReport {
    let recorder = CertificateRecorder::new();
    let options = ClientOptions {
        certificate_recorder: Some(recorder.clone()),
        // A diagnosis should answer in seconds, not wait out a batch-sized timeout.
        timeout: options.timeout.min(Duration::from_secs(30)),
        ..options.clone()
    };
    let mut report = DoctorReport {
        environment: environment.id.clone(),
        token_url: environment.token_url.clone(),
        api_base: environment.api_base.clone(),
        proxy: proxy::describe(&options.proxy),
        lang,
        passed: false,
        steps: Vec::new(),
        redact: Redactions(vec![Zeroizing::new(
            credentials.secret.expose().to_string(),
        )]),
    };
    let doctor = Doctor {
        lang,
        options: &options,
        recorder: &recorder,
    };

    let token_url = Url::parse(&environment.token_url).ok();
    let api_url = Url::parse(&environment.endpoint("document/sign/base64/")).ok();
    let mut origins: Vec<Url> = Vec::new();
    for url in [&token_url, &api_url].into_iter().flatten() {
        if !origins.iter().any(|o| same_origin(o, url)) {
            origins.push(url.clone());
        }
    }
    let mut reachable: Vec<Url> = Vec::new();
    for origin in &origins {
        if doctor.check_origin(origin, &mut report.steps).await {
            reachable.push(origin.clone());
        }
    }
    let is_reachable = |url: &Option<Url>| {
        url.as_ref()
            .is_some_and(|u| reachable.iter().any(|r| same_origin(r, u)))
    };

    let client = match SignStashClient::new(
        environment.clone(),
        credentials.clone(),
        Arc::new(TokenCache::new()),
        &options,
    ) {
        Ok(client) => Some(client),
        Err(error) => {
            report.steps.push(doctor.failed(
                StepKind::Token,
                &host_port(token_url.as_ref()),
                Duration::ZERO,
                &error,
                None,
            ));
            None
        }
    };
    let token_target = host_port(token_url.as_ref());
    let mut token_ok = false;
    match &client {
        Some(client) if is_reachable(&token_url) => {
            let started = Instant::now();
            match client.request_token().await {
                Ok(fetched) => {
                    report
                        .redact
                        .0
                        .push(Zeroizing::new(fetched.token.expose().to_string()));
                    token_ok = true;
                    let detail = match lang {
                        Lang::Pt => {
                            format!("token obtido, válido por {} s", fetched.lifetime.as_secs())
                        }
                        Lang::En => {
                            format!("token obtained, valid for {} s", fetched.lifetime.as_secs())
                        }
                    };
                    report.steps.push(doctor.passed(
                        StepKind::Token,
                        &token_target,
                        started.elapsed(),
                        detail,
                    ));
                }
                Err(error) => report.steps.push(doctor.failed(
                    StepKind::Token,
                    &token_target,
                    started.elapsed(),
                    &error,
                    None,
                )),
            }
        }
        Some(_) => report
            .steps
            .push(doctor.skipped(StepKind::Token, &token_target)),
        None => {}
    }

    let api_target = host_port(api_url.as_ref());
    match &client {
        Some(client) if token_ok && is_reachable(&api_url) => {
            let step = doctor.call_api(client, &api_target).await;
            report.steps.push(step);
        }
        _ => report
            .steps
            .push(doctor.skipped(StepKind::Api, &api_target)),
    }
    report.passed = report.steps.iter().all(|s| s.status == StepStatus::Passed);
    report
}

struct Doctor<'a> {
    lang: Lang,
    options: &'a ClientOptions,
    recorder: &'a CertificateRecorder,
}

impl Doctor<'_> {
    /// Resolve, connect and (for https) TLS for one origin; true when all passed.
    async fn check_origin(&self, url: &Url, steps: &mut Vec<Step>) -> bool {
        let via = proxy::proxy_for(&self.options.proxy, url);
        // Through a proxy, the first hop is the proxy: that is what this computer must reach.
        let hop = via.as_ref().unwrap_or(url);
        let (Some(host), Some(port)) = (hop.host_str(), hop.port_or_known_default()) else {
            return false;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let target = format!("{host}:{port}");

        let started = Instant::now();
        // A resolver that never answers (no network) must not hang the diagnosis.
        let lookup = tokio::net::lookup_host((host.as_str(), port));
        let addresses = match tokio::time::timeout(self.options.connect_timeout, lookup).await {
            Ok(Ok(found)) => found.collect::<Vec<_>>(),
            Ok(Err(_)) | Err(_) => Vec::new(),
        };
        if addresses.is_empty() {
            let error = SignStashError::Dns { host: host.clone() };
            let hint = via.is_none().then(|| self.proxy_hint());
            steps.push(self.failed(StepKind::Resolve, &target, started.elapsed(), &error, hint));
            return false;
        }
        let shown: Vec<String> = addresses
            .iter()
            .take(4)
            .map(|a| a.ip().to_string())
            .collect();
        steps.push(self.passed(
            StepKind::Resolve,
            &target,
            started.elapsed(),
            shown.join(", "),
        ));

        let started = Instant::now();
        let mut last_error = None;
        let mut connected = None;
        for address in addresses.iter().take(4) {
            match tokio::time::timeout(
                self.options.connect_timeout,
                tokio::net::TcpStream::connect(address),
            )
            .await
            {
                Ok(Ok(_stream)) => {
                    connected = Some(*address);
                    break;
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last_error = Some(SignStashError::ConnectionRefused {
                        host: target.clone(),
                    })
                }
                Ok(Err(e)) => {
                    last_error = Some(SignStashError::Unreachable {
                        host: target.clone(),
                        detail: e.to_string(),
                    })
                }
                Err(_) => {
                    last_error = Some(SignStashError::Timeout {
                        host: target.clone(),
                    })
                }
            }
        }
        match connected {
            Some(address) => steps.push(self.passed(
                StepKind::Connect,
                &target,
                started.elapsed(),
                address.to_string(),
            )),
            None => {
                let error = last_error.unwrap_or(SignStashError::Unreachable {
                    host: target.clone(),
                    detail: String::new(),
                });
                let hint = match via {
                    Some(_) => Some(self.is_the_proxy_hint()),
                    None => Some(self.proxy_hint()),
                };
                steps.push(self.failed(
                    StepKind::Connect,
                    &target,
                    started.elapsed(),
                    &error,
                    hint,
                ));
                return false;
            }
        }

        match (url.scheme(), via) {
            ("https", _) => self.probe(url, StepKind::Tls, steps).await,
            (_, Some(_)) => self.probe(url, StepKind::Proxy, steps).await,
            _ => true,
        }
    }

    /// A plain GET of the origin through the same client settings (proxy, trust) the signing uses:
    /// any HTTP answer means the proxy let it through and TLS was completed; the certificate seen is
    /// noted either way. (A bodiless request: some proxies reset a connection whose body they
    /// refused to read, losing their 407.)
    async fn probe(&self, url: &Url, kind: StepKind, steps: &mut Vec<Step>) -> bool {
        let host = url.host_str().unwrap_or_default().to_string();
        let target = host_port(Some(url));
        let started = Instant::now();
        let client = match crate::client::http::build(self.options) {
            Ok(client) => client,
            Err(error) => {
                steps.push(self.failed(kind, &target, started.elapsed(), &error, None));
                return false;
            }
        };
        let mut origin = url.clone();
        origin.set_path("/");
        let result = client.get(origin.as_str()).send().await;
        let presented = self.recorder.last_for(&host);
        match result {
            Ok(response) if proxy_refused_credentials(&response) => {
                let error = SignStashError::ProxyAuth;
                steps.push(self.failed(kind, &target, started.elapsed(), &error, None));
                false
            }
            Ok(response) if kind == StepKind::Proxy => {
                let detail = format!("HTTP {}", response.status().as_u16());
                steps.push(self.passed(kind, &target, started.elapsed(), detail));
                true
            }
            Ok(_) => {
                let detail = match (&presented, self.lang) {
                    (Some(c), Lang::Pt) => format!("certificado emitido por {}", c.issuer),
                    (Some(c), Lang::En) => format!("certificate issued by {}", c.issuer),
                    (None, _) => String::new(),
                };
                steps.push(self.passed(StepKind::Tls, &target, started.elapsed(), detail));
                true
            }
            Err(error) => {
                let classified = crate::classify::transport(&error, &target);
                let rustls = crate::classify::rustls_error(&error);
                let mut step = self.failed(kind, &target, started.elapsed(), &classified, None);
                if let (Some(tls), Some(problem)) = (rustls, step.problem.as_mut()) {
                    problem.message = tls_explanation(&tls, &host, presented.as_ref(), self.lang)
                        .unwrap_or_else(|| problem.message.clone());
                    if let Some(c) = &presented {
                        problem
                            .support_detail
                            .push_str(&format!(" · issuer: {}", c.issuer));
                    }
                }
                steps.push(step);
                false
            }
        }
    }

    /// An empty sign request: nothing is signed, but the service must accept the token and the
    /// licence before it looks at the (missing) documents.
    async fn call_api(&self, client: &SignStashClient, target: &str) -> Step {
        let request = SignRequest::new(
            format!("signstash-doctor-{}", uuid::Uuid::new_v4()),
            "Sign'Stash Desk connection check (no documents)",
            Vec::new(),
        );
        let started = Instant::now();
        let result = client.sign_base64(&request).await;
        let elapsed = started.elapsed();
        match result {
            Ok(_) => self.passed(StepKind::Api, target, elapsed, self.api_answered(None)),
            Err(error) if answered_past_authorisation(&error) => self.passed(
                StepKind::Api,
                target,
                elapsed,
                self.api_answered(Some(&error)),
            ),
            Err(error) => self.failed(StepKind::Api, target, elapsed, &error, None),
        }
    }

    fn api_answered(&self, error: Option<&SignStashError>) -> String {
        let code = error.map(|e| e.support_detail()).unwrap_or_default();
        match self.lang {
            Lang::Pt => format!("o serviço aceitou o acesso e respondeu ao pedido vazio ({code})"),
            Lang::En => {
                format!("the service accepted access and answered the empty request ({code})")
            }
        }
    }

    fn proxy_hint(&self) -> String {
        match self.lang {
            Lang::Pt => "Se a rede da empresa só chega à Internet através de um proxy, configure-o em Definições (Rede) ou com --proxy.".into(),
            Lang::En => "If the company network only reaches the Internet through a proxy, set it in Settings (Network) or with --proxy.".into(),
        }
    }

    fn is_the_proxy_hint(&self) -> String {
        match self.lang {
            Lang::Pt => "Este é o endereço do proxy configurado: confirme-o (anfitrião e porta) com o administrador da rede.".into(),
            Lang::En => "This is the configured proxy's address: check it (host and port) with the network administrator.".into(),
        }
    }

    fn title(&self, kind: StepKind) -> String {
        let (pt, en) = match kind {
            StepKind::Resolve => ("Encontrar o servidor (DNS)", "Find the server (DNS)"),
            StepKind::Connect => ("Ligar ao servidor", "Connect to the server"),
            StepKind::Proxy => ("Passar pelo proxy", "Go through the proxy"),
            StepKind::Tls => ("Ligação segura (TLS)", "Secure connection (TLS)"),
            StepKind::Token => ("Obter autorização (token)", "Get authorisation (token)"),
            StepKind::Api => ("Chamar o serviço de assinatura", "Call the signing service"),
        };
        match self.lang {
            Lang::Pt => pt.into(),
            Lang::En => en.into(),
        }
    }

    fn passed(&self, kind: StepKind, target: &str, elapsed: Duration, detail: String) -> Step {
        Step {
            kind,
            title: self.title(kind),
            target: target.into(),
            status: StepStatus::Passed,
            elapsed_ms: millis(elapsed),
            detail,
            problem: None,
        }
    }

    fn skipped(&self, kind: StepKind, target: &str) -> Step {
        let detail = match self.lang {
            Lang::Pt => "não executado: um passo anterior falhou".into(),
            Lang::En => "not run: an earlier step failed".into(),
        };
        Step {
            kind,
            title: self.title(kind),
            target: target.into(),
            status: StepStatus::Skipped,
            elapsed_ms: 0,
            detail,
            problem: None,
        }
    }

    fn failed(
        &self,
        kind: StepKind,
        target: &str,
        elapsed: Duration,
        error: &SignStashError,
        hint: Option<String>,
    ) -> Step {
        let mut message = error.message(self.lang);
        if let Some(hint) = hint {
            message.push(' ');
            message.push_str(&hint);
        }
        Step {
            kind,
            title: self.title(kind),
            target: target.into(),
            status: StepStatus::Failed,
            elapsed_ms: millis(elapsed),
            detail: String::new(),
            problem: Some(Problem {
                code: error.code().into(),
                message,
                support_detail: error.support_detail(),
            }),
        }
    }
}

/// A 407, or (some proxies, tinyproxy among them, answer a wrong password so) a 401 asking for
/// Basic authentication, which neither Sign'Stash's root page nor its token server ever does.
fn proxy_refused_credentials(response: &reqwest::Response) -> bool {
    let status = response.status();
    status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED
        || (status == reqwest::StatusCode::UNAUTHORIZED
            && response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("basic")))
}

/// The API looked at the request itself (and refused the empty document list): the token and
/// the licence were accepted.
fn answered_past_authorisation(error: &SignStashError) -> bool {
    use SignStashError::*;
    matches!(
        error,
        MissingField(_) | Validation(_) | TooLarge(_) | ReusedReference(_) | Service(_)
    ) || matches!(error, Malformed { status, .. } if (400..500).contains(status))
}

/// Why a certificate was refused, naming its issuer when one was presented.
fn tls_explanation(
    error: &rustls::Error,
    host: &str,
    presented: Option<&crate::network::tls::PresentedCertificate>,
    lang: Lang,
) -> Option<String> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(problem) = error else {
        return None;
    };
    let issuer = presented.map_or_else(
        || match lang {
            Lang::Pt => "emissor desconhecido".to_string(),
            Lang::En => "unknown issuer".to_string(),
        },
        |c| c.issuer.clone(),
    );
    Some(match (problem, lang) {
        (C::UnknownIssuer, Lang::Pt) => format!(
            "O certificado de {host} foi emitido por «{issuer}», uma autoridade em que este computador não confia. Se for a autoridade interna da empresa (firewall ou Proxy Client), peça o certificado dessa autoridade (PEM) ao administrador da rede e adicione-o nas Definições deste ambiente como CA adicional."
        ),
        (C::UnknownIssuer, Lang::En) => format!(
            "The certificate of {host} was issued by \"{issuer}\", an authority this computer does not trust. If it is the company's internal authority (firewall or Proxy Client), ask the network administrator for that authority's certificate (PEM) and add it in this environment's Settings as an extra CA."
        ),
        (C::NotValidForName | C::NotValidForNameContext { .. }, Lang::Pt) => format!(
            "O certificado apresentado por {host} (emitido por «{issuer}») pertence a outro nome, não a este endereço; a ligação foi recusada e nenhuma definição a permite. Confirme o endereço nas Definições; se estiver certo, a rede pode estar a desviar a ligação: fale com o administrador da rede."
        ),
        (C::NotValidForName | C::NotValidForNameContext { .. }, Lang::En) => format!(
            "The certificate presented by {host} (issued by \"{issuer}\") belongs to another name, not to this address; the connection was refused and no setting allows it. Check the address in Settings; if it is right, the network may be diverting the connection: talk to the network administrator."
        ),
        (C::Expired | C::ExpiredContext { .. }, Lang::Pt) => format!(
            "O certificado de {host} (emitido por «{issuer}») expirou. Confirme a data e a hora deste computador; se estiverem certas, avise o administrador do servidor."
        ),
        (C::Expired | C::ExpiredContext { .. }, Lang::En) => format!(
            "The certificate of {host} (issued by \"{issuer}\") has expired. Check this computer's date and time; if they are right, tell the server's administrator."
        ),
        (_, Lang::Pt) => format!(
            "O certificado de {host} (emitido por «{issuer}») foi recusado ({problem:?}). Fale com o administrador da rede."
        ),
        (_, Lang::En) => format!(
            "The certificate of {host} (issued by \"{issuer}\") was refused ({problem:?}). Talk to the network administrator."
        ),
    })
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn host_port(url: Option<&Url>) -> String {
    url.and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| "?".into())
}

fn millis(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}
