//! Sealing, opening, tampering, re-sealing and key announcements.

use super::*;
use crate::identity::KeyPair;
use crate::ids::{MemberId, PublicKey};
use crate::membership::{InsertOutcome, MembershipLog, Proposal};

const CONTEXT: &[u8] = b"pact|member|posture:wiba-03";
const T0_MS: i64 = 1_767_225_600_000;

fn secret(seed: u8) -> EncryptionSecret {
    EncryptionSecret::from_bytes([seed; 32])
}

fn member(seed: u8) -> ReaderId {
    ReaderId::Member(MemberId([seed; 32]))
}

fn officer(seed: u8) -> ReaderId {
    ReaderId::Officer(PublicKey([seed; 32]))
}

fn reader(id: ReaderId, secret: &EncryptionSecret) -> Reader {
    Reader {
        id,
        key: secret.public(),
    }
}

/// A value sealed to member 1 and officer 9.
fn sealed_to_member_and_officer() -> Sealed {
    seal(
        b"WiBA 03: offline backup tested: ja",
        CONTEXT,
        &[
            reader(officer(9), &secret(19)),
            reader(member(1), &secret(11)),
        ],
        [7; 32],
    )
    .unwrap()
}

#[test]
fn every_reader_opens_what_was_sealed() {
    let sealed = sealed_to_member_and_officer();
    assert_eq!(sealed.check_structure(), Ok(()));
    assert_eq!(
        sealed.open(&member(1), &secret(11), CONTEXT).unwrap(),
        b"WiBA 03: offline backup tested: ja"
    );
    assert_eq!(
        sealed.open(&officer(9), &secret(19), CONTEXT).unwrap(),
        b"WiBA 03: offline backup tested: ja"
    );
    // Readers come out sorted by id whatever order they were given in.
    let ids: Vec<ReaderId> = sealed.readers().map(|r| r.id).collect();
    assert_eq!(ids, vec![member(1), officer(9)]);
    // The plaintext is nowhere in the sealed bytes.
    let json = serde_json::to_string(&sealed).unwrap();
    assert!(!json.contains("offline backup"));
    assert!(!json.contains(&hex::encode(b"offline backup")));
}

#[test]
fn a_non_reader_cannot_open() {
    let sealed = sealed_to_member_and_officer();
    assert_eq!(
        sealed.open(&member(2), &secret(12), CONTEXT),
        Err(OpenError::NotAReader)
    );
    // Claiming a reader's id does not help without its secret.
    assert_eq!(
        sealed.open(&member(1), &secret(12), CONTEXT),
        Err(OpenError::OtherKey)
    );
}

#[test]
fn a_relay_cannot_change_the_readers() {
    let sealed = sealed_to_member_and_officer();
    let eve = secret(66);

    // Dropping the officer: the member can no longer open either, so a
    // relay cannot quietly narrow the reader set.
    let mut dropped = sealed.clone();
    dropped.wrappings.retain(|w| w.reader.id != officer(9));
    assert_eq!(
        dropped.open(&member(1), &secret(11), CONTEXT),
        Err(OpenError::Tampered)
    );

    // Adding a reader with a wrapping of its own making: the content key
    // is unknown to the relay, so it can only copy a wrapping, and a
    // copied wrapping is bound to the original reader set.
    let mut added = sealed.clone();
    let mut copy = added.wrappings[0].clone();
    copy.reader = reader(member(5), &eve);
    // Kept in canonical order, so the structure check passes.
    added.wrappings.insert(1, copy);
    assert_eq!(added.check_structure(), Ok(()));
    assert_eq!(
        added.open(&member(5), &eve, CONTEXT),
        Err(OpenError::Tampered)
    );
    assert_eq!(
        added.open(&member(1), &secret(11), CONTEXT),
        Err(OpenError::Tampered)
    );

    // Swapping the officer's key for the relay's own.
    let mut swapped = sealed.clone();
    swapped.wrappings[1].reader.key = eve.public();
    assert_eq!(
        swapped.open(&officer(9), &eve, CONTEXT),
        Err(OpenError::Tampered)
    );
    assert_eq!(
        swapped.open(&member(1), &secret(11), CONTEXT),
        Err(OpenError::Tampered)
    );

    // Moving the value to another record (another context).
    assert_eq!(
        sealed.open(&member(1), &secret(11), b"pact|member|posture:wiba-04"),
        Err(OpenError::Tampered)
    );

    // Flipping a ciphertext byte.
    let mut flipped = sealed.clone();
    flipped.ciphertext[0] ^= 1;
    assert_eq!(
        flipped.open(&member(1), &secret(11), CONTEXT),
        Err(OpenError::Tampered)
    );
}

#[test]
fn resealing_lets_a_newly_appointed_officer_read() {
    let only_member = seal(
        b"posture",
        CONTEXT,
        &[reader(member(1), &secret(11))],
        [3; 32],
    )
    .unwrap();
    assert_eq!(
        only_member.open(&officer(9), &secret(19), CONTEXT),
        Err(OpenError::NotAReader)
    );
    let resealed = only_member
        .reseal(
            &member(1),
            &secret(11),
            CONTEXT,
            &[
                reader(member(1), &secret(11)),
                reader(officer(9), &secret(19)),
            ],
            [4; 32],
        )
        .unwrap();
    assert_eq!(
        resealed.open(&officer(9), &secret(19), CONTEXT).unwrap(),
        b"posture"
    );
    assert_eq!(
        resealed.open(&member(1), &secret(11), CONTEXT).unwrap(),
        b"posture"
    );
    // A fresh content key: nothing of the old ciphertext is reused.
    assert_ne!(resealed.ciphertext, only_member.ciphertext);
    // Someone who is not a reader cannot re-seal it to itself.
    assert!(matches!(
        only_member.reseal(
            &officer(9),
            &secret(19),
            CONTEXT,
            &[reader(officer(9), &secret(19))],
            [5; 32]
        ),
        Err(ResealError::Open(OpenError::NotAReader))
    ));
}

#[test]
fn resealing_after_a_key_rotation() {
    let sealed = sealed_to_member_and_officer();
    let rotated = secret(21);
    // The member's new key cannot open what was sealed to the old one.
    assert_eq!(
        sealed.open(&member(1), &rotated, CONTEXT),
        Err(OpenError::OtherKey)
    );
    // The officer, still a reader, re-seals to the member's new key.
    let resealed = sealed
        .reseal(
            &officer(9),
            &secret(19),
            CONTEXT,
            &[reader(member(1), &rotated), reader(officer(9), &secret(19))],
            [8; 32],
        )
        .unwrap();
    assert_eq!(
        resealed.open(&member(1), &rotated, CONTEXT).unwrap(),
        b"WiBA 03: offline backup tested: ja"
    );
    assert_eq!(
        resealed.open(&member(1), &secret(11), CONTEXT),
        Err(OpenError::OtherKey)
    );
}

#[test]
fn sealing_refuses_bad_reader_sets() {
    assert_eq!(seal(b"x", CONTEXT, &[], [1; 32]), Err(SealError::NoReaders));
    assert_eq!(
        seal(
            b"x",
            CONTEXT,
            &[
                reader(member(1), &secret(11)),
                reader(member(1), &secret(12))
            ],
            [1; 32]
        ),
        Err(SealError::DuplicateReader)
    );
    let weak = Reader {
        id: member(1),
        key: EncryptionPublicKey([0; 32]),
    };
    assert_eq!(
        seal(b"x", CONTEXT, &[weak], [1; 32]),
        Err(SealError::WeakReaderKey)
    );
    let many: Vec<Reader> = (0..=SEAL_READERS_MAX)
        .map(|i| Reader {
            id: ReaderId::Member(MemberId([i as u8; 32])),
            key: secret(1).public(),
        })
        .collect();
    assert_eq!(
        seal(b"x", CONTEXT, &many, [1; 32]),
        Err(SealError::TooManyReaders(SEAL_READERS_MAX + 1))
    );
    let big = vec![0u8; SEAL_PLAINTEXT_BYTES_MAX + 1];
    assert_eq!(
        seal(&big, CONTEXT, &[reader(member(1), &secret(11))], [1; 32]),
        Err(SealError::TooLarge(SEAL_PLAINTEXT_BYTES_MAX + 1))
    );
}

#[test]
fn the_structure_check_needs_no_secret() {
    let sealed = sealed_to_member_and_officer();

    let mut unsorted = sealed.clone();
    unsorted.wrappings.reverse();
    assert_eq!(
        unsorted.check_structure(),
        Err(StructureError::ReadersNotCanonical)
    );

    let mut twice = sealed.clone();
    twice.wrappings[1] = twice.wrappings[0].clone();
    assert_eq!(
        twice.check_structure(),
        Err(StructureError::ReadersNotCanonical)
    );

    // A low-order ephemeral key: the wrapping's secret would be public.
    let mut weak = sealed.clone();
    weak.wrappings[0].ephemeral = EncryptionPublicKey([0; 32]);
    assert_eq!(weak.check_structure(), Err(StructureError::WeakKey));
    let mut one = [0u8; 32];
    one[0] = 1;
    weak.wrappings[0].ephemeral = EncryptionPublicKey(one);
    assert_eq!(weak.check_structure(), Err(StructureError::WeakKey));

    let mut version = sealed.clone();
    version.version = 2;
    assert_eq!(
        version.check_structure(),
        Err(StructureError::UnknownVersion(2))
    );

    let mut empty = sealed.clone();
    empty.wrappings.clear();
    assert_eq!(empty.check_structure(), Err(StructureError::NoReaders));

    let mut short = sealed;
    short.ciphertext.truncate(3);
    assert_eq!(
        short.check_structure(),
        Err(StructureError::CiphertextBounds(3))
    );
}

#[test]
fn sealed_values_round_trip_through_json_and_postcard() {
    let sealed = sealed_to_member_and_officer();
    let json = serde_json::to_string(&sealed).unwrap();
    let back: Sealed = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sealed);
    let bytes = postcard::to_allocvec(&sealed).unwrap();
    let back: Sealed = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, sealed);
}

/// A pact of three founders (keys 1..=3) with officer key 60 serving
/// members 1 and 2.
fn pact_with_officer() -> (MembershipLog, Vec<KeyPair>, KeyPair) {
    let keys: Vec<KeyPair> = (1..=3).map(|s| KeyPair::from_seed([s; 32])).collect();
    let signers: Vec<(&KeyPair, &str)> = keys.iter().map(|k| (k, "Kreis")).collect();
    let mut log = MembershipLog::new(MembershipLog::charter("Pakt", &signers, T0_MS)).unwrap();
    let isb = KeyPair::from_seed([60; 32]);
    let entry = log.propose(
        &keys[0],
        Proposal::AppointOfficer {
            officer_key: isb.public(),
            name: "ISB".into(),
            serves: vec![
                MemberId::from_key(keys[0].public()),
                MemberId::from_key(keys[1].public()),
            ],
        },
        T0_MS,
    );
    let proposal = entry.hash();
    assert!(matches!(
        log.insert(entry),
        Ok(InsertOutcome::Applied { .. })
    ));
    let approval = log.approve(&keys[1], proposal, T0_MS);
    assert!(matches!(
        log.insert(approval),
        Ok(InsertOutcome::Applied { .. })
    ));
    assert_eq!(log.state().officers().count(), 1);
    (log, keys, isb)
}

#[test]
fn announcements_count_only_from_whoever_speaks_for_the_holder() {
    let (log, keys, isb) = pact_with_officer();
    let pact = log.pact_id();
    let state = log.state();
    let first = ReaderId::Member(MemberId::from_key(keys[0].public()));

    let own = EncryptionKeyAnnouncement::sign(pact, first, &secret(11), T0_MS, &keys[0]);
    assert_eq!(own.check(&pact, state), Ok(()));
    let by_other_member =
        EncryptionKeyAnnouncement::sign(pact, first, &secret(66), T0_MS, &keys[1]);
    assert_eq!(
        by_other_member.check(&pact, state),
        Err(AnnouncementError::NotHoldersSigner)
    );

    let officer_own = EncryptionKeyAnnouncement::sign(
        pact,
        ReaderId::Officer(isb.public()),
        &secret(19),
        T0_MS,
        &isb,
    );
    assert_eq!(officer_own.check(&pact, state), Ok(()));
    // A member cannot publish a key in the officer's name.
    let for_officer = EncryptionKeyAnnouncement::sign(
        pact,
        ReaderId::Officer(isb.public()),
        &secret(66),
        T0_MS,
        &keys[0],
    );
    assert_eq!(
        for_officer.check(&pact, state),
        Err(AnnouncementError::NotHoldersSigner)
    );
    // A key that was never appointed is no officer.
    let stranger = KeyPair::from_seed([61; 32]);
    let unappointed = EncryptionKeyAnnouncement::sign(
        pact,
        ReaderId::Officer(stranger.public()),
        &secret(66),
        T0_MS,
        &stranger,
    );
    assert_eq!(
        unappointed.check(&pact, state),
        Err(AnnouncementError::NotHoldersSigner)
    );

    // A carrier that swaps the key breaks the signature.
    let mut swapped = own.clone();
    swapped.key = secret(66).public();
    assert_eq!(
        swapped.check(&pact, state),
        Err(AnnouncementError::BadSignature)
    );
    let mut other_pact = own.clone();
    other_pact.pact = crate::ids::PactId([0; 32]);
    assert_eq!(
        other_pact.check(&pact, state),
        Err(AnnouncementError::OtherPact)
    );
}

#[test]
fn the_newest_valid_announcement_wins() {
    let (log, keys, _) = pact_with_officer();
    let pact = log.pact_id();
    let first = ReaderId::Member(MemberId::from_key(keys[0].public()));
    let old = EncryptionKeyAnnouncement::sign(pact, first, &secret(11), T0_MS, &keys[0]);
    let new = EncryptionKeyAnnouncement::sign(pact, first, &secret(21), T0_MS + 1, &keys[0]);
    let forged = EncryptionKeyAnnouncement::sign(pact, first, &secret(66), T0_MS + 2, &keys[1]);
    for order in [
        vec![&old, &new, &forged],
        vec![&forged, &new, &old],
        vec![&new, &old, &forged],
    ] {
        let newest = newest_announcements(order, &pact, log.state());
        assert_eq!(newest.get(&first).map(|a| a.key), Some(secret(21).public()));
    }
}

#[test]
fn a_device_announces_only_within_its_delegation() {
    let (mut log, keys, _) = pact_with_officer();
    let pact = log.pact_id();
    let member = MemberId::from_key(keys[0].public());
    let first = ReaderId::Member(member);
    let device = KeyPair::from_seed([40; 32]);
    let expires = T0_MS + 1_000;
    let delegation = log.delegate(&keys[0], member, &device, expires, T0_MS);
    assert!(matches!(
        log.insert(delegation),
        Ok(InsertOutcome::Applied { .. })
    ));
    let state = log.state();

    // Within the delegation: the device speaks for its member.
    let within = EncryptionKeyAnnouncement::sign(pact, first, &secret(11), expires, &device);
    assert_eq!(within.check(&pact, state), Ok(()));
    // Dated after its expiry (a stolen device key), or far ahead so that
    // no later announcement of the member could ever be newer: not counted.
    for issued_at_ms in [expires + 1, i64::MAX] {
        let late = EncryptionKeyAnnouncement::sign(pact, first, &secret(66), issued_at_ms, &device);
        assert_eq!(
            late.check(&pact, state),
            Err(AnnouncementError::NotHoldersSigner),
            "{issued_at_ms}"
        );
    }
    // The member's own later announcement wins over the stolen device's.
    let stolen = EncryptionKeyAnnouncement::sign(pact, first, &secret(66), i64::MAX, &device);
    let later = EncryptionKeyAnnouncement::sign(pact, first, &secret(21), expires + 5, &keys[0]);
    let newest = newest_announcements([&within, &stolen, &later], &pact, state);
    assert_eq!(newest.get(&first).map(|a| a.key), Some(secret(21).public()));
}
