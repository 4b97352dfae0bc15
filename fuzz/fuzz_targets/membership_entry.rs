#![no_main]
//! Fuzz target `membership_entry`: see `amtshilfe_tests::decoders::membership_entry`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::membership_entry(data));
