//! The read model's memory on a register of the `scale` benchmark's shape
//! (`tests/src/bench/scale.rs`, its offers made by `bench::scale_offer`: 250 owners with 200 equipment offers
//! each, quantity 1 to 20, three categories):
//! `cargo run -p amtshilfe-tests --example read_model_bytes -- model`
//! (`-- offers`: the same offers alone, held as the store holds them, a
//! shared address to a boxed offer in one map, so that the rest shows:
//! indexes, documents' keys, derived entries).
//!
//! Measured as the growth of the process's resident memory (`VmRSS`)
//! while the model is built, each case in a process of its own (memory a
//! case frees stays resident and would be reused by the next): the
//! figure the benchmark's row sees, the allocator's rounding included.
//! The documents' JSON is built before the first reading. Only prints,
//! never asserts: the pass/fail figure is the benchmark's.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::Arc;

use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, RecordId};
use amtshilfe_protocol::model::{Offer, Record, RecordKey};
use amtshilfe_protocol::read_model::{ReadModel, RecordAddress};

const OWNERS: u8 = 250;
const PER_OWNER: usize = 200;
const T0_MS: i64 = 1_767_225_600_000;

/// The process's resident memory in KiB.
fn resident_kib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// What a value built by `build` keeps resident, printed under `what`.
fn measure<T>(what: &str, build: impl FnOnce() -> T) -> T {
    let before = resident_kib();
    let value = build();
    let grown = resident_kib() - before;
    let offers = f64::from(OWNERS) * PER_OWNER as f64;
    println!(
        "{what}: {:.1} MiB resident ({:.0} bytes per offer)",
        grown / 1024.0,
        grown * 1024.0 / offers,
    );
    value
}

/// The benchmark's offer `n` (`bench::scale_offer`, as the `scale` row
/// writes it).
fn offer(n: usize) -> (RecordId, Offer) {
    amtshilfe_tests::bench::scale_offer(n, T0_MS).expect("a valid benchmark offer")
}

/// Each owner's Offers document as the read model is handed it.
fn documents() -> Vec<(DocumentId, BTreeMap<String, String>)> {
    (1..=OWNERS)
        .map(|owner| {
            let records = (0..PER_OWNER)
                .map(|n| {
                    let (id, offer) = offer(n);
                    (
                        RecordKey::offer(id).to_string(),
                        Record::Offer(offer).to_json(),
                    )
                })
                .collect();
            (
                DocumentId::new(MemberId([owner; 32]), Collection::Offers),
                records,
            )
        })
        .collect()
}

fn main() {
    println!(
        "{} offers: {OWNERS} owners x {PER_OWNER}; an Offer is {} bytes, a RecordAddress {}",
        usize::from(OWNERS) * PER_OWNER,
        size_of::<Offer>(),
        size_of::<RecordAddress>(),
    );
    match std::env::args().nth(1).as_deref() {
        Some("offers") => {
            let offers = measure("offers alone, in one map", || {
                let mut offers = BTreeMap::new();
                for owner in 1..=OWNERS {
                    for n in 0..PER_OWNER {
                        let (id, offer) = offer(n);
                        let address = RecordAddress::new(MemberId([owner; 32]), id);
                        offers.insert(Arc::new(address), Box::new(offer));
                    }
                }
                offers
            });
            drop(offers);
        }
        _ => {
            let documents = documents();
            let model = measure("read model", || {
                let mut model = ReadModel::new();
                for (document, records) in &documents {
                    model.update_document(*document, records);
                }
                model
            });
            drop(model);
        }
    }
}
