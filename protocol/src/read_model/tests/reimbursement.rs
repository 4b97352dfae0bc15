//! Reimbursement per pair at the agreement's rates: confirmed orders only,
//! hours and device-days at the flat rates plus expenses; exercises and
//! unconfirmed orders never summed.

use super::*;
use crate::pact::{Reimbursement, ReimbursementModel, example_agreement};

fn settlement_for(acceptance: &str, hours: u32, expenses_cents: u64) -> Settlement {
    Settlement {
        pledge: id("p1"),
        requester: member(REQUESTER),
        acceptance: id(acceptance),
        hours,
        expenses_cents,
        note: String::new(),
        recorded_at_ms: T0_MS + 10 * DAY_MS,
    }
}

/// Order a1 (2 laptops, closed and confirmed: 36 h, 480,50 €) and order
/// a2 (closed by the helper's figures but differing: unconfirmed) of r1;
/// and a confirmed exercise order a3.
fn model() -> ReadModel {
    let mut model = ReadModel::new();
    let mut confirmed = acceptance(member(HELPER), "p1", "r1", "n1", 2);
    confirmed.status = AcceptanceStatus::Closed;
    confirmed.hours_recorded = Some(36);
    confirmed.expenses_cents = Some(48_050);
    let mut differs = acceptance(member(HELPER), "p1", "r1", "n1", 1);
    differs.status = AcceptanceStatus::Closed;
    differs.hours_recorded = Some(1);
    differs.expenses_cents = Some(1);
    let mut drill = acceptance(member(HELPER), "p1", "uebung-r2", "n1", 5);
    drill.status = AcceptanceStatus::Closed;
    drill.hours_recorded = Some(10);
    drill.expenses_cents = Some(0);
    requests(
        &mut model,
        REQUESTER,
        vec![
            ("r1", laptops_request()),
            (
                "uebung-r2",
                AidRequest {
                    exercise: true,
                    ..laptops_request()
                },
            ),
        ],
        vec![("a1", confirmed), ("a2", differs), ("a3", drill)],
    );
    let mut entries = vec![(
        RecordKey::pledge(id("p1")),
        Record::Pledge(pledge(member(REQUESTER), "r1", "n1", None, 10)),
    )];
    for (key, s) in [
        ("s1", settlement_for("a1", 36, 48_050)),
        ("s2", settlement_for("a2", 5, 900)),
        ("s3", settlement_for("a3", 10, 0)),
    ] {
        entries.push((
            RecordKey::new(RecordTag::Settlement, id(key)),
            Record::Settlement(s),
        ));
    }
    model.update_document(doc(HELPER, Collection::Pledges), &records(entries));
    model
}

#[test]
fn a_pair_owes_hours_and_device_days_at_the_flat_rates_plus_expenses() {
    let model = model();
    let rates = example_agreement(&[]).reimbursement;
    assert_eq!(
        (rates.hour_rate_cents, rates.device_day_rate_cents),
        (8_500, 2_500)
    );
    let rows = model.reimbursements(&rates);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(
        (row.requester, row.helper),
        (member(REQUESTER), member(HELPER))
    );
    assert_eq!((row.mission_orders, row.unconfirmed), (1, 1));
    let request = laptops_request();
    let days = ((request.end_ms - request.start_ms) / DAY_MS) as u64;
    assert_eq!(row.hours, 36);
    assert_eq!(row.device_days, 2 * days);
    assert_eq!(row.expenses_cents, 48_050);
    assert_eq!(row.hours_cents, 36 * 8_500);
    assert_eq!(row.devices_cents, 2 * days * 2_500);
    assert_eq!(row.total_cents, 36 * 8_500 + 2 * days * 2_500 + 48_050);
}

#[test]
fn other_models_pay_expenses_only_or_nothing() {
    let model = model();
    let actual = Reimbursement {
        model: ReimbursementModel::ExtraCostsActual,
        hour_rate_cents: 0,
        device_day_rate_cents: 0,
    };
    assert_eq!(model.reimbursements(&actual)[0].total_cents, 48_050);
    let free = Reimbursement {
        model: ReimbursementModel::None,
        ..actual
    };
    assert_eq!(model.reimbursements(&free)[0].total_cents, 0);
}
