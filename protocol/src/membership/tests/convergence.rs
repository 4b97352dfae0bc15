//! The state is a function of the set of entries: any arrival order, with
//! pending cascades and re-sends, ends in the same state.

use proptest::prelude::*;

use super::*;
use crate::membership::EntryRejection;

/// Entries of a pact in which A and B try to remove each other while A
/// also admits F, who then delegates a device and approves.
/// `split`: C backs only B's removal, D only A's; else C and D back both.
/// Returns the charter, every later entry, and the log that made them.
fn concurrent_removals(split: bool) -> (SignedEntry, Vec<SignedEntry>, MembershipLog) {
    let (keys, base) = pact(5);
    let [a, b, c, d, e] = [&keys[0], &keys[1], &keys[2], &keys[3], &keys[4]];
    let f = key(40);
    let mut node_a = base.clone();
    let mut node_b = base.clone();
    let remove_b = propose(&mut node_a, a, remove(b));
    let admit_f = propose(&mut node_a, a, add(&f));
    let remove_a = propose(&mut node_b, b, remove(a));
    sync(&node_b, &mut node_a);
    let merged = node_a;

    let mut node_c = merged.clone();
    let mut node_d = merged.clone();
    let mut node_e = merged.clone();
    if split {
        approve_all(&mut node_c, &[c], remove_b);
        approve_all(&mut node_d, &[d], remove_a);
    } else {
        approve_all(&mut node_c, &[c], remove_b);
        approve_all(&mut node_c, &[c], remove_a);
        approve_all(&mut node_d, &[d], remove_a);
        approve_all(&mut node_d, &[d], remove_b);
    }
    approve_all(&mut node_e, &[e], remove_a);
    approve_all(&mut node_e, &[e], remove_b);
    approve_all(&mut node_c, &[c], admit_f);
    approve_all(&mut node_d, &[d], admit_f);
    approve_all(&mut node_e, &[e], admit_f);

    let mut all = merged;
    for node in [&node_c, &node_d, &node_e] {
        sync(node, &mut all);
    }
    // F joins (in this replay), delegates a device and approves A's removal.
    let delegation = all.delegate(&f, id(&f), &key(90), T0_MS + 1_000, T0_MS);
    apply(&mut all, delegation);
    approve_all(&mut all, &[&f], remove_a);

    let entries: Vec<(EntryHash, &SignedEntry)> = all.entries_in_order();
    let charter = entries[0].1.clone();
    let rest = entries[1..].iter().map(|(_, e)| (*e).clone()).collect();
    (charter, rest, all)
}

/// Inserts `entries` in the given order; entries refused because their
/// author is not known yet are offered again (as anti-entropy would) until
/// nothing changes. Asserts that no other rejection happens. Also returns
/// how many entries went pending and how many were refused as unknown.
fn deliver(charter: &SignedEntry, entries: Vec<SignedEntry>) -> (MembershipLog, usize, usize) {
    let mut log = MembershipLog::new(charter.clone()).unwrap();
    let mut offer = entries;
    let (mut pending, mut unknown) = (0, 0);
    loop {
        let before = offer.len();
        let mut retry = Vec::new();
        for entry in offer {
            match log.insert(entry.clone()) {
                Ok(InsertOutcome::Pending) => pending += 1,
                Ok(_) => {}
                Err(EntryRejection::UnknownAuthor) => {
                    unknown += 1;
                    retry.push(entry);
                }
                Err(other) => panic!("unexpected rejection: {other}"),
            }
        }
        if retry.is_empty() || retry.len() == before {
            assert!(retry.is_empty(), "{} entries never accepted", retry.len());
            return (log, pending, unknown);
        }
        offer = retry;
    }
}

fn assert_same(log: &MembershipLog, reference: &MembershipLog) {
    assert_eq!(log.pending_len(), 0, "everything applies eventually");
    assert_eq!(log.hashes(), reference.hashes());
    assert_eq!(log.heads(), reference.heads());
    assert_eq!(log.state(), reference.state());
    let order: Vec<EntryHash> = log.entries_in_order().iter().map(|(h, _)| *h).collect();
    let expected: Vec<EntryHash> = reference
        .entries_in_order()
        .iter()
        .map(|(h, _)| *h)
        .collect();
    assert_eq!(order, expected);
}

#[test]
fn removals_backed_by_a_majority_both_pass() {
    // C, D and E back both removals: whichever passes first, the other
    // still has 3 current approvers among at most 5 members.
    let (keys, _) = pact(5);
    let (_, _, both) = concurrent_removals(false);
    assert!(!both.state().is_member(&id(&keys[0])));
    assert!(!both.state().is_member(&id(&keys[1])));
}

#[test]
fn reversed_delivery_converges() {
    for split in [true, false] {
        let (charter, mut entries, reference) = concurrent_removals(split);
        entries.reverse();
        let (log, pending, unknown) = deliver(&charter, entries);
        assert_same(&log, &reference);
        assert!(pending > 0, "children first means waiting for parents");
        assert!(unknown > 0, "F's entries come before F's admission");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_arrival_order_converges_with_split_support(
        entries in Just(concurrent_removals(true).1).prop_shuffle()
    ) {
        let (charter, _, reference) = concurrent_removals(true);
        assert_same(&deliver(&charter, entries).0, &reference);
    }

    #[test]
    fn every_arrival_order_converges_with_full_support(
        entries in Just(concurrent_removals(false).1).prop_shuffle()
    ) {
        let (charter, _, reference) = concurrent_removals(false);
        assert_same(&deliver(&charter, entries).0, &reference);
    }
}

#[test]
fn pending_entries_apply_in_a_cascade_when_their_parents_arrive() {
    let (keys, mut source) = pact(3);
    let proposal = propose(&mut source, &keys[0], add(&key(40)));
    approve_all(&mut source, &[&keys[1]], proposal);
    let newcomer_delegates = source.delegate(&key(40), id(&key(40)), &key(80), T0_MS, T0_MS);
    apply(&mut source, newcomer_delegates);
    let entries: Vec<SignedEntry> = source.entries_in_order()[1..]
        .iter()
        .map(|(_, e)| (*e).clone())
        .collect();
    let [propose_entry, approve_entry, delegate_entry] = &entries[..] else {
        panic!("three entries expected");
    };

    let (_, mut log) = pact(3);
    assert_eq!(
        log.insert(approve_entry.clone()),
        Ok(InsertOutcome::Pending)
    );
    assert_eq!(
        log.insert(approve_entry.clone()),
        Ok(InsertOutcome::Duplicate)
    );
    assert_eq!(log.pending_len(), 1);
    assert!(!log.contains(&approve_entry.hash()));
    assert_eq!(
        log.insert(delegate_entry.clone()),
        Err(EntryRejection::UnknownAuthor),
        "nothing stored or pending introduces the newcomer's key yet"
    );
    assert_eq!(
        log.insert(propose_entry.clone()),
        Ok(InsertOutcome::Applied {
            state_changed: true
        })
    );
    assert_eq!(log.pending_len(), 0);
    assert!(log.contains(&approve_entry.hash()));
    assert!(log.state().is_member(&id(&key(40))));
    assert!(log.insert(delegate_entry.clone()).is_ok());
    assert_same(&log, &source);
}

#[test]
fn a_batch_in_any_order_replays_once_to_the_same_state() {
    let (charter, mut entries, reference) = concurrent_removals(true);
    entries.reverse();
    let mut log = MembershipLog::new(charter).unwrap();
    let results = log.insert_batch(entries.clone());
    assert_eq!(results.len(), entries.len());
    assert!(results.iter().any(|r| r == &Ok(InsertOutcome::Pending)));
    let refused: Vec<SignedEntry> = results
        .iter()
        .zip(&entries)
        .filter(|(r, _)| r == &&Err(EntryRejection::UnknownAuthor))
        .map(|(_, e)| e.clone())
        .collect();
    assert!(!refused.is_empty());
    let again = log.insert_batch(refused);
    assert!(again.iter().all(Result::is_ok), "{again:?}");
    assert_same(&log, &reference);
}
