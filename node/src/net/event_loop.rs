//! The task that owns the swarm and reacts to its events, to commands from
//! the rest of the node, and to its timers.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use amtshilfe_protocol::sync::{SyncSession, SyncStep};
use futures::StreamExt;
use libp2p::request_response::{self, OutboundRequestId};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm, gossipsub, identify, mdns, noise, tcp, yamux};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::announce::{Announcement, topic_name};
use super::behaviour::{Behaviour, BehaviourEvent};
use super::identity::{key_of_peer, libp2p_keypair, peer_id_of};
use super::redial::Backoff;
use super::{COMMANDS_MAX, NetCommand, NetHandle, NetworkSettings};
use crate::clock::now_ms;
use crate::config::SYNC_JITTER_PERCENT;
use crate::core::SharedCore;

/// How often unreachable peers and bootstrap addresses are looked at.
const REDIAL_TICK: Duration = Duration::from_secs(2);
/// Idle connections are kept this long; members talk rarely but should
/// stay reachable.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(3_600);

/// The network could not be started.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// The device key cannot be used as a libp2p identity.
    #[error("the device key is not a valid libp2p identity: {0}")]
    Identity(String),
    /// A transport or behaviour could not be built.
    #[error("the network could not be set up: {0}")]
    Setup(String),
    /// A listen address was refused.
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// The address from the configuration.
        address: Multiaddr,
        /// Why.
        reason: String,
    },
}

/// Builds the swarm, starts listening, and spawns the network task. The
/// task ends when `shutdown` turns true.
pub fn spawn(
    core: SharedCore,
    settings: NetworkSettings,
    shutdown: watch::Receiver<bool>,
) -> Result<(NetHandle, JoinHandle<()>), NetworkError> {
    let (device, pact) = {
        let core = core.lock();
        (core.device().key.clone(), core.replica().pact_id())
    };
    let keypair = libp2p_keypair(&device).map_err(|e| NetworkError::Identity(e.to_string()))?;
    let mdns = settings.mdns;
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| NetworkError::Setup(e.to_string()))?
        .with_quic()
        .with_behaviour(|key| Behaviour::new(key, mdns))
        .map_err(|e| NetworkError::Setup(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    for address in &settings.listen {
        swarm
            .listen_on(address.clone())
            .map_err(|e| NetworkError::Listen {
                address: address.clone(),
                reason: e.to_string(),
            })?;
    }
    let topic = gossipsub::IdentTopic::new(topic_name(&pact));
    swarm
        .behaviour_mut()
        .gossipsub
        .subscribe(&topic)
        .map_err(|e| NetworkError::Setup(e.to_string()))?;

    let (commands_tx, commands) = mpsc::channel(COMMANDS_MAX);
    let (listening_tx, listening) = watch::channel(Vec::new());
    let handle = NetHandle {
        commands: commands_tx,
        listening,
        peer_id: *swarm.local_peer_id(),
    };
    let mut task = EventLoop {
        swarm,
        core,
        topic,
        settings,
        commands,
        listening: listening_tx,
        sessions: HashMap::new(),
        syncing: BTreeSet::new(),
        allowed: BTreeSet::new(),
        connected: BTreeSet::new(),
        known: HashMap::new(),
        peer_backoff: Backoff::new(),
        address_backoff: Backoff::new(),
    };
    task.load_known_addresses();
    task.refresh_gate();
    let join = tokio::spawn(async move { task.run(shutdown).await });
    Ok((handle, join))
}

struct EventLoop {
    swarm: Swarm<Behaviour>,
    core: SharedCore,
    topic: gossipsub::IdentTopic,
    settings: NetworkSettings,
    commands: mpsc::Receiver<NetCommand>,
    listening: watch::Sender<Vec<Multiaddr>>,
    /// Open pull sessions by their outstanding request.
    sessions: HashMap<OutboundRequestId, (PeerId, SyncSession)>,
    /// Peers with a pull session under way (one at a time per peer).
    syncing: BTreeSet<PeerId>,
    /// Peers the gate lets in.
    allowed: BTreeSet<PeerId>,
    connected: BTreeSet<PeerId>,
    /// Addresses learned per peer (from the store, identify, mDNS).
    known: HashMap<PeerId, Vec<Multiaddr>>,
    peer_backoff: Backoff<PeerId>,
    address_backoff: Backoff<Multiaddr>,
}

impl EventLoop {
    async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let mut redial = tokio::time::interval(REDIAL_TICK);
        let mut next_sync = tokio::time::Instant::now() + jittered(self.settings.sync_interval);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                Some(command) = self.commands.recv() => self.on_command(command),
                _ = redial.tick() => self.redial(),
                _ = tokio::time::sleep_until(next_sync) => {
                    self.sync_all();
                    next_sync = tokio::time::Instant::now() + jittered(self.settings.sync_interval);
                }
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        tracing::info!("network task stopping");
                        return;
                    }
                }
            }
        }
    }

    fn on_command(&mut self, command: NetCommand) {
        match command {
            NetCommand::Announce(announcement) => {
                let bytes = announcement.to_bytes();
                if let Err(error) = self
                    .swarm
                    .behaviour_mut()
                    .gossipsub
                    .publish(self.topic.clone(), bytes)
                {
                    // No peers in the mesh yet, or a duplicate: sync covers it.
                    tracing::debug!(%error, "announcement not published");
                }
            }
            NetCommand::SyncNow => self.sync_all(),
            NetCommand::RefreshGate => self.refresh_gate(),
            NetCommand::Dial(address) => {
                if let Err(error) = self.swarm.dial(address.clone()) {
                    tracing::warn!(%address, %error, "dial failed");
                }
            }
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                tracing::info!(%address, "listening");
                self.listening.send_modify(|all| all.push(address));
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                let span = tracing::info_span!("peer", peer = %peer_id);
                let _entered = span.enter();
                tracing::info!(address = %endpoint.get_remote_address(), "connected");
                self.connected.insert(peer_id);
                self.peer_backoff.reset(&peer_id);
                if endpoint.is_dialer() {
                    self.address_backoff.reset(endpoint.get_remote_address());
                    self.learn(peer_id, vec![endpoint.get_remote_address().clone()]);
                }
                self.core.lock().counters.peers_connected = self.connected.len();
                if num_established.get() == 1 {
                    self.start_sync(peer_id);
                }
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, cause, .. } => {
                tracing::info!(peer = %peer_id, cause = ?cause, "disconnected");
                self.connected.remove(&peer_id);
                self.syncing.remove(&peer_id);
                self.core.lock().counters.peers_connected = self.connected.len();
            }
            SwarmEvent::IncomingConnectionError {
                error,
                send_back_addr,
                ..
            } => {
                tracing::debug!(%send_back_addr, %error, "incoming connection refused or failed");
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, %error, "dial failed");
            }
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            }) => {
                self.on_gossip(propagation_source, message_id, &message.data);
            }
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                self.learn(peer_id, info.listen_addrs);
            }
            BehaviourEvent::Mdns(mdns::Event::Discovered(found)) => {
                for (peer, address) in found {
                    self.learn(peer, vec![address]);
                }
            }
            _ => {}
        }
    }

    /// Validates a gossip message through the normal ingress and tells
    /// gossipsub whether to forward it.
    fn on_gossip(&mut self, source: PeerId, id: gossipsub::MessageId, data: &[u8]) {
        use gossipsub::MessageAcceptance::{Accept, Ignore, Reject};
        let from = source.to_string();
        let span = tracing::debug_span!("gossip", peer = %from);
        let _entered = span.enter();
        let mut gate_changed = false;
        let verdict = {
            let mut core = self.core.lock();
            let verdict = match Announcement::from_bytes(data) {
                None => Reject,
                Some(Announcement::Envelope(envelope)) => {
                    let report = core.receive_envelopes(vec![envelope], &from);
                    match report.rejected.first() {
                        // Authority may still be on its way; only provable garbage is punished.
                        Some((_, reason)) if is_provably_bad(reason.code()) => Reject,
                        Some(_) => Ignore,
                        None if !report.accepted.is_empty() => Accept,
                        None => Ignore,
                    }
                }
                Some(Announcement::Entry(entry)) => match core.receive_entry(entry, &from) {
                    Ok(amtshilfe_protocol::membership::InsertOutcome::Applied { .. }) => {
                        gate_changed = true;
                        Accept
                    }
                    Ok(_) => Ignore,
                    Err(_) => Reject,
                },
            };
            let label = match verdict {
                Accept => "accepted",
                Reject => "rejected",
                Ignore => "ignored",
            };
            *core.counters.gossip.entry(label).or_insert(0) += 1;
            verdict
        };
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &source, verdict);
        if gate_changed {
            self.refresh_gate();
        }
    }

    fn on_sync_event(
        &mut self,
        event: request_response::Event<
            amtshilfe_protocol::sync::SyncRequest,
            amtshilfe_protocol::sync::SyncResponse,
        >,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => {
                    let response = self.core.lock().answer_sync(&request);
                    if self
                        .swarm
                        .behaviour_mut()
                        .sync
                        .send_response(channel, response)
                        .is_err()
                    {
                        tracing::debug!(%peer, "sync response not sent: the peer went away");
                    }
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some((peer, mut session)) = self.sessions.remove(&request_id) else {
                        return;
                    };
                    let step = self.core.lock().continue_sync(
                        &mut session,
                        response,
                        &peer.to_string(),
                        now_ms(),
                    );
                    match step {
                        SyncStep::Send(next) => {
                            let id = self.swarm.behaviour_mut().sync.send_request(&peer, next);
                            self.sessions.insert(id, (peer, session));
                        }
                        SyncStep::Done(_) => {
                            self.syncing.remove(&peer);
                            self.refresh_gate();
                        }
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %error, "sync request failed");
                self.sessions.remove(&request_id);
                self.syncing.remove(&peer);
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "answering a sync request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn start_sync(&mut self, peer: PeerId) {
        if !self.syncing.insert(peer) {
            return;
        }
        let (session, request) = self.core.lock().start_sync();
        let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
        self.sessions.insert(id, (peer, session));
    }

    fn sync_all(&mut self) {
        let peers: Vec<PeerId> = self.connected.iter().copied().collect();
        for peer in peers {
            self.start_sync(peer);
        }
    }

    /// Brings the gate in line with the membership log: newly allowed
    /// devices may connect, devices no longer allowed are disconnected.
    fn refresh_gate(&mut self) {
        let wanted: BTreeSet<PeerId> = self
            .core
            .lock()
            .allowed_keys()
            .iter()
            .filter_map(peer_id_of)
            .collect();
        let local = *self.swarm.local_peer_id();
        for peer in wanted.difference(&self.allowed.clone()) {
            if *peer != local {
                self.swarm.behaviour_mut().gate.allow_peer(*peer);
            }
        }
        for peer in self.allowed.difference(&wanted) {
            tracing::info!(%peer, "peer no longer allowed; disconnecting");
            self.swarm.behaviour_mut().gate.disallow_peer(*peer);
        }
        self.allowed = wanted;
    }

    /// Remembers addresses of an allowed peer, in memory and in the store.
    fn learn(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        if addresses.is_empty() || peer == *self.swarm.local_peer_id() {
            return;
        }
        let known = self.known.entry(peer).or_default();
        let mut changed = false;
        for address in addresses {
            if !known.contains(&address) {
                known.insert(0, address);
                changed = true;
            }
        }
        known.truncate(crate::store::PEER_ADDRESSES_MAX);
        if changed && key_of_peer(&peer).is_some_and(|k| self.core.lock().may_connect(&k)) {
            let texts: Vec<String> = known.iter().map(ToString::to_string).collect();
            if let Err(error) = self.core.lock().store().remember_peer_addresses(
                &peer.to_string(),
                &texts,
                now_ms(),
            ) {
                tracing::warn!(%error, "could not store peer addresses");
            }
        }
    }

    fn load_known_addresses(&mut self) {
        let stored = match self.core.lock().store().peer_addresses() {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(%error, "could not read stored peer addresses");
                return;
            }
        };
        for entry in stored {
            let Ok(peer) = entry.peer.parse::<PeerId>() else {
                continue;
            };
            let addresses = entry
                .addresses
                .iter()
                .filter_map(|a| a.parse().ok())
                .collect();
            self.known.insert(peer, addresses);
        }
    }

    /// Dials allowed peers that are not connected, and bootstrap addresses,
    /// each under its own capped backoff.
    fn redial(&mut self) {
        let now = Instant::now();
        let peers: Vec<(PeerId, Vec<Multiaddr>)> = self
            .known
            .iter()
            .filter(|(peer, _)| self.allowed.contains(peer) && !self.connected.contains(peer))
            .map(|(peer, addresses)| (*peer, addresses.clone()))
            .collect();
        for (peer, addresses) in peers {
            if self.peer_backoff.try_dial(&peer, now) {
                let options = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                    .addresses(addresses)
                    .build();
                let _ = self.swarm.dial(options);
            }
        }
        if self.connected.is_empty() {
            for address in self.settings.bootstrap.clone() {
                if self.address_backoff.try_dial(&address, now) {
                    let _ = self.swarm.dial(address);
                }
            }
        }
    }
}

/// Rejections no honest relay would pass on.
fn is_provably_bad(code: &str) -> bool {
    matches!(
        code,
        "oversized"
            | "malformed_envelope"
            | "bad_signature"
            | "malformed_change"
            | "actor_not_bound_to_signer"
            | "malformed_record"
            | "fork"
    )
}

/// `mean` ± [`SYNC_JITTER_PERCENT`], from OS randomness (or exactly
/// `mean` if there is none), so that nodes do not sync in lockstep.
fn jittered(mean: Duration) -> Duration {
    let roll = crate::random::os_random::<2>().map_or(0x8000, u16::from_le_bytes);
    let spread = SYNC_JITTER_PERCENT as f64 / 100.0;
    let factor = 1.0 - spread + 2.0 * spread * f64::from(roll) / f64::from(u16::MAX);
    mean.mul_f64(factor)
}
