//! The attacks a member gone rogue, a removed member, a stolen old key or
//! a stranger could make on the protocol, one test each, named after the
//! attack. Each failed before the rule that stops it was built.
//!
//! Attacks that need a running node (an expired device connecting, a node
//! started for the wrong member, a tampered backup) are in
//! `attacks_on_nodes.rs`.

mod common;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{EntryHash, MemberId};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::{
    ENTRIES_PER_AUTHOR_MAX, EntryBody, EntryKind, EntryRejection, InsertOutcome, Proposal,
    SignedEntry,
};
use amtshilfe_protocol::replica::{ForkEvidence, Replica};
use amtshilfe_tests::fixtures::{DELEGATION_MS, T0_MS, TestPact};
use common::ingress::{Fixture, assert_refused, fixture, receive, stranger};
use common::{Scratch, Snapshot, offer_put, offers_of, sync_all};

/// Inserts an entry and insists it applied.
fn apply(replica: &mut Replica, entry: SignedEntry) -> EntryHash {
    let hash = entry.hash();
    match replica.receive_entry(entry) {
        Ok(InsertOutcome::Applied { .. }) => hash,
        other => panic!("expected the entry to apply, got {other:?}"),
    }
}

fn entry_on(replica: &Replica, parents: Vec<EntryHash>, kind: EntryKind) -> EntryBody {
    EntryBody {
        pact: Some(replica.pact_id()),
        parents,
        issued_at_ms: T0_MS,
        kind,
    }
}

#[test]
fn device_identity_takeover_by_another_member_is_refused() {
    let pact = TestPact::new(3, 5);
    let mut replica = pact.replica();
    // The attacker is the member with the smallest id: the old rule gave
    // a device claimed by several members to the smallest id.
    let mut members: Vec<_> = pact.members.iter().collect();
    members.sort_by_key(|m| m.id());
    let (attacker, victim) = (members[0], members[1]);
    let victim_device = victim.device.key.public();
    let kind = EntryKind::Delegate {
        member: attacker.id(),
        device: victim_device,
        expires_at_ms: T0_MS + DELEGATION_MS,
    };
    let heads = replica.membership().heads();
    let body = entry_on(&replica, heads, kind);
    // Signed by the attacker's member key alone, or with the attacker's key
    // standing in for the device's consent: both refused.
    let alone = SignedEntry::sign(body.clone(), &[&attacker.member_key]);
    assert_eq!(
        replica.receive_entry(alone),
        Err(EntryRejection::NoDeviceConsent)
    );
    let fake_consent = SignedEntry::sign(body, &[&attacker.member_key, &attacker.device.key]);
    assert_eq!(
        replica.receive_entry(fake_consent),
        Err(EntryRejection::NoDeviceConsent)
    );
    let state = replica.membership().state();
    assert_eq!(state.member_of_key(&victim_device), Some(victim.id()));
    assert_eq!(
        replica.stats().entries_rejected.get("no_device_consent"),
        Some(&2)
    );
}

#[test]
fn a_device_consenting_twice_stays_with_its_first_member() {
    // Even a device that signs for two members (a key copied between two
    // members' nodes) belongs to one only, the same on every node.
    let pact = TestPact::new(3, 6);
    let mut replica = pact.replica();
    let (first, second) = (&pact.members[0], &pact.members[1]);
    let shared = first.device.key.clone();
    let again = replica.membership().delegate(
        &second.member_key,
        second.id(),
        &shared,
        T0_MS + DELEGATION_MS,
        T0_MS,
    );
    apply(&mut replica, again);
    assert_eq!(
        replica.membership().state().member_of_key(&shared.public()),
        Some(first.id())
    );
}

#[test]
fn a_compressed_change_chunk_is_refused_before_automerge_inflates_it() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m0 = &pact.members[0];
    // A fresh incarnation of the member's own device: a valid change in
    // every other respect.
    let mut scratch = Scratch::new(offers_of(m0.id()), &m0.device.key, [42; 16]);
    let change = scratch
        .document
        .make_change(scratch.actor, T0_MS, &[offer_put("o-zip", 2, T0_MS)])
        .expect("a change can be made");
    // automerge compresses a chunk over 256 bytes when asked for `bytes()`;
    // it inflates such a chunk without any cap when parsing it.
    let mut change = change;
    let compressed = change.bytes().to_vec();
    assert_eq!(compressed[8], 2, "a compressed change chunk");
    let envelope = Envelope::sign(&pact_id, offers_of(m0.id()), compressed, &m0.device.key);
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "malformed_change",
    );
    assert!(reason.to_string().contains("compressed"), "{reason}");
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn a_strangers_change_never_reaches_automerge() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m0 = &pact.members[0];
    // Bytes that automerge would have to parse (and refuse) are refused
    // for who signed them, before any parsing.
    let thief = stranger(77);
    let envelope = Envelope::sign(&pact_id, offers_of(m0.id()), vec![0x85; 4096], &thief);
    let report = receive(&mut replica, &envelope);
    assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "signer_not_delegated",
    );
}

#[test]
fn filling_the_membership_log_by_a_removed_member_is_refused() {
    let pact = TestPact::new(3, 7);
    let mut replica = pact.replica();
    let [a, b, c] = [&pact.members[0], &pact.members[1], &pact.members[2]];
    let removal = Proposal::Remove {
        member: c.id(),
        frozen_heads: Default::default(),
    };
    let entry = replica.membership().propose(&a.member_key, removal, T0_MS);
    let proposal = apply(&mut replica, entry);
    let entry = replica.membership().approve(&b.member_key, proposal, T0_MS);
    apply(&mut replica, entry);
    assert!(!replica.membership().state().is_member(&c.id()));
    // On top of its removal, the removed member may author nothing.
    for n in 0..3 {
        let newcomer = KeyPair::from_seed([100 + n; 32]);
        let add = Proposal::Add {
            key: newcomer.public(),
            name: format!("Gemeinde {n}"),
        };
        let entry = replica.membership().propose(&c.member_key, add, T0_MS);
        assert_eq!(
            replica.receive_entry(entry),
            Err(EntryRejection::AuthorNotCurrent)
        );
    }
    assert_eq!(
        replica.stats().entries_rejected.get("author_not_current"),
        Some(&3)
    );
}

#[test]
fn filling_the_membership_log_by_a_current_member_stops_at_its_cap() {
    let pact = TestPact::new(3, 8);
    let mut replica = pact.replica();
    let [a, b] = [&pact.members[0], &pact.members[1]];
    let already = replica
        .membership()
        .entries_in_order()
        .iter()
        .filter(|(_, e)| !e.is_charter() && e.author() == Some(&a.member_key.public()))
        .count();
    // Approvals of proposals that do not exist count for nothing but fill
    // the log: one member alone must not be able to fill it.
    for n in already..ENTRIES_PER_AUTHOR_MAX {
        let bogus = EntryHash([(n % 251) as u8; 32]);
        let mut entry = replica.membership().approve(&a.member_key, bogus, T0_MS);
        entry.body.issued_at_ms = T0_MS + n as i64;
        let entry = SignedEntry::sign(entry.body, &[&a.member_key]);
        apply(&mut replica, entry);
    }
    let over = replica
        .membership()
        .approve(&a.member_key, EntryHash([0; 32]), T0_MS - 1);
    assert_eq!(
        replica.receive_entry(over),
        Err(EntryRejection::AuthorOverLimit)
    );
    // The others still govern the pact.
    let newcomer = KeyPair::from_seed([120; 32]);
    let add = Proposal::Add {
        key: newcomer.public(),
        name: "Gemeinde Neu".into(),
    };
    let entry = replica.membership().propose(&b.member_key, add, T0_MS);
    apply(&mut replica, entry);
}

#[test]
fn voting_after_removal_with_a_backdated_approval_does_not_count() {
    let pact = TestPact::new(5, 9);
    let mut replica = pact.replica();
    let m = &pact.members;
    let newcomer = KeyPair::from_seed([130; 32]);
    let add = Proposal::Add {
        key: newcomer.public(),
        name: "Gemeinde Neu".into(),
    };
    // Two of five approve the admission: not a majority.
    let entry = replica.membership().propose(&m[0].member_key, add, T0_MS);
    let admission = apply(&mut replica, entry);
    let entry = replica
        .membership()
        .approve(&m[1].member_key, admission, T0_MS);
    apply(&mut replica, entry);
    let before_removal = replica.membership().heads();
    // Member 3 is removed by members 0, 2 and 4.
    let removal = Proposal::Remove {
        member: m[3].id(),
        frozen_heads: Default::default(),
    };
    let entry = replica
        .membership()
        .propose(&m[0].member_key, removal, T0_MS);
    let removal = apply(&mut replica, entry);
    for approver in [&m[2], &m[4]] {
        let entry = replica
            .membership()
            .approve(&approver.member_key, removal, T0_MS);
        apply(&mut replica, entry);
    }
    assert!(!replica.membership().state().is_member(&m[3].id()));
    let newcomer_id = MemberId::from_key(newcomer.public());
    assert!(!replica.membership().state().is_member(&newcomer_id));

    // The removed member approves the admission on the parents it had
    // before its removal, grinding the time until the approval sorts before
    // its removal in the replay: at that point it was a member, and its
    // vote would make three of five.
    let backdated = (0..10_000)
        .map(|n| {
            let body = entry_on(
                &replica,
                before_removal.clone(),
                EntryKind::Approve {
                    proposal: admission,
                },
            );
            let body = EntryBody {
                issued_at_ms: T0_MS + n,
                ..body
            };
            SignedEntry::sign(body, &[&m[3].member_key])
        })
        .find(|entry| entry.hash() < removal)
        .expect("a hash below the removal's is found in a few tries");
    // Its past is honest, so every node takes it in alike…
    apply(&mut replica, backdated);
    // …but outside the log heads its removal named, it counts for nothing.
    assert!(
        !replica.membership().state().is_member(&newcomer_id),
        "a removed member's backdated vote admitted a member"
    );
    assert!(
        !replica.membership().state().is_member(&m[3].id()),
        "a removed member's backdated vote undid its removal"
    );
}

#[test]
fn equivocation_ends_the_same_way_on_every_node() {
    let pact = TestPact::new(3, 10);
    let pact_id = common::pact_id(&pact.charter);
    let m0 = &pact.members[0];
    let offers = offers_of(m0.id());
    // Member 0's device signs two different first changes (and a second
    // change on top of each) and sends each story to one half of the pact.
    let story = |quantity: u32| {
        let mut scratch = Scratch::new(offers, &m0.device.key, m0.device.incarnation);
        (1..=2)
            .map(|n| {
                let change =
                    scratch.change(T0_MS + n, &[offer_put("o-x", quantity + n as u32, T0_MS)]);
                Envelope::sign(&pact_id, offers, change, &m0.device.key)
            })
            .collect::<Vec<_>>()
    };
    let (left_story, right_story) = (story(10), story(20));
    let mut replicas = vec![pact.replica(), pact.replica(), pact.replica()];
    for (replica, story) in replicas.iter_mut().zip([&left_story, &right_story]) {
        let report = replica.receive_envelopes(story.clone(), SignatureCheck::Verify);
        assert_eq!(report.accepted.len(), 2);
    }
    // The halves hold equal version vectors but different histories; sync
    // must find the fork, spread the evidence and settle alike everywhere.
    sync_all(&mut replicas);
    for replica in &replicas {
        let forks: Vec<_> = replica.forks().collect();
        assert_eq!(forks.len(), 1, "every node holds the evidence");
        assert_eq!(forks[0].seq, 1, "frozen at the lowest fork");
        assert!(
            replica.document(&offers).is_none_or(|d| d.is_empty()),
            "the forked actor's changes are held everywhere"
        );
    }
    // The device goes on under a new incarnation it declares, accepted by
    // all.
    let declared =
        replicas[0]
            .membership()
            .declare_incarnation(&m0.device.key, m0.id(), [8; 16], T0_MS + 9);
    let mut scratch = Scratch::new(offers, &m0.device.key, [8; 16]);
    let change = scratch.change(T0_MS + 9, &[offer_put("o-y", 3, T0_MS)]);
    let fresh = Envelope::sign(&pact_id, offers, change, &m0.device.key);
    for replica in &mut replicas {
        replica.receive_entry(declared.clone()).unwrap();
        let report = replica.receive_envelopes(vec![fresh.clone()], SignatureCheck::Verify);
        assert_eq!(report.accepted.len(), 1);
    }
}

#[test]
fn fork_evidence_made_up_by_a_stranger_is_refused() {
    let pact = TestPact::new(3, 11);
    let pact_id = common::pact_id(&pact.charter);
    let mut replica = pact.replica();
    let offers = offers_of(pact.members[0].id());
    // Two different first changes signed by a key nobody delegated: valid
    // signatures, valid "evidence", but of no member's device.
    let thief = stranger(78);
    let made_up = |quantity: u32| {
        let mut scratch = Scratch::new(offers, &thief, [9; 16]);
        let change = scratch.change(T0_MS, &[offer_put("o-z", quantity, T0_MS)]);
        Envelope::sign(&pact_id, offers, change, &thief)
    };
    let evidence = ForkEvidence::new(made_up(1), made_up(2));
    assert_eq!(
        replica.receive_fork_evidence(evidence),
        Err(amtshilfe_protocol::ingress::Rejection::SignerNotDelegated)
    );
    assert_eq!(replica.forks().count(), 0);
}
