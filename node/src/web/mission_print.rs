//! `GET /auftraege/{requester}/{id}/druck`: one mission order as a page to
//! print. Everything is copied under the core's lock into an owned
//! [`MissionPrint`]; the signing devices are read from the documents the
//! acceptance and the pledge live in (the actor of the value that won is
//! the device whose signed change wrote it).

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{self as html, MissionPrint, PrintParty};
use amtshilfe_protocol::ids::{DocumentId, MemberId, RecordId};
use amtshilfe_protocol::model::{RecordKey, RecordTag};
use amtshilfe_protocol::read_model::{PledgeLink, RecordAddress, SettlementState};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;

use super::pages::render;
use super::request_pages::request_address;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::core::Core;
use crate::http::{ApiError, ApiState};

fn not_found() -> ApiError {
    ApiError::not_found(
        "mission_order_not_found",
        "There is no such mission order on this node (yet).",
    )
}

/// `GET /auftraege/{requester}/{id}/druck`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path((owner, id)): Path<(String, String)>,
) -> Response {
    let path = format!("/auftraege/{owner}/{id}/druck");
    render(
        &state,
        &path,
        lang,
        move |core| {
            let address = request_address(&owner, &id).map_err(|_| not_found())?;
            let order = print_view(core, &address).ok_or_else(not_found)?;
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            Ok((ctx, order))
        },
        |(ctx, order)| html::mission_print(&ctx, &order),
    )
    .await
}

/// The device key that last wrote record `tag:id` in `owner`'s document of
/// `collection`, as hex.
fn signer(core: &Core, owner: MemberId, tag: RecordTag, id: &RecordId) -> Option<String> {
    let document = DocumentId::new(owner, tag.collection());
    let key = RecordKey {
        tag,
        id: id.clone(),
    };
    let signer = core
        .replica()
        .document(&document)?
        .record_signer(&key.to_string())?;
    Some(signer.to_string())
}

fn party(core: &Core, member: MemberId, signer: Option<String>) -> PrintParty {
    let model = core.replica().read_model();
    let profile = model.profile(&member);
    let name = model.member_name(&member).map(str::to_owned);
    PrintParty {
        member: member.to_string(),
        name,
        ags: profile.and_then(|p| p.ags.clone()),
        contacts: profile
            .map(|p| vec![p.primary_contact.clone(), p.deputy_contact.clone()])
            .unwrap_or_default(),
        signer,
    }
}

fn print_view(core: &Core, address: &RecordAddress) -> Option<MissionPrint> {
    let model = core.replica().read_model();
    let order = model
        .mission_orders_of(&address.owner)
        .into_iter()
        .find(|order| order.address == address)?;
    let acceptance = order.acceptance;
    let request = model.request_view(&RecordAddress::new(
        address.owner,
        acceptance.request.clone(),
    ));
    let need = request.as_ref().and_then(|view| {
        view.needs
            .iter()
            .find(|need| need.need.id == acceptance.need)
            .map(|need| need.need.clone())
    });
    let offer = match &order.pledge {
        PledgeLink::Joined {
            offer: Some(offer), ..
        } => Some(offer.title.clone()),
        _ => None,
    };
    let pledge_known = !matches!(order.pledge, PledgeLink::AwaitingPledge);
    let settlement = match order.settlement {
        SettlementState::NotRecorded => None,
        SettlementState::Recorded { settlement } | SettlementState::Differs { settlement } => {
            Some((settlement.hours, settlement.expenses_cents, false))
        }
        SettlementState::Confirmed { settlement } => {
            Some((settlement.hours, settlement.expenses_cents, true))
        }
    };
    let acceptance_signer = signer(core, address.owner, RecordTag::Acceptance, &address.id);
    let pledge_signer = pledge_known
        .then(|| {
            signer(
                core,
                order.pledger,
                RecordTag::Pledge,
                &acceptance.pledge.pledge,
            )
        })
        .flatten();
    Some(MissionPrint {
        id: address.id.to_string(),
        request_title: request
            .as_ref()
            .map(|view| view.request.title.clone())
            .unwrap_or_default(),
        requester: party(core, address.owner, acceptance_signer),
        helper: party(core, order.pledger, pledge_signer),
        need,
        quantity: acceptance.quantity,
        offer,
        window: request
            .as_ref()
            .map_or((0, 0), |view| (view.request.start_ms, view.request.end_ms)),
        accepted_at_ms: acceptance.accepted_at_ms,
        terms: acceptance.terms.clone(),
        status: acceptance.status,
        settlement,
        exercise: order.exercise,
    })
}
