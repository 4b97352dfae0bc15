//! Who may call what. One middleware ([`authenticate`]) runs before every
//! route: it lets only [`PUBLIC_PATHS`] through without a session cookie or
//! an API token, checks the CSRF token of every cookie-authenticated write
//! (form field `csrf`, also in a multipart form, or header `x-csrf-token`), and writes one audit row
//! per write. Route layers ([`require`]) check the role's permission.
//! Never decides what a role may do: `accounts::Role::may` does.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

pub(crate) use super::audit::audit;
use super::audit::audit_request;
use super::{API_BODY_BYTES_MAX, ApiError, ApiState, with_store};
use crate::accounts::{Permission, Principal, Role, SessionId, constant_time_eq, token_hash};
use crate::clock;

/// The session cookie.
pub const SESSION_COOKIE: &str = "amtshilfe_session";
/// The header a cookie-authenticated script sends the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The static files (style sheets, the live script) answer without a
/// session: the login page needs its style, and they hold no data.
pub const PUBLIC_PREFIX: &str = "/static/";
/// Routes that answer without a session: the public JSON routes of
/// `routes.rs` (a test keeps both in step), the login page and the
/// accessibility statement.
pub const PUBLIC_PATHS: [&str; 5] = [
    "/health",
    "/api/login",
    "/api/openapi.json",
    "/anmelden",
    // The accessibility statement: linked from the login page, since a
    // barrier may be what keeps someone from logging in; it holds no data.
    "/barrierefreiheit",
];
/// The login page, where pages send a visitor without a session.
pub const LOGIN_PAGE: &str = "/anmelden";
/// Longest action text in an audit row, in bytes.
const AUDIT_ACTION_BYTES_MAX: usize = 200;

/// The caller's address, if the server recorded it ("unknown" in tests).
/// From a proxy named in `trusted_proxies`, the address that proxy saw:
/// the right-most `X-Forwarded-For` entry that is not itself a trusted
/// proxy. Anyone else's `X-Forwarded-For` is ignored, so a client cannot
/// pick its own address.
#[derive(Debug, Clone)]
pub(crate) struct ClientAddr(pub(crate) String);

impl FromRequestParts<ApiState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

/// Longest `X-Forwarded-For` value read, in bytes.
const FORWARDED_FOR_BYTES_MAX: usize = 1_024;

/// See [`ClientAddr`].
pub(crate) fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter(|value| value.len() <= FORWARDED_FOR_BYTES_MAX)
        .collect::<Vec<_>>()
        .join(",");
    forwarded
        .rsplit(',')
        .map(|part| part.trim().parse::<IpAddr>())
        .find(|parsed| !matches!(parsed, Ok(ip) if trusted_proxies.contains(ip)))
        .and_then(Result::ok)
        .unwrap_or(peer)
        .to_string()
}

/// Whether `path` is a JSON route (errors as JSON) rather than a page.
pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics" || path == "/events"
}

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, and
/// `Secure` when browsers reach the node over HTTPS (`secure_cookies`).
pub(crate) fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// Runs before every route; see the module docs.
pub(super) async fn authenticate(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if PUBLIC_PATHS.contains(&path.as_str()) || path.starts_with(PUBLIC_PREFIX) {
        return next.run(request).await;
    }
    let principal = match principal_of(&state, request.headers()).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return unauthenticated(&path),
        Err(error) => return error.into_response(),
    };
    let method = request.method().clone();
    let writes = !matches!(method, Method::GET | Method::HEAD);
    let mut request = if writes && principal.csrf.is_some() {
        match check_csrf(request, &principal).await {
            Ok(request) => request,
            Err(error) => return refuse(&path, error),
        }
    } else {
        request
    };
    request.extensions_mut().insert(principal.clone());
    let response = next.run(request).await;
    let routed = response
        .extensions()
        .get::<crate::api::reads::NoRoute>()
        .is_none()
        && response.status() != StatusCode::METHOD_NOT_ALLOWED;
    if writes && routed {
        let mut action = format!("{method} {path}");
        action.truncate(AUDIT_ACTION_BYTES_MAX);
        audit_request(
            &state,
            &principal.account,
            action,
            response.status().as_u16(),
        )
        .await;
    }
    response
}

/// The role check of one route: `route_layer(from_fn_with_state(permission, require))`.
pub(super) async fn require(
    State(permission): State<Permission>,
    Extension(principal): Extension<Principal>,
    request: Request,
    next: Next,
) -> Response {
    if principal.may(permission) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    refuse(
        &path,
        ApiError::Forbidden {
            role: principal.role.id(),
        },
    )
}

/// An error as JSON on API paths, as a short HTML page elsewhere.
pub(crate) fn refuse(path: &str, error: ApiError) -> Response {
    if is_api_path(path) {
        return error.into_response();
    }
    let status = error.status();
    let body = amtshilfe_dashboard::error_page(status.as_u16(), &error.to_string());
    (status, Html(body)).into_response()
}

fn unauthenticated(path: &str) -> Response {
    if is_api_path(path) {
        ApiError::Unauthenticated.into_response()
    } else {
        Redirect::to(LOGIN_PAGE).into_response()
    }
}

/// The principal of a request: from `Authorization: Bearer` if present
/// (a bad token is refused, never ignored), else from the session cookie.
async fn principal_of(
    state: &ApiState,
    headers: &HeaderMap,
) -> Result<Option<Principal>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?
            .trim()
            .to_owned();
        return principal_of_token(state, token).await.map(Some);
    }
    let Some(id) = cookie(headers, SESSION_COOKIE).and_then(SessionId::from_hex) else {
        return Ok(None);
    };
    let session = state.accounts.sessions().get(&id, clock::now_ms());
    Ok(session.map(|session| Principal {
        account: session.account,
        role: session.role,
        csrf: Some(session.csrf),
    }))
}

async fn principal_of_token(state: &ApiState, token: String) -> Result<Principal, ApiError> {
    let hash = token_hash(&token);
    with_store(state, move |store| {
        let record = store
            .token(hash)
            .map_err(ApiError::from)?
            .ok_or(ApiError::Unauthenticated)?;
        if record
            .expires_at_ms
            .is_some_and(|expires| expires <= clock::now_ms())
        {
            return Err(ApiError::Unauthenticated);
        }
        let account = store
            .account(&record.account)
            .map_err(ApiError::from)?
            .filter(|account| !account.disabled)
            .ok_or(ApiError::Unauthenticated)?;
        let account_role = Role::from_id(&account.role)
            .ok_or_else(|| ApiError::Internal(format!("unknown role {:?}", account.role)))?;
        // A token acts with its own role, never with more than its
        // account has now (role changes also revoke tokens; this holds
        // for tokens stored before that).
        let role = match record.role.as_deref().map(Role::from_id) {
            None => account_role,
            Some(Some(role)) if role.within(account_role) => role,
            Some(_) => return Err(ApiError::Unauthenticated),
        };
        Ok(Principal {
            account: record.account,
            role,
            csrf: None,
        })
    })
    .await
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// Checks the CSRF token of a cookie-authenticated write: the header, or
/// the form field (the body is read and put back).
async fn check_csrf(request: Request, principal: &Principal) -> Result<Request, ApiError> {
    let expected = principal.csrf.as_deref().unwrap_or_default().as_bytes();
    if let Some(sent) = request.headers().get(CSRF_HEADER) {
        return if constant_time_eq(sent.as_bytes(), expected) {
            Ok(request)
        } else {
            Err(ApiError::CsrfFailed)
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if super::multipart_csrf::is_multipart(content_type) {
        let (request, sent) = super::multipart_csrf::csrf_field(request, principal).await?;
        if !constant_time_eq(sent.as_bytes(), expected) {
            return Err(ApiError::CsrfFailed);
        }
        return Ok(request);
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Err(ApiError::CsrfFailed);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, API_BODY_BYTES_MAX)
        .await
        .map_err(|_| ApiError::BodyTooLarge)?;
    let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let sent = Form::<CsrfOnly>::from_request(probe, &())
        .await
        .ok()
        .and_then(|Form(form)| form.csrf)
        .unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), expected) {
        return Err(ApiError::CsrfFailed);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
