//! The offer index holds the offers' map's own addresses
//! (`store::SharedAddress`), not copies: at 50,000 offers the copies were
//! about 20 MiB and put the scale benchmark's node over its memory target.
//! The registry's answers cannot show a copy, so this looks at the store.

use std::sync::Arc;

use super::*;

/// For every offer: the sets that hold it point at the map's address, and
/// nothing else keeps one (no copy, no address left over from a version
/// of the offer that was replaced or removed).
fn assert_addresses_shared(model: &ReadModel) {
    let store = &model.store;
    for address in store.offers.keys() {
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
            1 + held.len(),
            "{address:?} is held outside the map and its facet sets"
        );
    }
}

#[test]
fn facet_sets_share_the_offers_addresses_through_replacements() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![
            ("laptops", equipment_offer("laptop", 5)),
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
            ("forensics", person_offer("lead", Mode::Remote)),
            ("team", team_offer()),
        ],
    );
    assert_addresses_shared(&model);
    let sets_holding_any: usize = model
        .store
        .offer_index
        .by_facet
        .values()
        .map(|facet| facet.offers.len())
        .sum();
    let expected: usize = model
        .store
        .offers
        .keys()
        .map(|address| Arc::strong_count(address) - 1)
        .sum();
    assert_eq!(
        sets_holding_any, expected,
        "a set holds an offer no longer there"
    );
}
