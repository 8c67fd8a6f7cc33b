//! The Tauri command surface: thin functions that read state and delegate. One module per domain.

pub mod app;
pub mod files;
pub mod history;
pub mod network;
pub mod placement;
pub mod presets;
pub mod resume;
pub mod settings;
pub mod sign;
pub mod watch;
