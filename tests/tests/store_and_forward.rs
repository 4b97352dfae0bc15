//! Store and forward: A's offer reaches C through B while A is down, and
//! what C holds is A's own signed envelope, not a copy B made. Once through
//! anti-entropy sync, once through gossip-style relay of what B accepted.

mod common;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, RecordId};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::replica::Replica;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::{offer_put, offers_of, sync};

struct Trio {
    pact: TestPact,
    a: Replica,
    b: Replica,
    c: Replica,
    offer: Envelope,
}

/// A, B and C are members 0, 1 and 2; A has written one offer.
fn trio() -> Trio {
    let pact = TestPact::new(3, 21);
    let mut a = pact.replica();
    let b = pact.replica();
    let c = pact.replica();
    let offer = a
        .write(
            &pact.members[0].device,
            Collection::Offers,
            &[offer_put("o-notebooks", 12, T0_MS)],
            T0_MS,
        )
        .expect("A writes its own offer");
    Trio {
        pact,
        a,
        b,
        c,
        offer,
    }
}

/// C holds A's offer, exactly as A signed it.
fn assert_c_has_a_offer(trio: &Trio, c: &Replica) {
    let owner = trio.pact.members[0].id();
    let address = RecordAddress::new(owner, RecordId::new("o-notebooks").expect("valid id"));
    let entry = c
        .read_model()
        .offer(&address)
        .expect("A's offer is in C's registry");
    assert_eq!(entry.quantity, 12);
    assert_eq!(entry.remaining, 12);
    let document = c.document(&offers_of(owner)).expect("A's offers document");
    assert_eq!(document.len(), 1);
    let held = &document.applied()[0].envelope;
    assert_eq!(held, &trio.offer);
    assert_eq!(held.content_hash(), trio.offer.content_hash());
    assert_eq!(held.signer, trio.pact.members[0].device.key.public());
    assert_eq!(c.heads(), trio.a.heads());
    assert_eq!(c.digest(), trio.a.digest());
}

#[test]
fn offer_reaches_c_through_b_by_sync_while_a_is_down() {
    let mut trio = trio();
    let summary = sync(&mut trio.b, &trio.a);
    assert_eq!(summary.envelopes_applied, 1);
    assert_eq!(summary.refused, 0);
    // From here on A is down: only B and C talk.
    let mut c = std::mem::replace(&mut trio.c, trio.pact.replica());
    assert_eq!(c.read_model().registry(&Default::default()).len(), 0);
    let summary = sync(&mut c, &trio.b);
    assert_eq!(summary.envelopes_applied, 1);
    assert_eq!(summary.refused, 0);
    assert!(!summary.stalled);
    assert_c_has_a_offer(&trio, &c);
    // C stores A's envelope as the one to keep.
    assert_eq!(c.take_new_envelopes(), vec![trio.offer.clone()]);
    // A second session finds nothing to do.
    let again = sync(&mut c, &trio.b);
    assert_eq!(again.rounds, 1);
    assert_eq!(again.envelopes_applied, 0);
}

#[test]
fn offer_reaches_c_through_b_by_relay_while_a_is_down() {
    let mut trio = trio();
    // A pushes its new envelope to B, and is then down.
    let pushed = trio.a.take_new_envelopes();
    assert_eq!(pushed, vec![trio.offer.clone()]);
    let to_b: Vec<Vec<u8>> = pushed.iter().map(Envelope::to_bytes).collect();
    let report = trio.b.receive_envelope_bytes(&to_b, SignatureCheck::Verify);
    assert_eq!(report.accepted, vec![trio.offer.clone()]);
    // B relays exactly what it accepted, byte for byte, to C.
    let relayed: Vec<Vec<u8>> = report.accepted.iter().map(Envelope::to_bytes).collect();
    assert_eq!(relayed, to_b);
    let mut c = std::mem::replace(&mut trio.c, trio.pact.replica());
    let report = c.receive_envelope_bytes(&relayed, SignatureCheck::Verify);
    assert_eq!(report.accepted, vec![trio.offer.clone()]);
    assert!(report.rejected.is_empty());
    assert_c_has_a_offer(&trio, &c);
    // Relaying it again (gossip echoes) is a duplicate and changes nothing.
    let digest = c.digest();
    let report = c.receive_envelope_bytes(&relayed, SignatureCheck::Verify);
    assert_eq!(report.duplicates, 1);
    assert!(report.accepted.is_empty());
    assert_eq!(c.digest(), digest);
}

#[test]
fn b_cannot_alter_what_it_forwards() {
    let mut trio = trio();
    sync(&mut trio.b, &trio.a);
    // B tampers with A's envelope on the way (the quantity in the JSON).
    let mut forged = trio.offer.clone();
    let position = forged
        .change
        .windows(2)
        .position(|w| w == b"12")
        .expect("the quantity is in the change bytes");
    forged.change[position] = b'9';
    let mut c = std::mem::replace(&mut trio.c, trio.pact.replica());
    let report = c.receive_envelopes(vec![forged], SignatureCheck::Verify);
    assert!(report.accepted.is_empty());
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1.code(), "bad_signature");
    assert!(c.heads().is_empty());
    // The genuine one still gets through B afterwards.
    sync(&mut c, &trio.b);
    assert_c_has_a_offer(&trio, &c);
}
