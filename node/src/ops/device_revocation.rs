//! Revoking a lost or stolen device of this node's member: a
//! `RevokeDevice` entry signed with the member key, freezing the device's
//! writes at the heads of the member's documents this node has (its
//! earlier changes stay valid, like a rotation's). Needs no majority. The
//! Pakt page reviews it first and signs only what the review showed; the
//! command line signs it with an offline key (`amtshilfe member
//! revoke-device --member-key FILE`) and hands it in like any entry.

use amtshilfe_protocol::ids::{MemberId, PublicKey};
use amtshilfe_protocol::membership::{EntryKind, FrozenHeads};
use serde::Deserialize;

use super::pact::{heads_text, member_heads};
use super::pact_actions::{
    Preview, SignedAnswer, announce, check_current, commit, member_key, shown_digest,
};
use crate::clock;
use crate::core::Core;
use crate::http::{ApiError, ApiState, with_core};

/// Which device to revoke, as the API takes it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeDeviceBody {
    /// The device key (its node's peer id key), hex; a device this
    /// node's member delegated.
    #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
    pub device: String,
}

fn device_of(body: &RevokeDeviceBody) -> Result<PublicKey, ApiError> {
    body.device
        .parse()
        .map_err(|_| ApiError::InvalidBody("device must be 64 hex digits".to_string()))
}

/// The entry kind revoking `device` for this node's member, checked: the
/// device is one the member delegated, not yet revoked, and not this
/// node's own (a node revoking itself would cut itself off mid-answer;
/// revoke it from another node or with the offline key).
fn revocation_of(core: &Core, device: PublicKey) -> Result<(MemberId, FrozenHeads), ApiError> {
    let own = core.device().member;
    let state = core.replica().membership().state();
    let record = state.member_record(&own).ok_or_else(|| {
        ApiError::conflict("not_a_member", "This node's member is not in the pact.")
    })?;
    if !record.delegations.iter().any(|d| d.device == device) {
        return Err(ApiError::not_found(
            "device_not_found",
            "This member never delegated this device.",
        ));
    }
    if record.device_revocation(&device).is_some() {
        return Err(ApiError::conflict(
            "device_revoked_already",
            "This device is revoked already.",
        ));
    }
    if device == core.device().key.public() {
        return Err(ApiError::conflict(
            "own_device",
            "This is this node's own device; revoke it from another node of the member or \
             with `amtshilfe member revoke-device --member-key`.",
        ));
    }
    Ok((own, member_heads(core.replica(), &own)))
}

fn kind(member: MemberId, device: PublicKey, frozen_heads: FrozenHeads) -> EntryKind {
    EntryKind::RevokeDevice {
        member,
        device,
        frozen_heads,
    }
}

/// What revoking `device` signs: the texts, the device and its heads.
pub fn describe(device: &PublicKey, frozen_heads: &FrozenHeads) -> Preview {
    let short = device.short();
    let mut details = vec![
        ("Gerät / device".to_owned(), device.to_string()),
        (
            "Wort-Fingerabdruck / word fingerprint".to_owned(),
            amtshilfe_protocol::fingerprint::words(device),
        ),
    ];
    details.extend(
        heads_text(frozen_heads)
            .into_iter()
            .map(|(collection, hashes)| {
                (
                    format!("Gültig bis / valid up to: {collection}"),
                    hashes.join(" "),
                )
            }),
    );
    Preview {
        text_de: format!(
            "Gerät {short} sperren: Seine Änderungen gelten nur bis zum hier genannten Stand; \
             danach wird es abgewiesen und nicht mehr ins Netz gelassen."
        ),
        text_en: format!(
            "Revoke device {short}: its changes count only up to the heads named here; after \
             them it is refused and no longer let into the network."
        ),
        details,
        shown: String::new(),
    }
}

/// [`Preview`] of revoking `body`'s device, refused as signing would be.
pub(crate) async fn preview(state: &ApiState, body: RevokeDeviceBody) -> Result<Preview, ApiError> {
    let device = device_of(&body)?;
    with_core(state, move |core| {
        let (member, heads) = revocation_of(core, device)?;
        let mut preview = describe(&device, &heads);
        preview.shown = shown_digest(&kind(member, device, heads));
        Ok(preview)
    })
    .await
}

/// Revokes `body`'s device with the member key on this node; with
/// `shown`, only if it is still exactly what a review showed (the heads
/// may have moved on).
pub(crate) async fn revoke(
    state: &ApiState,
    body: RevokeDeviceBody,
    shown: Option<String>,
) -> Result<SignedAnswer, ApiError> {
    let device = device_of(&body)?;
    let key = member_key(state)?;
    let (answer, entry) = with_core(state, move |core| {
        check_current(core, &key)?;
        let (member, heads) = revocation_of(core, device)?;
        if shown.is_some_and(|shown| shown != shown_digest(&kind(member, device, heads.clone()))) {
            return Err(ApiError::conflict(
                "changed_since_review",
                "The member's documents changed since the review: review it again.",
            ));
        }
        let entry =
            core.replica()
                .membership()
                .revoke_device(&key, member, device, heads, clock::now_ms());
        Ok((commit(core, &entry)?, entry))
    })
    .await?;
    announce(state, entry);
    Ok(answer)
}
