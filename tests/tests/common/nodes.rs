//! Whole nodes in one process, over real libp2p on loopback: a pact's data
//! directories made from a `TestPact`, nodes started and stopped, and
//! waiting for a condition with a deadline.

// Test support: a failed setup step is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amtshilfe_node::app::{self, NodeOptions, RunningNode};
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, write_key_file};
use amtshilfe_node::net::{Announcement, NetCommand};
use amtshilfe_node::setup::{create_pact_store, store_path};
use amtshilfe_node::store::Store;
use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, DocumentId, PactId, Sha256Hash};
use amtshilfe_protocol::read_model::ReadModel;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use automerge::ChangeHash;
use libp2p::Multiaddr;

/// One data directory per member of `pact`, under `root`.
pub(crate) fn make_data_dirs(root: &Path, pact: &TestPact) -> Vec<PathBuf> {
    pact.members
        .iter()
        .enumerate()
        .map(|(index, member)| {
            let dir = root.join(format!("node-{index}"));
            std::fs::create_dir_all(&dir).unwrap();
            write_key_file(&dir.join(MEMBER_KEY_FILE), &member.member_key).unwrap();
            write_key_file(&dir.join(DEVICE_KEY_FILE), &member.device.key).unwrap();
            create_pact_store(
                &dir,
                &pact.charter,
                &[],
                &member.member_key,
                &member.device.key,
                T0_MS,
            )
            .unwrap();
            dir
        })
        .collect()
}

/// Options for a node on loopback TCP, with a short sync interval.
pub(crate) fn loopback_options(data_dir: &Path, bootstrap: Vec<Multiaddr>) -> NodeOptions {
    NodeOptions {
        data_dir: data_dir.to_path_buf(),
        listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        bootstrap,
        mdns: false,
        sync_interval: Duration::from_secs(2),
        http_bind: None,
    }
}

/// Starts a node and waits until it listens.
pub(crate) async fn start(options: NodeOptions) -> RunningNode {
    let mut node = app::start(options).await.unwrap();
    node.net.wait_listening(1).await;
    node
}

/// The node's first listen address with its peer id appended.
pub(crate) fn dial_address(node: &RunningNode) -> Multiaddr {
    let address = node.net.listen_addresses()[0].clone();
    address.with(libp2p::multiaddr::Protocol::P2p(node.net.peer_id()))
}

/// Polls `condition` every 50 ms until it holds; returns how long that took,
/// or panics with `what` after `deadline`.
pub(crate) async fn wait_until(
    what: &str,
    deadline: Duration,
    mut condition: impl FnMut() -> bool,
) -> Duration {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < deadline,
            "timed out after {deadline:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

/// [`loopback_options`] with a one-second sync interval.
pub(crate) fn fast_options(data_dir: &Path, bootstrap: Vec<Multiaddr>) -> NodeOptions {
    NodeOptions {
        sync_interval: Duration::from_secs(1),
        ..loopback_options(data_dir, bootstrap)
    }
}

/// A data directory for `pact` whose node holds valid keys but is not a
/// member: its store holds only the charter, and its member key is not a
/// founder. `setup::create_pact_store` refuses to make one (the log refuses
/// a delegation signed by a key it does not know), so it is made by hand.
pub(crate) fn make_outsider_dir(root: &Path, pact: &TestPact, seed: u8) -> PathBuf {
    let dir = root.join("outsider");
    std::fs::create_dir_all(&dir).unwrap();
    let member_key = KeyPair::from_seed([seed; 32]);
    let device_key = KeyPair::from_seed([seed.wrapping_add(1); 32]);
    let refused = create_pact_store(
        &dir.join("refused"),
        &pact.charter,
        &[],
        &member_key,
        &device_key,
        T0_MS,
    );
    assert!(
        refused.is_err(),
        "a delegation by a non-member must be refused"
    );
    write_key_file(&dir.join(MEMBER_KEY_FILE), &member_key).unwrap();
    write_key_file(&dir.join(DEVICE_KEY_FILE), &device_key).unwrap();
    let store = Store::create(
        store_path(&dir),
        PactId(pact.charter.hash().0),
        [seed; 16],
        T0_MS,
    )
    .unwrap();
    store
        .append_entries(std::slice::from_ref(&pact.charter))
        .unwrap();
    dir
}

/// What must be equal on converged nodes: digest, document heads, read model.
pub(crate) type Observed = (Sha256Hash, BTreeMap<DocumentId, Vec<ChangeHash>>, ReadModel);

/// The node's digest, heads and read model.
pub(crate) fn observe(node: &RunningNode) -> Observed {
    let core = node.core.lock();
    let replica = core.replica();
    (
        replica.digest(),
        replica.heads(),
        replica.read_model().clone(),
    )
}

/// Whether all `nodes` have identical digests, heads and read models.
pub(crate) fn converged(nodes: &[&RunningNode]) -> bool {
    let Some((first, rest)) = nodes.split_first() else {
        return true;
    };
    let first = observe(first);
    rest.iter().all(|node| observe(node) == first)
}

/// The heads of `document` on `node`, if it knows the document.
pub(crate) fn heads_of(node: &RunningNode, document: &DocumentId) -> Option<Vec<ChangeHash>> {
    node.core.lock().replica().heads().get(document).cloned()
}

/// Peers the node has admitted (connected members).
pub(crate) fn admitted(node: &RunningNode) -> usize {
    node.core.lock().counters.peers_connected.get()
}

/// Writes `ops` to the node's `collection` document and announces the
/// envelope, as the HTTP API does.
pub(crate) fn write_and_announce(
    node: &RunningNode,
    collection: Collection,
    ops: &[RecordOp],
) -> Envelope {
    let envelope = node.core.lock().write(collection, ops, now_ms()).unwrap();
    node.net.send(NetCommand::Announce(Announcement::Envelope(
        envelope.clone(),
    )));
    envelope
}
