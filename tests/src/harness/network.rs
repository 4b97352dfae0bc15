//! The simulated network and its seeded scheduler.

use std::collections::{BTreeMap, BTreeSet};

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::Sha256Hash;
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse, SyncSession, SyncStep};

use amtshilfe_protocol::identity::KeyPair;

use super::peer::Peer;
use super::{HarnessConfig, Planted};
use crate::fixtures::TestPact;
use crate::rng::SeededRng;

/// Most messages in flight before the oldest are lost, like a full queue.
const IN_FLIGHT_MAX: usize = 4_000;
/// Most open sync sessions; older ones are abandoned, like timeouts.
const SESSIONS_MAX: usize = 64;
/// Most settle rounds (each: a full session between every ordered pair).
const SETTLE_ROUNDS_MAX: usize = 12;

#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Envelope(Envelope),
    Entry(SignedEntry),
    SyncRequest {
        session: u64,
        request: SyncRequest,
    },
    SyncResponse {
        session: u64,
        response: SyncResponse,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) payload: Payload,
}

/// Peers, messages in flight, partitions and the scheduler's random source.
#[derive(Debug)]
pub struct Network {
    pub(crate) seed: u64,
    pub(crate) config: HarnessConfig,
    pub(crate) rng: SeededRng,
    pub(crate) pact: TestPact,
    pub(crate) peers: Vec<Peer>,
    in_flight: Vec<Message>,
    /// Partition group of each peer; messages between groups are lost.
    group: Vec<u8>,
    sessions: BTreeMap<u64, (usize, SyncSession)>,
    next_session: u64,
    /// Simulated clock, advanced by every step.
    pub(crate) now_ms: i64,
    /// Every envelope a write call returned, by writer: acknowledged writes.
    pub(crate) acknowledged: Vec<(usize, Envelope)>,
    /// Content hashes of every forged or unauthorised envelope injected.
    pub(crate) forged: BTreeSet<Sha256Hash>,
    /// Open removal proposals, for peers to approve.
    pub(crate) proposals: Vec<amtshilfe_protocol::ids::EntryHash>,
    /// New member keys proposed in rotations, by the member they are for.
    pub(crate) rotated_keys: BTreeMap<amtshilfe_protocol::ids::MemberId, KeyPair>,
    /// Equivocations and backdated votes injected.
    pub(crate) equivocations: usize,
    /// New members proposed (each with a node of its own).
    pub(crate) admissions: usize,
    /// Writes acknowledged from second devices.
    pub(crate) second_device_writes: usize,
    /// Second devices, by the peer whose operators use them.
    pub(crate) second_devices: BTreeMap<usize, amtshilfe_protocol::replica::LocalDevice>,
    /// What a check during the run found (a restarted peer missing a
    /// write it had acknowledged); reported by `check`.
    pub(crate) violations: Vec<String>,
}

impl Network {
    /// A network of `config.peers` founding members, all connected.
    pub fn new(seed: u64, config: HarnessConfig) -> Self {
        let pact = TestPact::new(config.peers, seed);
        let peers = pact
            .members
            .iter()
            .enumerate()
            .map(|(index, m)| {
                let mut peer =
                    Peer::new(pact.charter.clone(), m.device.clone(), m.member_key.clone());
                if index == 0 {
                    peer.planted = config.planted;
                }
                if let Some(replica) = peer.replica.as_mut() {
                    for entry in pact.entries() {
                        let _ = replica.receive_entry(entry.clone());
                    }
                }
                peer.persist();
                peer
            })
            .collect();
        Self {
            seed,
            rng: SeededRng::new(seed),
            group: vec![0; config.peers],
            config,
            pact,
            peers,
            in_flight: Vec::new(),
            sessions: BTreeMap::new(),
            next_session: 0,
            now_ms: crate::fixtures::T0_MS,
            acknowledged: Vec::new(),
            forged: BTreeSet::new(),
            proposals: Vec::new(),
            rotated_keys: BTreeMap::new(),
            equivocations: 0,
            second_devices: BTreeMap::new(),
            second_device_writes: 0,
            admissions: 0,
            violations: Vec::new(),
        }
    }

    /// Adds a peer in the same partition group as `beside`; its index.
    pub(crate) fn add_peer(&mut self, peer: Peer, beside: usize) -> usize {
        let group = self.group.get(beside).copied().unwrap_or(0);
        self.peers.push(peer);
        self.group.push(group);
        self.peers.len() - 1
    }

    /// Runs `steps` random scheduler steps.
    pub fn run_steps(&mut self, steps: usize) {
        for _ in 0..steps {
            self.now_ms += 1_000 + self.rng.below(60_000) as i64;
            self.step();
        }
    }

    fn step(&mut self) {
        let roll = self.rng.below(100);
        match roll {
            0..=44 => self.deliver_one(),
            45..=64 => self.random_write(),
            65..=79 => self.start_random_session(),
            80..=86 if self.config.membership_changes => self.random_membership_change(),
            87..=88 if self.config.forgeries => self.inject_forgeries(),
            89 if self.config.equivocation => {
                if self.rng.chance(50) {
                    self.inject_equivocation();
                } else {
                    self.delegate_second_device();
                }
            }
            90..=93 if self.config.partitions => self.repartition(),
            94..=95 if self.config.partitions => self.heal(),
            96..=97 if self.config.crashes => self.crash_random(),
            98..=99 if self.config.crashes => self.restart_random(),
            _ => self.deliver_one(),
        }
    }

    pub(crate) fn send(&mut self, message: Message) {
        if self.in_flight.len() >= IN_FLIGHT_MAX {
            self.in_flight.remove(0);
        }
        self.in_flight.push(message);
    }

    /// Sends `payload` from `from` to every other peer (gossip).
    pub(crate) fn broadcast(&mut self, from: usize, payload: Payload) {
        for to in 0..self.peers.len() {
            if to != from {
                self.send(Message {
                    from,
                    to,
                    payload: payload.clone(),
                });
            }
        }
    }

    fn deliver_one(&mut self) {
        if self.in_flight.is_empty() {
            return;
        }
        let index = self.rng.below(self.in_flight.len());
        let message = if self.rng.chance(self.config.duplicate_percent) {
            self.in_flight[index].clone()
        } else {
            self.in_flight.swap_remove(index)
        };
        if self.rng.chance(self.config.drop_percent)
            || self.group[message.from] != self.group[message.to]
        {
            return;
        }
        self.deliver(message);
    }

    fn deliver(&mut self, message: Message) {
        let Message { from, to, payload } = message;
        if !self.peers[to].is_up() {
            return;
        }
        match payload {
            Payload::Envelope(envelope) => {
                if self.peers[to].planted == Some(Planted::SkipAuthorisation) {
                    self.peers[to].store.envelopes.push(envelope.clone());
                }
                if let Some(replica) = self.peers[to].replica.as_mut() {
                    replica.receive_envelopes(vec![envelope], SignatureCheck::Verify);
                }
            }
            Payload::Entry(entry) => {
                if let Some(replica) = self.peers[to].replica.as_mut() {
                    let _ = replica.receive_entry(entry);
                }
            }
            Payload::SyncRequest { session, request } => {
                let request = self.planted_request(from, request);
                if let Some(replica) = self.peers[to].replica.as_ref() {
                    let response = replica.answer_sync(&request);
                    self.send(Message {
                        from: to,
                        to: from,
                        payload: Payload::SyncResponse { session, response },
                    });
                }
            }
            Payload::SyncResponse { session, response } => {
                self.continue_session(session, to, from, response)
            }
        }
        self.peers[to].persist();
    }

    fn continue_session(
        &mut self,
        session: u64,
        puller: usize,
        peer: usize,
        response: SyncResponse,
    ) {
        let Some((owner, mut state)) = self.sessions.remove(&session) else {
            return;
        };
        let response = planted_response(self.peers[puller].planted, response);
        let Some(replica) = self.peers[puller].replica.as_mut() else {
            return;
        };
        if owner != puller {
            return;
        }
        if let SyncStep::Send(request) = state.on_response(replica, response) {
            self.sessions.insert(session, (puller, state));
            self.send(Message {
                from: puller,
                to: peer,
                payload: Payload::SyncRequest { session, request },
            });
        }
    }

    fn start_random_session(&mut self) {
        let puller = self.rng.below(self.peers.len());
        let peer = self.rng.below(self.peers.len());
        if puller == peer {
            return;
        }
        let Some(replica) = self.peers[puller].replica.as_ref() else {
            return;
        };
        let (state, request) = SyncSession::start(replica);
        let session = self.next_session;
        self.next_session += 1;
        if self.sessions.len() >= SESSIONS_MAX {
            self.sessions.pop_first();
        }
        self.sessions.insert(session, (puller, state));
        self.send(Message {
            from: puller,
            to: peer,
            payload: Payload::SyncRequest { session, request },
        });
    }

    fn repartition(&mut self) {
        let groups = 2 + self.rng.below(2) as u8;
        for group in self.group.iter_mut() {
            *group = (self.rng.next_u64() % u64::from(groups)) as u8;
        }
    }

    fn heal(&mut self) {
        self.group.iter_mut().for_each(|g| *g = 0);
    }

    fn crash_random(&mut self) {
        let victim = self.rng.below(self.peers.len());
        self.peers[victim].crash();
        self.sessions.retain(|_, (puller, _)| *puller != victim);
    }

    fn restart_random(&mut self) {
        let index = self.rng.below(self.peers.len());
        if !self.peers[index].is_up() {
            self.restart(index);
        }
    }

    /// Restarts a peer from its store and checks, before it syncs with
    /// anyone, that every write it acknowledged came back from its disk.
    fn restart(&mut self, index: usize) {
        for problem in self.peers[index].restart() {
            self.violations
                .push(format!("peer {index} restarted badly: {problem}"));
        }
        let Some(replica) = self.peers[index].replica.as_ref() else {
            return;
        };
        let lost = self
            .acknowledged
            .iter()
            .filter(|(writer, _)| *writer == index)
            .find(|(_, envelope)| {
                let hash = envelope.content_hash();
                !replica.document(&envelope.document).is_some_and(|d| {
                    d.applied()
                        .iter()
                        .any(|c| c.envelope.content_hash() == hash)
                }) && !replica.held_hashes().contains(&hash)
            });
        if let Some((_, envelope)) = lost {
            self.violations.push(format!(
                "peer {index} restarted without its acknowledged write {}",
                envelope.content_hash()
            ));
        }
    }

    /// A peer with [`Planted::AcceptFork`] sends no tips and no forks, so
    /// a fork stays hidden from it.
    fn planted_request(&self, from: usize, request: SyncRequest) -> SyncRequest {
        match (self.peers[from].planted, request) {
            (
                Some(Planted::AcceptFork),
                SyncRequest::Want {
                    pact,
                    entries,
                    documents,
                    ..
                },
            ) => SyncRequest::Want {
                pact,
                entries,
                documents,
                tips: BTreeMap::new(),
                forks: BTreeMap::new(),
            },
            (_, request) => request,
        }
    }

    /// Heals every partition, restarts every peer, drops what is in flight
    /// and runs direct sync sessions between every ordered pair of peers
    /// until a whole round changes nothing.
    pub fn settle(&mut self) {
        self.heal();
        self.in_flight.clear();
        self.sessions.clear();
        for index in 0..self.peers.len() {
            if !self.peers[index].is_up() {
                self.restart(index);
            }
        }
        for _ in 0..SETTLE_ROUNDS_MAX {
            let mut changed = false;
            for puller in 0..self.peers.len() {
                for peer in 0..self.peers.len() {
                    if puller != peer {
                        changed |= self.sync_directly(puller, peer);
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// One complete pull session from `puller` to `peer`, with no losses.
    pub(crate) fn sync_directly(&mut self, puller: usize, peer: usize) -> bool {
        let (Some(_), Some(_)) = (
            self.peers[puller].replica.as_ref(),
            self.peers[peer].replica.as_ref(),
        ) else {
            return false;
        };
        let mut changed = false;
        let (mut session, mut request) = match self.peers[puller].replica.as_ref() {
            Some(replica) => SyncSession::start(replica),
            None => return false,
        };
        loop {
            let Some(answerer) = self.peers[peer].replica.as_ref() else {
                return changed;
            };
            let sent = self.planted_request(puller, request.clone());
            let response =
                planted_response(self.peers[puller].planted, answerer.answer_sync(&sent));
            let Some(replica) = self.peers[puller].replica.as_mut() else {
                return changed;
            };
            match session.on_response(replica, response) {
                SyncStep::Send(next) => request = next,
                SyncStep::Done(summary) => {
                    changed |= summary.envelopes_applied > 0
                        || summary.entries_applied > 0
                        || summary.forks_learned > 0;
                    self.peers[puller].persist();
                    return changed;
                }
            }
        }
    }
}

/// A peer with [`Planted::AcceptFork`] drops the fork evidence it is sent.
fn planted_response(planted: Option<Planted>, response: SyncResponse) -> SyncResponse {
    match (planted, response) {
        (
            Some(Planted::AcceptFork),
            SyncResponse::Page {
                entries,
                envelopes,
                more,
                ..
            },
        ) => SyncResponse::Page {
            entries,
            envelopes,
            forks: Vec::new(),
            more,
        },
        (_, response) => response,
    }
}
