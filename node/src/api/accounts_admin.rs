//! `/api/accounts/{name}` and `/api/tokens`: the JSON adapter over
//! `ops::accounts` (the rules are documented there).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{Value, json};

use crate::accounts::Principal;
use crate::http::{ApiError, ApiState};
use crate::ops::accounts::{AccountChange, change, revoke, tokens};

/// `PATCH /api/accounts/{name}` with `{"role"?, "disabled"?}`.
pub(super) async fn change_account(
    State(state): State<ApiState>,
    Extension(by): Extension<Principal>,
    Path(name): Path<String>,
    body: Result<Json<AccountChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    change(&state, &by, name, body).await.map(Json)
}

/// `GET /api/tokens`.
pub(super) async fn list_tokens(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let rows = tokens(&state).await?;
    Ok(Json(Value::Array(
        rows.into_iter()
            .map(|(id, record)| {
                json!({
                    "id": id,
                    "account": record.account,
                    "label": record.label,
                    "created_at_ms": record.created_at_ms,
                    "role": record.role,
                    "expires_at_ms": record.expires_at_ms,
                })
            })
            .collect(),
    )))
}

/// `DELETE /api/tokens/{id}`.
pub(super) async fn revoke_token(
    State(state): State<ApiState>,
    Extension(by): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    revoke(&state, &by, id).await?;
    Ok(Json(json!({ "status": "revoked" })))
}
