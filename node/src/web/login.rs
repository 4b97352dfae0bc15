//! The login and logout forms. The login form carries a pre-session token
//! that must match a short-lived cookie (so another site cannot log a
//! browser into an account of its choosing); the logout form carries the
//! session's CSRF token like every other form.

use std::collections::HashMap;

use axum::Extension;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::LangChoice;
use crate::accounts::{Principal, SessionId, constant_time_eq};
use crate::clock;
use crate::http::auth::{ClientAddr, SESSION_COOKIE, cookie, set_cookie};
use crate::http::{ApiError, ApiState};
use crate::ops::login::{login as check_login, logout as end_session, session_cookie};
use crate::random::os_random;

/// The pre-session cookie of the login form.
pub(super) const LOGIN_COOKIE: &str = "amtshilfe_login";
/// How long a login form stays usable, in seconds.
const LOGIN_FORM_SECS: i64 = 3_600;

/// The login form. It keeps a login token the browser already holds:
/// browsers fetch other things (a favicon, a second tab) between showing the
/// form and sending it, and a new token for each would invalidate the form
/// on the screen.
fn login_form(
    lang: LangChoice,
    headers: &HeaderMap,
    status: StatusCode,
    account: &str,
    error: Option<&str>,
) -> Response {
    let held = cookie(headers, LOGIN_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned);
    let token = match held {
        Some(token) => token,
        None => match os_random::<16>() {
            Ok(bytes) => hex::encode(bytes),
            Err(error) => return ApiError::Internal(error.to_string()).into_response(),
        },
    };
    let body = amtshilfe_dashboard::pages::login(lang.lang, &token, account, error);
    let mut response = lang.html(body);
    *response.status_mut() = status;
    if let Ok(value) = set_cookie(LOGIN_COOKIE, &token, LOGIN_FORM_SECS, lang.secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /anmelden`: the form, or the Lagebild for a live session.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    headers: HeaderMap,
) -> Response {
    let live = cookie(&headers, SESSION_COOKIE)
        .and_then(SessionId::from_hex)
        .and_then(|id| state.accounts.sessions().get(&id, clock::now_ms()));
    if live.is_some() && !lang.chosen {
        return Redirect::to("/").into_response();
    }
    login_form(lang, &headers, StatusCode::OK, "", None)
}

/// `POST /anmelden`.
pub(super) async fn submit(
    State(state): State<ApiState>,
    lang: LangChoice,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let account = field("account");
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    let sent = field("login_token");
    if expected.is_empty() || !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        let error = ApiError::CsrfFailed;
        return login_form(
            lang,
            &headers,
            error.status(),
            &account,
            Some(&error.to_string()),
        );
    }
    match check_login(&state, &account, field("password"), &client).await {
        Ok((id, session)) => {
            let mut response = Redirect::to("/").into_response();
            for value in [
                session_cookie(&state, id, &session),
                set_cookie(LOGIN_COOKIE, "", 0, state.secure_cookies),
            ] {
                if let Ok(value) = value.parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(error) => login_form(
            lang,
            &headers,
            error.status(),
            &account,
            Some(&error.to_string()),
        ),
    }
}

/// `POST /abmelden`.
pub(super) async fn logout(
    State(state): State<ApiState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let clear = end_session(&state, &headers, &principal).await;
    ([(header::SET_COOKIE, clear)], Redirect::to("/anmelden")).into_response()
}
