//! `/api/posture…`: the JSON adapter over `ops::posture`. The member's
//! own posture (read, save, submit) for its admins and IT leads
//! (`EditPosture`); the workspace of the officer hosted on this node (the
//! members it serves, one member's detail, the review) for the officer's
//! account only (`ReviewPosture`). A member the officer does not serve is
//! answered like one that does not exist (404 `member_not_served`), so
//! the route tells a stranger nothing about who is served.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::http::posture::{no_officer_here, posture_error, served};
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::Saved;
use crate::ops::announce;
use crate::ops::posture::{
    PostureAnswer, PostureBody, PostureSaved, PostureSubmitted, ReviewRequest, Viewer, Workspace,
    posture_answer, review_record, save_assessment, submit, workspace,
};

/// `GET /api/posture`: this member's posture as its staff edit it.
pub(super) async fn own(State(state): State<ApiState>) -> Result<Json<PostureAnswer>, ApiError> {
    let now_ms = crate::clock::now_ms();
    with_core(&state, move |core| {
        let me = core.device().member;
        Ok(posture_answer(core, &me, Viewer::Member, now_ms))
    })
    .await
    .map(Json)
}

/// `PUT /api/posture`: saves the working revision.
pub(super) async fn save(
    State(state): State<ApiState>,
    body: Result<Json<PostureBody>, JsonRejection>,
) -> Result<Json<PostureSaved>, ApiError> {
    let Json(body) = body?;
    let (revision, envelopes) = with_core(&state, move |core| {
        let now_ms = crate::clock::now_ms();
        save_assessment(core, body.into_assessment(now_ms), now_ms).map_err(posture_error)
    })
    .await?;
    announce(&state, &envelopes);
    Ok(Json(PostureSaved {
        revision,
        envelopes: envelopes
            .iter()
            .map(|e| e.content_hash().to_string())
            .collect(),
    }))
}

/// `POST /api/posture/submit`: submits the working revision, signed here.
pub(super) async fn submit_own(
    State(state): State<ApiState>,
) -> Result<(StatusCode, Json<PostureSubmitted>), ApiError> {
    let (revision, envelope) = with_core(&state, move |core| {
        submit(core, crate::clock::now_ms()).map_err(posture_error)
    })
    .await?;
    announce(&state, std::slice::from_ref(&envelope));
    let answer = PostureSubmitted {
        revision,
        envelope: envelope.content_hash().to_string(),
    };
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `GET /api/posture/members`: the hosted officer's workspace.
pub(super) async fn members(State(state): State<ApiState>) -> Result<Json<Workspace>, ApiError> {
    let now_ms = crate::clock::now_ms();
    with_core(&state, move |core| {
        workspace(core, now_ms).ok_or_else(no_officer_here)
    })
    .await
    .map(Json)
}

/// `GET /api/posture/members/{member}`: one served member's detail.
pub(super) async fn member(
    State(state): State<ApiState>,
    Path(member): Path<String>,
) -> Result<Json<PostureAnswer>, ApiError> {
    let now_ms = crate::clock::now_ms();
    with_core(&state, move |core| {
        let member = served(core, &member)?;
        Ok(posture_answer(core, &member, Viewer::Officer, now_ms))
    })
    .await
    .map(Json)
}

/// `POST /api/posture/members/{member}/review`: the officer's review.
pub(super) async fn review_member(
    State(state): State<ApiState>,
    Path(member): Path<String>,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let (id, envelope) = with_core(&state, move |core| {
        let member = served(core, &member)?;
        let now_ms = crate::clock::now_ms();
        review_record(
            core,
            member,
            body.revision,
            body.verdict,
            body.findings,
            now_ms,
        )
        .map_err(posture_error)
    })
    .await?;
    announce(&state, std::slice::from_ref(&envelope));
    Ok((
        StatusCode::CREATED,
        Json(Saved {
            id,
            envelope: envelope.content_hash().to_string(),
        }),
    ))
}
