//! `POST /api/pledges`: the JSON adapter over `ops::pledges`; the rules
//! and their codes are the read model's (`read_model::rules`).

use amtshilfe_protocol::model::Pledge;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState};
use crate::ops::Saved;
use crate::ops::pledges::create_pledge;

/// `POST /api/pledges`: a pledge of this member, as the model's `Pledge`
/// JSON. 201 with the new id; see the module docs for the refusals.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<Pledge>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(pledge) = body?;
    let saved = create_pledge(&state, pledge).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
