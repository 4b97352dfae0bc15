//! Local writes that change nothing are refused and leave no trace: no
//! envelope is signed, stored or counted, and the document is as before.

mod common;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::replica::WriteError;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::{Snapshot, offer_put, offers_of, request_put};

#[test]
fn delete_of_a_missing_record_signs_nothing() {
    let pact = TestPact::new(3, 5);
    let device = &pact.members[0].device;
    let mut replica = pact.replica();
    let delete = RecordOp::Delete {
        key: "offer:o-gone".into(),
    };
    // Before any change of the device, and after one.
    let first = replica.write(
        device,
        Collection::Offers,
        std::slice::from_ref(&delete),
        T0_MS,
    );
    assert!(matches!(first, Err(WriteError::Apply(_))), "{first:?}");
    let put = replica
        .write(
            device,
            Collection::Offers,
            &[offer_put("o-kept", 1, T0_MS)],
            T0_MS,
        )
        .expect("a real write");
    assert_eq!(replica.take_new_envelopes(), vec![put.clone()]);
    let before = Snapshot::of(&replica);

    let again = replica.write(device, Collection::Offers, &[delete], T0_MS + 1);
    assert!(matches!(again, Err(WriteError::Apply(_))), "{again:?}");
    assert!(replica.take_new_envelopes().is_empty());
    assert_eq!(Snapshot::of(&replica), before);
    let document = replica
        .document(&offers_of(device.member))
        .expect("the offers document");
    assert_eq!(document.len(), 1);
    assert_eq!(document.applied()[0].envelope, put);

    // The device's next real change follows directly on the last one.
    let next = replica
        .write(
            device,
            Collection::Offers,
            &[offer_put("o-kept", 2, T0_MS + 2)],
            T0_MS + 2,
        )
        .expect("a real write");
    let change = automerge::Change::from_bytes(next.change).expect("parses");
    assert_eq!(change.seq(), 2);
}

/// Documents whose automerge state is in memory.
fn loaded(replica: &amtshilfe_protocol::replica::Replica) -> usize {
    replica.documents().filter(|d| d.is_loaded()).count()
}

#[test]
fn a_refused_write_counts_against_the_loaded_documents() {
    let pact = TestPact::new(3, 6);
    let mut replica = pact.replica();
    replica.set_loaded_documents_max(1);
    let device = &pact.members[0].device;
    replica
        .write(
            device,
            Collection::Offers,
            &[offer_put("o-1", 1, T0_MS)],
            T0_MS,
        )
        .expect("a real write");
    replica
        .write(
            device,
            Collection::Requests,
            &[request_put("r-1", 2, T0_MS)],
            T0_MS,
        )
        .expect("a real write");
    assert_eq!(loaded(&replica), 1, "the offers document was unloaded");

    // A refused write rebuilds the offers document's automerge state; it
    // must then count as used, so the requests document makes room.
    let delete = RecordOp::Delete {
        key: "offer:o-gone".into(),
    };
    let refused = replica.write(device, Collection::Offers, &[delete], T0_MS + 1);
    assert!(matches!(refused, Err(WriteError::Apply(_))), "{refused:?}");
    assert_eq!(loaded(&replica), 1);
    assert_eq!(replica.read_model().registry(&Default::default()).len(), 1);
}
