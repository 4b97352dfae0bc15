//! Aid linked to posture: the requester shares what it chooses (IRS
//! eligibility, optionally the raised red flags; never answers) with the
//! members standing by a pledge on its request, and a pledging helper
//! reads it.
//!
//! Who reads: the record `aid-…` in the requester's Posture document is
//! sealed to the requester and every member with a standing pledge
//! (offered, accepted or finished) that has published an encryption key;
//! [`reseal_due`] (run by the sealing task) re-seals it when pledges come
//! or go. A helper's node also refuses to show it unless this member
//! stands by a pledge on the request now ([`summary_for_helper`]): a
//! withdrawn pledge loses the view at once, before any re-sealing.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::posture::{
    AidShareLevel, AidSummary, PosturePayload, SealedPosture, aid_record, is_aid_record,
};
use amtshilfe_protocol::read_model::{PledgeState, RecordAddress};
use amtshilfe_protocol::seal::{EncryptionPublicKey, Reader, ReaderId};

use super::{delete, entropy, put};
use crate::core::Core;
use crate::http::ApiError;
use crate::ops::posture::posture_overview;
use crate::sealing::open::{open_sealed, published_keys};
use crate::sealing::posture::own_member_reader;
use crate::sealing::reseal::{ResealPlan, Stuck};

/// The same answer whether nothing was shared or this member may not see
/// it, so a member without a pledge cannot even learn that it exists.
pub const NOT_SHARED: &str = "posture_not_shared";
/// The request is not one of this member's.
pub const REQUEST_NOT_FOUND: &str = "request_not_found";
/// The member has saved no assessment to derive a summary from.
pub const NO_POSTURE: &str = "no_posture";

/// What sharing wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AidShared {
    /// The summary as sealed.
    pub summary: AidSummary,
    /// Pledging members it is sealed to.
    pub helpers: Vec<MemberId>,
    /// Pledging members without a published encryption key yet: sealed
    /// to them once their key arrives.
    pub waiting_for_key: Vec<MemberId>,
}

/// The members standing by a pledge on `request` of `requester` now.
pub fn standing_pledgers(
    core: &Core,
    requester: &MemberId,
    request: &RecordId,
    now_ms: i64,
) -> Vec<MemberId> {
    let address = RecordAddress::new(*requester, request.clone());
    let Some(view) = core
        .replica()
        .read_model()
        .request_view_at(&address, now_ms)
    else {
        return Vec::new();
    };
    let mut pledgers: Vec<MemberId> = view
        .needs
        .iter()
        .flat_map(|need| need.pledges.iter())
        .filter(|pledge| {
            matches!(
                pledge.state,
                PledgeState::Offered | PledgeState::Accepted | PledgeState::Finished
            )
        })
        .map(|pledge| pledge.address.owner)
        .filter(|pledger| pledger != requester)
        .collect();
    pledgers.sort();
    pledgers.dedup();
    pledgers
}

/// Who an aid summary is sealed to: the readers, the pledging members
/// among them, and the pledging members still without a key.
struct AidReaders {
    readers: Vec<Reader>,
    helpers: Vec<MemberId>,
    waiting: Vec<MemberId>,
}

/// The readers of the aid summary of `request`: the member (its counted
/// key must be the one held here, `own_member_reader`), not its officers,
/// plus every standing pledger with a published key.
fn aid_readers(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
    request: &RecordId,
    now_ms: i64,
) -> Result<AidReaders, ApiError> {
    let member = core.device().member;
    let own = own_member_reader(core, keys).map_err(|e| ApiError::Conflict {
        code: e.code(),
        message: e.to_string(),
    })?;
    let mut readers = vec![own];
    let (mut helpers, mut waiting) = (Vec::new(), Vec::new());
    let state = core.replica().membership().state();
    // A pledger removed from the pact is no reader, and waits for nothing:
    // no key it announces counts any more.
    let pledgers = standing_pledgers(core, &member, request, now_ms)
        .into_iter()
        .filter(|pledger| state.is_member(pledger));
    for pledger in pledgers {
        let id = ReaderId::Member(pledger);
        match keys.get(&id) {
            Some(key) => {
                readers.push(Reader { id, key: *key });
                helpers.push(pledger);
            }
            None => waiting.push(pledger),
        }
    }
    readers.sort();
    Ok(AidReaders {
        readers,
        helpers,
        waiting,
    })
}

fn own_request(core: &Core, request: &str) -> Result<RecordId, ApiError> {
    let member = core.device().member;
    RecordId::new(request)
        .ok()
        .filter(|id| {
            core.replica()
                .read_model()
                .request_view(&RecordAddress::new(member, id.clone()))
                .is_some()
        })
        .ok_or_else(|| ApiError::NotFound {
            code: REQUEST_NOT_FOUND,
            message: format!("This member has no request {request:?}."),
        })
}

/// The member shares its posture summary at `level` with the helpers
/// pledging on its request `request`: derived from its newest saved
/// assessment, sealed, written. Returns the ops to write (one record).
pub fn share(
    core: &Core,
    request: &str,
    level: AidShareLevel,
    now_ms: i64,
) -> Result<(RecordOp, AidShared), ApiError> {
    let request = own_request(core, request)?;
    let member = core.device().member;
    let overview = posture_overview(core, &member);
    let (revision, assessment) =
        overview
            .assessments
            .iter()
            .next_back()
            .ok_or_else(|| ApiError::Conflict {
                code: NO_POSTURE,
                message: "Save the posture self-assessment first; the summary is derived from it."
                    .into(),
            })?;
    let summary = AidSummary::of(request.as_str(), level, *revision, assessment, now_ms);
    let keys = published_keys(core.replica());
    let AidReaders {
        readers,
        helpers,
        waiting: waiting_for_key,
    } = aid_readers(core, &keys, &request, now_ms)?;
    let record = aid_record(request.as_str());
    let sealed = SealedPosture::seal(
        &core.replica().pact_id(),
        member,
        &record,
        &PosturePayload::AidSummary(summary.clone()),
        &readers,
        entropy()?,
    )
    .map_err(|e| ApiError::Conflict {
        code: "seal_refused",
        message: e.to_string(),
    })?;
    Ok((
        put(&record, sealed)?,
        AidShared {
            summary,
            helpers,
            waiting_for_key,
        },
    ))
}

/// The delete that withdraws the summary of the member's request (what a
/// helper has read it keeps; nothing is sealed to anyone afterwards).
pub fn unshare(core: &Core, request: &str) -> Result<RecordOp, ApiError> {
    let request = own_request(core, request)?;
    let record = aid_record(request.as_str());
    let member = core.device().member;
    let exists = core
        .replica()
        .read_model()
        .posture_records()
        .any(|(address, _)| address.owner == member && address.id.as_str() == record);
    if !exists {
        return Err(ApiError::NotFound {
            code: NOT_SHARED,
            message: "Nothing is shared for this request.".into(),
        });
    }
    delete(&record)
}

/// The summary `requester` shares for `request`, as this node's member
/// sees it: only while it stands by a pledge on the request (or is the
/// requester), and only if it opens and checks.
pub fn summary_for_helper(
    core: &Core,
    requester: &MemberId,
    request: &str,
    now_ms: i64,
) -> Result<AidSummary, ApiError> {
    let not_shared = || ApiError::NotFound {
        code: NOT_SHARED,
        message: "The requester shares no posture summary with this member.".into(),
    };
    let request = RecordId::new(request).map_err(|_| not_shared())?;
    let me = core.device().member;
    if me != *requester && !standing_pledgers(core, requester, &request, now_ms).contains(&me) {
        return Err(not_shared());
    }
    let record = aid_record(request.as_str());
    let address = RecordAddress::new(
        *requester,
        RecordId::new(record.clone()).map_err(|_| not_shared())?,
    );
    let sealed = core
        .replica()
        .read_model()
        .posture_records()
        .find(|(at, sealed)| **at == address && sealed.member == *requester)
        .map(|(_, sealed)| sealed)
        .ok_or_else(not_shared)?;
    let pact = core.replica().pact_id();
    let context = amtshilfe_protocol::posture::posture_context(&pact, requester, &record);
    let (_, opened) =
        open_sealed(core.seal_identities(), me, &sealed.sealed, &context).ok_or_else(not_shared)?;
    let plaintext = opened.map_err(|_| not_shared())?;
    match serde_json::from_slice(&plaintext) {
        Ok(PosturePayload::AidSummary(summary)) if summary.check(&record).is_ok() => Ok(summary),
        _ => Err(not_shared()),
    }
}

/// The member's aid summaries whose readers differ from those they must
/// reach now (pledges came or went, a helper published its key), sealed
/// again: puts, one per record.
pub fn reseal_due(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
    now_ms: i64,
    mut entropy: impl FnMut() -> Option<[u8; 32]>,
) -> ResealPlan {
    let mut plan = ResealPlan::default();
    let Some(secret) = &core.seal_identities().member else {
        return plan;
    };
    let member = core.device().member;
    let pact = core.replica().pact_id();
    let read_model = core.replica().read_model();
    // The member's aid summaries by record id, in one pass; the sealing
    // task runs this after every stored change, and a member shares none
    // most of the time: then the request board is not even built.
    let shared: BTreeMap<&str, (&RecordAddress, &SealedPosture)> = read_model
        .posture_records()
        .filter(|(address, _)| address.owner == member && is_aid_record(address.id.as_str()))
        .map(|(address, sealed)| (address.id.as_str(), (address, sealed)))
        .collect();
    if shared.is_empty() {
        return plan;
    }
    let own_requests: Vec<RecordId> = read_model
        .request_board()
        .into_iter()
        .filter(|view| view.address.owner == member)
        .map(|view| view.address.id.clone())
        .collect();
    for request in own_requests {
        let record = aid_record(request.as_str());
        let Some(&(address, sealed)) = shared.get(record.as_str()) else {
            continue;
        };
        let Ok(AidReaders {
            readers: required, ..
        }) = aid_readers(core, keys, &request, now_ms)
        else {
            return plan;
        };
        let mut current: Vec<Reader> = sealed.sealed.readers().copied().collect();
        current.sort();
        if current == required {
            continue;
        }
        let Some(entropy) = entropy() else {
            return plan;
        };
        match sealed.reseal(&pact, &ReaderId::Member(member), secret, &required, entropy) {
            Ok(resealed) => {
                if let Ok(op) = put(&record, resealed) {
                    plan.puts.push(op);
                }
            }
            Err(error) => plan.stuck.push(Stuck {
                address: address.clone(),
                reason: error.to_string(),
            }),
        }
    }
    plan
}
