//! `/api/accounts/{name}` and `/api/tokens`: the JSON adapter over
//! `ops::accounts` (the rules are documented there).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Value, json};

use crate::accounts::Principal;
use crate::http::{ApiError, ApiState};
use crate::ops::accounts::{AccountChange, AccountView, change, revoke, tokens};

/// `PATCH /api/accounts/{name}` with `{"role"?, "disabled"?}`.
pub(super) async fn change_account(
    State(state): State<ApiState>,
    Extension(by): Extension<Principal>,
    Path(name): Path<String>,
    body: Result<Json<AccountChange>, JsonRejection>,
) -> Result<Json<AccountView>, ApiError> {
    let Json(body) = body?;
    change(&state, &by, name, body).await.map(Json)
}

/// One API token as `GET /api/tokens` lists it (never the secret).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct TokenRow {
    /// SHA-256 of the token, hex: what `DELETE /api/tokens/{id}` takes.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    id: String,
    account: String,
    label: String,
    /// When it was made, ms since the epoch.
    created_at_ms: i64,
    /// The role id it acts with; null: the account's own role.
    role: Option<String>,
    /// When it stops working; null: never (the command line token of init).
    expires_at_ms: Option<i64>,
}

/// `GET /api/tokens`.
pub(super) async fn list_tokens(
    State(state): State<ApiState>,
) -> Result<Json<Vec<TokenRow>>, ApiError> {
    let rows = tokens(&state).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, record)| TokenRow {
                id,
                account: record.account,
                label: record.label,
                created_at_ms: record.created_at_ms,
                role: record.role,
                expires_at_ms: record.expires_at_ms,
            })
            .collect(),
    ))
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
