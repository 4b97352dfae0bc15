//! Posture shared beyond the member and its officers, as flags and
//! aggregates only (`amtshilfe_protocol::posture::shared`):
//!
//! - [`aid`]: a member in need shares its IRS eligibility and raised red
//!   flags with the members that pledged on its request; a pledging
//!   helper reads them.
//! - [`benchmark`]: the hosted officer shares the pact benchmark with each
//!   member it serves; a member reads the benchmarks shared with it.
//!
//! Functions over the core (under its lock); the API adds HTTP.

pub mod aid;
pub mod benchmark;

#[cfg(test)]
mod tests;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::SealedPosture;

use crate::http::ApiError;
use crate::random::os_random;

fn posture_key(id: &str) -> Result<RecordKey, ApiError> {
    let id = RecordId::new(id).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(RecordKey {
        tag: RecordTag::Posture,
        id,
    })
}

fn put(id: &str, sealed: SealedPosture) -> Result<RecordOp, ApiError> {
    Ok(RecordOp::Put {
        key: posture_key(id)?.to_string(),
        json: Record::Posture(sealed).to_json(),
    })
}

fn delete(id: &str) -> Result<RecordOp, ApiError> {
    Ok(RecordOp::Delete {
        key: posture_key(id)?.to_string(),
    })
}

fn entropy() -> Result<[u8; 32], ApiError> {
    os_random().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))
}
