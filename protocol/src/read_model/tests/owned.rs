//! The owned copies of the views lend out exactly the views they copied:
//! a page rendered from the copy (after the node's lock is released) shows
//! what the same page rendered from the read model showed.

use super::*;

#[test]
fn copies_of_board_missions_suggestions_and_offers_show_the_same_views() {
    let mut model = ReadModel::new();
    profile_of(&mut model, HELPER, profile("Stadt Darmstadt", "06411"));
    profile_of(&mut model, REQUESTER, profile("Kreis Bergstraße", "06431"));
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 20))],
    );
    offers(
        &mut model,
        OTHER,
        vec![("o2", equipment_offer("laptop", 5))],
    );
    let requester = member(REQUESTER);
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(requester, "r1", "n1", Some("o1"), 10))],
    );
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![
            ("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10)),
            // Its pledge never arrives: awaiting.
            ("a2", acceptance(member(OTHER), "p9", "r1", "n1", 1)),
        ],
    );

    let board = model.request_board();
    assert!(!board[0].needs[0].pledges.is_empty());
    let copies: Vec<_> = board.iter().map(RequestView::to_owned_view).collect();
    let lent: Vec<_> = copies.iter().map(OwnedRequestView::view).collect();
    assert_eq!(lent, board);

    let orders = model.mission_orders();
    assert_eq!(orders.len(), 2);
    let copies: Vec<_> = orders.iter().map(MissionOrder::to_owned_view).collect();
    let lent: Vec<_> = copies.iter().map(OwnedMissionOrder::view).collect();
    assert_eq!(lent, orders);

    let suggestions = model.suggest(&need_ref("r1", "n1"));
    assert!(!suggestions.is_empty());
    let copies: Vec<_> = suggestions.iter().map(Suggestion::to_owned_view).collect();
    let lent: Vec<_> = copies.iter().map(OwnedSuggestion::view).collect();
    assert_eq!(lent, suggestions);

    let registry = model.registry(&RegistryFilter::default());
    let copies: Vec<_> = registry.iter().map(OfferEntry::to_owned_entry).collect();
    let lent: Vec<_> = copies.iter().map(OwnedOfferEntry::entry).collect();
    assert_eq!(lent, registry);
    // The API serialises the lent views: the same JSON as before.
    assert_eq!(
        serde_json::to_value(&lent).unwrap(),
        serde_json::to_value(&registry).unwrap()
    );
}
