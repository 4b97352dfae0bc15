//! The pact's agreement in the log: only a majority changes it, a change
//! applies only on top of the version its proposer saw, every replica ends
//! with the same history whatever the arrival order, and a bad agreement
//! never enters a log.

use super::*;
use crate::membership::{ENTRY_BYTES_MAX, PARENTS_MAX, ProposalStatus};
use crate::pact::{Agreement, Obligation, example_agreement};

fn members_of(keys: &[KeyPair]) -> Vec<MemberId> {
    keys.iter().map(id).collect()
}

fn set(agreement: Agreement, previous: Option<EntryHash>) -> Proposal {
    Proposal::SetAgreement {
        agreement: Box::new(agreement),
        previous,
    }
}

#[test]
fn a_minority_does_not_set_the_agreement_and_a_majority_does() {
    let (keys, mut log) = pact(5);
    let agreement = example_agreement(&members_of(&keys));
    let proposal = propose(&mut log, &keys[0], set(agreement.clone(), None));
    approve_all(&mut log, &[&keys[1]], proposal);
    assert_eq!(log.state().agreement(), None, "2 of 5 is no majority");
    assert!(log.state().agreement_history().is_empty());

    let third = log.approve(&keys[2], proposal, T0_MS + 5_000);
    let third_hash = apply(&mut log, third);
    let version = log.state().agreement().expect("3 of 5 set it");
    assert_eq!(version.agreement, agreement);
    assert_eq!(version.proposal, proposal);
    assert_eq!(version.proposed_by, id(&keys[0]));
    assert_eq!(
        version.approved_by,
        [&keys[0], &keys[1], &keys[2]]
            .iter()
            .map(|k| id(k))
            .collect()
    );
    assert_eq!(version.applied_at, third_hash);
    assert_eq!(version.applied_at_ms, T0_MS + 5_000);
    assert_eq!(
        log.state().proposal(&proposal),
        Some(&ProposalStatus::Applied { at: third_hash })
    );
}

#[test]
fn a_change_keeps_the_history_and_a_stale_rewrite_never_applies() {
    let (keys, mut log) = pact(3);
    let first = example_agreement(&members_of(&keys));
    let v1 = propose(&mut log, &keys[0], set(first.clone(), None));
    approve_all(&mut log, &[&keys[1]], v1);

    let mut second = first.clone();
    second.obligation = Obligation::Committed;
    let v2 = propose(&mut log, &keys[1], set(second.clone(), Some(v1)));
    // A rewrite that still names no previous version (as if the first had
    // never been agreed) reaches its majority but cannot apply.
    let mut stale = first.clone();
    stale.liability_clause = "Jede Kommune haftet unbeschränkt.".into();
    let stale_proposal = propose(&mut log, &keys[2], set(stale, None));
    approve_all(&mut log, &[&keys[0]], stale_proposal);
    assert!(matches!(
        log.state().proposal(&stale_proposal),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    approve_all(&mut log, &[&keys[2]], v2);

    let history = log.state().agreement_history();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].agreement, first);
    assert_eq!(history[1].agreement, second);
    assert_eq!(history[1].proposed_by, id(&keys[1]));
    assert_eq!(log.state().agreement().unwrap().proposal, v2);
}

#[test]
fn every_replica_ends_with_the_same_agreement_in_any_arrival_order() {
    let (keys, base) = pact(5);
    let mut node_a = base.clone();
    let mut node_b = base.clone();
    // Two members propose different first versions concurrently; C, D, E
    // back both, on different nodes and in different orders. Only one can
    // apply (both name no previous version): every replica must agree on
    // which.
    let first = example_agreement(&members_of(&keys));
    let mut other = first.clone();
    other.obligation = Obligation::Committed;
    let pa = propose(&mut node_a, &keys[0], set(first, None));
    let pb = propose(&mut node_b, &keys[1], set(other, None));
    sync(&node_b, &mut node_a);
    let mut node_c = node_a.clone();
    let mut node_d = node_a.clone();
    approve_all(&mut node_c, &[&keys[2], &keys[3]], pa);
    approve_all(&mut node_d, &[&keys[3], &keys[4]], pb);
    approve_all(&mut node_d, &[&keys[2]], pb);
    approve_all(&mut node_c, &[&keys[4]], pa);
    let mut reference = node_a.clone();
    sync(&node_c, &mut reference);
    sync(&node_d, &mut reference);
    let chosen = reference.state().agreement().expect("one applies").proposal;
    assert!(chosen == pa || chosen == pb);
    assert_eq!(reference.state().agreement_history().len(), 1);

    let entries: Vec<SignedEntry> = reference.entries_in_order()[1..]
        .iter()
        .map(|(_, e)| (*e).clone())
        .collect();
    let n = entries.len();
    for rotation in 0..n {
        for reversed in [false, true] {
            let mut order = entries.clone();
            order.rotate_left(rotation);
            if reversed {
                order.reverse();
            }
            let (_, mut log) = pact(5);
            for entry in order {
                assert!(log.insert(entry).is_ok());
            }
            assert_eq!(log.pending_len(), 0);
            assert_eq!(log.state(), reference.state(), "rotation {rotation}");
        }
    }
}

#[test]
fn a_bad_agreement_is_a_malformed_entry_and_changes_nothing() {
    let (keys, mut log) = pact(1);
    let mut agreement = example_agreement(&members_of(&keys));
    agreement.may_request.clear();
    let entry = log.propose(&keys[0], set(agreement, None), T0_MS);
    let before = log.state().clone();
    assert!(matches!(
        log.insert(entry),
        Err(EntryRejection::Malformed(reason)) if reason.contains("may_request") && reason.contains("(empty)")
    ));
    assert_eq!(log.state(), &before);
}

#[test]
fn the_largest_agreement_fits_one_entry() {
    use crate::pact::{
        COUNCIL_RESOLUTIONS_MAX, CouncilResolution, SCHEDULED_EXERCISES_MAX, ScheduledExercise,
    };
    let (keys, log) = pact(1);
    let mut agreement = example_agreement(&[]);
    agreement.council_resolutions = (0..COUNCIL_RESOLUTIONS_MAX)
        .map(|i| CouncilResolution {
            member: MemberId([i as u8; 32]),
            date_ms: crate::model::TIME_MS_MAX,
        })
        .collect();
    agreement.exercise_schedule = vec![
        ScheduledExercise {
            date_ms: crate::model::TIME_MS_MAX,
            kind: crate::pact::ExerciseKind::Live,
            title: "𝔏".repeat(crate::model::NAME_CHARS_MAX),
        };
        SCHEDULED_EXERCISES_MAX
    ];
    // Then the longest liability clause the byte cap still allows.
    agreement.liability_clause = "€".repeat(crate::model::TEXT_CHARS_MAX);
    while agreement.validate().map_err(|e| e.code()) == Err("agreement_too_large") {
        agreement.liability_clause.pop();
    }
    assert_eq!(agreement.validate(), Ok(()));
    let mut entry = log.propose(&keys[0], set(agreement, Some(EntryHash([9; 32]))), T0_MS);
    entry.body.parents = (0..PARENTS_MAX as u8).map(|i| EntryHash([i; 32])).collect();
    let bytes = entry.to_bytes().len();
    assert!(bytes <= ENTRY_BYTES_MAX, "{bytes} bytes");
}
