//! What several benchmarks share: percentiles, valid offer writes, signed
//! envelopes made in bulk, data directories of a pact and loopback nodes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use amtshilfe_node::app::{self, NodeOptions, RunningNode};
use amtshilfe_node::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, write_key_file};
use amtshilfe_node::setup::create_pact_store;
use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, RecordId};
use amtshilfe_protocol::model::{Offer, OfferDetail, Record, RecordKey};
use amtshilfe_protocol::replica::Replica;
use anyhow::Context;

use crate::fixtures::{T0_MS, TestPact};
use crate::sample;

/// Equipment categories the generated offers spread over.
pub(crate) const CATEGORIES: &[&str] = &["laptop", "desktop", "thin_client"];

/// The `p`-th percentile (0–100) of `values` (nearest rank), 0 if empty.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds of a duration, as a float.
pub(crate) fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// The benchmark's `n`-th equipment offer of a member, with its record
/// id: quantity 1 to 20, the categories in turn.
pub fn scale_offer(n: usize, now_ms: i64) -> anyhow::Result<(RecordId, Offer)> {
    let quantity = 1 + (n % 20) as u32;
    let mut offer = sample::laptops(quantity, now_ms);
    if let OfferDetail::Equipment(equipment) = &mut offer.detail {
        equipment.category = CATEGORIES[n % CATEGORIES.len()].into();
    }
    Ok((RecordId::new(format!("o-{n:06}"))?, offer))
}

/// A put of a valid equipment offer: the `n`-th offer of some member.
pub(crate) fn offer_put(n: usize, now_ms: i64) -> anyhow::Result<RecordOp> {
    let (id, offer) = scale_offer(n, now_ms)?;
    Ok(RecordOp::Put {
        key: RecordKey::offer(id).to_string(),
        json: Record::Offer(offer).to_json(),
    })
}

/// `per_member` offers written by each of the pact's first `members`
/// members into `replica`, one change each, interleaved by member so that
/// the envelopes apply in the order returned.
pub(crate) fn write_offers(
    pact: &TestPact,
    replica: &mut Replica,
    members: std::ops::Range<usize>,
    per_member: usize,
) -> anyhow::Result<Vec<Envelope>> {
    let mut envelopes = Vec::with_capacity(members.len() * per_member);
    for n in 0..per_member {
        for member in members.clone() {
            let device = &pact.members[member].device;
            let now = T0_MS + (n * 1_000 + member) as i64;
            let envelope = replica
                .write(device, Collection::Offers, &[offer_put(n, now)?], now)
                .with_context(|| format!("offer {n} of member {member}"))?;
            envelopes.push(envelope);
        }
    }
    drop(replica.take_new_envelopes());
    Ok(envelopes)
}

/// Data directories for the pact's first `count` members under `root`:
/// key files and a store holding the charter and every member's delegation.
pub(crate) fn make_data_dirs(
    root: &Path,
    pact: &TestPact,
    count: usize,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::with_capacity(count);
    for (index, member) in pact.members.iter().take(count).enumerate() {
        let dir = root.join(format!("node-{index}"));
        std::fs::create_dir_all(&dir)?;
        write_key_file(&dir.join(MEMBER_KEY_FILE), &member.member_key)?;
        write_key_file(&dir.join(DEVICE_KEY_FILE), &member.device.key)?;
        // Every member's delegation comes along, so that each node
        // authorises every writer from the start.
        create_pact_store(
            &dir,
            &pact.charter,
            &pact.entries().cloned().collect::<Vec<_>>(),
            &member.member_key,
            &member.device.key,
            T0_MS,
        )?;
        dirs.push(dir);
    }
    Ok(dirs)
}

/// Options for a node on loopback TCP, without HTTP unless `http`.
pub(crate) fn loopback_options(
    data_dir: &Path,
    bootstrap: Vec<libp2p::Multiaddr>,
    http: bool,
) -> anyhow::Result<NodeOptions> {
    Ok(NodeOptions {
        data_dir: data_dir.to_path_buf(),
        listen: vec!["/ip4/127.0.0.1/tcp/0".parse()?],
        bootstrap,
        mdns: false,
        sync_interval: Duration::from_secs(30),
        http_bind: http.then(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
    })
}

/// Starts a node and waits until it listens.
pub(crate) async fn start(options: NodeOptions) -> anyhow::Result<RunningNode> {
    let mut node = app::start(options).await?;
    node.net.wait_listening(1).await;
    Ok(node)
}

/// The node's first listen address with its peer id.
pub(crate) fn dial_address(node: &RunningNode) -> anyhow::Result<libp2p::Multiaddr> {
    let address = node
        .net
        .listen_addresses()
        .first()
        .cloned()
        .context("the node listens nowhere")?;
    Ok(address.with(libp2p::multiaddr::Protocol::P2p(node.net.peer_id())))
}

/// Resident and peak resident memory of a process, in MiB, from
/// `/proc/<pid>/status` (Linux).
pub(crate) fn memory_mib(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<f64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("no {name} in /proc/{pid}/status"))?;
        let kib: f64 = line
            .split_whitespace()
            .nth(1)
            .context("no value")?
            .parse()?;
        Ok(kib / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}
