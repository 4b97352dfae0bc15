//! Encryption keys (X25519) and who holds them. An encryption key is not a
//! signing key: members and officers publish it signed by their signing
//! key (see `announce`), so it can be replaced without touching the
//! membership log.

use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey as X25519Public, StaticSecret};

use crate::bytes::byte_array_newtype;
use crate::ids::{MemberId, PublicKey};

byte_array_newtype!(
    /// The public half of an X25519 encryption key.
    EncryptionPublicKey,
    32
);

/// A reader of sealed values: a member (whoever holds the member's
/// encryption secret, i.e. its nodes) or a joint officer (identified by
/// the officer key the membership log appointed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderId {
    /// A member of the pact.
    Member(MemberId),
    /// A joint officer, by officer key.
    Officer(PublicKey),
}

impl ReaderId {
    /// Stable bytes for hashing and signing: a tag byte and the 32 id bytes.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        let (tag, id) = match self {
            ReaderId::Member(member) => (1, member.0),
            ReaderId::Officer(officer) => (2, officer.0),
        };
        out[0] = tag;
        out[1..].copy_from_slice(&id);
        out
    }
}

/// The secret half of an X25519 encryption key. Zeroised on drop; its
/// `Debug` shows only the public half.
#[derive(Clone)]
pub struct EncryptionSecret {
    secret: StaticSecret,
}

impl std::fmt::Debug for EncryptionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionSecret({})", self.public().short())
    }
}

impl EncryptionSecret {
    /// A secret from 32 bytes of the caller's randomness or a key file.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            secret: StaticSecret::from(bytes),
        }
    }

    /// The secret bytes, for writing a key file.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    /// The public half.
    pub fn public(&self) -> EncryptionPublicKey {
        EncryptionPublicKey(X25519Public::from(&self.secret).to_bytes())
    }

    /// The raw X25519 shared secret with `their` key, or `None` if `their`
    /// is a low-order point (the result would be all zeros and known to
    /// everyone).
    pub(super) fn agree(&self, their: &EncryptionPublicKey) -> Option<[u8; 32]> {
        let shared = self.secret.diffie_hellman(&X25519Public::from(their.0));
        shared.was_contributory().then(|| shared.to_bytes())
    }
}

impl EncryptionPublicKey {
    /// Whether the key is a low-order point, with which key agreement
    /// yields a secret everyone knows. Checkable without any secret: a
    /// clamped scalar is a multiple of the cofactor, so it maps exactly the
    /// low-order points to zero.
    pub fn is_weak(&self) -> bool {
        x25519_dalek::x25519([0x42; 32], self.0) == [0u8; 32]
    }
}
