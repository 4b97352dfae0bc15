//! Aid requests: a hit member asks the pact for help with typed needs.

use amtshilfe_protocol::model::{AidRequest, Record, RecordKey};

use super::write::{REQUEST_ID_PREFIX, Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};

/// Validates and saves a new request of this member.
pub(crate) async fn create_request(
    state: &ApiState,
    request: AidRequest,
) -> Result<Saved, ApiError> {
    request.validate()?;
    let id = fresh_id(REQUEST_ID_PREFIX)?;
    save(state, move |_, _| {
        Ok((RecordKey::request(id), Record::Request(request)))
    })
    .await
}
