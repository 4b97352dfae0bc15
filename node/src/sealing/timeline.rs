//! The member's own TLP amber and red timeline lines: sealed for writing to
//! the readers their level names now (`incident::line_reader_ids`: the
//! member, the officers serving it, for amber the incident's helpers), and
//! sealed again when those change (a new helper, an officer appointed, a
//! rotated key). Readers without a published key are left out and added
//! when their key arrives, as with posture.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::incident::{
    LinePlace, OpenLineError, TimelineEntry, Tlp, line_context, line_reader_ids, reseal_line,
    seal_line,
};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::seal::{EncryptionPublicKey, Reader, ReaderId};

use super::open::{open_sealed, published_keys};
use super::posture::{SealPostureError, own_member_reader};
use super::reseal::{ResealPlan, Stuck};
use crate::core::Core;

/// Why a line could not be sealed; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealLineError {
    /// The incident is not one of this member's own (or was written on
    /// behalf of another member, whose officers do not serve this one:
    /// ingress would refuse a line sealed to them).
    #[error(
        "amber and red lines can be written only in the member's own incident, not in one written on behalf of another member"
    )]
    NotOwnIncident,
    /// The member's key is missing or not the one this node holds, or
    /// sealing refused.
    #[error(transparent)]
    Seal(#[from] SealPostureError),
}

impl SealLineError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            SealLineError::NotOwnIncident => "sealed_line_on_behalf",
            SealLineError::Seal(error) => error.code(),
        }
    }
}

/// The readers a line of level `tlp` in the node's member's incident
/// `incident` must reach now, with their counted `keys`. The member's key
/// must be the one this node holds (`posture::own_member_reader`).
pub fn line_readers_now(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
    incident: &RecordId,
    tlp: Tlp,
    now_ms: i64,
) -> Result<Vec<Reader>, SealLineError> {
    let member = core.device().member;
    let replica = core.replica();
    let room = replica
        .read_model()
        .incident_room(&RecordAddress::new(member, incident.clone()), now_ms)
        .ok_or(SealLineError::NotOwnIncident)?;
    if room.summary.on_behalf_by.is_some() {
        return Err(SealLineError::NotOwnIncident);
    }
    let ids = line_reader_ids(tlp, &member, &room.helpers, replica.membership().state());
    own_member_reader(core, keys)?;
    let mut readers: Vec<Reader> = ids
        .into_iter()
        .filter_map(|id| keys.get(&id).map(|key| Reader { id, key: *key }))
        .collect();
    readers.sort();
    Ok(readers)
}

/// `entry` (an amber or red line of the node's member, with its text)
/// sealed as record `id` to the readers it must reach now.
pub fn seal_line_record(
    core: &Core,
    id: &RecordId,
    entry: TimelineEntry,
    now_ms: i64,
    entropy: [u8; 32],
) -> Result<Record, SealLineError> {
    let member = core.device().member;
    let keys = published_keys(core.replica());
    let readers = line_readers_now(core, &keys, &entry.incident, entry.tlp, now_ms)?;
    let pact = core.replica().pact_id();
    let place = LinePlace {
        pact: &pact,
        owner: &member,
        record: id.as_str(),
    };
    let sealed = seal_line(place, entry, &readers, entropy)
        .map_err(|e| SealLineError::Seal(SealPostureError::Seal(e)))?;
    Ok(Record::Timeline(sealed))
}

/// The text of a sealed line at `address`, if this node is among its
/// readers (`None` otherwise); a reader that cannot open it gets the
/// reason.
pub fn open_line_text(
    core: &Core,
    address: &RecordAddress,
    entry: &TimelineEntry,
) -> Option<Result<String, OpenLineError>> {
    let sealed = entry.sealed.as_ref()?;
    let pact = core.replica().pact_id();
    let place = LinePlace {
        pact: &pact,
        owner: &address.owner,
        record: address.id.as_str(),
    };
    let me: MemberId = core.device().member;
    let (_, opened) = open_sealed(
        core.seal_identities(),
        me,
        sealed,
        &line_context(place, entry),
    )?;
    Some(
        opened
            .map_err(OpenLineError::from)
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| OpenLineError::NotText)),
    )
}

/// The member's own sealed lines whose readers differ from those they must
/// reach now, sealed again (one put each). `entropy` gives 32 fresh bytes
/// per line (`None`: nothing more is re-sealed).
pub fn reseal_lines_due(
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
    let replica = core.replica();
    let pact = replica.pact_id();
    let mut required: BTreeMap<(RecordId, Tlp), Option<Vec<Reader>>> = BTreeMap::new();
    for (address, entry) in replica.read_model().timeline_entries() {
        let Some(sealed) = entry.sealed.as_ref().filter(|_| address.owner == member) else {
            continue;
        };
        let readers = required
            .entry((entry.incident.clone(), entry.tlp))
            .or_insert_with(|| {
                line_readers_now(core, keys, &entry.incident, entry.tlp, now_ms).ok()
            });
        // No incident here, written on behalf, or the member key not held
        // (reported by the task as outbid): nothing to do.
        let Some(readers) = readers.as_ref() else {
            continue;
        };
        let mut sealed_to: Vec<Reader> = sealed.readers().copied().collect();
        sealed_to.sort();
        if sealed_to == *readers {
            continue;
        }
        let Some(entropy) = entropy() else {
            return plan;
        };
        let place = LinePlace {
            pact: &pact,
            owner: &member,
            record: address.id.as_str(),
        };
        let reader = ReaderId::Member(member);
        match reseal_line(place, entry, &reader, secret, readers, entropy) {
            Ok(resealed) => plan.puts.push(RecordOp::Put {
                key: RecordKey::new(RecordTag::Timeline, address.id.clone()).to_string(),
                json: Record::Timeline(resealed).to_json(),
            }),
            Err(error) => plan.stuck.push(Stuck {
                address: address.clone(),
                reason: error.to_string(),
            }),
        }
    }
    plan
}
