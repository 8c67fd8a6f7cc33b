//! The XAdES check run before a signed XML is saved, on arbitrary bytes as the signed document.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signstash_core::verify::verify_signed_xml;

fn original() -> &'static [u8] {
    static ORIGINAL: OnceLock<Vec<u8>> = OnceLock::new();
    ORIGINAL.get_or_init(|| signstash_testdocs::ubl_invoice("FUZZ-1"))
}

fuzz_target!(|data: &[u8]| {
    let _ = verify_signed_xml(original(), data);
});
