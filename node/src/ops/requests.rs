//! Aid requests: a hit member asks the pact for help with typed needs.

use amtshilfe_protocol::model::{AidRequest, Record, RecordKey};
use amtshilfe_protocol::pact::EXERCISE_ID_PREFIX;

use super::write::{REQUEST_ID_PREFIX, Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};

/// Validates and saves a new request of this member.
pub(crate) async fn create_request(
    state: &ApiState,
    request: AidRequest,
) -> Result<Saved, ApiError> {
    request.validate()?;
    // An exercise is marked by its id (see `pact::exercise`), so it can
    // never be turned into a real request later.
    let prefix = if request.exercise {
        format!("{EXERCISE_ID_PREFIX}{REQUEST_ID_PREFIX}")
    } else {
        REQUEST_ID_PREFIX.to_owned()
    };
    let id = fresh_id(&prefix)?;
    save(state, move |_, _| {
        Ok((RecordKey::request(id), Record::Request(request)))
    })
    .await
}
