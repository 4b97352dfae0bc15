#![no_main]
//! Fuzz target `gossip_announcement`: see `amtshilfe_tests::decoders::gossip_announcement`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| amtshilfe_tests::decoders::gossip_announcement(data));
