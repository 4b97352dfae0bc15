//! `POST /api/requests`: the JSON adapter over `ops::requests`.

use amtshilfe_protocol::model::AidRequest;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState};
use crate::ops::Saved;
use crate::ops::requests::create_request;

/// `POST /api/requests`: a new aid request of this member, as the model's
/// `AidRequest` JSON (need ids are the caller's; pledges point at them).
/// 201 with the new id; 400 if it breaks a model rule.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<AidRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(request) = body?;
    let saved = create_request(&state, request).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
