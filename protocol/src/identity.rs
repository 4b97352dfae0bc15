//! Keys and signatures. Every signature is domain-separated by a
//! [`SigningPurpose`] prefix and checked with `verify_strict`. Key material
//! comes in from the caller (the protocol has no randomness of its own).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::ids::{PublicKey, SignatureBytes};

/// Bytes of an automerge actor id: device public key ‖ incarnation.
pub const ACTOR_ID_LEN: usize = 32 + INCARNATION_LEN;
/// Bytes of an incarnation: fresh random bytes whenever a store is created
/// or restored, so a restored node never forks its own (actor, seq) history.
pub const INCARNATION_LEN: usize = 16;

/// What a signature is for. Each purpose has its own prefix, so a signature
/// made for one purpose is never valid for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningPurpose {
    /// A device signs one automerge change of one document.
    Envelope,
    /// A member key signs a membership log entry.
    MembershipEntry,
    /// A member's key or device, or an officer's key, publishes an
    /// encryption key (`seal::EncryptionKeyAnnouncement`).
    EncryptionKey,
    /// A member submits a posture assessment for review.
    PostureSubmission,
    /// A joint officer reviews a submitted posture assessment.
    PostureReview,
    /// A joint officer lets a member's document carry its sealed posture
    /// record about another member (`posture::OfficerCarriage`).
    PostureCarriage,
}

impl SigningPurpose {
    fn prefix(self) -> &'static [u8] {
        match self {
            SigningPurpose::Envelope => b"amtshilfe/v1/envelope",
            SigningPurpose::MembershipEntry => b"amtshilfe/v1/membership-entry",
            SigningPurpose::EncryptionKey => b"amtshilfe/v1/encryption-key",
            SigningPurpose::PostureSubmission => b"amtshilfe/v1/posture-submission",
            SigningPurpose::PostureReview => b"amtshilfe/v1/posture-review",
            SigningPurpose::PostureCarriage => b"amtshilfe/v1/posture-carriage",
        }
    }
}

/// The exact bytes that get signed: prefix, then each part with its length,
/// so that no two different part lists produce the same message.
fn signed_message(purpose: SigningPurpose, parts: &[&[u8]]) -> Vec<u8> {
    let mut message = Vec::with_capacity(64 + parts.iter().map(|p| p.len() + 4).sum::<usize>());
    message.extend_from_slice(purpose.prefix());
    message.push(0);
    for part in parts {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        message.extend_from_slice(&len.to_le_bytes());
        message.extend_from_slice(part);
    }
    message
}

/// A signature that does not verify (wrong key, wrong message, non-canonical
/// encoding, weak key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("signature does not verify")]
pub struct BadSignature;

/// A private ed25519 key: a member key or a device key.
#[derive(Clone)]
pub struct KeyPair {
    signing: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", self.public().short())
    }
}

impl KeyPair {
    /// A key pair from a 32-byte secret seed (from the caller's randomness or
    /// a key file).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// The secret seed, for writing a key file.
    pub fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key().to_bytes())
    }

    /// Signs `parts` for `purpose`.
    pub fn sign(&self, purpose: SigningPurpose, parts: &[&[u8]]) -> SignatureBytes {
        let signature: Signature = self.signing.sign(&signed_message(purpose, parts));
        SignatureBytes(signature.to_bytes())
    }
}

/// Checks a signature made by [`KeyPair::sign`] with `verify_strict`.
pub fn verify(
    key: &PublicKey,
    purpose: SigningPurpose,
    parts: &[&[u8]],
    signature: &SignatureBytes,
) -> Result<(), BadSignature> {
    let verifying = VerifyingKey::from_bytes(&key.0).map_err(|_| BadSignature)?;
    let signature = Signature::from_bytes(&signature.0);
    verifying
        .verify_strict(&signed_message(purpose, parts), &signature)
        .map_err(|_| BadSignature)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The automerge actor id of a device in one incarnation of its store.
pub fn actor_id(device: &PublicKey, incarnation: [u8; INCARNATION_LEN]) -> automerge::ActorId {
    let mut bytes = [0u8; ACTOR_ID_LEN];
    bytes[..32].copy_from_slice(&device.0);
    bytes[32..].copy_from_slice(&incarnation);
    automerge::ActorId::from(bytes.as_slice())
}

/// The device key and the incarnation an actor is made of (see
/// [`actor_id`]).
pub fn split_actor(actor: &crate::ids::ActorKey) -> (PublicKey, [u8; INCARNATION_LEN]) {
    let bytes = actor.as_bytes();
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes[..32]);
    let mut incarnation = [0u8; INCARNATION_LEN];
    incarnation.copy_from_slice(&bytes[32..]);
    (PublicKey(key), incarnation)
}

/// The device key an actor id is bound to, if the actor id has the shape
/// `device key ‖ incarnation`.
pub fn device_of_actor(actor: &automerge::ActorId) -> Option<PublicKey> {
    let bytes = actor.to_bytes();
    if bytes.len() != ACTOR_ID_LEN {
        return None;
    }
    PublicKey::from_slice(&bytes[..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_bound_to_purpose_key_and_parts() {
        let key = KeyPair::from_seed([1; 32]);
        let other = KeyPair::from_seed([2; 32]);
        let sig = key.sign(SigningPurpose::Envelope, &[b"doc", b"hash"]);
        assert_eq!(
            verify(
                &key.public(),
                SigningPurpose::Envelope,
                &[b"doc", b"hash"],
                &sig
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                &key.public(),
                SigningPurpose::MembershipEntry,
                &[b"doc", b"hash"],
                &sig
            ),
            Err(BadSignature)
        );
        assert_eq!(
            verify(
                &other.public(),
                SigningPurpose::Envelope,
                &[b"doc", b"hash"],
                &sig
            ),
            Err(BadSignature)
        );
        // Moving a byte between parts changes the message.
        assert_eq!(
            verify(
                &key.public(),
                SigningPurpose::Envelope,
                &[b"do", b"chash"],
                &sig
            ),
            Err(BadSignature)
        );
    }

    #[test]
    fn actor_ids_bind_the_device_key() {
        let device = KeyPair::from_seed([3; 32]).public();
        let actor = actor_id(&device, [9; INCARNATION_LEN]);
        assert_eq!(device_of_actor(&actor), Some(device));
        assert_eq!(
            device_of_actor(&automerge::ActorId::from([1u8; 16].as_slice())),
            None
        );
    }
}
