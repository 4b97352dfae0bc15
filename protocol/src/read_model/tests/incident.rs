//! Incident rooms: clocks from awareness, checklist state, on-behalf
//! incidents and their adoption, helpers and what each reader sees.

use super::*;
use crate::incident::{
    ClockKind, ClockPhase, ClockProfile, Incident, IncidentRef, IncidentReport, IncidentStatus,
    IncidentStep, ReaderRole, ReportField, StepState, TimelineEntry, Tlp, clocks::HOUR_MS,
};
use crate::read_model::{TimelineEvent, TimelineItem};

const LANDKREIS: u8 = 4;
/// Awareness: the requests' fixture day.
const AWARE: i64 = T0_MS + 2 * DAY_MS;

fn incident(on_behalf_of: Option<u8>) -> Incident {
    Incident {
        title: "Ransomware im Rathaus".into(),
        aware_at_ms: AWARE,
        affected_services: vec!["Meldewesen".into()],
        profile: ClockProfile::Gdpr,
        status: IncidentStatus::Open,
        on_behalf_of: on_behalf_of.map(member),
        adopts: None,
        requests: vec![id("r1")],
        helpers: vec![],
        created_at_ms: AWARE + HOUR_MS,
        exercise: false,
    }
}

fn step(name: &str, state: StepState, at: i64) -> Record {
    Record::IncidentStep(IncidentStep {
        incident: id("i1"),
        step: name.into(),
        state,
        owner: "Krisenstab".into(),
        note: String::new(),
        updated_at_ms: at,
    })
}

fn requests_doc(
    model: &mut ReadModel,
    member_n: u8,
    incident: Incident,
    extra: Vec<(RecordKey, Record)>,
) {
    let mut entries = vec![
        (
            RecordKey::request(id("r1")),
            Record::Request(laptops_request()),
        ),
        (
            RecordKey::new(RecordTag::Incident, id("i1")),
            Record::Incident(incident),
        ),
    ];
    entries.extend(extra);
    model.update_document(doc(member_n, Collection::Requests), &records(entries));
}

fn part(tag: RecordTag, name: &str, record: Record) -> (RecordKey, Record) {
    (RecordKey::new(tag, id(name)), record)
}

#[test]
fn the_room_counts_clocks_from_awareness_and_shows_the_checklist() {
    let mut model = ReadModel::new();
    requests_doc(
        &mut model,
        REQUESTER,
        incident(None),
        vec![
            part(
                RecordTag::IncidentStep,
                "s1",
                step("report_internally", StepState::Done, AWARE),
            ),
            part(
                RecordTag::IncidentStep,
                "s2",
                step("crisis_staff", StepState::InProgress, AWARE + HOUR_MS),
            ),
            // A later record of the same step wins.
            part(
                RecordTag::IncidentStep,
                "s3",
                step("crisis_staff", StepState::Done, AWARE + 2 * HOUR_MS),
            ),
            part(
                RecordTag::IncidentStep,
                "s4",
                step("isolate", StepState::InProgress, AWARE),
            ),
        ],
    );
    let now = AWARE + 10 * HOUR_MS;
    let room = model.incident_room(&address(REQUESTER, "i1"), now).unwrap();
    assert_eq!(room.summary.hit_member, member(REQUESTER));
    assert_eq!(room.clocks.len(), 1);
    assert_eq!(room.clocks[0].kind, ClockKind::GdprArt33);
    assert_eq!(room.clocks[0].left_ms, 62 * HOUR_MS);
    assert_eq!(room.steps.len(), 14, "no § 32 BSIG step for a municipality");
    let by_id = |id: &str| room.steps.iter().find(|s| s.id == id).unwrap();
    assert_eq!(by_id("report_internally").state, StepState::Done);
    assert!(!by_id("report_internally").overdue);
    assert_eq!(by_id("crisis_staff").state, StepState::Done);
    assert_eq!(by_id("isolate").state, StepState::InProgress);
    assert!(by_id("isolate").overdue, "due 30 minutes after awareness");
    assert!(!by_id("gdpr_art33").overdue);
    assert_eq!(by_id("forensics").due_at_ms, None);
    assert!(
        room.timeline
            .iter()
            .any(|item| matches!(item.event, TimelineEvent::Request { .. }))
    );
    assert!(
        room.timeline.windows(2).all(|w| w[0] <= w[1]),
        "oldest first"
    );
}

#[test]
fn a_sent_report_stops_the_clock_and_shows_in_the_timeline() {
    let mut model = ReadModel::new();
    let mut regulated = incident(None);
    regulated.profile = ClockProfile::GdprBsig32;
    let fields = crate::incident::report_fields(ClockKind::BsigEarlyWarning)
        .iter()
        .map(|f| ReportField {
            id: f.id.into(),
            value: "ausgefüllt".into(),
        })
        .collect();
    let report = IncidentReport {
        incident: id("i1"),
        kind: ClockKind::BsigEarlyWarning,
        fields,
        sent_at_ms: Some(AWARE + 20 * HOUR_MS),
        updated_at_ms: AWARE + 20 * HOUR_MS,
    };
    requests_doc(
        &mut model,
        REQUESTER,
        regulated,
        vec![part(
            RecordTag::IncidentReport,
            "rep1",
            Record::IncidentReport(report),
        )],
    );
    let room = model
        .incident_room(&address(REQUESTER, "i1"), AWARE + 30 * HOUR_MS)
        .unwrap();
    assert_eq!(room.steps.len(), 15);
    let phases: Vec<(ClockKind, ClockPhase)> =
        room.clocks.iter().map(|c| (c.kind, c.phase)).collect();
    assert_eq!(
        phases[0],
        (
            ClockKind::BsigEarlyWarning,
            ClockPhase::Sent {
                at_ms: AWARE + 20 * HOUR_MS,
                late: false
            }
        )
    );
    assert_eq!(phases[1], (ClockKind::GdprArt33, ClockPhase::Running));
    assert!(room.timeline.iter().any(|item| matches!(
        item.event,
        TimelineEvent::ReportSent {
            address: at,
            report: ClockKind::BsigEarlyWarning
        } if *at == address(REQUESTER, "rep1")
    )));
}

#[test]
fn a_member_acting_on_behalf_is_marked_and_the_hit_member_adopts() {
    let mut model = ReadModel::new();
    // The Landkreis opens the incident and posts r1 for the hit town.
    requests_doc(&mut model, LANDKREIS, incident(Some(REQUESTER)), vec![]);
    let on_behalf = address(LANDKREIS, "i1");
    let summary = &model.incidents()[0];
    assert_eq!(summary.hit_member, member(REQUESTER));
    assert_eq!(summary.on_behalf_by, Some(member(LANDKREIS)));
    assert_eq!(summary.adopted_by, None);
    assert_eq!(
        model.request_on_behalf_of(&address(LANDKREIS, "r1")),
        Some(member(REQUESTER))
    );
    let room = model.incident_room(&on_behalf, AWARE).unwrap();
    assert_eq!(
        room.reader_role(&member(LANDKREIS), false),
        ReaderRole::HitMember
    );

    // The town is back and adopts it: its own incident leads, with both
    // incidents' requests.
    let mut own = incident(None);
    own.adopts = Some(IncidentRef {
        author: member(LANDKREIS),
        incident: id("i1"),
    });
    model.update_document(
        doc(REQUESTER, Collection::Requests),
        &records(vec![(
            RecordKey::new(RecordTag::Incident, id("i2")),
            Record::Incident(own),
        )]),
    );
    let adopted = model
        .incidents()
        .into_iter()
        .find(|s| s.address == &on_behalf)
        .unwrap();
    assert_eq!(adopted.adopted_by, Some(&address(REQUESTER, "i2")));
    let room = model
        .incident_room(&address(REQUESTER, "i2"), AWARE)
        .unwrap();
    assert_eq!(room.adopted, Some(&on_behalf));
    assert_eq!(
        room.requests,
        vec![address(REQUESTER, "r1"), address(LANDKREIS, "r1")]
    );
    // The request stays marked as posted on behalf.
    assert_eq!(
        model.request_on_behalf_of(&address(LANDKREIS, "r1")),
        Some(member(REQUESTER))
    );
}

#[test]
fn adopting_an_incident_not_written_for_the_adopter_changes_nothing() {
    let mut model = ReadModel::new();
    // The Landkreis acts for OTHER, not for REQUESTER.
    requests_doc(&mut model, LANDKREIS, incident(Some(OTHER)), vec![]);
    let mut own = incident(None);
    own.requests = vec![];
    own.adopts = Some(IncidentRef {
        author: member(LANDKREIS),
        incident: id("i1"),
    });
    model.update_document(
        doc(REQUESTER, Collection::Requests),
        &records(vec![(
            RecordKey::new(RecordTag::Incident, id("i1")),
            Record::Incident(own),
        )]),
    );
    let room = model
        .incident_room(&address(REQUESTER, "i1"), AWARE)
        .unwrap();
    assert_eq!(room.adopted, None);
    assert!(room.requests.is_empty());
    let theirs = model
        .incidents()
        .into_iter()
        .find(|s| s.address.owner == member(LANDKREIS))
        .unwrap();
    assert_eq!(theirs.adopted_by, None);
}

/// A GDPR report of incident `incident`, sent at `sent_at_ms` if given.
fn gdpr_report(incident: &str, sent_at_ms: Option<i64>, at: i64) -> Record {
    let fields = crate::incident::report_fields(ClockKind::GdprArt33)
        .iter()
        .map(|f| ReportField {
            id: f.id.into(),
            value: "ausgefüllt".into(),
        })
        .collect();
    Record::IncidentReport(IncidentReport {
        incident: id(incident),
        kind: ClockKind::GdprArt33,
        fields,
        sent_at_ms,
        updated_at_ms: at,
    })
}

#[test]
fn after_adopting_the_hit_members_own_records_decide_its_room() {
    let mut model = ReadModel::new();
    // What the Landkreis did for the town carries over...
    let early = AWARE + 2 * HOUR_MS;
    requests_doc(
        &mut model,
        LANDKREIS,
        incident(Some(REQUESTER)),
        vec![part(
            RecordTag::IncidentStep,
            "s1",
            step("crisis_staff", StepState::InProgress, early),
        )],
    );
    let mut own = incident(None);
    own.requests = vec![];
    own.adopts = Some(IncidentRef {
        author: member(LANDKREIS),
        incident: id("i1"),
    });
    let own_doc = |model: &mut ReadModel, parts: Vec<(RecordKey, Record)>| {
        let mut entries = vec![(
            RecordKey::new(RecordTag::Incident, id("i2")),
            Record::Incident(own.clone()),
        )];
        entries.extend(parts);
        model.update_document(doc(REQUESTER, Collection::Requests), &records(entries));
    };
    own_doc(&mut model, vec![]);
    let room_at = address(REQUESTER, "i2");
    let now = AWARE + 10 * HOUR_MS;
    let state = |model: &ReadModel| {
        let room = model.incident_room(&room_at, now).unwrap();
        let step = room.steps.iter().find(|s| s.id == "crisis_staff").unwrap();
        (step.state, room.clocks[0].phase)
    };
    assert_eq!(
        state(&model),
        (StepState::InProgress, ClockPhase::Running),
        "the on-behalf step carries over"
    );

    // ...but once the town writes its own, the Landkreis's later (or
    // post-dated) records in its own document no longer overrule it: a
    // step marked done, a report marked sent that would stop the town's
    // legal clock.
    let mut town_step = IncidentStep {
        incident: id("i2"),
        step: "crisis_staff".into(),
        state: StepState::Open,
        owner: "Krisenstab".into(),
        note: String::new(),
        updated_at_ms: AWARE + 3 * HOUR_MS,
    };
    own_doc(
        &mut model,
        vec![
            part(
                RecordTag::IncidentStep,
                "s1",
                Record::IncidentStep(town_step.clone()),
            ),
            part(
                RecordTag::IncidentReport,
                "rep1",
                gdpr_report("i2", None, AWARE + 3 * HOUR_MS),
            ),
        ],
    );
    let late = AWARE + 365 * DAY_MS;
    requests_doc(
        &mut model,
        LANDKREIS,
        incident(Some(REQUESTER)),
        vec![
            part(
                RecordTag::IncidentStep,
                "s1",
                step("crisis_staff", StepState::Done, late),
            ),
            part(
                RecordTag::IncidentReport,
                "rep1",
                gdpr_report("i1", Some(AWARE + HOUR_MS), late),
            ),
        ],
    );
    assert_eq!(state(&model), (StepState::Open, ClockPhase::Running));
    // The town's own later record still moves its step on.
    town_step.state = StepState::Done;
    town_step.updated_at_ms = AWARE + 4 * HOUR_MS;
    own_doc(
        &mut model,
        vec![part(
            RecordTag::IncidentStep,
            "s1",
            Record::IncidentStep(town_step),
        )],
    );
    assert_eq!(state(&model).0, StepState::Done);
}

#[test]
fn helpers_with_mission_orders_read_amber_others_do_not() {
    let mut model = ReadModel::new();
    pledges(
        &mut model,
        HELPER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", None, 10))],
    );
    pledges(
        &mut model,
        OTHER,
        vec![("p1", pledge(member(REQUESTER), "r1", "n1", None, 10))],
    );
    let entry = TimelineEntry {
        incident: id("i1"),
        at_ms: AWARE + HOUR_MS,
        tlp: Tlp::Clear,
        author: "Krisenstab".into(),
        text: "Krisenstab tagt".into(),
        sealed: None,
    };
    requests_doc(
        &mut model,
        REQUESTER,
        incident(None),
        vec![
            (
                RecordKey::acceptance(id("a1")),
                Record::Acceptance(acceptance(member(HELPER), "p1", "r1", "n1", 10)),
            ),
            part(RecordTag::Timeline, "t1", Record::Timeline(entry)),
        ],
    );
    let mut room = model
        .incident_room(&address(REQUESTER, "i1"), AWARE)
        .unwrap();
    assert!(room.helpers.contains(&member(HELPER)));
    assert!(
        !room.helpers.contains(&member(OTHER)),
        "a pledge alone does not make a helper"
    );
    assert_eq!(room.reader_role(&member(HELPER), false), ReaderRole::Helper);
    assert_eq!(
        room.reader_role(&member(OTHER), false),
        ReaderRole::OtherMember
    );
    assert_eq!(room.reader_role(&member(OTHER), true), ReaderRole::Officer);
    assert!(
        room.timeline
            .iter()
            .any(|i| matches!(i.event, TimelineEvent::Entry { .. }))
    );
    assert!(
        room.timeline
            .iter()
            .any(|i| matches!(i.event, TimelineEvent::MissionOrder { .. }))
    );
    // Amber and red entries cannot be written until they can be sealed;
    // the reading rule is still the room's: put one in by hand.
    let amber = address(REQUESTER, "t-amber");
    room.timeline.push(TimelineItem {
        at_ms: AWARE,
        tlp: Tlp::Amber,
        event: TimelineEvent::Entry { address: &amber },
    });
    let total = room.timeline.len();
    assert_eq!(room.timeline_for(ReaderRole::Helper).len(), total);
    assert_eq!(room.timeline_for(ReaderRole::OtherMember).len(), total - 1);
}
