//! The PAdES check run before a signed PDF is saved: the "signed" file is the original followed by
//! fuzzed bytes (so the fuzzer works past the prefix check, on the incremental update, ByteRange and
//! CMS parsing). Must never panic and never accept what it cannot prove.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signstash_core::verify::verify_signed_pdf;

fn original() -> &'static [u8] {
    static ORIGINAL: OnceLock<Vec<u8>> = OnceLock::new();
    ORIGINAL.get_or_init(|| signstash_testdocs::pdf("Fuzz"))
}

fuzz_target!(|data: &[u8]| {
    let original = original();
    let mut signed = Vec::with_capacity(original.len() + data.len());
    signed.extend_from_slice(original);
    signed.extend_from_slice(data);
    let _ = verify_signed_pdf(original, &signed);
    // And the bytes alone as both original and answer.
    let _ = verify_signed_pdf(data, data);
});
