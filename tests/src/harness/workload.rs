//! What peers do during a run: write domain records, change membership
//! (remove, rotate a key and take up the new one, appoint an officer),
//! and what an adversary does: inject forged and unauthorised envelopes,
//! equivocate, and backdate a removed member's vote.

use std::collections::BTreeMap;

use amtshilfe_protocol::document::{Document, RecordOp};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::{self, KeyPair};
use amtshilfe_protocol::ids::{ActorKey, Collection, DocumentId};
use amtshilfe_protocol::membership::Proposal;

use super::network::{Message, Network, Payload};
use crate::sample;

/// Most proposals (removals, rotations, appointments) in one run, so that
/// a pact keeps a majority to work with.
const PROPOSALS_MAX: usize = 4;

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
        // One write in eight is the member's posture, sealed.
        let posture = if self.rng.chance(12) {
            crate::posture_sample::posture_write(
                &mut self.rng,
                &replica.pact_id(),
                replica.membership().state(),
                peer.device.member,
                now_ms,
            )
        } else {
            None
        };
        let (collection, ops) = match posture {
            Some(write) => write,
            None => sample::random_write(
                &mut self.rng,
                replica.read_model(),
                peer.device.member,
                now_ms,
            ),
        };
        // Now and then an operator's second device writes: delegated for
        // ten minutes only, so later writes of it are refused at home and
        // its earlier ones must still be accepted everywhere.
        let device = match self.second_devices.get(&index) {
            Some(second) if self.rng.chance(20) => second.clone(),
            _ => peer.device.clone(),
        };
        let written = replica.write(&device, collection, &ops, now_ms);
        // A removed member's device may no longer write, nor a second
        // device past its delegation: that is expected.
        if let Ok(envelope) = written {
            if device.key.public() != peer.device.key.public() {
                self.second_device_writes += 1;
            }
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
        let propose = self.proposals.len() < PROPOSALS_MAX && self.rng.chance(30);
        let target = self.pact.members[self.rng.below(self.pact.members.len())].id();
        // Remove, rotate the target's key, appoint an officer for the
        // proposer and the target, or admit a new member (once a run).
        let kind = match self.rng.below(4) {
            3 if self.admissions > 0 => 0,
            kind => kind,
        };
        let fresh_key = KeyPair::from_seed(self.rng.bytes());
        self.take_rotated_key(index);
        // Proposals this peer has received (an operator approves what its
        // own node shows).
        let known: Vec<_> = match self.peers[index].replica.as_ref() {
            Some(replica) => self
                .proposals
                .iter()
                .filter(|p| replica.membership().contains(p))
                .copied()
                .collect(),
            None => Vec::new(),
        };
        let pick = if known.is_empty() {
            None
        } else {
            // Earlier proposals are approved more often, so that some
            // gather a majority among the many members of a large run.
            let first = self.rng.below(known.len());
            let second = self.rng.below(known.len());
            Some(known[first.min(second)])
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
            let proposal = match kind {
                0 => Proposal::Remove {
                    member: target,
                    frozen_heads,
                },
                1 => Proposal::RotateKey {
                    member: target,
                    new_key: fresh_key.public(),
                    frozen_heads,
                },
                3 => Proposal::Add {
                    key: fresh_key.public(),
                    name: "Neue Gemeinde".into(),
                },
                _ => Proposal::AppointOfficer {
                    officer_key: fresh_key.public(),
                    name: "Gemeinsame ISB".into(),
                    serves: vec![peer.device.member, target],
                },
            };
            if kind == 1 {
                self.rotated_keys.insert(target, fresh_key.clone());
            }
            replica
                .membership()
                .propose(&peer.member_key, proposal, now_ms)
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
            if propose && kind == 3 {
                self.join(index, fresh_key);
            }
            if let Some(proposal) = pick.filter(|_| !propose) {
                self.more_approvals(index, proposal);
            }
        }
    }

    /// Other operators whose nodes show `proposal` approve it too, each
    /// with some chance, as a pact's members answer a proposal within days.
    fn more_approvals(&mut self, first: usize, proposal: amtshilfe_protocol::ids::EntryHash) {
        let now_ms = self.now_ms;
        for index in (0..self.peers.len()).filter(|i| *i != first) {
            if !self.rng.chance(50) {
                continue;
            }
            let peer = &mut self.peers[index];
            let Some(replica) = peer.replica.as_mut() else {
                continue;
            };
            if !replica.membership().contains(&proposal) {
                continue;
            }
            let entry = replica
                .membership()
                .approve(&peer.member_key, proposal, now_ms);
            if replica.receive_entry(entry.clone()).is_ok() {
                peer.persist();
                self.broadcast(index, Payload::Entry(entry));
            }
        }
    }

    /// Sends a batch of envelopes that every replica must refuse: signed by
    /// a stranger, by a member's device for another member's document,
    /// tampered after signing, and with an actor bound to another key.
    pub(crate) fn inject_forgeries(&mut self) {
        // Founders only: their keys are the fixture's.
        let victim = self.rng.below(self.pact.members.len());
        let attacker = self.rng.below(self.pact.members.len());
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

impl Network {
    /// The new member of an `Add` that `sponsor` proposed sets up its node
    /// from the sponsor's log (as from an invitation), delegates its
    /// device before the majority has approved, and takes part from then
    /// on: it syncs, and writes once it is admitted.
    fn join(&mut self, sponsor: usize, member_key: KeyPair) {
        let now_ms = self.now_ms;
        let device = amtshilfe_protocol::replica::LocalDevice {
            member: amtshilfe_protocol::ids::MemberId::from_key(member_key.public()),
            key: KeyPair::from_seed(self.rng.bytes()),
            incarnation: self.rng.bytes(),
        };
        let Some(log) = self.peers[sponsor].replica.as_ref().map(|r| {
            r.membership()
                .entries_in_order()
                .into_iter()
                .map(|(_, entry)| entry.clone())
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        let mut joiner = super::peer::Peer::new(
            self.pact.charter.clone(),
            device.clone(),
            member_key.clone(),
        );
        let Some(replica) = joiner.replica.as_mut() else {
            return;
        };
        let _ = replica.receive_entries(log);
        let delegation = replica.membership().delegate(
            &member_key,
            device.member,
            &device.key,
            now_ms + crate::fixtures::DELEGATION_MS,
            now_ms,
        );
        if replica.receive_entry(delegation.clone()).is_err() {
            return;
        }
        joiner.persist();
        let index = self.add_peer(joiner, sponsor);
        self.admissions += 1;
        self.broadcast(index, Payload::Entry(delegation));
    }
}

/// How long a second device's delegation lasts, in ms.
const SECOND_DEVICE_MS: i64 = 10 * 60 * 1_000;

impl Network {
    /// A random peer delegates a second device, valid for
    /// [`SECOND_DEVICE_MS`], with the device's consent.
    pub(crate) fn delegate_second_device(&mut self) {
        let index = self.rng.below(self.peers.len());
        if self.second_devices.contains_key(&index) {
            return;
        }
        let now_ms = self.now_ms;
        let second = amtshilfe_protocol::replica::LocalDevice {
            member: self.peers[index].device.member,
            key: KeyPair::from_seed(self.rng.bytes()),
            incarnation: self.rng.bytes(),
        };
        let peer = &mut self.peers[index];
        let Some(replica) = peer.replica.as_mut() else {
            return;
        };
        let delegation = replica.membership().delegate(
            &peer.member_key,
            second.member,
            &second.key,
            now_ms + SECOND_DEVICE_MS,
            now_ms,
        );
        if replica.receive_entry(delegation.clone()).is_ok() {
            peer.persist();
            self.second_devices.insert(index, second);
            self.broadcast(index, Payload::Entry(delegation));
        }
    }

    /// A peer whose member key was rotated (in its own replica's view)
    /// signs with the new key from now on and delegates its device again
    /// under it, as an operator recovering with a new key would.
    fn take_rotated_key(&mut self, index: usize) {
        let member = self.peers[index].device.member;
        let Some(new_key) = self.rotated_keys.get(&member).cloned() else {
            return;
        };
        let now_ms = self.now_ms;
        let peer = &mut self.peers[index];
        let Some(replica) = peer.replica.as_mut() else {
            return;
        };
        let current = replica
            .membership()
            .state()
            .members()
            .find(|(m, _)| **m == member)
            .map(|(_, info)| info.current_key);
        if current != Some(new_key.public()) || peer.member_key.public() == new_key.public() {
            return;
        }
        peer.member_key = new_key.clone();
        let delegation = replica.membership().delegate(
            &new_key,
            member,
            &peer.device.key,
            now_ms + crate::fixtures::DELEGATION_MS,
            now_ms,
        );
        if replica.receive_entry(delegation.clone()).is_ok() {
            peer.persist();
            self.broadcast(index, Payload::Entry(delegation));
        }
    }

    /// A member's device signs two different first changes of a fresh
    /// incarnation and sends one to each half of the pact; and a member
    /// that some replica knows as removed signs an approval on the
    /// charter alone (before its removal) for a proposal it knows.
    pub(crate) fn inject_equivocation(&mut self) {
        let liar = self.rng.below(self.peers.len());
        let device = self.peers[liar].device.clone();
        let incarnation = self.rng.bytes();
        let pact = amtshilfe_protocol::ids::PactId(self.pact.charter.hash().0);
        let now_ms = self.now_ms;
        let (collection, ops) = sample::offer_write(&mut self.rng, now_ms);
        let (_, other_ops) = sample::offer_write(&mut self.rng, now_ms);
        let document = DocumentId::new(device.member, collection);
        // The device declared the incarnation it lies under long before
        // (it must, for either story to count anywhere): every peer up
        // holds the declaration; those down get it with their next sync.
        let declared = self.peers[liar].replica.as_ref().map(|replica| {
            replica.membership().declare_incarnation(
                &device.key,
                device.member,
                incarnation,
                now_ms,
            )
        });
        for peer in &mut self.peers {
            if let (Some(replica), Some(entry)) = (peer.replica.as_mut(), &declared) {
                let _ = replica.receive_entry(entry.clone());
                peer.persist();
            }
        }
        let one = fresh_change(document, &device.key, incarnation, now_ms, &ops);
        let two = fresh_change(document, &device.key, incarnation, now_ms + 1, &other_ops);
        let stories = [
            Envelope::sign(&pact, document, one, &device.key),
            Envelope::sign(&pact, document, two, &device.key),
        ];
        // The lying device keeps neither story itself: what its own node
        // writes later must not build on a change that the fork freezes.
        for to in (0..self.peers.len()).filter(|to| *to != liar) {
            self.send(Message {
                from: liar,
                to,
                payload: Payload::Envelope(stories[to % 2].clone()),
            });
        }
        self.equivocations += 1;
        self.backdate_vote();
    }

    /// A removed member votes with parents from before its removal.
    fn backdate_vote(&mut self) {
        let Some(proposal) = self.proposals.first().copied() else {
            return;
        };
        let removed = self.peers.iter().enumerate().find_map(|(index, peer)| {
            let replica = peer.replica.as_ref()?;
            let record = replica
                .membership()
                .state()
                .member_record(&peer.device.member)?;
            record.removed.as_ref().map(|_| index)
        });
        let Some(index) = removed else {
            return;
        };
        let charter = self.pact.charter.hash();
        let body = amtshilfe_protocol::membership::EntryBody {
            pact: Some(amtshilfe_protocol::ids::PactId(charter.0)),
            parents: vec![proposal],
            issued_at_ms: self.now_ms,
            kind: amtshilfe_protocol::membership::EntryKind::Approve { proposal },
        };
        let entry = amtshilfe_protocol::membership::SignedEntry::sign(
            body,
            &[&self.peers[index].member_key],
        );
        self.broadcast(index, Payload::Entry(entry));
        self.equivocations += 1;
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
