//! Which Sign'Stash environment the app talks to. The UI colours and labels itself from this,
//! so the user can never sign in the wrong environment without seeing it.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentKind {
    /// Training: a local look-alike of the service; signatures have no legal value.
    Sandbox,
    /// Multicert's test service.
    #[expect(
        dead_code,
        reason = "selectable once settings exist; the UI already styles it"
    )]
    Staging,
    /// The real service; signatures are legally valid.
    #[expect(
        dead_code,
        reason = "selectable once settings exist; the UI already styles it"
    )]
    Production,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    /// Stable id, used to namespace settings and credentials ("sandbox", "staging", "production").
    pub id: String,
    pub kind: EnvironmentKind,
    /// Whether documents signed here are legally valid. Only Production's are.
    pub signatures_valid: bool,
    /// Base URL of the service API; null while no service is reachable (e.g. sandbox not started).
    pub api_base: Option<String>,
}

impl EnvironmentInfo {
    pub fn sandbox(api_base: Option<String>) -> Self {
        EnvironmentInfo {
            id: "sandbox".into(),
            kind: EnvironmentKind::Sandbox,
            signatures_valid: false,
            api_base,
        }
    }
}
