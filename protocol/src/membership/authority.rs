//! Who may write which document, as the membership state says: the answer
//! the ingress pipeline needs for every change, and a fingerprint that tells
//! it when that answer may have changed. Never reads a clock: a
//! delegation's expiry is compared with the change's own timestamp, so the
//! answer depends only on the write and the membership log.

use crate::identity::sha256;
use crate::ids::{DocumentId, MemberId, PublicKey};

use super::wire::canonical_bytes;
use super::{MemberRecord, MembershipState};

/// How far a signer may write a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authority {
    /// Any change.
    Full,
    /// Only changes in the causal past of `heads` (the owner was removed,
    /// the signer was delegated under a key that has since been rotated, or
    /// the owner revoked the signer, a lost device).
    Frozen {
        /// The frozen heads of the document's collection; empty if none
        /// were recorded, which lets no change through.
        heads: Vec<automerge::ChangeHash>,
    },
}

/// Why a signer may not write a document at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// No key of the owner ever delegated this signer.
    #[error("signer is not a device delegated by the document's owner")]
    SignerNotDelegated,
    /// Every delegation under the owner's current key expired before the
    /// change's time.
    #[error("signer's delegation had expired at the change's time")]
    DelegationExpired,
    /// The document's owner was never admitted to the pact.
    #[error("document's owner was never a member of the pact")]
    OwnerNotMember,
}

/// Domain prefix of [`MembershipState::authority_fingerprint`].
const FINGERPRINT_PREFIX: &[u8] = b"amtshilfe/v1/authority-fingerprint";

impl MembershipState {
    /// May `signer` write `document` in a change stamped `change_time_ms`?
    ///
    /// Every member key the owner ever held counts as a device delegated
    /// under itself with no expiry, so a member key may sign its own
    /// documents directly: the current key with [`Authority::Full`], a
    /// rotated-away key frozen at its rotation's heads.
    pub fn authorise(
        &self,
        signer: &PublicKey,
        document: &DocumentId,
        change_time_ms: i64,
    ) -> Result<Authority, AuthorityError> {
        let record = self
            .records
            .get(&document.owner)
            .ok_or(AuthorityError::OwnerNotMember)?;
        let own_key = record.keys.iter().any(|k| k.key == *signer);
        let mut delegations = record
            .delegations
            .iter()
            .filter(|d| d.device == *signer)
            .peekable();
        if !own_key && delegations.peek().is_none() {
            return Err(AuthorityError::SignerNotDelegated);
        }
        let frozen = |freeze: &super::Freeze| Authority::Frozen {
            heads: freeze
                .frozen_heads
                .get(&document.collection)
                .cloned()
                .unwrap_or_default(),
        };
        // The member's own word on a lost device comes first: a removal or
        // rotation proposed later may name later heads, and the thief's
        // changes between the two must not become valid by it.
        if let Some(revocation) = record.device_revocation(signer) {
            return Ok(Authority::Frozen {
                heads: revocation
                    .frozen_heads
                    .get(&document.collection)
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        if let Some(removal) = &record.removed {
            return Ok(frozen(removal));
        }
        let current = current_key(record);
        if current == Some(signer) {
            return Ok(Authority::Full);
        }
        let delegations: Vec<_> = delegations.collect();
        if delegations
            .iter()
            .any(|d| Some(&d.issued_under) == current && d.expires_at_ms >= change_time_ms)
        {
            return Ok(Authority::Full);
        }
        // The latest rotation among the keys that delegated the signer (or
        // that the signer is): later rotations froze later heads.
        let revoked = record.keys.iter().rev().find(|k| {
            k.revoked.is_some()
                && (k.key == *signer || delegations.iter().any(|d| d.issued_under == k.key))
        });
        match revoked.and_then(|k| k.revoked.as_ref()) {
            Some(rotation) => Ok(frozen(rotation)),
            None => Err(AuthorityError::DelegationExpired),
        }
    }

    /// The part of [`Self::authorise`] that needs only the signer and the
    /// document, not the change: the owner was admitted and the signer is
    /// one of its keys or delegated by one. Ingress asks this before it
    /// parses a change, so a stranger's bytes never reach automerge.
    pub fn signer_known(
        &self,
        signer: &PublicKey,
        document: &DocumentId,
    ) -> Result<(), AuthorityError> {
        let record = self
            .records
            .get(&document.owner)
            .ok_or(AuthorityError::OwnerNotMember)?;
        let known = record.keys.iter().any(|k| k.key == *signer)
            || record.delegations.iter().any(|d| d.device == *signer);
        if known {
            Ok(())
        } else {
            Err(AuthorityError::SignerNotDelegated)
        }
    }

    /// A value that changes whenever anything that affects
    /// [`Self::authorise`] for documents of `member` changes: admission,
    /// removal, rotation, delegations, device revocations. Unrelated
    /// entries leave it alone.
    pub fn authority_fingerprint(&self, member: &MemberId) -> [u8; 32] {
        let record = canonical_bytes(&self.records.get(member));
        let mut message = Vec::with_capacity(FINGERPRINT_PREFIX.len() + 32 + record.len());
        message.extend_from_slice(FINGERPRINT_PREFIX);
        message.extend_from_slice(&member.0);
        message.extend_from_slice(&record);
        sha256(&message)
    }
}

fn current_key(record: &MemberRecord) -> Option<&PublicKey> {
    record
        .keys
        .last()
        .filter(|k| k.revoked.is_none())
        .map(|k| &k.key)
}
