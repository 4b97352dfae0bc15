//! amtshilfe protocol core: sans-IO and deterministic.
//!
//! This crate never does I/O: no sockets, no files, no clock, no OS
//! randomness. Time and randomness come in as arguments, so every behaviour
//! can be replayed exactly in tests.

pub(crate) mod bytes;
pub mod catalogue;
pub mod identity;
pub mod ids;
pub mod membership;
pub mod model;
pub mod read_model;

pub use bytes::HexError;
