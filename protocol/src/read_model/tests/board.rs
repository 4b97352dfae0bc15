//! Request board, mission orders and suggestions.

use super::*;
use crate::read_model::suggest::SUGGESTIONS_MAX;

#[test]
fn board_shows_partial_pledges() {
    let mut model = ReadModel::new();
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    let requester = member(REQUESTER);
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(requester, "r1", "n1", None, 25))],
    );
    let mut withdrawn = pledge(requester, "r1", "n1", None, 50);
    withdrawn.status = PledgeStatus::Withdrawn;
    pledges(
        &mut model,
        OTHER,
        vec![
            ("p1", pledge(requester, "r1", "n1", None, 15)),
            ("p2", withdrawn),
        ],
    );
    let totals = model.need_totals(&need_ref("r1", "n1")).unwrap();
    assert_eq!(
        totals,
        NeedTotals {
            requested: 100,
            pledged: 40,
            accepted: 0,
            open: 60
        }
    );
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 20))],
    );
    let board = model.request_board();
    assert_eq!(board.len(), 1);
    let n1 = &board[0].needs[0];
    assert_eq!(
        (n1.totals.pledged, n1.totals.accepted, n1.totals.open),
        (40, 20, 60)
    );
    let states: Vec<(u8, PledgeState, u32)> = n1
        .pledges
        .iter()
        .map(|p| (p.address.owner.0[0], p.state, p.accepted_quantity))
        .collect();
    assert_eq!(
        states,
        [
            (HELPER, PledgeState::Accepted, 20),
            (OTHER, PledgeState::Offered, 0),
            (OTHER, PledgeState::Withdrawn, 0)
        ]
    );
    let n2 = &board[0].needs[1];
    assert_eq!((n2.totals.requested, n2.totals.open), (1, 1));
    assert!(n2.pledges.is_empty());
}

#[test]
fn over_pledged_need_has_nothing_open() {
    let mut model = ReadModel::new();
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    let p = pledge(member(REQUESTER), "r1", "n2", None, 3);
    pledges(&mut model, HELPER, vec![("p1", p)]);
    let totals = model.need_totals(&need_ref("r1", "n2")).unwrap();
    assert_eq!((totals.pledged, totals.open), (3, 0));
}

#[test]
fn a_pledge_before_its_request_counts_once_the_request_arrives() {
    let mut model = ReadModel::new();
    let p = pledge(member(REQUESTER), "r1", "n1", None, 40);
    pledges(&mut model, HELPER, vec![("p1", p)]);
    assert!(model.request_board().is_empty());
    assert_eq!(model.need_totals(&need_ref("r1", "n1")), None);
    assert_eq!(model.pledges_awaiting_request().len(), 1);

    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    assert_eq!(model.need_totals(&need_ref("r1", "n1")).unwrap().open, 60);
    assert!(model.pledges_awaiting_request().is_empty());

    // And it goes away again with the request.
    model.remove_document(doc(REQUESTER, Collection::Requests));
    assert_eq!(model.need_totals(&need_ref("r1", "n1")), None);
    assert_eq!(model.pledges_awaiting_request().len(), 1);
}

#[test]
fn an_acceptance_before_its_pledge_awaits_it() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 20))],
    );
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10))],
    );
    let orders = model.mission_orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].pledge, PledgeLink::AwaitingPledge);
    assert_eq!(orders[0].pledger, member(HELPER));
    assert_eq!(
        model.need_totals(&need_ref("r1", "n1")).unwrap().accepted,
        10
    );

    let p = pledge(member(REQUESTER), "r1", "n1", Some("o1"), 10);
    pledges(&mut model, HELPER, vec![("p1", p.clone())]);
    let orders = model.mission_orders_of(&member(HELPER));
    assert_eq!(orders.len(), 1);
    let PledgeLink::Joined { pledge, offer } = &orders[0].pledge else {
        panic!("not joined: {:?}", orders[0].pledge)
    };
    assert_eq!(*pledge, &p);
    assert_eq!(offer.map(|o| o.quantity()), Some(20));
    assert_eq!(model.remaining_quantity(&address(HELPER, "o1")), Some(10));
    assert_eq!(model.mission_orders_of(&member(REQUESTER)).len(), 1);
    assert!(model.mission_orders_of(&member(OTHER)).is_empty());
}

#[test]
fn an_acceptance_for_another_need_is_a_mismatch() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 20))],
    );
    let p = pledge(member(REQUESTER), "r1", "n1", Some("o1"), 10);
    pledges(&mut model, HELPER, vec![("p1", p)]);
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n2", 1))],
    );
    assert!(matches!(
        model.mission_orders()[0].pledge,
        PledgeLink::Mismatch { .. }
    ));
    let board = model.request_board();
    assert_eq!(board[0].needs[0].pledges[0].state, PledgeState::Offered);
    // A third member cannot accept someone else's pledge either.
    requests(
        &mut model,
        OTHER,
        vec![],
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10))],
    );
    let mut closed = laptops_request();
    closed.status = RequestStatus::Closed;
    requests(&mut model, REQUESTER, vec![("r1", closed)], vec![]);
    assert_eq!(
        model.remaining_quantity(&address(HELPER, "o1")),
        Some(20),
        "the foreign acceptance does not keep the pledge alive"
    );
}

#[test]
fn suggestions_rank_fit_and_exclude_own_offers() {
    let mut model = ReadModel::new();
    let mut requester_profile = profile("Kreis Bergstraße", "06431");
    requester_profile.coordinates = Some(GeoPoint {
        lat_microdeg: 49_641_000,
        lon_microdeg: 8_638_000,
    });
    profile_of(&mut model, REQUESTER, requester_profile);
    let mut near = profile("Stadt Darmstadt", "06411");
    near.coordinates = Some(GeoPoint {
        lat_microdeg: 49_872_000,
        lon_microdeg: 8_651_000,
    });
    profile_of(&mut model, HELPER, near);
    let mut far = profile("Landkreis Görlitz", "14626");
    far.coordinates = Some(GeoPoint {
        lat_microdeg: 51_152_000,
        lon_microdeg: 14_987_000,
    });
    profile_of(&mut model, OTHER, far);
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    offers(
        &mut model,
        REQUESTER,
        vec![("o1", equipment_offer("laptop", 99))],
    );
    offers(
        &mut model,
        HELPER,
        vec![
            ("o1", equipment_offer("laptop", 10)),
            ("o2", equipment_offer("printer", 10)),
            ("o3", person_offer("forensics", Mode::Onsite)),
        ],
    );
    offers(
        &mut model,
        OTHER,
        vec![
            ("o1", equipment_offer("laptop", 100)),
            ("o2", person_offer("forensics", Mode::Remote)),
            ("o3", person_offer("lead", Mode::Onsite)),
        ],
    );
    let laptops = model.suggest(&need_ref("r1", "n1"));
    let ranked: Vec<(u8, String)> = laptops
        .iter()
        .map(|s| (s.offer.address.owner.0[0], s.offer.address.id.to_string()))
        .collect();
    assert_eq!(
        ranked.len(),
        2,
        "own offer and printer excluded: {ranked:?}"
    );
    assert!(laptops.iter().all(|s| s.score <= 100));
    assert!(laptops[0].distance_km.is_some());

    let forensics = model.suggest(&need_ref("r1", "n2"));
    assert_eq!(
        forensics.len(),
        1,
        "remote person cannot serve on-site need"
    );
    assert_eq!(forensics[0].offer.address, &address(HELPER, "o3"));
    assert_eq!((forensics[0].skills_met, forensics[0].skills_asked), (1, 1));

    assert!(model.suggest(&need_ref("r1", "n9")).is_empty());
    assert!(model.suggest(&need_ref("r9", "n1")).is_empty());
}

#[test]
fn nearer_and_larger_offers_rank_higher() {
    let mut model = ReadModel::new();
    for (n, lat) in [
        (REQUESTER, 49_641_000),
        (HELPER, 49_872_000),
        (OTHER, 51_152_000),
    ] {
        let mut p = profile("M", "06431");
        p.coordinates = Some(GeoPoint {
            lat_microdeg: lat,
            lon_microdeg: 8_638_000,
        });
        profile_of(&mut model, n, p);
    }
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 100))],
    );
    offers(
        &mut model,
        OTHER,
        vec![("o1", equipment_offer("laptop", 100))],
    );
    let ranked = model.suggest(&need_ref("r1", "n1"));
    assert_eq!(ranked[0].offer.address.owner, member(HELPER));
    assert!(ranked[0].score > ranked[1].score);
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 1))],
    );
    let ranked = model.suggest(&need_ref("r1", "n1"));
    assert_eq!(ranked[0].offer.address.owner, member(OTHER));
}

#[test]
fn read_models_can_be_compared_and_serialised_views() {
    let mut model = ReadModel::new();
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    let view = model.request_view(&address(REQUESTER, "r1")).unwrap();
    let json = serde_json::to_string(&view).unwrap();
    assert!(json.contains("\"open\":100"), "{json}");
    let copy = model.clone();
    assert_eq!(copy, model);
    let _: MemberId = view.address.owner;
}

#[test]
fn suggestions_are_capped() {
    let mut model = ReadModel::new();
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    let many: Vec<(String, Offer)> = (0..SUGGESTIONS_MAX + 10)
        .map(|i| (format!("o{i}"), equipment_offer("laptop", 1)))
        .collect();
    offers(
        &mut model,
        HELPER,
        many.iter().map(|(i, o)| (i.as_str(), o.clone())).collect(),
    );
    assert_eq!(model.suggest(&need_ref("r1", "n1")).len(), SUGGESTIONS_MAX);
}

#[test]
fn the_mission_orders_of_a_request_are_those_of_the_full_list() {
    let mut model = ReadModel::new();
    let helper = member(HELPER);
    // Two requests whose ids share a prefix, one of another requester with
    // the same id: the index lookup keeps to the one request asked for.
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request()), ("r10", laptops_request())],
        vec![
            ("a1", acceptance(helper, "p1", "r1", "n1", 5)),
            ("a2", acceptance(helper, "p2", "r1", "n1", 3)),
            ("a3", acceptance(helper, "p3", "r10", "n1", 2)),
        ],
    );
    requests(
        &mut model,
        OTHER,
        vec![("r1", laptops_request())],
        vec![("a1", acceptance(helper, "p4", "r1", "n1", 1))],
    );
    for (owner, request) in [(REQUESTER, "r1"), (REQUESTER, "r10"), (OTHER, "r1")] {
        let at = address(owner, request);
        let expected: Vec<_> = model
            .mission_orders()
            .into_iter()
            .filter(|o| o.address.owner == at.owner && o.acceptance.request == at.id)
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(model.mission_orders_for_request(&at), expected);
    }
    assert!(
        model
            .mission_orders_for_request(&address(HELPER, "r1"))
            .is_empty()
    );
}
