//! Who the node talks to. Every connection is authenticated by Noise (the
//! peer id is the peer's device key), but that says nothing about pact
//! membership. So when a connection opens, both sides send an
//! [`Introduction`] with their own device's delegation entries; each side
//! checks them through its membership log and then asks the log whether the
//! other's device key belongs to a current member.
//!
//! Until a peer is admitted it gets nothing: its gossip score is set below
//! every gossipsub threshold (nothing is published or forwarded to it, its
//! messages are dropped) and its sync requests go unanswered. It is
//! disconnected as soon as its introduction fails to prove membership, or
//! after [`ADMISSION_GRACE`] if it sends none. A member removed from the pact is disconnected as soon as
//! the removal is known. Admission reads the node's clock: a device whose
//! delegation has expired is neither admitted nor kept (checked again on
//! every sync round), so a stolen old device key stops reading the pact.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use libp2p::{PeerId, request_response};

use super::behaviour::{ADMITTED_SCORE, UNADMITTED_SCORE};
use amtshilfe_protocol::membership::{EntryKind, SignedEntry};

use super::codec::{Admission, INTRODUCTION_ENTRIES_MAX, Introduction};
use super::event_loop::EventLoop;
use super::identity::{key_of_peer, peer_id_of};
use super::ingest::IngestJob;

/// How long a connected peer may take to prove membership.
pub const ADMISSION_GRACE: Duration = Duration::from_secs(10);
/// How long this node's own introduction is reused before it is built
/// again from the log (it is also rebuilt whenever the log changes who may
/// connect), so that a flood of connections does not take the core's lock
/// once each.
pub const INTRODUCTION_CACHE_TTL: Duration = Duration::from_secs(60);

impl EventLoop {
    /// A first connection to `peer` opened: introduce ourselves, and admit
    /// it at once if the log already knows it.
    pub(super) fn on_connected(&mut self, peer: PeerId) {
        let introduction = self.cached_introduction();
        self.swarm
            .behaviour_mut()
            .introduce
            .send_request(&peer, introduction);
        if self.allowed.contains(&peer) {
            self.admit(peer);
        } else {
            self.swarm
                .behaviour_mut()
                .gossipsub
                .set_application_score(&peer, UNADMITTED_SCORE);
            self.awaiting.insert(peer, Instant::now() + ADMISSION_GRACE);
        }
    }

    pub(super) fn on_disconnected(&mut self, peer: &PeerId) {
        self.admitted.remove(peer);
        self.awaiting.remove(peer);
        self.syncing.remove(peer);
        self.paused.retain(|(paused, ..)| paused != peer);
    }

    pub(super) fn on_introduce_event(
        &mut self,
        event: request_response::Event<Introduction, Admission>,
    ) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                self.take_introduction(peer, request, channel);
            }
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Response {
                        response: Admission { admitted: false },
                        ..
                    },
                ..
            } => {
                tracing::info!(%peer, "the peer did not admit this node (yet)");
            }
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Response {
                        response: Admission { admitted: true },
                        ..
                    },
                ..
            } if self.admitted.contains(&peer) => {
                // The peer answers only after it has taken in this node's
                // introduction, so from now on it takes our pulls: start
                // one if none is under way (the first may have been sent,
                // and refused, before it had).
                self.start_sync(peer);
            }
            request_response::Event::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "introduction failed");
            }
            _ => {}
        }
    }

    /// Hands the delegations of the peer's own device that it sent, and
    /// the device's declarations of its incarnation (in one batch), to the
    /// ingest worker, which checks and stores them off
    /// this task; the answer goes out when it is done
    /// ([`Self::introduced`]). Anything else in an introduction is not the
    /// peer's to introduce and is dropped unread: the peer is not admitted
    /// yet, so it must not make this node check signatures or write to its
    /// log on its behalf. An introduction with none of its own entries
    /// takes no queue slot. With the queue full the peer is answered at once
    /// as things stand; unadmitted, it is disconnected after
    /// [`ADMISSION_GRACE`] and introduces itself again on its next dial.
    fn take_introduction(
        &mut self,
        peer: PeerId,
        introduction: Introduction,
        channel: request_response::ResponseChannel<Admission>,
    ) {
        let entries = own_entries(&peer, introduction.entries);
        if entries.is_empty() {
            // Nothing to take in (a stranger's usual introduction): no
            // queue slot, answered at once.
            self.answer_introduction(peer, channel);
            return;
        }
        let job = IngestJob::Introduction {
            peer,
            pact: introduction.pact,
            entries,
            channel,
        };
        if let Err(refused) = self.ingest.try_send_job(job) {
            tracing::debug!(%peer, "ingest queue full: introduction answered as it stands");
            if let IngestJob::Introduction { channel, .. } = *refused {
                self.answer_introduction(peer, channel);
            }
        }
    }

    /// The ingest worker took in a peer's introduction: look again at who
    /// is admitted if the log changed, then answer the peer.
    pub(super) fn introduced(
        &mut self,
        peer: PeerId,
        channel: request_response::ResponseChannel<Admission>,
        gate_changed: bool,
    ) {
        if gate_changed {
            self.refresh_gate();
        }
        self.answer_introduction(peer, channel);
    }

    fn answer_introduction(
        &mut self,
        peer: PeerId,
        channel: request_response::ResponseChannel<Admission>,
    ) {
        let admitted = self.admitted.contains(&peer);
        let _ = self
            .swarm
            .behaviour_mut()
            .introduce
            .send_response(channel, Admission { admitted });
    }

    /// What this node shows a peer before either has admitted the other:
    /// only the delegation entries of its own device, which is all the peer
    /// needs to check that this device belongs to a member. The rest of the
    /// log (names, keys, proposals) travels by sync, to admitted peers only.
    /// [`Self::introduction`], built at most once per
    /// [`INTRODUCTION_CACHE_TTL`] or membership change.
    fn cached_introduction(&mut self) -> Introduction {
        let now = Instant::now();
        if let Some((built, introduction)) = &self.introduction_cache
            && now.duration_since(*built) < INTRODUCTION_CACHE_TTL
        {
            return introduction.clone();
        }
        let introduction = self.introduction();
        self.introduction_cache = Some((now, introduction.clone()));
        introduction
    }

    /// This device's delegations and the declaration of the incarnation it
    /// writes under now: with the declaration in the introduction, a peer
    /// counts this node's changes from the first gossip on, before any
    /// sync, even if this node goes down right after writing.
    fn introduction(&self) -> Introduction {
        let core = self.core.lock();
        let device = core.device().key.public();
        let incarnation = core.device().incarnation;
        let log = core.replica().membership();
        let entries_in_order = log.entries_in_order();
        let delegations: Vec<_> = entries_in_order
            .iter()
            .filter(|(_, entry)| matches!(&entry.body.kind, EntryKind::Delegate { device: d, .. } if *d == device))
            .map(|(_, entry)| (*entry).clone())
            .collect();
        let declaration = entries_in_order.iter().find(|(_, entry)| {
            entry.author() == Some(&device)
                && matches!(&entry.body.kind, EntryKind::Incarnation { incarnation: i, .. } if *i == incarnation)
        });
        let room = INTRODUCTION_ENTRIES_MAX - usize::from(declaration.is_some());
        let mut entries = delegations[delegations.len().saturating_sub(room)..].to_vec();
        entries.extend(declaration.map(|(_, entry)| (*entry).clone()));
        Introduction {
            pact: core.replica().pact_id(),
            entries,
        }
    }

    /// Brings admission in line with the membership log: connected peers
    /// that became members are admitted, admitted peers that are no longer
    /// members are disconnected.
    pub(super) fn refresh_gate(&mut self) {
        // The log changed: our own delegations may have too.
        self.introduction_cache = None;
        let local = *self.swarm.local_peer_id();
        self.allowed = self
            .core
            .lock()
            .allowed_keys(crate::clock::now_ms())
            .iter()
            .filter_map(peer_id_of)
            .filter(|peer| *peer != local)
            .collect();
        // Their sync streams are let through from now on (`gate.rs`).
        self.swarm
            .behaviour()
            .sync
            .allowed()
            .replace(self.allowed.iter().copied());
        let newly_allowed: Vec<PeerId> = self
            .awaiting
            .keys()
            .filter(|p| self.allowed.contains(p))
            .copied()
            .collect();
        for peer in newly_allowed {
            self.admit(peer);
        }
        let expelled: BTreeSet<PeerId> = self.admitted.difference(&self.allowed).copied().collect();
        for peer in expelled {
            tracing::info!(%peer, "peer is no longer a member of the pact; disconnecting");
            self.admitted.remove(&peer);
            self.swarm
                .behaviour_mut()
                .gossipsub
                .set_application_score(&peer, UNADMITTED_SCORE);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
        self.peers_connected.set(self.admitted.len());
    }

    /// Disconnects peers that did not prove membership in time.
    pub(super) fn expire_unadmitted(&mut self) {
        let now = Instant::now();
        let late: Vec<PeerId> = self
            .awaiting
            .iter()
            .filter(|(_, due)| **due <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in late {
            tracing::info!(%peer, "peer did not prove pact membership; disconnecting");
            self.awaiting.remove(&peer);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn admit(&mut self, peer: PeerId) {
        self.awaiting.remove(&peer);
        if self.admitted.insert(peer) {
            tracing::info!(%peer, "peer admitted");
            self.swarm
                .behaviour_mut()
                .gossipsub
                .set_application_score(&peer, ADMITTED_SCORE);
            self.peers_connected.set(self.admitted.len());
            self.start_sync(peer);
            self.ask_for_peers(peer);
        }
    }
}

/// The entries of an introduction that delegate the sending peer's own
/// device, or that the device signed to declare an incarnation; nothing
/// else in it is the peer's to introduce.
fn own_entries(peer: &PeerId, entries: Vec<SignedEntry>) -> Vec<SignedEntry> {
    let Some(device) = key_of_peer(peer) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter(|entry| match &entry.body.kind {
            EntryKind::Delegate { device: d, .. } => *d == device,
            EntryKind::Incarnation { .. } => entry.author() == Some(&device),
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use amtshilfe_protocol::identity::KeyPair;
    use amtshilfe_protocol::ids::MemberId;
    use amtshilfe_protocol::membership::MembershipLog;

    use super::*;

    #[test]
    fn only_the_senders_own_entries_are_taken() {
        let member = KeyPair::from_seed([1; 32]);
        let charter = MembershipLog::charter("Pakt", &[(&member, "A")], 0);
        let log = MembershipLog::new(charter.clone()).unwrap();
        let id = MemberId::from_key(member.public());
        let sender = KeyPair::from_seed([2; 32]);
        let other = KeyPair::from_seed([3; 32]);
        let mine = log.delegate(&member, id, &sender, 10, 0);
        let theirs = log.delegate(&member, id, &other, 10, 0);

        let peer = peer_id_of(&sender.public()).unwrap();

        let taken = own_entries(&peer, vec![theirs, mine.clone(), charter]);
        assert_eq!(taken, vec![mine.clone()]);

        // The sender's own declaration of its incarnation comes along;
        // another device's does not.
        let mut log = log;
        log.insert(mine.clone()).unwrap();
        let declared = log.declare_incarnation(&sender, id, [4; 16], 0);
        let not_its = log.declare_incarnation(&other, id, [4; 16], 0);
        let taken = own_entries(&peer, vec![mine.clone(), not_its, declared.clone()]);
        assert_eq!(taken, vec![mine, declared]);
    }
}
