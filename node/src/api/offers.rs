//! `/api/offers`: the JSON adapter over `ops::offers`.

use amtshilfe_protocol::model::Offer;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState};
use crate::ops::Saved;
use crate::ops::offers::{create_offer, replace_offer, withdraw_offer};

/// `POST /api/offers`: a new offer of this member, as the model's `Offer`
/// JSON. 201 with the new id; 400 if it breaks a model rule.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<Offer>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(offer) = body?;
    let saved = create_offer(&state, offer).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /api/offers/{id}`: replaces one of this member's offers with the
/// body (the model's `Offer` JSON); the kind stays. The node sets
/// `updated_at_ms` to the time of the write. 200 with the id; 404
/// `offer_not_found` if this member has no offer with that id; 409
/// `offer_kind_fixed` for another kind; 400 if it breaks a model rule.
pub(super) async fn replace(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Json<Offer>, JsonRejection>,
) -> Result<Json<Saved>, ApiError> {
    let Json(offer) = body?;
    replace_offer(&state, id, offer).await.map(Json)
}

/// `POST /api/offers/{id}/withdraw`: sets one of this member's offers to
/// `out_of_service` (the rest of the offer as the read model has it).
/// 404 `offer_not_found` if this member has no offer with that id.
pub(super) async fn withdraw(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Saved>, ApiError> {
    withdraw_offer(&state, id).await.map(Json)
}
