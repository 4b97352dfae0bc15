//! The posture pages: `/sicherheitslage` (the member's own, `EditPosture`)
//! and `/isb`, `/isb/{member}` (the workspace of the officer hosted on
//! this node, `ReviewPosture`), with their forms. The writes are the
//! API's (`ops::posture`); a refused form shows the page again with the
//! reason and the refusal's status, and nothing is written.

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{self as html, PostureView, WorkspaceRow};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::forms::Fields;
use super::pages::render_as;
use super::posture_forms::{posture_body, review_body};
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::core::Core;
use crate::http::posture::{no_officer_here, posture_error, served};
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::announce;
use crate::ops::posture::{
    MemberSummary, PostureAnswer, Viewer, posture_answer, posture_overview, review_record,
    save_assessment, submit, workspace,
};

const OWN: &str = "/sicherheitslage";

fn officer_names(core: &Core) -> Vec<(String, String)> {
    core.replica()
        .membership()
        .state()
        .officers()
        .map(|o| (o.key.to_string(), o.name.clone()))
        .collect()
}

fn view_of(core: &Core, answer: PostureAnswer, error: Option<String>) -> PostureView {
    PostureView {
        member: answer.summary.member.to_string(),
        member_name: answer.summary.name,
        status: Some(answer.summary.status),
        working_revision: answer.working_revision,
        revision: answer.revision,
        assessment: answer.assessment,
        baseline_revision: answer.baseline_revision,
        delta: answer.delta,
        findings: answer
            .findings
            .into_iter()
            .map(|row| (row.finding, row.overdue))
            .collect(),
        submissions: answer.submissions,
        reviews: answer.reviews,
        refused: answer
            .refused
            .into_iter()
            .map(|r| (r.record.to_string(), r.reason))
            .collect(),
        officer_names: officer_names(core),
        error,
    }
}

fn row_of(summary: MemberSummary) -> WorkspaceRow {
    let decided: (u32, u32) = summary
        .wiba
        .iter()
        .fold((0, 0), |(yes, no), t| (yes + t.yes, no + t.no));
    let answered: u32 = summary
        .wiba
        .iter()
        .map(|t| t.yes + t.no + t.not_applicable)
        .sum();
    let questions: u32 = summary.wiba.iter().map(|t| t.questions).sum();
    let nis2: Vec<u32> = summary.nis2.values().map(|&v| u32::from(v)).collect();
    WorkspaceRow {
        member: summary.member.to_string(),
        name: summary.name,
        status: summary.status,
        revision: summary.revision.map(|r| (r, summary.submitted)),
        progress_permille: (decided.0 + decided.1 > 0)
            .then(|| decided.0 * 1000 / (decided.0 + decided.1)),
        answered_permille: (answered * 1000).checked_div(questions).unwrap_or(0),
        bcms_stage: summary.bcms_stage,
        nis2_mean_tenths: (!nis2.is_empty())
            .then(|| nis2.iter().sum::<u32>() * 10 / nis2.len() as u32),
        irs_eligible: summary.irs_eligible,
        red_flags_raised: summary.red_flags_raised.len(),
        findings: (summary.open_findings, summary.overdue_findings),
        last_review_ms: summary.last_review_ms,
        topics: summary
            .wiba
            .iter()
            .map(|t| (t.topic.clone(), t.progress_permille))
            .collect(),
    }
}

async fn own_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    error: Option<ApiError>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    let message = error.map(|e| e.to_string());
    render_as(
        state,
        OWN,
        lang,
        status,
        move |core| {
            let member = core.device().member;
            let answer = posture_answer(core, &member, Viewer::Member, crate::clock::now_ms());
            let ctx = ctx_for(core, &me, lang.lang, Nav::Sicherheitslage);
            Ok((ctx, view_of(core, answer, message)))
        },
        |(ctx, view)| html::posture_page(&ctx, &view),
    )
    .await
}

/// `GET /sicherheitslage`.
pub(super) async fn own(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    own_page(&state, lang, me, None).await
}

/// `POST /sicherheitslage`: saves the working revision.
pub(super) async fn save(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = with_core(&state, move |core| {
        // Only the working assessment is needed (the evidence dates and
        // hashes the form does not carry), not the whole answer.
        let overview = posture_overview(core, &core.device().member);
        let body = posture_body(&fields, overview.working_assessment())?;
        let now_ms = crate::clock::now_ms();
        save_assessment(core, body.into_assessment(now_ms), now_ms)
            .map(|(_, envelopes)| envelopes)
            .map_err(posture_error)
    })
    .await;
    match result {
        Ok(envelopes) => {
            announce(&state, &envelopes);
            Redirect::to(OWN).into_response()
        }
        Err(error) => own_page(&state, lang, me, Some(error)).await,
    }
}

/// `POST /sicherheitslage/einreichen`: submits the working revision.
pub(super) async fn submit_own(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    let result = with_core(&state, move |core| {
        submit(core, crate::clock::now_ms()).map_err(posture_error)
    })
    .await;
    match result {
        Ok((_, envelope)) => {
            announce(&state, std::slice::from_ref(&envelope));
            Redirect::to(OWN).into_response()
        }
        Err(error) => own_page(&state, lang, me, Some(error)).await,
    }
}

/// `GET /isb`: the members the hosted officer serves.
pub(super) async fn workspace_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    render_as(
        &state,
        "/isb",
        lang,
        StatusCode::OK,
        move |core| {
            let workspace = workspace(core, crate::clock::now_ms()).ok_or_else(no_officer_here)?;
            let rows: Vec<WorkspaceRow> = workspace.members.into_iter().map(row_of).collect();
            let ctx = ctx_for(core, &me, lang.lang, Nav::Isb);
            Ok((ctx, workspace.officer_name, rows))
        },
        |(ctx, officer_name, rows)| html::workspace_page(&ctx, &officer_name, &rows),
    )
    .await
}

async fn detail(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    member: String,
    error: Option<ApiError>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    let message = error.map(|e| e.to_string());
    let path = format!("/isb/{member}");
    render_as(
        state,
        &path,
        lang,
        status,
        move |core| {
            let member = served(core, &member)?;
            let answer = posture_answer(core, &member, Viewer::Officer, crate::clock::now_ms());
            let ctx = ctx_for(core, &me, lang.lang, Nav::Isb);
            Ok((ctx, view_of(core, answer, message)))
        },
        |(ctx, view)| html::officer_detail_page(&ctx, &view),
    )
    .await
}

/// `GET /isb/{member}`.
pub(super) async fn member_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(member): Path<String>,
) -> Response {
    detail(&state, lang, me, member, None).await
}

/// `POST /isb/{member}/pruefung`: the officer's review.
pub(super) async fn review_page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(member): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let path = member.clone();
    let result = with_core(&state, move |core| {
        let member = served(core, &path)?;
        let body = review_body(&fields)?;
        let now_ms = crate::clock::now_ms();
        review_record(
            core,
            member,
            body.revision,
            body.verdict,
            body.findings,
            now_ms,
        )
        .map(|(_, envelope)| envelope)
        .map_err(posture_error)
    })
    .await;
    match result {
        Ok(envelope) => {
            announce(&state, std::slice::from_ref(&envelope));
            Redirect::to(&format!("/isb/{member}")).into_response()
        }
        Err(error) => detail(&state, lang, me, member, Some(error)).await,
    }
}
