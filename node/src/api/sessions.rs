//! Logging in and out, and the accounts admin routes.
//!
//! | route | who | what |
//! | --- | --- | --- |
//! | `POST /api/login` | anyone | `{"account","password"}` → session cookie and `{"account","role","csrf_token"}` |
//! | `POST /api/logout` | a session | ends it |
//! | `GET /api/me` | any | `{"account","role"}` |
//! | `POST /api/tokens` | any | `{"label"}` → 201 `{"token"}` acting as the caller (shown once) |
//! | `GET /api/accounts` | admin | every account |
//! | `POST /api/accounts` | admin | `{"account","role","password"?}` → 201, with a generated password if none was given |
//! | `GET /api/audit` | admin | the newest audit rows (`?limit=`, at most [`AUDIT_ROWS_SHOWN_MAX`]) |
//!
//! A login is refused with 429 after `accounts::LOGIN_FAILURES_MAX` failures for
//! the account or from the client address within the window.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{ClientAddr, SESSION_COOKIE, audit, cookie, set_cookie};
use super::{ApiError, ApiState, with_core};
use crate::accounts::{
    PASSWORD_BYTES_MAX, PASSWORD_CHARS_MIN, Principal, Role, Session, SessionId, new_token,
    password, token_hash, valid_account_name,
};
use crate::clock;
use crate::store::{AccountRecord, StoreError, TokenRecord};

/// Most audit rows one call returns.
pub const AUDIT_ROWS_SHOWN_MAX: usize = 1_000;
/// Longest token label, in bytes.
pub const TOKEN_LABEL_BYTES_MAX: usize = 100;

fn storage(error: StoreError) -> ApiError {
    ApiError::Storage(error.to_string())
}

fn ms_to_secs(ms: i64) -> i64 {
    (ms + 999) / 1_000
}

/// Checks a password against the account and, if it fits, starts a
/// session. Rate-limited per account and per client address; every attempt
/// is audited.
pub(crate) async fn login(
    state: &ApiState,
    account: &str,
    password_text: String,
    client: &ClientAddr,
) -> Result<(SessionId, Session), ApiError> {
    let now_ms = clock::now_ms();
    let account_key = format!("account:{account}");
    let client_key = format!("client:{}", client.0);
    {
        let mut limiter = state.accounts.limiter();
        for key in [&account_key, &client_key] {
            limiter
                .check(key, now_ms)
                .map_err(|retry_ms| ApiError::TooManyAttempts {
                    retry_after_secs: ms_to_secs(retry_ms),
                })?;
        }
    }
    let name = account.to_owned();
    let record = if valid_account_name(account) && password_text.len() <= PASSWORD_BYTES_MAX {
        with_core(state, move |core| {
            core.store().account(&name).map_err(storage)
        })
        .await?
    } else {
        None
    };
    let stored = record
        .as_ref()
        .filter(|r| !r.disabled)
        .map(|r| r.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || {
        let hash = stored.as_deref().unwrap_or_else(|| password::decoy_hash());
        password::verify(&password_text, hash) && stored.is_some()
    })
    .await
    .map_err(|error| ApiError::Internal(error.to_string()))?;
    let role = record.as_ref().and_then(|r| Role::from_id(&r.role));
    let (true, Some(role)) = (matches, role) else {
        {
            let mut limiter = state.accounts.limiter();
            limiter.fail(&account_key, now_ms);
            limiter.fail(&client_key, now_ms);
        }
        audit(state, account, "login_failed".into(), client.0.clone()).await;
        return Err(ApiError::LoginFailed);
    };
    state.accounts.limiter().clear(&account_key);
    let started = state
        .accounts
        .sessions()
        .start(account, role, now_ms)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    audit(state, account, "login".into(), client.0.clone()).await;
    Ok(started)
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(id: SessionId, session: &Session) -> String {
    let max_age = ms_to_secs(session.expires_at_ms - clock::now_ms()).max(0);
    set_cookie(SESSION_COOKIE, &id.to_hex(), max_age)
}

/// Ends the session of the request's cookie, if any; returns the
/// `Set-Cookie` value that clears it.
pub(crate) async fn logout(state: &ApiState, headers: &HeaderMap, principal: &Principal) -> String {
    if let Some(id) = cookie(headers, SESSION_COOKIE).and_then(SessionId::from_hex) {
        state.accounts.sessions().end(&id);
    }
    audit(state, &principal.account, "logout".into(), String::new()).await;
    set_cookie(SESSION_COOKIE, "", 0)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    account: String,
    password: String,
}

/// `POST /api/login`.
pub(super) async fn login_json(
    State(state): State<ApiState>,
    client: ClientAddr,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let (id, session) = login(&state, &body.account, body.password, &client).await?;
    let answer = json!({
        "account": session.account,
        "role": session.role,
        "csrf_token": session.csrf,
    });
    Ok((
        [(header::SET_COOKIE, session_cookie(id, &session))],
        Json(answer),
    )
        .into_response())
}

/// `POST /api/logout`.
pub(super) async fn logout_json(
    State(state): State<ApiState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let clear = logout(&state, &headers, &principal).await;
    (
        [(header::SET_COOKIE, clear)],
        Json(json!({ "status": "logged_out" })),
    )
        .into_response()
}

/// `GET /api/me`.
pub(super) async fn me(Extension(principal): Extension<Principal>) -> Json<Value> {
    Json(json!({ "account": principal.account, "role": principal.role }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenBody {
    label: String,
}

/// `POST /api/tokens`.
pub(super) async fn create_token(
    State(state): State<ApiState>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<TokenBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body?;
    if body.label.is_empty() || body.label.len() > TOKEN_LABEL_BYTES_MAX {
        return Err(ApiError::InvalidBody(format!(
            "label: must be 1 to {TOKEN_LABEL_BYTES_MAX} bytes"
        )));
    }
    let token = new_token().map_err(|error| ApiError::Internal(error.to_string()))?;
    let record = TokenRecord {
        account: principal.account.clone(),
        label: body.label,
        created_at_ms: clock::now_ms(),
    };
    let hash = token_hash(&token);
    with_core(&state, move |core| {
        core.store().put_token(hash, &record).map_err(storage)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "account": principal.account, "token": token })),
    ))
}

/// `GET /api/accounts`.
pub(super) async fn list_accounts(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let rows = with_core(&state, |core| core.store().accounts().map_err(storage)).await?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|(name, record)| {
            json!({
                "account": name,
                "role": record.role,
                "disabled": record.disabled,
                "created_at_ms": record.created_at_ms,
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewAccount {
    account: String,
    role: Role,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /api/accounts`.
pub(super) async fn create_account(
    State(state): State<ApiState>,
    body: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body?;
    if !valid_account_name(&body.account) {
        return Err(ApiError::InvalidBody(
            "account: 1 to 64 characters of a-z, 0-9, '.', '_', '-'".into(),
        ));
    }
    let generated = body.password.is_none();
    let password_text = match body.password {
        Some(text) => text,
        None => password::generate().map_err(|error| ApiError::Internal(error.to_string()))?,
    };
    let chars = password_text.chars().count();
    if chars < PASSWORD_CHARS_MIN || password_text.len() > PASSWORD_BYTES_MAX {
        return Err(ApiError::InvalidBody(format!(
            "password: must be {PASSWORD_CHARS_MIN} to {PASSWORD_BYTES_MAX} bytes long"
        )));
    }
    let to_hash = password_text.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&to_hash))
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let record = AccountRecord {
        role: body.role.id().to_owned(),
        password_hash: hash,
        created_at_ms: clock::now_ms(),
        disabled: false,
    };
    let name = body.account.clone();
    with_core(&state, move |core| {
        let store = core.store();
        if store.account(&name).map_err(storage)?.is_some() {
            return Err(ApiError::conflict(
                "account_exists",
                format!("There is already an account named {name:?}."),
            ));
        }
        store.put_account(&name, &record).map_err(storage)
    })
    .await?;
    let mut answer = json!({ "account": body.account, "role": body.role });
    if generated {
        answer["password"] = json!(password_text);
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    limit: Option<usize>,
}

/// `GET /api/audit`.
pub(super) async fn audit_log(
    State(state): State<ApiState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.limit.unwrap_or(100).min(AUDIT_ROWS_SHOWN_MAX);
    let rows = with_core(&state, move |core| {
        core.store().audit_log(limit).map_err(storage)
    })
    .await?;
    serde_json::to_value(
        rows.iter()
            .map(|row| {
                json!({
                    "at_ms": row.at_ms,
                    "account": row.account,
                    "action": row.action,
                    "detail": row.detail,
                })
            })
            .collect::<Vec<_>>(),
    )
    .map(Json)
    .map_err(|error| ApiError::Internal(error.to_string()))
}
