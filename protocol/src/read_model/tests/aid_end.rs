//! Mission orders to the end: decline, lapse, settlement confirmed.

use super::*;

fn declined(pledger: u8, pledge: &str) -> Decline {
    Decline {
        pledge: PledgeRef {
            pledger: member(pledger),
            pledge: id(pledge),
        },
        request: id("r1"),
        need: id("n1"),
        reason: "Bereits gedeckt".into(),
        declined_at_ms: T0_MS + 3 * DAY_MS,
    }
}

fn requester_doc(
    model: &mut ReadModel,
    acceptances: Vec<(&str, Acceptance)>,
    declines: Vec<(&str, Decline)>,
) {
    let mut entries = vec![(
        RecordKey::request(id("r1")),
        Record::Request(laptops_request()),
    )];
    entries.extend(
        acceptances
            .into_iter()
            .map(|(i, a)| (RecordKey::acceptance(id(i)), Record::Acceptance(a))),
    );
    entries.extend(declines.into_iter().map(|(i, d)| {
        (
            RecordKey::new(RecordTag::Decline, id(i)),
            Record::Decline(d),
        )
    }));
    model.update_document(doc(REQUESTER, Collection::Requests), &records(entries));
}

fn states(model: &ReadModel, now_ms: i64) -> Vec<(u8, PledgeState)> {
    model.request_board()[0].needs[0]
        .pledges
        .iter()
        .map(|p| (p.address.owner.0[0], p.state_at(now_ms)))
        .collect()
}

#[test]
fn a_declined_pledge_frees_the_need_and_the_offer() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 100))],
    );
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", Some("o1"), 100))],
    );
    requester_doc(&mut model, vec![], vec![]);
    assert_eq!(model.need_totals(&need_ref("r1", "n1")).unwrap().open, 0);
    assert_eq!(model.remaining_quantity(&address(HELPER, "o1")), Some(0));

    requester_doc(&mut model, vec![], vec![("d1", declined(HELPER, "p1"))]);
    let totals = model.need_totals(&need_ref("r1", "n1")).unwrap();
    assert_eq!((totals.pledged, totals.open), (0, 100));
    assert_eq!(model.remaining_quantity(&address(HELPER, "o1")), Some(100));
    assert_eq!(states(&model, T0_MS), [(HELPER, PledgeState::Declined)]);

    // A decline of another requester's pledge, or of another need, counts
    // for nothing.
    let mut foreign = declined(HELPER, "p1");
    foreign.need = id("n2");
    requester_doc(&mut model, vec![], vec![("d1", foreign)]);
    let pledged_at = T0_MS + 3 * DAY_MS;
    assert_eq!(states(&model, pledged_at), [(HELPER, PledgeState::Offered)]);
}

#[test]
fn an_acceptance_wins_over_a_decline() {
    let mut model = ReadModel::new();
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", None, 10))],
    );
    requester_doc(
        &mut model,
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10))],
        vec![("d1", declined(HELPER, "p1"))],
    );
    assert_eq!(states(&model, T0_MS), [(HELPER, PledgeState::Accepted)]);
    assert_eq!(
        model.need_totals(&need_ref("r1", "n1")).unwrap().pledged,
        10
    );
}

#[test]
fn only_a_pledge_nobody_took_up_is_declined() {
    use crate::read_model::room_rules::{RoomRefusal, decline_pledge};
    let mut model = ReadModel::new();
    let requester = member(REQUESTER);
    pledges(
        &mut model,
        HELPER,
        vec![
            ("p1", pledge(requester, "r1", "n1", None, 10)),
            ("p2", pledge(requester, "r1", "n1", None, 5)),
        ],
    );
    // a2 names p2 but another need: it takes nothing up.
    requester_doc(
        &mut model,
        vec![
            ("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10)),
            ("a2", acceptance(member(HELPER), "p2", "r1", "n2", 5)),
        ],
        vec![],
    );
    let decline = |pledge: &str| {
        decline_pledge(
            &model,
            requester,
            member(HELPER),
            &id(pledge),
            String::new(),
            T0_MS + 4 * DAY_MS,
        )
    };
    assert_eq!(
        decline("p1"),
        Err(RoomRefusal::PledgeAccepted { pledge: id("p1") })
    );
    let declined = decline("p2").expect("nothing takes p2 up");
    assert_eq!((declined.request, declined.need), (id("r1"), id("n1")));
    assert!(matches!(
        decline_pledge(
            &model,
            member(OTHER),
            member(HELPER),
            &id("p2"),
            String::new(),
            T0_MS
        ),
        Err(RoomRefusal::NotYourRequest { .. })
    ));
}

#[test]
fn a_pledge_not_accepted_in_time_lapses_and_frees_the_need() {
    let mut model = ReadModel::new();
    // The helper pledges everything; another member pledges part.
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", None, 100))],
    );
    let mut later = pledge(member(REQUESTER), "r1", "n1", None, 30);
    later.created_at_ms += DAY_MS;
    pledges(&mut model, OTHER, vec![("p1", later)]);
    requester_doc(&mut model, vec![], vec![]);
    let pledged_at = T0_MS + 3 * DAY_MS;
    let need = |model: &ReadModel, now| model.request_board()[0].needs[0].open_at(now);
    assert_eq!(need(&model, pledged_at), 0);
    let lapse = pledged_at + PLEDGE_ACCEPT_WINDOW_MS;
    assert_eq!(need(&model, lapse - 1), 0);
    assert_eq!(
        states(&model, lapse),
        [(HELPER, PledgeState::Lapsed), (OTHER, PledgeState::Offered)]
    );
    assert_eq!(
        need(&model, lapse),
        70,
        "only the younger pledge still stands"
    );
    // The rule a node writes a new pledge by agrees: before the lapse the
    // need is covered, from the lapse on the freed units can be pledged.
    let mut third = pledge(member(REQUESTER), "r1", "n1", None, 70);
    third.created_at_ms = lapse;
    let third_member = member(HELPER + 10);
    assert!(matches!(
        check_pledge(&model, third_member, &third, lapse - 1),
        Err(PledgeRefusal::OverOpenQuantity { open: 0, .. })
    ));
    assert_eq!(check_pledge(&model, third_member, &third, lapse), Ok(()));
    third.quantity = 71;
    assert!(matches!(
        check_pledge(&model, third_member, &third, lapse),
        Err(PledgeRefusal::OverOpenQuantity { open: 70, .. })
    ));

    // An acceptance written after the lapse does not take the pledge up.
    let mut late = acceptance(member(HELPER), "p1", "r1", "n1", 100);
    late.accepted_at_ms = lapse;
    requester_doc(&mut model, vec![("a1", late)], vec![]);
    assert_eq!(states(&model, lapse)[0], (HELPER, PledgeState::Lapsed));
    let orders = model.mission_orders();
    assert!(
        matches!(orders[0].pledge, PledgeLink::Late { .. }),
        "{orders:?}"
    );
    // One in time does.
    let mut in_time = acceptance(member(HELPER), "p1", "r1", "n1", 100);
    in_time.accepted_at_ms = lapse - 1;
    requester_doc(&mut model, vec![("a1", in_time)], vec![]);
    assert_eq!(
        states(&model, lapse + DAY_MS)[0],
        (HELPER, PledgeState::Accepted)
    );
}

fn settlement(hours: u32, expenses_cents: u64) -> Settlement {
    Settlement {
        pledge: id("p1"),
        requester: member(REQUESTER),
        acceptance: id("a1"),
        hours,
        expenses_cents,
        note: "Fahrtkosten, Übernachtung".into(),
        recorded_at_ms: T0_MS + 10 * DAY_MS,
    }
}

fn state(model: &ReadModel) -> SettlementState<'_> {
    model.mission_orders()[0].settlement.clone()
}

fn helper_doc(model: &mut ReadModel, member_n: u8, settlements: Vec<Settlement>) {
    let mut entries = vec![(
        RecordKey::pledge(id("p1")),
        Record::Pledge(pledge(member(REQUESTER), "r1", "n1", None, 2)),
    )];
    for (index, s) in settlements.into_iter().enumerate() {
        let key = RecordKey::new(RecordTag::Settlement, id(&format!("s{index}")));
        entries.push((key, Record::Settlement(s)));
    }
    model.update_document(doc(member_n, Collection::Pledges), &records(entries));
}

#[test]
fn a_mission_order_runs_to_the_end_and_the_requester_confirms_the_figures() {
    let mut model = ReadModel::new();
    let mut order = acceptance(member(HELPER), "p1", "r1", "n1", 2);
    order.status = AcceptanceStatus::Accepted;
    requester_doc(&mut model, vec![("a1", order.clone())], vec![]);
    helper_doc(&mut model, HELPER, vec![]);
    assert_eq!(state(&model), SettlementState::NotRecorded);
    assert_eq!(states(&model, T0_MS)[0].1, PledgeState::Accepted);

    order.status = AcceptanceStatus::Active;
    requester_doc(&mut model, vec![("a1", order.clone())], vec![]);
    order.status = AcceptanceStatus::Released;
    requester_doc(&mut model, vec![("a1", order.clone())], vec![]);
    assert_eq!(states(&model, T0_MS)[0].1, PledgeState::Finished);

    let mut older = settlement(10, 5_000);
    older.recorded_at_ms -= DAY_MS;
    helper_doc(&mut model, HELPER, vec![settlement(36, 48_000), older]);
    assert!(
        matches!(state(&model), SettlementState::Recorded { settlement } if settlement.hours == 36)
    );

    order.status = AcceptanceStatus::Closed;
    order.hours_recorded = Some(36);
    order.expenses_cents = Some(48_000);
    requester_doc(&mut model, vec![("a1", order.clone())], vec![]);
    assert!(matches!(state(&model), SettlementState::Confirmed { .. }));

    order.expenses_cents = Some(40_000);
    requester_doc(&mut model, vec![("a1", order)], vec![]);
    assert!(matches!(state(&model), SettlementState::Differs { .. }));
}

#[test]
fn only_the_helper_settles_its_own_mission_order() {
    let mut model = ReadModel::new();
    requester_doc(
        &mut model,
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 2))],
        vec![],
    );
    helper_doc(&mut model, HELPER, vec![]);
    // Another member claims hours for the helper's mission order.
    helper_doc(&mut model, OTHER, vec![settlement(500, 9_000_000)]);
    assert_eq!(
        model.mission_orders()[0].settlement,
        SettlementState::NotRecorded
    );
}

#[test]
fn the_settlement_export_lists_the_requesters_orders_with_the_helpers_figures() {
    let mut model = ReadModel::new();
    let mut order = acceptance(member(HELPER), "p1", "r1", "n1", 2);
    order.status = AcceptanceStatus::Closed;
    order.hours_recorded = Some(36);
    order.expenses_cents = Some(48_050);
    requester_doc(&mut model, vec![("a1", order)], vec![]);
    helper_doc(&mut model, HELPER, vec![settlement(36, 48_050)]);
    let mut helper = profile("=HYPERLINK(\"x\")", "06432");
    helper.kind = "landkreis".into();
    profile_of(&mut model, HELPER, helper);
    let rows = model.settlement_rows(&member(REQUESTER));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].settlement, "confirmed");
    assert!(model.settlement_rows(&member(HELPER)).is_empty());
    let csv = crate::read_model::settlements::settlement_csv(&rows);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("Einsatzauftrag;"));
    assert!(
        lines[1].starts_with("\"a1\";\"'=HYPERLINK(\"\"x\"\")\";"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(";\"r1/n1\";2;closed;36;480,50;confirmed"),
        "{}",
        lines[1]
    );
}
