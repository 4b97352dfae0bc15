//! Whole nodes in one process, over real libp2p on loopback: a pact's data
//! directories made from a `TestPact`, nodes started and stopped, and
//! waiting for a condition with a deadline.

// Test support: a failed setup step is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amtshilfe_node::app::{self, NodeOptions, RunningNode};
use amtshilfe_node::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, write_key_file};
use amtshilfe_node::setup::create_pact_store;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
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
