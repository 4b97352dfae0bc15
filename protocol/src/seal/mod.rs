//! Sealing: bytes readable only by a named set of readers, built once for
//! every confidential record of the pact (posture, TLP amber/red entries of
//! an incident room).
//!
//! A sealed value is encrypted with a fresh XChaCha20-Poly1305 key (the
//! *content key*); that key is wrapped to each reader's X25519 encryption
//! key with an ephemeral X25519 key of its own. The reader set (each
//! reader's id and encryption key) and a caller-given *context* (for
//! example pact ‖ owner ‖ record key) are hashed into the associated data
//! of the content and into every wrapping key, so nobody can add, drop or
//! swap a reader, or move the ciphertext to another record, without every
//! reader's opening failing. The value itself travels inside a signed
//! envelope, whose signature covers the reader set as well.
//!
//! Anyone can check the structure of a sealed value without a secret key
//! ([`Sealed::check_structure`]); only a reader can open it. Re-sealing (a
//! new officer, a rotated encryption key) is opening and sealing again
//! with a fresh content key: [`Sealed::reseal`].
//!
//! Like the rest of the protocol this module draws no randomness: every
//! call that needs fresh secrets takes 32 bytes of entropy from the caller
//! and expands them with SHA-256 under separate labels.

mod announce;
mod keys;
mod sealed;

#[cfg(test)]
mod tests;

pub use announce::{AnnouncementError, EncryptionKeyAnnouncement, newest_announcements};
pub use keys::{EncryptionPublicKey, EncryptionSecret, ReaderId};
pub use sealed::{
    EphemeralKey, OpenError, Reader, ResealError, SealError, SealNonce, Sealed, StructureError,
    WrappedKey, Wrapping, seal,
};

/// The version of the sealed format this code writes and opens.
pub const SEAL_VERSION: u8 = 1;
/// Most readers one sealed value may name, in readers: a member and the
/// officers serving it, or an incident room's participants.
pub const SEAL_READERS_MAX: usize = 64;
/// Largest plaintext one sealed value may carry, in bytes: room inside
/// one envelope (`ENVELOPE_BYTES_MAX`, 64 KiB) after hex encoding.
pub const SEAL_PLAINTEXT_BYTES_MAX: usize = 24 * 1024;
