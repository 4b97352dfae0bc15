//! Acceptances: this member, as requester, takes up another member's
//! pledge, which makes it a binding mission order. The caller names the
//! pledge; the acceptance (request, need) is built from the pledge as this
//! node's read model has it, by `read_model::rules::accept_pledge` (codes
//! in `AcceptanceRefusal::CODES`), under the same lock as the write.

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::model::{QUANTITY_MAX, Record, RecordKey};
use amtshilfe_protocol::read_model::{AcceptanceDraft, accept_pledge};
use serde::{Deserialize, Serialize};

use super::write::{ACCEPTANCE_ID_PREFIX, Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};

/// The body of `POST /api/acceptances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceBody {
    /// The pledging member, hex.
    pub pledger: MemberId,
    /// The pledge's id in the pledger's document.
    pub pledge: RecordId,
    /// Units to accept.
    #[schemars(range(min = 1, max = QUANTITY_MAX))]
    pub quantity: u32,
    /// Agreed terms, free text.
    #[serde(default)]
    pub terms: Option<String>,
}

/// Checks and saves an acceptance.
pub(crate) async fn create_acceptance(
    state: &ApiState,
    body: AcceptanceBody,
) -> Result<Saved, ApiError> {
    let id = fresh_id(ACCEPTANCE_ID_PREFIX)?;
    let draft = AcceptanceDraft {
        pledger: body.pledger,
        pledge: body.pledge,
        quantity: body.quantity,
        terms: body.terms,
    };
    save(state, move |core, now_ms| {
        let model = core.replica().read_model();
        let acceptance = accept_pledge(model, core.device().member, draft, now_ms)?;
        Ok((RecordKey::acceptance(id), Record::Acceptance(acceptance)))
    })
    .await
}
