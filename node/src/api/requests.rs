//! Aid requests: a hit member asks the pact for help with typed needs.

use amtshilfe_protocol::model::{AidRequest, Record, RecordKey};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use super::write::{REQUEST_ID_PREFIX, Saved, fresh_id, save};
use super::{ApiError, ApiState};

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

/// Validates and saves a new request of this member (also used by the pages).
pub(crate) async fn create_request(
    state: &ApiState,
    request: AidRequest,
) -> Result<Saved, ApiError> {
    request.validate()?;
    let id = fresh_id(REQUEST_ID_PREFIX)?;
    save(state, move |_, _| {
        Ok((RecordKey::request(id), Record::Request(request)))
    })
    .await
}
