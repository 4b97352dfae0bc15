//! `GET /pakt/kontakte`: the pact's emergency contact sheet to print, and
//! the stale-contact flags the Lagebild shows. Rows are copied under the
//! core's lock; which contacts are stale is the protocol's rule
//! (`pact::stale_contacts`, a quarter).

use std::collections::BTreeMap;

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{self as html, ContactSheetRow};
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::pact::{StaleReason, stale_contacts};
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::pages::render;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::clock;
use crate::core::Core;
use crate::http::ApiState;

/// Every current member whose 24/7 contacts are stale at `now_ms`, with
/// the reason.
pub(super) fn stale_by_member(core: &Core, now_ms: i64) -> BTreeMap<MemberId, StaleReason> {
    let replica = core.replica();
    let model = replica.read_model();
    let members = replica.membership().state().members().map(|(id, _)| *id);
    stale_contacts(members, |m| model.profile(m), now_ms)
        .into_iter()
        .map(|s| (s.member, s.reason))
        .collect()
}

fn rows(core: &Core, now_ms: i64) -> Vec<ContactSheetRow> {
    let stale = stale_by_member(core, now_ms);
    let replica = core.replica();
    let model = replica.read_model();
    let mut rows: Vec<ContactSheetRow> = replica
        .membership()
        .state()
        .members()
        .map(|(id, info)| {
            let profile = model.profile(id);
            ContactSheetRow {
                name: info.name.clone(),
                ags: profile.and_then(|p| p.ags.clone()),
                primary: profile.map(|p| p.primary_contact.clone()),
                deputy: profile.map(|p| p.deputy_contact.clone()),
                confirmed_ms: profile.and_then(|p| p.contacts_confirmed_ms),
                stale: stale.get(id).copied(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// `GET /pakt/kontakte`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    render(
        &state,
        "/pakt/kontakte",
        lang,
        move |core| {
            let now_ms = clock::now_ms();
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            let pact_name = crate::ops::pact::pact_name(core.replica());
            Ok((ctx, pact_name, rows(core, now_ms), now_ms))
        },
        |(ctx, pact_name, rows, now_ms)| html::contact_sheet(&ctx, &pact_name, &rows, now_ms),
    )
    .await
}
