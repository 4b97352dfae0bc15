//! `GET /anfragen/{owner}/{id}/auswertung`: the after-action report of an
//! exercise request, computed from records copied under the core's lock.
//! A real request has none (404). The contacts that failed are this
//! node's own: notifications of the exercise in its outbox that nobody
//! acknowledged (acknowledgements are not replicated, so other members'
//! contacts are theirs to report).

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages as html;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;

use super::pages::render;
use super::request_pages::request_address;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_store};
use crate::store::{NOTIFY_EVENTS_MAX, NotifyEvent, NotifyStatus};

/// This member's notifications among `alert_ids` that no one
/// acknowledged: still escalating, or unanswered by the last contact.
/// Baseline events were never sent, so no contact failed them.
fn failed_contacts(
    events: Vec<NotifyEvent>,
    alert_ids: &std::collections::BTreeSet<String>,
    lang: amtshilfe_dashboard::Lang,
) -> Vec<html::FailedContactRow> {
    events
        .into_iter()
        .filter(|event| alert_ids.contains(&event.alert_id))
        .filter_map(|event| {
            let unanswered = match event.status {
                NotifyStatus::Open => false,
                NotifyStatus::Unanswered => true,
                NotifyStatus::Baseline | NotifyStatus::Acknowledged { .. } => return None,
            };
            Some(html::FailedContactRow {
                seq: event.seq,
                subject: match lang {
                    amtshilfe_dashboard::Lang::De => event.subject_de,
                    amtshilfe_dashboard::Lang::En => event.subject_en,
                },
                contact: event.contact + 1,
                unanswered,
                sent_at_ms: event.created_ms,
            })
        })
        .collect()
}

/// `GET /anfragen/{owner}/{id}/auswertung`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
) -> Response {
    let path = format!("/anfragen/{owner}/{id}/auswertung");
    // The outbox is read through the accounts' store handle before the
    // core's lock is taken: a page never waits on the disk holding it.
    let events = with_store(&state, |store| {
        store
            .notify_events(NOTIFY_EVENTS_MAX)
            .map_err(ApiError::from)
    })
    .await;
    let events = match events {
        Ok(events) => events,
        Err(error) => return refuse(&path, error),
    };
    render(
        &state,
        &path,
        lang,
        move |core| {
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
            let failed = failed_contacts(events, &model.alert_ids_of_request(&address), lang.lang);
            Ok((ctx, title, report, names, failed))
        },
        |(ctx, title, report, names, failed)| {
            html::after_action(&ctx, &title, &report, &names, &failed)
        },
    )
    .await
}
