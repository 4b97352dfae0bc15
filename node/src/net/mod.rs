//! The node's network: one task owns the libp2p swarm; the rest of the
//! node talks to it through a bounded command channel ([`NetHandle`]).
//!
//! Transports are TCP + Noise + Yamux and QUIC. Only pact members' devices
//! are talked to; see `admission.rs`. New writes are announced on the
//! pact's gossip topic; every connection starts an anti-entropy session,
//! and a jittered timer repeats them, so what gossip misses sync repairs.
//! Addresses learned from peers (identify, and peer exchange between
//! admitted members) are stored, so after the first contact no bootstrap
//! address is needed. Never decides what is valid: that is the
//! protocol's job, reached through [`crate::core`].

mod addresses;
mod admission;
pub mod announce;
pub mod behaviour;
pub mod codec;
mod event_loop;
pub mod gate;
mod gossip;
pub mod identity;
mod ingest;
mod peer_exchange;
mod redial;
mod seen;
mod sync_driver;

use std::time::Duration;

use libp2p::Multiaddr;
use tokio::sync::{mpsc, watch};

pub use addresses::KNOWN_PEERS_MAX;
pub use admission::{ADMISSION_GRACE, INTRODUCTION_CACHE_TTL};
pub use announce::Announcement;
pub use event_loop::{NetworkError, spawn};
pub use ingest::{GOSSIP_BATCH_MAX, INGEST_QUEUE_MAX, SYNC_APPLY_ENVELOPES_MAX};

/// Most commands waiting for the network task. A full queue drops
/// announcements (sync repairs what gossip misses) rather than blocking a
/// user's write.
pub const COMMANDS_MAX: usize = 1024;

/// What the network task is asked to do.
#[derive(Debug)]
pub enum NetCommand {
    /// Announce a new envelope or entry on the pact's topic.
    Announce(Announcement),
    /// Start a sync session with every connected peer now.
    SyncNow,
    /// Quarantine a peer: close its connections and refuse new ones (an
    /// operator isolating a compromised node, or a test partition).
    Block(libp2p::PeerId),
    /// Lift a quarantine.
    Unblock(libp2p::PeerId),
}

/// How the network is set up.
#[derive(Debug, Clone)]
pub struct NetworkSettings {
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Addresses to dial at start (and again while unreachable).
    pub bootstrap: Vec<Multiaddr>,
    /// Whether to discover peers on the local network with mDNS.
    pub mdns: bool,
    /// Mean time between anti-entropy rounds; each wait is jittered.
    pub sync_interval: Duration,
}

/// A handle to the network task.
#[derive(Debug, Clone)]
pub struct NetHandle {
    commands: mpsc::Sender<NetCommand>,
    listening: watch::Receiver<Vec<Multiaddr>>,
    peer_id: libp2p::PeerId,
    stats: std::sync::Arc<NetStats>,
}

/// Figures the network task keeps up to date, readable without any lock.
#[derive(Debug, Default)]
pub struct NetStats {
    /// Connections open now (in and out, established).
    pub connections: std::sync::atomic::AtomicUsize,
    /// Peers in the address book.
    pub known_peers: std::sync::atomic::AtomicUsize,
    /// Gossip messages ignored because the ingest queue was full.
    pub gossip_dropped: std::sync::atomic::AtomicU64,
}

impl NetHandle {
    /// A handle with no network task behind it, for running the node's
    /// API without a swarm (tests, offline tools). Commands sent to it land
    /// in the returned receiver and nothing else happens: no peer hears of
    /// them, and it listens nowhere. Drop the receiver and every later
    /// `send` returns false, exactly as when a real network task has
    /// stopped. Its peer id is random.
    pub fn detached() -> (Self, mpsc::Receiver<NetCommand>) {
        let (commands, receiver) = mpsc::channel(COMMANDS_MAX);
        let (_, listening) = watch::channel(Vec::new());
        let handle = Self {
            commands,
            listening,
            peer_id: libp2p::PeerId::random(),
            stats: std::sync::Arc::default(),
        };
        (handle, receiver)
    }

    /// The network task's figures.
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// Sends a command without waiting; returns false if the queue is full
    /// or the network task has stopped.
    pub fn send(&self, command: NetCommand) -> bool {
        match self.commands.try_send(command) {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "network command dropped");
                false
            }
        }
    }

    /// The addresses the node listens on now.
    pub fn listen_addresses(&self) -> Vec<Multiaddr> {
        self.listening.borrow().clone()
    }

    /// Waits until the node listens on at least `count` addresses.
    pub async fn wait_listening(&mut self, count: usize) -> Vec<Multiaddr> {
        let _ = self
            .listening
            .wait_for(|addresses| addresses.len() >= count)
            .await;
        self.listen_addresses()
    }

    /// This node's peer id.
    pub fn peer_id(&self) -> libp2p::PeerId {
        self.peer_id
    }
}
