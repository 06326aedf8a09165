#![no_main]
// suite-fuzz's `escrow_ops` target (its docs say what counts as a crash).
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_fuzz::escrow::fuzz(data));
