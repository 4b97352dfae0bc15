//! Logging in and out: the password check behind the login limiter, the
//! session and its cookie, and the audit rows of both. The JSON routes and
//! the login page both call these.
//!
//! A login is refused with `too_many_attempts` while a delay of the login
//! limiter runs (`accounts::limiter`: doubling delays per account and
//! address, per address, and per account for addresses it never logged in
//! from).

use axum::http::HeaderMap;

use crate::accounts::{
    Outcome, PASSWORD_BYTES_MAX, Principal, Role, Session, SessionId, password, valid_account_name,
};
use crate::clock;
use crate::http::auth::{ClientAddr, SESSION_COOKIE, audit, cookie, set_cookie};
use crate::http::session_store::{change_sessions, change_sessions_with};
use crate::http::{ApiError, ApiState, with_store};

pub(crate) fn ms_to_secs(ms: i64) -> i64 {
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
