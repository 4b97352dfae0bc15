//! The core's failure paths: a store that fails, and a store that already
//! holds another change with the device's next sequence number. Neither
//! may leave an unsaved write where a peer could pull it.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, MemberId};
use amtshilfe_protocol::membership::MembershipLog;
use amtshilfe_protocol::model::{Record, RecordKey};
use amtshilfe_protocol::read_model::RegistryFilter;
use amtshilfe_protocol::replica::{LocalDevice, Replica};
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse};
use amtshilfe_tests::fixtures::T0_MS;
use amtshilfe_tests::sample;

use super::*;
use crate::setup::create_pact_store;
use crate::store::load_replica;

struct Fixture {
    core: Core,
    charter: SignedEntry,
    dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let key = KeyPair::from_seed([1; 32]);
    let device_key = KeyPair::from_seed([3; 32]);
    let charter = MembershipLog::charter("Pakt", &[(&key, "Kreis Bergstraße")], T0_MS);
    let dir = tempfile::tempdir().unwrap();
    let store = create_pact_store(dir.path(), &charter, &[], &key, &device_key, T0_MS).unwrap();
    let replica = load_replica(&store).unwrap();
    let device = LocalDevice {
        member: MemberId::from_key(key.public()),
        key: device_key,
        incarnation: store.meta().incarnation,
    };
    Fixture {
        core: Core::new(replica, store, device),
        charter,
        dir,
    }
}

fn offer(n: u32) -> Vec<RecordOp> {
    let record = Record::Offer(sample::laptops(n, T0_MS));
    let id = amtshilfe_protocol::ids::RecordId::new(format!("o-{n}")).unwrap();
    vec![RecordOp::Put {
        key: RecordKey::offer(id).to_string(),
        json: record.to_json(),
    }]
}

/// Every envelope an empty peer would pull from `core`.
fn pulled_by_a_new_peer(core: &Core) -> Vec<Envelope> {
    let want = SyncRequest::Want {
        pact: core.replica().pact_id(),
        entries: Default::default(),
        documents: Default::default(),
        tips: Default::default(),
        forks: Default::default(),
    };
    match core.answer_sync(&want) {
        SyncResponse::Page { envelopes, .. } => envelopes,
        other => panic!("expected a page, got {other:?}"),
    }
}

/// A replica of another node that knows `core`'s membership log.
fn peer_of(core: &Core, charter: SignedEntry) -> Replica {
    let mut peer = Replica::new(charter).unwrap();
    let entries: Vec<SignedEntry> = core
        .replica()
        .membership()
        .entries_in_order()
        .into_iter()
        .map(|(_, entry)| entry.clone())
        .collect();
    for outcome in peer.receive_entries(entries) {
        outcome.unwrap();
    }
    peer
}

fn offers(core: &Core) -> usize {
    let filter = RegistryFilter {
        status: None,
        ..RegistryFilter::default()
    };
    core.replica().read_model().registry(&filter).len()
}

#[test]
fn a_write_the_store_refuses_is_taken_back_and_writes_stop() {
    let Fixture {
        mut core,
        charter,
        dir,
    } = fixture();
    let saved = core.write(Collection::Offers, &offer(1), T0_MS).unwrap();
    core.store
        .failing
        .store(true, std::sync::atomic::Ordering::Relaxed);

    let refused = core.write(Collection::Offers, &offer(2), T0_MS + 1);
    assert!(matches!(refused, Err(CoreError::Storage(_))), "{refused:?}");
    assert_eq!(pulled_by_a_new_peer(&core), vec![saved.clone()]);
    assert_eq!(offers(&core), 1, "the read model no longer shows it");
    assert!(core.is_stopped());
    let again = core.write(Collection::Offers, &offer(3), T0_MS + 2);
    assert!(matches!(again, Err(CoreError::Stopped)), "{again:?}");

    // After a restart the device's next change follows the saved one; a
    // peer that pulled before the failure takes it (no fork).
    let peer_before = {
        let mut peer = peer_of(&core, charter.clone());
        let report = peer.receive_envelopes(
            pulled_by_a_new_peer(&core),
            amtshilfe_protocol::ingress::SignatureCheck::Verify,
        );
        assert!(report.rejected.is_empty());
        peer
    };
    let device = core.device().clone();
    drop(core);
    let store = Store::open(dir.path().join(crate::store::STORE_FILE_NAME)).unwrap();
    let replica = load_replica(&store).unwrap();
    let mut core = Core::new(replica, store, device);
    let next = core
        .write(Collection::Offers, &offer(4), T0_MS + 3)
        .unwrap();
    let mut peer = peer_before;
    let report = peer.receive_envelopes(
        vec![next],
        amtshilfe_protocol::ingress::SignatureCheck::Verify,
    );
    assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);
}

#[test]
fn a_write_whose_sequence_number_is_taken_in_the_store_is_not_acknowledged() {
    let Fixture {
        mut core, charter, ..
    } = fixture();
    // The same device and incarnation wrote another change with seq 1
    // that reached the store but not this replica.
    let mut other = peer_of(&core, charter);
    let stray = other
        .write(core.device(), Collection::Offers, &offer(9), T0_MS)
        .unwrap();
    core.store.append_envelopes(&[stray]).unwrap();

    let refused = core.write(Collection::Offers, &offer(1), T0_MS + 1);
    assert!(
        matches!(refused, Err(CoreError::OwnHistoryConflict)),
        "{refused:?}"
    );
    assert!(pulled_by_a_new_peer(&core).is_empty());
    assert_eq!(offers(&core), 0);
    assert!(core.is_stopped());
}

#[test]
fn a_fork_of_this_devices_own_actor_is_kept_as_evidence_and_left_for_a_new_incarnation() {
    let Fixture {
        mut core, charter, ..
    } = fixture();
    let first = core.write(Collection::Offers, &offer(1), T0_MS).unwrap();
    // The same device and incarnation signed another first change (a VM
    // restored from a snapshot wrote it), and a peer sends it here.
    let mut twin = peer_of(&core, charter);
    let forked = twin
        .write(core.device(), Collection::Offers, &offer(2), T0_MS + 1)
        .unwrap();
    assert_ne!(first.content_hash(), forked.content_hash());
    let old_incarnation = core.device().incarnation;

    let report = core.receive_envelopes(vec![forked], "peer");
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1.code(), "fork");
    assert_eq!(core.replica().forks().count(), 1);
    assert_eq!(offers(&core), 0, "the forked actor's offer is held");
    assert_eq!(core.store().forks().unwrap().len(), 1, "evidence stored");
    assert_ne!(core.device().incarnation, old_incarnation);
    assert_eq!(core.store().meta().incarnation, core.device().incarnation);

    // The device writes on under its new actor.
    core.write(Collection::Offers, &offer(3), T0_MS + 2)
        .unwrap();
    assert_eq!(offers(&core), 1);
    // The evidence and the freeze survive a restart.
    let restarted = load_replica(core.store()).unwrap();
    assert_eq!(restarted.forks().count(), 1);
    assert_eq!(
        restarted
            .read_model()
            .registry(&RegistryFilter::default())
            .len(),
        1
    );
}

#[test]
fn a_revoked_device_may_no_longer_connect() {
    let Fixture { mut core, .. } = fixture();
    let key = KeyPair::from_seed([1; 32]);
    let laptop = KeyPair::from_seed([9; 32]);
    let member = MemberId::from_key(key.public());
    let delegation =
        core.replica()
            .membership()
            .delegate(&key, member, &laptop, T0_MS + 86_400_000, T0_MS);
    core.receive_entry(delegation, "test").unwrap();
    assert!(core.allowed_keys(T0_MS).contains(&laptop.public()));
    let revocation = core.replica().membership().revoke_device(
        &key,
        member,
        laptop.public(),
        Default::default(),
        T0_MS,
    );
    core.receive_entry(revocation, "test").unwrap();
    assert!(!core.may_connect(&laptop.public(), T0_MS));
    assert!(
        !core.allowed_keys(T0_MS).contains(&laptop.public()),
        "a stolen laptop's key is not let in to read the pact"
    );
}

#[test]
fn the_gate_lets_in_exactly_the_keys_that_may_connect() {
    let Fixture { mut core, .. } = fixture();
    let key = KeyPair::from_seed([1; 32]);
    let laptop = KeyPair::from_seed([9; 32]);
    let member = MemberId::from_key(key.public());
    let expires = T0_MS + 60_000;
    let delegation = core
        .replica()
        .membership()
        .delegate(&key, member, &laptop, expires, T0_MS);
    core.receive_entry(delegation, "test").unwrap();
    for at in [T0_MS, expires, expires + 1] {
        let allowed = core.allowed_keys(at);
        assert!(allowed.contains(&key.public()), "the member key at {at}");
        assert_eq!(
            allowed.contains(&laptop.public()),
            core.may_connect(&laptop.public(), at),
            "the delegated laptop at {at}"
        );
    }
    assert!(core.allowed_keys(expires).contains(&laptop.public()));
    assert!(
        !core.allowed_keys(expires + 1).contains(&laptop.public()),
        "an expired delegation lets the laptop in no more"
    );
}

#[test]
fn a_new_incarnation_is_declared_before_its_first_change_and_handed_out_to_announce() {
    let Fixture {
        mut core, charter, ..
    } = fixture();
    // The store's incarnation was declared when it was created.
    let first = core.write(Collection::Offers, &offer(1), T0_MS).unwrap();
    assert!(core.take_declarations().is_empty());
    // A new incarnation (as after a fork) is declared with its first write.
    core.device.incarnation = [9; 16];
    let envelope = core
        .write(Collection::Offers, &offer(2), T0_MS + 1)
        .unwrap();
    let declarations = core.take_declarations();
    assert_eq!(declarations.len(), 1);
    // A peer that has the change without the declaration refuses it; with
    // the declaration it takes it.
    let mut peer = Replica::new(charter).unwrap();
    let before: Vec<SignedEntry> = core
        .replica()
        .membership()
        .entries_in_order()
        .into_iter()
        .map(|(_, entry)| entry.clone())
        .filter(|entry| *entry != declarations[0])
        .collect();
    for outcome in peer.receive_entries(before) {
        outcome.unwrap();
    }
    let report = peer.receive_envelopes(
        vec![first, envelope.clone()],
        amtshilfe_protocol::ingress::SignatureCheck::Verify,
    );
    assert_eq!(
        report.accepted.len(),
        1,
        "the first, under the store's incarnation"
    );
    assert_eq!(report.rejected[0].1.code(), "incarnation_not_declared");
    peer.receive_entry(declarations[0].clone()).unwrap();
    let report = peer.receive_envelopes(
        vec![envelope],
        amtshilfe_protocol::ingress::SignatureCheck::Verify,
    );
    assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);
    // The declaration is stored with the write.
    let stored = core.store().load().unwrap().entries;
    assert!(stored.contains(&declarations[0]));
}

#[test]
fn a_store_from_before_declarations_gets_its_own_incarnations_declared_at_start() {
    let Fixture {
        core, charter, dir, ..
    } = fixture();
    // A change of this device under an older incarnation that the log
    // never declared: what a store written before declarations holds.
    let mut elsewhere = peer_of(&core, charter);
    let legacy = LocalDevice {
        incarnation: [9; 16],
        ..core.device().clone()
    };
    let envelope = elsewhere
        .write(&legacy, Collection::Offers, &offer(4), T0_MS)
        .unwrap();
    core.store().append_envelopes(&[envelope]).unwrap();
    let device = core.device().clone();
    drop(core);

    let store = crate::store::Store::open(crate::setup::store_path(dir.path())).unwrap();
    let replica = load_replica(&store).unwrap();
    let mut core = Core::new(replica, store, device);
    assert_eq!(offers(&core), 0, "held: its incarnation is not declared");
    core.declare_incarnations(T0_MS + 1);
    assert_eq!(offers(&core), 1);
    let state = core.replica().membership().state();
    let key = core.device().key.public();
    assert!(state.incarnation_counts(&core.device().member, &key, &[9; 16]));
    assert_eq!(
        core.take_declarations().len(),
        1,
        "only the older one was new"
    );
    // Stored: the offer stays after another restart.
    let replica = load_replica(core.store()).unwrap();
    assert_eq!(
        replica
            .read_model()
            .registry(&RegistryFilter::default())
            .len(),
        1
    );
}

#[test]
fn a_refused_write_declares_no_incarnation() {
    let Fixture { mut core, .. } = fixture();
    core.device.incarnation = [9; 16];
    let heads = core.replica().membership().heads();
    let bad = vec![RecordOp::Put {
        key: "offer:o-bad".into(),
        json: "{\"not\": \"an offer\"}".into(),
    }];
    assert!(core.write(Collection::Offers, &bad, T0_MS).is_err());
    assert_eq!(
        core.replica().membership().heads(),
        heads,
        "the log is unchanged"
    );
    assert!(core.take_declarations().is_empty());
}
