//! The ingress pipeline's per-envelope stages, cheapest first:
//! size cap → signature → signer known to the document's owner → what the
//! change declares within bounds → parse the change (panics contained) →
//! actor bound to signer → signer delegated at the change's time, owner a
//! member → every operation a well-formed record, its rule times no later
//! than the change's own timestamp. A stranger's bytes never
//! reach automerge, and a member's reach it only within bounds. What happens after (duplicates, forks,
//! missing dependencies, applying) needs the document and lives in
//! `replica::place`. Never does I/O, never mutates anything.

use automerge::Change;
use automerge::legacy::{Key, ObjectId, OpType};

use crate::change_bounds;
use crate::document::CheckedChange;
use crate::envelope::{ENVELOPE_BYTES_MAX, Envelope, EnvelopeDecodeError};
use crate::identity;
use crate::ids::{ActorKey, DocumentId, PactId};
use crate::incident::{check_acting, check_line_readers};
use crate::membership::{Authority, AuthorityError, MembershipState};
use crate::model::{self, Record};
use crate::posture::{PostureRejection, SealedPosture};

/// Why an envelope was refused. A closed list: every rejection anywhere is
/// one of these, logged and counted by its [`Rejection::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The encoded envelope is larger than [`ENVELOPE_BYTES_MAX`].
    #[error("envelope of {bytes} bytes exceeds the limit of {ENVELOPE_BYTES_MAX} bytes")]
    Oversized {
        /// Size of the refused envelope.
        bytes: usize,
    },
    /// The bytes are not an envelope.
    #[error("malformed envelope: {0}")]
    MalformedEnvelope(String),
    /// The signature does not verify for this pact and document.
    #[error("signature does not verify")]
    BadSignature,
    /// The change bytes are not one automerge change.
    #[error("malformed change: {0}")]
    MalformedChange(String),
    /// The change's actor id is not `signer ‖ incarnation`.
    #[error("the change's actor is not bound to the signing key")]
    ActorNotBoundToSigner,
    /// The signer holds no delegation from the document's owner.
    #[error("the signer is not a device delegated by the document's owner")]
    SignerNotDelegated,
    /// The signer's delegations all expired before the change's timestamp.
    #[error("the signer's delegation expired before this change was made")]
    DelegationExpired,
    /// The document's owner is not a member of the pact.
    #[error("the document's owner is not a member of the pact")]
    OwnerNotMember,
    /// The owner was removed, or the signer's delegating key was revoked,
    /// and this change lies outside the heads frozen at that moment.
    #[error("the owner was removed or its key revoked; the change is outside the frozen history")]
    AuthorityFrozen,
    /// An operation is not a well-formed record of this collection.
    #[error("malformed record: {0}")]
    MalformedRecord(String),
    /// An incident written on behalf of a member the author may not act
    /// for, or adopting what the author may not adopt
    /// (`crate::incident::acting`).
    #[error("acting on behalf refused: {0}")]
    ActingRefused(String),
    /// A time a rule counts from (a pledge's creation, an acceptance, a
    /// sent report, …) lies more than `model::RECORD_TIME_SKEW_MS` after
    /// the timestamp of the signed change that writes it
    /// (`model::record_time`).
    #[error("record time ahead of its change: {0}")]
    TimeAheadOfChange(String),
    /// A sealed posture record names, as a reader or as its carrier, an
    /// officer this node's log never appointed to serve the member, or a
    /// sealed timeline line names such an officer or a member reader the
    /// log never admitted. The log entry may not have arrived yet: the
    /// change comes again with a later sync
    /// (`posture::PostureRejection::OfficerNotAppointed`,
    /// `incident::LineRejection::may_be_early`).
    #[error("sealed record for an officer not appointed: {0}")]
    OfficerNotAppointed(String),
    /// Another change with the same (actor, seq) is already known.
    #[error("another change with the same actor and sequence number exists (fork)")]
    Fork,
    /// The change's actor forked its history at or before this change's
    /// sequence number; its changes from there on are held everywhere.
    #[error(
        "the change's actor signed two different changes with one sequence number at or before this one"
    )]
    ActorForked,
    /// The dependencies are missing and the pending queue is full.
    #[error("dependencies missing and the pending queue is full")]
    TooManyPending,
    /// Automerge refused or panicked on the change; the document was rebuilt.
    #[error("automerge could not apply the change: {0}")]
    ApplyFailed(String),
    /// The change's actor has written its share of the document: more than
    /// `CHANGES_PER_ACTOR_MAX` changes or `BYTES_PER_ACTOR_MAX` bytes along
    /// its own chain (`replica/quota.rs`).
    #[error("the change's actor has used up its quota for this document")]
    OverQuota,
    /// The change's incarnation is not declared in the membership log, or
    /// is beyond the caps of its key or member
    /// (`membership::INCARNATIONS_PER_KEY_MAX`, `_PER_MEMBER_MAX`). The
    /// declaration may not have arrived yet: the change comes again with
    /// a later sync.
    #[error("the change's incarnation is not declared, or does not count")]
    IncarnationNotDeclared,
}

impl Rejection {
    /// Every reason code, for metrics that list zero counts too.
    pub const CODES: [&'static str; 19] = [
        "oversized",
        "malformed_envelope",
        "bad_signature",
        "malformed_change",
        "actor_not_bound_to_signer",
        "signer_not_delegated",
        "delegation_expired",
        "owner_not_member",
        "authority_frozen",
        "malformed_record",
        "acting_refused",
        "time_ahead_of_change",
        "officer_not_appointed",
        "fork",
        "actor_forked",
        "too_many_pending",
        "apply_failed",
        "over_quota",
        "incarnation_not_declared",
    ];

    /// Whether no honest relay would pass this on: the bytes themselves
    /// are bad. The others (authority this node may simply not have
    /// learned yet, pending quotas, a failed apply) say nothing about the
    /// peer that sent it.
    pub fn is_provably_bad(&self) -> bool {
        matches!(
            self,
            Rejection::Oversized { .. }
                | Rejection::MalformedEnvelope(_)
                | Rejection::BadSignature
                | Rejection::MalformedChange(_)
                | Rejection::ActorNotBoundToSigner
                | Rejection::MalformedRecord(_)
                | Rejection::ActingRefused(_)
                | Rejection::TimeAheadOfChange(_)
                | Rejection::Fork
                | Rejection::OverQuota
        )
    }

    /// A stable snake_case code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Oversized { .. } => "oversized",
            Rejection::MalformedEnvelope(_) => "malformed_envelope",
            Rejection::BadSignature => "bad_signature",
            Rejection::MalformedChange(_) => "malformed_change",
            Rejection::ActorNotBoundToSigner => "actor_not_bound_to_signer",
            Rejection::SignerNotDelegated => "signer_not_delegated",
            Rejection::DelegationExpired => "delegation_expired",
            Rejection::OwnerNotMember => "owner_not_member",
            Rejection::AuthorityFrozen => "authority_frozen",
            Rejection::MalformedRecord(_) => "malformed_record",
            Rejection::ActingRefused(_) => "acting_refused",
            Rejection::TimeAheadOfChange(_) => "time_ahead_of_change",
            Rejection::OfficerNotAppointed(_) => "officer_not_appointed",
            Rejection::Fork => "fork",
            Rejection::ActorForked => "actor_forked",
            Rejection::TooManyPending => "too_many_pending",
            Rejection::ApplyFailed(_) => "apply_failed",
            Rejection::OverQuota => "over_quota",
            Rejection::IncarnationNotDeclared => "incarnation_not_declared",
        }
    }
}

impl From<EnvelopeDecodeError> for Rejection {
    fn from(error: EnvelopeDecodeError) -> Self {
        match error {
            EnvelopeDecodeError::Oversized { bytes } => Rejection::Oversized { bytes },
            EnvelopeDecodeError::Malformed(reason) => Rejection::MalformedEnvelope(reason),
        }
    }
}

impl From<AuthorityError> for Rejection {
    fn from(error: AuthorityError) -> Self {
        match error {
            AuthorityError::SignerNotDelegated => Rejection::SignerNotDelegated,
            AuthorityError::DelegationExpired => Rejection::DelegationExpired,
            AuthorityError::OwnerNotMember => Rejection::OwnerNotMember,
            AuthorityError::IncarnationNotDeclared => Rejection::IncarnationNotDeclared,
        }
    }
}

/// Whether signatures are checked. Envelopes read back from the node's own
/// store were checked before they were stored; skipping the check there
/// makes a cold start fast. Everything else is checked in both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verify every signature (anything from the network or a bundle).
    Verify,
    /// Trust signatures: the node's own store, or envelopes whose
    /// signatures the caller has just checked (`Replica::note_verified`).
    TrustStored,
}

/// An envelope that passed every stateless stage, with the authority its
/// signer holds over the document.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The parsed, checked change.
    pub checked: CheckedChange,
    /// Full, or only within frozen heads.
    pub authority: Authority,
    /// The record keys the change puts or deletes: the only records of
    /// the read model that applying it can change.
    pub keys: Vec<String>,
}

/// Runs the stateless stages on a decoded envelope.
pub fn admit(
    pact: &PactId,
    membership: &MembershipState,
    envelope: Envelope,
    signatures: SignatureCheck,
) -> Result<Admitted, Rejection> {
    let bytes = envelope.encoded_len();
    if bytes > ENVELOPE_BYTES_MAX {
        return Err(Rejection::Oversized { bytes });
    }
    if signatures == SignatureCheck::Verify {
        envelope
            .verify_signature(pact)
            .map_err(|_| Rejection::BadSignature)?;
    }
    membership.signer_known(&envelope.signer, &envelope.document)?;
    change_bounds::check(&envelope.change)
        .map_err(|e| Rejection::MalformedChange(e.to_string()))?;
    let change = parse_change(envelope.change.clone())?;
    let actor = bound_actor(&envelope, &change)?;
    let authority = membership.authorise_actor(&actor, &envelope.document, change.timestamp())?;
    let document = envelope.document;
    let keys = contained(|| check_records(&document, membership, &change))
        .ok_or_else(|| Rejection::MalformedRecord("automerge panicked decoding it".into()))??;
    Ok(Admitted {
        checked: CheckedChange {
            envelope,
            change,
            actor,
        },
        authority,
        keys,
    })
}

/// Admits again a change this replica has already parsed and checked (one
/// it applied, held or stored), under the current membership: only the
/// stages that depend on membership run again. Parsing, the signature and
/// the record schema depend on the bytes alone and were checked when the
/// change first arrived; so were a sealed posture record's officers,
/// against the officers ever appointed, which a dismissal does not take
/// back (see `check_sealed_readers`). Hands the change back with the reason if it is
/// not authorised (boxed: a change is large, and refusals are rare).
pub fn readmit(
    membership: &MembershipState,
    checked: CheckedChange,
    keys: Vec<String>,
) -> Result<Admitted, Box<(CheckedChange, Rejection)>> {
    let envelope = &checked.envelope;
    match membership.authorise_actor(
        &checked.actor,
        &envelope.document,
        checked.change.timestamp(),
    ) {
        Ok(authority) => Ok(Admitted {
            checked,
            authority,
            keys,
        }),
        Err(error) => Err(Box::new((checked, error.into()))),
    }
}

/// Parses one change chunk; a panic inside automerge is a malformed
/// change, not a dead node.
fn parse_change(bytes: Vec<u8>) -> Result<Change, Rejection> {
    contained(move || Change::from_bytes(bytes))
        .ok_or_else(|| Rejection::MalformedChange("automerge panicked parsing it".into()))?
        .map_err(|e| Rejection::MalformedChange(e.to_string()))
}

/// Runs `work`, turning a panic into `None`.
fn contained<T>(work: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok()
}

fn bound_actor(envelope: &Envelope, change: &Change) -> Result<ActorKey, Rejection> {
    match identity::device_of_actor(change.actor_id()) {
        Some(device) if device == envelope.signer => {
            ActorKey::from_slice(change.actor_id().to_bytes())
                .ok_or(Rejection::ActorNotBoundToSigner)
        }
        _ => Err(Rejection::ActorNotBoundToSigner),
    }
}

/// Every operation must put a well-formed record (a JSON string under a
/// `tag:id` key of the root map) or delete one. Nested objects, counters,
/// lists and text are not part of the schema. Returns the keys written.
fn check_records(
    document: &DocumentId,
    membership: &MembershipState,
    change: &Change,
) -> Result<Vec<String>, Rejection> {
    let collection = document.collection;
    if change
        .other_actor_ids()
        .iter()
        .any(|a| a.to_bytes().len() != identity::ACTOR_ID_LEN)
    {
        return Err(Rejection::MalformedRecord(
            "foreign actor id of the wrong shape".into(),
        ));
    }
    let mut keys = Vec::new();
    for op in change.decode().operations {
        let key = match (&op.obj, &op.key, op.insert) {
            (ObjectId::Root, Key::Map(key), false) => key.to_string(),
            _ => {
                return Err(Rejection::MalformedRecord(
                    "only root map keys may be written".into(),
                ));
            }
        };
        match &op.action {
            OpType::Put(automerge::ScalarValue::Str(json)) => {
                let record = model::decode_record(collection, &key, json)
                    .map_err(|e| Rejection::MalformedRecord(format!("{key}: {e}")))?;
                check_acting(&document.owner, &record)
                    .map_err(|e| Rejection::ActingRefused(format!("{key}: {e}")))?;
                model::check_record_times(&record, change.timestamp())
                    .map_err(|e| Rejection::TimeAheadOfChange(format!("{key}: {e}")))?;
                if let Record::Posture(posture) = &record {
                    check_sealed_readers(document, membership, posture).map_err(|e| {
                        let reason = format!("{key}: {e}");
                        match e {
                            // Both may be a log entry still on its way.
                            PostureRejection::OfficerNotAppointed
                            | PostureRejection::ReaderNotMember => {
                                Rejection::OfficerNotAppointed(reason)
                            }
                            _ => Rejection::MalformedRecord(reason),
                        }
                    })?;
                }
                if let Record::Timeline(line) = &record {
                    check_line_readers(line, &document.owner, membership).map_err(|e| {
                        let reason = format!("{key}: {e}");
                        if e.may_be_early() {
                            Rejection::OfficerNotAppointed(reason)
                        } else {
                            Rejection::MalformedRecord(reason)
                        }
                    })?;
                }
            }
            OpType::Delete => {
                model::check_record_key(collection, &key)
                    .map_err(|e| Rejection::MalformedRecord(format!("{key}: {e}")))?;
            }
            _ => {
                return Err(Rejection::MalformedRecord(format!(
                    "{key}: only JSON strings may be stored"
                )));
            }
        }
        keys.push(key);
    }
    Ok(keys)
}

/// A sealed posture record belongs to its document's owner (or is an
/// officer's, carried with its signature by the member hosting it) and is
/// sealed to the owner and officers the log appointed to serve it, nobody
/// else. Checked here, where the membership state is at hand, on bytes
/// this node may not be able to read. An officer counts if it was ever
/// appointed to serve the member: a dismissal only stops new records
/// (`Replica::write` checks the officers serving now, and the member's
/// node re-seals without the dismissed one), so a record that passed
/// stays valid and `readmit` need not check again.
fn check_sealed_readers(
    document: &DocumentId,
    membership: &MembershipState,
    posture: &SealedPosture,
) -> Result<(), PostureRejection> {
    posture.check_owner(&document.owner, membership)?;
    posture.check(membership)
}
