//! The rejections decided when an admitted change is placed into its
//! document (frozen authority, fork, full pending queue, automerge refusing
//! the change), and duplicates: each reached with a real input, reported
//! and counted exactly, and leaving the replica's data as it was. The
//! stateless stages are in `ingress_rejections.rs`.

mod common;

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity;
use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::ingress::{Rejection, SignatureCheck};
use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::replica::{
    Fork, ForkEvidence, PENDING_BYTES_PER_MEMBER_MAX, PENDING_ENVELOPES_MAX,
    PENDING_PER_MEMBER_MAX, Replica,
};
use amtshilfe_tests::fixtures::T0_MS;
use common::ingress::{Fixture, assert_refused, chain, fixture, receive};
use common::{Snapshot, offer_put, offers_of, request_put, signed_change};

/// Member 3 writes an offer and then, unaware of anything, updates it on
/// its own replica (returned with both envelopes). Members 0, 1 and 2
/// remove it on `fixture.replica`, frozen at the first offer, before that
/// replica has seen any change of member 3.
fn remove_member_3(fixture: &mut Fixture) -> (Replica, Envelope, Envelope) {
    remove_member_3_revoked(fixture, false)
}

/// [`remove_member_3`]; if `revoked`, member 3's key first revokes its
/// device at the heads after its second change (a stolen key's attempt to
/// keep that change valid past the removal).
fn remove_member_3_revoked(fixture: &mut Fixture, revoked: bool) -> (Replica, Envelope, Envelope) {
    let Fixture { pact, replica, .. } = fixture;
    let m3 = &pact.members[3];
    let mut own = pact.replica();
    let inside = own
        .write(
            &m3.device,
            Collection::Offers,
            &[offer_put("o-m3", 2, T0_MS)],
            T0_MS,
        )
        .expect("member 3 writes");
    let frozen = own.heads()[&offers_of(m3.id())].clone();
    let outside = own
        .write(
            &m3.device,
            Collection::Offers,
            &[offer_put("o-m3", 7, T0_MS + 10)],
            T0_MS + 10,
        )
        .expect("member 3 writes again");
    if revoked {
        let revocation = replica.membership().revoke_device(
            &m3.member_key,
            m3.id(),
            m3.device.key.public(),
            BTreeMap::from([(Collection::Offers, own.heads()[&offers_of(m3.id())].clone())]),
            T0_MS + 15,
        );
        replica
            .receive_entry(revocation)
            .expect("the member's revocation");
    }
    let propose = replica.membership().propose(
        &pact.members[0].member_key,
        Proposal::Remove {
            member: m3.id(),
            frozen_heads: BTreeMap::from([(Collection::Offers, frozen)]),
        },
        T0_MS + 20,
    );
    let proposal = propose.hash();
    replica.receive_entry(propose).expect("proposal");
    for approver in &pact.members[1..3] {
        let approve = replica
            .membership()
            .approve(&approver.member_key, proposal, T0_MS + 30);
        replica.receive_entry(approve).expect("approval");
    }
    assert_eq!(replica.membership().state().member_count(), 3);
    assert!(!replica.membership().state().is_member(&m3.id()));
    (own, inside, outside)
}

#[test]
fn removed_member_is_frozen_at_the_heads_of_its_removal() {
    let mut fixture = fixture();
    let (mut own, inside, outside) = remove_member_3(&mut fixture);
    let Fixture {
        pact, mut replica, ..
    } = fixture;
    let m3 = &pact.members[3];

    // Inside the frozen heads: still accepted.
    let report = receive(&mut replica, &inside);
    assert_eq!(report.accepted, vec![inside.clone()]);
    let before = Snapshot::of(&replica);
    assert_eq!(
        before
            .read_model
            .registry(&Default::default())
            .iter()
            .filter(|e| e.address.owner == m3.id())
            .map(|e| e.quantity)
            .collect::<Vec<_>>(),
        vec![2]
    );

    // After them: refused, nothing changes.
    let report = receive(&mut replica, &outside);
    let reason = assert_refused(
        &replica,
        &report,
        outside.content_hash(),
        "authority_frozen",
    );
    assert_eq!(reason, Rejection::AuthorityFrozen);
    assert_eq!(Snapshot::of(&replica), before);

    // A collection the removal recorded no heads for admits nothing.
    let requests = own
        .write(
            &m3.device,
            Collection::Requests,
            &[request_put("r-m3", 1, T0_MS + 40)],
            T0_MS + 40,
        )
        .expect("member 3's own replica still lets it write");
    let report = receive(&mut replica, &requests);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1, Rejection::AuthorityFrozen);
    assert_eq!(replica.stats().rejected.get("authority_frozen"), Some(&2));
    assert_eq!(Snapshot::of(&replica), before);
}

/// The member's key revoked its device at heads after the removal's
/// before it was removed: the removal still bounds the device.
#[test]
fn a_revocation_before_the_removal_does_not_widen_it() {
    let mut fixture = fixture();
    let (_, inside, outside) = remove_member_3_revoked(&mut fixture, true);
    let Fixture { mut replica, .. } = fixture;
    let report = receive(&mut replica, &outside);
    assert_eq!(report.pending, 1, "its history is not known yet");
    let report = receive(&mut replica, &inside);
    assert_eq!(report.accepted, vec![inside.clone()]);
    assert_eq!(
        report.rejected,
        vec![(outside.content_hash(), Rejection::AuthorityFrozen)]
    );
    assert_eq!(replica.pending_len(), 0);
    assert_eq!(replica.stats().rejected.get("authority_frozen"), Some(&1));
}

#[test]
fn frozen_change_arriving_before_its_history_waits_then_is_refused() {
    let mut fixture = fixture();
    let (_, inside, outside) = remove_member_3(&mut fixture);
    let Fixture {
        pact, mut replica, ..
    } = fixture;

    // The later change first: whether it is inside the frozen history
    // cannot be known yet, so it waits.
    let report = receive(&mut replica, &outside);
    assert_eq!(report.pending, 1);
    assert!(report.rejected.is_empty());
    assert_eq!(replica.pending_len(), 1);
    // Its history arrives: the history applies, the later change is refused.
    let report = receive(&mut replica, &inside);
    assert_eq!(report.accepted, vec![inside.clone()]);
    assert_eq!(
        report.rejected,
        vec![(outside.content_hash(), Rejection::AuthorityFrozen)]
    );
    assert_eq!(replica.pending_len(), 0);
    let offers = offers_of(pact.members[3].id());
    assert_eq!(replica.heads()[&offers], vec![change_hash(&inside)]);
}

fn change_hash(envelope: &Envelope) -> automerge::ChangeHash {
    automerge::Change::from_bytes(envelope.change.clone())
        .expect("a genuine change parses")
        .hash()
}

#[test]
fn second_change_with_the_same_actor_and_seq_is_a_fork() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let document = offers_of(m2.id());
    let first = signed_change(
        &pact_id,
        document,
        &m2.device.key,
        m2.device.incarnation,
        T0_MS,
        &[offer_put("o-one", 1, T0_MS)],
    );
    let second = signed_change(
        &pact_id,
        document,
        &m2.device.key,
        m2.device.incarnation,
        T0_MS,
        &[offer_put("o-two", 2, T0_MS)],
    );
    assert_ne!(first.content_hash(), second.content_hash());
    let report = receive(&mut replica, &first);
    assert_eq!(report.accepted, vec![first.clone()]);

    let report = receive(&mut replica, &second);
    let reason = assert_refused(&replica, &report, second.content_hash(), "fork");
    assert_eq!(reason, Rejection::Fork);
    // Both are kept as evidence, and the actor is frozen before the fork:
    // the first change is held (stored, not applied), as on every node that
    // gets the evidence, whichever change it saw first.
    let fork = single_fork(&replica);
    assert_eq!(fork.seq, 1);
    assert_eq!(
        fork.evidence,
        ForkEvidence::new(first.clone(), second.clone())
    );
    assert!(replica.document(&document).is_none_or(|d| d.is_empty()));
    assert_eq!(replica.held_len(), 1);

    // Both in one batch: the same evidence and the same end.
    let mut fresh = pact.replica();
    let report =
        fresh.receive_envelopes(vec![second.clone(), first.clone()], SignatureCheck::Verify);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1, Rejection::Fork);
    assert_eq!(single_fork(&fresh), fork);
    assert!(fresh.document(&document).is_none_or(|d| d.is_empty()));
}

fn single_fork(replica: &Replica) -> Fork {
    let forks: Vec<Fork> = replica.forks().cloned().collect();
    assert_eq!(forks.len(), 1, "{forks:?}");
    forks[0].clone()
}

/// A member whose changes wait for dependencies that never come fills
/// only its own share of the pending queue: another member's out-of-order
/// change still waits instead of being refused (it used to be refused
/// once one member had filled the whole queue).
#[test]
fn one_member_fills_only_its_own_share_of_the_pending_queue() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let m3 = &pact.members[3];
    let long = chain(
        &pact_id,
        offers_of(m2.id()),
        &m2.device.key,
        m2.device.incarnation,
        PENDING_PER_MEMBER_MAX + 2,
    );
    // Everything but the first change: all wait for it, up to the share.
    let report = replica.receive_envelopes(long[1..].to_vec(), SignatureCheck::Verify);
    assert!(report.accepted.is_empty());
    assert_eq!(report.pending, PENDING_PER_MEMBER_MAX);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1, Rejection::TooManyPending);
    assert_eq!(replica.pending_len(), PENDING_PER_MEMBER_MAX);

    // Another member's waiting change still waits.
    let short = chain(
        &pact_id,
        offers_of(m3.id()),
        &m3.device.key,
        m3.device.incarnation,
        2,
    );
    let report = receive(&mut replica, &short[1]);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.pending, 1);

    // The missing first change releases the member's share.
    let report = receive(&mut replica, &long[0]);
    assert_eq!(report.accepted.len(), PENDING_PER_MEMBER_MAX + 1);
    assert_eq!(replica.pending_len(), 1);
}

/// Large waiting changes are bounded by bytes, not only by count.
#[test]
fn one_members_waiting_bytes_are_bounded() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let mut scratch =
        common::Scratch::new(offers_of(m2.id()), &m2.device.key, m2.device.incarnation);
    // Changes of eleven records with 4,000 characters of notes each
    // (~50 KiB): a few hundred fill 8 MiB long before 1,000 changes.
    let big: Vec<Envelope> = (0..250)
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
            let change = scratch.change(T0_MS + i, &records);
            Envelope::sign(&pact_id, offers_of(m2.id()), change, &m2.device.key)
        })
        .collect();
    let report = replica.receive_envelopes(big[1..].to_vec(), SignatureCheck::Verify);
    let waiting_bytes: usize = big[1..=report.pending]
        .iter()
        .map(Envelope::encoded_len)
        .sum();
    assert!(report.pending < big.len() - 1, "nothing was refused");
    assert!(
        waiting_bytes <= PENDING_BYTES_PER_MEMBER_MAX,
        "{waiting_bytes}"
    );
    assert!(
        report
            .rejected
            .iter()
            .all(|(_, r)| *r == Rejection::TooManyPending),
        "{:?}",
        report.rejected
    );
}

/// The queue as a whole stays bounded when many members fill their shares.
#[test]
fn pending_queue_is_bounded() {
    let pact = amtshilfe_tests::fixtures::TestPact::new(
        PENDING_ENVELOPES_MAX / PENDING_PER_MEMBER_MAX + 1,
        12,
    );
    let pact_id = common::pact_id(&pact.charter);
    let mut replica = pact.replica();
    let (last, filling) = pact.members.split_last().unwrap();
    for member in filling {
        let long = chain(
            &pact_id,
            offers_of(member.id()),
            &member.device.key,
            member.device.incarnation,
            PENDING_PER_MEMBER_MAX + 1,
        );
        let report = replica.receive_envelopes(long[1..].to_vec(), SignatureCheck::Verify);
        assert!(report.rejected.is_empty());
    }
    assert_eq!(replica.pending_len(), PENDING_ENVELOPES_MAX);

    // One more waiting change, of another member: the queue is full.
    let short = chain(
        &pact_id,
        offers_of(last.id()),
        &last.device.key,
        last.device.incarnation,
        2,
    );
    let before = Snapshot::of(&replica);
    let report = receive(&mut replica, &short[1]);
    let reason = assert_refused(
        &replica,
        &report,
        short[1].content_hash(),
        "too_many_pending",
    );
    assert_eq!(reason, Rejection::TooManyPending);
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn change_that_automerge_refuses_is_contained() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let document = offers_of(m2.id());
    // Automerge records an "author" once per actor, on its first change.
    // A device can craft a later change that declares one again: it passes
    // every ingress check, and automerge refuses it when applying.
    let mut doc = automerge::AutoCommit::new();
    doc.set_author(Some(automerge::Author::from(b"amt".to_vec())));
    doc.set_actor(identity::actor_id(
        &m2.device.key.public(),
        m2.device.incarnation,
    ));
    let commit = |doc: &mut automerge::AutoCommit, quantity: u32| {
        use automerge::transaction::Transactable;
        let RecordOp::Put { key, json } = offer_put("o-auth", quantity, T0_MS) else {
            unreachable!("offer_put makes a put");
        };
        doc.put(automerge::ROOT, key, json).expect("put");
        doc.commit_with(automerge::transaction::CommitOptions::default().with_time(T0_MS));
        doc.get_last_local_change().expect("a change")
    };
    let first = commit(&mut doc, 1);
    let second = commit(&mut doc, 2);
    assert!(first.author().is_some());
    assert!(second.author().is_none());
    let mut expanded = second.decode();
    expanded.extra_bytes = first.decode().extra_bytes;
    expanded.hash = None;
    let crafted = automerge::Change::from(expanded);
    assert_eq!(crafted.seq(), 2);
    assert!(crafted.author().is_some());

    let first = Envelope::sign(
        &pact_id,
        document,
        first.raw_bytes().to_vec(),
        &m2.device.key,
    );
    let crafted = Envelope::sign(
        &pact_id,
        document,
        crafted.raw_bytes().to_vec(),
        &m2.device.key,
    );
    let report = receive(&mut replica, &first);
    assert_eq!(report.accepted, vec![first.clone()]);

    let before = Snapshot::of(&replica);
    let report = receive(&mut replica, &crafted);
    let reason = assert_refused(&replica, &report, crafted.content_hash(), "apply_failed");
    assert!(matches!(reason, Rejection::ApplyFailed(_)), "{reason}");
    assert_eq!(Snapshot::of(&replica), before);
    // The document still works: the honest next change applies.
    let honest = Envelope::sign(
        &pact_id,
        document,
        second.raw_bytes().to_vec(),
        &m2.device.key,
    );
    let report = receive(&mut replica, &honest);
    assert_eq!(report.accepted, vec![honest]);

    // In one batch with its predecessor, only the crafted change is refused.
    let mut fresh = pact.replica();
    let report =
        fresh.receive_envelopes(vec![first.clone(), crafted.clone()], SignatureCheck::Verify);
    assert_eq!(report.accepted, vec![first]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1.code(), "apply_failed");
}

#[test]
fn duplicates_change_nothing() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m0 = &pact.members[0];
    let known = replica
        .document(&offers_of(m0.id()))
        .expect("the base offer")
        .applied()[0]
        .envelope
        .clone();
    let before = Snapshot::of(&replica);
    let report = receive(&mut replica, &known);
    assert!(report.accepted.is_empty());
    assert!(report.rejected.is_empty());
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.pending, 0);
    assert_eq!(replica.stats().duplicates, 1);
    assert!(replica.stats().rejected.is_empty());
    assert_eq!(Snapshot::of(&replica), before);
    // As bytes, twice in one call.
    let bytes = known.to_bytes();
    let report = replica.receive_envelope_bytes(&[bytes.clone(), bytes], SignatureCheck::Verify);
    assert_eq!(report.duplicates, 2);
    assert_eq!(replica.stats().duplicates, 3);
    assert_eq!(Snapshot::of(&replica), before);

    // A duplicate of a waiting envelope is a duplicate too, queued once.
    let m2 = &pact.members[2];
    let pair = chain(
        &pact_id,
        offers_of(m2.id()),
        &m2.device.key,
        m2.device.incarnation,
        2,
    );
    let report = receive(&mut replica, &pair[1]);
    assert_eq!(report.pending, 1);
    let waiting = Snapshot::of(&replica);
    let report = receive(&mut replica, &pair[1]);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.pending, 0);
    assert_eq!(replica.pending_len(), 1);
    assert_eq!(Snapshot::of(&replica), waiting);
    assert_eq!(replica.stats().duplicates, 4);
    assert!(replica.stats().rejected.is_empty());
}
