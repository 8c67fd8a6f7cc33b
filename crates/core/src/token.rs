//! Client credentials that never print their secret, and the in-memory cache of access tokens
//! keyed by (environment id, client id), with single-flight fetching.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;
use zeroize::Zeroizing;

use crate::error::SignStashError;

/// A client secret: Debug and Display show `<redacted>`; the memory is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Zeroizing::new(secret.into()))
    }

    /// The secret itself, for the one place that sends it (the token request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

impl fmt::Display for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A client service's credentials: the alias (client id, not secret) and its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub secret: ClientSecret,
}

impl Credentials {
    pub fn new(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: ClientSecret::new(secret),
        }
    }
}

/// A bearer access token. Debug and Display never show it; cloning is cheap.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<Zeroizing<String>>);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(Arc::new(Zeroizing::new(token.into())))
    }

    /// The token itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// What a token fetch produced: the token and how long the service said it lives.
#[derive(Clone, Debug)]
pub struct FetchedToken {
    pub token: AccessToken,
    pub lifetime: Duration,
}

/// Used when the token answer has no `expires_in`: short, so a wrong guess costs little.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// How long before its expiry a token is renewed: max(60 s, 10 % of its lifetime), but never more
/// than half of it, so a short-lived token is still used rather than fetched on every call.
pub fn renewal_margin(lifetime: Duration) -> Duration {
    Duration::from_secs(60).max(lifetime / 10).min(lifetime / 2)
}

struct Cached {
    token: AccessToken,
    renew_at: Instant,
}

#[derive(Default)]
struct Slot {
    current: Option<Cached>,
    /// The last failed fetch and when it ended: tasks that were already waiting for that fetch
    /// share its failure instead of each trying again (single flight holds for failures too).
    last_failure: Option<(Instant, SignStashError)>,
}

type Key = (String, String);

/// Access tokens in memory only (they live about 24 h; never persisted), one per (environment id,
/// client id). However many tasks ask at once, one token request is made: the per-key async lock
/// is held across the fetch, and the waiters find the fresh token when they get the lock.
#[derive(Default)]
pub struct TokenCache {
    slots: StdMutex<HashMap<Key, Arc<Mutex<Slot>>>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("TokenCache").field("keys", &count).finish()
    }
}

impl TokenCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, environment_id: &str, client_id: &str) -> Arc<Mutex<Slot>> {
        // A poisoned map only means another thread panicked while inserting; the map is still sound.
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .entry((environment_id.to_string(), client_id.to_string()))
            .or_default()
            .clone()
    }

    /// The current token for the key, or a new one from `fetch` (called at most once at a time
    /// per key; callers queued behind a failed fetch get its error).
    pub async fn get_or_fetch<F, Fut>(
        &self,
        environment_id: &str,
        client_id: &str,
        fetch: F,
    ) -> Result<AccessToken, SignStashError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken, SignStashError>>,
    {
        let slot = self.slot(environment_id, client_id);
        let asked_at = Instant::now();
        let mut guard = slot.lock().await;
        if let Some(cached) = &guard.current {
            if Instant::now() < cached.renew_at {
                return Ok(cached.token.clone());
            }
        }
        if let Some((failed_at, error)) = &guard.last_failure {
            if *failed_at >= asked_at {
                return Err(error.clone());
            }
        }
        match fetch().await {
            Ok(fetched) => {
                let renew_at = Instant::now() + fetched.lifetime - renewal_margin(fetched.lifetime);
                guard.current = Some(Cached {
                    token: fetched.token.clone(),
                    renew_at,
                });
                guard.last_failure = None;
                Ok(fetched.token)
            }
            Err(error) => {
                guard.current = None;
                guard.last_failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// Drops `token` if it is still the current one for the key (a token refused by the API);
    /// a newer token fetched meanwhile by another task is kept.
    pub async fn invalidate(&self, environment_id: &str, client_id: &str, token: &AccessToken) {
        let slot = self.slot(environment_id, client_id);
        let mut guard = slot.lock().await;
        if guard.current.as_ref().is_some_and(|c| &c.token == token) {
            guard.current = None;
        }
    }

    /// Forgets every token (e.g. when settings change).
    pub fn clear(&self) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fetched(text: &str, secs: u64) -> FetchedToken {
        FetchedToken {
            token: AccessToken::new(text),
            lifetime: Duration::from_secs(secs),
        }
    }

    #[test]
    fn secrets_never_print() {
        let c = Credentials::new("alias", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.secret.to_string(), "<redacted>");
        assert!(!format!("{:?}", AccessToken::new("eyJtoken")).contains("eyJ"));
    }

    #[test]
    fn margin_rule() {
        assert_eq!(
            renewal_margin(Duration::from_secs(86_399)),
            Duration::from_millis(8_639_900)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn renews_before_expiry() {
        let cache = TokenCache::new();
        let calls = AtomicU32::new(0);
        let get = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Ok(fetched(&format!("t{n}"), 1000))
        };
        let a = cache.get_or_fetch("env", "id", get).await.expect("token");
        tokio::time::advance(Duration::from_secs(880)).await;
        let b = cache.get_or_fetch("env", "id", get).await.expect("token");
        assert_eq!(a, b, "still valid at 880 s of 1000 (margin 100 s)");
        tokio::time::advance(Duration::from_secs(30)).await;
        let c = cache.get_or_fetch("env", "id", get).await.expect("token");
        assert_ne!(a, c, "renewed inside the margin");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // Keys are separate.
        cache
            .get_or_fetch("env", "other", get)
            .await
            .expect("token");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn invalidate_only_drops_the_current_token() {
        let cache = TokenCache::new();
        let old = cache
            .get_or_fetch("e", "c", || async { Ok(fetched("old", 3600)) })
            .await
            .expect("token");
        cache.invalidate("e", "c", &old).await;
        let new = cache
            .get_or_fetch("e", "c", || async { Ok(fetched("new", 3600)) })
            .await
            .expect("token");
        assert_eq!(new.expose(), "new");
        cache.invalidate("e", "c", &old).await; // stale: keeps "new"
        let again = cache
            .get_or_fetch("e", "c", || async { Ok(fetched("newer", 3600)) })
            .await
            .expect("token");
        assert_eq!(again.expose(), "new");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn single_flight_for_success_and_failure() {
        let cache = Arc::new(TokenCache::new());
        let calls = Arc::new(AtomicU32::new(0));
        for outcome_ok in [false, true] {
            calls.store(0, Ordering::SeqCst);
            let mut tasks = Vec::new();
            for _ in 0..20 {
                let (cache, calls) = (cache.clone(), calls.clone());
                tasks.push(tokio::spawn(async move {
                    cache
                        .get_or_fetch("e", "c", || async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            if outcome_ok {
                                Ok(fetched("t", 3600))
                            } else {
                                Err(SignStashError::InvalidClient { status: 401 })
                            }
                        })
                        .await
                }));
            }
            for task in tasks {
                let result = task.await.expect("task");
                assert_eq!(result.is_ok(), outcome_ok);
            }
            assert_eq!(
                calls.load(Ordering::SeqCst),
                1,
                "one fetch (ok = {outcome_ok})"
            );
        }
    }
}
