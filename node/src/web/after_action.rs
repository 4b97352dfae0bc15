//! `GET /anfragen/{owner}/{id}/auswertung`: the after-action report of an
//! exercise request, computed from the records under the core's lock.
//! A real request has none (404).

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages as html;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;

use super::pages::render;
use super::request_pages::request_address;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::http::{ApiError, ApiState};

/// `GET /anfragen/{owner}/{id}/auswertung`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
) -> Response {
    let path = format!("/anfragen/{owner}/{id}/auswertung");
    render(&state, &path, lang, move |core| {
        let not_found = || {
            ApiError::not_found(
                "exercise_not_found",
                "There is no such exercise request on this node (yet).",
            )
        };
        let address = request_address(&owner, &id)?;
        let replica = core.replica();
        let state = replica.membership().state();
        let model = replica.read_model();
        let members: Vec<_> = state.members().map(|(m, _)| *m).collect();
        let report = model
            .after_action_report(&address, members)
            .ok_or_else(not_found)?;
        let title = model
            .request_view(&address)
            .map(|v| v.request.title.clone())
            .unwrap_or_default();
        let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
        let names: Vec<String> = report
            .not_answered
            .iter()
            .map(|m| ctx.name_of(model.member_name(m), &m.to_string()))
            .collect();
        Ok(html::after_action(&ctx, &title, &report, &names))
    })
    .await
}
