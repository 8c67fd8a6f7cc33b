//! The signing core shared by the `signstash` CLI and the desktop app: environments, the Sign'Stash
//! API client with its token cache, batching, verification of what comes back, and output writing.
//! No Tauri and no UI here, except the catalogue of error messages (PT/EN).

pub mod detect;
pub mod output;
pub mod verify;
