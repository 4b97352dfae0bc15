//! Acceptance depends only on the writes, never on arrival order: the
//! envelopes of a scenario (several members writing offers, requests,
//! pledges and acceptances on their own replicas, two devices of one member
//! updating the same record concurrently) are delivered to fresh replicas
//! in random orders, with random duplicates and in random batches, and
//! every such replica ends identical to the one that got them in order.

mod common;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::replica::{LocalDevice, Replica};
use amtshilfe_tests::fixtures::{DELEGATION_MS, T0_MS, TestPact};
use amtshilfe_tests::rng::SeededRng;
use amtshilfe_tests::sample;
use common::offer_put;
use proptest::prelude::*;

/// Writes in one scenario.
const WRITES: usize = 40;

/// Everything written in one scenario, and the replica that received it
/// in the order it was written.
struct Scenario {
    pact: TestPact,
    /// The delegation of member 0's second device, and the device's
    /// declaration of the incarnation it writes under.
    extra: [SignedEntry; 2],
    envelopes: Vec<Envelope>,
    source: Replica,
}

impl Scenario {
    /// A replica of the pact that knows the second device's delegation.
    fn fresh_replica(&self) -> Replica {
        with_second_device(self.pact.replica(), &self.extra)
    }
}

/// `replica` once it holds `entries` (the second device's delegation and
/// declaration).
fn with_second_device(mut replica: Replica, entries: &[SignedEntry]) -> Replica {
    for entry in entries {
        replica
            .receive_entry(entry.clone())
            .expect("the second device's entries are valid");
    }
    replica
}

fn scenario(size: usize, seed: u64) -> Scenario {
    let pact = TestPact::new(size, seed);
    let mut rng = SeededRng::new(seed ^ 0xA5A5);
    let m0 = &pact.members[0];
    let second = LocalDevice {
        member: m0.id(),
        key: KeyPair::from_seed(rng.bytes()),
        incarnation: rng.bytes(),
    };
    let probe = pact.replica();
    let delegation = probe.membership().delegate(
        &m0.member_key,
        m0.id(),
        &second.key,
        T0_MS + DELEGATION_MS,
        T0_MS,
    );
    let probe = with_second_device(probe, std::slice::from_ref(&delegation));
    let declaration =
        probe
            .membership()
            .declare_incarnation(&second.key, m0.id(), second.incarnation, T0_MS);
    let extra = [delegation, declaration];
    // One replica per member, plus member 0's second device.
    let mut devices: Vec<LocalDevice> = pact.members.iter().map(|m| m.device.clone()).collect();
    devices.push(second);
    let mut replicas: Vec<Replica> = devices
        .iter()
        .map(|_| with_second_device(pact.replica(), &extra))
        .collect();

    let mut envelopes = Vec::new();
    for step in 0..WRITES {
        let now_ms = T0_MS + 1_000 * step as i64;
        let writer = rng.below(devices.len());
        let device = &devices[writer];
        let (collection, ops) = if device.member == m0.id() && rng.chance(40) {
            // Both devices of member 0 update (or drop) the same offer.
            if rng.chance(15) {
                let delete = RecordOp::Delete {
                    key: "offer:o-shared".into(),
                };
                (Collection::Offers, vec![delete])
            } else {
                let quantity = 1 + rng.below(50) as u32;
                (
                    Collection::Offers,
                    vec![offer_put("o-shared", quantity, now_ms)],
                )
            }
        } else {
            sample::random_write(
                &mut rng,
                replicas[writer].read_model(),
                device.member,
                now_ms,
            )
        };
        // A delete of a record the writer does not see changes nothing.
        let Ok(envelope) = replicas[writer].write(device, collection, &ops, now_ms) else {
            continue;
        };
        // Most writes reach every replica at once; some stay local for a
        // while, so the two devices of member 0 write concurrently.
        if rng.chance(70) {
            for (index, replica) in replicas.iter_mut().enumerate() {
                if index != writer {
                    replica.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
                }
            }
        }
        envelopes.push(envelope);
    }

    let mut source = with_second_device(pact.replica(), &extra);
    let report = source.receive_envelopes(envelopes.clone(), SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), envelopes.len());
    assert_eq!(report.duplicates, 0);
    assert!(report.rejected.is_empty());
    assert_eq!(source.pending_len(), 0);
    Scenario {
        pact,
        extra,
        envelopes,
        source,
    }
}

#[test]
fn scenarios_exercise_every_kind_of_record_and_concurrency() {
    let scenario = scenario(5, 3);
    let model = scenario.source.read_model();
    assert!(scenario.envelopes.len() >= WRITES - 5);
    assert!(!model.registry(&Default::default()).is_empty());
    let board = model.request_board();
    assert!(!board.is_empty());
    let pledges: usize = board
        .iter()
        .flat_map(|r| r.needs.iter())
        .map(|n| n.pledges.len())
        .sum();
    assert!(pledges > 0, "no pledges written");
    // Member 0's offers document was written by two devices, in branches.
    let offers = common::offers_of(scenario.pact.members[0].id());
    let document = scenario.source.document(&offers).expect("member 0 offered");
    assert_eq!(document.version_vector().len(), 2);
}

/// Delivers `envelopes` in the order and batches `rng` chooses, with
/// duplicates; returns how many duplicates were sent.
fn deliver(
    replica: &mut Replica,
    envelopes: &[Envelope],
    rng: &mut SeededRng,
    duplicate_percent: u64,
    batch_max: usize,
) -> usize {
    let mut order: Vec<Envelope> = envelopes.to_vec();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut extra = 0;
    for envelope in envelopes {
        if rng.chance(duplicate_percent) {
            let at = rng.below(order.len() + 1);
            order.insert(at, envelope.clone());
            extra += 1;
        }
    }
    let mut rest = order.as_slice();
    while !rest.is_empty() {
        let take = (1 + rng.below(batch_max)).min(rest.len());
        let (batch, tail) = rest.split_at(take);
        rest = tail;
        let report = if rng.chance(50) {
            replica.receive_envelopes(batch.to_vec(), SignatureCheck::Verify)
        } else {
            let bytes: Vec<Vec<u8>> = batch.iter().map(Envelope::to_bytes).collect();
            replica.receive_envelope_bytes(&bytes, SignatureCheck::Verify)
        };
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    }
    extra
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_delivery_order_gives_the_same_replica(
        size in 3usize..=6,
        scenario_seed in 0u64..16,
        delivery_seed in any::<u64>(),
        duplicate_percent in 0u64..40,
        batch_max in 1usize..16,
    ) {
        let scenario = scenario(size, scenario_seed);
        let mut replica = scenario.fresh_replica();
        let mut rng = SeededRng::new(delivery_seed);
        let duplicates = deliver(
            &mut replica,
            &scenario.envelopes,
            &mut rng,
            duplicate_percent,
            batch_max,
        );
        let source = &scenario.source;
        prop_assert_eq!(replica.pending_len(), 0);
        prop_assert_eq!(replica.heads(), source.heads());
        prop_assert_eq!(replica.version_vectors(), source.version_vectors());
        prop_assert_eq!(replica.read_model(), source.read_model());
        prop_assert_eq!(replica.digest(), source.digest());
        prop_assert_eq!(replica.stats().accepted, scenario.envelopes.len() as u64);
        prop_assert_eq!(replica.stats().duplicates, duplicates as u64);
        prop_assert!(replica.stats().rejected.is_empty());
        for document in source.documents() {
            let mine = replica.document(&document.id()).expect("every document arrived");
            prop_assert_eq!(mine.records(), document.records());
        }
    }
}
