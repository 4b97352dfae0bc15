#![no_main]
//! Fuzz target `invitation`: see `amtshilfe_tests::decoders::invitation`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::invitation(data));
