//! The write quota (`protocol/src/replica/quota.rs`): a device that writes
//! more than its share of a document (by changes or by bytes) is refused
//! `over_quota`, the same changes are refused on every node whatever order
//! they arrive in, and the device's own node refuses the write instead of
//! signing something its peers would refuse. A member cannot escape it by
//! writing under ever new incarnations: only the declared ones within the
//! caps count, alike on every node.

// Test support: a failed setup step is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::ingress::{Rejection, SignatureCheck};
use amtshilfe_protocol::replica::{BYTES_PER_ACTOR_MAX, CHANGES_PER_ACTOR_MAX, WriteError};
use amtshilfe_tests::fixtures::T0_MS;
use common::ingress::{Fixture, chain, fixture};
use common::offers_of;

/// Changes of eleven offers with ~4,000 characters of notes each (~50 KiB).
fn big_changes(fixture: &Fixture, member: usize, count: usize) -> Vec<Envelope> {
    let m = &fixture.pact.members[member];
    let mut scratch = common::Scratch::new(offers_of(m.id()), &m.device.key, m.device.incarnation);
    (0..count)
        .map(|i| {
            let records: Vec<RecordOp> = (0..11)
                .map(|k| {
                    let mut offer = amtshilfe_tests::sample::laptops(1, T0_MS);
                    offer.notes = format!("{i}-{k}{}", "x".repeat(3_990));
                    RecordOp::Put {
                        key: amtshilfe_protocol::model::RecordKey::offer(
                            amtshilfe_protocol::ids::RecordId::new(format!("o-big-{i}-{k}"))
                                .unwrap(),
                        )
                        .to_string(),
                        json: amtshilfe_protocol::model::Record::Offer(offer).to_json(),
                    }
                })
                .collect();
            let change = scratch.change(T0_MS + i as i64, &records);
            Envelope::sign(&fixture.pact_id, offers_of(m.id()), change, &m.device.key)
        })
        .collect()
}

#[test]
fn an_actor_over_its_byte_quota_is_refused_alike_in_any_order() {
    let mut in_order = fixture();
    let mut reversed = fixture();
    // Each change is over 40 KiB: this many exceed the quota.
    let count = BYTES_PER_ACTOR_MAX / (40 * 1024) + 10;
    let changes = big_changes(&in_order, 2, count);
    let total: usize = changes.iter().map(Envelope::encoded_len).sum();
    assert!(total > BYTES_PER_ACTOR_MAX, "the chain exceeds the quota");

    // One node takes them one page at a time, in order.
    let mut accepted_in_order = Vec::new();
    let mut refused_in_order = Vec::new();
    for page in changes.chunks(64) {
        let report = in_order
            .replica
            .receive_envelopes(page.to_vec(), SignatureCheck::Verify);
        accepted_in_order.extend(report.accepted.iter().map(Envelope::content_hash));
        refused_in_order.extend(report.rejected);
    }
    // Another takes them all at once, newest first.
    let mut newest_first = changes.clone();
    newest_first.reverse();
    let report = reversed
        .replica
        .receive_envelopes(newest_first, SignatureCheck::Verify);
    let mut accepted_reversed: Vec<_> =
        report.accepted.iter().map(Envelope::content_hash).collect();

    let kept_bytes: usize = changes[..accepted_in_order.len()]
        .iter()
        .map(Envelope::encoded_len)
        .sum();
    assert!(kept_bytes <= BYTES_PER_ACTOR_MAX, "{kept_bytes}");
    assert!(
        kept_bytes + changes[accepted_in_order.len()].encoded_len() > BYTES_PER_ACTOR_MAX,
        "the first refused change is the one that does not fit"
    );
    assert_eq!(
        refused_in_order[0],
        (
            changes[accepted_in_order.len()].content_hash(),
            Rejection::OverQuota
        )
    );
    accepted_in_order.sort();
    accepted_reversed.sort();
    assert_eq!(
        accepted_in_order, accepted_reversed,
        "the same changes kept"
    );
    assert_eq!(
        common::Snapshot::of(&in_order.replica),
        common::Snapshot::of(&reversed.replica)
    );
    assert_eq!(
        in_order.replica.stats().rejected.get("over_quota"),
        Some(&1)
    );
}

#[test]
fn an_actor_over_its_change_count_is_refused() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m3 = &pact.members[3];
    let count = usize::try_from(CHANGES_PER_ACTOR_MAX).unwrap() + 1;
    let changes = chain(
        &pact_id,
        offers_of(m3.id()),
        &m3.device.key,
        m3.device.incarnation,
        count,
    );
    let report = replica.receive_envelopes(changes.clone(), SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), count - 1);
    assert_eq!(
        report.rejected,
        vec![(changes[count - 1].content_hash(), Rejection::OverQuota)]
    );
}

#[test]
fn a_device_over_its_quota_cannot_write_locally() {
    let Fixture { pact, .. } = fixture();
    let m2 = &pact.members[2];
    let mut own = pact.replica();
    let note = "y".repeat(3_900);
    let mut written = 0usize;
    let refusal = loop {
        let ops: Vec<RecordOp> = (0..11)
            .map(|k| {
                let mut offer = amtshilfe_tests::sample::laptops(1, T0_MS);
                offer.notes = format!("{written}-{k}{note}");
                RecordOp::Put {
                    key: amtshilfe_protocol::model::RecordKey::offer(
                        amtshilfe_protocol::ids::RecordId::new(format!("o-{written}-{k}")).unwrap(),
                    )
                    .to_string(),
                    json: amtshilfe_protocol::model::Record::Offer(offer).to_json(),
                }
            })
            .collect();
        match own.write(&m2.device, Collection::Offers, &ops, T0_MS) {
            Ok(envelope) => written += envelope.encoded_len(),
            Err(error) => break error,
        }
        assert!(written <= BYTES_PER_ACTOR_MAX, "the quota was not enforced");
    };
    assert!(matches!(refusal, WriteError::OverQuota), "{refusal}");
    assert!(written > BYTES_PER_ACTOR_MAX - 64 * 1024);
}

/// The figure the node watches (`Replica::stored_bytes_by_member`) is what
/// a member costs this node in all: every actor's applied changes and its
/// changes still waiting, which the per-actor quota does not add up.
#[test]
fn a_members_kept_bytes_add_up_every_actor_applied_and_waiting() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m3 = &pact.members[3];
    let before = replica.stored_bytes_by_member();
    assert!(
        !before.contains_key(&m3.id()),
        "member 3 has written nothing"
    );

    let mut expected = 0;
    for incarnation in [[1; 16], [2; 16]] {
        let changes = chain(&pact_id, offers_of(m3.id()), &m3.device.key, incarnation, 5);
        expected += changes.iter().map(Envelope::encoded_len).sum::<usize>();
        let report = replica.receive_envelopes(changes, SignatureCheck::Verify);
        assert_eq!(report.accepted.len(), 5);
    }
    // A third actor's chain without its first change waits.
    let waiting = chain(&pact_id, offers_of(m3.id()), &m3.device.key, [3; 16], 4);
    expected += waiting[1..]
        .iter()
        .map(Envelope::encoded_len)
        .sum::<usize>();
    let report = replica.receive_envelopes(waiting[1..].to_vec(), SignatureCheck::Verify);
    assert_eq!(report.pending, 3);

    let after = replica.stored_bytes_by_member();
    assert_eq!(after.get(&m3.id()), Some(&expected));
    // Nobody else's figure moved.
    for member in [0, 1, 2] {
        let id = pact.members[member].id();
        assert_eq!(after.get(&id), before.get(&id), "member {member}");
    }
}

/// The attack the per-actor quota alone did not stop: a member writes
/// under ever fresh incarnations (each a new actor with its own quota),
/// from several devices, each declaration on the same heads so that the
/// log's own check passes every one. Only `INCARNATIONS_PER_MEMBER_MAX`
/// actors count, the same ones on a node that learns everything in the
/// opposite order; the others' changes are refused.
#[test]
fn a_member_writing_under_fresh_incarnations_is_bounded_alike_in_any_order() {
    use amtshilfe_protocol::identity::KeyPair;
    use amtshilfe_protocol::membership::{INCARNATIONS_PER_MEMBER_MAX, SignedEntry};
    use amtshilfe_tests::fixtures::DELEGATION_MS;

    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m3 = &pact.members[3];
    let devices: Vec<KeyPair> = [
        m3.device.key.clone(),
        KeyPair::from_seed([93; 32]),
        KeyPair::from_seed([94; 32]),
    ]
    .into();
    // The other node: the same pact, learning everything in reverse.
    let mut other = fixture().replica;
    for device in &devices[1..] {
        let delegation = replica.membership().delegate(
            &m3.member_key,
            m3.id(),
            device,
            T0_MS + DELEGATION_MS,
            T0_MS,
        );
        replica.receive_entry(delegation.clone()).unwrap();
        other.receive_entry(delegation).unwrap();
    }
    // 20 fresh incarnations per device, 60 in all, each declared on the
    // same heads, each writing a chain of three changes.
    let actors: Vec<(&KeyPair, [u8; 16])> = devices
        .iter()
        .enumerate()
        .flat_map(|(d, key)| (0..20).map(move |n| (key, [(100 + d * 20 + n) as u8; 16])))
        .collect();
    let declarations: Vec<SignedEntry> = actors
        .iter()
        .map(|(key, incarnation)| {
            replica
                .membership()
                .declare_incarnation(key, m3.id(), *incarnation, T0_MS)
        })
        .collect();
    let changes: Vec<Vec<Envelope>> = actors
        .iter()
        .map(|(key, incarnation)| chain(&pact_id, offers_of(m3.id()), key, *incarnation, 3))
        .collect();

    let slots_before = replica
        .membership()
        .state()
        .incarnation_slots_used(&m3.id());
    for entry in &declarations {
        replica.receive_entry(entry.clone()).unwrap();
    }
    let mut accepted = Vec::new();
    for chain in &changes {
        let report = replica.receive_envelopes(chain.clone(), SignatureCheck::Verify);
        accepted.extend(report.accepted.iter().map(Envelope::content_hash));
    }
    // The other node gets the changes before the declarations that
    // authorise them, then the declarations newest first, then the
    // changes once more (as the next sync would bring them).
    for chain in changes.iter().rev() {
        let report = other.receive_envelopes(chain.clone(), SignatureCheck::Verify);
        assert!(
            report.accepted.is_empty(),
            "nothing counts before its declaration"
        );
    }
    for entry in declarations.iter().rev() {
        other.receive_entry(entry.clone()).unwrap();
    }
    for chain in changes.iter().rev() {
        other.receive_envelopes(chain.clone(), SignatureCheck::Verify);
    }

    // The member's slots are full, and the fresh incarnations that took
    // the ones left are exactly those whose changes count.
    let state = replica.membership().state();
    assert_eq!(
        state.incarnation_slots_used(&m3.id()),
        INCARNATIONS_PER_MEMBER_MAX
    );
    let counting = actors
        .iter()
        .filter(|(key, incarnation)| state.incarnation_counts(&m3.id(), &key.public(), incarnation))
        .count();
    assert_eq!(counting, INCARNATIONS_PER_MEMBER_MAX - slots_before);
    assert_eq!(accepted.len(), counting * 3);
    assert_eq!(other.digest(), replica.digest());
    assert_eq!(other.heads(), replica.heads());
    let refused = replica
        .stats()
        .rejected
        .get(Rejection::IncarnationNotDeclared.code())
        .copied()
        .unwrap_or(0);
    assert_eq!(refused as usize, (60 - counting) * 3);
    let kept: usize = changes
        .iter()
        .flatten()
        .filter(|e| accepted.contains(&e.content_hash()))
        .map(Envelope::encoded_len)
        .sum();
    assert_eq!(replica.stored_bytes_by_member().get(&m3.id()), Some(&kept));
}
