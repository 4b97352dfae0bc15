//! The encryption-key announcements this node owes the pact: its
//! member's key (signed by this node's delegated device key) and a hosted
//! officer's key (signed by the officer key; the member's profile document
//! carries it, and cannot alter it).
//!
//! Each key gets its own record, named after the key, so a rotated key is
//! a new record beside the old one and the newest counts
//! (`newest_announcements`). An announcement is written only when no
//! record with this holder and this key exists yet, so two nodes of one
//! member holding different `member-seal.key` files do not outbid each
//! other forever; the node whose key lost says so in its log.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::RecordId;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::seal::{
    EncryptionKeyAnnouncement, EncryptionPublicKey, EncryptionSecret, ReaderId,
};

use crate::core::Core;

/// The record id an announcement of `key` for `holder` is stored under:
/// `m-` and the key's first 8 bytes for a member; `o-`, the officer key's
/// and the encryption key's first 8 bytes for an officer.
pub fn announcement_record_id(holder: &ReaderId, key: &EncryptionPublicKey) -> RecordId {
    let id = match holder {
        ReaderId::Member(_) => format!("m-{}", hex::encode(&key.0[..8])),
        ReaderId::Officer(officer) => format!(
            "o-{}-{}",
            hex::encode(&officer.0[..8]),
            hex::encode(&key.0[..8])
        ),
    };
    // Only lower-case hex and '-', 35 characters at most: always valid.
    RecordId::new(id).unwrap_or_else(|_| unreachable!("hex record ids are valid"))
}

/// The announcements to write now (profile puts), empty when everything
/// this node holds is published.
pub fn announcements_due(core: &Core, now_ms: i64) -> Vec<RecordOp> {
    let identities = core.seal_identities();
    let member = core.device().member;
    let mut due: Vec<(ReaderId, &EncryptionSecret, &KeyPair)> = Vec::new();
    if let Some(secret) = &identities.member {
        due.push((ReaderId::Member(member), secret, &core.device().key));
    }
    if let Some(officer) = &identities.officer {
        due.push((
            ReaderId::Officer(officer.signing.public()),
            &officer.encryption,
            &officer.signing,
        ));
    }
    let replica = core.replica();
    let pact = replica.pact_id();
    due.into_iter()
        .filter(|(holder, secret, _)| {
            let key = secret.public();
            let published = replica
                .read_model()
                .encryption_key_announcements()
                .any(|(_, a)| {
                    a.pact == pact
                        && a.holder == *holder
                        && a.key == key
                        && a.check_signature().is_ok()
                });
            !published
        })
        .map(|(holder, secret, signer)| {
            let announcement =
                EncryptionKeyAnnouncement::sign(pact, holder, secret, now_ms, signer);
            let key = RecordKey {
                tag: RecordTag::EncryptionKey,
                id: announcement_record_id(&holder, &announcement.key),
            };
            RecordOp::Put {
                key: key.to_string(),
                json: Record::EncryptionKey(announcement).to_json(),
            }
        })
        .collect()
}

/// The holders this node holds a key for whose counted key is another one
/// (another node of the member published a newer `member-seal.key`):
/// records sealed from now on cannot be opened here. `counted`: the
/// counted keys (`open::published_keys`).
pub fn outbid_holders(
    core: &Core,
    counted: &BTreeMap<ReaderId, EncryptionPublicKey>,
) -> Vec<ReaderId> {
    core.seal_identities()
        .local_readers(core.device().member)
        .into_iter()
        .filter(|(holder, secret)| {
            counted
                .get(holder)
                .is_some_and(|key| *key != secret.public())
        })
        .map(|(holder, _)| holder)
        .collect()
}
