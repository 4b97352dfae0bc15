//! Deterministic replay: folds the log's entries, in the order of `order`,
//! into a [`MembershipState`]. The rules of the pact live here. Never checks
//! signatures or shapes (the log stored only entries that passed those), and
//! never depends on anything but the entries and their order.
//!
//! Rules:
//! - The charter admits its founders (member id = key = current key).
//! - `Propose` and `Approve` count only if signed by a current member's
//!   current key at that point; the proposer counts as approving.
//! - An entry signed by a key that a removal or rotation revoked counts
//!   only inside the causal past of that proposal (see [`replay`]). An
//!   approval counts only for a proposal replayed before it.
//! - A proposal takes effect at the first point where its approvers that
//!   are still current members are a strict majority of the current members
//!   (`approvals * 2 > members`); `AppointOfficer` also needs every member
//!   it serves, as current members. Open proposals are re-checked whenever
//!   the member set changes, oldest proposal first.
//! - A proposal that reaches its majority when it can no longer apply is
//!   inapplicable for good: `Add` of a key that was ever a member key,
//!   `Remove` of a non-member or of the last member, `RotateKey` of a
//!   non-member or to a key that was ever a member key, `AppointOfficer` of
//!   an officer key already appointed, `DismissOfficer` of a key that is
//!   not an appointed officer.
//! - `Delegate` is valid iff `member` was ever admitted, the signing key
//!   is or was one of its member keys, and the device key was never a
//!   member key; decided on the final key history. (The device's consent
//!   is checked with the entry's shape.) A device belongs to at most one
//!   member: the first valid delegation of it in replay order decides, and
//!   later delegations of it by other members are ignored.
//! - `RevokeDevice` is valid iff its signer is or was one of `member`'s
//!   keys and `member` validly delegated the device; decided on the final
//!   key history and delegations. The first valid revocation of a device
//!   in replay order decides its heads; the device stays revoked even if
//!   delegated again. A rotated-away or removed key's revocation outside
//!   the revoking proposal's past counts for nothing, like its votes.
//! - `Decline` is recorded for a proposal open at that point and not
//!   approved by its author (a current member); it changes no count, and
//!   the author's later approval withdraws it.
//! - `SetAgreement` applies only on top of the version it names as
//!   `previous` (the last one applied); otherwise it is inapplicable, so
//!   two concurrent rewrites never silently overwrite each other. Every
//!   applied version is kept, with its proposer and approvers.
//! - `Incarnation` is valid iff its signer is or was one of `member`'s
//!   keys or a device `member` validly delegated; decided on the final key
//!   history and delegations. A key's first `INCARNATIONS_PER_KEY_MAX`
//!   distinct incarnations in replay order are declared; of those, the
//!   ones of keys still writing for the member count up to
//!   `INCARNATIONS_PER_MEMBER_MAX` per member, first in replay order, and
//!   those of keys that stopped (revoked, rotated away, removed) all count.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{EntryHash, MemberId, PublicKey};

use super::{
    AgreementVersion, DeclaredIncarnation, Delegation, DeviceRevocation, EntryKind, Freeze,
    INCARNATIONS_PER_KEY_MAX, INCARNATIONS_PER_MEMBER_MAX, KeyRecord, MemberInfo, MemberRecord,
    MembershipState, Officer, Proposal, ProposalStatus, SignedEntry,
};

/// A `RevokeDevice` entry waiting for the final key history and the
/// delegations.
struct RevocationCandidate {
    entry: EntryHash,
    signer: PublicKey,
    member: MemberId,
    device: PublicKey,
    frozen_heads: super::FrozenHeads,
}

/// A `Delegate` entry waiting for the final key history.
struct DelegateCandidate {
    entry: EntryHash,
    signer: PublicKey,
    member: MemberId,
    device: PublicKey,
    expires_at_ms: i64,
}

/// An `Incarnation` entry waiting for the final keys and delegations.
struct IncarnationCandidate {
    entry: EntryHash,
    signer: PublicKey,
    member: MemberId,
    incarnation: [u8; crate::identity::INCARNATION_LEN],
}

struct Replay<'a> {
    state: MembershipState,
    /// Every entry, for who proposed what and when (agreement history).
    entries: &'a BTreeMap<EntryHash, SignedEntry>,
    /// Open proposals by replay position (oldest first).
    open: BTreeMap<usize, (EntryHash, &'a Proposal)>,
    /// Open proposal → its replay position.
    open_at: BTreeMap<EntryHash, usize>,
    delegates: Vec<DelegateCandidate>,
    revocations: Vec<RevocationCandidate>,
    incarnations: Vec<IncarnationCandidate>,
}

/// How many times [`replay`] may replay again with a larger set of
/// out-of-closure entries left out. Each round can only leave out entries
/// of keys that an earlier round revoked; a handful settles any real log.
const REPLAY_ROUNDS_MAX: usize = 8;

/// The state after replaying `order` (hashes of `entries`, parents first).
///
/// An entry signed by a key that a removal or rotation revoked counts only
/// if it lies in the causal past of that `Remove` or `RotateKey` proposal
/// (the log heads its proposer had seen). Otherwise a removed member or a
/// stolen old key could sign an approval on old parents and grind its hash
/// until it sorts before its own removal — and with that vote even keep
/// the removal from passing. So the first replay discounts, for every
/// removal or rotation proposed, its subject's entries outside the
/// proposal's past; the next ones discount only those of the revocations
/// that took effect, until the set discounted is stable. A discounted entry
/// votes for nothing (see `Replay::entry`).
pub(super) fn replay(
    order: &[EntryHash],
    entries: &BTreeMap<EntryHash, SignedEntry>,
) -> MembershipState {
    let plain = replay_once(order, entries, &BTreeSet::new());
    let proposed = proposed_revocations(&plain, entries);
    if proposed.is_empty() {
        return plain;
    }
    let mut left_out = outside(entries, &proposed);
    for _ in 0..REPLAY_ROUNDS_MAX {
        let state = replay_once(order, entries, &left_out);
        let next = outside(entries, &applied_revocations(&state));
        if next == left_out {
            return state;
        }
        left_out = next;
    }
    replay_once(order, entries, &left_out)
}

fn replay_once(
    order: &[EntryHash],
    entries: &BTreeMap<EntryHash, SignedEntry>,
    left_out: &BTreeSet<EntryHash>,
) -> MembershipState {
    let mut replay = Replay {
        state: MembershipState::default(),
        entries,
        open: BTreeMap::new(),
        open_at: BTreeMap::new(),
        delegates: Vec::new(),
        revocations: Vec::new(),
        incarnations: Vec::new(),
    };
    for hash in order {
        if let Some(entry) = entries.get(hash) {
            replay.entry(*hash, entry, !left_out.contains(hash));
        }
    }
    replay.finish()
}

/// A key and a proposal that revokes (or would revoke) it.
type Revocation = (PublicKey, EntryHash);

/// Every `Remove` and `RotateKey` proposal in the log, applied or not,
/// with the keys of its subject it would revoke.
fn proposed_revocations(
    state: &MembershipState,
    entries: &BTreeMap<EntryHash, SignedEntry>,
) -> BTreeSet<Revocation> {
    let mut revocations = BTreeSet::new();
    for (hash, entry) in entries {
        let EntryKind::Propose(proposal) = &entry.body.kind else {
            continue;
        };
        let (member, kept) = match proposal {
            Proposal::Remove { member, .. } => (member, None),
            Proposal::RotateKey {
                member, new_key, ..
            } => (member, Some(new_key)),
            Proposal::Add { .. }
            | Proposal::AppointOfficer { .. }
            | Proposal::DismissOfficer { .. }
            | Proposal::SetAgreement { .. } => continue,
        };
        let Some(record) = state.records.get(member) else {
            continue;
        };
        for key in &record.keys {
            if Some(&key.key) != kept {
                revocations.insert((key.key, *hash));
            }
        }
    }
    revocations
}

/// The revocations that took effect in `state`.
fn applied_revocations(state: &MembershipState) -> BTreeSet<Revocation> {
    let mut revocations = BTreeSet::new();
    for record in state.records.values() {
        for key in &record.keys {
            if let Some(freeze) = &key.revoked {
                revocations.insert((key.key, freeze.proposal));
            } else if let Some(removal) = &record.removed {
                revocations.insert((key.key, removal.proposal));
            }
        }
    }
    revocations
}

/// Entries signed by a revoked key outside the causal past of a proposal
/// that revokes it.
fn outside(
    entries: &BTreeMap<EntryHash, SignedEntry>,
    revocations: &BTreeSet<Revocation>,
) -> BTreeSet<EntryHash> {
    let mut left_out = BTreeSet::new();
    if revocations.is_empty() {
        return left_out;
    }
    let mut by_key: BTreeMap<PublicKey, Vec<EntryHash>> = BTreeMap::new();
    for (key, proposal) in revocations {
        by_key.entry(*key).or_default().push(*proposal);
    }
    let mut closures: BTreeMap<EntryHash, BTreeSet<EntryHash>> = BTreeMap::new();
    for (hash, entry) in entries {
        let Some(proposals) = entry.author().and_then(|author| by_key.get(author)) else {
            continue;
        };
        for proposal in proposals {
            let closure = closures
                .entry(*proposal)
                .or_insert_with(|| causal_past(entries, [*proposal]));
            if !closure.contains(hash) {
                left_out.insert(*hash);
            }
        }
    }
    left_out
}

/// `from` and every entry reachable from it over parent links, among
/// `entries`.
pub(super) fn causal_past(
    entries: &BTreeMap<EntryHash, SignedEntry>,
    from: impl IntoIterator<Item = EntryHash>,
) -> BTreeSet<EntryHash> {
    let mut past = BTreeSet::new();
    let mut stack: Vec<EntryHash> = from.into_iter().collect();
    while let Some(hash) = stack.pop() {
        if !past.insert(hash) {
            continue;
        }
        if let Some(entry) = entries.get(&hash) {
            stack.extend(entry.body.parents.iter().copied());
        }
    }
    past
}

impl<'a> Replay<'a> {
    /// Replays one entry. An entry whose signer's vote does not count
    /// (`votes` false: signed by a revoked key outside the revoking
    /// proposal's past) approves nothing and delegates nothing; a proposal
    /// among them stays a proposal, without its proposer's approval, so
    /// that members who approve it still decide (two members proposing
    /// each other's removal are both removed if the others back both).
    fn entry(&mut self, hash: EntryHash, entry: &'a SignedEntry, votes: bool) {
        let Some(signer) = entry.author().copied() else {
            return;
        };
        if !votes && !matches!(entry.body.kind, EntryKind::Propose(_)) {
            return;
        }
        match &entry.body.kind {
            EntryKind::Charter(charter) => {
                for founder in &charter.founders {
                    self.admit(founder.key, &founder.name, hash);
                }
            }
            EntryKind::Propose(proposal) => {
                let Some(author) = self.state.current_member_of_key(&signer) else {
                    self.state
                        .proposals
                        .insert(hash, ProposalStatus::NotCounted);
                    return;
                };
                let approvers = if votes {
                    BTreeSet::from([author])
                } else {
                    BTreeSet::new()
                };
                self.state
                    .proposals
                    .insert(hash, ProposalStatus::Open { approvers });
                // Every proposal adds one status, so this grows with each.
                let position = self.state.proposals.len();
                self.open.insert(position, (hash, proposal));
                self.open_at.insert(hash, position);
                self.settle(hash, hash);
            }
            EntryKind::Approve { proposal } => {
                let Some(author) = self.state.current_member_of_key(&signer) else {
                    return;
                };
                if let Some(ProposalStatus::Open { approvers }) =
                    self.state.proposals.get_mut(proposal)
                    && approvers.insert(author)
                {
                    // An approval withdraws the member's earlier decline.
                    if let Some(decliners) = self.state.declines.get_mut(proposal) {
                        decliners.remove(&author);
                    }
                    self.settle(hash, *proposal);
                }
            }
            EntryKind::Decline { proposal } => {
                let Some(author) = self.state.current_member_of_key(&signer) else {
                    return;
                };
                // Recorded only while open and not approved by the author:
                // an approval, once counted, is not taken back.
                if let Some(ProposalStatus::Open { approvers }) = self.state.proposals.get(proposal)
                    && !approvers.contains(&author)
                {
                    self.state
                        .declines
                        .entry(*proposal)
                        .or_default()
                        .insert(author);
                }
            }
            EntryKind::Delegate {
                member,
                device,
                expires_at_ms,
            } => self.delegates.push(DelegateCandidate {
                entry: hash,
                signer,
                member: *member,
                device: *device,
                expires_at_ms: *expires_at_ms,
            }),
            EntryKind::RevokeDevice {
                member,
                device,
                frozen_heads,
            } => self.revocations.push(RevocationCandidate {
                entry: hash,
                signer,
                member: *member,
                device: *device,
                frozen_heads: frozen_heads.clone(),
            }),
            EntryKind::Incarnation {
                member,
                incarnation,
            } => self.incarnations.push(IncarnationCandidate {
                entry: hash,
                signer,
                member: *member,
                incarnation: *incarnation,
            }),
        }
    }

    /// Called when the approvals of the open proposal `touched` grew while
    /// replaying entry `at`. Only `touched` can have reached its threshold,
    /// unless applying it changes the member set: then every open proposal
    /// is checked again, oldest first, until none has reached it.
    fn settle(&mut self, at: EntryHash, touched: EntryHash) {
        let Some(&position) = self.open_at.get(&touched) else {
            return;
        };
        if !self
            .open
            .get(&position)
            .is_some_and(|(h, p)| self.reached(h, p))
        {
            return;
        }
        if !self.take_effect(at, position) {
            return;
        }
        while let Some(position) = self
            .open
            .iter()
            .find(|(_, (h, p))| self.reached(h, p))
            .map(|(position, _)| *position)
        {
            self.take_effect(at, position);
        }
    }

    /// Applies (or finds inapplicable) the open proposal at `position`;
    /// true if the member set changed.
    fn take_effect(&mut self, at: EntryHash, position: usize) -> bool {
        let Some((hash, proposal)) = self.open.remove(&position) else {
            return false;
        };
        self.open_at.remove(&hash);
        let members_before = self.state.members.len();
        let status = if self.apply(at, hash, proposal) {
            ProposalStatus::Applied { at }
        } else {
            ProposalStatus::Inapplicable { at }
        };
        self.state.proposals.insert(hash, status);
        let changes_members = matches!(proposal, Proposal::Add { .. } | Proposal::Remove { .. });
        changes_members && self.state.members.len() != members_before
    }

    fn reached(&self, hash: &EntryHash, proposal: &Proposal) -> bool {
        let Some(ProposalStatus::Open { approvers }) = self.state.proposals.get(hash) else {
            return false;
        };
        let members = &self.state.members;
        let counted = approvers.iter().filter(|m| members.contains_key(m)).count();
        if counted * 2 <= members.len() {
            return false;
        }
        match proposal {
            Proposal::AppointOfficer { serves, .. } => serves
                .iter()
                .all(|m| members.contains_key(m) && approvers.contains(m)),
            Proposal::Add { .. }
            | Proposal::Remove { .. }
            | Proposal::RotateKey { .. }
            | Proposal::DismissOfficer { .. }
            | Proposal::SetAgreement { .. } => true,
        }
    }

    /// Applies a proposal that reached its threshold when entry `at` was
    /// replayed; false if it could no longer apply.
    fn apply(&mut self, at: EntryHash, hash: EntryHash, proposal: &Proposal) -> bool {
        let state = &mut self.state;
        match proposal {
            Proposal::Add { key, name } => {
                if state.member_keys.contains_key(key) {
                    return false;
                }
                self.admit(*key, name, hash);
            }
            Proposal::Remove {
                member,
                frozen_heads,
            } => {
                if !state.members.contains_key(member) || state.members.len() == 1 {
                    return false;
                }
                state.members.remove(member);
                if let Some(record) = state.records.get_mut(member) {
                    record.removed = Some(Freeze {
                        proposal: hash,
                        frozen_heads: frozen_heads.clone(),
                    });
                }
            }
            Proposal::RotateKey {
                member,
                new_key,
                frozen_heads,
            } => {
                if state.member_keys.contains_key(new_key) {
                    return false;
                }
                let (Some(info), Some(record)) =
                    (state.members.get_mut(member), state.records.get_mut(member))
                else {
                    return false;
                };
                info.current_key = *new_key;
                if let Some(old) = record.keys.last_mut() {
                    old.revoked = Some(Freeze {
                        proposal: hash,
                        frozen_heads: frozen_heads.clone(),
                    });
                }
                record.keys.push(KeyRecord {
                    key: *new_key,
                    revoked: None,
                });
                state.member_keys.insert(*new_key, *member);
            }
            Proposal::AppointOfficer {
                officer_key,
                name,
                serves,
            } => {
                if state.officers.contains_key(officer_key) {
                    return false;
                }
                state
                    .served_ever
                    .extend(serves.iter().map(|member| (*officer_key, *member)));
                state.officers.insert(
                    *officer_key,
                    Officer {
                        key: *officer_key,
                        name: name.clone(),
                        serves: serves.clone(),
                        appointed_by: hash,
                    },
                );
            }
            Proposal::DismissOfficer { officer_key } => {
                if state.officers.remove(officer_key).is_none() {
                    return false;
                }
            }
            Proposal::SetAgreement {
                agreement,
                previous,
            } => {
                if state.agreements.last().map(|v| v.proposal) != *previous {
                    return false;
                }
                let proposal_entry = self.entries.get(&hash);
                let Some(proposed_by) = proposal_entry
                    .and_then(|e| e.author())
                    .and_then(|key| state.member_keys.get(key))
                    .copied()
                else {
                    return false;
                };
                let approved_by = match state.proposals.get(&hash) {
                    Some(ProposalStatus::Open { approvers }) => approvers
                        .iter()
                        .filter(|m| state.members.contains_key(m))
                        .copied()
                        .collect(),
                    _ => BTreeSet::new(),
                };
                state.agreements.push(AgreementVersion {
                    agreement: (**agreement).clone(),
                    proposal: hash,
                    proposed_by,
                    proposed_at_ms: proposal_entry.map_or(0, |e| e.body.issued_at_ms),
                    approved_by,
                    applied_at: at,
                    applied_at_ms: self.entries.get(&at).map_or(0, |e| e.body.issued_at_ms),
                });
            }
        }
        true
    }

    fn admit(&mut self, key: PublicKey, name: &str, admitted_by: EntryHash) {
        let member = MemberId::from_key(key);
        self.state.members.insert(
            member,
            MemberInfo {
                name: name.to_owned(),
                current_key: key,
                admitted_by,
            },
        );
        self.state.records.insert(
            member,
            MemberRecord {
                name: name.to_owned(),
                admitted_by,
                keys: vec![KeyRecord { key, revoked: None }],
                removed: None,
                delegations: Vec::new(),
                revoked_devices: Vec::new(),
                incarnations: BTreeMap::new(),
            },
        );
        self.state.member_keys.insert(key, member);
    }

    fn finish(mut self) -> MembershipState {
        // A device belongs to at most one member: the first valid delegation
        // in replay order decides, and a member key is never anyone's device.
        let mut device_owner: BTreeMap<PublicKey, MemberId> = BTreeMap::new();
        for candidate in self.delegates {
            if self.state.member_keys.contains_key(&candidate.device) {
                continue;
            }
            let Some(record) = self.state.records.get_mut(&candidate.member) else {
                continue;
            };
            if !record.keys.iter().any(|k| k.key == candidate.signer) {
                continue;
            }
            let owner = *device_owner
                .entry(candidate.device)
                .or_insert(candidate.member);
            if owner == candidate.member {
                record.delegations.push(Delegation {
                    device: candidate.device,
                    issued_under: candidate.signer,
                    expires_at_ms: candidate.expires_at_ms,
                    entry: candidate.entry,
                });
            }
        }
        // A device is revoked by a key of the member it was delegated to;
        // the first valid revocation in replay order decides its heads.
        for candidate in self.revocations {
            let Some(record) = self.state.records.get_mut(&candidate.member) else {
                continue;
            };
            let own_key = record.keys.iter().any(|k| k.key == candidate.signer);
            let own_device = record
                .delegations
                .iter()
                .any(|d| d.device == candidate.device);
            if !own_key || !own_device || record.device_revocation(&candidate.device).is_some() {
                continue;
            }
            record.revoked_devices.push(DeviceRevocation {
                device: candidate.device,
                revoked_under: candidate.signer,
                entry: candidate.entry,
                frozen_heads: candidate.frozen_heads,
            });
        }
        let declared = declare_incarnations(&mut self.state, self.incarnations);
        count_incarnations(&mut self.state, declared);
        self.state
    }
}

/// Records each valid declaration: signed by one of the member's keys or
/// a device it validly delegated (decided on the final keys and
/// delegations, like a revocation), a new incarnation for that key, and
/// within the key's first [`INCARNATIONS_PER_KEY_MAX`]. Returns them in
/// replay order as (member, key, position in the key's list).
fn declare_incarnations(
    state: &mut MembershipState,
    candidates: Vec<IncarnationCandidate>,
) -> Vec<(MemberId, PublicKey, usize)> {
    let mut declared = Vec::new();
    for candidate in candidates {
        let Some(record) = state.records.get_mut(&candidate.member) else {
            continue;
        };
        let own_key = record.keys.iter().any(|k| k.key == candidate.signer)
            || record
                .delegations
                .iter()
                .any(|d| d.device == candidate.signer);
        if !own_key {
            continue;
        }
        let list = record.incarnations.entry(candidate.signer).or_default();
        if list.len() >= INCARNATIONS_PER_KEY_MAX
            || list.iter().any(|d| d.incarnation == candidate.incarnation)
        {
            continue;
        }
        declared.push((candidate.member, candidate.signer, list.len()));
        list.push(DeclaredIncarnation {
            incarnation: candidate.incarnation,
            entry: candidate.entry,
            counts: false,
        });
    }
    declared
}

/// Decides which declared incarnations count. Those of a key that no
/// longer writes for its member (a revoked device, a rotated-away key, a
/// removed member) all count: their changes are bounded by the heads frozen
/// for them. Those of the keys still writing count up to
/// [`INCARNATIONS_PER_MEMBER_MAX`] per member, the first in replay order.
fn count_incarnations(state: &mut MembershipState, declared: Vec<(MemberId, PublicKey, usize)>) {
    let mut counted: BTreeMap<MemberId, usize> = BTreeMap::new();
    for (member, key, position) in declared {
        let counts = if state.writes_for(&key, &member) {
            let used = counted.entry(member).or_insert(0);
            *used += 1;
            *used <= INCARNATIONS_PER_MEMBER_MAX
        } else {
            true
        };
        if let Some(declared) = state
            .records
            .get_mut(&member)
            .and_then(|record| record.incarnations.get_mut(&key))
            .and_then(|list| list.get_mut(position))
        {
            declared.counts = counts;
        }
    }
}
