//! The one way the use cases write: build a record against the current state,
//! write it to this member's document (durable when `Core::write`
//! returns), then announce the envelope. The check and the write happen
//! under one lock, so nothing can change in between.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Record, RecordKey};
use serde::Serialize;

use crate::clock;
use crate::core::Core;
use crate::http::{ApiError, ApiState, with_core};
use crate::net::{Announcement, NetCommand};
use crate::random::os_random;

/// Prefix of offer ids made by this node.
pub(crate) const OFFER_ID_PREFIX: &str = "o";
/// Prefix of request ids made by this node.
pub(crate) const REQUEST_ID_PREFIX: &str = "r";
/// Prefix of pledge ids made by this node.
pub(crate) const PLEDGE_ID_PREFIX: &str = "p";
/// Prefix of acceptance ids made by this node.
pub(crate) const ACCEPTANCE_ID_PREFIX: &str = "a";

/// What a successful write answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Saved {
    /// The record's id.
    pub id: RecordId,
    /// The content hash of the stored envelope, hex.
    #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
    pub envelope: String,
}

/// A fresh record id: `prefix-` and 16 hex characters of OS randomness.
pub(crate) fn fresh_id(prefix: &str) -> Result<RecordId, ApiError> {
    let random = os_random::<8>().map_err(|error| ApiError::Internal(error.to_string()))?;
    RecordId::generate(prefix, random).map_err(|error| ApiError::Internal(error.to_string()))
}

/// Announces envelopes just written (every write of the API and the
/// pages goes through here).
pub(crate) fn announce(state: &ApiState, envelopes: &[Envelope]) {
    // Durable already; if an announcement is dropped, anti-entropy sync
    // still delivers it.
    for envelope in envelopes {
        state.net.send(NetCommand::Announce(Announcement::Envelope(
            envelope.clone(),
        )));
    }
}

/// Builds a record with `build` (given the core and the time of the write),
/// writes it durably, then announces it. On any error nothing is written
/// or announced.
pub(crate) async fn save<F>(state: &ApiState, build: F) -> Result<Saved, ApiError>
where
    F: FnOnce(&Core, i64) -> Result<(RecordKey, Record), ApiError> + Send + 'static,
{
    let (id, envelope) = with_core(state, move |core| {
        let now_ms = clock::now_ms();
        let (key, record) = build(core, now_ms)?;
        let ops = [RecordOp::Put {
            key: key.to_string(),
            json: record.to_json(),
        }];
        let envelope = core.write(key.tag.collection(), &ops, now_ms)?;
        Ok((key.id, envelope))
    })
    .await?;
    let hash = envelope.content_hash();
    tracing::info!(record = %id, envelope = %hash.short(), "saved");
    announce(state, std::slice::from_ref(&envelope));
    Ok(Saved {
        id,
        envelope: hash.to_string(),
    })
}
