//! A pact of real `amtshilfe` processes, one per network namespace of an
//! `amtshilfe_tests::netns::Bed`: node 0 is the provider's hub, which every
//! other node has as its only bootstrap address. Founding, starting,
//! killing, writing and reading go through the command line and the HTTP
//! API exactly as an operator's would; faults go through the bed's
//! nftables rules, never through the nodes.
//!
//! Only one pact runs at a time in a test process ([`serial`]), so that the
//! figures the scenarios print are not bent by each other's load.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use amtshilfe_tests::netns::{self, Bed};

use crate::support::{
    NodeDir, Running, found_pact, get, init_node, p2p_address, post_offer, registry_listing,
    set_bootstrap, start, terminate, wait_for,
};

/// The port every node listens on for peers, each on its own address.
pub(crate) const P2P_PORT: u16 = 4100;
/// Set to `required` (as `.ci/run` does) to fail instead of skip where
/// namespaces cannot be made.
const REQUIRED_VAR: &str = "AMTSHILFE_NETNS_TEST";

/// Names of the members, the hub first.
const NAMES: &[&str] = &[
    "IT-Dienstleister Südhessen",
    "Kreis Bergstraße",
    "Odenwaldkreis",
    "Darmstadt-Dieburg",
    "Groß-Gerau",
    "Kreis Offenbach",
];

static SERIAL: Mutex<()> = Mutex::new(());

/// Holds the test process's one pact slot; a panicked holder does not
/// block the others.
pub(crate) fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The pact and its bed. Fields drop in order: processes first, then the
/// namespaces, then the files.
pub(crate) struct NsPact {
    pub(crate) children: Vec<Option<Running>>,
    pub(crate) bed: Bed,
    pub(crate) nodes: Vec<NodeDir>,
    _root: tempfile::TempDir,
}

impl NsPact {
    /// A pact of `count` members (at most six), or `None` (with a printed
    /// reason) where this machine cannot make network namespaces.
    pub(crate) fn found(count: usize) -> Option<Self> {
        assert!(count <= NAMES.len());
        if let Some(reason) = netns::unavailable() {
            assert!(
                std::env::var(REQUIRED_VAR).as_deref() != Ok("required"),
                "{REQUIRED_VAR}=required, but {reason}"
            );
            println!("SKIPPED (did not run): {reason}");
            return None;
        }
        let started = Instant::now();
        let bed = Bed::new(count).unwrap();
        let root = tempfile::tempdir().unwrap();
        let nodes: Vec<NodeDir> = (0..count)
            .map(|index| {
                let slot = bed.slot(index);
                init_node(
                    &root.path().join(format!("node-{index}")),
                    NAMES[index],
                    slot.address,
                    P2P_PORT,
                    Some(slot.namespace()),
                )
            })
            .collect();
        found_pact(root.path(), &nodes);
        let hub = p2p_address(&nodes[0]);
        for node in &nodes[1..] {
            set_bootstrap(node, std::slice::from_ref(&hub));
        }
        let mut pact = Self {
            children: Vec::new(),
            bed,
            nodes,
            _root: root,
        };
        pact.children = pact.nodes.iter().map(|node| Some(start(node))).collect();
        println!(
            "{count} nodes founded and started in namespaces in {:?}",
            started.elapsed()
        );
        Some(pact)
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// How many peers node `index` says it is connected to.
    pub(crate) fn peers_connected(&self, index: usize) -> Option<u64> {
        let (status, body) = get(self.nodes[index].http, "/api/status").ok()?;
        if status != 200 {
            return None;
        }
        let value: serde_json::Value = serde_json::from_str(&body).ok()?;
        value["peers_connected"].as_u64()
    }

    /// Waits until every node is connected to every other, which needs the
    /// districts to have learned each other's addresses from the hub.
    pub(crate) fn wait_for_full_mesh(&self, deadline: Duration) -> Duration {
        let others = self.len() as u64 - 1;
        wait_for("a full mesh", deadline, || {
            (0..self.len()).all(|index| self.peers_connected(index) == Some(others))
        })
    }

    /// SIGTERM and wait.
    pub(crate) fn stop(&mut self, index: usize) {
        if let Some(mut child) = self.children[index].take() {
            terminate(&mut child);
        }
    }

    /// SIGKILL and wait.
    pub(crate) fn kill(&mut self, index: usize) {
        if let Some(mut child) = self.children[index].take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub(crate) fn start(&mut self, index: usize) {
        assert!(self.children[index].is_none(), "node {index} is running");
        self.children[index] = Some(start(&self.nodes[index]));
    }

    /// Writes one offer on node `index`; its id once acknowledged. Retries
    /// while the node does not answer at all (never after an answer).
    pub(crate) fn write(&self, index: usize, n: usize) -> String {
        let mut id = None;
        wait_for("an acknowledged write", Duration::from_secs(30), || {
            id = post_offer(&self.nodes[index], n);
            id.is_some()
        });
        id.unwrap_or_default()
    }

    /// Every offer id in node `index`'s registry, as listed (a duplicate
    /// would appear twice); `None` while it does not answer.
    pub(crate) fn listed(&self, index: usize) -> Option<Vec<String>> {
        registry_listing(self.nodes[index].http, "status=any&")
    }

    /// Waits until each of `nodes` lists exactly `expected` (each once);
    /// the time it took.
    pub(crate) fn wait_until_listed(
        &self,
        nodes: &[usize],
        expected: &[String],
        deadline: Duration,
        what: &str,
    ) -> Duration {
        self.wait_until(nodes, expected, true, deadline, what)
    }

    /// Waits until each of `nodes` lists the same ids, each once, among
    /// them all of `expected`: a write killed before its answer may or may
    /// not have been stored, but it must then be everywhere.
    pub(crate) fn wait_until_converged_with(
        &self,
        nodes: &[usize],
        expected: &[String],
        deadline: Duration,
        what: &str,
    ) -> Duration {
        self.wait_until(nodes, expected, false, deadline, what)
    }

    fn wait_until(
        &self,
        nodes: &[usize],
        expected: &[String],
        exact: bool,
        deadline: Duration,
        what: &str,
    ) -> Duration {
        let started = Instant::now();
        let wanted: BTreeSet<&String> = expected.iter().collect();
        let mut last_seen = BTreeMap::new();
        loop {
            let mut sets = Vec::new();
            for &index in nodes {
                let listed = self.listed(index);
                last_seen.insert(index, listed.as_ref().map(Vec::len));
                sets.push(listed.and_then(|listed| {
                    let set: BTreeSet<String> = listed.iter().cloned().collect();
                    let once = set.len() == listed.len();
                    let covers = wanted.iter().all(|id| set.contains(*id));
                    let fits = covers && (!exact || set.len() == wanted.len());
                    (once && fits).then_some(set)
                }));
            }
            let done = sets.iter().all(Option::is_some) && sets.windows(2).all(|w| w[0] == w[1]);
            if done {
                return started.elapsed();
            }
            if started.elapsed() > deadline {
                let mut report = String::new();
                for (index, count) in &last_seen {
                    report.push_str(&format!(
                        "\n  node {index} lists {count:?}, expected {}",
                        expected.len()
                    ));
                }
                for index in nodes {
                    report.push_str(&format!(
                        "\n  node {index} rules:\n{}",
                        self.bed.listing(*index).unwrap_or_default()
                    ));
                }
                panic!("timed out after {deadline:?} waiting for: {what}{report}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
