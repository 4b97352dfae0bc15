//! Pledges: this member promises to cover (part of) another member's need.
//!
//! The pledge must validate with the status `offered` (else
//! `validation_failed`); then the read model's rules
//! (`read_model::rules::check_pledge`, codes in `PledgeRefusal::CODES`)
//! are checked under the same lock as the write, so two pledges cannot
//! both take the last open units.

use amtshilfe_protocol::model::{Pledge, PledgeStatus, Record, RecordKey, ValidationError};
use amtshilfe_protocol::read_model::check_pledge;

use super::write::{PLEDGE_ID_PREFIX, Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};

/// Checks and saves a pledge of this member.
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
    save(state, move |core, now_ms| {
        check_pledge(
            core.replica().read_model(),
            core.device().member,
            &pledge,
            now_ms,
        )?;
        Ok((RecordKey::pledge(id), Record::Pledge(pledge)))
    })
    .await
}
