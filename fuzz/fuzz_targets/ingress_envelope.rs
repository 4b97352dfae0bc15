#![no_main]
//! Fuzz target `ingress_envelope`: see `amtshilfe_tests::decoders::ingress_envelope`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::ingress_envelope(data));
