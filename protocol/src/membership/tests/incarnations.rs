//! Declared incarnations: only a declared one authorises a change, only a
//! key writing for the member declares, the caps per key and per member
//! hold alike whatever the arrival order, a revoked device frees its
//! slots, and a rotated-away key's backdated declaration counts for
//! nothing.

use super::*;
use crate::identity::INCARNATION_LEN;
use crate::ids::{ActorKey, Collection, DocumentId};
use crate::membership::{
    Authority, AuthorityError, EntryBody, EntryKind, INCARNATIONS_PER_KEY_MAX,
    INCARNATIONS_PER_MEMBER_MAX,
};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn incarnation(n: u8) -> [u8; INCARNATION_LEN] {
    [n; INCARNATION_LEN]
}

fn actor(key: &KeyPair, n: u8) -> ActorKey {
    let mut bytes = [0u8; ActorKey::LEN];
    bytes[..32].copy_from_slice(&key.public().0);
    bytes[32..].copy_from_slice(&incarnation(n));
    ActorKey(bytes)
}

/// Three founders; A delegated devices 80, 81 and 82.
fn with_devices() -> (Vec<KeyPair>, MembershipLog) {
    let (keys, mut log) = pact(3);
    let a = &keys[0];
    for seed in [80, 81, 82] {
        let delegation = log.delegate(a, id(a), &key(seed), T0_MS + 365 * DAY_MS, T0_MS);
        apply(&mut log, delegation);
    }
    (keys, log)
}

/// `count` declarations by `device` of incarnations `first..`, all on the
/// same heads (none sees the others): what a device writing from many
/// stores at once, or a thief, can send.
fn concurrent(
    log: &MembershipLog,
    device: &KeyPair,
    member: MemberId,
    first: u8,
    count: u8,
) -> Vec<SignedEntry> {
    (first..first + count)
        .map(|n| log.declare_incarnation(device, member, incarnation(n), T0_MS))
        .collect()
}

fn counting(log: &MembershipLog, member: MemberId, device: &KeyPair) -> usize {
    log.state()
        .incarnations_of(&member, &device.public())
        .iter()
        .filter(|d| d.counts)
        .count()
}

#[test]
fn only_a_declared_incarnation_authorises_a_change() {
    let (keys, mut log) = with_devices();
    let a = &keys[0];
    let offers = DocumentId::new(id(a), Collection::Offers);
    assert_eq!(
        log.state()
            .authorise_actor(&actor(&key(80), 1), &offers, T0_MS),
        Err(AuthorityError::IncarnationNotDeclared)
    );
    let declared = log.declare_incarnation(&key(80), id(a), incarnation(1), T0_MS);
    apply(&mut log, declared);
    let state = log.state();
    assert_eq!(
        state.authorise_actor(&actor(&key(80), 1), &offers, T0_MS),
        Ok(Authority::Full)
    );
    // Another incarnation of the same device, or the same incarnation
    // under another device, is not declared by it.
    assert_eq!(
        state.authorise_actor(&actor(&key(80), 2), &offers, T0_MS),
        Err(AuthorityError::IncarnationNotDeclared)
    );
    assert_eq!(
        state.authorise_actor(&actor(&key(81), 1), &offers, T0_MS),
        Err(AuthorityError::IncarnationNotDeclared)
    );
    // The member key declares and writes for itself as well.
    let own = log.declare_incarnation(a, id(a), incarnation(3), T0_MS);
    apply(&mut log, own);
    assert_eq!(
        log.state().authorise_actor(&actor(a, 3), &offers, T0_MS),
        Ok(Authority::Full)
    );
}

#[test]
fn only_a_key_writing_for_the_member_declares_for_it() {
    let (keys, mut log) = with_devices();
    let (a, b) = (&keys[0], &keys[1]);
    // B's member key, and A's device, each for the other member.
    let for_a = log.declare_incarnation(b, id(a), incarnation(1), T0_MS);
    assert_eq!(log.insert(for_a), Err(EntryRejection::AuthorNotCurrent));
    let for_b = log.declare_incarnation(&key(80), id(b), incarnation(1), T0_MS);
    assert_eq!(log.insert(for_b), Err(EntryRejection::AuthorNotCurrent));
    // A key the pact never delegated.
    let stranger = log.declare_incarnation(&key(90), id(a), incarnation(1), T0_MS);
    assert_eq!(log.insert(stranger), Err(EntryRejection::UnknownAuthor));
    // A revoked device no longer declares.
    let revoked = log.revoke_device(a, id(a), device(81), BTreeMap::new(), T0_MS);
    apply(&mut log, revoked);
    let late = log.declare_incarnation(&key(81), id(a), incarnation(1), T0_MS);
    assert_eq!(log.insert(late), Err(EntryRejection::AuthorNotCurrent));
    assert!(log.state().incarnations_of(&id(a), &device(81)).is_empty());
}

#[test]
fn the_log_refuses_a_keys_declaration_past_its_cap() {
    let (keys, mut log) = with_devices();
    let a = &keys[0];
    for n in 0..INCARNATIONS_PER_KEY_MAX as u8 {
        let entry = log.declare_incarnation(&key(80), id(a), incarnation(n), T0_MS);
        apply(&mut log, entry);
    }
    let one_more = log.declare_incarnation(&key(80), id(a), incarnation(200), T0_MS);
    assert_eq!(
        log.insert(one_more),
        Err(EntryRejection::IncarnationsUsedUp)
    );
    assert_eq!(counting(&log, id(a), &key(80)), INCARNATIONS_PER_KEY_MAX);
}

#[test]
fn declarations_past_the_caps_count_alike_whatever_the_arrival_order() {
    let (keys, base) = with_devices();
    let a = &keys[0];
    // Each device sends 20 declarations on the same heads: each passes
    // the log's check, 60 in all, against caps of 16 per key and 32 per
    // member.
    let mut entries = Vec::new();
    for (seed, first) in [(80, 0), (81, 100), (82, 200)] {
        entries.extend(concurrent(&base, &key(seed), id(a), first, 20));
    }
    let mut forward = base.clone();
    let mut backward = base.clone();
    for entry in &entries {
        apply(&mut forward, entry.clone());
    }
    for entry in entries.iter().rev() {
        apply(&mut backward, entry.clone());
    }
    assert_eq!(forward.state(), backward.state());
    let per_key: Vec<usize> = [80, 81, 82]
        .iter()
        .map(|seed| {
            forward
                .state()
                .incarnations_of(&id(a), &device(*seed))
                .len()
        })
        .collect();
    assert_eq!(per_key, vec![INCARNATIONS_PER_KEY_MAX; 3]);
    let counted: usize = [80, 81, 82]
        .iter()
        .map(|seed| counting(&forward, id(a), &key(*seed)))
        .sum();
    assert_eq!(counted, INCARNATIONS_PER_MEMBER_MAX);
    // Every actor of the member that authorises is one that counts.
    let offers = DocumentId::new(id(a), Collection::Offers);
    let authorised = [(80u8, 0u8), (81, 100), (82, 200)]
        .iter()
        .flat_map(|(seed, first)| (*first..*first + 20).map(move |n| (*seed, n)))
        .filter(|(seed, n)| {
            forward
                .state()
                .authorise_actor(&actor(&key(*seed), *n), &offers, T0_MS)
                .is_ok()
        })
        .count();
    assert_eq!(authorised, INCARNATIONS_PER_MEMBER_MAX);
}

#[test]
fn a_revoked_device_frees_its_slots_and_keeps_its_own() {
    let (keys, mut log) = with_devices();
    let a = &keys[0];
    for (seed, first) in [(80, 0), (81, 100), (82, 200)] {
        for n in first..first + INCARNATIONS_PER_KEY_MAX as u8 {
            let entry = log.declare_incarnation(&key(seed), id(a), incarnation(n), T0_MS);
            apply(&mut log, entry);
        }
    }
    assert_eq!(counting(&log, id(a), &key(82)), 0, "80 and 81 came first");
    let revocation = log.revoke_device(a, id(a), device(80), BTreeMap::new(), T0_MS);
    apply(&mut log, revocation);
    // 80's changes are bounded by the heads its revocation froze; its
    // incarnations still count for those, and no longer take 81's and
    // 82's slots.
    for seed in [80, 81, 82] {
        assert_eq!(
            counting(&log, id(a), &key(seed)),
            INCARNATIONS_PER_KEY_MAX,
            "device {seed}"
        );
    }
}

#[test]
fn a_rotated_away_keys_backdated_declaration_counts_for_nothing() {
    let (keys, mut log) = pact(3);
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let before_rotation = log.heads();
    let new_a = key(11);
    let rotation = propose(
        &mut log,
        b,
        Proposal::RotateKey {
            member: id(a),
            new_key: new_a.public(),
            frozen_heads: BTreeMap::new(),
        },
    );
    approve_all(&mut log, &[c], rotation);
    // A thief with the old key: on top of the rotation it is no author.
    let late = log.declare_incarnation(a, id(a), incarnation(1), T0_MS);
    assert_eq!(log.insert(late), Err(EntryRejection::AuthorNotCurrent));
    // Backdated onto the heads before the rotation it is stored (its
    // author was current there) but declares nothing.
    let backdated = SignedEntry::sign(
        EntryBody {
            pact: Some(log.pact_id()),
            parents: before_rotation,
            issued_at_ms: T0_MS,
            kind: EntryKind::Incarnation {
                member: id(a),
                incarnation: incarnation(1),
            },
        },
        &[a],
    );
    apply(&mut log, backdated);
    assert!(log.state().incarnations_of(&id(a), &a.public()).is_empty());
}

#[test]
fn a_removed_members_device_declares_nothing_on_top_of_its_removal() {
    let (keys, mut log) = with_devices();
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let removal = propose(&mut log, b, remove(a));
    approve_all(&mut log, &[c], removal);
    assert!(!log.state().is_member(&id(a)));
    let late = log.declare_incarnation(&key(80), id(a), incarnation(1), T0_MS);
    assert_eq!(log.insert(late), Err(EntryRejection::AuthorNotCurrent));
    assert!(!log.state().writes_for(&device(80), &id(a)));
}

/// `writes_for` reads the member's own record; it must say what the
/// log-wide `member_of_key` says, for every key and member, through a
/// rotation, a revocation and a removal.
#[test]
fn writes_for_agrees_with_member_of_key() {
    let (keys, mut log) = with_devices();
    let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
    let check = |log: &MembershipLog| {
        let state = log.state();
        let all_keys = [a, b, c, &key(80), &key(81), &key(82), &key(11), &key(90)];
        for k in all_keys {
            for member in [id(a), id(b), id(c)] {
                assert_eq!(
                    state.writes_for(&k.public(), &member),
                    state.member_of_key(&k.public()) == Some(member),
                );
            }
        }
    };
    check(&log);
    let revocation = log.revoke_device(a, id(a), device(81), BTreeMap::new(), T0_MS);
    apply(&mut log, revocation);
    check(&log);
    let rotation = propose(
        &mut log,
        b,
        Proposal::RotateKey {
            member: id(a),
            new_key: key(11).public(),
            frozen_heads: BTreeMap::new(),
        },
    );
    approve_all(&mut log, &[c], rotation);
    check(&log);
    let removal = propose(&mut log, c, remove(b));
    approve_all(&mut log, &[&key(11)], removal);
    check(&log);
}
