#![no_main]
// suite-fuzz's `cli_parsers` target (its docs say what counts as a crash).
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_fuzz::cli::fuzz(data));
