//! Offline bundles on a running node (admins): `POST /api/bundle` imports
//! one through the same ingress as the network; `POST /api/bundle/export`
//! writes one (of everything, or of what a peer lacks given its known
//! state in the body); `GET /api/bundle/membership` writes the membership
//! log alone (a recovery ticket); `GET /api/bundle/state` is this node's known state
//! for a peer's export. The command line's `amtshilfe bundle` uses these
//! while the node runs and holds its store.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{ApiError, ApiState};
use crate::bundle::BundleRefused;
use crate::http::with_core;

fn octets(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}

fn refused(refused: BundleRefused) -> Response {
    let body = json!({
        "error": { "code": refused.code, "message": refused.message },
        "items": refused.items,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}

/// Imports the bundle in the body; 200 with what applied and what ingress
/// refused, or 422 with the bundle's refusal (nothing applied).
pub(crate) async fn import(
    State(state): State<ApiState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    Ok(
        match crate::ops::bundles::import_bytes(&state, body).await? {
            Ok(report) => axum::Json(report).into_response(),
            Err(refusal) => refused(refusal),
        },
    )
}

/// The bundle for the known state in the body (empty: everything).
pub(crate) async fn export(
    State(state): State<ApiState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let outcome = with_core(&state, move |core| {
        let since = (!body.is_empty()).then_some(&body[..]);
        Ok(crate::bundle::export(core.replica(), since, Vec::new()))
    })
    .await?;
    Ok(match outcome {
        Ok(bytes) => octets(bytes),
        Err(refusal) => refused(refusal),
    })
}

/// The membership log alone (a recovery ticket another member hands over).
pub(crate) async fn export_membership(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let outcome = with_core(&state, |core| {
        Ok(crate::bundle::export_membership(core.replica(), Vec::new()))
    })
    .await?;
    Ok(match outcome {
        Ok(bytes) => octets(bytes),
        Err(refusal) => refused(refusal),
    })
}

/// This node's known state.
pub(crate) async fn known_state(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let bytes = with_core(&state, |core| {
        Ok(crate::bundle::known_state(core.replica()))
    })
    .await?;
    Ok(octets(bytes))
}
