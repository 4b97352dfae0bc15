//! The offer index and the capacity shares hold the offers' map's own
//! addresses (`store::SharedAddress`), not copies, and the shares one copy
//! of each capacity key: at 50,000 offers the copies were about 30 MiB and
//! put the scale benchmark's node over its memory target. The answers
//! cannot show a copy, so this looks at the store.

use std::sync::Arc;

use super::*;

/// For every offer: the sets and the capacity share that hold it point at
/// the map's address, and nothing else keeps one (no copy, no address left
/// over from a version of the offer that was replaced or removed).
fn assert_addresses_shared(model: &ReadModel) {
    let store = &model.store;
    let capacity = &model.derived.capacity;
    assert!(capacity.keys_shared(), "a capacity key copied or left over");
    let shares: Vec<_> = capacity.shared_addresses().collect();
    for share in &shares {
        let own = store.offers.get_key_value(&***share).map(|(own, _)| own);
        assert!(own.is_some_and(|own| Arc::ptr_eq(own, share)), "{share:?}");
    }
    for address in store.offers.keys() {
        let shared = usize::from(shares.iter().any(|share| **share == *address));
        let held: Vec<_> = store
            .offer_index
            .by_facet
            .values()
            .filter_map(|facet| facet.offers.get(&**address))
            .collect();
        assert!(!held.is_empty(), "{address:?} is in no facet set");
        for entry in &held {
            assert!(Arc::ptr_eq(entry, address), "a copy of {address:?}");
        }
        assert_eq!(
            Arc::strong_count(address),
            1 + held.len() + shared,
            "{address:?} is held outside the map and its facet sets"
        );
    }
}

#[test]
fn addresses_and_capacity_keys_stay_shared_through_replacements() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![
            ("laptops", equipment_offer("laptop", 5)),
            ("more-laptops", equipment_offer("laptop", 2)),
            ("forensics", person_offer("forensics", Mode::Both)),
            ("team", team_offer()),
            ("gone", remote_offer()),
        ],
    );
    assert_addresses_shared(&model);
    // Replaced with other facets, one offer removed.
    offers(
        &mut model,
        HELPER,
        vec![
            ("laptops", equipment_offer("desktop", 3)),
            ("more-laptops", equipment_offer("desktop", 2)),
            ("forensics", person_offer("lead", Mode::Remote)),
            ("team", team_offer()),
        ],
    );
    assert_addresses_shared(&model);
    // Every set entry and share is one of the map's (counted above).
    let sets_and_shares: usize = model
        .store
        .offer_index
        .by_facet
        .values()
        .map(|facet| facet.offers.len())
        .sum::<usize>()
        + model.derived.capacity.shared_addresses().count();
    let expected: usize = model
        .store
        .offers
        .keys()
        .map(|address| Arc::strong_count(address) - 1)
        .sum();
    assert_eq!(
        sets_and_shares, expected,
        "an entry for an offer no longer there"
    );
    // The last offer under a key gone: its key with it.
    offers(&mut model, HELPER, vec![("team", team_offer())]);
    assert_addresses_shared(&model);
}
