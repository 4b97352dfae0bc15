//! One test per rejection reason; each shows the log unchanged afterwards.

use std::collections::BTreeSet;

use super::*;
use crate::identity::{SigningPurpose, sha256};
use crate::ids::{EntryHash, PactId};
use crate::membership::wire::canonical_bytes;
use crate::membership::{
    CHARTER_BYTES_MAX, ENTRY_BYTES_MAX, EntryKind, EntryRejection, EntrySignature, FOUNDERS_MAX,
    PENDING_ENTRIES_MAX,
};

/// What a rejection must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    hashes: BTreeSet<EntryHash>,
    heads: Vec<EntryHash>,
    pending: usize,
    state: MembershipState,
}

fn snapshot(log: &MembershipLog) -> Snapshot {
    Snapshot {
        hashes: log.hashes(),
        heads: log.heads(),
        pending: log.pending_len(),
        state: log.state().clone(),
    }
}

/// Inserts `entry`, asserts the rejection and that nothing changed.
fn assert_rejected(log: &mut MembershipLog, entry: SignedEntry, expected: EntryRejection) {
    let before = snapshot(log);
    assert_eq!(log.insert(entry), Err(expected));
    assert_eq!(snapshot(log), before);
}

/// Re-signs a modified body with `signer`.
fn resign(mut entry: SignedEntry, signer: &KeyPair) -> SignedEntry {
    let message = canonical_bytes(&entry.body);
    entry.signatures = vec![EntrySignature {
        key: signer.public(),
        signature: signer.sign(SigningPurpose::MembershipEntry, &[&message]),
    }];
    entry
}

#[test]
fn too_large_entries_are_refused_before_decoding_and_on_insert() {
    let (keys, mut log) = pact(3);
    let huge = Proposal::Add {
        key: device(50),
        name: "x".repeat(ENTRY_BYTES_MAX),
    };
    let entry = log.propose(&keys[0], huge, T0_MS);
    let bytes = entry.to_bytes();
    assert!(matches!(
        SignedEntry::from_bytes(&bytes),
        Err(EntryRejection::TooLarge { .. })
    ));
    let before = snapshot(&log);
    assert!(matches!(
        log.insert_bytes(&bytes),
        Err(EntryRejection::TooLarge { .. })
    ));
    assert!(matches!(
        log.insert(entry),
        Err(EntryRejection::TooLarge { .. })
    ));
    assert_eq!(snapshot(&log), before);
}

#[test]
fn malformed_entries_are_refused() {
    let (keys, mut log) = pact(3);
    let good = log.propose(&keys[0], add(&key(40)), T0_MS);

    let mut two_signatures = good.clone();
    two_signatures
        .signatures
        .push(two_signatures.signatures[0].clone());
    let mut no_parents = good.clone();
    no_parents.body.parents.clear();
    let mut unsorted = good.clone();
    unsorted.body.parents = vec![EntryHash([9; 32]), EntryHash([1; 32])];
    let mut blank_name = good.clone();
    blank_name.body.kind = EntryKind::Propose(Proposal::Add {
        key: device(40),
        name: "  ".into(),
    });
    let mut no_pact = good.clone();
    no_pact.body.pact = None;
    let officer_without_members = Proposal::AppointOfficer {
        officer_key: device(41),
        name: "ISB".into(),
        serves: Vec::new(),
    };
    let mut no_served = good.clone();
    no_served.body.kind = EntryKind::Propose(officer_without_members);
    for entry in [
        two_signatures,
        no_parents,
        unsorted,
        blank_name,
        no_pact,
        no_served,
    ] {
        let entry = if entry.signatures.len() == 1 {
            resign(entry, &keys[0])
        } else {
            entry
        };
        let before = snapshot(&log);
        assert!(
            matches!(log.insert(entry), Err(EntryRejection::Malformed(_))),
            "expected Malformed"
        );
        assert_eq!(snapshot(&log), before);
    }

    let mut trailing = good.to_bytes();
    trailing.push(0);
    assert!(matches!(
        log.insert_bytes(&trailing),
        Err(EntryRejection::Malformed(_))
    ));
    assert!(matches!(
        log.insert_bytes(&[0xff, 0xff, 0xff]),
        Err(EntryRejection::Malformed(_))
    ));
    assert_eq!(log.hashes().len(), 1);
}

#[test]
fn a_second_charter_is_refused() {
    let (keys, mut log) = pact(3);
    let other = MembershipLog::charter("Anderer Pakt", &[(&keys[0], "Kreis 1")], T0_MS);
    assert_rejected(&mut log, other, EntryRejection::SecondCharter);
}

#[test]
fn entries_of_another_pact_are_refused() {
    let (keys, mut log) = pact(3);
    let (_, other) = pact(2);
    assert_ne!(other.pact_id(), log.pact_id());
    let foreign = other.propose(&keys[0], add(&key(40)), T0_MS);
    assert_rejected(&mut log, foreign, EntryRejection::WrongPact);
}

#[test]
fn strangers_cannot_author_entries() {
    let (_, mut log) = pact(3);
    let stranger = key(66);
    let entry = log.propose(&stranger, add(&stranger), T0_MS);
    assert_rejected(&mut log, entry, EntryRejection::UnknownAuthor);
    let entry = log.delegate(&stranger, id(&stranger), &key(67), T0_MS, T0_MS);
    assert_rejected(&mut log, entry, EntryRejection::UnknownAuthor);
}

#[test]
fn forged_signatures_are_refused() {
    let (keys, mut log) = pact(3);
    let mut entry = log.propose(&keys[0], add(&key(40)), T0_MS);
    entry.body.issued_at_ms += 1;
    assert_rejected(&mut log, entry.clone(), EntryRejection::BadSignature);
    // Signed by one founder, claimed by another.
    let mut claimed = resign(entry, &keys[1]);
    claimed.signatures[0].key = keys[0].public();
    assert_rejected(&mut log, claimed, EntryRejection::BadSignature);
}

#[test]
fn the_charter_needs_every_founders_signature() {
    let (a, b, c) = (key(1), key(2), key(3));
    let charter = MembershipLog::charter("Pakt", &[(&a, "A"), (&b, "B"), (&c, "C")], T0_MS);
    let mut unsigned_by_c = charter.clone();
    unsigned_by_c.signatures.pop();
    assert_eq!(
        MembershipLog::new(unsigned_by_c).err(),
        Some(EntryRejection::MissingSignatures)
    );
    let mut twice_by_a = charter.clone();
    twice_by_a.signatures[2] = twice_by_a.signatures[0].clone();
    assert_eq!(
        MembershipLog::new(twice_by_a).err(),
        Some(EntryRejection::MissingSignatures)
    );
    let mut forged = charter.clone();
    forged.signatures[1].signature = forged.signatures[0].signature;
    assert_eq!(
        MembershipLog::new(forged).err(),
        Some(EntryRejection::BadSignature)
    );
    let mut extra = charter.clone();
    extra.signatures.push(extra.signatures[0].clone());
    assert!(matches!(
        MembershipLog::new(extra),
        Err(EntryRejection::Malformed(_))
    ));
    let log = MembershipLog::new(charter.clone()).unwrap();
    assert_eq!(log.pact_id(), PactId(charter.hash().0));
    assert_eq!(log.state().member_count(), 3);
}

#[test]
fn a_charter_of_founders_max_founders_fits_its_own_cap_but_no_more() {
    let keys: Vec<KeyPair> = (0..FOUNDERS_MAX + 1)
        .map(|n| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(n as u64 + 1).to_le_bytes());
            KeyPair::from_seed(seed)
        })
        .collect();
    let names: Vec<String> = (0..keys.len())
        .map(|n| format!("Gemeinde {n:03}"))
        .collect();
    let founders: Vec<(&KeyPair, &str)> = keys
        .iter()
        .zip(&names)
        .map(|(k, n)| (k, n.as_str()))
        .collect();
    let charter = MembershipLog::charter("Landespakt", &founders[..FOUNDERS_MAX], T0_MS);
    let bytes = charter.to_bytes();
    assert!(bytes.len() > ENTRY_BYTES_MAX && bytes.len() <= CHARTER_BYTES_MAX);
    assert_eq!(SignedEntry::from_bytes(&bytes).as_ref(), Ok(&charter));
    let log = MembershipLog::new(charter).unwrap();
    assert_eq!(log.state().member_count(), FOUNDERS_MAX);
    assert!(matches!(
        MembershipLog::new(MembershipLog::charter("Landespakt", &founders, T0_MS)),
        Err(EntryRejection::Malformed(_))
    ));
    // Only what starts like a charter may be larger than an entry.
    let mut not_a_charter = bytes.clone();
    not_a_charter[0] = 1;
    assert!(matches!(
        SignedEntry::from_bytes(&not_a_charter),
        Err(EntryRejection::TooLarge { .. })
    ));
}

#[test]
fn the_pending_set_is_bounded() {
    // Spread over three authors: one author alone stops at its own cap.
    let (keys, mut log) = pact(3);
    let mut orphan = |n: usize| {
        let author = &keys[n % keys.len()];
        let mut entry = log.approve(author, EntryHash([7; 32]), T0_MS + n as i64);
        entry.body.parents = vec![EntryHash(sha256(&n.to_le_bytes()))];
        resign(entry, author)
    };
    let orphans: Vec<SignedEntry> = (0..=PENDING_ENTRIES_MAX).map(&mut orphan).collect();
    let mut orphans = orphans.into_iter();
    for entry in orphans.by_ref().take(PENDING_ENTRIES_MAX) {
        assert_eq!(log.insert(entry), Ok(InsertOutcome::Pending));
    }
    assert_eq!(log.pending_len(), PENDING_ENTRIES_MAX);
    let last = orphans.next().unwrap();
    assert_rejected(&mut log, last, EntryRejection::TooManyPending);
}

#[test]
fn the_log_is_bounded() {
    let (keys, mut log) = pact(3);
    log.set_entries_max(5);
    for n in 0..4 {
        let entry = log.approve(&keys[0], EntryHash([n; 32]), T0_MS);
        apply(&mut log, entry);
    }
    let entry = log.approve(&keys[0], EntryHash([9; 32]), T0_MS);
    assert_rejected(&mut log, entry, EntryRejection::LogFull);
}

#[test]
fn duplicates_change_nothing() {
    let (keys, mut log) = pact(3);
    let entry = log.propose(&keys[0], add(&key(40)), T0_MS);
    apply(&mut log, entry.clone());
    let before = snapshot(&log);
    assert_eq!(log.insert(entry), Ok(InsertOutcome::Duplicate));
    assert_eq!(snapshot(&log), before);
}

#[test]
fn every_rejection_reads_as_a_sentence() {
    let reasons = [
        EntryRejection::TooLarge { bytes: 20_000 },
        EntryRejection::Malformed("parents must be sorted and distinct".into()),
        EntryRejection::SecondCharter,
        EntryRejection::WrongPact,
        EntryRejection::UnknownAuthor,
        EntryRejection::BadSignature,
        EntryRejection::MissingSignatures,
        EntryRejection::TooManyPending,
        EntryRejection::LogFull,
    ];
    for reason in reasons {
        let text = reason.to_string();
        assert!(text.len() > 10 && !text.contains("Malformed"), "{text}");
    }
}
