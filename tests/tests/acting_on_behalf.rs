//! Acting on behalf of a hit member, checked in ingress: a member may open
//! an incident for another member (accepted and marked as such), never for
//! itself, and adopts only what another member wrote. Each refusal is
//! counted under `acting_refused` and changes nothing. A local write is
//! also refused when the member acted for is not a current member (ingress
//! does not check that: it must decide from the bytes alone, or nodes
//! that learn of a removal at different times would disagree for ever).
//! Unsealed amber entries are refused too.

mod common;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, RecordId};
use amtshilfe_protocol::incident::{
    ClockProfile, Incident, IncidentRef, IncidentStatus, TimelineEntry, Tlp,
};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::replica::WriteError;
use amtshilfe_tests::fixtures::T0_MS;
use common::ingress::{Fixture, assert_refused, fixture, receive};
use common::{Snapshot, signed_change};

fn incident(on_behalf_of: Option<MemberId>, adopts: Option<IncidentRef>) -> Incident {
    Incident {
        title: "Ransomware in der Stadtverwaltung".into(),
        aware_at_ms: T0_MS,
        affected_services: vec!["Meldewesen".into()],
        profile: ClockProfile::Gdpr,
        status: IncidentStatus::Open,
        on_behalf_of,
        adopts,
        requests: vec![RecordId::new("r-base").expect("valid id")],
        helpers: vec![],
        created_at_ms: T0_MS,
        exercise: false,
    }
}

fn put(tag: RecordTag, id: &str, record: Record) -> RecordOp {
    RecordOp::Put {
        key: RecordKey::new(tag, RecordId::new(id).expect("valid id")).to_string(),
        json: record.to_json(),
    }
}

fn incident_put(incident: Incident) -> RecordOp {
    put(RecordTag::Incident, "i1", Record::Incident(incident))
}

#[test]
fn a_member_may_open_an_incident_for_another_member() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let landkreis = &pact.members[1];
    let town = pact.members[2].id();
    let envelope = signed_change(
        &pact_id,
        DocumentId::new(landkreis.id(), Collection::Requests),
        &landkreis.device.key,
        [9; 16],
        T0_MS + 1,
        &[incident_put(incident(Some(town), None))],
    );
    let report = receive(&mut replica, &envelope);
    assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);
    let incidents = replica.read_model().incidents();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].hit_member, town);
    assert_eq!(incidents[0].on_behalf_by, Some(landkreis.id()));
}

#[test]
fn acting_for_oneself_or_an_outsider_and_adopting_ones_own_are_refused() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let landkreis = &pact.members[1];
    let own = |record| {
        signed_change(
            &pact_id,
            DocumentId::new(landkreis.id(), Collection::Requests),
            &landkreis.device.key,
            [9; 16],
            T0_MS + 1,
            &[incident_put(record)],
        )
    };
    let outsider = MemberId([0xee; 32]);
    let adopts_own = IncidentRef {
        author: landkreis.id(),
        incident: RecordId::new("i0").expect("valid id"),
    };
    for (record, message) in [
        (incident(Some(landkreis.id()), None), "itself"),
        (incident(None, Some(adopts_own)), "adopts only"),
    ] {
        let mut fresh = fixture().replica;
        let before = Snapshot::of(&fresh);
        let envelope = own(record);
        let report = receive(&mut fresh, &envelope);
        let reason = assert_refused(&fresh, &report, envelope.content_hash(), "acting_refused");
        assert!(reason.to_string().contains(message), "{reason}");
        assert_eq!(Snapshot::of(&fresh), before);
    }
    // The same refusals on a local write, before anything is signed, and
    // there also for someone outside the pact.
    for (record, message) in [
        (incident(Some(landkreis.id()), None), "itself"),
        (incident(Some(outsider), None), "not a current member"),
    ] {
        let error = replica
            .write(
                &landkreis.device,
                Collection::Requests,
                &[incident_put(record)],
                T0_MS + 1,
            )
            .unwrap_err();
        assert!(matches!(error, WriteError::NotAuthorised(_)), "{error}");
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[test]
fn an_unsealed_amber_entry_is_refused() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let town = &pact.members[2];
    let before = Snapshot::of(&replica);
    let entry = TimelineEntry {
        incident: RecordId::new("i1").expect("valid id"),
        at_ms: T0_MS,
        tlp: Tlp::Amber,
        author: "Krisenstab".into(),
        text: "Zugangsdaten des Dienstleisters kompromittiert".into(),
        sealed: None,
    };
    let envelope = signed_change(
        &pact_id,
        DocumentId::new(town.id(), Collection::Requests),
        &town.device.key,
        [9; 16],
        T0_MS + 1,
        &[put(RecordTag::Timeline, "t1", Record::Timeline(entry))],
    );
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "malformed_record",
    );
    assert!(reason.to_string().contains("sealed"), "{reason}");
    assert_eq!(Snapshot::of(&replica), before);
}
