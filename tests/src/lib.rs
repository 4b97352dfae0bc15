//! Cross-crate test support for amtshilfe: the deterministic multi-peer
//! harness (many replicas in memory, a seeded scheduler that delivers,
//! drops, duplicates, reorders and partitions messages and crashes peers),
//! sample records, and the fixtures shared by the test files under
//! `tests/tests/`.

pub mod bench;
pub mod fixtures;
pub mod harness;
pub mod rng;
pub mod sample;
