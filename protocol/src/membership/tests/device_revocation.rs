//! Revoking a lost device: the member's own key freezes one device
//! delegation at the heads it names; nobody else's key can, a rotated-away
//! (stolen) key cannot after the rotation, and re-delegating the device
//! does not bring it back.

use std::collections::BTreeMap;

use super::*;
use crate::ids::{Collection, DocumentId};
use crate::membership::{Authority, EntryBody, EntryKind, FrozenHeads};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn offers_at(head: [u8; 32]) -> FrozenHeads {
    BTreeMap::from([(Collection::Offers, vec![automerge::ChangeHash(head)])])
}

/// Three founders; A delegated devices 80 (the stolen laptop) and 81.
fn with_devices() -> (Vec<KeyPair>, MembershipLog) {
    let (keys, mut log) = pact(3);
    let a = &keys[0];
    for seed in [80, 81] {
        let delegation = log.delegate(a, id(a), &key(seed), T0_MS + 365 * DAY_MS, T0_MS);
        apply(&mut log, delegation);
    }
    (keys, log)
}

#[test]
fn a_revoked_device_writes_only_inside_the_heads_named() {
    let (keys, mut log) = with_devices();
    let a = &keys[0];
    let revocation = log.revoke_device(a, id(a), device(80), offers_at([6; 32]), T0_MS);
    apply(&mut log, revocation);
    let state = log.state();
    let offers = DocumentId::new(id(a), Collection::Offers);
    let profile = DocumentId::new(id(a), Collection::Profile);
    assert_eq!(
        state.authorise(&device(80), &offers, T0_MS),
        Ok(Authority::Frozen {
            heads: vec![automerge::ChangeHash([6; 32])]
        })
    );
    assert_eq!(
        state.authorise(&device(80), &profile, T0_MS),
        Ok(Authority::Frozen { heads: Vec::new() })
    );
    assert_eq!(state.member_of_key(&device(80)), None, "no longer admitted");
    assert_eq!(
        state.authorise(&device(81), &offers, T0_MS),
        Ok(Authority::Full),
        "the member's other device writes on"
    );
    assert_eq!(state.member_of_key(&device(81)), Some(id(a)));
    assert_eq!(
        state.authorise(&a.public(), &offers, T0_MS),
        Ok(Authority::Full)
    );
}

#[test]
fn re_delegating_a_revoked_device_does_not_bring_it_back() {
    let (keys, mut log) = with_devices();
    let a = &keys[0];
    let revocation = log.revoke_device(a, id(a), device(80), offers_at([6; 32]), T0_MS);
    apply(&mut log, revocation);
    let again = log.delegate(a, id(a), &key(80), T0_MS + DAY_MS, T0_MS);
    apply(&mut log, again);
    let offers = DocumentId::new(id(a), Collection::Offers);
    assert!(matches!(
        log.state().authorise(&device(80), &offers, T0_MS),
        Ok(Authority::Frozen { .. })
    ));
    assert_eq!(log.state().member_of_key(&device(80)), None);
}

#[test]
fn another_member_cannot_revoke_a_device_that_is_not_its_own() {
    let (keys, mut log) = with_devices();
    let (a, b) = (&keys[0], &keys[1]);
    // B is a current member, so the entry is stored, but it revokes
    // nothing: A's device is not B's to revoke.
    let by_b = log.revoke_device(b, id(a), device(80), offers_at([6; 32]), T0_MS);
    apply(&mut log, by_b);
    let as_if_b_owned = log.revoke_device(b, id(b), device(80), offers_at([6; 32]), T0_MS);
    apply(&mut log, as_if_b_owned);
    let offers = DocumentId::new(id(a), Collection::Offers);
    assert_eq!(
        log.state().authorise(&device(80), &offers, T0_MS),
        Ok(Authority::Full)
    );
    assert_eq!(log.state().member_of_key(&device(80)), Some(id(a)));
}

#[test]
fn a_rotated_away_key_cannot_revoke_the_new_key_s_devices() {
    let (keys, mut log) = with_devices();
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let before_rotation = log.heads();
    let new_a = key(11);
    let rotation = propose(
        &mut log,
        b,
        Proposal::RotateKey {
            member: id(a),
            new_key: new_a.public(),
            frozen_heads: offers_at([5; 32]),
        },
    );
    approve_all(&mut log, &[c], rotation);
    let fresh = log.delegate(&new_a, id(a), &key(82), T0_MS + DAY_MS, T0_MS);
    apply(&mut log, fresh);

    // On top of the rotation the old key is no author at all.
    let late = log.revoke_device(a, id(a), device(82), offers_at([6; 32]), T0_MS);
    assert_eq!(log.insert(late), Err(EntryRejection::AuthorNotCurrent));
    // Backdated onto the heads before the rotation it is stored (its
    // author was current there) but counts for nothing.
    let backdated = SignedEntry::sign(
        EntryBody {
            pact: Some(log.pact_id()),
            parents: before_rotation,
            issued_at_ms: T0_MS,
            kind: EntryKind::RevokeDevice {
                member: id(a),
                device: device(82),
                frozen_heads: offers_at([6; 32]),
            },
        },
        &[a],
    );
    apply(&mut log, backdated);
    let offers = DocumentId::new(id(a), Collection::Offers);
    assert_eq!(
        log.state().authorise(&device(82), &offers, T0_MS),
        Ok(Authority::Full)
    );
    // The new key revokes its own device.
    let revocation = log.revoke_device(&new_a, id(a), device(82), offers_at([7; 32]), T0_MS);
    apply(&mut log, revocation);
    assert_eq!(
        log.state().authorise(&device(82), &offers, T0_MS),
        Ok(Authority::Frozen {
            heads: vec![automerge::ChangeHash([7; 32])]
        })
    );
}

#[test]
fn a_revocation_has_one_signature_and_bounded_heads() {
    let (keys, log) = with_devices();
    let a = &keys[0];
    let too_many: FrozenHeads = BTreeMap::from([(
        Collection::Offers,
        (0..=crate::membership::FROZEN_HEADS_PER_COLLECTION_MAX)
            .map(|n| automerge::ChangeHash([n as u8; 32]))
            .collect(),
    )]);
    let mut log = log;
    let oversized = log.revoke_device(a, id(a), device(80), too_many, T0_MS);
    assert!(matches!(
        log.insert(oversized),
        Err(EntryRejection::Malformed(_))
    ));
    let body = log
        .revoke_device(a, id(a), device(80), offers_at([6; 32]), T0_MS)
        .body;
    let twice = SignedEntry::sign(body, &[a, &key(80)]);
    assert!(matches!(
        log.insert(twice),
        Err(EntryRejection::Malformed(_))
    ));
    let bytes = log
        .revoke_device(a, id(a), device(80), offers_at([6; 32]), T0_MS)
        .to_bytes();
    let decoded = SignedEntry::from_bytes(&bytes).unwrap();
    assert!(matches!(decoded.body.kind, EntryKind::RevokeDevice { .. }));
}

/// A thief with the member key (the laptop held both) revokes the stolen
/// device himself, naming heads that hold his own changes, before the
/// pact rotates the key at the heads it trusts. The rotation must still
/// bound the device: a revocation narrows what a device may write, it
/// never widens what a removal or rotation allows.
#[test]
fn a_revocation_by_a_stolen_key_does_not_widen_the_rotation_s_freeze() {
    let (keys, mut log) = with_devices();
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let thief_s = log.revoke_device(a, id(a), device(80), offers_at([9; 32]), T0_MS);
    apply(&mut log, thief_s);
    let rotation = propose(
        &mut log,
        b,
        Proposal::RotateKey {
            member: id(a),
            new_key: key(11).public(),
            frozen_heads: offers_at([5; 32]),
        },
    );
    approve_all(&mut log, &[c], rotation);
    let offers = DocumentId::new(id(a), Collection::Offers);
    let authority = log.state().authorise(&device(80), &offers, T0_MS);
    assert_ne!(
        authority,
        Ok(Authority::Frozen {
            heads: vec![automerge::ChangeHash([9; 32])]
        }),
        "the thief's heads alone would let his changes through"
    );
    assert_eq!(
        authority,
        Ok(Authority::FrozenTwice {
            heads: vec![automerge::ChangeHash([5; 32])],
            revoked: vec![automerge::ChangeHash([9; 32])],
        })
    );
    assert_eq!(
        authority.unwrap().frozen_heads(),
        [
            &vec![automerge::ChangeHash([5; 32])],
            &vec![automerge::ChangeHash([9; 32])]
        ],
        "a change must lie inside both"
    );
    // The member's other device, not revoked, is bound by the rotation.
    assert_eq!(
        log.state().authorise(&device(81), &offers, T0_MS),
        Ok(Authority::Frozen {
            heads: vec![automerge::ChangeHash([5; 32])]
        })
    );
}

/// The member revokes its lost laptop; the pact later removes the member
/// at heads that hold the laptop's last changes. The revocation keeps
/// bounding the laptop, and the removal bounds it too.
#[test]
fn a_removal_after_a_revocation_bounds_the_device_by_both() {
    let (keys, mut log) = with_devices();
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let revocation = log.revoke_device(a, id(a), device(80), offers_at([6; 32]), T0_MS);
    apply(&mut log, revocation);
    let removal = propose(
        &mut log,
        b,
        Proposal::Remove {
            member: id(a),
            frozen_heads: offers_at([7; 32]),
        },
    );
    approve_all(&mut log, &[c], removal);
    let offers = DocumentId::new(id(a), Collection::Offers);
    assert_eq!(
        log.state().authorise(&device(80), &offers, T0_MS),
        Ok(Authority::FrozenTwice {
            heads: vec![automerge::ChangeHash([7; 32])],
            revoked: vec![automerge::ChangeHash([6; 32])],
        })
    );
}
