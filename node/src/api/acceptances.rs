//! Acceptances: this member, as requester, takes up another member's pledge,
//! which makes it a binding mission order. The caller names the pledge; the
//! acceptance (request, need) is built from the pledge as this node's read
//! model has it.
//!
//! The rules, checked under the same lock as the write:
//! 1. the pledge is known → else 404 `pledge_not_found`;
//! 2. it is for one of this member's requests → else 409 `not_your_request`;
//! 3. it still stands → else 409 `pledge_withdrawn`; it has not lapsed
//!    (accepted within `PLEDGE_ACCEPT_WINDOW_MS` of being made) → else 409
//!    `pledge_lapsed`; the request is `open` → else 409 `request_not_open`;
//! 4. the acceptance validates (quantity at least 1, terms not too long)
//!    → else 400;
//! 5. the quantity is at most what is left of the pledge (pledged minus
//!    already accepted) → else 409 `over_pledged_quantity`.

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::model::{
    Acceptance, AcceptanceStatus, PledgeRef, PledgeStatus, Record, RecordKey, RequestStatus,
};
use amtshilfe_protocol::read_model::{PledgeView, ReadModel, RecordAddress, RequestView};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::write::{ACCEPTANCE_ID_PREFIX, Saved, fresh_id, save};
use super::{ApiError, ApiState};

/// The body of `POST /api/acceptances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceBody {
    /// The pledging member, hex.
    pub pledger: MemberId,
    /// The pledge's id in the pledger's document.
    pub pledge: RecordId,
    /// Units to accept.
    pub quantity: u32,
    /// Agreed terms, free text.
    #[serde(default)]
    pub terms: Option<String>,
}

/// `POST /api/acceptances`: accepts a pledge; 201 with the acceptance id.
/// See the module docs for the refusals.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Json<AcceptanceBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let Json(body) = body?;
    let saved = create_acceptance(&state, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Checks and saves an acceptance (also used by the pages).
pub(crate) async fn create_acceptance(
    state: &ApiState,
    body: AcceptanceBody,
) -> Result<Saved, ApiError> {
    let id = fresh_id(ACCEPTANCE_ID_PREFIX)?;
    save(state, move |core, now_ms| {
        let model = core.replica().read_model();
        let acceptance = build_acceptance(model, core.device().member, body, now_ms)?;
        Ok((RecordKey::acceptance(id), Record::Acceptance(acceptance)))
    })
    .await
}

fn build_acceptance(
    model: &ReadModel,
    me: MemberId,
    body: AcceptanceBody,
    now_ms: i64,
) -> Result<Acceptance, ApiError> {
    let wanted = RecordAddress::new(body.pledger, body.pledge.clone());
    let not_found = || {
        ApiError::not_found(
            "pledge_not_found",
            format!(
                "The pledge {} of member {} is not known to this node (yet).",
                body.pledge, body.pledger
            ),
        )
    };
    let pledge = model.pledge(&wanted).ok_or_else(not_found)?;
    let request = RecordAddress::new(pledge.request.requester, pledge.request.request.clone());
    let view = model
        .request_view(&request)
        .filter(|_| request.owner == me)
        .ok_or_else(|| {
            ApiError::conflict(
                "not_your_request",
                format!(
                    "The pledge {} is not for one of this member's requests.",
                    body.pledge
                ),
            )
        })?;
    // The pledge counts only under a need its request really has.
    let found = view
        .needs
        .iter()
        .flat_map(|need| &need.pledges)
        .find(|p| *p.address == wanted)
        .ok_or_else(not_found)?;
    accept(&view, found, body, now_ms)
}

/// Rules 3 to 5 for a pledge found under one of this member's requests.
fn accept(
    view: &RequestView<'_>,
    found: &PledgeView<'_>,
    body: AcceptanceBody,
    now_ms: i64,
) -> Result<Acceptance, ApiError> {
    let pledge = found.pledge;
    if pledge.status != PledgeStatus::Offered {
        return Err(ApiError::conflict(
            "pledge_withdrawn",
            format!("The pledge {} was withdrawn by its member.", body.pledge),
        ));
    }
    if !pledge.accepted_in_time(now_ms) {
        return Err(ApiError::conflict(
            "pledge_lapsed",
            format!(
                "The pledge {} was not accepted in time and has lapsed.",
                body.pledge
            ),
        ));
    }
    if view.request.status != RequestStatus::Open {
        return Err(ApiError::conflict(
            "request_not_open",
            format!("The request {} is no longer open.", view.address.id),
        ));
    }
    let acceptance = Acceptance {
        pledge: PledgeRef {
            pledger: body.pledger,
            pledge: body.pledge,
        },
        request: pledge.request.request.clone(),
        need: pledge.request.need.clone(),
        quantity: body.quantity,
        accepted_at_ms: now_ms,
        terms: body.terms,
        status: AcceptanceStatus::Active,
        hours_recorded: None,
        expenses_cents: None,
    };
    acceptance.validate()?;
    let left = pledge.quantity.saturating_sub(found.accepted_quantity);
    if acceptance.quantity > left {
        return Err(ApiError::conflict(
            "over_pledged_quantity",
            format!(
                "Only {left} of the {} pledged units are left to accept; {} is too many.",
                pledge.quantity, acceptance.quantity
            ),
        ));
    }
    Ok(acceptance)
}
