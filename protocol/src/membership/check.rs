//! Checks on a single entry that need nothing but the entry: its shape
//! (caps, signature count, parents) and its signatures. Never looks at the
//! log; whether the author is known or the parents are present is decided
//! by the log.

use std::collections::BTreeSet;

use crate::identity::{SigningPurpose, verify};
use crate::ids::PublicKey;

use super::wire::canonical_bytes;
use super::{
    Charter, EntryKind, EntryRejection, FOUNDERS_MAX, FROZEN_HEADS_PER_COLLECTION_MAX, FrozenHeads,
    NAME_BYTES_MAX, PARENTS_MAX, Proposal, SERVES_MAX, SignedEntry,
};

fn malformed(reason: impl Into<String>) -> EntryRejection {
    EntryRejection::Malformed(reason.into())
}

/// Shape of a charter: no pact, no parents, 1 to [`FOUNDERS_MAX`] distinct
/// founders, and exactly one signature per founder.
pub(super) fn charter_structure(entry: &SignedEntry) -> Result<(), EntryRejection> {
    let EntryKind::Charter(charter) = &entry.body.kind else {
        return Err(malformed("the first entry of a pact must be its charter"));
    };
    if entry.body.pact.is_some() {
        return Err(malformed("a charter names no pact"));
    }
    if !entry.body.parents.is_empty() {
        return Err(malformed("a charter has no parents"));
    }
    founders(charter)?;
    for founder in &charter.founders {
        if !entry.signatures.iter().any(|s| s.key == founder.key) {
            return Err(EntryRejection::MissingSignatures);
        }
    }
    if entry.signatures.len() != charter.founders.len() {
        return Err(malformed(
            "a charter carries one signature per founder and no other",
        ));
    }
    Ok(())
}

fn founders(charter: &Charter) -> Result<(), EntryRejection> {
    name(&charter.pact_name, "pact name")?;
    if charter.founders.is_empty() || charter.founders.len() > FOUNDERS_MAX {
        return Err(malformed(format!(
            "a charter names 1 to {FOUNDERS_MAX} founders, not {}",
            charter.founders.len()
        )));
    }
    let mut keys = BTreeSet::new();
    for founder in &charter.founders {
        name(&founder.name, "founder name")?;
        if !keys.insert(founder.key) {
            return Err(malformed("a founder is named twice"));
        }
    }
    Ok(())
}

/// Shape of every entry but the charter: a pact, exactly one signature,
/// 1 to [`PARENTS_MAX`] sorted distinct parents, and a well-formed kind.
pub(super) fn entry_structure(entry: &SignedEntry) -> Result<(), EntryRejection> {
    if entry.is_charter() {
        return Err(EntryRejection::SecondCharter);
    }
    if entry.body.pact.is_none() {
        return Err(malformed("only the charter may name no pact"));
    }
    if let EntryKind::Delegate { device, .. } = &entry.body.kind {
        delegation_signers(entry, device)?;
    } else if entry.signatures.len() != 1 {
        return Err(malformed(format!(
            "an entry carries exactly one signature, not {}",
            entry.signatures.len()
        )));
    }
    let parents = &entry.body.parents;
    if parents.is_empty() || parents.len() > PARENTS_MAX {
        return Err(malformed(format!(
            "an entry names 1 to {PARENTS_MAX} parents, not {}",
            parents.len()
        )));
    }
    if !parents.windows(2).all(|pair| pair[0] < pair[1]) {
        return Err(malformed("parents must be sorted and distinct"));
    }
    match &entry.body.kind {
        EntryKind::Propose(proposal) => proposal_structure(proposal),
        EntryKind::RevokeDevice { frozen_heads, .. } => heads(frozen_heads),
        EntryKind::Charter(_)
        | EntryKind::Approve { .. }
        | EntryKind::Decline { .. }
        | EntryKind::Delegate { .. }
        | EntryKind::Incarnation { .. } => Ok(()),
    }
}

/// A delegation carries two signatures: the member key's (the author) and
/// the device's own, its consent. A device key is public (it is the peer
/// id), so without the consent any member could claim another's device.
fn delegation_signers(entry: &SignedEntry, device: &PublicKey) -> Result<(), EntryRejection> {
    match entry.signatures.as_slice() {
        [author, consent] if consent.key == *device && author.key != *device => Ok(()),
        _ => Err(EntryRejection::NoDeviceConsent),
    }
}

fn proposal_structure(proposal: &Proposal) -> Result<(), EntryRejection> {
    match proposal {
        Proposal::Add { name: text, .. } => name(text, "member name"),
        Proposal::Remove { frozen_heads, .. } | Proposal::RotateKey { frozen_heads, .. } => {
            heads(frozen_heads)
        }
        Proposal::AppointOfficer {
            name: text, serves, ..
        } => {
            name(text, "officer name")?;
            if serves.is_empty() || serves.len() > SERVES_MAX {
                return Err(malformed(format!(
                    "an officer serves 1 to {SERVES_MAX} members, not {}",
                    serves.len()
                )));
            }
            let distinct: BTreeSet<_> = serves.iter().collect();
            if distinct.len() != serves.len() {
                return Err(malformed("an officer's served members must be distinct"));
            }
            Ok(())
        }
        Proposal::DismissOfficer { .. } => Ok(()),
        Proposal::SetAgreement { agreement, .. } => agreement
            .validate()
            .map_err(|e| malformed(format!("{} ({})", e, e.code()))),
    }
}

fn name(text: &str, what: &str) -> Result<(), EntryRejection> {
    if text.trim().is_empty() || text.len() > NAME_BYTES_MAX {
        return Err(malformed(format!(
            "{what} must be 1 to {NAME_BYTES_MAX} bytes and not blank"
        )));
    }
    Ok(())
}

fn heads(frozen: &FrozenHeads) -> Result<(), EntryRejection> {
    if frozen
        .values()
        .any(|hashes| hashes.len() > FROZEN_HEADS_PER_COLLECTION_MAX)
    {
        return Err(malformed(format!(
            "at most {FROZEN_HEADS_PER_COLLECTION_MAX} frozen heads per collection"
        )));
    }
    Ok(())
}

/// Every signature verifies over the canonical encoding of the body.
pub(super) fn signatures(entry: &SignedEntry) -> Result<(), EntryRejection> {
    let message = canonical_bytes(&entry.body);
    for signature in &entry.signatures {
        verify(
            &signature.key,
            SigningPurpose::MembershipEntry,
            &[&message],
            &signature.signature,
        )
        .map_err(|_| EntryRejection::BadSignature)?;
    }
    Ok(())
}
