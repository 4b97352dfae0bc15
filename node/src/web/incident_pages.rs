//! The incident room's pages: the list with the form to open an incident,
//! the room with its forms (a checklist step, a report, a timeline line,
//! adopting, acknowledging a notification) and a report's print view.
//! Each form runs the same use case as the JSON API (`ops::incidents`) and
//! comes back to the room (303), or shows the page again with the reason.

use amtshilfe_dashboard::pages::{
    ClockRow, IncidentRow, IncidentsView, LineRow, OpenNotification, OrderRow, PledgeRow,
    ReportFieldRow, ReportRow, RoomView, StepRow, incident_room, incidents, parse_date_time,
    report_print,
};
use amtshilfe_dashboard::{Lang, Nav};
use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::incident::{
    ClockKind, ClockPhase, ReportField, StepState, Tlp, report_fields,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::LangChoice;
use super::forms::{Fields, text};
use super::pages::render_as;
use super::{ctx_for, request_pages::request_address};
use crate::accounts::{Permission, Principal};
use crate::core::Core;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_store};
use crate::ops::incident_room::{RoomAnswer, incident_list, room_answer, state_id, status_id};
use crate::ops::incidents::{
    IncidentBody, LineBody, ReportBody, StepBody, adopt, open_incident, save_report, write_line,
    write_step,
};
use crate::ops::mission_end::{DeclineBody, SettlementBody, StatusBody, advance, decline, settle};
use crate::sealing::timeline::open_line_text;
use crate::store::NotifyStatus;

/// Most recent notifications looked at for open ones.
const NOTIFICATIONS_SHOWN: usize = 20;

fn not_found() -> ApiError {
    ApiError::not_found(
        "incident_not_found",
        "There is no such incident on this node (yet).",
    )
}

/// A member's name as the pact admitted it (`ReadModel::member_name`), else
/// its id.
fn name(core: &Core, member: &MemberId) -> String {
    core.replica()
        .read_model()
        .member_name(member)
        .map_or_else(|| member.to_string(), str::to_owned)
}

fn list_view(core: &Core, me: &Principal, error: Option<String>) -> IncidentsView {
    let own = core.device().member;
    let rows = incident_list(core.replica().read_model())
        .into_iter()
        .map(|item| IncidentRow {
            author: item.author.to_string(),
            id: item.id.to_string(),
            title: item.title,
            hit_member: name(core, &item.hit_member),
            on_behalf_by: item.on_behalf_by.map(|by| name(core, &by)),
            aware_at_ms: item.aware_at_ms,
            exercise: item.exercise,
        })
        .collect();
    let members = core
        .replica()
        .membership()
        .state()
        .members()
        .filter(|(member, _)| **member != own)
        .map(|(member, info)| (member.to_string(), info.name.clone()))
        .collect();
    let own_requests = core
        .replica()
        .read_model()
        .request_board()
        .into_iter()
        .filter(|view| {
            view.address.owner == own
                && view.request.status == amtshilfe_protocol::model::RequestStatus::Open
        })
        .map(|view| (view.address.id.to_string(), view.request.title.clone()))
        .collect();
    IncidentsView {
        rows,
        can_write: me.role.may(Permission::Request),
        members,
        own_requests,
        error,
    }
}

async fn list_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    render_as(
        state,
        "/vorfaelle",
        lang,
        status,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Vorfaelle);
            Ok((ctx, list_view(core, &me, error)))
        },
        |(ctx, view)| incidents(&ctx, &view),
    )
    .await
}

/// `GET /vorfaelle`.
pub(super) async fn list(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    list_page(&state, lang, me, StatusCode::OK, None).await
}

fn invalid(message: String) -> ApiError {
    ApiError::InvalidBody(message)
}

fn incident_body(fields: &Fields) -> Result<IncidentBody, ApiError> {
    let aware = text(fields, "aware");
    let aware_at_ms = parse_date_time(&aware)
        .ok_or_else(|| invalid(format!("aware: {aware:?} is not a date and time")))?;
    let profile = serde_json::from_value(serde_json::Value::String(text(fields, "profile")))
        .map_err(|_| invalid("profile: gdpr or gdpr+bsig32".into()))?;
    let on_behalf_of = match text(fields, "on_behalf_of") {
        empty if empty.is_empty() => None,
        hex => Some(
            hex.parse::<MemberId>()
                .map_err(|_| invalid("on_behalf_of: not a member id".into()))?,
        ),
    };
    let affected_services = text(fields, "services")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut requests = Vec::new();
    for (name, value) in fields {
        if name.starts_with("request_") {
            requests.push(
                RecordId::new(value.trim())
                    .map_err(|_| invalid(format!("{name}: not a request id")))?,
            );
        }
    }
    requests.sort();
    Ok(IncidentBody {
        title: text(fields, "title"),
        aware_at_ms,
        affected_services,
        profile,
        on_behalf_of,
        requests,
        helpers: Vec::new(),
        exercise: text(fields, "exercise") == "1",
    })
}

/// `POST /vorfaelle`: to the new room, or the list again with the reason.
pub(super) async fn open(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<Fields>,
) -> Response {
    let author = state.member;
    let result = async { open_incident(&state, incident_body(&fields)?).await }.await;
    match result {
        Ok(saved) => Redirect::to(&format!("/vorfaelle/{author}/{}", saved.id)).into_response(),
        Err(error) => {
            let status = error.status();
            list_page(&state, lang, me, status, Some(error.to_string())).await
        }
    }
}

fn phase(phase: ClockPhase) -> (&'static str, Option<i64>) {
    match phase {
        ClockPhase::Running => ("running", None),
        ClockPhase::Reminder => ("reminder", None),
        ClockPhase::Overdue => ("overdue", None),
        ClockPhase::Sent { at_ms, .. } => ("sent", Some(at_ms)),
    }
}

fn pledge_state_id(state: amtshilfe_protocol::read_model::PledgeState) -> &'static str {
    use amtshilfe_protocol::read_model::PledgeState as P;
    match state {
        P::Offered => "offered",
        P::Accepted => "accepted",
        P::Finished => "finished",
        P::Withdrawn => "withdrawn",
        P::Declined => "declined",
        P::Lapsed => "lapsed",
    }
}

fn step_state(state: StepState) -> &'static str {
    state_id(state)
}

fn room_view(core: &Core, room: RoomAnswer, me: &Principal, lang: Lang) -> RoomView {
    let writable = room.writable && me.role.may(Permission::Request);
    let clocks = room
        .clocks
        .iter()
        .map(|clock| {
            let (phase, sent_at_ms) = phase(clock.phase);
            ClockRow {
                label_de: clock.kind.label_de().to_owned(),
                label_en: clock.kind.label_en().to_owned(),
                due_at_ms: clock.due_at_ms,
                left_ms: clock.left_ms,
                phase,
                sent_at_ms,
            }
        })
        .collect();
    let steps = room
        .steps
        .iter()
        .map(|step| StepRow {
            id: step.id.clone(),
            number: step.number,
            label_de: step.label_de.clone(),
            label_en: step.label_en.clone(),
            state: step_state(step.state),
            owner: step.owner.clone(),
            note: step.note.clone(),
            due_at_ms: step.due_at_ms,
            overdue: step.overdue,
        })
        .collect();
    let reports = room
        .reports
        .iter()
        .map(|report| ReportRow {
            kind: report.kind.id().to_owned(),
            label_de: report.kind.label_de().to_owned(),
            label_en: report.kind.label_en().to_owned(),
            draft: report.draft,
            fields: report_fields(report.kind)
                .iter()
                .map(|template| ReportFieldRow {
                    id: template.id.to_owned(),
                    label_de: template.label_de.to_owned(),
                    label_en: template.label_en.to_owned(),
                    required: template.required,
                    value: report
                        .fields
                        .iter()
                        .find(|f| f.id == template.id)
                        .map(|f| f.value.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            sent_at_ms: report.sent_at_ms,
        })
        .collect();
    let lines = room
        .timeline
        .iter()
        .map(|line| line_row(&room, line, lang))
        .collect();
    // Filled in by the handler from the accounts' store handle, never
    // under the core's lock (`open_notifications`).
    let notifications = Vec::new();
    let pledges = room
        .pledges
        .iter()
        .map(|pledge| PledgeRow {
            pledger: pledge.address.owner.to_string(),
            pledger_name: name(core, &pledge.address.owner),
            id: pledge.address.id.to_string(),
            quantity: pledge.quantity,
            state: pledge_state_id(pledge.state),
            declinable: pledge.declinable && me.role.may(Permission::Accept),
        })
        .collect();
    let orders = room
        .mission_orders
        .iter()
        .map(|order| OrderRow {
            requester: order.address.owner.to_string(),
            id: order.address.id.to_string(),
            helper: name(core, &order.pledger),
            quantity: order.quantity,
            status: status_id(order.status),
            helper_figures: order.helper_figures,
            closed_with: order.closed_with,
            settlement: match order.settlement.as_str() {
                "recorded" => "recorded",
                "confirmed" => "confirmed",
                "differs" => "differs",
                _ => "not_recorded",
            },
            advance: order.mine_to_advance && me.role.may(Permission::Accept),
            settle: order.mine_to_settle && me.role.may(Permission::Pledge),
        })
        .collect();
    RoomView {
        pledges,
        orders,
        author: room.incident.author.to_string(),
        id: room.incident.id.to_string(),
        title: room.incident.title.clone(),
        hit_member: name(core, &room.incident.hit_member),
        on_behalf_by: room.incident.on_behalf_by.map(|by| name(core, &by)),
        aware_at_ms: room.incident.aware_at_ms,
        exercise: room.incident.exercise,
        services: room.affected_services.clone(),
        clocks,
        steps,
        reports,
        lines,
        writable,
        adoptable: room.adoptable && me.role.may(Permission::Request),
        notifications,
        error: None,
    }
}

/// A timeline line for the page: a step line names the step by its label
/// and the state it was set to, a sent report by its label.
fn line_row(
    room: &RoomAnswer,
    line: &crate::ops::incident_room::LineAnswer,
    lang: Lang,
) -> LineRow {
    let pick = |de: &str, en: &str| match lang {
        Lang::De => de.to_owned(),
        Lang::En => en.to_owned(),
    };
    let mut row = LineRow {
        at_ms: line.at_ms,
        kind: line.kind.clone(),
        author: line.author.clone(),
        text: line.text.clone(),
        step_state: None,
        tlp: tlp_id(line.tlp),
        readable: line.readable,
    };
    if let Some((id, state)) = &line.step
        && let Some(step) = room.steps.iter().find(|s| s.id == *id)
    {
        row.text = pick(&step.label_de, &step.label_en);
        row.step_state = Some(step_state(*state));
    }
    if line.kind == "report_sent"
        && let Some(kind) = ClockKind::ALL.into_iter().find(|k| k.id() == line.text)
    {
        row.text = pick(kind.label_de(), kind.label_en());
    }
    row
}

fn room_of(
    core: &Core,
    me: &Principal,
    lang: Lang,
    author: &str,
    id: &str,
) -> Result<RoomView, ApiError> {
    let address = request_address(author, id).map_err(|_| not_found())?;
    let open = |at: &_, entry: &_| open_line_text(core, at, entry).and_then(Result::ok);
    let room = room_answer(
        core.replica().read_model(),
        core.device().member,
        address.owner,
        &address.id,
        crate::clock::now_ms(),
        &open,
    )
    .ok_or_else(not_found)?;
    Ok(room_view(core, room, me, lang))
}

/// The open notifications the room lists, read through the accounts'
/// store handle before the core's lock is taken: a page never waits on
/// the disk while holding it.
async fn open_notifications(state: &ApiState, lang: Lang) -> Vec<OpenNotification> {
    let events = with_store(state, |store| {
        store
            .notify_events(NOTIFICATIONS_SHOWN)
            .map_err(ApiError::from)
    })
    .await
    .unwrap_or_default();
    events
        .into_iter()
        .filter(|event| matches!(event.status, NotifyStatus::Open))
        .map(|event| OpenNotification {
            seq: event.seq,
            subject: match lang {
                Lang::De => event.subject_de,
                Lang::En => event.subject_en,
            },
        })
        .collect()
}

async fn room_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    (author, id): (String, String),
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let path = room_path(&author, &id);
    let notifications = open_notifications(state, lang.lang).await;
    render_as(
        state,
        &path,
        lang,
        status,
        move |core| {
            let mut view = room_of(core, &me, lang.lang, &author, &id)?;
            view.error = error;
            view.notifications = notifications;
            let ctx = ctx_for(core, &me, lang.lang, Nav::Vorfaelle);
            Ok((ctx, view))
        },
        |(ctx, view)| incident_room(&ctx, &view),
    )
    .await
}

/// `GET /vorfaelle/{author}/{id}`.
pub(super) async fn room(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(path): Path<(String, String)>,
) -> Response {
    room_page(&state, lang, me, path, StatusCode::OK, None).await
}

/// `GET /vorfaelle/{author}/{id}/meldungen/{kind}/druck`.
pub(super) async fn print(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id, kind)): Path<(String, String, String)>,
) -> Response {
    let path = format!("/vorfaelle/{author}/{id}/meldungen/{kind}/druck");
    render_as(
        &state,
        &path,
        lang,
        StatusCode::OK,
        move |core| {
            let view = room_of(core, &me, lang.lang, &author, &id)?;
            let report = view
                .reports
                .iter()
                .position(|r| r.kind == kind)
                .ok_or_else(not_found)?;
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            Ok((ctx, view, report))
        },
        |(ctx, view, report)| report_print(&ctx, &view, &view.reports[report]),
    )
    .await
}

/// The room's address.
fn room_path(author: &str, id: &str) -> String {
    format!("/vorfaelle/{author}/{id}")
}

/// After a form of the room `author`/`id`: to the address the write names
/// (303), or the room again with the reason.
async fn after(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    room: (String, String),
    result: Result<String, ApiError>,
) -> Response {
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(error) => {
            let status = error.status();
            room_page(state, lang, me, room, status, Some(error.to_string())).await
        }
    }
}

/// After a form that writes next to the room `author`/`id` (a step, a
/// line, a report, a pledge's decline, a mission order's end): back to
/// it, or the room again with the reason.
async fn back_to_room(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    (author, id): (String, String),
    result: Result<crate::ops::Saved, ApiError>,
) -> Response {
    let to = room_path(&author, &id);
    after(state, lang, me, (author, id), result.map(|_| to)).await
}

/// The incident of the path if it is this member's own (only its author
/// writes next to it).
fn own_id(state: &ApiState, author: &str, id: &str) -> Result<RecordId, ApiError> {
    let address = request_address(author, id).map_err(|_| not_found())?;
    if address.owner != state.member {
        return Err(not_found());
    }
    Ok(address.id)
}

/// `POST /vorfaelle/{author}/{id}/schritte`.
pub(super) async fn step(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let state_value = serde_json::Value::String(text(&fields, "state"));
        let body = StepBody {
            step: text(&fields, "step"),
            state: serde_json::from_value(state_value)
                .map_err(|_| invalid("state: open, in_progress, done or not_applicable".into()))?,
            owner: text(&fields, "owner"),
            note: text(&fields, "note"),
        };
        write_step(&state, own_id(&state, &author, &id)?, body).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

/// The stable id of a TLP level, as stored.
fn tlp_id(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "clear",
        Tlp::Amber => "amber",
        Tlp::Red => "red",
    }
}

/// The form's `tlp` (`clear` when left out).
fn tlp_field(fields: &Fields) -> Result<Tlp, ApiError> {
    let given = text(fields, "tlp");
    let given = if given.is_empty() { "clear" } else { &given };
    [Tlp::Clear, Tlp::Amber, Tlp::Red]
        .into_iter()
        .find(|tlp| tlp_id(*tlp) == given)
        .ok_or_else(|| ApiError::BodyRule {
            code: "tlp_unknown",
            message: "TLP must be clear, amber or red.".into(),
        })
}

/// `POST /vorfaelle/{author}/{id}/verlauf`: `text`, `author` and `tlp`.
pub(super) async fn line(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let body = LineBody {
            text: text(&fields, "text"),
            author: text(&fields, "author"),
            at_ms: None,
            tlp: tlp_field(&fields)?,
        };
        write_line(&state, own_id(&state, &author, &id)?, body).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

/// `POST /vorfaelle/{author}/{id}/meldungen/{kind}`: the fields `f_<field id>`
/// (empty ones left out) and `sent` (a local date and time, or empty).
pub(super) async fn report(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id, kind)): Path<(String, String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let kind = ClockKind::ALL
            .into_iter()
            .find(|k| k.id() == kind)
            .ok_or_else(not_found)?;
        let report_fields = report_fields(kind)
            .iter()
            .filter_map(|template| {
                let value = text(&fields, &format!("f_{}", template.id));
                (!value.is_empty()).then(|| ReportField {
                    id: template.id.to_owned(),
                    value,
                })
            })
            .collect();
        let sent = text(&fields, "sent");
        let sent_at_ms = match sent.as_str() {
            "" => None,
            value => Some(
                parse_date_time(value)
                    .ok_or_else(|| invalid(format!("sent: {value:?} is not a date and time")))?,
            ),
        };
        let body = ReportBody {
            fields: report_fields,
            sent_at_ms,
        };
        save_report(&state, own_id(&state, &author, &id)?, kind, body).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

/// `POST /vorfaelle/{author}/{id}/uebernehmen`: to this member's new
/// incident that adopts it.
pub(super) async fn adopt_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id)): Path<(String, String)>,
) -> Response {
    let result = async {
        let address = request_address(&author, &id).map_err(|_| not_found())?;
        adopt(&state, address.owner, address.id).await
    }
    .await;
    let own = state.member.to_string();
    let result = result.map(|saved| room_path(&own, saved.id.as_str()));
    after(&state, lang, me, (author, id), result).await
}

/// `POST /meldungen/{seq}/bestaetigen`: acknowledges a notification (as
/// `POST /api/notifications/{seq}/ack`) and goes back to the room named
/// in `back`.
pub(super) async fn acknowledge(
    State(state): State<ApiState>,
    Extension(me): Extension<Principal>,
    Path(seq): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let back = text(&fields, "back");
    let back = if back.starts_with("/vorfaelle/") && !back.contains("//") {
        back
    } else {
        "/vorfaelle".to_owned()
    };
    let missing = || {
        ApiError::not_found(
            "notification_not_found",
            "Keine solche Meldung / no such notification",
        )
    };
    let Ok(seq) = seq.parse::<u64>() else {
        return refuse(&back, missing());
    };
    let now_ms = crate::clock::now_ms();
    let result = with_store(&state, move |store| {
        crate::notify::acknowledge(store, seq, &me.account, now_ms)?.ok_or_else(missing)
    })
    .await;
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) => refuse(&back, error),
    }
}

/// Euros as typed (`12,50`, `12.50`, `12`) in cents.
fn cents(text: &str) -> Result<u64, ApiError> {
    let bad = || invalid(format!("euros: {text:?} is not an amount in euros"));
    let text = text.trim().replace('.', ",");
    let (whole, fraction) = text.split_once(',').unwrap_or((&text, ""));
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let fraction: u64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or_else(bad)
}

fn hours(fields: &Fields) -> Result<u32, ApiError> {
    let value = text(fields, "hours");
    value
        .parse()
        .map_err(|_| invalid(format!("hours: {value:?} is not a whole number")))
}

/// `POST /vorfaelle/{author}/{id}/zusagen/{pledger}/{pledge}/ablehnen`.
pub(super) async fn decline_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id, pledger, pledge)): Path<(String, String, String, String)>,
) -> Response {
    let result = async {
        let address = request_address(&pledger, &pledge).map_err(|_| {
            ApiError::not_found(
                "pledge_not_found",
                "There is no such pledge on this node (yet).",
            )
        })?;
        decline(&state, address.owner, address.id, DeclineBody::default()).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

/// `POST /vorfaelle/{author}/{id}/auftraege/{acceptance}/status`: status,
/// and for released or closed the hours and euros.
pub(super) async fn status_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id, acceptance)): Path<(String, String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let status_value = serde_json::Value::String(text(&fields, "status"));
        let status: amtshilfe_protocol::model::AcceptanceStatus =
            serde_json::from_value(status_value)
                .map_err(|_| invalid("status: active, released or closed".into()))?;
        let finishing = !matches!(
            status,
            amtshilfe_protocol::model::AcceptanceStatus::Accepted
                | amtshilfe_protocol::model::AcceptanceStatus::Active
        );
        let (hours, expenses_cents) = if finishing {
            (Some(hours(&fields)?), Some(cents(&text(&fields, "euros"))?))
        } else {
            (None, None)
        };
        let acceptance = RecordId::new(acceptance.as_str()).map_err(|_| {
            ApiError::not_found(
                "mission_order_not_found",
                "There is no such mission order on this node (yet).",
            )
        })?;
        let body = StatusBody {
            status,
            hours,
            expenses_cents,
        };
        advance(&state, acceptance, body).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

/// `POST /vorfaelle/{author}/{id}/abrechnung/{requester}/{acceptance}`:
/// the helper's hours and euros.
pub(super) async fn settle_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((author, id, requester, acceptance)): Path<(String, String, String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let order = request_address(&requester, &acceptance).map_err(|_| {
            ApiError::not_found(
                "mission_order_not_found",
                "There is no such mission order on this node (yet).",
            )
        })?;
        let body = SettlementBody {
            requester: order.owner,
            acceptance: order.id,
            hours: hours(&fields)?,
            expenses_cents: cents(&text(&fields, "euros"))?,
            note: String::new(),
        };
        settle(&state, body).await
    }
    .await;
    back_to_room(&state, lang, me, (author, id), result).await
}

#[cfg(test)]
mod tests {
    use super::cents;

    #[test]
    fn euros_as_typed_become_cents() {
        assert_eq!(cents("12,50").unwrap(), 1250);
        assert_eq!(cents("12.5").unwrap(), 1250);
        assert_eq!(cents("7").unwrap(), 700);
        assert_eq!(cents("0,00").unwrap(), 0);
        for bad in ["", "-1", "1,234", "zwölf", "1,2x"] {
            assert!(cents(bad).is_err(), "{bad}");
        }
    }
}
