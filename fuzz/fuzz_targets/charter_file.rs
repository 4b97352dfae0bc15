#![no_main]
//! Fuzz target `charter_file`: see `amtshilfe_tests::decoders::charter_file`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::charter_file(data));
