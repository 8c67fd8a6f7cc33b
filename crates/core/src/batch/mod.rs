//! The batch engine: documents grouped into requests, a bounded number in flight, one outcome per
//! document (a bad document never fails its neighbours), progress as events on a channel.

mod engine;
pub mod plan;
mod sign_errors;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub(crate) use engine::{build_request, Prepared};
pub use engine::{run, run_recorded};
pub use plan::Budget;
pub(crate) use sign_errors::message as sign_error_message;

use crate::error::Lang;
use crate::model::{AdvancedSignatureInfo, VisibleSignatureInfo};

/// What every document of the batch is signed with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignatureOptions {
    pub reason: Option<String>,
    pub location: Option<String>,
    pub timestamp: bool,
    /// PDFs only.
    pub visible: Option<VisibleSignatureInfo>,
    /// XML only.
    pub xml: Option<AdvancedSignatureInfo>,
}

#[derive(Clone, Debug)]
pub struct BatchOptions {
    pub budget: Budget,
    /// Requests in flight at once.
    pub max_in_flight: usize,
    /// Extra attempts after a 5xx, 429 or network failure.
    pub retries: u32,
    /// First wait before a retry; it doubles each time, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    pub signature: SignatureOptions,
    /// PDFs placed one by one (index in the input list): their box instead of `signature.visible`.
    pub visible_per_document: HashMap<usize, VisibleSignatureInfo>,
    /// Language of the failure messages.
    pub lang: Lang,
    pub description: String,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            budget: Budget::default(),
            max_in_flight: 2,
            retries: 3,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            signature: SignatureOptions::default(),
            visible_per_document: HashMap::new(),
            lang: Lang::Pt,
            description: "Sign'Stash Desk".into(),
        }
    }
}

/// Progress of the batch, in the order it happens; `index` is the document's place in the input list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Queued { index: usize, path: PathBuf },
    Sending { index: usize, attempt: u32 },
    Signed { index: usize },
    Saved { index: usize, output: PathBuf },
    Failed { index: usize, failure: Failure },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Stable machine code (`api.reused_reference`, `verify.digest_mismatch`, `sign.TIMESTAMP_SIGN_ERROR`...).
    pub code: String,
    /// Plain words for the person, in the batch's language.
    pub message: String,
}

/// The end state of one document: signed, verified and saved, or failed with a reason.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub input: PathBuf,
    /// The document's externalReference, once a request was built for it.
    pub external_reference: Option<String>,
    pub operation_id: Option<i64>,
    pub result: Result<PathBuf, Failure>,
}

/// Told synchronously of each step, so that a crash loses nothing (the journal implements it).
/// `index` is the document's place in the input list, as in [`Event`].
pub trait Recorder: Send + Sync {
    /// Called before a request's first attempt with each document's externalReference and the
    /// SHA-256 (hex) of the file sent; must be durable when it returns. An error fails the request
    /// unsent.
    fn sending(
        &self,
        request_reference: &str,
        documents: &[(usize, &str, String)],
    ) -> Result<(), String>;
    fn saved(&self, index: usize, output: &Path, operation_id: Option<i64>);
    fn failed(&self, index: usize, reference: Option<&str>, failure: &Failure);
}
