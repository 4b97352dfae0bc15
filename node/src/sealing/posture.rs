//! Sealing one of the member's own posture records for writing: to the
//! readers it must reach now (`open::posture_readers_now`).

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{PosturePayload, SealedPosture};
use amtshilfe_protocol::seal::{EncryptionPublicKey, Reader, ReaderId, SealError};

use super::open::{MemberKeyMissing, posture_readers_among, published_keys};
use crate::core::Core;

/// The member's counted encryption key (the newest announced) is not the
/// one this node holds; nothing is sealed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the member's newest published encryption key is not the member-seal.key this node holds \
     (install the same key on every node of the member, or rotate the member key if a lost \
     device published it)"
)]
pub struct MemberKeyNotHeld;

/// Why a posture record could not be sealed; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealPostureError {
    /// The member has no published encryption key.
    #[error(transparent)]
    MemberKeyMissing(#[from] MemberKeyMissing),
    /// The member's counted key is not the one this node holds.
    #[error(transparent)]
    MemberKeyNotHeld(#[from] MemberKeyNotHeld),
    /// Sealing refused (too large, a weak key).
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl SealPostureError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            SealPostureError::MemberKeyMissing(_) => "seal_key_missing",
            SealPostureError::MemberKeyNotHeld(_) => "seal_key_not_held",
            SealPostureError::Seal(_) => "seal_refused",
        }
    }
}

/// The readers the node's own member's posture must be sealed to now
/// (`posture_readers_now`), but only if the member key among them is the
/// one this node holds: sealing the member's posture to a member key that
/// this node does not hold would hand it to whoever published that key (a
/// device that still speaks for the member, such as a stolen one whose
/// delegation ran out, can publish one). The sealing task reports such a
/// key as outbid.
pub fn own_posture_readers(core: &Core) -> Result<Vec<Reader>, SealPostureError> {
    own_readers_among(core, &published_keys(core.replica()))
}

/// [`own_posture_readers`] with the counted keys computed once by the
/// caller (the sealing task's round).
pub fn own_readers_among(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
) -> Result<Vec<Reader>, SealPostureError> {
    own_member_reader(core, keys)?;
    let member = core.device().member;
    let state = core.replica().membership().state();
    Ok(posture_readers_among(keys, state, &member)?)
}

/// The node's member as a reader with its counted key (among `keys`,
/// `open::published_keys`), if that key is the one this node holds. Every
/// record the member seals (posture, timeline lines, aid summaries) asks
/// this first: never to a member key this node does not hold (see
/// [`own_posture_readers`]).
pub fn own_member_reader(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
) -> Result<Reader, SealPostureError> {
    let id = ReaderId::Member(core.device().member);
    let counted = *keys.get(&id).ok_or(MemberKeyMissing)?;
    let held = core.seal_identities().member.as_ref().map(|s| s.public());
    if held != Some(counted) {
        return Err(MemberKeyNotHeld.into());
    }
    Ok(Reader { id, key: counted })
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
    let readers = own_posture_readers(core)?;
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
