//! Four real `amtshilfe` processes on loopback. One of them is killed with
//! SIGKILL ten times during a stream of writes to its HTTP API, and
//! restarted each time: every write the API acknowledged before a kill must
//! be on that node after the restart and on all its peers.

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amtshilfe_tests::rng::SeededRng;
use support::{NodeDir, post_offer, registry_has_all, start, start_pact, terminate, wait_for};

/// How many times the writing node is killed.
const KILLS: usize = 10;

/// Writes offers to `node` one after another until `stop`, recording the
/// ids the API acknowledged (201). Refused connections while the node is
/// down are not acknowledgements.
fn write_stream(node: NodeDir, stop: Arc<AtomicBool>, acked: Arc<Mutex<Vec<String>>>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        match post_offer(&node, n) {
            Some(id) => acked.lock().unwrap().push(id),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[test]
fn acknowledged_writes_survive_sigkill_and_reach_every_peer() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, mut children) = start_pact(
        root.path(),
        &[
            "Kreis Bergstraße",
            "Odenwaldkreis",
            "Darmstadt-Dieburg",
            "Groß-Gerau",
        ],
    );

    let victim = nodes.len() - 1;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (node, stop, acked) = (nodes[victim].clone(), stop.clone(), acked.clone());
        std::thread::spawn(move || write_stream(node, stop, acked))
    };

    let mut rng = SeededRng::new(7);
    let mut acked_before_kills = Vec::new();
    for _ in 0..KILLS {
        std::thread::sleep(Duration::from_millis(150 + rng.below(450) as u64));
        children[victim].kill().unwrap(); // SIGKILL
        children[victim].wait().unwrap();
        let before_kill: Vec<String> = acked.lock().unwrap().clone();
        acked_before_kills.push(before_kill.len());
        children[victim] = start(&nodes[victim]);
        assert!(
            registry_has_all(&nodes[victim], &before_kill),
            "the restarted node lost an acknowledged write"
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let all: Vec<String> = acked.lock().unwrap().clone();
    println!(
        "{} writes acknowledged across {KILLS} kills (acknowledged before each kill: {acked_before_kills:?})",
        all.len()
    );
    assert!(
        all.len() >= KILLS,
        "too few writes to mean anything: {}",
        all.len()
    );
    assert!(
        acked_before_kills.windows(2).any(|w| w[1] > w[0]),
        "writes must land between kills"
    );

    let started = Instant::now();
    for node in &nodes {
        wait_for(
            &format!("{} has every acknowledged write", node.name),
            Duration::from_secs(60),
            || registry_has_all(node, &all),
        );
    }
    println!(
        "all four nodes had every acknowledged write {:?} after the last kill",
        started.elapsed()
    );
    for child in &mut children {
        terminate(child);
    }
}
