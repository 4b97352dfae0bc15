//! The incident room's JSON routes and the end of a mission order: the
//! adapter over `ops::incidents`, `ops::mission_end` and
//! `ops::incident_room`. The rules and their codes are the protocol's
//! (`read_model::room_rules`, the model's `validate`).

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::incident::ClockKind;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState, with_core};
use crate::ops::Saved;
use crate::ops::incident_room::{IncidentListItem, RoomAnswer, incident_list, room_answer};
use crate::ops::incidents::{
    IncidentBody, LineBody, ReportBody, StepBody, adopt, open_incident, save_report, write_line,
    write_step,
};
use crate::ops::mission_end::{DeclineBody, SettlementBody, StatusBody, advance, decline, settle};
use crate::sealing::timeline::open_line_text;

fn incident_not_found() -> ApiError {
    ApiError::not_found(
        "incident_not_found",
        "There is no such incident on this node (yet).",
    )
}

fn member(text: &str, missing: fn() -> ApiError) -> Result<MemberId, ApiError> {
    text.parse().map_err(|_| missing())
}

fn record(text: String, missing: fn() -> ApiError) -> Result<RecordId, ApiError> {
    RecordId::new(text).map_err(|_| missing())
}

/// The incident `author`/`id` of the path, if it is this member's own:
/// only the author writes next to its incident.
fn own(state: &ApiState, author: &str, id: String) -> Result<RecordId, ApiError> {
    let author = member(author, incident_not_found)?;
    if author != state.member {
        return Err(incident_not_found());
    }
    record(id, incident_not_found)
}

fn pledge_not_found() -> ApiError {
    ApiError::not_found(
        "pledge_not_found",
        "There is no such pledge on this node (yet).",
    )
}

fn mission_order_not_found() -> ApiError {
    ApiError::not_found(
        "mission_order_not_found",
        "There is no such mission order on this node (yet).",
    )
}

/// `GET /api/incidents`: every incident, newest awareness first.
pub(super) async fn list(
    State(state): State<ApiState>,
) -> Result<Json<Vec<IncidentListItem>>, ApiError> {
    with_core(&state, |core| {
        Ok(incident_list(core.replica().read_model()))
    })
    .await
    .map(Json)
}

/// `GET /api/incidents/{author}/{id}`: one room as this member may see
/// it; 404 `incident_not_found`.
pub(super) async fn room(
    State(state): State<ApiState>,
    Path((author, id)): Path<(String, String)>,
) -> Result<Json<RoomAnswer>, ApiError> {
    let author = member(&author, incident_not_found)?;
    let id = record(id, incident_not_found)?;
    let now_ms = crate::clock::now_ms();
    with_core(&state, move |core| {
        let me = core.device().member;
        let open = |at: &_, entry: &_| open_line_text(core, at, entry).and_then(Result::ok);
        room_answer(core.replica().read_model(), me, author, &id, now_ms, &open)
            .ok_or_else(incident_not_found)
    })
    .await
    .map(Json)
}

/// `POST /api/incidents`: 201 with the new incident's id.
pub(super) async fn open(
    State(state): State<ApiState>,
    body: Result<Json<IncidentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let saved = open_incident(&state, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/incidents/{author}/{id}/steps`: 201 with the step record's id.
pub(super) async fn step(
    State(state): State<ApiState>,
    Path((author, id)): Path<(String, String)>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let id = own(&state, &author, id)?;
    let saved = write_step(&state, id, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/incidents/{author}/{id}/timeline`: 201 with the line's id.
pub(super) async fn line(
    State(state): State<ApiState>,
    Path((author, id)): Path<(String, String)>,
    body: Result<Json<LineBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let id = own(&state, &author, id)?;
    let saved = write_line(&state, id, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /api/incidents/{author}/{id}/reports/{kind}`: 200 with the report's id.
pub(super) async fn report(
    State(state): State<ApiState>,
    Path((author, id, kind)): Path<(String, String, String)>,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Result<Json<Saved>, ApiError> {
    let Json(body) = body?;
    let id = own(&state, &author, id)?;
    let kind = ClockKind::ALL
        .into_iter()
        .find(|k| k.id() == kind)
        .ok_or_else(|| {
            ApiError::not_found(
                "report_kind_not_found",
                "Reports are gdpr_art33, bsig_early_warning, bsig_notification, bsig_final_report.",
            )
        })?;
    save_report(&state, id, kind, body).await.map(Json)
}

/// `POST /api/incidents/{author}/{id}/adopt`: 201 with this member's new
/// incident that adopts it.
pub(super) async fn adopt_route(
    State(state): State<ApiState>,
    Path((author, id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let author = member(&author, incident_not_found)?;
    let id = record(id, incident_not_found)?;
    let saved = adopt(&state, author, id).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/pledges/{pledger}/{id}/decline`: 201 with the decline's id.
pub(super) async fn decline_route(
    State(state): State<ApiState>,
    Path((pledger, id)): Path<(String, String)>,
    body: Result<Json<DeclineBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let pledger = member(&pledger, pledge_not_found)?;
    let id = record(id, pledge_not_found)?;
    let saved = decline(&state, pledger, id, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/acceptances/{id}/status`: 200 with the acceptance's id.
pub(super) async fn status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Json<Saved>, ApiError> {
    let Json(body) = body?;
    let id = record(id, mission_order_not_found)?;
    advance(&state, id, body).await.map(Json)
}

/// `POST /api/settlements`: 201 with the settlement's id.
pub(super) async fn settlement(
    State(state): State<ApiState>,
    body: Result<Json<SettlementBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let saved = settle(&state, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
