//! A recorded decline: a signed "no" that every node shows alike, blocks
//! nothing, is withdrawn by a later approval, and cannot take back an
//! approval or be written by anyone but a current member.

use super::*;
use crate::membership::ProposalStatus;

fn decliners(log: &MembershipLog, proposal: EntryHash) -> Vec<MemberId> {
    log.state().decliners(&proposal).copied().collect()
}

#[test]
fn a_decline_is_recorded_and_blocks_nothing() {
    let (keys, mut log) = pact(3);
    let newcomer = key(40);
    let proposal = propose(&mut log, &keys[0], add(&newcomer));
    let no = log.decline(&keys[1], proposal, T0_MS);
    apply(&mut log, no);
    assert_eq!(decliners(&log, proposal), vec![id(&keys[1])]);
    assert!(matches!(
        log.state().proposal(&proposal),
        Some(ProposalStatus::Open { approvers }) if approvers.len() == 1
    ));
    approve_all(&mut log, &[&keys[2]], proposal);
    assert!(
        log.state().is_member(&id(&newcomer)),
        "a decline is no veto"
    );
    assert_eq!(
        decliners(&log, proposal),
        vec![id(&keys[1])],
        "shown after the decision too"
    );
}

#[test]
fn an_approval_withdraws_a_decline_but_a_decline_takes_back_no_approval() {
    let (keys, mut log) = pact(5);
    let proposal = propose(&mut log, &keys[0], add(&key(40)));
    let no = log.decline(&keys[1], proposal, T0_MS);
    apply(&mut log, no);
    approve_all(&mut log, &[&keys[1]], proposal);
    assert!(decliners(&log, proposal).is_empty(), "changed its mind");
    let late = log.decline(&keys[0], proposal, T0_MS);
    apply(&mut log, late);
    assert!(
        decliners(&log, proposal).is_empty(),
        "the proposer approved; its decline counts for nothing"
    );
    approve_all(&mut log, &[&keys[2]], proposal);
    assert!(log.state().is_member(&id(&key(40))));
}

#[test]
fn only_current_members_decline() {
    let (keys, mut log) = pact(3);
    let proposal = propose(&mut log, &keys[0], add(&key(40)));
    let stranger = log.decline(&key(41), proposal, T0_MS);
    assert_eq!(log.insert(stranger), Err(EntryRejection::UnknownAuthor));
    // The proposed newcomer's key is known to the log but no member yet.
    let newcomer = log.decline(&key(40), proposal, T0_MS);
    assert_eq!(log.insert(newcomer), Err(EntryRejection::AuthorNotCurrent));
    assert!(decliners(&log, proposal).is_empty());
}

/// A removed member signs a decline on heads from before its removal (its
/// key was current there), after the removal: stored, like its other
/// late entries, but shown nowhere.
#[test]
fn a_removed_member_s_backdated_decline_counts_for_nothing() {
    use crate::membership::{EntryBody, EntryKind};
    let (keys, mut log) = pact(5);
    let proposal = propose(&mut log, &keys[0], add(&key(40)));
    let before_removal = log.heads();
    let removal = propose(&mut log, &keys[0], remove(&keys[4]));
    approve_all(&mut log, &[&keys[1], &keys[2]], removal);
    assert!(!log.state().is_member(&id(&keys[4])));
    let on_top = log.decline(&keys[4], proposal, T0_MS);
    assert_eq!(log.insert(on_top), Err(EntryRejection::AuthorNotCurrent));
    let backdated = SignedEntry::sign(
        EntryBody {
            pact: Some(log.pact_id()),
            parents: before_removal,
            issued_at_ms: T0_MS,
            kind: EntryKind::Decline { proposal },
        },
        &[&keys[4]],
    );
    assert!(
        log.insert(backdated).is_ok(),
        "stored: its author was current there"
    );
    assert!(decliners(&log, proposal).is_empty());
}
