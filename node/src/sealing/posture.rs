//! Sealing one of the member's own posture records for writing: to the
//! readers it must reach now (`open::posture_readers_now`).

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{PosturePayload, SealedPosture};
use amtshilfe_protocol::seal::SealError;

use super::open::{MemberKeyMissing, posture_readers_now};
use crate::core::Core;

/// Why a posture record could not be sealed; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealPostureError {
    /// The member has no published encryption key.
    #[error(transparent)]
    MemberKeyMissing(#[from] MemberKeyMissing),
    /// Sealing refused (too large, a weak key).
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl SealPostureError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            SealPostureError::MemberKeyMissing(_) => "seal_key_missing",
            SealPostureError::Seal(_) => "seal_refused",
        }
    }
}

/// The put that stores `payload` as the node's member's posture record
/// `id`, sealed to the member and its officers with published keys.
pub fn seal_posture_put(
    core: &Core,
    id: &RecordId,
    payload: &PosturePayload,
    entropy: [u8; 32],
) -> Result<RecordOp, SealPostureError> {
    let member = core.device().member;
    let replica = core.replica();
    let readers = posture_readers_now(replica, &member)?;
    let sealed = SealedPosture::seal(
        &replica.pact_id(),
        member,
        id.as_str(),
        payload,
        &readers,
        entropy,
    )?;
    let key = RecordKey {
        tag: RecordTag::Posture,
        id: id.clone(),
    };
    Ok(RecordOp::Put {
        key: key.to_string(),
        json: Record::Posture(sealed).to_json(),
    })
}
