//! Who a record must be sealed to, and opening what this node may read.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::MembershipState;
use amtshilfe_protocol::posture::{OpenPostureError, PosturePayload, posture_context};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::replica::Replica;
use amtshilfe_protocol::seal::{
    EncryptionPublicKey, OpenError, Reader, ReaderId, Sealed, newest_announcements,
};

use super::SealIdentities;

/// The encryption key that counts for each holder: the newest valid
/// announcement in the read model (same answer on every node).
pub fn published_keys(replica: &Replica) -> BTreeMap<ReaderId, EncryptionPublicKey> {
    newest_announcements(
        replica
            .read_model()
            .encryption_key_announcements()
            .map(|(_, announcement)| announcement),
        &replica.pact_id(),
        replica.membership().state(),
    )
    .into_iter()
    .map(|(holder, announcement)| (holder, announcement.key))
    .collect()
}

/// The member has published no encryption key yet, so nothing of it can be
/// sealed (its own nodes could not read it back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the member has published no encryption key yet (member-seal.key on its node)")]
pub struct MemberKeyMissing;

/// The readers `member`'s posture must be sealed to now: the member and
/// every officer the log appoints to serve it that has published a key.
/// An officer without a key yet is left out; the member's node re-seals
/// to it once its key arrives (`super::reseal`).
pub fn posture_readers_now(
    replica: &Replica,
    member: &MemberId,
) -> Result<Vec<Reader>, MemberKeyMissing> {
    posture_readers_among(
        &published_keys(replica),
        replica.membership().state(),
        member,
    )
}

/// [`posture_readers_now`] with the counted keys ([`published_keys`])
/// computed once by the caller.
pub fn posture_readers_among(
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
    state: &MembershipState,
    member: &MemberId,
) -> Result<Vec<Reader>, MemberKeyMissing> {
    let member_reader = ReaderId::Member(*member);
    let member_key = keys.get(&member_reader).ok_or(MemberKeyMissing)?;
    let mut readers = vec![Reader {
        id: member_reader,
        key: *member_key,
    }];
    readers.extend(
        state
            .officers()
            .filter(|officer| officer.serves.contains(member))
            .filter_map(|officer| {
                let id = ReaderId::Officer(officer.key);
                keys.get(&id).map(|key| Reader { id, key: *key })
            }),
    );
    readers.sort();
    Ok(readers)
}

/// Opens `sealed` (bound to `context`) as the first local reader it names.
/// `None`: this node is not among its readers.
pub fn open_sealed(
    identities: &SealIdentities,
    member: MemberId,
    sealed: &Sealed,
    context: &[u8],
) -> Option<(ReaderId, Result<Vec<u8>, OpenError>)> {
    identities
        .local_readers(member)
        .into_iter()
        .find(|(reader, _)| sealed.is_reader(reader))
        .map(|(reader, secret)| (reader, sealed.open(&reader, secret, context)))
}

/// One posture record this node is a reader of.
#[derive(Debug, Clone)]
pub struct OpenedPosture {
    /// Where it is stored (the owner is the member whose posture it is).
    pub address: RecordAddress,
    /// As whom it was opened.
    pub reader: ReaderId,
    /// The payload, or why it could not be used.
    pub payload: Result<PosturePayload, OpenPostureError>,
}

/// Opens every posture record about `member` this node may read: those in
/// the member's own document and those an officer's host carries (its
/// reviews). A record this node is not a reader of is left out; one it is
/// a reader of but cannot open (a key replaced since) comes with its error.
pub fn open_posture_of(
    replica: &Replica,
    identities: &SealIdentities,
    own_member: MemberId,
    member: &MemberId,
) -> Vec<OpenedPosture> {
    let pact = replica.pact_id();
    replica
        .read_model()
        .posture_records()
        .filter(|(_, record)| record.member == *member)
        .filter_map(|(address, record)| {
            let context = posture_context(&pact, &record.member, &record.record);
            let (reader, opened) = open_sealed(identities, own_member, &record.sealed, &context)?;
            let payload = opened
                .map_err(OpenPostureError::from)
                .and_then(|plaintext| {
                    serde_json::from_slice(&plaintext)
                        .map_err(|e| OpenPostureError::Malformed(e.to_string()))
                });
            Some(OpenedPosture {
                address: address.clone(),
                reader,
                payload,
            })
        })
        .collect()
}
