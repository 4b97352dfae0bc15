//! What peers do during a run: write domain records, change membership,
//! and what an adversary does: inject forged and unauthorised envelopes.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::{Document, RecordOp};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::{self, KeyPair};
use amtshilfe_protocol::ids::{ActorKey, Collection, DocumentId};
use amtshilfe_protocol::membership::Proposal;

use super::network::{Message, Network, Payload};
use crate::sample;

/// Most removals proposed in one run, so that a pact keeps a majority to
/// work with.
const REMOVALS_MAX: usize = 2;

impl Network {
    /// A random peer writes a random record (an offer, a request, a pledge
    /// against a request it knows, an acceptance of a pledge it received).
    pub(crate) fn random_write(&mut self) {
        let index = self.rng.below(self.peers.len());
        let now_ms = self.now_ms;
        let peer = &mut self.peers[index];
        let Some(replica) = peer.replica.as_mut() else {
            return;
        };
        let (collection, ops) = sample::random_write(
            &mut self.rng,
            replica.read_model(),
            peer.device.member,
            now_ms,
        );
        let written = replica.write(&peer.device, collection, &ops, now_ms);
        // A removed member's device may no longer write: that is expected.
        if let Ok(envelope) = written {
            peer.persist();
            self.acknowledged.push((index, envelope.clone()));
            self.broadcast(index, Payload::Envelope(envelope));
        }
    }

    /// A random member proposes removing another, or approves a proposal
    /// it knows of.
    pub(crate) fn random_membership_change(&mut self) {
        let index = self.rng.below(self.peers.len());
        let now_ms = self.now_ms;
        let propose = self.proposals.len() < REMOVALS_MAX && self.rng.chance(15);
        let target = self.pact.members[self.rng.below(self.pact.members.len())].id();
        let known: Vec<_> = self.proposals.clone();
        let pick = if known.is_empty() {
            None
        } else {
            Some(*self.rng.pick(&known))
        };
        let peer = &mut self.peers[index];
        let Some(replica) = peer.replica.as_mut() else {
            return;
        };
        let entry = if propose {
            if target == peer.device.member || replica.membership().state().member_count() <= 3 {
                return;
            }
            let frozen_heads: BTreeMap<Collection, Vec<automerge::ChangeHash>> = Collection::ALL
                .into_iter()
                .filter_map(|c| {
                    replica
                        .document(&DocumentId::new(target, c))
                        .map(|d| (c, d.heads()))
                })
                .collect();
            replica.membership().propose(
                &peer.member_key,
                Proposal::Remove {
                    member: target,
                    frozen_heads,
                },
                now_ms,
            )
        } else {
            let Some(proposal) = pick.filter(|p| replica.membership().contains(p)) else {
                return;
            };
            replica
                .membership()
                .approve(&peer.member_key, proposal, now_ms)
        };
        let hash = entry.hash();
        if replica.receive_entry(entry.clone()).is_ok() {
            peer.persist();
            if propose {
                self.proposals.push(hash);
            }
            self.broadcast(index, Payload::Entry(entry));
        }
    }

    /// Sends a batch of envelopes that every replica must refuse: signed by
    /// a stranger, by a member's device for another member's document,
    /// tampered after signing, and with an actor bound to another key.
    pub(crate) fn inject_forgeries(&mut self) {
        let victim = self.rng.below(self.peers.len());
        let attacker = self.rng.below(self.peers.len());
        let target = self.rng.below(self.peers.len());
        let now_ms = self.now_ms;
        let pact = self.pact.charter.hash();
        let pact = amtshilfe_protocol::ids::PactId(pact.0);
        let victim_member = self.pact.members[victim].id();
        let attacker_device = self.pact.members[attacker].device.clone();
        let stranger = KeyPair::from_seed(self.rng.bytes());
        let incarnation = self.rng.bytes();
        let (collection, ops) = sample::offer_write(&mut self.rng, now_ms);
        let victim_doc = DocumentId::new(victim_member, collection);
        let attacker_doc = DocumentId::new(attacker_device.member, collection);

        let mut forged = Vec::new();
        // A stranger's key, its own actor, the victim's document.
        let change = fresh_change(victim_doc, &stranger, incarnation, now_ms, &ops);
        forged.push(Envelope::sign(&pact, victim_doc, change, &stranger));
        // A member's real device writing another member's document.
        if attacker_device.member != victim_member {
            let change = fresh_change(
                victim_doc,
                &attacker_device.key,
                attacker_device.incarnation,
                now_ms,
                &ops,
            );
            forged.push(Envelope::sign(
                &pact,
                victim_doc,
                change,
                &attacker_device.key,
            ));
        }
        // A valid envelope of the attacker's own document, tampered after signing.
        let change = fresh_change(
            attacker_doc,
            &attacker_device.key,
            incarnation,
            now_ms,
            &ops,
        );
        let mut tampered = Envelope::sign(&pact, attacker_doc, change, &attacker_device.key);
        if let Some(last) = tampered.change.last_mut() {
            *last ^= 0x01;
        }
        forged.push(tampered);
        // The attacker signs its own document, but the change's actor is a stranger's.
        let change = fresh_change(attacker_doc, &stranger, incarnation, now_ms, &ops);
        forged.push(Envelope::sign(
            &pact,
            attacker_doc,
            change,
            &attacker_device.key,
        ));

        for envelope in forged {
            self.forged.insert(envelope.content_hash());
            self.send(Message {
                from: attacker,
                to: target,
                payload: Payload::Envelope(envelope),
            });
        }
    }
}

/// The bytes of a change made by `key` in a scratch copy of a document.
fn fresh_change(
    id: DocumentId,
    key: &KeyPair,
    incarnation: [u8; 16],
    now_ms: i64,
    ops: &[RecordOp],
) -> Vec<u8> {
    let actor = identity::actor_id(&key.public(), incarnation);
    let actor = ActorKey::from_slice(actor.to_bytes()).unwrap_or(ActorKey([0; 48]));
    let mut scratch = Document::new(id);
    match scratch.make_change(actor, now_ms, ops) {
        Ok(change) => change.raw_bytes().to_vec(),
        Err(error) => panic!("a scratch change of a valid record must be possible: {error}"),
    }
}
