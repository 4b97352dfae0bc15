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
//! The work behind them is in `ops::login` and `ops::accounts`. A login
//! is refused with 429 and `Retry-After` while a delay of the login
//! limiter runs.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use amtshilfe_protocol::model::DAY_MS;

use crate::accounts::{Principal, Role, new_token, token_hash};
use crate::clock;
use crate::http::auth::{ClientAddr, audit};
use crate::http::{ApiError, ApiState, with_store};
use crate::ops::accounts::{AccountView, NewAccount, NewAccountAnswer, audit_page, new_account};
use crate::ops::login::{login, logout, session_cookie};
use crate::store::TokenRecord;

pub use crate::ops::accounts::AUDIT_ROWS_SHOWN_MAX;

/// Longest token label, in bytes.
pub const TOKEN_LABEL_BYTES_MAX: usize = 100;
/// How long a token works if its maker says nothing, in days.
pub const TOKEN_DAYS_DEFAULT: u32 = 30;
/// Longest a token may work, in days.
pub const TOKEN_DAYS_MAX: u32 = 365;

/// The answer to a login.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct LoginAnswer {
    account: String,
    role: Role,
    /// Send it as `x-csrf-token` with every write of this session.
    csrf_token: String,
}

/// Who is calling: `GET /api/me`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Me {
    account: String,
    role: Role,
}

/// A new API token; the token itself is shown only here.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct TokenAnswer {
    account: String,
    /// Shown once.
    token: String,
    role: Role,
    /// When it stops working, ms since the epoch.
    expires_at_ms: i64,
}

/// One row of the audit log.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct AuditRow {
    /// When, ms since the epoch.
    at_ms: i64,
    /// The account, or the name tried at a failed login.
    account: String,
    /// What, e.g. `login`, `login_failed`, `POST /api/offers`.
    action: String,
    /// The outcome (HTTP status) or a short detail.
    detail: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginBody {
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
    let answer = LoginAnswer {
        account: session.account.clone(),
        role: session.role,
        csrf_token: session.csrf.clone(),
    };
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
pub(super) async fn me(Extension(principal): Extension<Principal>) -> Json<Me> {
    Json(Me {
        account: principal.account,
        role: principal.role,
    })
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenBody {
    /// 1 to [`TOKEN_LABEL_BYTES_MAX`] bytes (the schema's character limit
    /// is what always fits in them, at four bytes a character).
    #[schemars(length(min = 1, max = TOKEN_LABEL_BYTES_MAX / 4))]
    label: String,
    /// The role the token acts with; default the session's.
    #[serde(default)]
    role: Option<Role>,
    /// How many days it works; default [`TOKEN_DAYS_DEFAULT`].
    #[serde(default)]
    #[schemars(range(min = 1, max = TOKEN_DAYS_MAX))]
    days: Option<u32>,
}

/// `POST /api/tokens`.
pub(super) async fn create_token(
    State(state): State<ApiState>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<TokenBody>, JsonRejection>,
) -> Result<(StatusCode, Json<TokenAnswer>), ApiError> {
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
        Json(TokenAnswer {
            account: principal.account,
            token,
            role,
            expires_at_ms,
        }),
    ))
}

/// `GET /api/accounts`.
pub(super) async fn list_accounts(
    State(state): State<ApiState>,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    let rows = with_store(&state, |store| store.accounts().map_err(ApiError::from)).await?;
    Ok(Json(
        rows.iter()
            .map(|(name, record)| AccountView::of(name, record))
            .collect(),
    ))
}

/// `POST /api/accounts`.
pub(super) async fn create_account(
    State(state): State<ApiState>,
    Extension(by): Extension<Principal>,
    body: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<NewAccountAnswer>), ApiError> {
    let Json(body) = body?;
    let answer = new_account(&state, &by, body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    /// Rows per page (default 100, at most [`AUDIT_ROWS_SHOWN_MAX`]; more
    /// is cut to that).
    limit: Option<usize>,
    /// Rows to skip from the newest.
    offset: Option<usize>,
}

/// `GET /api/audit?limit=&offset=`.
pub(super) async fn audit_log(
    State(state): State<ApiState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(100);
    let (rows, _) = audit_page(&state, query.offset.unwrap_or(0), limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| AuditRow {
                at_ms: row.at_ms,
                account: row.account,
                action: row.action,
                detail: row.detail,
            })
            .collect(),
    ))
}
