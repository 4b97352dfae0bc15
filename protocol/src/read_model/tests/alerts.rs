//! Alerts for a member's on-call contacts: the right ones, with stable ids.

use super::*;
use crate::incident::clocks::HOUR_MS;
use crate::incident::{ClockKind, ClockProfile, Incident, IncidentStatus};
use crate::read_model::alerts::AlertKind;

fn ids(model: &ReadModel, member_n: u8, now: i64) -> Vec<String> {
    model
        .alerts_for(&member(member_n), now)
        .into_iter()
        .map(|a| a.id)
        .collect()
}

#[test]
fn requester_helper_and_bystander_each_get_their_alerts() {
    let mut model = ReadModel::new();
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", None, 10))],
    );
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![("a1", acceptance(member(HELPER), "p1", "r1", "n1", 10))],
    );
    let r = format!("{}", member(REQUESTER));
    let h = format!("{}", member(HELPER));
    assert_eq!(ids(&model, REQUESTER, T0_MS), [format!("pledge:{h}:p1")]);
    assert_eq!(
        ids(&model, HELPER, T0_MS),
        [format!("accepted:{r}:a1"), format!("request:{r}:r1")]
    );
    assert_eq!(ids(&model, OTHER, T0_MS), [format!("request:{r}:r1")]);
}

#[test]
fn clock_alerts_fire_at_80_percent_and_overdue_with_stable_ids() {
    let mut model = ReadModel::new();
    let aware = T0_MS;
    let incident = Incident {
        title: "Ransomware".into(),
        aware_at_ms: aware,
        affected_services: vec![],
        profile: ClockProfile::GdprBsig32,
        status: IncidentStatus::Open,
        on_behalf_of: None,
        adopts: None,
        requests: vec![],
        helpers: vec![],
        created_at_ms: aware,
        exercise: false,
    };
    model.update_document(
        doc(REQUESTER, Collection::Requests),
        &records(vec![(
            RecordKey::new(RecordTag::Incident, id("i1")),
            Record::Incident(incident),
        )]),
    );
    let kinds = |now| -> Vec<AlertKind> {
        model
            .alerts_for(&member(REQUESTER), now)
            .into_iter()
            .map(|a| a.kind)
            .collect()
    };
    assert!(kinds(aware + 19 * HOUR_MS).is_empty());
    // 80 % of the 24-hour early warning is 19 h 12 min.
    assert_eq!(
        kinds(aware + 19 * HOUR_MS + 12 * 60_000),
        [AlertKind::ClockReminder {
            clock: ClockKind::BsigEarlyWarning
        }]
    );
    let at_60 = kinds(aware + 60 * HOUR_MS);
    assert!(at_60.contains(&AlertKind::ClockOverdue {
        clock: ClockKind::BsigEarlyWarning
    }));
    assert!(at_60.contains(&AlertKind::ClockReminder {
        clock: ClockKind::GdprArt33
    }));
    let first = model.alerts_for(&member(REQUESTER), aware + 60 * HOUR_MS);
    let again = model.alerts_for(&member(REQUESTER), aware + 61 * HOUR_MS);
    assert_eq!(first, again, "the same alerts, the same ids");
    assert!(
        first[0].id.ends_with(":i1:bsig_early_warning:overdue"),
        "{}",
        first[0].id
    );
    // Other members are not told about my clocks.
    assert!(
        model
            .alerts_for(&member(OTHER), aware + 60 * HOUR_MS)
            .is_empty()
    );
}
