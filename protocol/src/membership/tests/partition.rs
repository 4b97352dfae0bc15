//! A partition's minority cannot change membership; the majority can; after
//! merging, every node holds the same state.

use super::*;

#[test]
fn a_minority_partition_cannot_change_membership_and_the_majority_can() {
    let (keys, log) = pact(5);
    let mut nodes: Vec<MembershipLog> = (0..5).map(|_| log.clone()).collect();

    // Minority: members 0 and 1, each on its own node, exchanging entries.
    let minority_add = propose(&mut nodes[0], &keys[0], add(&key(40)));
    sync(&nodes[0].clone(), &mut nodes[1]);
    approve_all(&mut nodes[1], &[&keys[1]], minority_add);
    let minority_remove = propose(&mut nodes[1], &keys[1], remove(&keys[4]));
    sync(&nodes[1].clone(), &mut nodes[0]);
    approve_all(&mut nodes[0], &[&keys[0]], minority_remove);
    sync(&nodes[0].clone(), &mut nodes[1]);
    for node in &nodes[..2] {
        assert_eq!(node.state().member_count(), 5, "2 of 5 is no majority");
        assert!(!node.state().is_member(&id(&key(40))));
    }

    // Majority: members 2, 3 and 4.
    let majority_add = propose(&mut nodes[2], &keys[2], add(&key(41)));
    sync(&nodes[2].clone(), &mut nodes[3]);
    approve_all(&mut nodes[3], &[&keys[3]], majority_add);
    sync(&nodes[3].clone(), &mut nodes[4]);
    approve_all(&mut nodes[4], &[&keys[4]], majority_add);
    let majority_remove = propose(&mut nodes[4], &keys[4], remove(&keys[0]));
    sync(&nodes[4].clone(), &mut nodes[2]);
    approve_all(&mut nodes[2], &[&keys[2]], majority_remove);
    sync(&nodes[2].clone(), &mut nodes[3]);
    // Six members now: the newcomer's approval makes 4 of 6.
    approve_all(&mut nodes[3], &[&keys[3], &key(41)], majority_remove);
    sync(&nodes[3].clone(), &mut nodes[4]);
    sync(&nodes[4].clone(), &mut nodes[2]);
    for node in &nodes[2..] {
        assert!(node.state().is_member(&id(&key(41))));
        assert!(!node.state().is_member(&id(&keys[0])));
    }

    // Heal: everyone exchanges everything, in both directions.
    for from in 0..5 {
        for to in 0..5 {
            if from != to {
                let source = nodes[from].clone();
                sync(&source, &mut nodes[to]);
            }
        }
    }
    for node in &nodes[1..] {
        assert_eq!(node.state(), nodes[0].state());
        assert_eq!(node.heads(), nodes[0].heads());
        assert_eq!(node.hashes(), nodes[0].hashes());
    }
    let state = nodes[0].state();
    assert!(state.is_member(&id(&key(41))));
    assert!(!state.is_member(&id(&keys[0])));
    assert!(
        state.is_member(&id(&keys[4])),
        "the minority's removal never passed"
    );
    // The minority's Add (approved by 0 and 1) stays short: 0 is gone, so
    // only 1 of 5 current members approved it.
    assert!(!state.is_member(&id(&key(40))));
}
