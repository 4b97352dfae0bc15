//! `authorise`, `member_of_key` and `authority_fingerprint`.

use std::collections::BTreeMap;

use super::*;
use crate::ids::{Collection, DocumentId};
use crate::membership::{Authority, AuthorityError};

const EXPIRY_MS: i64 = T0_MS + 90 * 24 * 60 * 60 * 1000;

fn offers_of(member: &KeyPair) -> DocumentId {
    DocumentId::new(id(member), Collection::Offers)
}

#[test]
fn delegation_expiry_is_compared_with_the_change_time() {
    let (keys, mut log) = pact(3);
    let a = &keys[0];
    let entry = log.delegate(a, id(a), &key(80), EXPIRY_MS, T0_MS);
    apply(&mut log, entry);
    let doc = offers_of(a);
    let state = log.state();
    assert_eq!(
        state.authorise(&device(80), &doc, T0_MS),
        Ok(Authority::Full)
    );
    assert_eq!(
        state.authorise(&device(80), &doc, EXPIRY_MS),
        Ok(Authority::Full)
    );
    assert_eq!(
        state.authorise(&device(80), &doc, EXPIRY_MS + 1),
        Err(AuthorityError::DelegationExpired)
    );
    // A renewal covers later changes; the earlier ones stay covered.
    let renewal = log.delegate(a, id(a), &key(80), EXPIRY_MS * 2, T0_MS);
    apply(&mut log, renewal);
    assert_eq!(
        log.state().authorise(&device(80), &doc, EXPIRY_MS + 1),
        Ok(Authority::Full)
    );
}

#[test]
fn a_member_key_writes_its_own_documents_without_expiry() {
    let (keys, log) = pact(3);
    let a = &keys[0];
    let state = log.state();
    assert_eq!(
        state.authorise(&a.public(), &offers_of(a), i64::MAX),
        Ok(Authority::Full)
    );
    assert_eq!(
        state.authorise(&a.public(), &offers_of(&keys[1]), T0_MS),
        Err(AuthorityError::SignerNotDelegated),
        "a member key is no delegate for another member"
    );
}

#[test]
fn only_the_owners_keys_can_delegate() {
    let (keys, mut log) = pact(3);
    let (a, b) = (&keys[0], &keys[1]);
    // B signs a delegation for A's documents: stored, but grants nothing.
    let forged = log.delegate(b, id(a), &key(80), EXPIRY_MS, T0_MS);
    apply(&mut log, forged);
    // A delegation for someone never admitted grants nothing either.
    let stranger = key(66);
    let ghost = log.delegate(a, id(&stranger), &key(81), EXPIRY_MS, T0_MS);
    apply(&mut log, ghost);
    let state = log.state();
    assert_eq!(
        state.authorise(&device(80), &offers_of(a), T0_MS),
        Err(AuthorityError::SignerNotDelegated)
    );
    assert_eq!(
        state.authorise(&device(81), &offers_of(&stranger), T0_MS),
        Err(AuthorityError::OwnerNotMember)
    );
    assert_eq!(state.member_of_key(&device(80)), None);
    assert_eq!(state.member_of_key(&device(81)), None);
    assert_eq!(state.member_of_key(&stranger.public()), None);
}

#[test]
fn a_removed_members_documents_are_frozen_at_the_removal_heads() {
    let (keys, mut log) = pact(3);
    let c = &keys[2];
    let entry = log.delegate(c, id(c), &key(80), EXPIRY_MS, T0_MS);
    apply(&mut log, entry);
    assert_eq!(log.state().member_of_key(&device(80)), Some(id(c)));
    let head = automerge::ChangeHash([3; 32]);
    let kick = Proposal::Remove {
        member: id(c),
        frozen_heads: BTreeMap::from([(Collection::Offers, vec![head])]),
    };
    let kick = propose(&mut log, &keys[0], kick);
    approve_all(&mut log, &[&keys[1]], kick);
    let state = log.state();
    let frozen = Ok(Authority::Frozen { heads: vec![head] });
    assert_eq!(state.authorise(&device(80), &offers_of(c), T0_MS), frozen);
    assert_eq!(state.authorise(&c.public(), &offers_of(c), T0_MS), frozen);
    let pledges = DocumentId::new(id(c), Collection::Pledges);
    assert_eq!(
        state.authorise(&device(80), &pledges, T0_MS),
        Ok(Authority::Frozen { heads: Vec::new() })
    );
    assert_eq!(
        state.authorise(&device(99), &offers_of(c), T0_MS),
        Err(AuthorityError::SignerNotDelegated)
    );
    assert_eq!(state.member_of_key(&device(80)), None);
    assert_eq!(state.member_of_key(&c.public()), None);
}

#[test]
fn the_fingerprint_follows_exactly_what_authorise_depends_on() {
    let (keys, mut log) = pact(5);
    let (a, b) = (&keys[0], &keys[1]);
    let print = |log: &MembershipLog| log.state().authority_fingerprint(&id(a));
    let mut last = print(&log);
    assert_ne!(last, log.state().authority_fingerprint(&id(b)));

    // Unrelated: another member's delegation, a proposal, an approval, an
    // admission of someone else.
    let other = log.delegate(b, id(b), &key(90), EXPIRY_MS, T0_MS);
    apply(&mut log, other);
    let admit = propose(&mut log, b, add(&key(40)));
    approve_all(&mut log, &[&keys[2], &keys[3]], admit);
    assert!(log.state().is_member(&id(&key(40))));
    assert_eq!(print(&log), last);

    // A delegation of A's.
    let delegation = log.delegate(a, id(a), &key(80), EXPIRY_MS, T0_MS);
    apply(&mut log, delegation);
    assert_ne!(print(&log), last);
    last = print(&log);

    // A rotation of A's key.
    let rotation = Proposal::RotateKey {
        member: id(a),
        new_key: key(11).public(),
        frozen_heads: BTreeMap::new(),
    };
    let rotation = propose(&mut log, b, rotation);
    approve_all(&mut log, &[&keys[2], &keys[3], &keys[4]], rotation);
    assert_eq!(log.state().member_of_key(&key(11).public()), Some(id(a)));
    assert_ne!(print(&log), last);
    last = print(&log);

    // A's removal.
    let kick = propose(&mut log, b, remove(a));
    approve_all(&mut log, &[&keys[2], &keys[3], &keys[4]], kick);
    assert!(!log.state().is_member(&id(a)));
    assert_ne!(print(&log), last);
}

#[test]
fn member_of_key_ignores_strangers_and_finds_devices() {
    let (keys, mut log) = pact(2);
    let b = &keys[1];
    let entry = log.delegate(b, id(b), &key(80), EXPIRY_MS, T0_MS);
    apply(&mut log, entry);
    let state = log.state();
    assert_eq!(state.member_of_key(&device(80)), Some(id(b)));
    assert_eq!(state.member_of_key(&b.public()), Some(id(b)));
    assert_eq!(state.member_of_key(&device(81)), None);
    let mut expected = vec![id(&keys[0]), id(b)];
    expected.sort();
    assert_eq!(member_ids(state), expected);
}
