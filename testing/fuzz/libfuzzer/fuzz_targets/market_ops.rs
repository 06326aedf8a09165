#![no_main]
// suite-fuzz's `market_ops` target (its docs say what counts as a crash).
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_fuzz::market::fuzz(data));
