#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gatewit_fuzz_targets::differential(data));
