//! The values of the membership log: signed entries, their bodies and the
//! proposals they carry, plus signing and hashing. Pure values; never
//! decides whether an entry is acceptable (see `log`) or what it does to the
//! pact (see `replay`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::identity::{KeyPair, SigningPurpose, sha256};
use crate::ids::{Collection, EntryHash, MemberId, PactId, PublicKey, SignatureBytes};
use crate::pact::Agreement;

use super::wire::canonical_bytes;

/// The heads at which a member's documents are frozen, per collection: after
/// a removal or key rotation, only changes in the causal past of these heads
/// stay valid for the frozen signers.
pub type FrozenHeads = BTreeMap<Collection, Vec<automerge::ChangeHash>>;

/// One entry of the membership log with its signatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    /// What is signed.
    pub body: EntryBody,
    /// One signature per founder for the charter; exactly one, by the
    /// author's member key, for every other entry.
    pub signatures: Vec<EntrySignature>,
}

/// One signature over the canonical encoding of an [`EntryBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySignature {
    /// The key that signed.
    pub key: PublicKey,
    /// The signature, for [`SigningPurpose::MembershipEntry`].
    pub signature: SignatureBytes,
}

/// The signed part of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBody {
    /// The pact this entry belongs to; `None` only for the charter (whose
    /// hash is the pact id).
    pub pact: Option<PactId>,
    /// The entries the author had seen as heads, sorted and distinct; empty
    /// only for the charter.
    pub parents: Vec<EntryHash>,
    /// When the author wrote the entry, ms since the Unix epoch. For people
    /// only: no rule depends on it.
    pub issued_at_ms: i64,
    /// What the entry does.
    pub kind: EntryKind,
}

/// What an entry does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// The genesis entry: the pact and its founders.
    Charter(Charter),
    /// A proposed change of the pact; the proposer counts as approving.
    Propose(Proposal),
    /// The author approves the proposal entry `proposal`.
    Approve {
        /// Hash of the `Propose` entry.
        proposal: EntryHash,
    },
    /// A member key authorises a device key to write the member's
    /// documents until `expires_at_ms` (compared with each change's own time).
    Delegate {
        /// The member the device writes for.
        member: MemberId,
        /// The device key.
        device: PublicKey,
        /// Last change time the delegation covers, ms since the Unix epoch.
        expires_at_ms: i64,
    },
    /// A member key revokes one of its member's device delegations (a lost
    /// or stolen laptop): the device's changes stay valid only in the
    /// causal past of `frozen_heads`, like a rotation's, and the device no
    /// longer counts as the member's for admission. Needs no majority: a
    /// member may always stop trusting its own device. Appended last, so
    /// the wire form of every other kind is unchanged; a node older than
    /// this kind cannot decode it (upgrade nodes first).
    RevokeDevice {
        /// The member whose device it is.
        member: MemberId,
        /// The device key.
        device: PublicKey,
        /// The heads of the member's documents that stay valid for the
        /// device.
        #[serde(with = "frozen_heads_serde")]
        frozen_heads: FrozenHeads,
    },
    /// The author declines the open proposal `proposal`: a signed "no" the
    /// pact can see. It blocks nothing (a proposal without its majority
    /// stays open) and is withdrawn by a later approval of the same
    /// member; after an approval it counts for nothing. Appended last, like
    /// `RevokeDevice` (upgrade nodes first).
    Decline {
        /// Hash of the `Propose` entry.
        proposal: EntryHash,
    },
    /// The author, one of `member`'s keys (its member key or a device it
    /// delegated), declares that it writes under `incarnation`: a store
    /// of its own, with its own actor (`identity::actor_id`). A change
    /// counts only under a declared incarnation, and only so many count
    /// per key and per member (`replay.rs`), so every node bounds a
    /// member's actors, and with them its bytes, alike
    /// (`replica/quota.rs`). Needs no majority. Appended last, like
    /// `RevokeDevice` (upgrade nodes first).
    Incarnation {
        /// The member the author writes for.
        member: MemberId,
        /// The incarnation of the author's store.
        incarnation: [u8; crate::identity::INCARNATION_LEN],
    },
}

/// The genesis of a pact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charter {
    /// The pact's name.
    pub pact_name: String,
    /// The founding members; each signs the charter.
    pub founders: Vec<Founder>,
    /// When the pact was founded, ms since the Unix epoch.
    pub created_at_ms: i64,
}

/// A founding member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Founder {
    /// The founder's member key (and so its member id).
    pub key: PublicKey,
    /// Display name, e.g. "Kreis Bergstraße".
    pub name: String,
}

/// A change of the pact that needs a majority of the current members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Proposal {
    /// Admit a new member with member key `key`.
    Add {
        /// The new member's key (and so its member id).
        key: PublicKey,
        /// Display name.
        name: String,
    },
    /// Remove a member and freeze its documents at `frozen_heads`.
    Remove {
        /// The member to remove.
        member: MemberId,
        /// The heads the approvers had seen of the member's documents.
        #[serde(with = "frozen_heads_serde")]
        frozen_heads: FrozenHeads,
    },
    /// Replace a member's key (key recovery after a compromise); writes
    /// under the old key are frozen at `frozen_heads`.
    RotateKey {
        /// The member whose key changes.
        member: MemberId,
        /// The member's new key.
        new_key: PublicKey,
        /// The heads of the member's documents that stay valid for devices
        /// delegated under the old key.
        #[serde(with = "frozen_heads_serde")]
        frozen_heads: FrozenHeads,
    },
    /// Appoint a joint officer; needs, besides the majority, the approval of
    /// every member it serves.
    AppointOfficer {
        /// The officer's key.
        officer_key: PublicKey,
        /// Display name.
        name: String,
        /// The members the officer serves, distinct.
        serves: Vec<MemberId>,
    },
    /// Dismiss an appointed joint officer; needs the majority only (a
    /// member the officer serves cannot keep an officer the pact no longer
    /// trusts). The key may be appointed again by a later proposal.
    DismissOfficer {
        /// The officer's key.
        officer_key: PublicKey,
    },
    /// Replace the pact's agreement. Takes effect only on top of the
    /// version the proposer saw: if another version took effect first, it
    /// is inapplicable and must be proposed again on the new terms.
    SetAgreement {
        /// The new terms, whole.
        agreement: Box<Agreement>,
        /// The `SetAgreement` proposal of the version this one replaces;
        /// `None` for the pact's first agreement.
        previous: Option<EntryHash>,
    },
}

impl SignedEntry {
    /// Checks every signature over the entry's body, without a log: what
    /// a bundle's items must pass before any of them is applied.
    pub fn check_signatures(&self) -> Result<(), super::EntryRejection> {
        super::check::signatures(self)
    }

    /// The entry's hash: SHA-256 of the canonical encoding of the whole
    /// signed entry, computed from the value (so no re-encoding of the same
    /// value can change it).
    pub fn hash(&self) -> EntryHash {
        EntryHash(sha256(&canonical_bytes(self)))
    }

    /// The key of the (single) author; for a charter, its first founder.
    pub fn author(&self) -> Option<&PublicKey> {
        self.signatures.first().map(|s| &s.key)
    }

    /// Whether this is a charter.
    pub fn is_charter(&self) -> bool {
        matches!(self.body.kind, EntryKind::Charter(_))
    }

    /// A charter that no founder has signed yet: the draft that founders on
    /// different machines sign in turn with [`Self::add_charter_signature`].
    pub fn charter_draft(pact_name: &str, founders: Vec<Founder>, created_at_ms: i64) -> Self {
        let body = EntryBody {
            pact: None,
            parents: Vec::new(),
            issued_at_ms: created_at_ms,
            kind: EntryKind::Charter(Charter {
                pact_name: pact_name.to_owned(),
                founders,
                created_at_ms,
            }),
        };
        Self {
            body,
            signatures: Vec::new(),
        }
    }

    /// Adds (or replaces) `key`'s signature on a charter draft. Signatures
    /// are kept in the founders' order, so the finished charter, and with
    /// it the pact id, does not depend on who signed first. Returns false,
    /// changing nothing, if this is not a charter or `key` is not a founder.
    pub fn add_charter_signature(&mut self, key: &KeyPair) -> bool {
        let EntryKind::Charter(charter) = &self.body.kind else {
            return false;
        };
        let order: Vec<PublicKey> = charter.founders.iter().map(|f| f.key).collect();
        if !order.contains(&key.public()) {
            return false;
        }
        let message = canonical_bytes(&self.body);
        self.signatures.retain(|s| s.key != key.public());
        self.signatures.push(EntrySignature {
            key: key.public(),
            signature: key.sign(SigningPurpose::MembershipEntry, &[&message]),
        });
        self.signatures
            .sort_by_key(|s| order.iter().position(|k| *k == s.key).unwrap_or(usize::MAX));
        true
    }

    /// The founders that have not signed a charter draft yet.
    pub fn missing_charter_signatures(&self) -> Vec<Founder> {
        let EntryKind::Charter(charter) = &self.body.kind else {
            return Vec::new();
        };
        charter
            .founders
            .iter()
            .filter(|f| self.signatures.iter().all(|s| s.key != f.key))
            .cloned()
            .collect()
    }

    /// Signs `body` with each of `keys`, in that order. Whether the result
    /// is acceptable is for the log to decide.
    pub fn sign(body: EntryBody, keys: &[&KeyPair]) -> Self {
        let message = canonical_bytes(&body);
        let signatures = keys
            .iter()
            .map(|key| EntrySignature {
                key: key.public(),
                signature: key.sign(SigningPurpose::MembershipEntry, &[&message]),
            })
            .collect();
        Self { body, signatures }
    }
}

impl Proposal {
    /// The member key this proposal would introduce, if any.
    pub(crate) fn introduced_key(&self) -> Option<&PublicKey> {
        match self {
            Proposal::Add { key, .. } => Some(key),
            Proposal::RotateKey { new_key, .. } => Some(new_key),
            Proposal::Remove { .. }
            | Proposal::AppointOfficer { .. }
            | Proposal::DismissOfficer { .. }
            | Proposal::SetAgreement { .. } => None,
        }
    }
}

/// Serde for [`FrozenHeads`]: change hashes as 32 raw bytes in binary
/// formats and hex in human-readable ones (automerge's own serde form is a
/// hex string everywhere, twice the size on the wire).
mod frozen_heads_serde {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::FrozenHeads;
    use crate::ids::{Collection, Sha256Hash};

    pub(super) fn serialize<S: Serializer>(
        heads: &FrozenHeads,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let raw: BTreeMap<Collection, Vec<Sha256Hash>> = heads
            .iter()
            .map(|(collection, hashes)| {
                (
                    *collection,
                    hashes.iter().map(|h| Sha256Hash(h.0)).collect(),
                )
            })
            .collect();
        raw.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<FrozenHeads, D::Error> {
        let raw = BTreeMap::<Collection, Vec<Sha256Hash>>::deserialize(deserializer)?;
        Ok(raw
            .into_iter()
            .map(|(collection, hashes)| {
                let hashes = hashes
                    .into_iter()
                    .map(|h| automerge::ChangeHash(h.0))
                    .collect();
                (collection, hashes)
            })
            .collect())
    }
}
