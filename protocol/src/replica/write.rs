//! Local writes: the node's own device changes one of its member's
//! documents. Checked like anything received, before anything is written.

use std::collections::BTreeSet;

use super::Replica;
use crate::document::{ApplyFailed, CheckedChange, Document, RecordOp};
use crate::envelope::{ENVELOPE_BYTES_MAX, Envelope};
use crate::identity::{self, INCARNATION_LEN, KeyPair};
use crate::ids::{ActorKey, Collection, DocumentId, MemberId};
use crate::membership::{Authority, AuthorityError};
use crate::model::{self, RecordError};

/// The device a node writes with: its key, the member it writes for, and
/// the incarnation of its store (fresh whenever a store is created or
/// restored from backup).
#[derive(Debug, Clone)]
pub struct LocalDevice {
    /// The member whose documents this device writes.
    pub member: MemberId,
    /// The device key, delegated by the member.
    pub key: KeyPair,
    /// Random bytes chosen when the store was created; its changes count
    /// once the device declares it (`Replica::declare_incarnation`).
    pub incarnation: [u8; INCARNATION_LEN],
}

impl LocalDevice {
    /// The automerge actor of this device in this incarnation.
    pub fn actor(&self) -> ActorKey {
        let actor = identity::actor_id(&self.key.public(), self.incarnation);
        let mut bytes = [0u8; ActorKey::LEN];
        bytes.copy_from_slice(actor.to_bytes());
        ActorKey(bytes)
    }
}

/// Why a local write was refused. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A record is not valid; the message says which field and why.
    #[error("invalid record: {0}")]
    Invalid(#[from] RecordError),
    /// The write contained no operations.
    #[error("nothing to write")]
    Empty,
    /// A sealed record's readers are not the ones the membership log allows.
    #[error("sealed record refused: {0}")]
    Sealed(String),
    /// This device may not write the member's documents.
    #[error("this device may not write for its member: {0}")]
    NotAuthorised(String),
    /// The change would be larger than an envelope may be.
    #[error("the change is {bytes} bytes, more than the limit of {ENVELOPE_BYTES_MAX}")]
    TooLarge {
        /// Encoded size of the refused envelope.
        bytes: usize,
    },
    /// Automerge refused the change.
    #[error(transparent)]
    Apply(#[from] ApplyFailed),
    /// This device has written its quota of the document under its current
    /// incarnation (`replica/quota.rs`); peers would refuse the change.
    #[error(
        "this device has used up its quota for the document; restart it under a new incarnation"
    )]
    OverQuota,
}

impl Replica {
    /// Writes `ops` to the device member's `collection` document as one
    /// signed change stamped `now_ms`, and returns the envelope. The caller
    /// stores it durably before telling anyone it is saved.
    pub fn write(
        &mut self,
        device: &LocalDevice,
        collection: Collection,
        ops: &[RecordOp],
        now_ms: i64,
    ) -> Result<Envelope, WriteError> {
        if ops.is_empty() {
            return Err(WriteError::Empty);
        }
        let membership = self.membership.state();
        for op in ops {
            match op {
                RecordOp::Put { key, json } => {
                    let record = model::decode_record(collection, key, json)?;
                    crate::incident::check_acting_write(&device.member, &record, |m| {
                        membership.is_member(m)
                    })
                    .map_err(|e| WriteError::NotAuthorised(e.to_string()))?;
                    // Peers refuse a rule time after the change's own
                    // stamp (`model::record_time`); say which field here.
                    model::check_record_times(&record, now_ms).map_err(|ahead| {
                        model::RecordError::Invalid(model::ValidationError::AboveMax {
                            field: ahead.field.into(),
                            value: ahead.record_ms,
                            max: now_ms.saturating_add(model::RECORD_TIME_SKEW_MS),
                        })
                    })?;
                    // What ingress checks, with the officers serving now.
                    if let model::Record::Posture(posture) = &record {
                        posture
                            .check_serving_now(&device.member, membership)
                            .map_err(|e| WriteError::Sealed(e.to_string()))?;
                    }
                    if let model::Record::Timeline(line) = &record {
                        crate::incident::check_line_readers_now(line, &device.member, membership)
                            .map_err(|e| WriteError::Sealed(e.to_string()))?;
                    }
                }
                RecordOp::Delete { key } => model::check_record_key(collection, key).map(|_| ())?,
            }
        }
        self.declare_incarnation(device, now_ms)
            .map_err(|e| WriteError::NotAuthorised(e.to_string()))?;
        let id = DocumentId::new(device.member, collection);
        match self
            .membership
            .state()
            .authorise_actor(&device.actor(), &id, now_ms)
        {
            Ok(Authority::Full) => {}
            Ok(Authority::Frozen { .. } | Authority::FrozenTwice { .. }) => {
                return Err(WriteError::NotAuthorised(
                    "the member was removed or its key revoked".into(),
                ));
            }
            Err(error) => return Err(WriteError::NotAuthorised(authority_text(error))),
        }
        let written = self.write_change(id, device, ops, now_ms);
        // Whatever happened, the document's automerge state is loaded now.
        self.used(id);
        written
    }

    /// The part of [`Self::write`] that changes the document.
    fn write_change(
        &mut self,
        id: DocumentId,
        device: &LocalDevice,
        ops: &[RecordOp],
        now_ms: i64,
    ) -> Result<Envelope, WriteError> {
        let pact = self.pact_id();
        let document = self
            .documents
            .entry(id)
            .or_insert_with(|| Document::new(id));
        let change = document.make_change(device.actor(), now_ms, ops)?;
        let envelope = Envelope::sign(&pact, id, change.raw_bytes().to_vec(), &device.key);
        if envelope.encoded_len() > ENVELOPE_BYTES_MAX {
            // Drop the uncommitted local change by rebuilding from history.
            document.retain(|_| true);
            return Err(WriteError::TooLarge {
                bytes: envelope.encoded_len(),
            });
        }
        let before = document.actor_bytes(&device.actor());
        if !super::quota::within_actor_quota(change.seq(), before, envelope.encoded_len()) {
            document.retain(|_| true);
            return Err(WriteError::OverQuota);
        }
        document.record_local(CheckedChange {
            envelope: envelope.clone(),
            change,
            actor: device.actor(),
        });
        self.outbox.push(envelope.clone());
        self.stats.accepted += 1;
        let keys: BTreeSet<String> = ops
            .iter()
            .map(|op| match op {
                RecordOp::Put { key, .. } | RecordOp::Delete { key } => key.clone(),
            })
            .collect();
        self.refresh_read_model_keys(id, &keys);
        Ok(envelope)
    }
}

impl Replica {
    /// Takes back a local write the node could not store: its document is
    /// rebuilt without it and the read model refreshed. Nothing can depend
    /// on it (the node writes and stores under one lock), and a change that
    /// is in memory but not on disk must never reach a peer: after a restart
    /// the device would sign another change with the same sequence number,
    /// and every peer that had the first would refuse it as a fork.
    pub fn take_back_write(&mut self, envelope: &Envelope) {
        let Some(document) = self.documents.get_mut(&envelope.document) else {
            return;
        };
        let before = document.len();
        document.retain(|applied| applied.envelope != *envelope);
        if document.len() < before {
            self.stats.accepted = self.stats.accepted.saturating_sub(1);
            self.outbox.retain(|pending| pending != envelope);
            self.refresh_read_model(envelope.document);
        }
    }
}

fn authority_text(error: AuthorityError) -> String {
    crate::ingress::Rejection::from(error).to_string()
}
