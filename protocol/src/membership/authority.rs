//! Who may write which document, as the membership state says: the answer
//! the ingress pipeline needs for every change, and a fingerprint that tells
//! it when that answer may have changed. Never reads a clock: a
//! delegation's expiry is compared with the change's own timestamp, so the
//! answer depends only on the write and the membership log.

use crate::identity::{sha256, split_actor};
use crate::ids::{ActorKey, DocumentId, MemberId, PublicKey};

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
    /// Only changes in the causal past of both `heads` and `revoked`: the
    /// owner revoked the device, and was removed or rotated the key that
    /// delegated it as well. Each freeze bounds the device; neither widens
    /// the other, whichever came first and whoever held the key.
    FrozenTwice {
        /// The removal's or rotation's heads of the document's collection.
        heads: Vec<automerge::ChangeHash>,
        /// The revocation's heads of the document's collection.
        revoked: Vec<automerge::ChangeHash>,
    },
}

impl Authority {
    /// The sets of heads a change must lie in the causal past of, every
    /// one of them; none for [`Authority::Full`].
    pub fn frozen_heads(&self) -> Vec<&Vec<automerge::ChangeHash>> {
        match self {
            Authority::Full => Vec::new(),
            Authority::Frozen { heads } => vec![heads],
            Authority::FrozenTwice { heads, revoked } => vec![heads, revoked],
        }
    }
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
    /// The change's incarnation was not declared by its signer, or is not
    /// among those that count (the caps of the key and the member). The
    /// declaration may not have arrived yet.
    #[error("the signer's incarnation is not declared in the membership log, or does not count")]
    IncarnationNotDeclared,
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
        let by_keys = key_authority(record, signer, delegations, document, change_time_ms);
        // The member's own word on a lost device narrows what the device may
        // write and never widens it: a removal or rotation bounds it too,
        // so neither a later freeze naming later heads nor a revocation
        // signed with a stolen key before the rotation lets the thief's
        // changes through.
        let Some(revocation) = record.device_revocation(signer) else {
            return by_keys;
        };
        let revoked = collection_heads(&revocation.frozen_heads, document);
        match by_keys {
            Ok(Authority::Frozen { heads }) => Ok(Authority::FrozenTwice { heads, revoked }),
            // Nothing but the revocation bounds it (an expired delegation
            // stays valid for what it wrote, as the revocation names).
            _ => Ok(Authority::Frozen { heads: revoked }),
        }
    }

    /// [`Self::authorise`] for a change by `actor` (`signer ‖ incarnation`,
    /// see `identity::actor_id`): the signer's authority, and the
    /// incarnation must be one of the owner's that count, so that the
    /// actors of a member, and what every node keeps of them, are bounded
    /// alike everywhere (`replica/quota.rs`).
    pub fn authorise_actor(
        &self,
        actor: &ActorKey,
        document: &DocumentId,
        change_time_ms: i64,
    ) -> Result<Authority, AuthorityError> {
        let (signer, incarnation) = split_actor(actor);
        let authority = self.authorise(&signer, document, change_time_ms)?;
        if !self.incarnation_counts(&document.owner, &signer, &incarnation) {
            return Err(AuthorityError::IncarnationNotDeclared);
        }
        Ok(authority)
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

/// The heads a freeze recorded for `document`'s collection; none if it
/// recorded none, which lets no change through.
fn collection_heads(
    frozen_heads: &super::FrozenHeads,
    document: &DocumentId,
) -> Vec<automerge::ChangeHash> {
    frozen_heads
        .get(&document.collection)
        .cloned()
        .unwrap_or_default()
}

/// What the owner's removal, key rotations and `delegations` (those of
/// `signer`) allow `signer`, device revocations aside.
fn key_authority<'a>(
    record: &MemberRecord,
    signer: &PublicKey,
    delegations: impl Iterator<Item = &'a super::Delegation>,
    document: &DocumentId,
    change_time_ms: i64,
) -> Result<Authority, AuthorityError> {
    let frozen = |freeze: &super::Freeze| Authority::Frozen {
        heads: collection_heads(&freeze.frozen_heads, document),
    };
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
