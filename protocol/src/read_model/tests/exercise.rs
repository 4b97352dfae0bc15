//! Exercises: marked from the start by their id, in every view (board,
//! mission orders, alerts) and never counted in real figures; the mark
//! cannot be added or removed by a later version of the record; the
//! after-action report is computed from the records.

use super::*;
use crate::pact::is_exercise_id;

const EXERCISE: &str = "uebung-r1";

fn exercise_request() -> AidRequest {
    AidRequest {
        exercise: true,
        ..laptops_request()
    }
}

/// A real request r1 and an exercise request, each with one pledge of 10
/// units by HELPER on n1 and one acceptance of it.
fn pact_with_exercise() -> ReadModel {
    let mut model = ReadModel::new();
    pledges(
        &mut model,
        HELPER,
        vec![
            ("p1", pledge(member(REQUESTER), "r1", "n1", None, 10)),
            ("p2", pledge(member(REQUESTER), EXERCISE, "n1", None, 10)),
        ],
    );
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request()), (EXERCISE, exercise_request())],
        vec![
            ("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10)),
            ("a2", acceptance(member(HELPER), "p2", EXERCISE, "n1", 10)),
        ],
    );
    model
}

#[test]
fn the_alert_ids_of_an_exercise_are_exactly_its_alerts_for_every_member() {
    let model = pact_with_exercise();
    let ids = model.alert_ids_of_request(&address(REQUESTER, EXERCISE));
    let mut seen = 0;
    for member_n in [HELPER, OTHER, REQUESTER] {
        for alert in model.alerts_for(&member(member_n), T0_MS) {
            assert_eq!(ids.contains(&alert.id), alert.exercise, "{alert:?}");
            seen += usize::from(alert.exercise);
        }
    }
    // The request (to HELPER and OTHER), the pledge (to REQUESTER), the
    // acceptance (to HELPER): three distinct ids, four alerts.
    assert_eq!((ids.len(), seen), (3, 4), "{ids:?}");
}

#[test]
fn an_exercise_is_marked_in_every_view() {
    let model = pact_with_exercise();
    let board = model.request_board();
    let marked: Vec<(String, bool)> = board
        .iter()
        .map(|v| (v.address.id.to_string(), v.exercise))
        .collect();
    assert_eq!(
        marked,
        [("r1".to_string(), false), (EXERCISE.to_string(), true)]
    );
    let orders: Vec<(String, bool)> = model
        .mission_orders()
        .iter()
        .map(|o| (o.address.id.to_string(), o.exercise))
        .collect();
    assert_eq!(orders, [("a1".into(), false), ("a2".into(), true)]);
    // The JSON the API serves says so too.
    let json = serde_json::to_value(model.request_view(&address(REQUESTER, EXERCISE))).unwrap();
    assert_eq!(json["exercise"], true);
    assert_eq!(json["request"]["exercise"], true);

    // Every alert about it says ÜBUNG; the real one does not.
    for (member_n, expected) in [(HELPER, 2), (OTHER, 1), (REQUESTER, 1)] {
        let alerts = model.alerts_for(&member(member_n), T0_MS);
        let exercise: Vec<_> = alerts.iter().filter(|a| a.exercise).collect();
        assert_eq!(exercise.len(), expected, "member {member_n}: {alerts:?}");
        for alert in &alerts {
            assert_eq!(
                alert.subject_de.starts_with("ÜBUNG – "),
                alert.exercise,
                "{alert:?}"
            );
        }
    }
}

#[test]
fn exercises_never_count_in_real_figures() {
    let model = pact_with_exercise();
    let figures = model.real_figures();
    let real_open: u32 = model
        .request_view(&address(REQUESTER, "r1"))
        .unwrap()
        .needs
        .iter()
        .map(|n| n.totals.open)
        .sum();
    assert_eq!(figures.open_requests, 1);
    assert_eq!(figures.open_units, real_open);
    assert_eq!(figures.mission_orders, 1);
    assert_eq!(figures.open_exercise_requests, 1);
}

#[test]
fn the_mark_is_bound_to_the_id_and_no_version_can_change_it() {
    let collection = Collection::Requests;
    let real_as_exercise = Record::Request(exercise_request()).to_json();
    let exercise_as_real = Record::Request(laptops_request()).to_json();
    for (key, json) in [
        ("request:r1", &real_as_exercise),
        (&*format!("request:{EXERCISE}"), &exercise_as_real),
    ] {
        let error = decode_record(collection, key, json).unwrap_err();
        assert!(error.to_string().contains("exercise"), "{key}: {error}");
    }
    assert!(
        decode_record(
            collection,
            &format!("request:{EXERCISE}"),
            &real_as_exercise
        )
        .is_ok()
    );
    assert!(is_exercise_id(&id(EXERCISE)) && !is_exercise_id(&id("r1")));

    // A later version that drops the mark is skipped by the read model
    // too: the exercise stays an exercise.
    let mut model = pact_with_exercise();
    let mut entries = records(vec![(
        RecordKey::request(id("r1")),
        Record::Request(laptops_request()),
    )]);
    entries.insert(format!("request:{EXERCISE}"), exercise_as_real.clone());
    model.update_document(doc(REQUESTER, Collection::Requests), &entries);
    assert!(model.request_view(&address(REQUESTER, EXERCISE)).is_none());
    assert_eq!(model.real_figures().open_requests, 1);
}

#[test]
fn the_after_action_report_is_computed_from_the_records() {
    let model = pact_with_exercise();
    let exercise = address(REQUESTER, EXERCISE);
    let members = [member(REQUESTER), member(HELPER), member(OTHER)];
    let report = model.after_action_report(&exercise, members).unwrap();
    let pledge_at = pledge(member(REQUESTER), EXERCISE, "n1", None, 10).created_at_ms;
    let accepted_at = acceptance(member(HELPER), "p2", EXERCISE, "n1", 10).accepted_at_ms;
    let requested_at = exercise_request().created_at_ms;
    assert_eq!(
        report.to_first_pledge_ms,
        Some((pledge_at - requested_at).max(0))
    );
    assert_eq!(
        report.to_first_acceptance_ms,
        Some((accepted_at - requested_at).max(0))
    );
    let requested: u32 = exercise_request().needs.iter().map(|n| n.quantity).sum();
    assert_eq!(report.units_requested, requested);
    assert_eq!(report.units_accepted, 10);
    assert_eq!(report.covered_permille, 10 * 1000 / requested);
    assert_eq!(report.not_answered, [member(OTHER)]);
    assert_eq!(
        (report.mission_orders, report.mission_orders_closed),
        (1, 0)
    );
    // A real request has no after-action report.
    assert!(
        model
            .after_action_report(&address(REQUESTER, "r1"), members)
            .is_none()
    );
}
