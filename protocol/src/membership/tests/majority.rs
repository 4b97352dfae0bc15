//! Majorities: when proposals take effect, who counts, officers, and the
//! proposals that can no longer apply.

use super::*;
use crate::membership::ProposalStatus;

#[test]
fn founders_are_members_with_their_own_keys() {
    let (keys, log) = pact(3);
    let state = log.state();
    assert_eq!(state.member_count(), 3);
    for key in &keys {
        let info = state.members().find(|(m, _)| **m == id(key)).unwrap().1;
        assert_eq!(info.current_key, key.public());
        assert_eq!(info.admitted_by.0, log.pact_id().0);
        assert_eq!(state.member_of_key(&key.public()), Some(id(key)));
    }
}

#[test]
fn with_five_members_two_approvals_do_not_apply_and_three_do() {
    let (keys, mut log) = pact(5);
    let newcomer = key(40);
    let proposal = propose(&mut log, &keys[0], add(&newcomer));
    approve_all(&mut log, &[&keys[1]], proposal);
    assert!(!log.state().is_member(&id(&newcomer)));
    assert!(matches!(
        log.state().proposal(&proposal),
        Some(ProposalStatus::Open { approvers }) if approvers.len() == 2
    ));

    let third = log.approve(&keys[2], proposal, T0_MS);
    let third_hash = third.hash();
    assert_eq!(
        log.insert(third),
        Ok(InsertOutcome::Applied {
            state_changed: true
        })
    );
    assert!(log.state().is_member(&id(&newcomer)));
    assert_eq!(log.state().member_count(), 6);
    assert_eq!(
        log.state().proposal(&proposal),
        Some(&ProposalStatus::Applied { at: third_hash })
    );
    let info = log
        .state()
        .members()
        .find(|(m, _)| **m == id(&newcomer))
        .unwrap()
        .1;
    assert_eq!(info.admitted_by, proposal);

    // Later approvals change nothing: a proposal takes effect once.
    approve_all(&mut log, &[&keys[3], &keys[4]], proposal);
    assert_eq!(log.state().member_count(), 6);
}

#[test]
fn a_single_founder_decides_alone_and_approving_twice_counts_once() {
    let (keys, mut log) = pact(1);
    let proposal = propose(&mut log, &keys[0], add(&key(40)));
    assert!(log.state().is_member(&id(&key(40))));

    let (keys, mut log) = pact(4);
    let proposal_two = propose(&mut log, &keys[0], add(&key(40)));
    approve_all(&mut log, &[&keys[1], &keys[1], &keys[0]], proposal_two);
    assert!(
        !log.state().is_member(&id(&key(40))),
        "2 of 4 is no majority"
    );
    assert_ne!(proposal, proposal_two);
}

#[test]
fn approvals_by_non_members_do_not_count() {
    let (keys, mut log) = pact(3);
    let outsider = key(40);
    let admit = propose(&mut log, &keys[0], add(&outsider));
    approve_all(&mut log, &[&keys[1]], admit);
    // Now 4 members; the removed-to-be approves something before removal.
    let kick = propose(&mut log, &keys[0], remove(&keys[2]));
    approve_all(&mut log, &[&keys[1], &outsider], kick);
    assert!(!log.state().is_member(&id(&keys[2])));
    // keys[2] is no member any more: on top of its removal it may author
    // nothing, neither a proposal nor an approval.
    let entry = log.propose(&keys[2], add(&key(41)), T0_MS);
    assert_eq!(log.insert(entry), Err(EntryRejection::AuthorNotCurrent));
    let other = propose(&mut log, &keys[1], add(&key(42)));
    let late = log.approve(&keys[2], other, T0_MS);
    assert_eq!(log.insert(late), Err(EntryRejection::AuthorNotCurrent));
    assert!(
        !log.state().is_member(&id(&key(42))),
        "1 of 3 members approved"
    );
    approve_all(&mut log, &[&outsider], other);
    assert!(log.state().is_member(&id(&key(42))));
}

#[test]
fn inapplicable_proposals_never_apply() {
    let (keys, mut log) = pact(3);
    let again = propose(&mut log, &keys[0], add(&keys[1]));
    approve_all(&mut log, &[&keys[2]], again);
    assert!(matches!(
        log.state().proposal(&again),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    let stranger = key(40);
    let ghost = propose(&mut log, &keys[0], remove(&stranger));
    approve_all(&mut log, &[&keys[1]], ghost);
    assert!(matches!(
        log.state().proposal(&ghost),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    assert_eq!(log.state().member_count(), 3);

    // The last member cannot remove itself.
    let (keys, mut log) = pact(1);
    let last = propose(&mut log, &keys[0], remove(&keys[0]));
    assert!(matches!(
        log.state().proposal(&last),
        Some(ProposalStatus::Inapplicable { .. })
    ));
    assert_eq!(log.state().member_count(), 1);
}

#[test]
fn a_removed_member_cannot_return_with_the_same_key() {
    let (keys, mut log) = pact(3);
    let kick = propose(&mut log, &keys[0], remove(&keys[2]));
    approve_all(&mut log, &[&keys[1]], kick);
    let back = propose(&mut log, &keys[0], add(&keys[2]));
    approve_all(&mut log, &[&keys[1]], back);
    assert!(!log.state().is_member(&id(&keys[2])));
    assert!(matches!(
        log.state().proposal(&back),
        Some(ProposalStatus::Inapplicable { .. })
    ));
}

#[test]
fn an_officer_needs_every_served_member() {
    let (keys, mut log) = pact(5);
    let officer = key(60);
    let appoint = Proposal::AppointOfficer {
        officer_key: officer.public(),
        name: "Gemeinsame ISB".into(),
        serves: vec![id(&keys[3]), id(&keys[4])],
    };
    let proposal = propose(&mut log, &keys[0], appoint);
    approve_all(&mut log, &[&keys[1], &keys[2], &keys[3]], proposal);
    assert_eq!(
        log.state().officers().count(),
        0,
        "4 of 5, but keys[4] is missing"
    );
    let approval = log.approve(&keys[4], proposal, T0_MS);
    apply(&mut log, approval);
    let officers: Vec<_> = log.state().officers().collect();
    assert_eq!(officers.len(), 1);
    assert_eq!(officers[0].key, officer.public());
    assert_eq!(officers[0].serves, vec![id(&keys[3]), id(&keys[4])]);
    assert_eq!(officers[0].appointed_by, proposal);
}

#[test]
fn a_majority_dismisses_an_officer_and_a_second_dismissal_is_inapplicable() {
    let (keys, mut log) = pact(3);
    let officer = key(60);
    let appoint = Proposal::AppointOfficer {
        officer_key: officer.public(),
        name: "Gemeinsame ISB".into(),
        serves: vec![id(&keys[2])],
    };
    let appointed = propose(&mut log, &keys[2], appoint);
    approve_all(&mut log, &[&keys[1]], appointed);
    assert_eq!(log.state().officers().count(), 1);
    let dismiss = || Proposal::DismissOfficer {
        officer_key: officer.public(),
    };
    // The served member's approval is not needed to dismiss.
    let first = propose(&mut log, &keys[0], dismiss());
    assert_eq!(log.state().officers().count(), 1, "1 of 3 is no majority");
    approve_all(&mut log, &[&keys[1]], first);
    assert_eq!(log.state().officers().count(), 0);
    assert!(matches!(
        log.state().proposal(&first),
        Some(ProposalStatus::Applied { .. })
    ));
    let second = propose(&mut log, &keys[0], dismiss());
    approve_all(&mut log, &[&keys[1]], second);
    assert!(matches!(
        log.state().proposal(&second),
        Some(ProposalStatus::Inapplicable { .. })
    ));
}

#[test]
fn served_members_alone_are_not_a_majority() {
    let (keys, mut log) = pact(5);
    let appoint = Proposal::AppointOfficer {
        officer_key: key(60).public(),
        name: "ISB".into(),
        serves: vec![id(&keys[3]), id(&keys[4])],
    };
    let proposal = propose(&mut log, &keys[3], appoint);
    approve_all(&mut log, &[&keys[4]], proposal);
    assert_eq!(log.state().officers().count(), 0);
    approve_all(&mut log, &[&keys[0]], proposal);
    assert_eq!(log.state().officers().count(), 1);
}

#[test]
fn a_removal_can_complete_an_older_proposal() {
    // 4 members; an Add has 2 approvals (no majority of 4). Removing a
    // non-approver leaves 3 members, and 2 of 3 is a majority.
    let (keys, mut log) = pact(4);
    let admit = propose(&mut log, &keys[0], add(&key(40)));
    approve_all(&mut log, &[&keys[1]], admit);
    assert!(!log.state().is_member(&id(&key(40))));
    let kick = propose(&mut log, &keys[0], remove(&keys[3]));
    approve_all(&mut log, &[&keys[1], &keys[2]], kick);
    assert!(!log.state().is_member(&id(&keys[3])));
    assert!(log.state().is_member(&id(&key(40))));
}

#[test]
fn concurrent_removals_with_split_support_remove_only_the_first() {
    // A and C back removing B; B and D back removing A; E backs both.
    let (keys, log) = pact(5);
    let [a, b, c, d, e] = [&keys[0], &keys[1], &keys[2], &keys[3], &keys[4]];
    let mut left = log.clone();
    let mut right = log.clone();
    let remove_b = propose(&mut left, a, remove(b));
    approve_all(&mut left, &[c], remove_b);
    let remove_a = propose(&mut right, b, remove(a));
    approve_all(&mut right, &[d], remove_a);
    sync(&left, &mut right);
    sync(&right, &mut left);
    assert_eq!(left.state(), right.state());
    approve_all(&mut left, &[e], remove_b);
    approve_all(&mut left, &[e], remove_a);
    let state = left.state();
    assert!(
        state.is_member(&id(a)),
        "B's removal came first; B's approval then no longer counted"
    );
    assert!(!state.is_member(&id(b)));
    assert_eq!(state.member_count(), 4);
}
