//! The OAuth2 token endpoint (client credentials, spec §3) and the bearer check of the API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use bytes::Bytes;
use rand::RngCore;
use serde_json::json;

use crate::error::{ApiError, OAuthError};
use crate::server::Shared;
use crate::stats::Stats;

struct IssuedToken {
    client_id: String,
    expires_at: Instant,
    uses: u32,
}

/// Tokens live in memory only; a restarted sandbox knows none of them (as a new environment would).
#[derive(Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, IssuedToken>>,
}

/// The client service a request was made for, put in the request by [`require_bearer`].
#[derive(Clone, Debug)]
pub struct Caller {
    pub client_id: String,
}

pub enum TokenCheck {
    Valid(Caller),
    Unknown,
    Expired,
}

impl TokenStore {
    fn issue(&self, client_id: &str, lifetime: Duration) -> String {
        let token = mint_token(client_id, lifetime);
        if let Ok(mut tokens) = self.tokens.lock() {
            let now = Instant::now();
            // Forget tokens long past their expiry so a long-running sandbox does not grow.
            tokens.retain(|_, t| t.expires_at + Duration::from_secs(3600) > now);
            tokens.insert(
                token.clone(),
                IssuedToken {
                    client_id: client_id.into(),
                    expires_at: now + lifetime,
                    uses: 0,
                },
            );
        }
        token
    }

    /// Looks a token up and counts one use of it.
    pub fn check_and_use(&self, token: &str, max_uses: Option<u32>) -> TokenCheck {
        let Ok(mut tokens) = self.tokens.lock() else {
            return TokenCheck::Unknown;
        };
        let Some(issued) = tokens.get_mut(token) else {
            return TokenCheck::Unknown;
        };
        issued.uses = issued.uses.saturating_add(1);
        let worn_out = max_uses.is_some_and(|max| issued.uses > max);
        if worn_out || Instant::now() >= issued.expires_at {
            return TokenCheck::Expired;
        }
        TokenCheck::Valid(Caller {
            client_id: issued.client_id.clone(),
        })
    }
}

/// A JWT-shaped opaque token (clients must not parse it; the real one starts with `eyJhbG` too).
fn mint_token(client_id: &str, lifetime: Duration) -> String {
    let mut random = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut random);
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + lifetime.as_secs() as i64;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({"client_id": client_id, "scope": ["read", "write"], "exp": exp,
                        "jti": uuid_like(&random[..16]), "iss": "signstash-sandbox"});
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(random))
}

pub fn uuid_like(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    if hex.len() < 32 {
        return hex;
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /oauth2/authorization-server/oauth/token`: HTTP Basic client auth, `grant_type` in the form
/// body or the query string (both are seen in the wild).
pub async fn token_endpoint(
    State(shared): State<Shared>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    Stats::bump(&shared.stats.token_requests);
    let Some((id, secret)) = basic_credentials(&headers) else {
        return OAuthError::InvalidClient.into_response();
    };
    let known = shared
        .config
        .clients
        .iter()
        .any(|c| c.id == id && c.secret == secret);
    if !known {
        tracing::info!(client_id = %id, "token refused: bad client credentials");
        return OAuthError::InvalidClient.into_response();
    }
    let query = query.unwrap_or_default();
    let params = form_pairs(&body).chain(form_pairs(query.as_bytes()));
    let grant = params
        .filter(|(k, _)| k == "grant_type")
        .map(|(_, v)| v)
        .next();
    match grant.as_deref() {
        None | Some("") => return OAuthError::MissingGrantType.into_response(),
        Some("client_credentials") => {}
        Some(other) => return OAuthError::UnsupportedGrantType(other.to_string()).into_response(),
    }
    let lifetime = Duration::from_secs(shared.config.token_lifetime_secs);
    let token = shared.tokens.issue(&id, lifetime);
    Stats::bump(&shared.stats.tokens_issued);
    let mut jti = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut jti);
    Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": shared.config.token_lifetime_secs,
        "scope": "read write",
        "jti": uuid_like(&jti),
    }))
    .into_response()
}

fn form_pairs(bytes: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// Middleware of every `api/v0/**` route: a known, unexpired bearer token, or 401 / 409 `0.0.10`.
pub async fn require_bearer(
    State(shared): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let Some(token) = token else {
        return ApiError::InvalidToken("Full authentication is required to access this resource")
            .into_response();
    };
    let max_uses = shared.faults.lock().ok().and_then(|f| f.token_max_uses);
    match shared.tokens.check_and_use(&token, max_uses) {
        TokenCheck::Valid(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        TokenCheck::Unknown => ApiError::InvalidToken("Invalid access token").into_response(),
        TokenCheck::Expired => ApiError::TokenExpired.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_wear_out_and_expire() {
        let store = TokenStore::default();
        let token = store.issue("c", Duration::from_secs(60));
        assert!(token.starts_with("eyJhbG"));
        assert!(matches!(
            store.check_and_use(&token, Some(2)),
            TokenCheck::Valid(_)
        ));
        assert!(matches!(
            store.check_and_use(&token, Some(2)),
            TokenCheck::Valid(_)
        ));
        assert!(matches!(
            store.check_and_use(&token, Some(2)),
            TokenCheck::Expired
        ));
        assert!(matches!(
            store.check_and_use("nope", None),
            TokenCheck::Unknown
        ));
        let short = store.issue("c", Duration::ZERO);
        assert!(matches!(
            store.check_and_use(&short, None),
            TokenCheck::Expired
        ));
    }
}
