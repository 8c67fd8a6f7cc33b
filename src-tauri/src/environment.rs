//! What the UI needs to know about an environment to colour and label itself, so the user can
//! never sign in the wrong environment without seeing it.

use serde::Serialize;
use signstash_core::settings::{EnvironmentKindSetting, EnvironmentSettings};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    /// Stable id, used to namespace settings and credentials ("sandbox", "staging", "production").
    pub id: String,
    pub kind: EnvironmentKindSetting,
    /// Whether documents signed here are legally valid. Only Production's are.
    pub signatures_valid: bool,
    /// Base URL of the service API; null while no service is reachable (e.g. sandbox not started).
    pub api_base: Option<String>,
    /// Whether signing can start: credentials saved (the embedded Sandbox needs none).
    pub has_credentials: bool,
}

impl EnvironmentInfo {
    pub fn new(
        env: &EnvironmentSettings,
        sandbox_host: Option<&str>,
        has_credentials: bool,
    ) -> Self {
        let embedded = env.kind == EnvironmentKindSetting::Sandbox && env.token_url.is_empty();
        let api_base = if embedded {
            sandbox_host.map(str::to_string)
        } else {
            Some(env.api_base.clone())
        };
        EnvironmentInfo {
            id: env.id.clone(),
            kind: env.kind,
            signatures_valid: env.kind == EnvironmentKindSetting::Production,
            api_base,
            has_credentials,
        }
    }
}
