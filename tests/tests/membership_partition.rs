//! Membership across a partition, at replica level: a minority cannot
//! change membership, a majority can; after the partition heals every
//! replica agrees on members and data whatever happened on either side;
//! concurrent removals settle the same everywhere; a removed member's
//! documents stay frozen at the heads its removal recorded.

mod common;

use std::collections::BTreeSet;

use amtshilfe_protocol::ids::{Collection, DocumentId, EntryHash, MemberId, RecordId};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::{Authority, FrozenHeads, Proposal, ProposalStatus};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::replica::Replica;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::{offer_put, offers_of, sync, sync_all};

/// A pact of five, one replica per member, every member has offered
/// something and every replica has seen it all.
fn five() -> (TestPact, Vec<Replica>) {
    let pact = TestPact::new(5, 31);
    let mut replicas: Vec<Replica> = pact.members.iter().map(|_| pact.replica()).collect();
    for (index, member) in pact.members.iter().enumerate() {
        replicas[index]
            .write(
                &member.device,
                Collection::Offers,
                &[offer_put(&format!("o-{index}-early"), 3, T0_MS)],
                T0_MS,
            )
            .expect("a member writes its offers");
    }
    sync_all(&mut replicas);
    (pact, replicas)
}

/// The heads of `member`'s documents as `replica` has seen them.
fn heads_seen(replica: &Replica, member: MemberId) -> FrozenHeads {
    Collection::ALL
        .into_iter()
        .filter_map(|c| {
            replica
                .document(&DocumentId::new(member, c))
                .map(|d| (c, d.heads()))
        })
        .collect()
}

/// `proposer`'s replica proposes removing `target`; returns the proposal.
fn propose_removal(
    pact: &TestPact,
    replica: &mut Replica,
    proposer: usize,
    target: usize,
) -> EntryHash {
    let target = pact.members[target].id();
    let entry = replica.membership().propose(
        &pact.members[proposer].member_key,
        Proposal::Remove {
            member: target,
            frozen_heads: heads_seen(replica, target),
        },
        T0_MS + 100,
    );
    let hash = entry.hash();
    replica.receive_entry(entry).expect("a member proposes");
    hash
}

fn approve(pact: &TestPact, replica: &mut Replica, approver: usize, proposal: EntryHash) {
    let entry =
        replica
            .membership()
            .approve(&pact.members[approver].member_key, proposal, T0_MS + 200);
    replica.receive_entry(entry).expect("a member approves");
}

/// Two distinct replicas of `replicas`, the first one mutable.
fn pair(replicas: &mut [Replica], a: usize, b: usize) -> (&mut Replica, &mut Replica) {
    assert_ne!(a, b);
    let (low, high) = replicas.split_at_mut(a.max(b));
    if a < b {
        (&mut low[a], &mut high[0])
    } else {
        (&mut high[0], &mut low[b])
    }
}

/// `puller` pulls everything `answerer` has.
fn pull(replicas: &mut [Replica], puller: usize, answerer: usize) {
    let (x, y) = pair(replicas, puller, answerer);
    sync(x, y);
}

/// Pulls in both directions between two replicas of `replicas`.
fn exchange(replicas: &mut [Replica], a: usize, b: usize) {
    let (x, y) = pair(replicas, a, b);
    sync(x, y);
    sync(y, x);
}

fn members(replica: &Replica) -> BTreeSet<MemberId> {
    replica
        .membership()
        .state()
        .members()
        .map(|(id, _)| *id)
        .collect()
}

fn offer_ids(replica: &Replica, owner: MemberId) -> Vec<String> {
    replica
        .read_model()
        .registry(&Default::default())
        .iter()
        .filter(|e| e.address.owner == owner)
        .map(|e| e.address.id.as_str().to_owned())
        .collect()
}

#[test]
fn minority_cannot_remove_majority_can_and_all_agree_after_healing() {
    let (pact, mut replicas) = five();
    let id = |i: usize| pact.members[i].id();

    // Side {0, 1}: 0 proposes removing 2, 1 approves. Two of five.
    let minority = propose_removal(&pact, &mut replicas[0], 0, 2);
    exchange(&mut replicas, 0, 1);
    approve(&pact, &mut replicas[1], 1, minority);
    exchange(&mut replicas, 0, 1);
    for replica in &replicas[0..2] {
        let state = replica.membership().state();
        assert_eq!(state.member_count(), 5);
        assert!(state.is_member(&id(2)));
        assert_eq!(
            state.proposal(&minority),
            Some(&ProposalStatus::Open {
                approvers: BTreeSet::from([id(0), id(1)])
            })
        );
        assert_eq!(
            state.authorise(
                &pact.members[2].device.key.public(),
                &offers_of(id(2)),
                T0_MS + 300
            ),
            Ok(Authority::Full)
        );
    }

    // Side {2, 3, 4}: 2 proposes removing 1, 3 and 4 approve. Three of five.
    let majority = propose_removal(&pact, &mut replicas[2], 2, 1);
    exchange(&mut replicas, 2, 3);
    approve(&pact, &mut replicas[3], 3, majority);
    exchange(&mut replicas, 3, 4);
    approve(&pact, &mut replicas[4], 4, majority);
    exchange(&mut replicas, 2, 4);
    exchange(&mut replicas, 3, 4);
    for replica in &replicas[2..5] {
        assert_eq!(
            members(replica),
            BTreeSet::from([id(0), id(2), id(3), id(4)])
        );
    }
    for replica in &replicas[0..2] {
        assert_eq!(replica.membership().state().member_count(), 5);
    }

    // Meanwhile both targets keep writing on their own sides.
    replicas[2]
        .write(
            &pact.members[2].device,
            Collection::Offers,
            &[offer_put("o-2-partition", 4, T0_MS + 400)],
            T0_MS + 400,
        )
        .expect("member 2 was never removed");
    replicas[1]
        .write(
            &pact.members[1].device,
            Collection::Offers,
            &[offer_put("o-1-partition", 4, T0_MS + 400)],
            T0_MS + 400,
        )
        .expect("member 1's side has not heard of its removal");

    sync_all(&mut replicas);
    let reference = &replicas[0];
    let expected = BTreeSet::from([id(0), id(2), id(3), id(4)]);
    for replica in &replicas {
        assert_eq!(members(replica), expected);
        assert_eq!(replica.membership().heads(), reference.membership().heads());
        assert_eq!(
            replica.membership().hashes(),
            reference.membership().hashes()
        );
        assert_eq!(replica.membership().state(), reference.membership().state());
        assert_eq!(replica.heads(), reference.heads());
        assert_eq!(replica.read_model(), reference.read_model());
        assert_eq!(replica.digest(), reference.digest());
        // The minority's proposal never took effect: its second approver
        // is gone.
        assert!(matches!(
            replica.membership().state().proposal(&minority),
            Some(ProposalStatus::Open { .. })
        ));
        assert_eq!(offer_ids(replica, id(2)), ["o-2-early", "o-2-partition"]);
        // Member 1's write after the heads its removal froze is nowhere.
        assert_eq!(offer_ids(replica, id(1)), ["o-1-early"]);
    }
    assert_eq!(replicas[1].held_len(), 1);
}

#[test]
fn concurrent_removals_settle_the_same_on_every_replica() {
    let (pact, mut replicas) = five();
    let id = |i: usize| pact.members[i].id();
    // 0 proposes removing 1 while 1 proposes removing 0.
    let remove_1 = propose_removal(&pact, &mut replicas[0], 0, 1);
    let remove_0 = propose_removal(&pact, &mut replicas[1], 1, 0);
    // Each other member hears of both, and approves in its own order.
    let (left, right) = replicas.split_at_mut(2);
    for replica in right.iter_mut() {
        sync(replica, &left[0]);
        sync(replica, &left[1]);
    }
    approve(&pact, &mut replicas[2], 2, remove_0);
    approve(&pact, &mut replicas[2], 2, remove_1);
    approve(&pact, &mut replicas[3], 3, remove_1);
    approve(&pact, &mut replicas[3], 3, remove_0);
    approve(&pact, &mut replicas[4], 4, remove_1);
    // Before anyone syncs, each replica judges by what it has seen.
    assert_eq!(members(&replicas[2]).len(), 5);
    assert_eq!(members(&replicas[4]).len(), 5);

    sync_all(&mut replicas);
    let agreed = members(&replicas[0]);
    for replica in &replicas {
        assert_eq!(members(replica), agreed);
        assert_eq!(
            replica.membership().heads(),
            replicas[0].membership().heads()
        );
        assert_eq!(
            replica.membership().state(),
            replicas[0].membership().state()
        );
        assert_eq!(replica.heads(), replicas[0].heads());
        assert_eq!(replica.digest(), replicas[0].digest());
    }
    for bystander in 2..5 {
        assert!(agreed.contains(&id(bystander)));
    }
    assert!(!agreed.contains(&id(0)) || !agreed.contains(&id(1)));

    // A replica that gets the same entries in reverse order agrees too.
    let mut late = pact.replica();
    let mut entries: Vec<_> = replicas[0]
        .membership()
        .entries_in_order()
        .into_iter()
        .map(|(_, e)| e.clone())
        .collect();
    entries.reverse();
    for entry in entries {
        late.receive_entry(entry).expect("a valid entry");
    }
    assert_eq!(late.membership().pending_len(), 0);
    assert_eq!(late.membership().state(), replicas[0].membership().state());
}

#[test]
fn removed_member_is_frozen_at_its_removal_everywhere() {
    let (pact, mut replicas) = five();
    let id = |i: usize| pact.members[i].id();
    let target = id(4);
    let frozen = heads_seen(&replicas[0], target);
    // Members 0, 1, 2 remove member 4; replica 4 hears nothing of it yet.
    let removal = propose_removal(&pact, &mut replicas[0], 0, 4);
    for approver in [1, 2] {
        pull(&mut replicas, approver, 0);
        approve(&pact, &mut replicas[approver], approver, removal);
        exchange(&mut replicas, 0, approver);
    }
    for index in 0..4 {
        exchange(&mut replicas, index, (index + 1) % 4);
    }
    for replica in &replicas[0..4] {
        assert!(!replica.membership().state().is_member(&target));
    }

    // Member 4 writes again; its gossip reaches the other four.
    let late = replicas[4]
        .write(
            &pact.members[4].device,
            Collection::Offers,
            &[offer_put("o-4-late", 9, T0_MS + 500)],
            T0_MS + 500,
        )
        .expect("replica 4 has not heard of the removal");
    for replica in &mut replicas[0..4] {
        let report = replica.receive_envelopes(vec![late.clone()], SignatureCheck::Verify);
        assert!(report.accepted.is_empty());
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].1.code(), "authority_frozen");
    }

    // Replica 4 learns of the removal first, then everyone syncs.
    pull(&mut replicas, 4, 0);
    sync_all(&mut replicas);
    let early = RecordAddress::new(target, RecordId::new("o-4-early").expect("valid id"));
    for (index, replica) in replicas.iter().enumerate() {
        assert_eq!(heads_seen(replica, target), frozen);
        assert!(replica.read_model().offer(&early).is_some());
        assert_eq!(offer_ids(replica, target), ["o-4-early"]);
        let frozen_count = replica.stats().rejected.get("authority_frozen").copied();
        let expected = if index < 4 { Some(1) } else { None };
        assert_eq!(frozen_count, expected, "replica {index}");
        assert_eq!(replica.digest(), replicas[0].digest());
    }
    // The member's own node keeps its write, held and not applied.
    assert_eq!(replicas[4].held_len(), 1);
    assert_eq!(
        replicas[4]
            .membership()
            .state()
            .member_record(&target)
            .and_then(|r| r.removed.as_ref())
            .map(|f| f.frozen_heads.clone()),
        Some(frozen)
    );
}

#[test]
fn a_pending_change_cut_off_by_a_removal_is_refused_not_held() {
    let (pact, mut replicas) = five();
    let target = pact.members[4].id();
    // Member 4 writes twice before it is removed; nobody has either yet.
    let mut late = Vec::new();
    for (n, id) in ["o-4-late-a", "o-4-late-b"].into_iter().enumerate() {
        let at = T0_MS + 500 + n as i64;
        late.push(
            replicas[4]
                .write(
                    &pact.members[4].device,
                    Collection::Offers,
                    &[offer_put(id, 9, at)],
                    at,
                )
                .expect("member 4 may still write"),
        );
    }
    let removal = propose_removal(&pact, &mut replicas[0], 0, 4);
    for approver in [1, 2] {
        pull(&mut replicas, approver, 0);
        approve(&pact, &mut replicas[approver], approver, removal);
        exchange(&mut replicas, 0, approver);
    }
    // Replica 3 gets only the second write: it waits for the first.
    let report = replicas[3].receive_envelopes(vec![late[1].clone()], SignatureCheck::Verify);
    assert_eq!(report.pending, 1);
    assert!(replicas[3].stats().rejected.is_empty());

    // Then it learns of the removal: the waiting write falls outside the
    // frozen heads. It was never stored, so it is refused and counted, as
    // on a replica that got it after the removal; nothing is held.
    pull(&mut replicas, 3, 0);
    assert!(!replicas[3].membership().state().is_member(&target));
    assert_eq!(replicas[3].pending_len(), 0);
    assert_eq!(replicas[3].held_len(), 0);
    assert_eq!(
        replicas[3]
            .stats()
            .rejected
            .get("authority_frozen")
            .copied(),
        Some(1)
    );
    assert_eq!(offer_ids(&replicas[3], target), ["o-4-early"]);
}
