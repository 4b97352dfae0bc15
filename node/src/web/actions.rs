//! The form posts: each turns its fields into the body of the matching
//! API write, runs it (same rules, same durability, same announcement) and
//! sends the browser back to the page (303), or shows the error.

use amtshilfe_dashboard::offer_fields::{self, FormError, kind_of, name};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::LangChoice;
use super::forms::{self, Fields};
use super::pages::{FormState, edit_page, resources_page};
use super::request_pages::{
    RequestRefusal, request_address, request_form_page, request_page_after,
};
use crate::accounts::Principal;
use crate::clock;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::acceptances::create_acceptance;
use crate::ops::offers::{
    create_offer as save_offer, own_offer, replace_offer as save_replacement,
    withdraw_offer as save_withdrawal,
};
use crate::ops::pledges::create_pledge;
use crate::ops::requests::create_request as save_request;

/// Why a submitted offer form was refused, and which field it is about.
#[derive(Debug)]
struct Refused {
    error: ApiError,
    field: Option<String>,
}

/// The model refused the offer: point at the form field of the model
/// field it names.
impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        let field = match &error {
            ApiError::Validation(invalid) => offer_fields::form_field(invalid.field()),
            _ => None,
        };
        Self { error, field }
    }
}

/// The form could not be read as an offer (a number that is none, …).
impl From<FormError> for Refused {
    fn from(refused: FormError) -> Self {
        Self {
            error: ApiError::InvalidBody(refused.message),
            field: refused.field,
        }
    }
}

/// `POST /ressourcen`: on success back to the list; when refused, the
/// page again with the message and what was typed.
pub(super) async fn create_offer(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = match offer_fields::offer_of(&fields, clock::now_ms(), None) {
        Ok(offer) => save_offer(&state, offer).await.map_err(Refused::from),
        Err(refused) => Err(Refused::from(refused)),
    };
    match result {
        Ok(_) => Redirect::to("/ressourcen").into_response(),
        Err(refused) => {
            let form = FormState {
                kind: kind_of(&forms::text(&fields, name::KIND)),
                values: fields,
                error: Some((refused.error, refused.field)),
            };
            resources_page(&state, lang, me, form).await
        }
    }
}

/// `POST /ressourcen/{id}/bearbeiten`: replaces the offer (same rules as
/// `PUT /api/offers/{id}`); when refused, the edit page again with the
/// message and what was typed.
pub(super) async fn edit_offer(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let wanted = id.clone();
    let base = with_core(&state, move |core| own_offer(core, &wanted)).await;
    let (_, base) = match base {
        Ok(found) => found,
        Err(error) => return refuse(&format!("/ressourcen/{id}/bearbeiten"), error),
    };
    let result = match offer_fields::offer_of(&fields, clock::now_ms(), Some(&base)) {
        Ok(offer) => save_replacement(&state, id.clone(), offer)
            .await
            .map_err(Refused::from),
        Err(refused) => Err(Refused::from(refused)),
    };
    match result {
        Ok(_) => Redirect::to("/ressourcen").into_response(),
        Err(refused) => {
            let form = FormState {
                kind: None,
                values: fields,
                error: Some((refused.error, refused.field)),
            };
            edit_page(&state, lang, me, id, form).await
        }
    }
}

/// `POST /ressourcen/{id}/zurueckziehen`.
pub(super) async fn withdraw_offer(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Response {
    match save_withdrawal(&state, id).await {
        Ok(_) => Redirect::to("/ressourcen").into_response(),
        Err(error) => refuse("/ressourcen", error),
    }
}

/// `POST /anfordern`: on success, to the new request's page; when
/// refused, the form again with the reason and what was typed.
pub(super) async fn create_request(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<Fields>,
) -> Response {
    let member = state.member;
    let result = async {
        let request = forms::request(&fields, clock::now_ms())?;
        save_request(&state, request).await
    }
    .await;
    match result {
        Ok(saved) => Redirect::to(&format!("/anfragen/{member}/{}", saved.id)).into_response(),
        Err(error) => {
            let field = forms::request_field(&error, &fields);
            request_form_page(&state, lang, me, fields, Some((error, field))).await
        }
    }
}

/// `POST /anfragen/{owner}/{id}/zusage`; when refused, the request page
/// again with the reason.
pub(super) async fn pledge(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let need = forms::text(&fields, "need");
    let result = async {
        let address = request_address(&owner, &id)?;
        let pledge = forms::pledge(&fields, &address, clock::now_ms())?;
        create_pledge(&state, pledge).await
    }
    .await;
    let refused = result
        .err()
        .map(|error| RequestRefusal::Pledge { need, error });
    request_page_after(&state, lang, me, &owner, &id, refused).await
}

/// `POST /anfragen/{owner}/{id}/annahme`; when refused, the request page
/// again with the reason.
pub(super) async fn accept(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let pledge = forms::text(&fields, "pledge");
    let result = async { create_acceptance(&state, forms::acceptance(&fields)?).await }.await;
    let refused = result
        .err()
        .map(|error| RequestRefusal::Acceptance { pledge, error });
    request_page_after(&state, lang, me, &owner, &id, refused).await
}
