//! State managed by Tauri and shared by the commands.

use crate::environment::EnvironmentInfo;
use crate::sandbox::EmbeddedSandbox;

pub struct AppState {
    pub version: String,
    /// The environment signing goes to. Fixed to Sandbox until settings let the user switch.
    pub environment: EnvironmentInfo,
    /// Kept alive for the app's lifetime: dropping it will stop the embedded sandbox.
    #[expect(
        dead_code,
        reason = "only held, never read: its Drop will stop the server"
    )]
    pub sandbox: Option<EmbeddedSandbox>,
}
