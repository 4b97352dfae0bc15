//! Managing accounts and API tokens (admin only): change an account's
//! role, disable or enable it, list and revoke tokens. The functions are
//! shared by the JSON routes and the Verwaltung page, so both obey the same
//! rules:
//!
//! - the last active admin can be neither disabled nor demoted
//!   (409 `last_admin`): nobody could manage the node any more;
//! - a disabled account cannot log in, its tokens are revoked, and its
//!   sessions end at once; a role change ends them too, since a session
//!   carries the role it was started with and a token was made within it;
//! - every change is written to the audit log with what changed.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::audit;
use super::session_store::change_sessions_with;
use super::{ApiError, ApiState, with_store};
use crate::accounts::{Principal, Role};
use crate::store::{AccountRecord, Store, TokenRecord};

/// What to change about an account; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountChange {
    pub(crate) role: Option<Role>,
    pub(crate) disabled: Option<bool>,
}

/// An account as the API shows it.
pub(crate) fn account_json(name: &str, record: &AccountRecord) -> Value {
    json!({
        "account": name,
        "role": record.role,
        "disabled": record.disabled,
        "created_at_ms": record.created_at_ms,
    })
}

fn is_active_admin(record: &AccountRecord) -> bool {
    !record.disabled && record.role == Role::Admin.id()
}

/// Refuses a change that would leave no active admin.
fn keep_an_admin(store: &Store, name: &str, after: &AccountRecord) -> Result<(), ApiError> {
    if is_active_admin(after) {
        return Ok(());
    }
    let others = store
        .accounts()
        .map_err(ApiError::from)?
        .iter()
        .any(|(other, record)| other != name && is_active_admin(record));
    if others {
        return Ok(());
    }
    Err(ApiError::conflict(
        "last_admin",
        "This is the last active admin account; make another admin first.",
    ))
}

/// Changes account `name`; returns it as it is now. See the module docs.
pub(crate) async fn change(
    state: &ApiState,
    by: &Principal,
    name: String,
    change: AccountChange,
) -> Result<Value, ApiError> {
    let wanted = name.clone();
    // The account and its sessions change together: a session of a
    // disabled or demoted account must not outlive the change.
    let (record, what) = change_sessions_with(state, move |store, sessions| {
        let before = store
            .account(&wanted)
            .map_err(ApiError::from)?
            .ok_or_else(|| {
                ApiError::not_found(
                    "account_not_found",
                    format!("There is no account named {wanted:?}."),
                )
            })?;
        let mut after = before.clone();
        if let Some(role) = change.role {
            after.role = role.id().to_owned();
        }
        if let Some(disabled) = change.disabled {
            after.disabled = disabled;
        }
        if is_active_admin(&before) {
            keep_an_admin(store, &wanted, &after)?;
        }
        store.put_account(&wanted, &after).map_err(ApiError::from)?;
        sessions.end_all_of(&wanted);
        let revoked = if after.role != before.role || (after.disabled && !before.disabled) {
            store.remove_tokens_of(&wanted).map_err(ApiError::from)?
        } else {
            0
        };
        let what = format!(
            "{wanted}: role {} → {}, disabled {} → {}, tokens revoked {revoked}",
            before.role, after.role, before.disabled, after.disabled
        );
        Ok((after, what))
    })
    .await?;
    audit(state, &by.account, "account_changed".into(), what).await;
    Ok(account_json(&name, &record))
}

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

/// Every API token: its id (the SHA-256 of the secret, hex), account,
/// label and creation time; oldest first.
pub(crate) async fn tokens(state: &ApiState) -> Result<Vec<(String, TokenRecord)>, ApiError> {
    let mut rows = with_store(state, |store| store.tokens().map_err(ApiError::from)).await?;
    rows.sort_by_key(|(_, record)| record.created_at_ms);
    Ok(rows
        .into_iter()
        .map(|(hash, record)| (hex::encode(hash), record))
        .collect())
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

/// Revokes the token with id `id` (see [`tokens`]).
pub(crate) async fn revoke(state: &ApiState, by: &Principal, id: String) -> Result<(), ApiError> {
    let not_found = || ApiError::not_found("token_not_found", "There is no token with this id.");
    let mut hash = [0u8; 32];
    hex::decode_to_slice(&id, &mut hash).map_err(|_| not_found())?;
    let record = with_store(state, move |store| {
        store.remove_token(hash).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(not_found)?;
    let what = format!("{} ({})", record.label, record.account);
    audit(state, &by.account, "token_revoked".into(), what).await;
    Ok(())
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
