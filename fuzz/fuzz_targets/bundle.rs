#![no_main]
//! Fuzz target `bundle`: see `amtshilfe_tests::decoders::bundle`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::bundle(data));
