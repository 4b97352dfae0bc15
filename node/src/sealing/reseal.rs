//! Re-sealing the member's own posture records when the readers they must
//! reach change: an officer appointed to serve the member (once its key is
//! published), or a reader's newest key differing from the one a record
//! was sealed to. Only the member's nodes write its documents, so only
//! they re-seal, with the member's encryption secret; the payload stays
//! the same, under a fresh content key.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{SealedPosture, is_aid_record};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::seal::{EncryptionPublicKey, Reader, ReaderId};

use super::posture::own_readers_among;
use crate::core::Core;

/// A record that must be re-sealed but cannot be (this node's member key
/// no longer opens it: `member-seal.key` was replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    /// The record.
    pub address: RecordAddress,
    /// Why.
    pub reason: String,
}

/// What re-sealing found: the puts to write (one record each, so no
/// change outgrows an envelope) and the records it could not re-seal.
#[derive(Debug, Default)]
pub struct ResealPlan {
    /// Puts, one per record.
    pub puts: Vec<RecordOp>,
    /// Records due but not re-sealable here.
    pub stuck: Vec<Stuck>,
}

/// The member's posture records whose readers differ from the ones they
/// must reach now (by the counted `keys`, `open::published_keys`), sealed
/// again. `entropy` gives 32 fresh bytes per record (`None`: no
/// randomness, nothing is re-sealed).
pub fn reseal_due(
    core: &Core,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
    mut entropy: impl FnMut() -> Option<[u8; 32]>,
) -> ResealPlan {
    let mut plan = ResealPlan::default();
    let Some(secret) = &core.seal_identities().member else {
        return plan;
    };
    let member = core.device().member;
    let replica = core.replica();
    // Never to a member key this node does not hold (reported as outbid).
    let Ok(required) = own_readers_among(core, keys) else {
        return plan;
    };
    let pact = replica.pact_id();
    for (address, record) in replica.read_model().posture_records() {
        // The member's own records only: an officer hosted here carries its
        // reviews of other members in this document too (`record.member`
        // names the member they are about), and those are not ours to
        // re-seal, nor can the member's key open them.
        // Aid summaries reach the pledging helpers, not the officers:
        // `ops::shared_posture::aid::reseal_due` keeps them current.
        if address.owner != member
            || record.member != member
            || is_aid_record(address.id.as_str())
            || sealed_to(record) == required
        {
            continue;
        }
        let Some(entropy) = entropy() else {
            return plan;
        };
        let reader = ReaderId::Member(member);
        match record.reseal(&pact, &reader, secret, &required, entropy) {
            Ok(resealed) => plan.puts.push(put(address, resealed)),
            Err(error) => plan.stuck.push(Stuck {
                address: address.clone(),
                reason: error.to_string(),
            }),
        }
    }
    plan
}

/// The readers a record is sealed to, sorted.
fn sealed_to(record: &SealedPosture) -> Vec<Reader> {
    let mut readers: Vec<Reader> = record.sealed.readers().copied().collect();
    readers.sort();
    readers
}

fn put(address: &RecordAddress, record: SealedPosture) -> RecordOp {
    let key = RecordKey {
        tag: RecordTag::Posture,
        id: address.id.clone(),
    };
    RecordOp::Put {
        key: key.to_string(),
        json: Record::Posture(record).to_json(),
    }
}
