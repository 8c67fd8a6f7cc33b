//! The Tauri command surface: thin functions that read state and delegate. One module per domain.

pub mod app;
