//! The API's one error type and its JSON form:
//! `{"error": {"code": "<stable_snake_case>", "message": "<a sentence>"}}`,
//! plus `"field"` (the path of the offending field) and `"rule"` (the rule it
//! breaks, e.g. `bad_format`) for validation errors.
//!
//! Codes are stable; messages are for people and may change. Internal
//! failures (storage, programmer errors) are logged once here, when the
//! response is made, and never shown to the client in detail.

use amtshilfe_protocol::model::{RecordError, ValidationError};
use amtshilfe_protocol::read_model::{AcceptanceRefusal, PledgeRefusal, RefusalKind, RoomRefusal};
use amtshilfe_protocol::replica::WriteError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::core::CoreError;
use crate::store::StoreError;

/// Why an API call failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (syntax error, truncated).
    #[error("The request body is not valid JSON: {0}.")]
    InvalidJson(String),
    /// The body is JSON but not of the expected shape: a missing or unknown
    /// field, a wrong type, an unknown enum value.
    #[error("The request body does not have the expected fields: {0}.")]
    InvalidBody(String),
    /// The body was not sent as `application/json`.
    #[error("Send the request body as JSON, with the header content-type: application/json.")]
    UnsupportedMediaType,
    /// The body is larger than [`super::API_BODY_BYTES_MAX`].
    #[error(
        "The request body is larger than the limit of {} bytes.",
        super::API_BODY_BYTES_MAX
    )]
    BodyTooLarge,
    /// The record would be larger than a record or an envelope may be.
    #[error("The record is too large to be saved: {0}.")]
    RecordTooLarge(String),
    /// The query string does not fit the route's parameters.
    #[error("The query string is not valid: {0}.")]
    InvalidQuery(String),
    /// Query parameters that each fit but break a rule together (a skill
    /// level without the skill, half a time window).
    #[error("{message}")]
    QueryRule {
        /// Stable code, e.g. `skill_level_needs_skill`.
        code: &'static str,
        /// What is missing.
        message: String,
    },
    /// A body that fits the document but breaks a rule of what it names
    /// (a blank name, a member named twice, an entry that does not decode).
    #[error("{message}")]
    BodyRule {
        /// Stable code, e.g. `name_invalid`.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A record breaks a rule of the domain model.
    #[error("{0}")]
    Validation(#[from] ValidationError),
    /// Something the request names does not exist (here).
    #[error("{message}")]
    NotFound {
        /// Stable code, e.g. `offer_not_found`.
        code: &'static str,
        /// What was not found.
        message: String,
    },
    /// The request contradicts the current state (see the handlers' rules).
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `over_open_quantity`.
        code: &'static str,
        /// What conflicts and what to do.
        message: String,
    },
    /// This node's device may not write for its member (delegation expired,
    /// member removed).
    #[error("This node may not write for its member: {0}.")]
    NotAuthorised(String),
    /// No valid session cookie or API token came with the request.
    #[error("Log in first, or send an API token as Authorization: Bearer <token>.")]
    Unauthenticated,
    /// The account name or password is wrong (which one is not said).
    #[error("The account name or the password is wrong.")]
    LoginFailed,
    /// Too many failed logins for this account or from this address.
    #[error("Too many failed logins; try again in {retry_after_secs} seconds.")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: i64,
    },
    /// The account's role does not allow this.
    #[error("Your role ({role}) may not do this.")]
    Forbidden {
        /// The caller's role id.
        role: &'static str,
    },
    /// An API token asked for a new token. Tokens are made from a login
    /// session, so that revoking a leaked token ends what it can do.
    #[error(
        "An API token cannot make new tokens. Log in (POST /api/login) and make the token \
         from that session."
    )]
    TokenNeedsSession,
    /// A form or cookie-authenticated write came without the session's
    /// CSRF token.
    #[error(
        "The form is out of date or did not come from this site; reload the page and try again."
    )]
    CsrfFailed,
    /// An earlier store failure stopped writes.
    #[error(
        "This node stopped saving changes after a storage failure; the operator must restart it."
    )]
    WritesStopped,
    /// The store failed; the write was not saved.
    #[error(
        "The change could not be saved on this node; the operator should check the node's log."
    )]
    Storage(String),
    /// The request named a host this node does not answer for (DNS
    /// rebinding: a web page's own name pointing at this node).
    #[error(
        "This node does not answer for the host name {0:?}; see allowed_hosts in its configuration."
    )]
    HostNotAllowed(String),
    /// A cap is reached (event streams); try again later.
    #[error("This node has too many {0} open; try again shortly.")]
    Busy(&'static str),
    /// The request took longer than the node allows.
    #[error("The request took too long and was stopped; try again.")]
    TimedOut,
    /// A bug or an unexpected failure; the detail goes to the log only.
    #[error("Something went wrong on this node; the operator should check the node's log.")]
    Internal(String),
}

impl ApiError {
    /// A 404 with a stable code.
    pub(crate) fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            message: message.into(),
        }
    }

    /// A 409 with a stable code.
    pub(crate) fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_)
            | ApiError::InvalidBody(_)
            | ApiError::InvalidQuery(_)
            | ApiError::QueryRule { .. }
            | ApiError::BodyRule { .. }
            | ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge | ApiError::RecordTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::NotAuthorised(_)
            | ApiError::Forbidden { .. }
            | ApiError::TokenNeedsSession
            | ApiError::CsrfFailed => StatusCode::FORBIDDEN,
            ApiError::Unauthenticated | ApiError::LoginFailed => StatusCode::UNAUTHORIZED,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::WritesStopped | ApiError::Busy(_) | ApiError::TimedOut => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::HostNotAllowed(_) => StatusCode::MISDIRECTED_REQUEST,
            ApiError::Storage(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BodyTooLarge => "body_too_large",
            ApiError::RecordTooLarge(_) => "record_too_large",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::Validation(_) => "validation_failed",
            ApiError::NotFound { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::QueryRule { code, .. }
            | ApiError::BodyRule { code, .. } => code,
            ApiError::NotAuthorised(_) => "not_authorised",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::LoginFailed => "login_failed",
            ApiError::TooManyAttempts { .. } => "too_many_attempts",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::TokenNeedsSession => "token_needs_session",
            ApiError::CsrfFailed => "csrf_failed",
            ApiError::WritesStopped => "writes_stopped",
            ApiError::HostNotAllowed(_) => "host_not_allowed",
            ApiError::Busy(_) => "busy",
            ApiError::TimedOut => "timed_out",
            ApiError::Storage(_) => "storage_failed",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Storage(detail) => {
                tracing::error!(%detail, "API write failed in the store; nothing was saved");
            }
            ApiError::Internal(detail) => tracing::error!(%detail, "API request failed"),
            _ => tracing::debug!(code = self.code(), error = %self, "API request refused"),
        }
        let mut body = json!({ "code": self.code(), "message": self.to_string() });
        if let ApiError::Validation(error) = &self {
            body["field"] = json!(error.field());
            // Which rule the field breaks (`empty`, `bad_format`, …), so a
            // client can tell a missing value from a malformed one.
            body["rule"] = json!(error.code());
        }
        let mut response = (self.status(), Json(json!({ "error": body }))).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = &self
            && let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(error) => ApiError::InvalidJson(inner_text(&error)),
            JsonRejection::JsonDataError(error) => ApiError::InvalidBody(inner_text(&error)),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge,
            other => ApiError::InvalidBody(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        match rejection {
            QueryRejection::FailedToDeserializeQueryString(error) => {
                ApiError::InvalidQuery(inner_text(&error))
            }
            other => ApiError::InvalidQuery(other.body_text()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::Storage(error.to_string())
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::Write(WriteError::Invalid(RecordError::Invalid(invalid))) => {
                ApiError::Validation(invalid)
            }
            CoreError::Write(WriteError::Invalid(too_large @ RecordError::TooLarge { .. })) => {
                ApiError::RecordTooLarge(too_large.to_string())
            }
            CoreError::Write(too_large @ WriteError::TooLarge { .. }) => {
                ApiError::RecordTooLarge(too_large.to_string())
            }
            CoreError::Write(WriteError::NotAuthorised(reason)) => ApiError::NotAuthorised(reason),
            CoreError::Write(over @ WriteError::OverQuota) => {
                ApiError::RecordTooLarge(over.to_string())
            }
            CoreError::Stopped => ApiError::WritesStopped,
            CoreError::Storage(error) => error.into(),
            conflict @ CoreError::OwnHistoryConflict => ApiError::Storage(conflict.to_string()),
            // The API builds keys and JSON itself; anything else is a bug.
            other @ CoreError::Write(_) => ApiError::Internal(other.to_string()),
        }
    }
}

/// A refusal of the read model's rules: its code, 404 or 409 by its kind.
fn refused(code: &'static str, kind: RefusalKind, message: String) -> ApiError {
    match kind {
        RefusalKind::NotFound => ApiError::NotFound { code, message },
        RefusalKind::Conflict => ApiError::Conflict { code, message },
    }
}

impl From<PledgeRefusal> for ApiError {
    fn from(refusal: PledgeRefusal) -> Self {
        refused(refusal.code(), refusal.kind(), refusal.to_string())
    }
}

impl From<RoomRefusal> for ApiError {
    fn from(refusal: RoomRefusal) -> Self {
        match (refusal.kind(), refusal) {
            (_, RoomRefusal::Invalid(invalid)) => ApiError::Validation(invalid),
            (Some(kind), refusal) => refused(refusal.code(), kind, refusal.to_string()),
            (None, other) => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<AcceptanceRefusal> for ApiError {
    fn from(refusal: AcceptanceRefusal) -> Self {
        match refusal.kind() {
            Some(kind) => refused(refusal.code(), kind, refusal.to_string()),
            None => match refusal {
                AcceptanceRefusal::Invalid(invalid) => ApiError::Validation(invalid),
                other => ApiError::Internal(other.to_string()),
            },
        }
    }
}

/// The serde message of a rejection (with the field path), without
/// axum's generic prefix.
fn inner_text(error: &dyn std::error::Error) -> String {
    error
        .source()
        .map_or_else(|| error.to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn storage_failures_are_500_and_do_not_leak_details() {
        let failure = CoreError::Storage(StoreError::Corrupted {
            path: "/secret/place/store.redb".into(),
            detail: "table ENVELOPES unreadable".into(),
        });
        let (status, body) = body_of(failure.into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "storage_failed");
        let text = body.to_string();
        assert!(
            !text.contains("secret") && !text.contains("ENVELOPES"),
            "{text}"
        );

        let (status, body) = body_of(ApiError::Internal("a bug at line 3".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body.to_string().contains("line 3"));

        let (status, body) = body_of(CoreError::Stopped.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "writes_stopped");
    }

    #[tokio::test]
    async fn write_refusals_map_to_client_errors() {
        let too_large = CoreError::Write(WriteError::TooLarge { bytes: 70_000 });
        assert_eq!(
            body_of(too_large.into()).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let refused = CoreError::Write(WriteError::NotAuthorised("expired".into()));
        let (status, body) = body_of(refused.into()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "not_authorised");
        let empty = CoreError::Write(WriteError::Empty);
        assert_eq!(
            body_of(empty.into()).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
