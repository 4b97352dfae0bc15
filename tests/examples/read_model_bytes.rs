//! The read model's memory on a register of the `scale` benchmark's shape
//! (`tests/src/bench/scale.rs`: 250 owners with 200 equipment offers
//! each, quantity 1 to 20, three categories):
//! `cargo run -p amtshilfe-protocol --example read_model_bytes -- model`
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
use amtshilfe_protocol::model::{
    Contact, EquipmentOffer, Offer, OfferDetail, OfferStatus, Record, RecordKey,
};
use amtshilfe_protocol::read_model::{ReadModel, RecordAddress};

const OWNERS: u8 = 250;
const PER_OWNER: usize = 200;
const CATEGORIES: [&str; 3] = ["laptop", "desktop", "thin_client"];
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

/// The benchmark's offer `n` (`tests/src/bench/support.rs::offer_put`).
fn offer(n: usize) -> Offer {
    let quantity = 1 + (n % 20) as u32;
    let now_ms = T0_MS + (n * 1_000) as i64;
    Offer {
        title: format!("{quantity} Notebooks, sauber aufgesetzt"),
        status: OfferStatus::Available,
        valid_from_ms: now_ms,
        valid_until_ms: None,
        contact: Contact {
            role: "IT-Rufbereitschaft".into(),
            phone: "+49 6252 15-0".into(),
            email: "it-notfall@example.de".into(),
        },
        notes: String::new(),
        updated_at_ms: now_ms,
        detail: OfferDetail::Equipment(EquipmentOffer {
            category: CATEGORIES[n % CATEGORIES.len()].into(),
            quantity,
            image_state: "clean_standalone".into(),
            own_communications: true,
            location: "Lager Kreishaus".into(),
            setup_hours: 4,
            transport: "Abholung oder Lieferung".into(),
            wiped_on_return: true,
            clean_image: None,
        }),
    }
}

fn record_id(n: usize) -> RecordId {
    RecordId::new(format!("o-{n:06}")).expect("a valid record id")
}

/// Each owner's Offers document as the read model is handed it.
fn documents() -> Vec<(DocumentId, BTreeMap<String, String>)> {
    (1..=OWNERS)
        .map(|owner| {
            let records = (0..PER_OWNER)
                .map(|n| {
                    let key = RecordKey::offer(record_id(n)).to_string();
                    (key, Record::Offer(offer(n)).to_json())
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
                        let address = RecordAddress::new(MemberId([owner; 32]), record_id(n));
                        offers.insert(Arc::new(address), Box::new(offer(n)));
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
