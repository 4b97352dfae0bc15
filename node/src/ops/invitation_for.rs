//! The invitation file for an admission already proposed: what
//! `amtshilfe member invite --member-key FILE` fetches after it signed the
//! `Add` proposal offline and handed it in. The node adds the pact's log
//! (with the proposal) and its own addresses with its peer id; it signs
//! nothing.

use amtshilfe_protocol::membership::{Proposal, ProposalStatus};
use serde::Deserialize;

use super::pact::{member_of_any_key, name_of};
use super::pact_actions::{proposal_entry, proposal_hash};
use crate::http::{ApiError, ApiState, with_core};
use crate::invitation::{Invitation, Invited};

/// Most addresses an invitation names.
const ADDRESSES_MAX: usize = 16;

/// Where the joiner reaches this node.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationAddresses {
    /// Multiaddrs (this node's peer id is added), at most 16.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// The invitation for the `Add` proposal `hash`, open or applied.
pub(crate) async fn invitation_for(
    state: &ApiState,
    hash: String,
    body: InvitationAddresses,
) -> Result<Invitation, ApiError> {
    if body.addresses.len() > ADDRESSES_MAX {
        return Err(ApiError::BodyRule {
            code: "too_many_addresses",
            message: format!("at most {ADDRESSES_MAX} addresses"),
        });
    }
    let hash = proposal_hash(&hash)?;
    with_core(state, move |core| {
        let Proposal::Add { key, name } = proposal_entry(core, &hash)? else {
            return Err(ApiError::conflict(
                "not_an_admission",
                "This proposal admits no member; only an admission has an invitation.",
            ));
        };
        let log = core.replica().membership();
        let log_state = log.state();
        if !matches!(
            log_state.proposal(&hash),
            Some(ProposalStatus::Open { .. } | ProposalStatus::Applied { .. })
        ) {
            return Err(ApiError::conflict(
                "proposal_decided",
                "This admission can no longer take effect.",
            ));
        }
        let inviter = log
            .get(&hash)
            .and_then(|entry| entry.author())
            .and_then(|author| member_of_any_key(log_state, author))
            .map_or_else(|| "?".to_owned(), |member| name_of(log_state, &member));
        let bootstrap =
            crate::net::identity::with_peer_id(&body.addresses, &core.device().key.public())
                .ok_or_else(|| ApiError::Internal("the device key is no peer id".into()))?;
        Ok(Invitation::new(
            core.replica(),
            Invited {
                inviter,
                name,
                member_key: key,
                proposal: hash,
            },
            bootstrap,
        ))
    })
    .await
}
