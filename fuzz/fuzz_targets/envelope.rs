#![no_main]
//! Fuzz target `envelope`: see `amtshilfe_tests::decoders::envelope`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::envelope(data));
