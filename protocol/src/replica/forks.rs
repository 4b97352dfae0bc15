//! Equivocation: a device that signed two different changes with the same
//! (actor, seq), by malice or because its VM was restored from a snapshot.
//! Sent to different halves of the pact, each half would keep the first it
//! saw and the pact would stay split. So both changes are kept as
//! evidence, the evidence travels with sync like any data, and every node
//! resolves it alike: the actor is frozen before the fork. Its changes from
//! the forked sequence number on are held (kept, never applied) on every
//! node; the device goes on under a new incarnation (a new actor).
//! Where several forks of one actor are known, the lowest sequence number
//! counts, so the resolution depends only on the set of evidence.

use std::collections::HashMap;

use automerge::Change;
use serde::{Deserialize, Serialize};

use super::Replica;
use crate::change_bounds;
use crate::envelope::Envelope;
use crate::identity;
use crate::ids::{ActorKey, DocumentId};
use crate::ingress::Rejection;

/// Two envelopes whose changes share document, actor and sequence number
/// but differ: proof that the actor's device forked its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkEvidence {
    /// The envelope with the smaller content hash.
    pub first: Envelope,
    /// The other one.
    pub second: Envelope,
}

/// A checked fork: where it is and its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fork {
    /// The forked document.
    pub document: DocumentId,
    /// The actor that forked.
    pub actor: ActorKey,
    /// The sequence number both changes carry; the actor is frozen from here.
    pub seq: u64,
    /// The two envelopes.
    pub evidence: ForkEvidence,
}

impl ForkEvidence {
    /// Orders two envelopes into evidence (deterministic whatever the
    /// arrival order).
    pub fn new(a: Envelope, b: Envelope) -> Self {
        if a.content_hash() <= b.content_hash() {
            Self {
                first: a,
                second: b,
            }
        } else {
            Self {
                first: b,
                second: a,
            }
        }
    }

    /// Checks the evidence from its bytes alone: both envelopes are signed
    /// for this pact by the device their actor names, carry bounded
    /// changes of the same document, actor and sequence number, and differ.
    /// Whether the device was delegated is for the replica to check
    /// ([`Replica::receive_fork_evidence`]).
    pub fn check(self, pact: &crate::ids::PactId) -> Result<Fork, Rejection> {
        let (first, first_actor, first_seq, first_hash) = parse(pact, self.first)?;
        let (second, second_actor, second_seq, second_hash) = parse(pact, self.second)?;
        let same_place = first.document == second.document
            && first_actor == second_actor
            && first_seq == second_seq;
        if !same_place || first_hash == second_hash {
            return Err(Rejection::MalformedEnvelope(
                "fork evidence must be two different changes of one actor and sequence number"
                    .into(),
            ));
        }
        Ok(Fork {
            document: first.document,
            actor: first_actor,
            seq: first_seq,
            evidence: Self::new(first, second),
        })
    }
}

fn parse(
    pact: &crate::ids::PactId,
    envelope: Envelope,
) -> Result<(Envelope, ActorKey, u64, automerge::ChangeHash), Rejection> {
    envelope
        .verify_signature(pact)
        .map_err(|_| Rejection::BadSignature)?;
    change_bounds::check(&envelope.change)
        .map_err(|e| Rejection::MalformedChange(e.to_string()))?;
    let bytes = envelope.change.clone();
    let change = std::panic::catch_unwind(move || Change::from_bytes(bytes))
        .map_err(|_| Rejection::MalformedChange("automerge panicked parsing it".into()))?
        .map_err(|e| Rejection::MalformedChange(e.to_string()))?;
    if identity::device_of_actor(change.actor_id()) != Some(envelope.signer) {
        return Err(Rejection::ActorNotBoundToSigner);
    }
    let actor = ActorKey::from_slice(change.actor_id().to_bytes())
        .ok_or(Rejection::ActorNotBoundToSigner)?;
    Ok((envelope, actor, change.seq(), change.hash()))
}

impl Replica {
    /// The known forks, one per actor (the lowest sequence number).
    pub fn forks(&self) -> impl Iterator<Item = &Fork> {
        self.forks.values()
    }

    /// Takes in fork evidence from a peer. Returns whether it was new (a
    /// first or a lower fork of its actor); the forked document is then
    /// checked again, holding the actor's changes from the fork on.
    /// Evidence about a device that no key of the document's owner ever
    /// delegated is refused: anyone can sign two changes with a key of
    /// their own, and such "forks" would only fill the table.
    pub fn receive_fork_evidence(&mut self, evidence: ForkEvidence) -> Result<bool, Rejection> {
        let fork = evidence.check(&self.pact_id())?;
        self.membership
            .state()
            .signer_known(&fork.evidence.first.signer, &fork.document)?;
        Ok(self.take_fork(fork))
    }

    /// Records a checked fork; true if it lowered (or set) its actor's
    /// freeze point, after which the document has been checked again.
    pub(super) fn take_fork(&mut self, fork: Fork) -> bool {
        let key = (fork.document, fork.actor);
        let order = |f: &Fork| {
            (
                f.seq,
                f.evidence.first.content_hash(),
                f.evidence.second.content_hash(),
            )
        };
        if self
            .forks
            .get(&key)
            .is_some_and(|known| order(known) <= order(&fork))
        {
            return false;
        }
        let document = fork.document;
        self.forks.insert(key, fork);
        self.recheck_document(document);
        true
    }

    /// The actors of `document` that forked, and from which sequence number
    /// their changes are held.
    pub(super) fn forked_from(&self, document: &DocumentId) -> HashMap<ActorKey, u64> {
        self.forks
            .range(
                (*document, ActorKey([0; ActorKey::LEN]))
                    ..=(*document, ActorKey([0xff; ActorKey::LEN])),
            )
            .map(|((_, actor), fork)| (*actor, fork.seq))
            .collect()
    }
}
