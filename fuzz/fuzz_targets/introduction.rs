#![no_main]
//! Fuzz target `introduction`: see `amtshilfe_tests::decoders::introduction`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::introduction(data));
