//! Everything the service's answers are read with: sign operations, error and token answers, the
//! bare operation id of the look-up by reference. Must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signstash_core::model::{parse_operation_id, BaseOperation, ErrorResponse, SignOperation, TokenResponse};

fuzz_target!(|data: &[u8]| {
    if let Ok(operation) = serde_json::from_slice::<SignOperation>(data) {
        // Reading what the engine reads from a parsed answer must not panic either.
        for document in &operation.document_list {
            let _ = document.is_signed();
            let _ = document.external_reference.as_deref();
        }
        let _ = operation.is_executed();
    }
    let _ = serde_json::from_slice::<ErrorResponse>(data);
    let _ = serde_json::from_slice::<TokenResponse>(data);
    let _ = serde_json::from_slice::<BaseOperation>(data);
    let _ = parse_operation_id(data);
});
