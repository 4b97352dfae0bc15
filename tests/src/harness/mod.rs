//! The deterministic multi-peer harness: N replicas in memory, connected by
//! a simulated network that a seeded scheduler drives. Each step it does
//! one of: deliver a random in-flight message (so messages are reordered),
//! drop or duplicate one, let a peer write, start an anti-entropy session,
//! change the membership (removals, key rotations, officer appointments,
//! short-lived second devices), inject forged envelopes, equivocate (a
//! device signing two changes with one sequence number to two halves),
//! backdate a removed member's vote, partition or heal the network, crash
//! a peer or restart it from its durable store (where every write it
//! acknowledged must be, before any sync).
//!
//! At the end every partition is healed, every peer restarted, and sync
//! sessions run between all pairs until nothing changes; then the replicas
//! are compared. A failing run reports its seed; `run(seed, config)` with
//! the same seed replays it exactly.

mod check;
mod network;
mod peer;
mod workload;

pub use check::{Divergence, RunReport};
pub use network::Network;

/// Scheduler steps per run in the CI seed sweep.
pub const SWEEP_STEPS: usize = 400;

/// Peers in the sweep's run for `seed`: 5 to 20.
pub fn peers_for_seed(seed: u64) -> usize {
    5 + (seed % 16) as usize
}

/// The shape of one harness run.
#[derive(Debug, Clone)]
pub struct HarnessConfig {
    /// Number of peers (members), 2 or more.
    pub peers: usize,
    /// Scheduler steps before the final heal.
    pub steps: usize,
    /// Percent of deliveries that drop the message instead.
    pub drop_percent: u64,
    /// Percent of deliveries that also leave a copy in flight.
    pub duplicate_percent: u64,
    /// Whether peers crash and restart.
    pub crashes: bool,
    /// Whether the network partitions and heals.
    pub partitions: bool,
    /// Whether members propose and approve removals.
    pub membership_changes: bool,
    /// Whether an adversary injects forged and unauthorised envelopes.
    pub forgeries: bool,
    /// Whether devices equivocate and removed members backdate votes.
    pub equivocation: bool,
    /// A bug planted in peer 0, to prove the checks catch it.
    pub planted: Option<Planted>,
}

/// Bugs the harness can plant in one peer, each of which its checks must
/// catch on some seeds: the harness checks itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planted {
    /// The peer stores every envelope it receives, authorised or not (as
    /// a node that skipped the authorisation stage would).
    SkipAuthorisation,
    /// The last change of every batch the peer stores never reaches its
    /// disk (a missing fsync).
    DropWriteOnCrash,
    /// The peer keeps the first of two forking changes it saw: it neither
    /// sends its tips nor takes fork evidence.
    AcceptFork,
}

impl HarnessConfig {
    /// Everything on: the configuration the seed sweep uses.
    pub fn adversarial(peers: usize, steps: usize) -> Self {
        Self {
            peers,
            steps,
            drop_percent: 10,
            duplicate_percent: 10,
            crashes: true,
            partitions: true,
            membership_changes: true,
            forgeries: true,
            equivocation: true,
            planted: None,
        }
    }
}

/// Runs one seeded scenario to the end and checks the replicas agree.
pub fn run(seed: u64, config: &HarnessConfig) -> Result<RunReport, Divergence> {
    let mut network = Network::new(seed, config.clone());
    network.run_steps(config.steps);
    network.settle();
    network.check()
}
