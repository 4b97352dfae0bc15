//! `/api/pact…`: the JSON adapter over `ops::pact` and `ops::pact_actions`
//! (admins). `GET /api/pact` is the pact with its open proposals;
//! the writes sign with the member key on this node, or take an entry
//! that `amtshilfe member …` signed with an offline key.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::http::{ApiError, ApiState, with_core};
use crate::ops::device_revocation::RevokeDeviceBody;
use crate::ops::invitation_for::InvitationAddresses;
use crate::ops::pact::{PactView, view};
use crate::ops::pact_actions::{
    InviteAnswer, InviteBody, ProposalBody, SignedAnswer, SignedEntryBody, approve as approve_op,
    holds_member_key, invite as invite_op, propose as propose_op, submit,
};

/// `GET /api/pact`.
pub(super) async fn pact(State(state): State<ApiState>) -> Result<Json<PactView>, ApiError> {
    let holds = holds_member_key(&state);
    with_core(&state, move |core| {
        Ok(view(core, holds, crate::clock::now_ms()))
    })
    .await
    .map(Json)
}

/// `POST /api/pact/proposals`: 201 with the proposal signed here.
pub(super) async fn propose(
    State(state): State<ApiState>,
    body: Result<Json<ProposalBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SignedAnswer>), ApiError> {
    let Json(body) = body?;
    let answer = propose_op(&state, body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/pact/proposals/{hash}/approve`: 201 with the approval.
pub(super) async fn approve(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<(StatusCode, Json<SignedAnswer>), ApiError> {
    let answer = approve_op(&state, hash).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/pact/devices/revoke`: 201 with the revocation signed here.
pub(super) async fn revoke_device(
    State(state): State<ApiState>,
    body: Result<Json<RevokeDeviceBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SignedAnswer>), ApiError> {
    let Json(body) = body?;
    let answer = crate::ops::device_revocation::revoke(&state, body, None).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/pact/proposals/{hash}/decline`: 201 with the decline.
pub(super) async fn decline(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<(StatusCode, Json<SignedAnswer>), ApiError> {
    let answer = crate::ops::pact_actions::decline(&state, hash).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/pact/invitations/{hash}`: the invitation file for an
/// admission proposed already (signed offline); signs nothing.
pub(super) async fn invitation_for(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
    body: Result<Json<InvitationAddresses>, JsonRejection>,
) -> Result<Json<crate::invitation::Invitation>, ApiError> {
    let Json(body) = body?;
    crate::ops::invitation_for::invitation_for(&state, hash, body)
        .await
        .map(Json)
}

/// `POST /api/pact/entries`: an entry signed elsewhere.
pub(super) async fn entries(
    State(state): State<ApiState>,
    body: Result<Json<SignedEntryBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SignedAnswer>), ApiError> {
    let Json(body) = body?;
    let answer = submit(&state, body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/pact/invitations`: the admission proposed and the
/// invitation file's content.
pub(super) async fn invite(
    State(state): State<ApiState>,
    body: Result<Json<InviteBody>, JsonRejection>,
) -> Result<(StatusCode, Json<InviteAnswer>), ApiError> {
    let Json(body) = body?;
    let answer = invite_op(&state, body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}
