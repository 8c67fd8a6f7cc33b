//! Working in an office network: HTTP proxies, which certificates are trusted, the connection
//! diagnosis ("doctor") and the diagnostics bundle for IT or support.

pub mod bundle;
pub mod config;
pub mod doctor;
pub mod proxy;
pub mod tls;
