//! A local look-alike of Multicert's Sign'Stash service: the OAuth2 token server and both business
//! APIs (hosted Integration Service and on-premise Proxy Client), answering like the real one and
//! returning really signed documents made with a generated test CA ("SANDBOX - NOT VALID").
//!
//! It is written from the spec alone, independently of our client, and serves as the client's test
//! double, the app's "Sandbox (training)" environment and a demo that needs no credentials.

mod answer;
mod auth;
mod clock;
mod consult;
mod error;
mod model;
mod sign;
mod signing;
mod stats;
mod store;
mod validate;
mod visible;

pub mod config;
pub mod faults;
pub mod pades;
pub mod pki;
pub mod server;
pub mod tsa;
pub mod xades;

pub use config::{ClientCredentials, SandboxConfig};
pub use faults::Faults;
pub use server::{RunningSandbox, SandboxError, HOSTED_BASE, PROXY_BASE, TOKEN_PATH};
pub use stats::StatsSnapshot;
