//! Cross-crate test support for amtshilfe: the deterministic multi-peer
//! harness (many replicas in memory, a seeded scheduler that delivers,
//! drops, duplicates, reorders and partitions messages and crashes peers),
//! sample records, the fixtures shared by the test files under
//! `tests/tests/`, and the network-namespace test bed for real processes.

pub mod bench;
pub mod decoders;
pub mod fixtures;
pub mod harness;
pub mod netns;
pub mod posture_sample;
pub mod rng;
pub mod sample;
pub mod strangers;
