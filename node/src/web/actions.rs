//! The form posts: each turns its fields into the body of the matching
//! API write, runs it (same rules, same durability, same announcement) and
//! sends the browser back to the page (303), or shows the error.

use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::Pledge;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::forms::{self, Fields};
use super::pages::{page_error, request_address};
use crate::api::acceptances::create_acceptance;
use crate::api::offers::{create_offer as save_offer, withdraw_offer as save_withdrawal};
use crate::api::pledges::create_pledge;
use crate::api::requests::create_request as save_request;
use crate::api::{AcceptanceBody, ApiError, ApiState};
use crate::clock;

/// `POST /ressourcen`.
pub(super) async fn create_offer(
    State(state): State<ApiState>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let offer = forms::offer(&fields, clock::now_ms())?;
        save_offer(&state, offer).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/ressourcen").into_response(),
        Err(error) => page_error("/ressourcen", error),
    }
}

/// `POST /ressourcen/{id}/zurueckziehen`.
pub(super) async fn withdraw_offer(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Response {
    match save_withdrawal(&state, id).await {
        Ok(_) => Redirect::to("/ressourcen").into_response(),
        Err(error) => page_error("/ressourcen", error),
    }
}

/// `POST /anfordern`: on success, to the new request's page.
pub(super) async fn create_request(
    State(state): State<ApiState>,
    Form(fields): Form<Fields>,
) -> Response {
    let me = state.core.lock().device().member;
    let result = async {
        let request = forms::request(&fields, clock::now_ms())?;
        save_request(&state, request).await
    }
    .await;
    match result {
        Ok(saved) => Redirect::to(&format!("/anfragen/{me}/{}", saved.id)).into_response(),
        Err(error) => page_error("/anfordern", error),
    }
}

/// `POST /anfragen/{owner}/{id}/zusage`.
pub(super) async fn pledge(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let back = format!("/anfragen/{owner}/{id}");
    let result = async {
        let address = request_address(&owner, &id)?;
        let offer = forms::field(&fields, "offer");
        let offer = if offer.is_empty() {
            None
        } else {
            Some(RecordId::new(offer).map_err(|e| ApiError::InvalidBody(e.to_string()))?)
        };
        let pledge: Pledge = serde_json::from_value(json!({
            "request": { "requester": address.owner, "request": address.id, "need": forms::field(&fields, "need") },
            "offer": offer,
            "quantity": forms::quantity(&fields)?,
            "status": "offered",
            "created_at_ms": clock::now_ms(),
        }))
        .map_err(|error| ApiError::InvalidBody(error.to_string()))?;
        create_pledge(&state, pledge).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) => page_error(&back, error),
    }
}

/// `POST /anfragen/{owner}/{id}/annahme`.
pub(super) async fn accept(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let back = format!("/anfragen/{owner}/{id}");
    let result = async {
        let body: AcceptanceBody = serde_json::from_value(json!({
            "pledger": forms::field(&fields, "pledger"),
            "pledge": forms::field(&fields, "pledge"),
            "quantity": forms::quantity(&fields)?,
        }))
        .map_err(|error| ApiError::InvalidBody(error.to_string()))?;
        create_acceptance(&state, body).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) => page_error(&back, error),
    }
}
