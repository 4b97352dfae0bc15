//! The setting of the ingress rejection tests: a populated replica, and
//! the check that exactly one item was refused and nothing else changed.

use std::collections::BTreeMap;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, DocumentId, PactId, Sha256Hash};
use amtshilfe_protocol::ingress::{Rejection, SignatureCheck};
use amtshilfe_protocol::replica::{IngressReport, Replica};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};

use super::{Scratch, offer_put, request_put};

/// A pact of four, and a replica that already holds an offer of member 0
/// and a request of member 1, so "unchanged" has something to compare.
pub(crate) struct Fixture {
    pub(crate) pact: TestPact,
    pub(crate) pact_id: PactId,
    pub(crate) replica: Replica,
}

/// Incarnations every device of the [`fixture`] has declared besides its
/// own: the tests write changes of fresh actors under them (a change
/// counts only under a declared incarnation).
pub(crate) const FRESH_INCARNATIONS: [[u8; 16]; 9] = [
    [1; 16], [2; 16], [3; 16], [4; 16], [5; 16], [6; 16], [7; 16], [8; 16], [9; 16],
];

pub(crate) fn fixture() -> Fixture {
    let pact = TestPact::new(4, 11);
    let pact_id = super::pact_id(&pact.charter);
    let mut replica = pact.replica();
    let m0 = &pact.members[0];
    let m1 = &pact.members[1];
    replica
        .write(
            &m0.device,
            Collection::Offers,
            &[offer_put("o-base", 5, T0_MS)],
            T0_MS,
        )
        .expect("member 0 may write its offers");
    replica
        .write(
            &m1.device,
            Collection::Requests,
            &[request_put("r-base", 3, T0_MS)],
            T0_MS,
        )
        .expect("member 1 may write its requests");
    assert_eq!(replica.stats().accepted, 2);
    assert!(replica.stats().rejected.is_empty());
    for member in &pact.members {
        for incarnation in FRESH_INCARNATIONS {
            declare(&mut replica, &member.device.key, member.id(), incarnation);
        }
    }
    Fixture {
        pact,
        pact_id,
        replica,
    }
}

/// The report refused exactly one item, `hash`, with a reason of `code`;
/// the replica counted exactly that one rejection; nothing else happened.
pub(crate) fn assert_refused(
    replica: &Replica,
    report: &IngressReport,
    hash: Sha256Hash,
    code: &str,
) -> Rejection {
    assert!(
        report.accepted.is_empty(),
        "accepted: {:?}",
        report.accepted
    );
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.pending, 0);
    assert_eq!(report.rejected.len(), 1, "rejected: {:?}", report.rejected);
    let (refused, reason) = report.rejected[0].clone();
    assert_eq!(refused, hash);
    assert_eq!(reason.code(), code, "reason: {reason}");
    assert!(Rejection::CODES.contains(&reason.code()));
    assert_eq!(
        replica.stats().rejected,
        BTreeMap::from([(reason.code(), 1)])
    );
    reason
}

pub(crate) fn receive(replica: &mut Replica, envelope: &Envelope) -> IngressReport {
    replica.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify)
}

pub(crate) fn stranger(seed: u8) -> KeyPair {
    KeyPair::from_seed([seed; 32])
}

/// `count` consecutive changes of one device to one offer, each updating it.
/// `key` declares `incarnation` for `member` in `replica`'s log, as the
/// device would before writing under it.
pub(crate) fn declare(
    replica: &mut Replica,
    key: &KeyPair,
    member: amtshilfe_protocol::ids::MemberId,
    incarnation: [u8; 16],
) {
    let entry = replica
        .membership()
        .declare_incarnation(key, member, incarnation, T0_MS);
    replica
        .receive_entry(entry)
        .expect("a device declares its own incarnation");
}

pub(crate) fn chain(
    pact_id: &PactId,
    document: DocumentId,
    key: &KeyPair,
    incarnation: [u8; 16],
    count: usize,
) -> Vec<Envelope> {
    let mut scratch = Scratch::new(document, key, incarnation);
    (0..count)
        .map(|i| {
            let quantity = 1 + (i % 100) as u32;
            let change = scratch.change(T0_MS + i as i64, &[offer_put("o-chain", quantity, T0_MS)]);
            Envelope::sign(pact_id, document, change, key)
        })
        .collect()
}
