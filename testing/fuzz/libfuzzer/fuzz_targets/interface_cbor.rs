#![no_main]
// suite-fuzz's `interface_cbor` target (its docs say what counts as a crash).
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_fuzz::cbor::fuzz(data));
