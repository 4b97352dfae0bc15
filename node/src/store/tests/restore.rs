use super::*;
use crate::store::{RestoreError, StoredState, restore_replica};

#[test]
fn a_restored_replica_equals_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(4);
    let store = pact.create_store(&dir);
    store.append_entries(&pact.entries()).unwrap();
    store.append_envelopes(&envelopes).unwrap();
    drop(store);

    let stored = Store::open(store_path(&dir)).unwrap().load().unwrap();
    let charter = stored.charter().unwrap().clone();
    let mut restored = restore_replica(charter, stored).unwrap();
    assert_eq!(restored.digest(), pact.replica.digest());
    assert_eq!(restored.heads(), pact.replica.heads());
    assert_eq!(restored.held_len(), 0);
    assert!(restored.take_new_envelopes().is_empty());
}

#[test]
fn unreadable_envelopes_stop_the_restore() {
    let mut pact = Pact::new();
    let mut envelopes = pact.write_profiles(2);
    envelopes[1].change = vec![0xde, 0xad];
    let stored = StoredState {
        pact: pact.pact_id(),
        entries: pact.entries(),
        envelopes,
    };
    let error = restore_replica(pact.charter.clone(), stored).unwrap_err();
    assert!(
        matches!(error, RestoreError::UnreadableEnvelopes { count: 1 }),
        "{error}"
    );
}

#[test]
fn a_store_of_another_pact_is_refused() {
    let pact = Pact::new();
    let other_key = KeyPair::from_seed([99; 32]);
    let other = MembershipLog::charter("Anderer Pakt", &[(&other_key, "Stadt B")], T0_MS);
    let stored = StoredState {
        pact: pact.pact_id(),
        entries: pact.entries(),
        envelopes: Vec::new(),
    };
    let error = restore_replica(other, stored).unwrap_err();
    assert!(matches!(error, RestoreError::WrongPact { .. }), "{error}");
}

#[test]
fn a_store_without_a_charter_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let pact = Pact::new();
    let store = pact.create_store(&dir);
    let error = crate::store::load_replica(&store).expect_err("no charter");
    assert!(matches!(error, RestoreError::NoCharter), "{error}");
    assert!(error.to_string().contains("amtshilfe join"), "{error}");

    store.append_entries(&pact.entries()).unwrap();
    let replica = crate::store::load_replica(&store).unwrap();
    assert_eq!(replica.pact_id(), pact.pact_id());
}
