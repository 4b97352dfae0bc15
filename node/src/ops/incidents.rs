//! The incident room's writes: open an incident (also on behalf of another
//! member), a checklist step's state, owner and note, a report (fields,
//! marked as sent), a timeline line, and adopting an incident written on
//! this member's behalf. Each record goes into this member's own Requests
//! document; steps, reports and lines only next to one of its own
//! incidents (`read_model::room_rules`, codes in `RoomRefusal::CODES`).
//!
//! Record times are the node's clock at the write, except those the person
//! states (awareness, a line's time, when a report was sent); ingress
//! refuses any of them more than `RECORD_TIME_SKEW_MS` after the write.

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::incident::{
    ClockKind, ClockProfile, Incident, IncidentReport, IncidentStatus, IncidentStep, ReportField,
    StepState, TimelineEntry, Tlp,
};
use amtshilfe_protocol::model::{LIST_ITEMS_MAX, Record, RecordKey, RecordTag};
use amtshilfe_protocol::pact::{EXERCISE_ID_PREFIX, is_exercise_id};
use amtshilfe_protocol::read_model::room_rules::{adopt_incident, own_incident};
use serde::{Deserialize, Serialize};

use super::write::{Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};
use crate::random::os_random;
use crate::sealing::timeline::seal_line_record;

/// Prefix of incident ids made by this node.
const INCIDENT_ID_PREFIX: &str = "i";
/// Prefix of checklist step records (one per change, the latest wins).
const STEP_ID_PREFIX: &str = "s";
/// Prefix of timeline lines.
const LINE_ID_PREFIX: &str = "t";

/// The body of `POST /api/incidents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    /// Short title, e.g. "Ransomware im Rathaus".
    pub title: String,
    /// When the member became aware, ms since the epoch: the clocks start
    /// here.
    pub aware_at_ms: i64,
    /// Services that are down or degraded.
    #[serde(default)]
    #[schemars(length(max = LIST_ITEMS_MAX))]
    pub affected_services: Vec<String>,
    /// `gdpr`, or `gdpr+bsig32` for regulated entities.
    pub profile: ClockProfile,
    /// The hit member, when this member writes it on its behalf.
    #[serde(default)]
    pub on_behalf_of: Option<MemberId>,
    /// This member's requests that belong to the incident.
    #[serde(default)]
    #[schemars(length(max = LIST_ITEMS_MAX))]
    pub requests: Vec<RecordId>,
    /// Members chosen as helpers.
    #[serde(default)]
    #[schemars(length(max = LIST_ITEMS_MAX))]
    pub helpers: Vec<MemberId>,
    /// An exercise (ÜBUNG): marked from the start, never counted as real.
    #[serde(default)]
    pub exercise: bool,
}

/// The body of `POST /api/incidents/{author}/{id}/steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// A step id of the checklist template.
    pub step: String,
    /// `open`, `in_progress`, `done` or `not_applicable`.
    pub state: StepState,
    /// Who is on it.
    #[serde(default)]
    pub owner: String,
    /// Free note.
    #[serde(default)]
    pub note: String,
}

/// The body of `POST /api/incidents/{author}/{id}/timeline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    /// What happened or was decided.
    pub text: String,
    /// Who wrote it (a role or a name).
    pub author: String,
    /// When it happened, ms; default: now.
    #[serde(default)]
    pub at_ms: Option<i64>,
    /// `clear` (the whole pact, the default), `amber` (sealed to the hit
    /// member, its helpers and its officers) or `red` (sealed to the hit
    /// member and its officers).
    #[serde(default = "clear")]
    pub tlp: Tlp,
}

fn clear() -> Tlp {
    Tlp::Clear
}

/// The body of `PUT /api/incidents/{author}/{id}/reports/{kind}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// The fields filled in so far (field ids of the report's template).
    #[schemars(length(max = LIST_ITEMS_MAX))]
    pub fields: Vec<ReportField>,
    /// When it was sent, ms: marks it as sent and stops its clock; every
    /// required field must be filled then.
    #[serde(default)]
    pub sent_at_ms: Option<i64>,
}

/// A fresh incident id; an exercise's starts with the exercise prefix
/// (`pact::exercise`), which is what marks it.
fn incident_id(exercise: bool) -> Result<RecordId, ApiError> {
    if exercise {
        fresh_id(&format!("{EXERCISE_ID_PREFIX}{INCIDENT_ID_PREFIX}"))
    } else {
        fresh_id(INCIDENT_ID_PREFIX)
    }
}

/// Opens an incident of this member, or on behalf of another.
pub(crate) async fn open_incident(state: &ApiState, body: IncidentBody) -> Result<Saved, ApiError> {
    let id = incident_id(body.exercise)?;
    save(state, move |_, now_ms| {
        let incident = Incident {
            title: body.title,
            aware_at_ms: body.aware_at_ms,
            affected_services: body.affected_services,
            profile: body.profile,
            status: IncidentStatus::Open,
            on_behalf_of: body.on_behalf_of,
            adopts: None,
            requests: body.requests,
            helpers: body.helpers,
            created_at_ms: now_ms,
            exercise: body.exercise,
        };
        incident.validate()?;
        Ok((
            RecordKey::new(RecordTag::Incident, id),
            Record::Incident(incident),
        ))
    })
    .await
}

/// Records a checklist step's state of one of this member's incidents.
pub(crate) async fn write_step(
    state: &ApiState,
    incident: RecordId,
    body: StepBody,
) -> Result<Saved, ApiError> {
    let id = fresh_id(STEP_ID_PREFIX)?;
    save(state, move |core, now_ms| {
        own_incident(core.replica().read_model(), core.device().member, &incident)?;
        let step = IncidentStep {
            incident,
            step: body.step,
            state: body.state,
            owner: body.owner,
            note: body.note,
            updated_at_ms: now_ms,
        };
        step.validate()?;
        Ok((
            RecordKey::new(RecordTag::IncidentStep, id),
            Record::IncidentStep(step),
        ))
    })
    .await
}

/// Writes a timeline line of one of this member's incidents. An amber or
/// red line is sealed to the readers its level names now
/// (`sealing::timeline`); its text is never written in the clear.
pub(crate) async fn write_line(
    state: &ApiState,
    incident: RecordId,
    body: LineBody,
) -> Result<Saved, ApiError> {
    let id = fresh_id(LINE_ID_PREFIX)?;
    let entropy = os_random::<32>().map_err(|error| ApiError::Internal(error.to_string()))?;
    save(state, move |core, now_ms| {
        own_incident(core.replica().read_model(), core.device().member, &incident)?;
        let entry = TimelineEntry {
            incident,
            at_ms: body.at_ms.unwrap_or(now_ms),
            tlp: body.tlp,
            author: body.author,
            text: body.text,
            sealed: None,
        };
        if entry.tlp == Tlp::Clear {
            entry.validate()?;
            return Ok((
                RecordKey::new(RecordTag::Timeline, id),
                Record::Timeline(entry),
            ));
        }
        // The text is checked in the clear before it is sealed: once
        // sealed, nobody but the readers could tell it was empty.
        TimelineEntry {
            tlp: Tlp::Clear,
            ..entry.clone()
        }
        .validate()?;
        let record = seal_line_record(core, &id, entry, now_ms, entropy)
            .map_err(|error| ApiError::conflict(error.code(), error.to_string()))?;
        Ok((RecordKey::new(RecordTag::Timeline, id), record))
    })
    .await
}

/// The record id of an incident's report of one kind: one record per
/// report, rewritten as it is completed and sent.
pub(crate) fn report_id(incident: &RecordId, kind: ClockKind) -> Result<RecordId, ApiError> {
    RecordId::new(format!(
        "rp-{}-{}",
        incident.as_str(),
        kind.id().replace('_', "-")
    ))
    .map_err(|error| {
        ApiError::Validation(amtshilfe_protocol::model::ValidationError::BadFormat {
            field: "incident".into(),
            reason: if error.0.is_empty() {
                "empty"
            } else {
                "too long to name its reports"
            },
        })
    })
}

/// Saves a report of one of this member's incidents (draft or sent).
pub(crate) async fn save_report(
    state: &ApiState,
    incident: RecordId,
    kind: ClockKind,
    body: ReportBody,
) -> Result<Saved, ApiError> {
    let id = report_id(&incident, kind)?;
    save(state, move |core, now_ms| {
        own_incident(core.replica().read_model(), core.device().member, &incident)?;
        let report = IncidentReport {
            incident,
            kind,
            fields: body.fields,
            sent_at_ms: body.sent_at_ms,
            updated_at_ms: now_ms,
        };
        report.validate()?;
        Ok((
            RecordKey::new(RecordTag::IncidentReport, id),
            Record::IncidentReport(report),
        ))
    })
    .await
}

/// Adopts the incident `author` wrote on this member's behalf.
pub(crate) async fn adopt(
    state: &ApiState,
    author: MemberId,
    incident: RecordId,
) -> Result<Saved, ApiError> {
    // Adopting an exercise makes an exercise of this member's own.
    let id = incident_id(is_exercise_id(&incident))?;
    save(state, move |core, now_ms| {
        let me = core.device().member;
        let own = adopt_incident(core.replica().read_model(), me, author, &incident, now_ms)?;
        Ok((
            RecordKey::new(RecordTag::Incident, id),
            Record::Incident(own),
        ))
    })
    .await
}
