//! `/api/profile/contacts…`: the JSON adapter over `ops::contacts`. This
//! member's 24/7 contacts set (and thereby confirmed), or confirmed as
//! they are; only this member's own profile is ever written.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

use crate::http::{ApiError, ApiState};
use crate::ops::Saved;
use crate::ops::contacts::{ContactsBody, confirm_contacts, set_contacts};

/// `PUT /api/profile/contacts`: 200 with the profile's write; 400 if a
/// field breaks its rule.
pub(super) async fn set(
    State(state): State<ApiState>,
    body: Result<Json<ContactsBody>, JsonRejection>,
) -> Result<Json<Saved>, ApiError> {
    let Json(body) = body?;
    set_contacts(&state, body).await.map(Json)
}

/// `POST /api/profile/contacts/confirm`: 200 with the profile's write;
/// 404 `profile_not_found` if there are no contacts to confirm.
pub(super) async fn confirm(State(state): State<ApiState>) -> Result<Json<Saved>, ApiError> {
    confirm_contacts(&state).await.map(Json)
}
