//! Tests of the membership log: rejections, majorities, partitions,
//! convergence under any arrival order, rotation, delegation and the wire
//! form. Shared fixtures live here.

mod agreement;
mod authority;
mod convergence;
mod decline;
mod device_revocation;
mod incarnations;
mod majority;
mod partition;
mod rejections;
mod rotation;
mod wire;

use std::collections::BTreeMap;

use crate::identity::KeyPair;
use crate::ids::{EntryHash, MemberId, PublicKey};

use super::{EntryRejection, InsertOutcome, MembershipLog, MembershipState, Proposal, SignedEntry};

/// Start of the pact in the tests, ms since the Unix epoch.
const T0_MS: i64 = 1_750_000_000_000;

fn key(seed: u8) -> KeyPair {
    KeyPair::from_seed([seed; 32])
}

fn id(key: &KeyPair) -> MemberId {
    MemberId::from_key(key.public())
}

/// A pact founded by `founders` members with keys `key(1)..=key(founders)`.
fn pact(founders: u8) -> (Vec<KeyPair>, MembershipLog) {
    let keys: Vec<KeyPair> = (1..=founders).map(key).collect();
    let names: Vec<String> = (1..=founders).map(|i| format!("Kreis {i}")).collect();
    let signers: Vec<(&KeyPair, &str)> = keys
        .iter()
        .zip(&names)
        .map(|(k, n)| (k, n.as_str()))
        .collect();
    let charter = MembershipLog::charter("Pakt für Cyberresilienz", &signers, T0_MS);
    let log = MembershipLog::new(charter).unwrap();
    (keys, log)
}

fn add(key: &KeyPair) -> Proposal {
    Proposal::Add {
        key: key.public(),
        name: format!("Gemeinde {}", key.public().short()),
    }
}

fn remove(member: &KeyPair) -> Proposal {
    Proposal::Remove {
        member: id(member),
        frozen_heads: BTreeMap::new(),
    }
}

/// Inserts and asserts the entry applied; returns its hash.
fn apply(log: &mut MembershipLog, entry: SignedEntry) -> EntryHash {
    let hash = entry.hash();
    match log.insert(entry) {
        Ok(InsertOutcome::Applied { .. }) => hash,
        other => panic!("expected the entry to apply, got {other:?}"),
    }
}

/// `author` proposes; returns the proposal's hash.
fn propose(log: &mut MembershipLog, author: &KeyPair, proposal: Proposal) -> EntryHash {
    let entry = log.propose(author, proposal, T0_MS);
    apply(log, entry)
}

/// Each of `approvers` approves `proposal`, one after the other.
fn approve_all(log: &mut MembershipLog, approvers: &[&KeyPair], proposal: EntryHash) {
    for approver in approvers {
        let entry = log.approve(approver, proposal, T0_MS);
        apply(log, entry);
    }
}

/// Copies every entry of `from` into `to`.
fn sync(from: &MembershipLog, to: &mut MembershipLog) {
    let entries: Vec<SignedEntry> = from
        .entries_in_order()
        .into_iter()
        .map(|(_, e)| e.clone())
        .collect();
    for entry in entries {
        assert!(to.insert(entry).is_ok());
    }
}

fn member_ids(state: &MembershipState) -> Vec<MemberId> {
    state.members().map(|(m, _)| *m).collect()
}

fn device(seed: u8) -> PublicKey {
    key(seed).public()
}
