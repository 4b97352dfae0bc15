//! Logging in and out, and the accounts admin routes.
//!
//! | route | who | what |
//! | --- | --- | --- |
//! | `POST /api/login` | anyone | `{"account","password"}` → session cookie and `{"account","role","csrf_token"}` |
//! | `POST /api/logout` | a session | ends it |
//! | `GET /api/me` | any | `{"account","role"}` |
//! | `POST /api/tokens` | a session | `{"label","role"?,"days"?}` → 201 `{"token","role","expires_at_ms"}` acting as the caller with at most the session's role, for `days` (default [`TOKEN_DAYS_DEFAULT`], at most [`TOKEN_DAYS_MAX`]); the token is shown once |
//! | `GET /api/accounts` | admin | every account |
//! | `POST /api/accounts` | admin | `{"account","role","password"?}` → 201, with a generated password if none was given |
//! | `GET /api/audit` | admin | audit rows newest first (`?limit=` at most [`AUDIT_ROWS_SHOWN_MAX`], `&offset=`) |
//!
//! Changing and disabling accounts and revoking tokens: `accounts_admin.rs`.
//!
//! A login is refused with 429 and `Retry-After` while a delay of the
//! login limiter runs (`accounts::limiter`: doubling delays per account and
//! address, per address, and per account for addresses it never logged in
//! from).

use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts_admin::account_json;
use super::auth::{ClientAddr, SESSION_COOKIE, audit, cookie, set_cookie};
use super::session_store::{change_sessions, change_sessions_with};
use super::{ApiError, ApiState, with_store};
use crate::accounts::{
    Outcome, PASSWORD_BYTES_MAX, PASSWORD_CHARS_MIN, Principal, Role, Session, SessionId,
    new_token, password, token_hash, valid_account_name,
};
use crate::clock;
use crate::store::{AccountRecord, TokenRecord};

/// Most audit rows one call returns.
pub const AUDIT_ROWS_SHOWN_MAX: usize = 1_000;
/// Longest token label, in bytes.
pub const TOKEN_LABEL_BYTES_MAX: usize = 100;
/// How long a token works if its maker says nothing, in days.
pub const TOKEN_DAYS_DEFAULT: u32 = 30;
/// Longest a token may work, in days.
pub const TOKEN_DAYS_MAX: u32 = 365;
const DAY_MS: i64 = 86_400_000;

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
    // The attempt counts from here on, so that parallel attempts cannot
    // all pass before the first failure is counted; if the client goes
    // away, dropping the future drops the guard and ends it.
    let attempt = state
        .accounts
        .login_attempt(account, &client.0, now_ms)
        .map_err(|retry_ms| ApiError::TooManyAttempts {
            retry_after_secs: ms_to_secs(retry_ms),
        })?;
    let checked = check_password(state, account, password_text).await;
    let (role, account_exists) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            drop(attempt);
            return Err(error);
        }
    };
    let outcome = match role {
        Some(_) => Outcome::Success,
        None => Outcome::Failed { account_exists },
    };
    attempt.finish(outcome, clock::now_ms());
    let Some(role) = role else {
        audit(state, account, "login_failed".into(), client.0.clone()).await;
        return Err(ApiError::LoginFailed);
    };
    let name = account.to_owned();
    // The password was checked outside the lock; an admin may have
    // disabled the account or changed its role since.
    let started = change_sessions_with(state, move |store, sessions| {
        let current = store.account(&name).map_err(ApiError::from)?;
        if !current.is_some_and(|a| !a.disabled && a.role == role.id()) {
            return Err(ApiError::LoginFailed);
        }
        sessions
            .start(&name, role, now_ms)
            .map_err(|error| ApiError::Internal(error.to_string()))
    })
    .await?;
    audit(state, account, "login".into(), client.0.clone()).await;
    Ok(started)
}

/// The role of `account` if it exists, is enabled and `password_text` is
/// its password, and whether the account exists. An unknown account costs
/// a check against a decoy hash, so that timing does not tell which
/// accounts exist.
async fn check_password(
    state: &ApiState,
    account: &str,
    password_text: String,
) -> Result<(Option<Role>, bool), ApiError> {
    let name = account.to_owned();
    let record = if valid_account_name(account) && password_text.len() <= PASSWORD_BYTES_MAX {
        with_store(state, move |store| {
            store.account(&name).map_err(ApiError::from)
        })
        .await?
    } else {
        None
    };
    let stored = record
        .as_ref()
        .filter(|r| !r.disabled)
        .map(|r| r.password_hash.clone());
    let matches = state
        .accounts
        .password_work(move || {
            let hash = stored.as_deref().unwrap_or_else(|| password::decoy_hash());
            password::verify(&password_text, hash) && stored.is_some()
        })
        .await
        .map_err(ApiError::Internal)?;
    let role = record.as_ref().and_then(|r| Role::from_id(&r.role));
    Ok((role.filter(|_| matches), record.is_some()))
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(state: &ApiState, id: SessionId, session: &Session) -> String {
    let max_age = ms_to_secs(session.expires_at_ms - clock::now_ms()).max(0);
    set_cookie(SESSION_COOKIE, &id.to_hex(), max_age, state.secure_cookies)
}

/// Ends the session of the request's cookie, if any; returns the
/// `Set-Cookie` value that clears it.
pub(crate) async fn logout(state: &ApiState, headers: &HeaderMap, principal: &Principal) -> String {
    if let Some(id) = cookie(headers, SESSION_COOKIE).and_then(SessionId::from_hex) {
        let ended = change_sessions(state, move |sessions| sessions.end(&id)).await;
        if let Err(error) = ended {
            tracing::error!(%error, "could not end a session");
        }
    }
    audit(state, &principal.account, "logout".into(), String::new()).await;
    set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies)
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
        [(header::SET_COOKIE, session_cookie(&state, id, &session))],
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
    /// The role the token acts with; default the session's.
    #[serde(default)]
    role: Option<Role>,
    /// How many days it works; default [`TOKEN_DAYS_DEFAULT`].
    #[serde(default)]
    days: Option<u32>,
}

/// `POST /api/tokens`.
pub(super) async fn create_token(
    State(state): State<ApiState>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<TokenBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // A token is made from a session (which has a CSRF token); a token
    // minting tokens would outlive its own revocation.
    if principal.csrf.is_none() {
        return Err(ApiError::TokenNeedsSession);
    }
    let Json(body) = body?;
    if body.label.is_empty() || body.label.len() > TOKEN_LABEL_BYTES_MAX {
        return Err(ApiError::InvalidBody(format!(
            "label: must be 1 to {TOKEN_LABEL_BYTES_MAX} bytes"
        )));
    }
    // A token never acts with more than the session that made it.
    let role = body.role.unwrap_or(principal.role);
    if !role.within(principal.role) {
        return Err(ApiError::InvalidBody(format!(
            "role: a token of a {} session may act as {} or a role with less",
            principal.role.id(),
            principal.role.id()
        )));
    }
    let days = body.days.unwrap_or(TOKEN_DAYS_DEFAULT);
    if !(1..=TOKEN_DAYS_MAX).contains(&days) {
        return Err(ApiError::InvalidBody(format!(
            "days: must be 1 to {TOKEN_DAYS_MAX}"
        )));
    }
    let token = new_token().map_err(|error| ApiError::Internal(error.to_string()))?;
    let now_ms = clock::now_ms();
    let expires_at_ms = now_ms.saturating_add(i64::from(days) * DAY_MS);
    let record = TokenRecord {
        account: principal.account.clone(),
        label: body.label,
        created_at_ms: now_ms,
        role: Some(role.id().to_owned()),
        expires_at_ms: Some(expires_at_ms),
    };
    let what = format!(
        "{} ({}, {}, {days} days)",
        record.label,
        record.account,
        role.id()
    );
    let hash = token_hash(&token);
    with_store(&state, move |store| {
        store.put_token(hash, &record).map_err(ApiError::from)
    })
    .await?;
    audit(&state, &principal.account, "token_created".into(), what).await;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "account": principal.account,
            "token": token,
            "role": role,
            "expires_at_ms": expires_at_ms,
        })),
    ))
}

/// `GET /api/accounts`.
pub(super) async fn list_accounts(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let rows = with_store(&state, |store| store.accounts().map_err(ApiError::from)).await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|(name, record)| account_json(name, record))
        .collect();
    Ok(Json(Value::Array(list)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    pub(crate) account: String,
    pub(crate) role: Role,
    #[serde(default)]
    pub(crate) password: Option<String>,
}

/// `POST /api/accounts`.
pub(super) async fn create_account(
    State(state): State<ApiState>,
    Extension(by): Extension<Principal>,
    body: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body?;
    let answer = new_account(&state, &by, body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Makes an account (also used by the Verwaltung page); the answer has
/// the generated password if none was given, to be shown once.
pub(crate) async fn new_account(
    state: &ApiState,
    by: &Principal,
    body: NewAccount,
) -> Result<Value, ApiError> {
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
    let hash = state
        .accounts
        .password_work(move || password::hash(&to_hash))
        .await
        .map_err(ApiError::Internal)?
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let record = AccountRecord {
        role: body.role.id().to_owned(),
        password_hash: hash,
        created_at_ms: clock::now_ms(),
        disabled: false,
    };
    let name = body.account.clone();
    with_store(state, move |store| {
        if store.account(&name).map_err(ApiError::from)?.is_some() {
            return Err(ApiError::conflict(
                "account_exists",
                format!("There is already an account named {name:?}."),
            ));
        }
        store.put_account(&name, &record).map_err(ApiError::from)
    })
    .await?;
    let what = format!("{} ({})", body.account, body.role.id());
    audit(state, &by.account, "account_created".into(), what).await;
    let mut answer = json!({ "account": body.account, "role": body.role });
    if generated {
        answer["password"] = json!(password_text);
    }
    Ok(answer)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// One page of the audit log, newest first, and the number of rows in all.
pub(crate) async fn audit_page(
    state: &ApiState,
    offset: usize,
    limit: usize,
) -> Result<(Vec<crate::store::AuditRecord>, u64), ApiError> {
    let limit = limit.min(AUDIT_ROWS_SHOWN_MAX);
    with_store(state, move |store| {
        store.audit_page(offset, limit).map_err(ApiError::from)
    })
    .await
}

/// `GET /api/audit?limit=&offset=`.
pub(super) async fn audit_log(
    State(state): State<ApiState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(100);
    let (rows, _) = audit_page(&state, query.offset.unwrap_or(0), limit).await?;
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
