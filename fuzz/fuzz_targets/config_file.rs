#![no_main]
//! Fuzz target `config_file`: see `amtshilfe_tests::decoders::config_file`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::config_file(data));
