//! Offers: a member adds its own offers, replaces them, and takes them out
//! of service. Only this member's offers can be changed: the owner's node
//! is the single writer of its own availability.

use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Offer, OfferStatus, Record, RecordKey};
use amtshilfe_protocol::read_model::RecordAddress;

use super::write::{OFFER_ID_PREFIX, Saved, fresh_id, save};
use crate::core::Core;
use crate::http::{ApiError, ApiState};

/// Validates and saves a new offer of this member .
pub(crate) async fn create_offer(state: &ApiState, offer: Offer) -> Result<Saved, ApiError> {
    offer.validate()?;
    let id = fresh_id(OFFER_ID_PREFIX)?;
    save(state, move |_, _| {
        Ok((RecordKey::offer(id), Record::Offer(offer)))
    })
    .await
}

/// Replaces one of this member's offers.
/// Nothing is written unless the new offer validates.
pub(crate) async fn replace_offer(
    state: &ApiState,
    id: String,
    mut offer: Offer,
) -> Result<Saved, ApiError> {
    offer.validate()?;
    save(state, move |core, now_ms| {
        let (id, current) = own_offer(core, &id)?;
        if current.kind() != offer.kind() {
            return Err(ApiError::conflict(
                "offer_kind_fixed",
                "An offer keeps its kind; withdraw it and make a new one instead.",
            ));
        }
        // Strictly later than the version it replaces, whatever the clocks say.
        offer.updated_at_ms = now_ms.max(current.updated_at_ms.saturating_add(1));
        Ok((RecordKey::offer(id), Record::Offer(offer)))
    })
    .await
}

/// This member's offer `id` as the read model has it, or 404.
pub(crate) fn own_offer(core: &Core, id: &str) -> Result<(RecordId, Offer), ApiError> {
    let not_found = || {
        ApiError::not_found(
            "offer_not_found",
            format!("This member has no offer with the id {id:?}."),
        )
    };
    let id = RecordId::new(id).map_err(|_| not_found())?;
    let address = RecordAddress::new(core.device().member, id.clone());
    let entry = core
        .replica()
        .read_model()
        .offer(&address)
        .ok_or_else(not_found)?;
    Ok((id, entry.offer.clone()))
}

/// Sets one of this member's offers `out_of_service` .
pub(crate) async fn withdraw_offer(state: &ApiState, id: String) -> Result<Saved, ApiError> {
    save(state, move |core, now_ms| {
        let (id, mut offer) = own_offer(core, &id)?;
        offer.status = OfferStatus::OutOfService;
        offer.updated_at_ms = offer.updated_at_ms.max(now_ms);
        Ok((RecordKey::offer(id), Record::Offer(offer)))
    })
    .await
}
