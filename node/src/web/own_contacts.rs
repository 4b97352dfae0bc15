//! `/pakt/kontakte/eigene`: this member's own 24/7 contacts, set (which
//! confirms them) or confirmed unchanged, over the same use cases as
//! `/api/profile/contacts…` (`ops::contacts`). A refused form shows the
//! page again with its values and reason; nothing is written.

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{self as html, OWN_CONTACTS_PATH, OwnContactsView};
use amtshilfe_protocol::model::Contact;
use amtshilfe_protocol::pact::stale_contacts;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::forms::{FormFields, field};
use super::pages::render_as;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::clock;
use crate::http::{ApiError, ApiState};
use crate::ops::contacts::{ContactsBody, confirm_contacts, set_contacts};

fn contact(fields: &FormFields, prefix: &str) -> Contact {
    Contact {
        role: field(fields, &format!("{prefix}_role")),
        phone: field(fields, &format!("{prefix}_phone")),
        email: field(fields, &format!("{prefix}_email")),
    }
}

async fn show(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    values: FormFields,
    error: Option<ApiError>,
) -> Response {
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, ApiError::status);
    let message = error.map(|e| e.to_string());
    render_as(
        state,
        OWN_CONTACTS_PATH,
        lang,
        status,
        move |core| {
            let own = core.device().member;
            let model = core.replica().read_model();
            let profile = model.profile(&own);
            let stale = stale_contacts([own], |m| model.profile(m), clock::now_ms());
            let view = OwnContactsView {
                primary: profile.map(|p| p.primary_contact.clone()),
                deputy: profile.map(|p| p.deputy_contact.clone()),
                confirmed_ms: profile.and_then(|p| p.contacts_confirmed_ms),
                stale: stale.first().map(|s| s.reason),
                values: values.into_iter().filter(|(n, _)| n != "csrf").collect(),
                error: message,
            };
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            Ok((ctx, view))
        },
        |(ctx, view)| html::own_contacts(&ctx, &view),
    )
    .await
}

/// `GET /pakt/kontakte/eigene`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    show(&state, lang, me, Vec::new(), None).await
}

/// `POST /pakt/kontakte/eigene`: sets and confirms the contacts.
pub(super) async fn set(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<FormFields>,
) -> Response {
    let optional = |name: &str| Some(field(&fields, name)).filter(|v| !v.is_empty());
    let body = ContactsBody {
        primary_contact: contact(&fields, "primary"),
        deputy_contact: contact(&fields, "deputy"),
        kind: optional("kind"),
        ags: optional("ags"),
    };
    match set_contacts(&state, body).await {
        Ok(_) => Redirect::to(OWN_CONTACTS_PATH).into_response(),
        Err(error) => show(&state, lang, me, fields, Some(error)).await,
    }
}

/// `POST /pakt/kontakte/eigene/bestaetigen`: confirms them unchanged.
pub(super) async fn confirm(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    match confirm_contacts(&state).await {
        Ok(_) => Redirect::to(OWN_CONTACTS_PATH).into_response(),
        Err(error) => show(&state, lang, me, Vec::new(), Some(error)).await,
    }
}
