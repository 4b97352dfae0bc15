//! Signature checks of a large batch of envelopes (a sync page), spread
//! over the machine's cores. Signatures are most of the cost of taking in
//! a page, and they depend on nothing but the bytes, so they can be checked
//! side by side; the replica then checks only what was not vouched for.

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{PactId, Sha256Hash};

/// Below this many envelopes, threads cost more than they save.
const PARALLEL_FROM: usize = 64;

/// Whether checking `count` envelopes on several threads saves time.
fn parallel_pays(count: usize) -> bool {
    count >= PARALLEL_FROM && cores() > 1
}

/// The cores signatures are checked on (the bench's fair baseline uses as
/// many).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The verification ids of the envelopes whose signatures are valid,
/// checked on every core; empty for small batches (the replica checks
/// those itself, as it checks anything not named here).
pub fn verified_in_parallel(pact: &PactId, envelopes: &[Envelope]) -> Vec<Sha256Hash> {
    if !parallel_pays(envelopes.len()) {
        return Vec::new();
    }
    let share = envelopes.len().div_ceil(cores());
    std::thread::scope(|scope| {
        let workers: Vec<_> = envelopes
            .chunks(share)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter(|envelope| envelope.verify_signature(pact).is_ok())
                        .map(Envelope::verification_id)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A worker that panicked vouches for nothing; the replica then
        // checks its share itself.
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    })
}

/// The verification ids of the envelopes whose signatures are valid, for
/// any batch: on every core for a large one, on the calling thread for a
/// small one. For callers that check before taking the core's lock.
pub fn verified(pact: &PactId, envelopes: &[Envelope]) -> Vec<Sha256Hash> {
    if parallel_pays(envelopes.len()) {
        return verified_in_parallel(pact, envelopes);
    }
    envelopes
        .iter()
        .filter(|envelope| envelope.verify_signature(pact).is_ok())
        .map(Envelope::verification_id)
        .collect()
}

#[cfg(test)]
mod tests {
    use amtshilfe_protocol::identity::KeyPair;
    use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId};

    use super::*;

    #[test]
    fn a_large_batch_vouches_for_exactly_the_valid_signatures() {
        let pact = PactId([7; 32]);
        let key = KeyPair::from_seed([3; 32]);
        let document = DocumentId::new(MemberId([1; 32]), Collection::Offers);
        let mut envelopes: Vec<Envelope> = (0..100u8)
            .map(|n| Envelope::sign(&pact, document, vec![n; 40], &key))
            .collect();
        envelopes[17].signature.0[5] ^= 0x01;
        envelopes[99].change.push(0);

        let vouched = verified_in_parallel(&pact, &envelopes);

        let expected: Vec<Sha256Hash> = envelopes
            .iter()
            .enumerate()
            .filter(|(n, _)| *n != 17 && *n != 99)
            .map(|(_, e)| e.verification_id())
            .collect();
        if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
            assert_eq!(vouched, expected);
        } else {
            assert!(
                vouched.is_empty(),
                "one core: nothing vouched, all checked later"
            );
        }
        assert!(verified_in_parallel(&pact, &envelopes[..10]).is_empty());
    }
}
