//! amtshilfe protocol core: sans-IO and deterministic.
//!
//! This crate never does I/O: no sockets, no files, no clock, no OS
//! randomness. Time and randomness come in as arguments, so every behaviour
//! can be replayed exactly in tests.

pub mod bundle;
pub(crate) mod bytes;
pub mod calendar;
pub mod catalogue;
pub mod change_bounds;
pub mod document;
pub mod envelope;
pub mod fingerprint;
pub mod identity;
pub mod ids;
pub mod incident;
pub mod ingress;
pub mod membership;
pub mod model;
pub mod pact;
pub mod posture;
pub mod read_model;
pub mod replica;
pub mod seal;
pub mod sync;

pub use bytes::HexError;
