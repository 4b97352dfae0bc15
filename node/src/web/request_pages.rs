//! The two request pages: Hilfe anfordern (the form) and one request with
//! its pledges and mission orders. Both are shown again, with the reason
//! and (for the form) what was typed, when a submission is refused.

use amtshilfe_dashboard::pages::{self as html, FormError, FormValues, PageRefusal, RequestPage};
use amtshilfe_dashboard::{Ctx, Lang, Nav};
use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::model::RequestRef;
use amtshilfe_protocol::posture::AidSummary;
use amtshilfe_protocol::read_model::{
    MissionOrder, OfferEntry, OwnedMissionOrder, OwnedOfferEntry, OwnedRequestView,
    OwnedSuggestion, RecordAddress, Suggestion,
};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::render_as;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::clock;
use crate::core::Core;
use crate::http::{ApiError, ApiState};
use crate::ops::reads::RegistryQuery;

/// `GET /anfordern`.
pub(super) async fn request_form(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    request_form_page(&state, lang, me, FormValues::new(), None).await
}

/// The Hilfe-anfordern page; after a refusal, with what was typed and why
/// (answered with the refusal's status).
pub(super) async fn request_form_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    values: FormValues,
    refused: Option<(ApiError, Option<String>)>,
) -> Response {
    let status = refused
        .as_ref()
        .map_or(StatusCode::OK, |(error, _)| error.status());
    let error = refused.map(|(error, field)| FormError {
        message: error.to_string(),
        field,
    });
    render_as(
        state,
        "/anfordern",
        lang,
        status,
        move |core| Ok(ctx_for(core, &me, lang.lang, Nav::Anfordern)),
        move |ctx| html::request_form(&ctx, clock::now_ms(), &values, error.as_ref()),
    )
    .await
}

/// The address in a request page's path.
pub(super) fn request_address(owner: &str, id: &str) -> Result<RecordAddress, ApiError> {
    let not_found = || {
        ApiError::not_found(
            "request_not_found",
            "There is no such request on this node (yet).",
        )
    };
    let owner: MemberId = owner.parse().map_err(|_| not_found())?;
    let id = RecordId::new(id).map_err(|_| not_found())?;
    Ok(RecordAddress::new(owner, id))
}

/// A refused form of the request page.
#[derive(Debug)]
pub(super) enum RequestRefusal {
    /// The pledge form of the need with this id.
    Pledge { need: String, error: ApiError },
    /// The accept form of the pledge with this id.
    Acceptance { pledge: String, error: ApiError },
}

/// `GET /anfragen/{owner}/{id}`.
pub(super) async fn request(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
) -> Response {
    request_page(&state, lang, me, &owner, &id, None).await
}

/// The request page; after a refused pledge or acceptance, with the reason
/// above the needs and the form's field marked (answered with the
/// refusal's status).
async fn request_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    owner: &str,
    id: &str,
    refused: Option<RequestRefusal>,
) -> Response {
    let path = format!("/anfragen/{owner}/{id}");
    let (owner, id) = (owner.to_owned(), id.to_owned());
    let status = match &refused {
        Some(RequestRefusal::Pledge { error, .. } | RequestRefusal::Acceptance { error, .. }) => {
            error.status()
        }
        None => StatusCode::OK,
    };
    render_as(
        state,
        &path,
        lang,
        status,
        move |core| request_page_view(core, &me, lang.lang, &owner, &id),
        move |copy| {
            let view = copy.view.view();
            let refused = refused.map(|refused| match refused {
                RequestRefusal::Pledge { need, error } => {
                    PageRefusal::pledge(&view, &need, error.to_string())
                }
                RequestRefusal::Acceptance { pledge, error } => {
                    PageRefusal::acceptance(&pledge, error.to_string())
                }
            });
            let page = RequestPage {
                view: &view,
                mine: copy.mine,
                suggestions: copy
                    .suggestions
                    .iter()
                    .map(|need| need.iter().map(OwnedSuggestion::view).collect())
                    .collect(),
                my_offers: copy.my_offers.iter().map(OwnedOfferEntry::entry).collect(),
                missions: copy.missions.iter().map(OwnedMissionOrder::view).collect(),
                refused,
                posture: copy.posture,
            };
            html::request(&copy.ctx, &page)
        },
    )
    .await
}

/// What the request page shows, copied under the core's lock.
struct RequestPageCopy {
    ctx: Ctx,
    view: OwnedRequestView,
    mine: bool,
    suggestions: Vec<Vec<OwnedSuggestion>>,
    my_offers: Vec<OwnedOfferEntry>,
    missions: Vec<OwnedMissionOrder>,
    posture: Option<AidSummary>,
}

fn request_page_view(
    core: &Core,
    me: &Principal,
    lang: Lang,
    owner: &str,
    id: &str,
) -> Result<RequestPageCopy, ApiError> {
    let address = request_address(owner, id)?;
    let ctx = ctx_for(core, me, lang, Nav::Other);
    let model = core.replica().read_model();
    let view = model
        .request_view_at(&address, clock::now_ms())
        .ok_or_else(|| {
            ApiError::not_found(
                "request_not_found",
                "There is no such request on this node (yet).",
            )
        })?;
    let member = core.device().member;
    let suggestions = view
        .needs
        .iter()
        .map(|need| {
            model
                .suggest(&RequestRef {
                    requester: address.owner,
                    request: address.id.clone(),
                    need: need.need.id.clone(),
                })
                .iter()
                .map(Suggestion::to_owned_view)
                .collect()
        })
        .collect();
    let mine_filter = RegistryQuery {
        owner: Some(member),
        ..RegistryQuery::default()
    }
    .to_filter()?;
    let missions = model
        .mission_orders()
        .iter()
        .filter(|order| {
            order.address.owner == address.owner && order.acceptance.request == address.id
        })
        .map(MissionOrder::to_owned_view)
        .collect();
    Ok(RequestPageCopy {
        ctx,
        view: view.to_owned_view(),
        mine: address.owner == member,
        suggestions,
        my_offers: model
            .registry(&mine_filter)
            .iter()
            .map(OfferEntry::to_owned_entry)
            .collect(),
        missions,
        // Only for a member standing by a pledge (or the requester);
        // any refusal simply shows nothing.
        posture: crate::ops::shared_posture::aid::summary_for_helper(
            core,
            &address.owner,
            address.id.as_str(),
            clock::now_ms(),
        )
        .ok(),
    })
}

/// After a pledge or acceptance form: back to the request page (303) if
/// it was saved, else the page again with the refusal.
pub(super) async fn request_page_after(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    owner: &str,
    id: &str,
    refused: Option<RequestRefusal>,
) -> Response {
    match refused {
        None => Redirect::to(&format!("/anfragen/{owner}/{id}")).into_response(),
        refused => request_page(state, lang, me, owner, id, refused).await,
    }
}
