//! Key rotation: the old key stops counting, devices delegated under it are
//! frozen at the rotation's heads, devices delegated under the new key write
//! in full.

use std::collections::BTreeMap;

use super::*;
use crate::ids::{Collection, DocumentId};
use crate::membership::{Authority, ProposalStatus};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn rotate(member: &KeyPair, new_key: &KeyPair, offers_head: [u8; 32]) -> Proposal {
    Proposal::RotateKey {
        member: id(member),
        new_key: new_key.public(),
        frozen_heads: BTreeMap::from([(
            Collection::Offers,
            vec![automerge::ChangeHash(offers_head)],
        )]),
    }
}

/// Three founders; A delegated device 80 before B and C rotated A's key to
/// `key(11)`, freezing A's offers at `[5; 32]`.
fn rotated() -> (Vec<KeyPair>, KeyPair, MembershipLog) {
    let (keys, mut log) = pact(3);
    let a = &keys[0];
    let delegation = log.delegate(a, id(a), &key(80), T0_MS + 365 * DAY_MS, T0_MS);
    apply(&mut log, delegation);
    let new_a = key(11);
    let rotation = propose(&mut log, &keys[1], rotate(a, &new_a, [5; 32]));
    approve_all(&mut log, &[&keys[2]], rotation);
    (keys, new_a, log)
}

#[test]
fn rotation_replaces_the_current_key_and_keeps_the_member_id() {
    let (keys, new_a, log) = rotated();
    let a = &keys[0];
    let state = log.state();
    assert!(state.is_member(&id(a)));
    let info = state.members().find(|(m, _)| **m == id(a)).unwrap().1;
    assert_eq!(info.current_key, new_a.public());
    assert_eq!(state.member_of_key(&new_a.public()), Some(id(a)));
    assert_eq!(state.member_of_key(&a.public()), None, "revoked key");
    assert_eq!(
        state.member_of_key(&device(80)),
        None,
        "delegated under the revoked key"
    );
    let record = state.member_record(&id(a)).unwrap();
    assert_eq!(record.keys.len(), 2);
    assert!(record.keys[0].revoked.is_some());
}

#[test]
fn approvals_signed_with_the_old_key_stop_counting() {
    let (keys, new_a, mut log) = rotated();
    let newcomer = key(40);
    let proposal = propose(&mut log, &keys[1], add(&newcomer));
    let by_old_key = log.approve(&keys[0], proposal, T0_MS);
    assert_eq!(
        log.insert(by_old_key),
        Err(EntryRejection::AuthorNotCurrent)
    );
    assert!(
        !log.state().is_member(&id(&newcomer)),
        "old key's approval ignored"
    );
    let entry = log.propose(&keys[0], add(&key(41)), T0_MS);
    assert_eq!(log.insert(entry), Err(EntryRejection::AuthorNotCurrent));
    approve_all(&mut log, &[&new_a], proposal);
    assert!(log.state().is_member(&id(&newcomer)));
}

#[test]
fn old_delegations_are_frozen_and_new_ones_are_full() {
    let (keys, new_a, mut log) = rotated();
    let a = &keys[0];
    let offers = DocumentId::new(id(a), Collection::Offers);
    let profile = DocumentId::new(id(a), Collection::Profile);
    let frozen_offers = Ok(Authority::Frozen {
        heads: vec![automerge::ChangeHash([5; 32])],
    });
    let frozen_empty = Ok(Authority::Frozen { heads: Vec::new() });
    let state = log.state();
    assert_eq!(state.authorise(&device(80), &offers, T0_MS), frozen_offers);
    assert_eq!(state.authorise(&device(80), &profile, T0_MS), frozen_empty);
    assert_eq!(state.authorise(&a.public(), &offers, T0_MS), frozen_offers);
    assert_eq!(
        state.authorise(&new_a.public(), &offers, T0_MS),
        Ok(Authority::Full)
    );

    // A thief holding the old key cannot delegate on top of the rotation.
    let stolen = log.delegate(a, id(a), &key(81), T0_MS + DAY_MS, T0_MS);
    assert_eq!(log.insert(stolen), Err(EntryRejection::AuthorNotCurrent));
    assert_eq!(
        log.state().authorise(&device(81), &offers, T0_MS),
        Err(crate::membership::AuthorityError::SignerNotDelegated)
    );
    // The new key delegates a fresh device, and may re-delegate the old one.
    for seed in [82, 80] {
        let fresh = log.delegate(&new_a, id(a), &key(seed), T0_MS + DAY_MS, T0_MS);
        apply(&mut log, fresh);
        assert_eq!(
            log.state().authorise(&device(seed), &offers, T0_MS),
            Ok(Authority::Full)
        );
    }
    assert_eq!(log.state().member_of_key(&device(82)), Some(id(a)));
}

#[test]
fn rotating_to_a_key_in_use_or_for_a_non_member_is_inapplicable() {
    let (keys, mut log) = pact(3);
    let to_b = propose(&mut log, &keys[0], rotate(&keys[0], &keys[1], [1; 32]));
    approve_all(&mut log, &[&keys[2]], to_b);
    assert!(matches!(
        log.state().proposal(&to_b),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    let stranger = key(40);
    let ghost = propose(&mut log, &keys[0], rotate(&stranger, &key(41), [1; 32]));
    approve_all(&mut log, &[&keys[2]], ghost);
    assert!(matches!(
        log.state().proposal(&ghost),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    let info = log
        .state()
        .members()
        .find(|(m, _)| **m == id(&keys[0]))
        .unwrap()
        .1;
    assert_eq!(info.current_key, keys[0].public());
}

#[test]
fn a_proposed_new_key_may_only_delegate_before_the_rotation_passes() {
    let (keys, mut log) = pact(3);
    let new_a = key(11);
    let rotation = propose(&mut log, &keys[1], rotate(&keys[0], &new_a, [1; 32]));
    // Known (proposed) but not yet current: it may not vote for itself…
    let early = log.approve(&new_a, rotation, T0_MS);
    assert_eq!(log.insert(early), Err(EntryRejection::AuthorNotCurrent));
    // …but may delegate the device it recovers on.
    let delegation = log.delegate(&new_a, id(&keys[0]), &key(83), T0_MS + DAY_MS, T0_MS);
    apply(&mut log, delegation);
    assert!(matches!(
        log.state().proposal(&rotation),
        Some(ProposalStatus::Open { approvers }) if approvers.len() == 1
    ));
    approve_all(&mut log, &[&keys[2]], rotation);
    assert_eq!(
        log.state().member_of_key(&new_a.public()),
        Some(id(&keys[0]))
    );
    assert_eq!(log.state().member_of_key(&device(83)), Some(id(&keys[0])));
}
