//! The amtshilfe node: everything that touches the outside world around the
//! sans-IO protocol core: the on-disk store, the configuration file, the
//! key files, the shared node state, the libp2p network, the local HTTP
//! API with its metrics page, and the command line.
//!
//! The protocol rules (signatures, authority, acceptance) live in
//! `amtshilfe-protocol`; this crate never decides them, it only moves and
//! keeps bytes.

pub mod accounts;
pub mod api;
pub mod app;
pub mod bundle;
pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod core_guard;
pub mod demo;
pub mod http;
pub mod invitation;
pub mod keys;
pub mod member_watch;
pub mod metrics;
pub mod net;
pub mod notify;
pub mod ops;
pub mod random;
pub mod seal_keys;
pub mod sealing;
pub mod setup;
pub mod store;
pub mod verify;
pub mod web;
