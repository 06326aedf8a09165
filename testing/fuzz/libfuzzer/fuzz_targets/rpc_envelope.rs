#![no_main]
// suite-fuzz's `rpc_envelope` target (its docs say what counts as a crash).
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_fuzz::rpc::fuzz(data));
