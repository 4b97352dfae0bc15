//! Offers: a member adds its own offers and takes them out of service.
//! Only this member's offers can be changed here: the owner's node is the
//! single writer of its own availability.

use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Offer, OfferStatus, Record, RecordKey};
use amtshilfe_protocol::read_model::RecordAddress;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::write::{OFFER_ID_PREFIX, Saved, fresh_id, save};
use super::{ApiError, ApiState};

/// `POST /api/offers`: a new offer of this member, as the model's `Offer`
/// JSON. 201 with the new id; 400 if it breaks a model rule.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<Offer>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(offer) = body?;
    let saved = create_offer(&state, offer).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Validates and saves a new offer of this member (also used by the pages).
pub(crate) async fn create_offer(state: &ApiState, offer: Offer) -> Result<Saved, ApiError> {
    offer.validate()?;
    let id = fresh_id(OFFER_ID_PREFIX)?;
    save(state, move |_, _| {
        Ok((RecordKey::offer(id), Record::Offer(offer)))
    })
    .await
}

/// `POST /api/offers/{id}/withdraw`: sets one of this member's offers to
/// `out_of_service` (the rest of the offer as the read model has it).
/// 404 `offer_not_found` if this member has no offer with that id.
pub(super) async fn withdraw(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Saved>, ApiError> {
    withdraw_offer(&state, id).await.map(Json)
}

/// Sets one of this member's offers `out_of_service` (also used by the pages).
pub(crate) async fn withdraw_offer(state: &ApiState, id: String) -> Result<Saved, ApiError> {
    save(state, move |core, now_ms| {
        let not_found = || {
            ApiError::not_found(
                "offer_not_found",
                format!("This member has no offer with the id {id:?}."),
            )
        };
        let id = RecordId::new(id.as_str()).map_err(|_| not_found())?;
        let address = RecordAddress::new(core.device().member, id.clone());
        let entry = core
            .replica()
            .read_model()
            .offer(&address)
            .ok_or_else(not_found)?;
        let mut offer = entry.offer.clone();
        offer.status = OfferStatus::OutOfService;
        offer.updated_at_ms = offer.updated_at_ms.max(now_ms);
        Ok((RecordKey::offer(id), Record::Offer(offer)))
    })
    .await
}
