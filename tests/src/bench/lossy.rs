//! A lossy link, like an LTE emergency uplink: two nodes in two network
//! namespaces whose only path goes through a user-space relay that adds
//! 100 ms each way, with 5 % of the packets on the first node's link
//! dropped each way by nftables (`netns::Bed`). Propagation p99 of a write
//! until it is applied on the other node, and the heal time after the link
//! was cut while writes went on; against two plain gossipsub swarms over
//! the same relay and the same lossy link in the same run.
//!
//! Each node runs in this process on a tokio runtime whose threads were
//! started inside its namespace, so every socket it opens is there. Where
//! the machine cannot make namespaces (not root), the rows are skipped
//! with the reason printed.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use amtshilfe_node::app::RunningNode;
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::net::{Announcement, NetCommand};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::Collection;
use anyhow::Context;
use automerge::Change;
use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, gossipsub};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use super::Sizes;
use super::gossip_baseline::{self, Command};
use super::support::{make_data_dirs, ms, offer_put, percentile};
use super::table::Row;
use crate::fixtures::TestPact;
use crate::netns::{self, Bed, Relay};

pub(crate) const P99: &str = "lossy link propagation p99 (ms)";
pub(crate) const HEAL: &str = "lossy link heal time (ms)";

/// Added by the relay, each way.
const DELAY: Duration = Duration::from_millis(100);
/// Packets dropped on the writer's link, each way, in percent.
const LOSS_PERCENT: u8 = 5;
/// Where the nodes and the gossipsub swarms listen, each on its address.
const NODE_PORT: u16 = 4100;
const GOSSIP_PORT: u16 = 4200;
/// Longest wait for one write, for the connection, and for the heal.
const DEADLINE: Duration = Duration::from_secs(120);
/// Payload of a gossipsub message: about one announced offer envelope.
const PAYLOAD_BYTES: usize = 900;

const A: usize = 0;
const B: usize = 1;
const RELAY: usize = 2;

/// A node on a runtime whose threads live in a namespace.
struct NsNode {
    node: RunningNode,
    runtime: Runtime,
}

impl NsNode {
    fn start(namespace: &str, options: amtshilfe_node::app::NodeOptions) -> anyhow::Result<Self> {
        netns::in_namespace(namespace, || {
            let runtime = runtime()?;
            let node = runtime
                .block_on(super::support::start(options))
                .map_err(std::io::Error::other)?;
            Ok(Self { node, runtime })
        })
        .context("starting a node in its namespace")
    }

    fn stop(self) {
        let Self { node, runtime } = self;
        runtime.block_on(node.stop());
        runtime.shutdown_background();
    }

    fn has(&self, envelope: &Envelope) -> bool {
        let Ok(change) = Change::from_bytes(envelope.change.clone()) else {
            return false;
        };
        self.node
            .core
            .lock()
            .replica()
            .document(&envelope.document)
            .is_some_and(|document| document.has_change(&change.hash()))
    }

    fn write(&self, n: usize) -> anyhow::Result<Envelope> {
        let now = now_ms();
        let envelope =
            self.node
                .core
                .lock()
                .write(Collection::Offers, &[offer_put(n, now)?], now)?;
        self.node
            .net
            .send(NetCommand::Announce(Announcement::Envelope(
                envelope.clone(),
            )));
        Ok(envelope)
    }
}

fn runtime() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn wait(what: &str, mut done: impl FnMut() -> bool) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while !done() {
        anyhow::ensure!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(started.elapsed())
}

pub(crate) fn run(sizes: &Sizes, dir: &Path) -> anyhow::Result<Vec<Row>> {
    if let Some(reason) = netns::unavailable() {
        #[allow(clippy::print_stdout)]
        {
            println!("lossy link rows skipped: {reason}");
        }
        return Ok(Vec::new());
    }
    let mut bed = Bed::new(3)?;
    // The relay is the only path between A and B.
    bed.partition(&[A], &[B])?;
    bed.set_loss(A, LOSS_PERCENT)?;
    let (b_address, relay_address) = (bed.slot(B).address, bed.slot(RELAY).address);
    let relay_namespace = bed.slot(RELAY).namespace().to_string();
    let node_relay = Relay::start(
        &relay_namespace,
        SocketAddr::from((relay_address, NODE_PORT)),
        SocketAddr::from((b_address, NODE_PORT)),
        DELAY,
    )?;
    let gossip_relay = Relay::start(
        &relay_namespace,
        SocketAddr::from((relay_address, GOSSIP_PORT)),
        SocketAddr::from((b_address, GOSSIP_PORT)),
        DELAY,
    )?;

    let pact = TestPact::new(2, 113);
    let dirs = make_data_dirs(&dir.join("lossy"), &pact, 2)?;
    let options = |index: usize, bootstrap: Vec<Multiaddr>| -> anyhow::Result<_> {
        let mut options = super::support::loopback_options(&dirs[index], bootstrap, false)?;
        options.listen = vec![format!("/ip4/{}/tcp/{NODE_PORT}", bed.slot(index).address).parse()?];
        Ok(options)
    };
    let b = NsNode::start(bed.slot(B).namespace(), options(B, Vec::new())?)?;
    let via_relay: Multiaddr = format!("/ip4/{relay_address}/tcp/{NODE_PORT}")
        .parse::<Multiaddr>()?
        .with(Protocol::P2p(b.node.net.peer_id()));
    let a = NsNode::start(bed.slot(A).namespace(), options(A, vec![via_relay])?)?;
    let result = measure_nodes(sizes, &mut bed, &a, &b);
    a.stop();
    b.stop();
    let (times, heal, cut_writes) = result?;

    let (baseline, gossip_heal) = measure_gossip(sizes, &mut bed)?;
    drop((node_relay, gossip_relay));

    let (p99, b99) = (percentile(&times, 99.0), percentile(&baseline, 99.0));
    Ok(vec![
        Row {
            figure: P99,
            value: p99,
            unit: "ms",
            baseline: Some(b99),
            baseline_name: "plain gossipsub p99, same link",
            target: "",
            met: None,
            note: format!(
                "{} writes one at a time from A until applied on B; A and B in network \
                 namespaces, their only path a relay adding {DELAY:?} each way, {LOSS_PERCENT} % \
                 of A's packets dropped each way (nftables), TCP; default 30 s sync",
                times.len()
            ),
        },
        Row {
            figure: HEAL,
            value: ms(heal),
            unit: "ms",
            baseline: None,
            baseline_name: "",
            target: "",
            met: None,
            note: format!(
                "{cut_writes} writes on A while the relay was silent for {:?}, until all were \
                 applied on B after it came back; plain gossipsub over the same link had \
                 {gossip_heal}",
                sizes.lossy_cut
            ),
        },
    ])
}

/// Propagation times (ms), the heal time and how many writes the cut held.
fn measure_nodes(
    sizes: &Sizes,
    bed: &mut Bed,
    a: &NsNode,
    b: &NsNode,
) -> anyhow::Result<(Vec<f64>, Duration, usize)> {
    wait("the nodes to connect through the relay", || {
        a.node.core.lock().counters.peers_connected.get() >= 1
            && b.node.core.lock().counters.peers_connected.get() >= 1
    })?;
    // Let gossipsub build its mesh (heartbeat 500 ms).
    std::thread::sleep(Duration::from_secs(3));
    let mut times = Vec::with_capacity(sizes.lossy_writes);
    for n in 0..sizes.lossy_writes {
        let started = Instant::now();
        let envelope = a.write(n)?;
        wait("a write to reach B", || b.has(&envelope))?;
        times.push(ms(started.elapsed()));
        std::thread::sleep(Duration::from_millis(50));
    }

    bed.isolate(RELAY)?;
    let cut = Instant::now();
    let mut written = Vec::new();
    let mut n = sizes.lossy_writes;
    while cut.elapsed() < sizes.lossy_cut {
        written.push(a.write(n)?);
        n += 1;
        std::thread::sleep(sizes.lossy_cut / sizes.lossy_cut_writes.max(1) as u32);
    }
    bed.reconnect(RELAY)?;
    let heal = wait("B to have every write of the cut", || {
        written.iter().all(|envelope| b.has(envelope))
    })?;
    Ok((times, heal, written.len()))
}

/// Plain gossipsub over the same link: propagation times (ms) and what
/// became of the messages published during a cut of the same length.
fn measure_gossip(sizes: &Sizes, bed: &mut Bed) -> anyhow::Result<(Vec<f64>, String)> {
    let topic = gossipsub::IdentTopic::new("bench/lossy");
    let (received_tx, mut received) = mpsc::unbounded_channel::<(usize, u64)>();
    let mut swarms = Vec::new();
    let mut b_peer = None;
    for index in [B, A] {
        let address: Multiaddr =
            format!("/ip4/{}/tcp/{GOSSIP_PORT}", bed.slot(index).address).parse()?;
        let topic = topic.clone();
        let received_tx = received_tx.clone();
        let (runtime, commands, peer) = netns::in_namespace(bed.slot(index).namespace(), || {
            let runtime = runtime()?;
            let (commands, peer) = runtime
                .block_on(async {
                    let mut swarm = gossip_baseline::build(&topic)?;
                    swarm.listen_on(address)?;
                    loop {
                        if let SwarmEvent::NewListenAddr { .. } = swarm.select_next_some().await {
                            break;
                        }
                    }
                    let peer = *swarm.local_peer_id();
                    let (tx, rx) = mpsc::unbounded_channel();
                    tokio::spawn(gossip_baseline::drive(swarm, topic, index, rx, received_tx));
                    anyhow::Ok((tx, peer))
                })
                .map_err(std::io::Error::other)?;
            Ok((runtime, commands, peer))
        })?;
        if index == B {
            b_peer = Some(peer);
        }
        swarms.push((runtime, commands));
    }
    let b_peer = b_peer.context("no swarm B")?;
    let via_relay: Multiaddr = format!("/ip4/{}/tcp/{GOSSIP_PORT}", bed.slot(RELAY).address)
        .parse::<Multiaddr>()?
        .with(Protocol::P2p(b_peer));
    let publisher = &swarms[1].1;
    let _ = publisher.send(Command::Dial(via_relay));
    std::thread::sleep(Duration::from_secs(3));

    let payload = |n: u64| {
        let mut payload = vec![0u8; PAYLOAD_BYTES];
        payload[..8].copy_from_slice(&n.to_le_bytes());
        payload
    };
    let mut times = Vec::with_capacity(sizes.lossy_writes);
    for n in 0..sizes.lossy_writes as u64 {
        let started = Instant::now();
        let _ = publisher.send(Command::Publish(payload(n)));
        wait("a gossipsub message to reach B", || {
            std::iter::from_fn(|| received.try_recv().ok()).any(|(_, seq)| seq == n)
        })?;
        times.push(ms(started.elapsed()));
        std::thread::sleep(Duration::from_millis(50));
    }

    bed.isolate(RELAY)?;
    let cut = Instant::now();
    let mut published = 0u64;
    while cut.elapsed() < sizes.lossy_cut {
        let _ = publisher.send(Command::Publish(payload(1_000_000 + published)));
        published += 1;
        std::thread::sleep(sizes.lossy_cut / sizes.lossy_cut_writes.max(1) as u32);
    }
    bed.reconnect(RELAY)?;
    // Gossipsub has no anti-entropy: what the cut swallowed arrives only if
    // TCP still delivers it. Give it as long as the whole deadline.
    let healed = Instant::now();
    let mut arrived = std::collections::BTreeSet::new();
    let mut last = None;
    while healed.elapsed() < Duration::from_secs(30) && (arrived.len() as u64) < published {
        while let Ok((_, seq)) = received.try_recv() {
            if seq >= 1_000_000 && arrived.insert(seq) {
                last = Some(healed.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    for (runtime, commands) in swarms {
        drop(commands);
        runtime.shutdown_background();
    }
    let outcome = match last {
        Some(last) if arrived.len() as u64 == published => format!(
            "all {published} messages of the cut {:.0} ms after the heal",
            ms(last)
        ),
        _ => format!(
            "{} of {published} messages of the cut within 30 s of the heal",
            arrived.len()
        ),
    };
    Ok((times, outcome))
}
