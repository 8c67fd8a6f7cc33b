//! The signing core shared by the `signstash` CLI and the desktop app: environments, the Sign'Stash
//! API client with its token cache, batching, verification of what comes back, and output writing.
//! No Tauri and no UI here, except the catalogue of error messages (PT/EN).

pub mod batch;
pub mod client;
pub mod credentials;
pub mod detect;
pub mod environment;
pub mod error;
pub mod inputs;
pub mod journal;
pub mod model;
pub mod network;
pub mod output;
pub mod presets;
pub mod resume;
pub mod settings;
pub mod token;
pub mod verify;
pub mod watch;

mod classify;
mod error_messages;
mod lenient;
