//! `POST /api/acceptances`: the JSON adapter over `ops::acceptances`; the
//! rules and their codes are the read model's (`read_model::rules`).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState};
use crate::ops::Saved;
use crate::ops::acceptances::{AcceptanceBody, create_acceptance};

/// `POST /api/acceptances`: accepts a pledge; 201 with the acceptance id.
/// See the module docs for the refusals.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<AcceptanceBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let saved = create_acceptance(&state, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
