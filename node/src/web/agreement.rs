//! `GET /pakt/vereinbarung`: the pact's agreement and its history, as the
//! membership log has them (`MembershipState::agreement_history`), and
//! for admins the form proposing a change (`agreement_form.rs`), which
//! goes through the Pakt page's review (`/pakt/pruefen`).

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages as html;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::pages::render;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::http::ApiState;

/// `GET /pakt/vereinbarung`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    let holds_member_key = crate::ops::pact_actions::holds_member_key(&state);
    render(
        &state,
        "/pakt/vereinbarung",
        lang,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            let history = core
                .replica()
                .membership()
                .state()
                .agreement_history()
                .to_vec();
            Ok((ctx, history))
        },
        move |(ctx, history)| {
            let form = html::AgreementForm {
                previous: history.last().map(|v| v.proposal.to_string()),
                holds_member_key,
            };
            html::agreement(&ctx, &history, &form)
        },
    )
    .await
}
