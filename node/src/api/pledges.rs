//! Pledges: this member promises to cover (part of) another member's need.
//!
//! The rules, checked against this node's read model under the same lock
//! as the write (so two pledges cannot both take the last open units):
//! 1. the pledge validates and its status is `offered` → else 400;
//! 2. the request is not this member's own → else 409 `own_request`;
//! 3. the request is known → else 404 `request_not_found`;
//!    it has the need → else 404 `need_not_found`;
//! 4. the request is `open` → else 409 `request_not_open`;
//! 5. the quantity is at most the need's open quantity (requested minus
//!    standing pledges of every member) → else 409 `over_open_quantity`;
//! 6. if the pledge draws on an offer: it is this member's offer → else
//!    404 `offer_not_found`; it is `available` → else 409
//!    `offer_not_available`; it has that many units still free → else 409
//!    `over_offer_remaining`.
//!
//! These are rules of this node's API, not of the protocol: a pledge that
//! another node wrote while it could not see a competing pledge is still
//! accepted everywhere, and the board then shows the need over-pledged.

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::model::{
    OfferStatus, Pledge, PledgeStatus, Record, RecordKey, RequestStatus, ValidationError,
};
use amtshilfe_protocol::read_model::{ReadModel, RecordAddress};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use super::write::{PLEDGE_ID_PREFIX, Saved, fresh_id, save};
use super::{ApiError, ApiState};

/// `POST /api/pledges`: a pledge of this member, as the model's `Pledge`
/// JSON. 201 with the new id; see the module docs for the refusals.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<Pledge>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(pledge) = body?;
    let saved = create_pledge(&state, pledge).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Checks and saves a pledge of this member (also used by the pages).
pub(crate) async fn create_pledge(state: &ApiState, pledge: Pledge) -> Result<Saved, ApiError> {
    pledge.validate()?;
    if pledge.status != PledgeStatus::Offered {
        return Err(ValidationError::Inconsistent {
            field: "status".into(),
            reason: "a new pledge must have the status \"offered\"",
        }
        .into());
    }
    let id = fresh_id(PLEDGE_ID_PREFIX)?;
    save(state, move |core, _| {
        check_pledge(core.replica().read_model(), core.device().member, &pledge)?;
        Ok((RecordKey::pledge(id), Record::Pledge(pledge)))
    })
    .await
}

/// Rules 2 to 6 of the module docs.
fn check_pledge(model: &ReadModel, me: MemberId, pledge: &Pledge) -> Result<(), ApiError> {
    let target = &pledge.request;
    if target.requester == me {
        return Err(ApiError::conflict(
            "own_request",
            "A member cannot pledge against its own request.",
        ));
    }
    let address = RecordAddress::new(target.requester, target.request.clone());
    let view = model.request_view(&address).ok_or_else(|| {
        ApiError::not_found(
            "request_not_found",
            format!(
                "The request {} of member {} is not known to this node (yet).",
                target.request, target.requester
            ),
        )
    })?;
    let need = view
        .needs
        .iter()
        .find(|need| need.need.id == target.need)
        .ok_or_else(|| {
            ApiError::not_found(
                "need_not_found",
                format!(
                    "The request {} has no need {}.",
                    target.request, target.need
                ),
            )
        })?;
    if view.request.status != RequestStatus::Open {
        return Err(ApiError::conflict(
            "request_not_open",
            format!("The request {} no longer wants pledges.", target.request),
        ));
    }
    let totals = need.totals;
    if pledge.quantity > totals.open {
        return Err(ApiError::conflict(
            "over_open_quantity",
            format!(
                "Only {} of the {} units of need {} are still open; a pledge of {} is too many.",
                totals.open, totals.requested, target.need, pledge.quantity
            ),
        ));
    }
    if let Some(offer_id) = &pledge.offer {
        check_offer(
            model,
            RecordAddress::new(me, offer_id.clone()),
            pledge.quantity,
        )?;
    }
    Ok(())
}

/// Rule 6: the offer a pledge draws on.
fn check_offer(model: &ReadModel, address: RecordAddress, quantity: u32) -> Result<(), ApiError> {
    let entry = model.offer(&address).ok_or_else(|| {
        ApiError::not_found(
            "offer_not_found",
            format!(
                "This member has no offer with the id {:?}.",
                address.id.as_str()
            ),
        )
    })?;
    if entry.offer.status != OfferStatus::Available {
        return Err(ApiError::conflict(
            "offer_not_available",
            format!("The offer {} is not available.", address.id),
        ));
    }
    if quantity > entry.remaining {
        return Err(ApiError::conflict(
            "over_offer_remaining",
            format!(
                "The offer {} has only {} of {} units free; a pledge of {quantity} is too many.",
                address.id, entry.remaining, entry.quantity
            ),
        ));
    }
    Ok(())
}
