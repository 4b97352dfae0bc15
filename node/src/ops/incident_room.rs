//! What the pages and the API read of the incident room: the list of
//! incidents, and one room as this member may see it (its checklist with
//! due and overdue marks, the clocks as time left, the reports with the
//! drafts pre-filled from the incident, and the timeline lines its TLP
//! level lets this member read), built under the core's lock for `now_ms`.

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::incident::{
    Clock, ClockKind, ClockProfile, IncidentStatus, ReportField, StepState, TimelineEntry, Tlp,
    draft, report_fields,
};
use amtshilfe_protocol::model::AcceptanceStatus;
use amtshilfe_protocol::read_model::{
    IncidentRoom, IncidentSummary, PledgeLink, PledgeState, ReadModel, RecordAddress,
    SettlementState, TimelineEvent,
};
use serde::Serialize;

/// One incident in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IncidentListItem {
    /// Its author (whose document holds it).
    pub author: MemberId,
    /// Its record id.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// The hit member.
    pub hit_member: MemberId,
    /// The hit member's name as the pact admitted it, if known.
    pub hit_member_name: Option<String>,
    /// Set when the author writes it on the hit member's behalf.
    pub on_behalf_by: Option<MemberId>,
    /// Set once the hit member adopted it.
    pub adopted_by: Option<RecordAddress>,
    /// When the hit member became aware, ms.
    pub aware_at_ms: i64,
    /// Open or closed.
    pub status: IncidentStatus,
    /// An exercise (ÜBUNG), never a real incident.
    pub exercise: bool,
}

/// One checklist step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StepAnswer {
    /// The template's step id.
    pub id: String,
    /// Its number, 1-based.
    pub number: u8,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// Where it stands.
    pub state: StepState,
    /// Who is on it.
    pub owner: String,
    /// Note.
    pub note: String,
    /// When it is due, ms, if it has a due time.
    pub due_at_ms: Option<i64>,
    /// Due and not settled.
    pub overdue: bool,
}

/// One report: the stored one, or a fresh draft pre-filled from the
/// incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReportAnswer {
    /// Which report.
    pub kind: ClockKind,
    /// Whether it is only the pre-filled draft (nothing stored yet).
    pub draft: bool,
    /// Its fields.
    pub fields: Vec<ReportField>,
    /// Required field ids still empty.
    pub missing: Vec<String>,
    /// When it was marked as sent.
    pub sent_at_ms: Option<i64>,
}

/// One timeline line this member may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LineAnswer {
    /// When, ms.
    pub at_ms: i64,
    /// Its TLP level.
    pub tlp: Tlp,
    /// `entry`, `step`, `request`, `pledge`, `mission_order`, `decline`,
    /// `settlement` or `report_sent`.
    pub kind: String,
    /// The record it is about, if any.
    pub subject: Option<RecordAddress>,
    /// A written line's author, or a step's owner.
    pub author: String,
    /// A written line's text, a step's id and state, a mission order's
    /// status or a report's kind.
    pub text: String,
    /// A step line's step id and the state it was set to.
    pub step: Option<(String, StepState)>,
    /// Whether the text travels sealed to its readers (TLP amber or red).
    pub sealed: bool,
    /// Whether this node read the text. `false` for a sealed line this
    /// member is not a reader of (or cannot open): its `text` is empty and
    /// pages show it as confidential.
    pub readable: bool,
}

/// Opens a sealed line for the caller: its text if this node is a reader
/// and can open it (see `sealing::timeline::open_line_text`).
pub type LineOpener<'a> = dyn Fn(&RecordAddress, &TimelineEntry) -> Option<String> + 'a;

/// A pledge on one of the incident's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PledgeAnswer {
    /// Pledger and pledge id.
    pub address: RecordAddress,
    /// The request it is for.
    pub request: RecordId,
    /// Units pledged.
    pub quantity: u32,
    /// Where it stands at the time of the answer.
    pub state: PledgeState,
    /// Whether this member (the requester) may decline it now.
    pub declinable: bool,
}

/// A mission order on one of the incident's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OrderAnswer {
    /// Requester and acceptance id.
    pub address: RecordAddress,
    /// The helping member.
    pub pledger: MemberId,
    /// Units accepted.
    pub quantity: u32,
    /// Where it is in its life.
    pub status: AcceptanceStatus,
    /// The requester's figures (hours, cents), once released or closed.
    pub closed_with: Option<(u32, u64)>,
    /// The helper's figures (hours, cents), if recorded.
    pub helper_figures: Option<(u32, u64)>,
    /// `not_recorded`, `recorded`, `confirmed` or `differs`.
    pub settlement: String,
    /// Whether this member is the requester (may move it on).
    pub mine_to_advance: bool,
    /// Whether this member is the helper (may record its figures).
    pub mine_to_settle: bool,
}

/// One incident room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RoomAnswer {
    /// The incident.
    pub incident: IncidentListItem,
    /// Its affected services.
    pub affected_services: Vec<String>,
    /// Its clock profile.
    pub profile: ClockProfile,
    /// The on-behalf incident it adopted, if any.
    pub adopted: Option<RecordAddress>,
    /// The checklist, in order.
    pub steps: Vec<StepAnswer>,
    /// The legal clocks at the time of the answer.
    pub clocks: Vec<Clock>,
    /// One report per clock.
    pub reports: Vec<ReportAnswer>,
    /// Its requests.
    pub requests: Vec<RecordAddress>,
    /// Its helpers.
    pub helpers: Vec<MemberId>,
    /// The lines this member may read, oldest first.
    pub timeline: Vec<LineAnswer>,
    /// Pledges on its requests.
    pub pledges: Vec<PledgeAnswer>,
    /// Mission orders on its requests.
    pub mission_orders: Vec<OrderAnswer>,
    /// Whether this member may write its steps, reports and lines (it is
    /// the incident's author).
    pub writable: bool,
    /// Whether this member may adopt it (written on its behalf, not yet
    /// adopted).
    pub adoptable: bool,
}

/// Every incident, newest awareness first.
pub fn incident_list(model: &ReadModel) -> Vec<IncidentListItem> {
    let mut list: Vec<IncidentListItem> = model
        .incidents()
        .into_iter()
        .map(|summary| list_item(model, &summary))
        .collect();
    list.sort_by(|a, b| b.aware_at_ms.cmp(&a.aware_at_ms).then(a.id.cmp(&b.id)));
    list
}

fn list_item(model: &ReadModel, summary: &IncidentSummary<'_>) -> IncidentListItem {
    IncidentListItem {
        author: summary.address.owner,
        id: summary.address.id.clone(),
        title: summary.incident.title.clone(),
        hit_member: summary.hit_member,
        hit_member_name: model.member_name(&summary.hit_member).map(str::to_owned),
        on_behalf_by: summary.on_behalf_by,
        adopted_by: summary.adopted_by.cloned(),
        aware_at_ms: summary.incident.aware_at_ms,
        status: summary.incident.status,
        exercise: summary.incident.exercise,
    }
}

/// The room of `author`'s incident `id` as member `me` may see it. Every
/// line is listed; the text of an amber or red line only if `open` reads
/// it: whether this member may read a line is decided by whom it was
/// sealed to, not by what this node believes about helpers.
pub fn room_answer(
    model: &ReadModel,
    me: MemberId,
    author: MemberId,
    id: &RecordId,
    now_ms: i64,
    open: &LineOpener<'_>,
) -> Option<RoomAnswer> {
    let room = model.incident_room(&RecordAddress::new(author, id.clone()), now_ms)?;
    let incident = room.summary.incident;
    let timeline = room
        .timeline
        .iter()
        .map(|line| line_answer(model, line.at_ms, line.tlp, &line.event, open))
        .collect();
    Some(RoomAnswer {
        adoptable: incident.on_behalf_of == Some(me) && room.summary.adopted_by.is_none(),
        writable: author == me,
        affected_services: incident.affected_services.clone(),
        profile: incident.profile,
        adopted: room.adopted.cloned(),
        steps: steps(&room),
        clocks: room.clocks.clone(),
        reports: reports(&room, now_ms),
        pledges: pledges(model, &room, me, now_ms),
        mission_orders: orders(model, &room, me),
        requests: room.requests.clone(),
        helpers: room.helpers.iter().copied().collect(),
        timeline,
        incident: list_item(model, &room.summary),
    })
}

fn pledges(
    model: &ReadModel,
    room: &IncidentRoom<'_>,
    me: MemberId,
    now_ms: i64,
) -> Vec<PledgeAnswer> {
    let mut list = Vec::new();
    for request in &room.requests {
        let Some(view) = model.request_view(request) else {
            continue;
        };
        for pledge in view.needs.iter().flat_map(|need| &need.pledges) {
            let state = pledge.state_at(now_ms);
            list.push(PledgeAnswer {
                address: pledge.address.clone(),
                request: request.id.clone(),
                quantity: pledge.pledge.quantity,
                state,
                declinable: request.owner == me && state == PledgeState::Offered,
            });
        }
    }
    list
}

fn orders(model: &ReadModel, room: &IncidentRoom<'_>, me: MemberId) -> Vec<OrderAnswer> {
    model
        .mission_orders()
        .into_iter()
        .filter(|order| {
            matches!(order.pledge, PledgeLink::Joined { .. })
                && room
                    .requests
                    .iter()
                    .any(|r| r.owner == order.address.owner && r.id == order.acceptance.request)
        })
        .map(|order| {
            let (settlement, figures) = match order.settlement {
                SettlementState::NotRecorded => ("not_recorded", None),
                SettlementState::Recorded { settlement } => ("recorded", Some(settlement)),
                SettlementState::Confirmed { settlement } => ("confirmed", Some(settlement)),
                SettlementState::Differs { settlement } => ("differs", Some(settlement)),
            };
            let acceptance = order.acceptance;
            OrderAnswer {
                address: order.address.clone(),
                pledger: order.pledger,
                quantity: acceptance.quantity,
                status: acceptance.status,
                closed_with: acceptance
                    .hours_recorded
                    .map(|hours| (hours, acceptance.expenses_cents.unwrap_or(0))),
                helper_figures: figures.map(|s| (s.hours, s.expenses_cents)),
                settlement: settlement.to_owned(),
                mine_to_advance: order.address.owner == me,
                mine_to_settle: order.pledger == me,
            }
        })
        .collect()
}

fn steps(room: &IncidentRoom<'_>) -> Vec<StepAnswer> {
    room.steps
        .iter()
        .map(|step| StepAnswer {
            id: step.id.to_owned(),
            number: step.template.number,
            label_de: step.template.label_de.to_owned(),
            label_en: step.template.label_en.to_owned(),
            state: step.state,
            owner: step.record.map(|r| r.owner.clone()).unwrap_or_default(),
            note: step.record.map(|r| r.note.clone()).unwrap_or_default(),
            due_at_ms: step.due_at_ms,
            overdue: step.overdue,
        })
        .collect()
}

/// The stored report of each clock of the profile, or a fresh draft. Of
/// several records of one kind (the adopted incident's too), the latest.
fn reports(room: &IncidentRoom<'_>, now_ms: i64) -> Vec<ReportAnswer> {
    let incident = room.summary.incident;
    incident
        .profile
        .clocks()
        .iter()
        .map(|kind| {
            let stored = room
                .reports
                .iter()
                .filter(|(_, report)| report.kind == *kind)
                .max_by_key(|(_, report)| report.updated_at_ms)
                .map(|(_, report)| (*report).clone());
            let is_draft = stored.is_none();
            let report = stored
                .unwrap_or_else(|| draft(*kind, room.summary.address.id.clone(), incident, now_ms));
            let missing = report_fields(*kind)
                .iter()
                .filter(|t| t.required)
                .filter(|t| {
                    !report
                        .fields
                        .iter()
                        .any(|f| f.id == t.id && !f.value.trim().is_empty())
                })
                .map(|t| t.id.to_owned())
                .collect();
            ReportAnswer {
                kind: *kind,
                draft: is_draft,
                fields: report.fields,
                missing,
                sent_at_ms: report.sent_at_ms,
            }
        })
        .collect()
}

fn line_answer(
    model: &ReadModel,
    at_ms: i64,
    tlp: Tlp,
    event: &TimelineEvent<'_>,
    open: &LineOpener<'_>,
) -> LineAnswer {
    let line =
        |kind: &str, subject: Option<&RecordAddress>, author: String, text: String| LineAnswer {
            at_ms,
            tlp,
            kind: kind.to_owned(),
            subject: subject.cloned(),
            author,
            text,
            step: None,
            sealed: false,
            readable: true,
        };
    match event {
        TimelineEvent::Entry { address } => {
            let Some(entry) = model.timeline_entry(address) else {
                return line("entry", Some(address), String::new(), String::new());
            };
            if entry.sealed.is_none() {
                return line(
                    "entry",
                    Some(address),
                    entry.author.clone(),
                    entry.text.clone(),
                );
            }
            let opened = open(address, entry);
            LineAnswer {
                sealed: true,
                readable: opened.is_some(),
                ..line(
                    "entry",
                    Some(address),
                    entry.author.clone(),
                    opened.unwrap_or_default(),
                )
            }
        }
        TimelineEvent::Step { address } => {
            let step = model.incident_step(address);
            LineAnswer {
                step: step.map(|s| (s.step.clone(), s.state)),
                ..line(
                    "step",
                    Some(address),
                    step.map(|s| s.owner.clone()).unwrap_or_default(),
                    step.map(|s| format!("{} {}", s.step, state_id(s.state)))
                        .unwrap_or_default(),
                )
            }
        }
        TimelineEvent::Request { address } => {
            line("request", Some(address), String::new(), String::new())
        }
        TimelineEvent::Pledge { address } => {
            line("pledge", Some(address), String::new(), String::new())
        }
        TimelineEvent::MissionOrder { address, status } => line(
            "mission_order",
            Some(address),
            String::new(),
            status_id(*status).to_owned(),
        ),
        TimelineEvent::Decline { address } => {
            line("decline", Some(address), String::new(), String::new())
        }
        TimelineEvent::Settlement { address } => {
            line("settlement", Some(address), String::new(), String::new())
        }
        TimelineEvent::ReportSent { address, report } => line(
            "report_sent",
            Some(address),
            // Who sent it: the member whose document holds the report.
            model
                .member_name(&address.owner)
                .map_or_else(|| address.owner.to_string(), str::to_owned),
            report.id().to_owned(),
        ),
    }
}

/// The stable id of a step state, as stored.
pub fn state_id(state: StepState) -> &'static str {
    match state {
        StepState::Open => "open",
        StepState::InProgress => "in_progress",
        StepState::Done => "done",
        StepState::NotApplicable => "not_applicable",
    }
}

/// The stable id of a mission order's status, as stored.
pub fn status_id(status: AcceptanceStatus) -> &'static str {
    match status {
        AcceptanceStatus::Accepted => "accepted",
        AcceptanceStatus::Active => "active",
        AcceptanceStatus::Released => "released",
        AcceptanceStatus::Closed => "closed",
    }
}
