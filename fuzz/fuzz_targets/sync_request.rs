#![no_main]
//! Fuzz target `sync_request`: see `amtshilfe_tests::decoders::sync_request`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::sync_request(data));
