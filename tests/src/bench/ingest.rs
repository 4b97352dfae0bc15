//! Ingest: signed envelopes verified, authorised, applied and stored per
//! second by a node's core (the path a sync page takes), against raw
//! ed25519 `verify_strict` per second in the same process, on one thread
//! and on as many threads as ingest checks signatures on (the fair
//! baseline: a large page's signatures are checked on every core). And
//! gossip's path, one envelope at a time with a commit each, as its own
//! row.

use std::path::Path;
use std::time::Instant;

use amtshilfe_node::core::Core;
use amtshilfe_node::store::Store;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::sync::PAGE_BYTES_MAX;
use ed25519_dalek::{Signer, SigningKey};

use super::Sizes;
use super::support::write_offers;
use super::table::Row;
use crate::fixtures::{T0_MS, TestPact};

/// The figure's name.
pub(crate) const INGEST: &str = "ingest (envelopes/s)";
/// The same ingest against `verify_strict` on as many threads.
pub(crate) const INGEST_ALL_CORES: &str = "ingest vs verify on all cores (envelopes/s)";
/// One envelope per ingress call and commit, as gossip delivers them.
pub(crate) const INGEST_ONE_AT_A_TIME: &str = "gossip ingest one at a time (envelopes/s)";
/// Most envelopes the one-at-a-time row takes in (a commit each).
const ONE_AT_A_TIME_MAX: usize = 2_000;

const WRITERS: usize = 20;

pub(crate) fn run(sizes: &Sizes, dir: &Path) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(WRITERS, 61);
    let mut source = pact.replica();
    let per_member = sizes.ingest_envelopes.div_ceil(WRITERS);
    let envelopes = write_offers(&pact, &mut source, 0..WRITERS, per_member)?;
    let count = envelopes.len();
    let pages = pages(envelopes);
    let page_count = pages.len();

    let store = Store::create(
        dir.join("ingest.redb"),
        pact.replica().pact_id(),
        [1; 16],
        T0_MS,
    )?;
    let mut core = Core::new(pact.replica(), store, pact.members[0].device.clone());
    let signed = signed_messages(count);
    let one_at_a_time: Vec<Envelope> = pages
        .iter()
        .flatten()
        .take(ONE_AT_A_TIME_MAX)
        .cloned()
        .collect();
    let threads = amtshilfe_node::verify::cores();
    // Each page is followed by as many raw verifications, so that both
    // figures see the same moments of a busy machine.
    let (mut ingest_seconds, mut verify_seconds, mut all_cores_seconds) = (0.0, 0.0, 0.0);
    let (mut accepted, mut offset) = (0, 0);
    for page in pages {
        let len = page.len();
        let started = Instant::now();
        let report = core.receive_envelopes(page, "bench");
        ingest_seconds += started.elapsed().as_secs_f64();
        accepted += report.accepted.len();
        verify_seconds += verify_seconds_of(&signed[offset..offset + len]);
        all_cores_seconds += verify_seconds_on(threads, &signed[offset..offset + len]);
        offset += len;
    }
    anyhow::ensure!(
        accepted == count,
        "ingest applied {accepted} of {count} envelopes"
    );
    let rate = count as f64 / ingest_seconds;
    let raw = count as f64 / verify_seconds;
    let raw_all_cores = count as f64 / all_cores_seconds;
    let one = one_at_a_time_rate(&pact, dir, one_at_a_time, &signed)?;
    Ok(vec![
        Row {
            figure: INGEST,
            value: rate,
            unit: "1/s",
            baseline: Some(raw),
            baseline_name: "raw verify_strict/s",
            target: ">= 0.5x baseline",
            met: Some(rate >= 0.5 * raw),
            note: format!(
                "{count} offer envelopes of {WRITERS} members into a fresh node core (redb, fsync \
             per page) in {page_count} sync-sized pages of up to {PAGE_BYTES_MAX} bytes; \
             each page timed next to as many raw verifications"
            ),
        },
        Row {
            figure: INGEST_ALL_CORES,
            value: rate,
            unit: "1/s",
            baseline: Some(raw_all_cores),
            baseline_name: "raw verify_strict/s on as many threads",
            target: ">= 0.5x baseline",
            met: Some(rate >= 0.5 * raw_all_cores),
            note: format!(
                "the same ingest against verify_strict on {threads} threads (as many as ingest \
             checks a page's signatures on)"
            ),
        },
        Row {
            figure: INGEST_ONE_AT_A_TIME,
            value: one.rate,
            unit: "1/s",
            baseline: Some(one.raw),
            baseline_name: "raw verify_strict/s",
            target: "",
            met: None,
            note: format!(
                "{} envelopes, each its own ingress call and durable commit (gossip's path; the \
             node's ingest worker batches consecutive gossip into one commit)",
                one.count
            ),
        },
    ])
}

struct OneAtATime {
    rate: f64,
    raw: f64,
    count: usize,
}

/// Envelopes taken in one per call into a fresh core, against as many raw
/// verifications on one thread.
fn one_at_a_time_rate(
    pact: &TestPact,
    dir: &Path,
    envelopes: Vec<Envelope>,
    signed: &[Signed],
) -> anyhow::Result<OneAtATime> {
    let store = Store::create(
        dir.join("ingest-one.redb"),
        pact.replica().pact_id(),
        [2; 16],
        T0_MS,
    )?;
    let mut core = Core::new(pact.replica(), store, pact.members[0].device.clone());
    let count = envelopes.len();
    let (mut seconds, mut accepted) = (0.0, 0);
    for envelope in envelopes {
        let started = Instant::now();
        accepted += core
            .receive_envelopes(vec![envelope], "bench")
            .accepted
            .len();
        seconds += started.elapsed().as_secs_f64();
    }
    anyhow::ensure!(accepted == count, "applied {accepted} of {count} envelopes");
    let raw = count as f64 / verify_seconds_of(&signed[..count]);
    Ok(OneAtATime {
        rate: count as f64 / seconds,
        raw,
        count,
    })
}

/// Seconds `verify_strict` takes for all of `signed`, split over `threads`.
fn verify_seconds_on(threads: usize, signed: &[Signed]) -> f64 {
    let share = signed.len().div_ceil(threads.max(1)).max(1);
    let started = Instant::now();
    let valid: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = signed
            .chunks(share)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter(|(key, message, signature)| {
                            key.verify_strict(message, signature).is_ok()
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let elapsed = started.elapsed().as_secs_f64();
    std::hint::black_box(valid);
    elapsed
}

/// Envelopes in pages of at most a sync page's bytes, as a sync session
/// delivers them.
fn pages(envelopes: Vec<Envelope>) -> Vec<Vec<Envelope>> {
    let mut pages = Vec::new();
    let mut page = Vec::new();
    let mut bytes = 0;
    for envelope in envelopes {
        let len = envelope.encoded_len();
        if !page.is_empty() && bytes + len > PAGE_BYTES_MAX {
            pages.push(std::mem::take(&mut page));
            bytes = 0;
        }
        bytes += len;
        page.push(envelope);
    }
    if !page.is_empty() {
        pages.push(page);
    }
    pages
}

type Signed = (
    ed25519_dalek::VerifyingKey,
    Vec<u8>,
    ed25519_dalek::Signature,
);

/// `count` signatures over messages as long as an envelope's signed
/// message, by 16 keys.
fn signed_messages(count: usize) -> Vec<Signed> {
    let keys: Vec<SigningKey> = (0..16u8)
        .map(|i| SigningKey::from_bytes(&[i.wrapping_add(1); 32]))
        .collect();
    (0..count)
        .map(|n| {
            let key = &keys[n % keys.len()];
            let mut message = vec![0u8; 132];
            message[..8].copy_from_slice(&(n as u64).to_le_bytes());
            let signature = key.sign(&message);
            (key.verifying_key(), message, signature)
        })
        .collect()
}

/// Seconds `verify_strict` takes for all of `signed`, on this thread.
fn verify_seconds_of(signed: &[Signed]) -> f64 {
    let started = Instant::now();
    let mut valid = 0usize;
    for (key, message, signature) in signed {
        if key.verify_strict(message, signature).is_ok() {
            valid += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    std::hint::black_box(valid);
    elapsed
}
