//! The task that owns the swarm and reacts to its events, to commands from
//! the rest of the node, and to its timers. The reactions live beside it:
//! `admission.rs`, `gossip.rs`, `sync_driver.rs`, `addresses.rs`,
//! `peer_exchange.rs`.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use amtshilfe_protocol::sync::SyncSession;
use futures::StreamExt;
use libp2p::request_response::OutboundRequestId;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm, gossipsub, identify, mdns, noise, tcp};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::announce::topic_name;
use super::behaviour::{Behaviour, BehaviourEvent};
use super::identity::libp2p_keypair;
use super::redial::Backoff;
use super::{COMMANDS_MAX, NetCommand, NetHandle, NetworkSettings};
use crate::config::SYNC_JITTER_PERCENT;
use crate::core::SharedCore;

/// How often unreachable peers, bootstrap addresses and unadmitted
/// connections are looked at.
const MAINTENANCE_TICK: Duration = Duration::from_secs(1);
/// How long a stopping node keeps its connections open after its last
/// announcement, so that a write made just before the stop still leaves
/// the node (store and forward needs one other node to hold it).
const SHUTDOWN_FLUSH: Duration = Duration::from_millis(500);
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
    let (device, pact, peers_connected) = {
        let core = core.lock();
        (
            core.device().key.clone(),
            core.replica().pact_id(),
            core.counters.peers_connected.clone(),
        )
    };
    let keypair = libp2p_keypair(&device).map_err(|e| NetworkError::Identity(e.to_string()))?;
    let mdns = settings.mdns;
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            super::behaviour::yamux_config,
        )
        .map_err(|e| NetworkError::Setup(e.to_string()))?
        .with_quic_config(super::behaviour::quic_config)
        .with_behaviour(|key| Behaviour::new(key, mdns))
        .map_err(|e| NetworkError::Setup(e.to_string()))?
        .with_swarm_config(|c| {
            c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT)
                .with_max_negotiating_inbound_streams(super::behaviour::NEGOTIATING_STREAMS_MAX)
        })
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
    let stats = std::sync::Arc::new(super::NetStats::default());
    let (ingest, ingest_done, ingest_worker) =
        super::ingest::start(core.clone(), pact).map_err(|e| NetworkError::Setup(e.to_string()))?;
    let handle = NetHandle {
        commands: commands_tx,
        listening,
        peer_id: *swarm.local_peer_id(),
        stats: stats.clone(),
    };
    let mut task = EventLoop {
        swarm,
        core,
        topic,
        settings,
        commands,
        listening: listening_tx,
        sessions: HashMap::new(),
        paused: Vec::new(),
        ingest,
        ingest_done,
        syncing: BTreeSet::new(),
        sync_retry: BTreeSet::new(),
        sync_retried: BTreeSet::new(),
        allowed: BTreeSet::new(),
        admitted: BTreeSet::new(),
        awaiting: HashMap::new(),
        connected: BTreeSet::new(),
        known: HashMap::new(),
        peer_backoff: Backoff::new(),
        address_backoff: Backoff::new(),
        last_announcement: None,
        seen: super::seen::SeenMessages::default(),
        stats,
        introduction_cache: None,
        peers_connected,
    };
    task.load_known_addresses();
    task.refresh_gate();
    let join = tokio::spawn(async move {
        task.run(shutdown).await;
        // The queue's sender and the outcomes' receiver went with the task,
        // so the worker ends after its current job; wait for it, so that
        // nothing holds the core once the network has stopped.
        let _ = tokio::task::spawn_blocking(move || ingest_worker.join()).await;
    });
    Ok((handle, join))
}

/// The network task's state.
pub(super) struct EventLoop {
    pub(super) swarm: Swarm<Behaviour>,
    pub(super) core: SharedCore,
    pub(super) topic: gossipsub::IdentTopic,
    pub(super) settings: NetworkSettings,
    commands: mpsc::Receiver<NetCommand>,
    listening: watch::Sender<Vec<Multiaddr>>,
    /// Open pull sessions by their outstanding request, each with the
    /// ingest queue slot its page will take.
    pub(super) sessions: HashMap<
        OutboundRequestId,
        (
            PeerId,
            SyncSession,
            tokio::sync::mpsc::OwnedPermit<super::ingest::IngestJob>,
        ),
    >,
    /// Pull sessions waiting for a free ingest slot (at most one per
    /// connected peer).
    pub(super) paused: Vec<(PeerId, SyncSession, amtshilfe_protocol::sync::SyncRequest)>,
    /// The ingest worker's queue and its outcomes (`ingest.rs`).
    pub(super) ingest: super::ingest::IngestQueue,
    ingest_done: mpsc::Receiver<super::ingest::IngestDone>,
    /// Peers with a pull session under way (one at a time per peer).
    pub(super) syncing: BTreeSet<PeerId>,
    /// Admitted peers whose pull failed, tried again at the next
    /// maintenance tick instead of the next sync round (`sync_driver.rs`).
    pub(super) sync_retry: BTreeSet<PeerId>,
    /// Peers retried so since the last sync round: once per round each.
    pub(super) sync_retried: BTreeSet<PeerId>,
    /// Device keys the membership log admits, as peer ids.
    pub(super) allowed: BTreeSet<PeerId>,
    /// Connected peers this node talks to.
    pub(super) admitted: BTreeSet<PeerId>,
    /// Connected peers that have not proved membership yet, with deadlines.
    pub(super) awaiting: HashMap<PeerId, Instant>,
    pub(super) connected: BTreeSet<PeerId>,
    /// Addresses learned per peer (from the store, identify, mDNS).
    pub(super) known: HashMap<PeerId, Vec<Multiaddr>>,
    pub(super) peer_backoff: Backoff<PeerId>,
    pub(super) address_backoff: Backoff<Multiaddr>,
    /// When an announcement was last published.
    last_announcement: Option<Instant>,
    /// Gossip messages published or received lately.
    pub(super) seen: super::seen::SeenMessages,
    /// Figures shared with [`NetHandle::stats`].
    pub(super) stats: std::sync::Arc<super::NetStats>,
    /// This node's introduction and when it was built (`admission.rs`).
    pub(super) introduction_cache: Option<(Instant, super::codec::Introduction)>,
    /// The core's gauge of connected peers, set without its lock.
    pub(super) peers_connected: crate::core::PeersConnected,
}

impl EventLoop {
    async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let mut maintenance = tokio::time::interval(MAINTENANCE_TICK);
        let mut next_sync = tokio::time::Instant::now() + jittered(self.settings.sync_interval);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                Some(command) = self.commands.recv() => self.on_command(command),
                Some(done) = self.ingest_done.recv() => self.on_ingest_done(done),
                _ = maintenance.tick() => {
                    self.expire_unadmitted();
                    self.redial();
                    self.retry_failed_pulls();
                    self.resume_pulls();
                }
                _ = tokio::time::sleep_until(next_sync) => {
                    // Delegations expire with time, not only with entries.
                    self.refresh_gate();
                    self.sync_retried.clear();
                    self.sync_all();
                    next_sync = tokio::time::Instant::now() + jittered(self.settings.sync_interval);
                }
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        tracing::info!("network task stopping");
                        self.flush_announcements().await;
                        return;
                    }
                }
            }
        }
    }

    /// Publishes announcements still queued when the node was told to stop,
    /// then keeps the swarm running for up to [`SHUTDOWN_FLUSH`] after the
    /// last one, so that they reach the peers before the connections close.
    async fn flush_announcements(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            if matches!(command, NetCommand::Announce(_)) {
                self.on_command(command);
            }
        }
        let Some(last) = self.last_announcement else {
            return;
        };
        let until = tokio::time::Instant::from_std(last + SHUTDOWN_FLUSH);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                _ = tokio::time::sleep_until(until) => return,
            }
        }
    }

    fn on_command(&mut self, command: NetCommand) {
        match command {
            NetCommand::Announce(announcement) => self.publish(announcement),
            NetCommand::SyncNow => self.sync_all(),
            NetCommand::Block(peer) => {
                tracing::warn!(%peer, "peer quarantined");
                self.swarm.behaviour_mut().blocked.block_peer(peer);
            }
            NetCommand::Unblock(peer) => {
                tracing::info!(%peer, "quarantine lifted");
                self.swarm.behaviour_mut().blocked.unblock_peer(peer);
                self.peer_backoff.reset(&peer);
            }
        }
    }

    /// Publishes an announcement on the pact's topic.
    pub(super) fn publish(&mut self, announcement: super::Announcement) {
        let bytes = announcement.to_bytes();
        if !self
            .seen
            .insert(amtshilfe_protocol::identity::sha256(&bytes))
        {
            return;
        }
        match self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(self.topic.clone(), bytes)
        {
            Ok(_) => self.last_announcement = Some(Instant::now()),
            // No peers in the mesh yet, or already published: sync covers it.
            Err(error) => tracing::debug!(%error, "announcement not published"),
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        if matches!(
            event,
            SwarmEvent::ConnectionEstablished { .. } | SwarmEvent::ConnectionClosed { .. }
        ) {
            let open = self
                .swarm
                .network_info()
                .connection_counters()
                .num_established();
            self.stats.connections.store(
                usize::try_from(open).unwrap_or(usize::MAX),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
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
                tracing::debug!(address = %endpoint.get_remote_address(), "connected");
                self.connected.insert(peer_id);
                self.peer_backoff.reset(&peer_id);
                if endpoint.is_dialer() {
                    self.address_backoff.reset(endpoint.get_remote_address());
                    self.learn(peer_id, vec![endpoint.get_remote_address().clone()]);
                }
                if num_established.get() == 1 {
                    self.on_connected(peer_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                tracing::info!(peer = %peer_id, cause = ?cause, "disconnected");
                self.connected.remove(&peer_id);
                self.on_disconnected(&peer_id);
                self.peers_connected.set(self.admitted.len());
            }
            SwarmEvent::IncomingConnectionError {
                error,
                send_back_addr,
                ..
            } => {
                tracing::debug!(%send_back_addr, %error, "incoming connection failed");
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
                self.on_gossip(propagation_source, message_id, message.data);
            }
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Introduce(event) => self.on_introduce_event(event),
            BehaviourEvent::Peers(event) => self.on_peers_event(event),
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
}

/// `mean` ± [`SYNC_JITTER_PERCENT`], from OS randomness (or exactly
/// `mean` if there is none), so that nodes do not sync in lockstep.
fn jittered(mean: Duration) -> Duration {
    let roll = crate::random::os_random::<2>().map_or(0x8000, u16::from_le_bytes);
    let spread = SYNC_JITTER_PERCENT as f64 / 100.0;
    let factor = 1.0 - spread + 2.0 * spread * f64::from(roll) / f64::from(u16::MAX);
    mean.mul_f64(factor)
}
