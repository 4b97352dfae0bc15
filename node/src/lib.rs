//! The amtshilfe node: everything that touches the outside world around the
//! sans-IO protocol core. So far: the on-disk store, the configuration file
//! and the key files. The network, the HTTP API and the command line come
//! later.
//!
//! The protocol rules (signatures, authority, acceptance) live in
//! `amtshilfe-protocol`; this crate never decides them, it only moves and
//! keeps bytes.

pub mod config;
pub mod keys;
pub mod random;
pub mod store;
