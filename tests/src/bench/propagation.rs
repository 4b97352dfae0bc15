//! Propagation: a write on one node until it is applied on every node of
//! the pact (real nodes over libp2p on loopback), against one plain
//! gossipsub message reaching as many plain gossipsub swarms in the same
//! run (see `gossip_baseline`).

use std::path::Path;
use std::time::{Duration, Instant};

use amtshilfe_node::app::RunningNode;
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::net::{Announcement, NetCommand};
use amtshilfe_protocol::ids::{Collection, DocumentId};
use anyhow::Context;
use automerge::{Change, ChangeHash};

use super::Sizes;
use super::gossip_baseline;
use super::support::{
    dial_address, loopback_options, make_data_dirs, ms, offer_put, percentile, start,
};
use super::table::Row;
use crate::fixtures::TestPact;

pub(crate) const P50: &str = "propagation p50 (ms)";
pub(crate) const P99: &str = "propagation p99 (ms)";

/// How long the nodes get to connect to each other.
const MESH_DEADLINE: Duration = Duration::from_secs(60);
/// How long one write may take to reach every node.
const WRITE_DEADLINE: Duration = Duration::from_secs(30);

pub(crate) async fn run(sizes: &Sizes, dir: &Path) -> anyhow::Result<Vec<Row>> {
    let count = sizes.propagation_nodes;
    let pact = TestPact::new(count, 97);
    let dirs = make_data_dirs(&dir.join("propagation"), &pact, count)?;
    let mut nodes: Vec<RunningNode> = Vec::with_capacity(count);
    nodes.push(start(loopback_options(&dirs[0], Vec::new(), false)?).await?);
    let hub = dial_address(&nodes[0])?;
    for data_dir in &dirs[1..] {
        nodes.push(start(loopback_options(data_dir, vec![hub.clone()], false)?).await?);
    }
    let connected = wait_connected(&nodes).await;
    // Let gossipsub build its mesh (heartbeat 500 ms).
    tokio::time::sleep(Duration::from_secs(3)).await;

    let result = measure(&nodes, sizes.propagation_writes).await;
    for node in nodes {
        node.stop().await;
    }
    let times = result?;
    let baseline = gossip_baseline::run(count, sizes.propagation_writes).await?;

    let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
    let (b50, b99) = (percentile(&baseline, 50.0), percentile(&baseline, 99.0));
    Ok(vec![
        Row {
            figure: P50,
            value: p50,
            unit: "ms",
            baseline: Some(b50),
            baseline_name: "plain gossipsub p50",
            target: "",
            met: None,
            note: String::new(),
        },
        Row {
            figure: P99,
            value: p99,
            unit: "ms",
            baseline: Some(b99),
            baseline_name: "plain gossipsub p99",
            target: "<= 250 ms",
            met: Some(p99 <= 250.0),
            note: format!(
                "{} writes, one at a time from rotating nodes, until applied on all {count} \
                 nodes ({} build, TCP loopback, {connected} of {} node pairs connected); \
                 baseline: {count} gossipsub-only swarms, same transport and heartbeat, fully \
                 connected, one message of the same size from rotating publishers",
                times.len(),
                if cfg!(debug_assertions) {
                    "debug"
                } else {
                    "release"
                },
                count * (count - 1) / 2
            ),
        },
    ])
}

/// Waits until every node is admitted by every other, or the deadline;
/// returns the number of connected pairs.
async fn wait_connected(nodes: &[RunningNode]) -> usize {
    let full = nodes.len() - 1;
    let started = Instant::now();
    loop {
        let peers: Vec<usize> = nodes
            .iter()
            .map(|n| n.core.lock().counters.peers_connected.get())
            .collect();
        if peers.iter().all(|p| *p >= full) || started.elapsed() > MESH_DEADLINE {
            return peers.iter().sum::<usize>() / 2;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn measure(nodes: &[RunningNode], writes: usize) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::with_capacity(writes);
    for n in 0..writes {
        let writer = &nodes[n % nodes.len()];
        let now = now_ms();
        let op = offer_put(n, now)?;
        let started = Instant::now();
        let envelope = writer.core.lock().write(Collection::Offers, &[op], now)?;
        writer.net.send(NetCommand::Announce(Announcement::Envelope(
            envelope.clone(),
        )));
        let hash = Change::from_bytes(envelope.change.clone())?.hash();
        wait_everywhere(nodes, envelope.document, hash)
            .await
            .with_context(|| format!("write {n}"))?;
        times.push(ms(started.elapsed()));
        // Spread the writes a little, as users do.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(times)
}

async fn wait_everywhere(
    nodes: &[RunningNode],
    document: DocumentId,
    hash: ChangeHash,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut waiting: Vec<&RunningNode> = nodes.iter().collect();
    while !waiting.is_empty() {
        waiting.retain(|node| {
            !node
                .core
                .lock()
                .replica()
                .document(&document)
                .is_some_and(|d| d.has_change(&hash))
        });
        anyhow::ensure!(
            started.elapsed() < WRITE_DEADLINE,
            "{} nodes still lack the write after {WRITE_DEADLINE:?}",
            waiting.len()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}
