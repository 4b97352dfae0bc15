//! The demo's incident room: Stadt Darmstadt's (pretend) ransomware
//! exercise, which its open request belongs to. The member became aware of
//! it ten hours before the demo starts, so the GDPR clock shows about 62
//! hours left, and the checklist is half done.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{RecordId, RecordIdError};
use amtshilfe_protocol::incident::{
    ClockProfile, Incident, IncidentStatus, IncidentStep, StepState, TimelineEntry, Tlp,
};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};

const HOUR_MS: i64 = 3_600_000;
/// The incident's record id.
pub(super) const INCIDENT_ID: &str = "uebung-ransomware";

/// How far along each step of the exercise is, and since when.
const STEPS: [(&str, StepState, &str, i64); 8] = [
    ("report_internally", StepState::Done, "Leitstelle IT", -10),
    ("isolate", StepState::Done, "Netzwerkteam", -10),
    ("crisis_staff", StepState::Done, "Krisenstab", -9),
    ("state_cert", StepState::Done, "Krisenstab", -9),
    ("insurer", StepState::Done, "Rechtsamt", -8),
    ("criminal_complaint", StepState::InProgress, "Rechtsamt", -6),
    ("communicate", StepState::InProgress, "Pressestelle", -5),
    ("request_aid", StepState::Done, "Krisenstab", -1),
];

fn put(tag: RecordTag, id: &str, record: Record) -> Result<RecordOp, RecordIdError> {
    Ok(RecordOp::Put {
        key: RecordKey::new(tag, RecordId::new(id)?).to_string(),
        json: record.to_json(),
    })
}

/// The incident, its steps so far and one decision-log line, for the
/// Requests document of the hit member; `request_id` is its open request.
pub(super) fn incident_ops(now_ms: i64, request_id: &str) -> Result<Vec<RecordOp>, RecordIdError> {
    let aware_at_ms = now_ms - 10 * HOUR_MS;
    let incident = Incident {
        title: "Ransomware-Angriff (Übungsszenario)".into(),
        aware_at_ms,
        affected_services: vec!["Bürgerservice".into(), "Meldewesen".into(), "E-Mail".into()],
        profile: ClockProfile::Gdpr,
        status: IncidentStatus::Open,
        on_behalf_of: None,
        adopts: None,
        requests: vec![RecordId::new(request_id)?],
        helpers: Vec::new(),
        created_at_ms: aware_at_ms + HOUR_MS,
        // The demo is an exercise (its id carries the mark too).
        exercise: true,
    };
    let mut ops = vec![put(
        RecordTag::Incident,
        INCIDENT_ID,
        Record::Incident(incident),
    )?];
    for (step, state, owner, hours) in STEPS {
        let record = Record::IncidentStep(IncidentStep {
            incident: RecordId::new(INCIDENT_ID)?,
            step: step.into(),
            state,
            owner: owner.into(),
            note: String::new(),
            updated_at_ms: now_ms + hours * HOUR_MS,
        });
        ops.push(put(
            RecordTag::IncidentStep,
            &format!("schritt-{}", step.replace('_', "-")),
            record,
        )?);
    }
    let line = Record::Timeline(TimelineEntry {
        incident: RecordId::new(INCIDENT_ID)?,
        at_ms: now_ms - 9 * HOUR_MS,
        tlp: Tlp::Clear,
        author: "Krisenstab".into(),
        text: "Übung: Notbetrieb im Bürgerbüro mit Notfall-Laptops beschlossen; Hilfe im Pakt anfordern.".into(),
        sealed: None,
    });
    ops.push(put(RecordTag::Timeline, "protokoll-1", line)?);
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId};
    use amtshilfe_protocol::incident::StepState;
    use amtshilfe_protocol::read_model::{ReadModel, RecordAddress};

    use super::*;

    #[test]
    fn the_exercise_request_sits_in_a_room_with_running_clocks_and_a_half_done_checklist() {
        let now = 1_795_305_600_000;
        let (collection, ops) = crate::demo::seed::request(now).unwrap();
        let records: BTreeMap<String, String> = ops
            .into_iter()
            .filter_map(|op| match op {
                RecordOp::Put { key, json } => Some((key, json)),
                RecordOp::Delete { .. } => None,
            })
            .collect();
        let darmstadt = MemberId([6; 32]);
        let mut model = ReadModel::new();
        model.update_document(DocumentId::new(darmstadt, collection), &records);
        assert_eq!(model.skipped_records(), 0);
        let address = RecordAddress::new(darmstadt, RecordId::new(INCIDENT_ID).unwrap());
        let room = model.incident_room(&address, now).unwrap();
        assert_eq!(room.clocks[0].left_ms, 62 * HOUR_MS);
        assert_eq!(room.requests.len(), 1);
        let done = room
            .steps
            .iter()
            .filter(|s| s.state == StepState::Done)
            .count();
        assert!(
            done > 0 && done < room.steps.len(),
            "{done} of {}",
            room.steps.len()
        );
        assert_eq!(collection, Collection::Requests);
    }
}
