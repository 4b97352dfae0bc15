#![no_main]
//! Fuzz target `ingress_change`: see `amtshilfe_tests::decoders::ingress_change`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::ingress_change(data));
