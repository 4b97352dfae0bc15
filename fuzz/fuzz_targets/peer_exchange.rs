#![no_main]
//! Fuzz target `peer_exchange`: see `amtshilfe_tests::decoders::peer_exchange`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::peer_exchange(data));
