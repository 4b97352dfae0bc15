//! The pact as the membership log says it is: current members, everyone
//! ever admitted with their keys, freezes and delegations, officers and the
//! fate of every proposal. Built only by replay; never changed in place by
//! anyone else, and never reads a clock.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::ids::{EntryHash, MemberId, PublicKey};
use crate::pact::Agreement;

use super::FrozenHeads;

/// The result of replaying a membership log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembershipState {
    pub(super) members: BTreeMap<MemberId, MemberInfo>,
    pub(super) records: BTreeMap<MemberId, MemberRecord>,
    /// Every key that ever was a member key, and whose it was.
    pub(super) member_keys: BTreeMap<PublicKey, MemberId>,
    pub(super) officers: BTreeMap<PublicKey, Officer>,
    /// Every (officer key, member) an appointment ever applied for,
    /// dismissed officers included: whom a posture record may be sealed to
    /// (see [`MembershipState::officer_ever_served`]).
    pub(super) served_ever: BTreeSet<(PublicKey, MemberId)>,
    pub(super) proposals: BTreeMap<EntryHash, ProposalStatus>,
    /// Every version of the agreement that took effect, oldest first.
    pub(super) agreements: Vec<AgreementVersion>,
    /// Open or decided proposal → the members whose decline was replayed
    /// while it was open and who did not approve it after.
    pub(super) declines: BTreeMap<EntryHash, BTreeSet<MemberId>>,
}

/// One version of the pact's agreement and how it came about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgreementVersion {
    /// The terms.
    pub agreement: Agreement,
    /// The `SetAgreement` proposal.
    pub proposal: EntryHash,
    /// The member who proposed it.
    pub proposed_by: MemberId,
    /// When the proposer wrote it, ms since the Unix epoch (the entry's own
    /// time: for people, no rule depends on it).
    pub proposed_at_ms: i64,
    /// The current members whose approvals made the majority.
    pub approved_by: BTreeSet<MemberId>,
    /// The entry whose replay completed the majority.
    pub applied_at: EntryHash,
    /// That entry's own time, ms since the Unix epoch.
    pub applied_at_ms: i64,
}

/// A current member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// Display name.
    pub name: String,
    /// The member key that signs for the member now.
    pub current_key: PublicKey,
    /// The charter or the `Add` proposal that admitted the member.
    pub admitted_by: EntryHash,
}

/// Everything the log says about a member ever admitted, current or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberRecord {
    /// Display name.
    pub name: String,
    /// The charter or the `Add` proposal that admitted the member.
    pub admitted_by: EntryHash,
    /// The member's keys, oldest first; the last one is current, all
    /// others carry the freeze of the rotation that replaced them.
    pub keys: Vec<KeyRecord>,
    /// The freeze of the removal, if the member was removed.
    pub removed: Option<Freeze>,
    /// Valid delegations to device keys, in replay order.
    pub delegations: Vec<Delegation>,
    /// Devices the member revoked (lost or stolen), each with the heads
    /// its changes stay valid in; one per device, the first valid
    /// revocation in replay order.
    pub revoked_devices: Vec<DeviceRevocation>,
    /// The incarnations each of the member's keys declared, at most
    /// `INCARNATIONS_PER_KEY_MAX` per key, in replay order; whether each
    /// counts is decided across the member (see `replay`).
    pub incarnations: BTreeMap<PublicKey, Vec<DeclaredIncarnation>>,
}

/// An incarnation a key of a member declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeclaredIncarnation {
    /// The incarnation.
    pub incarnation: [u8; crate::identity::INCARNATION_LEN],
    /// The `Incarnation` entry.
    pub entry: EntryHash,
    /// Whether changes under it count: false once the member's keys still
    /// writing have `INCARNATIONS_PER_MEMBER_MAX` declared before it.
    pub counts: bool,
}

/// A device a member revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceRevocation {
    /// The device key.
    pub device: PublicKey,
    /// The member key that signed the revocation.
    pub revoked_under: PublicKey,
    /// The `RevokeDevice` entry.
    pub entry: EntryHash,
    /// The heads after which the device may no longer write.
    pub frozen_heads: FrozenHeads,
}

impl MemberRecord {
    /// The member's revocation of `device`, if it revoked it.
    pub fn device_revocation(&self, device: &PublicKey) -> Option<&DeviceRevocation> {
        self.revoked_devices.iter().find(|r| r.device == *device)
    }
}

/// One member key of a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// The key.
    pub key: PublicKey,
    /// Set once a rotation replaced this key.
    pub revoked: Option<Freeze>,
}

/// A removal or a rotation, and the heads it froze.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Freeze {
    /// The proposal that took effect.
    pub proposal: EntryHash,
    /// The heads after which frozen signers may no longer write.
    pub frozen_heads: FrozenHeads,
}

/// A device key a member key authorised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delegation {
    /// The device key.
    pub device: PublicKey,
    /// The member key that signed the delegation.
    pub issued_under: PublicKey,
    /// Last change time covered, ms since the Unix epoch.
    pub expires_at_ms: i64,
    /// The `Delegate` entry.
    pub entry: EntryHash,
}

/// A joint officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Officer {
    /// The officer's key.
    pub key: PublicKey,
    /// Display name.
    pub name: String,
    /// The members the officer serves.
    pub serves: Vec<MemberId>,
    /// The `AppointOfficer` proposal.
    pub appointed_by: EntryHash,
}

/// What became of a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalStatus {
    /// Still short of approvals; these current or former members approved.
    Open {
        /// Members whose approval was counted when it was replayed.
        approvers: BTreeSet<MemberId>,
    },
    /// Took effect when the entry `at` was replayed.
    Applied {
        /// The entry whose replay completed the majority.
        at: EntryHash,
    },
    /// Reached its majority when it could no longer apply (the key was in
    /// use, the member already gone, …) and so never applies.
    Inapplicable {
        /// The entry whose replay completed the majority.
        at: EntryHash,
    },
    /// Proposed by someone who was not a current member with its current
    /// key at that point of the replay; never counts.
    NotCounted,
}

impl MembershipState {
    /// Whether `member` is a current member.
    pub fn is_member(&self, member: &MemberId) -> bool {
        self.members.contains_key(member)
    }

    /// The current members, by member id.
    pub fn members(&self) -> impl Iterator<Item = (&MemberId, &MemberInfo)> {
        self.members.iter()
    }

    /// Number of current members.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Everything known about a member ever admitted, current or removed.
    pub fn member_record(&self, member: &MemberId) -> Option<&MemberRecord> {
        self.records.get(member)
    }

    /// Every member ever admitted, current or removed, with its name.
    pub fn admitted_names(&self) -> impl Iterator<Item = (&MemberId, &str)> {
        self.records
            .iter()
            .map(|(id, record)| (id, record.name.as_str()))
    }

    /// The appointed officers, by officer key.
    pub fn officers(&self) -> impl Iterator<Item = &Officer> {
        self.officers.values()
    }

    /// Whether `officer` was ever appointed to serve `member`, dismissed
    /// since or not. Ingress checks a sealed posture record's officers
    /// against this, not against the officers serving now: a dismissal must
    /// not turn a record written while the officer served into one that
    /// nodes take or refuse depending on which they learned of first.
    pub fn officer_ever_served(&self, officer: &PublicKey, member: &MemberId) -> bool {
        self.served_ever.contains(&(*officer, *member))
    }

    /// The agreement in force now (the last version that took effect).
    pub fn agreement(&self) -> Option<&AgreementVersion> {
        self.agreements.last()
    }

    /// Every version of the agreement that took effect, oldest first.
    pub fn agreement_history(&self) -> &[AgreementVersion] {
        &self.agreements
    }

    /// The members who declined `proposal` (and did not approve it after).
    pub fn decliners(&self, proposal: &EntryHash) -> impl Iterator<Item = &MemberId> {
        self.declines.get(proposal).into_iter().flatten()
    }

    /// What became of the proposal entry `proposal`.
    pub fn proposal(&self, proposal: &EntryHash) -> Option<&ProposalStatus> {
        self.proposals.get(proposal)
    }

    /// The member a key belongs to: a current member's current member key,
    /// or a device key delegated under it, whatever the delegation's
    /// expiry (the protocol has no clock; admission uses
    /// [`Self::member_of_key_at`]). Revoked keys, devices delegated under
    /// them and removed members yield `None`. A device belongs to at most
    /// one member (see `replay`).
    pub fn member_of_key(&self, key: &PublicKey) -> Option<MemberId> {
        self.member_of_key_at(key, i64::MIN)
    }

    /// The member a peer with key `key` may be admitted for at `now_ms`
    /// (the node's clock: admission is a local decision, unlike accepting
    /// a write): a current member's current key, or a device delegated
    /// under it whose delegation has not expired by `now_ms`. A stolen
    /// device key whose delegation ran out no longer reads the pact.
    pub fn member_of_key_at(&self, key: &PublicKey, now_ms: i64) -> Option<MemberId> {
        if let Some(member) = self.current_member_of_key(key) {
            return Some(member);
        }
        self.members.iter().find_map(|(member, info)| {
            let record = self.records.get(member)?;
            let usable = record.delegations.iter().any(|d| {
                d.device == *key && d.issued_under == info.current_key && d.expires_at_ms >= now_ms
            });
            (usable && record.device_revocation(key).is_none()).then_some(*member)
        })
    }

    /// Whether `key` writes for `member` now: its current member key, or
    /// a device delegated under that key and not revoked (expired or not:
    /// a change's own time decides that). The keys whose incarnations the
    /// member-wide cap counts, and who may declare one.
    /// The same answer as `member_of_key(key) == Some(member)`, from the
    /// member's own record (replay asks it once per declaration).
    pub fn writes_for(&self, key: &PublicKey, member: &MemberId) -> bool {
        let (Some(info), Some(record)) = (self.members.get(member), self.records.get(member))
        else {
            return false;
        };
        info.current_key == *key
            || (record
                .delegations
                .iter()
                .any(|d| d.device == *key && d.issued_under == info.current_key)
                && record.device_revocation(key).is_none())
    }

    /// The incarnations `key` declared for `member`, in replay order.
    pub fn incarnations_of(&self, member: &MemberId, key: &PublicKey) -> &[DeclaredIncarnation] {
        self.records
            .get(member)
            .and_then(|record| record.incarnations.get(key))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether changes of `key` under `incarnation` in `member`'s
    /// documents count: declared, and within the caps.
    pub fn incarnation_counts(
        &self,
        member: &MemberId,
        key: &PublicKey,
        incarnation: &[u8; crate::identity::INCARNATION_LEN],
    ) -> bool {
        self.incarnations_of(member, key)
            .iter()
            .any(|declared| declared.incarnation == *incarnation && declared.counts)
    }

    /// How many of `member`'s declared incarnations take one of its
    /// `INCARNATIONS_PER_MEMBER_MAX` slots: those that count, of keys still
    /// writing for it.
    pub fn incarnation_slots_used(&self, member: &MemberId) -> usize {
        self.records.get(member).map_or(0, |record| {
            record
                .incarnations
                .iter()
                .filter(|(key, _)| self.writes_for(key, member))
                .flat_map(|(_, declared)| declared)
                .filter(|declared| declared.counts)
                .count()
        })
    }

    /// The current member whose current member key is `key`.
    pub(super) fn current_member_of_key(&self, key: &PublicKey) -> Option<MemberId> {
        let member = self.member_keys.get(key)?;
        let info = self.members.get(member)?;
        (info.current_key == *key).then_some(*member)
    }
}
