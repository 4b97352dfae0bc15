//! The wire form: bytes round trip, and hashes that depend only on the
//! decoded value.

use std::collections::BTreeMap;

use super::*;
use crate::ids::Collection;
use crate::membership::Founder;

fn one_of_each_kind() -> Vec<SignedEntry> {
    let (keys, mut log) = pact(2);
    let mut entries = vec![log.entries_in_order()[0].1.clone()];
    let proposals = [
        add(&key(40)),
        Proposal::Remove {
            member: id(&keys[1]),
            frozen_heads: BTreeMap::from([(
                Collection::Requests,
                vec![
                    automerge::ChangeHash([4; 32]),
                    automerge::ChangeHash([5; 32]),
                ],
            )]),
        },
        Proposal::RotateKey {
            member: id(&keys[0]),
            new_key: key(11).public(),
            frozen_heads: BTreeMap::new(),
        },
        Proposal::AppointOfficer {
            officer_key: key(60).public(),
            name: "Gemeinsamer ISB Südhessen".into(),
            serves: vec![id(&keys[0]), id(&keys[1])],
        },
        Proposal::DismissOfficer {
            officer_key: key(60).public(),
        },
    ];
    for proposal in proposals {
        entries.push(log.propose(&keys[0], proposal, T0_MS));
    }
    entries.push(log.approve(&keys[1], EntryHash([1; 32]), T0_MS));
    entries.push(log.delegate(&keys[0], id(&keys[0]), &key(80), T0_MS, T0_MS));
    for entry in &entries[1..] {
        let _ = log.insert(entry.clone());
    }
    entries
}

#[test]
fn entries_round_trip_through_bytes_with_stable_hashes() {
    for entry in one_of_each_kind() {
        let bytes = entry.to_bytes();
        let decoded = SignedEntry::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, entry);
        assert_eq!(decoded.hash(), entry.hash());
        assert_eq!(decoded.to_bytes(), bytes);
    }
}

#[test]
fn entries_round_trip_through_json() {
    for entry in one_of_each_kind() {
        let json = serde_json::to_string(&entry).unwrap();
        let decoded: SignedEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(decoded.hash(), entry.hash());
    }
}

#[test]
fn the_pact_id_is_stable() {
    let (_, first) = pact(3);
    let (_, second) = pact(3);
    assert_eq!(first.pact_id(), second.pact_id());
    // Pinned: a change here changes every pact id and entry hash.
    assert_eq!(first.pact_id().to_string(), PINNED_PACT_ID);
}

const PINNED_PACT_ID: &str = "900457c4b370c811936c1b33e31f5f148026f9b1c1139e04a9c0e4f7eba5f33d";

#[test]
fn a_non_canonical_encoding_has_the_canonical_hash() {
    let (keys, mut log) = pact(2);
    let entry = log.approve(&keys[0], EntryHash([1; 32]), T0_MS);
    let bytes = entry.to_bytes();
    // Option tag 1, then the pact id's length 32 as a one-byte varint;
    // postcard also accepts it as the overlong varint `a0 00`.
    assert_eq!(&bytes[..2], &[1, 32]);
    let mut overlong = vec![1, 0xa0, 0x00];
    overlong.extend_from_slice(&bytes[2..]);
    let decoded = SignedEntry::from_bytes(&overlong).unwrap();
    assert_eq!(decoded.hash(), entry.hash());
    assert_eq!(decoded.to_bytes(), bytes);
    assert_eq!(
        log.insert_bytes(&bytes),
        Ok(InsertOutcome::Applied {
            state_changed: false
        })
    );
    assert_eq!(log.insert_bytes(&overlong), Ok(InsertOutcome::Duplicate));
    assert_eq!(log.hashes().len(), 2);
}

#[test]
fn a_charter_signed_in_turn_equals_one_signed_at_once_whoever_signs_first() {
    let (a, b, c) = (key(41), key(42), key(43));
    let at_once = MembershipLog::charter("Pakt", &[(&a, "A"), (&b, "B"), (&c, "C")], 1_000);
    let founders = vec![
        Founder {
            key: a.public(),
            name: "A".into(),
        },
        Founder {
            key: b.public(),
            name: "B".into(),
        },
        Founder {
            key: c.public(),
            name: "C".into(),
        },
    ];
    let mut draft = SignedEntry::charter_draft("Pakt", founders, 1_000);
    assert_eq!(draft.missing_charter_signatures().len(), 3);
    assert!(
        MembershipLog::new(draft.clone()).is_err(),
        "an unsigned draft is no charter"
    );
    for signer in [&c, &a, &b] {
        assert!(draft.add_charter_signature(signer));
    }
    assert!(draft.missing_charter_signatures().is_empty());
    assert_eq!(draft, at_once);
    assert_eq!(draft.hash(), at_once.hash());
    assert!(MembershipLog::new(draft.clone()).is_ok());
    assert!(
        !draft.add_charter_signature(&key(44)),
        "a stranger cannot sign"
    );
    assert_eq!(draft, at_once);
}
