//! What the posture routes of both adapters share (the JSON API in
//! `api/posture.rs`, `api/shared_posture.rs` and the pages in
//! `web/posture_pages.rs`, `web/aid_posture.rs`): how a refused posture
//! write answers, the served member a path names, and the posture share's
//! write. Announcing what was written is `ops::announce`, as for every
//! write.

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, MemberId};
use amtshilfe_protocol::posture::AidShareLevel;

use super::ApiError;
use crate::clock;
use crate::core::Core;
use crate::ops::posture::{PostureError, serves};
use crate::ops::shared_posture::aid::{self, AidShared};

/// The API's answer to a refused posture write; nothing was written.
pub(crate) fn posture_error(error: PostureError) -> ApiError {
    let code = error.code();
    let message = error.to_string();
    match error {
        PostureError::Write(error) => error.into(),
        PostureError::Random(detail) => ApiError::Internal(detail),
        PostureError::NoOfficer => ApiError::not_found(code, message),
        PostureError::NotServing => member_not_served(),
        PostureError::NothingToSubmit | PostureError::NotSubmitted(_) | PostureError::Seal(_) => {
            ApiError::conflict(code, message)
        }
        PostureError::Invalid(_) | PostureError::TooLarge(_) | PostureError::InvalidReview(_) => {
            ApiError::BodyRule { code, message }
        }
    }
}

pub(crate) fn member_not_served() -> ApiError {
    ApiError::not_found(
        "member_not_served",
        "The joint security officer on this node does not serve this member.",
    )
}

pub(crate) fn no_officer_here() -> ApiError {
    posture_error(PostureError::NoOfficer)
}

/// Shares the posture summary of this member's request `request` at
/// `level`, or withdraws it (`None`), written durably; the share answers
/// what was shared with whom. Both adapters' consent goes through here.
pub(crate) fn write_aid_share(
    core: &mut Core,
    request: &str,
    level: Option<AidShareLevel>,
) -> Result<(Envelope, Option<AidShared>), ApiError> {
    let now_ms = clock::now_ms();
    let (op, shared) = match level {
        Some(level) => {
            let (op, shared) = aid::share(core, request, level, now_ms)?;
            (op, Some(shared))
        }
        None => (aid::unshare(core, request)?, None),
    };
    Ok((core.write(Collection::Posture, &[op], now_ms)?, shared))
}

/// The served member named by the path, else 404 (the pages use it too).
pub(crate) fn served(core: &crate::core::Core, member: &str) -> Result<MemberId, ApiError> {
    if core.seal_identities().officer_key().is_none() {
        return Err(no_officer_here());
    }
    let member: MemberId = member.parse().map_err(|_| member_not_served())?;
    if serves(core, &member) {
        Ok(member)
    } else {
        Err(member_not_served())
    }
}
