#![no_main]
//! Fuzz target `sync_response`: see `amtshilfe_tests::decoders::sync_response`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::sync_response(data));
