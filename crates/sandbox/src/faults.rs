//! Fault switches: what a test (or a trainer) can make the sandbox do wrong, on purpose.
//!
//! Counted faults ("the next N ...") are consumed as they fire; the rest stay until changed.
//! They are set from the command line at start and at run time with `POST /sandbox/faults`.

use serde::{Deserialize, Serialize};

/// The `signError` values of the spec (§6.6).
pub const SIGN_ERRORS: [&str; 8] = [
    "INVALID_CERT_SERVICE_CREDS",
    "INVALID_CERT_ACCESS_ACCOUNT",
    "CERT_SERVICE_GLOBAL_ERROR",
    "CONFIGURATION_SIGN_ERROR",
    "TIMESTAMP_SIGN_ERROR",
    "INVALID_CERTIFICATE_SIGN_ERROR",
    "STORAGE_SERVICE_GLOBAL_ERROR",
    "SIGN_OPERATION_INTERNAL_ERROR",
];

/// Statuses `fail_status` may take: 409 means ErrorResponse `0.0.10` (expired token).
pub const FAIL_STATUSES: [u16; 5] = [500, 503, 429, 401, 409];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added before every answer (token endpoint and API), in milliseconds.
    pub latency_ms: u64,
    /// The next N API requests fail with `fail_status` before being processed.
    pub fail_next: u32,
    pub fail_status: u16,
    /// A token is expired (409 `0.0.10`) once it has been used this many times.
    pub token_max_uses: Option<u32>,
    /// The next N documents come back `ERROR_SIGNING` with `document_sign_error`.
    pub document_error_next: u32,
    pub document_sign_error: String,
    /// The next N sign answers are not valid JSON (after signing).
    pub malformed_json_next: u32,
    /// The next N sign answers carry a `signedContent` that is not base64 (after signing).
    pub invalid_base64_next: u32,
    /// The next N sign answers are cut off half-way, the connection closed (after signing).
    pub truncated_body_next: u32,
    /// The next N sign requests are signed, then the connection is dropped with no answer.
    pub drop_connection_next: u32,
    /// The next N sign answers name their documents `../../<name>`.
    pub unsafe_name_next: u32,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            fail_next: 0,
            fail_status: 500,
            token_max_uses: None,
            document_error_next: 0,
            document_sign_error: "SIGN_OPERATION_INTERNAL_ERROR".into(),
            malformed_json_next: 0,
            invalid_base64_next: 0,
            truncated_body_next: 0,
            drop_connection_next: 0,
            unsafe_name_next: 0,
        }
    }
}

/// A change to the faults: fields left out keep their value; `reset` first clears everything.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultsPatch {
    pub reset: bool,
    pub latency_ms: Option<u64>,
    pub fail_next: Option<u32>,
    pub fail_status: Option<u16>,
    /// `null` is not distinguishable from absent here, so 0 switches the limit off.
    pub token_max_uses: Option<u32>,
    pub document_error_next: Option<u32>,
    pub document_sign_error: Option<String>,
    pub malformed_json_next: Option<u32>,
    pub invalid_base64_next: Option<u32>,
    pub truncated_body_next: Option<u32>,
    pub drop_connection_next: Option<u32>,
    pub unsafe_name_next: Option<u32>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultsError {
    #[error("fail_status must be one of 500, 503, 429, 401, 409 (not {0})")]
    Status(u16),
    #[error("document_sign_error must be one of the spec's signError values (not {0})")]
    SignError(String),
}

impl Faults {
    pub fn apply(&mut self, patch: FaultsPatch) -> Result<(), FaultsError> {
        if let Some(status) = patch.fail_status {
            if !FAIL_STATUSES.contains(&status) {
                return Err(FaultsError::Status(status));
            }
        }
        if let Some(error) = &patch.document_sign_error {
            if !SIGN_ERRORS.contains(&error.as_str()) {
                return Err(FaultsError::SignError(error.clone()));
            }
        }
        if patch.reset {
            *self = Faults::default();
        }
        let set = |field: &mut u32, value: Option<u32>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        if let Some(v) = patch.latency_ms {
            self.latency_ms = v;
        }
        set(&mut self.fail_next, patch.fail_next);
        if let Some(v) = patch.fail_status {
            self.fail_status = v;
        }
        if let Some(v) = patch.token_max_uses {
            self.token_max_uses = (v > 0).then_some(v);
        }
        set(&mut self.document_error_next, patch.document_error_next);
        if let Some(v) = patch.document_sign_error {
            self.document_sign_error = v;
        }
        set(&mut self.malformed_json_next, patch.malformed_json_next);
        set(&mut self.invalid_base64_next, patch.invalid_base64_next);
        set(&mut self.truncated_body_next, patch.truncated_body_next);
        set(&mut self.drop_connection_next, patch.drop_connection_next);
        set(&mut self.unsafe_name_next, patch.unsafe_name_next);
        Ok(())
    }
}

/// Consumes one firing of a counted fault; true when it fires.
pub fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

/// The faults that shape one sign answer, taken together when the request arrives.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AnswerFaults {
    pub malformed_json: bool,
    pub invalid_base64: bool,
    pub truncated_body: bool,
    pub drop_connection: bool,
    pub unsafe_names: bool,
}

impl AnswerFaults {
    pub fn take(faults: &mut Faults) -> Self {
        Self {
            malformed_json: take(&mut faults.malformed_json_next),
            invalid_base64: take(&mut faults.invalid_base64_next),
            truncated_body: take(&mut faults.truncated_body_next),
            drop_connection: take(&mut faults.drop_connection_next),
            unsafe_names: take(&mut faults.unsafe_name_next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_keeps_what_it_does_not_name_and_validates() {
        let mut faults = Faults {
            latency_ms: 20,
            ..Faults::default()
        };
        let patch: FaultsPatch =
            serde_json::from_str(r#"{"fail_next":2,"fail_status":429}"#).unwrap();
        faults.apply(patch).unwrap();
        assert_eq!(
            (faults.latency_ms, faults.fail_next, faults.fail_status),
            (20, 2, 429)
        );

        let bad: FaultsPatch = serde_json::from_str(r#"{"fail_status":418}"#).unwrap();
        assert_eq!(faults.apply(bad), Err(FaultsError::Status(418)));
        let bad: FaultsPatch = serde_json::from_str(r#"{"document_sign_error":"NOPE"}"#).unwrap();
        assert!(faults.apply(bad).is_err());
        assert!(serde_json::from_str::<FaultsPatch>(r#"{"typo":1}"#).is_err());

        let reset: FaultsPatch =
            serde_json::from_str(r#"{"reset":true,"token_max_uses":3}"#).unwrap();
        faults.apply(reset).unwrap();
        assert_eq!(
            faults,
            Faults {
                token_max_uses: Some(3),
                ..Faults::default()
            }
        );
    }

    #[test]
    fn counted_faults_are_consumed() {
        let mut faults = Faults {
            drop_connection_next: 1,
            ..Faults::default()
        };
        assert!(AnswerFaults::take(&mut faults).drop_connection);
        assert!(!AnswerFaults::take(&mut faults).drop_connection);
    }
}
