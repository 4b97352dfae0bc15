#![no_main]
//! Fuzz target `api_body`: see `amtshilfe_tests::decoders::api_body`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::api_body(data));
