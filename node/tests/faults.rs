//! Real faults for real processes: each node is the `amtshilfe` binary in
//! a network namespace of its own (`amtshilfe_tests::netns`), with the
//! configuration's default timers, and every fault is an nftables rule
//! that silently drops packets (no RST, no ICMP), so connections go
//! half-open as behind a failed router; nothing asks a node to behave.
//!
//! Scenarios: the hub unreachable while every district restarts; a 3/3
//! partition; an asymmetric partition; a flapping link; 30 SIGKILLs each
//! checked on the cut-off node. Each scenario prints its figures. They skip, saying so, only where the
//! machine cannot make network namespaces (not root); `.ci/run` sets
//! `AMTSHILFE_NETNS_TEST=required`, which turns that skip into a failure.

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "faults/pact.rs"]
mod pact;
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amtshilfe_tests::rng::SeededRng;
use pact::{NsPact, serial};

/// How long a pact may take to form its full mesh.
const MESH_DEADLINE: Duration = Duration::from_secs(90);
/// The promise of the 3/3 partition scenario: converged this soon after
/// the heal.
const HEAL_PROMISE: Duration = Duration::from_secs(30);
/// Generous bound for convergence where the scenario promises no figure.
const CONVERGE_DEADLINE: Duration = Duration::from_secs(120);
/// How long the partitions last: longer than a sync request's timeout, so
/// requests in flight fail rather than wait out the fault.
const PARTITION_FOR: Duration = Duration::from_secs(20);

/// A different offer for every write of the test process.
static WRITES: AtomicUsize = AtomicUsize::new(0);

fn next() -> usize {
    WRITES.fetch_add(1, Ordering::Relaxed)
}

/// One write on each of `nodes`, all acknowledged.
fn write_each(pact: &NsPact, nodes: &[usize]) -> Vec<String> {
    nodes
        .iter()
        .map(|&index| pact.write(index, next()))
        .collect()
}

/// Writes on each of `nodes` in rounds for `duration`; the acknowledged ids
/// of each node.
fn write_for(pact: &NsPact, nodes: &[usize], duration: Duration) -> Vec<Vec<String>> {
    let started = Instant::now();
    let mut acked = vec![Vec::new(); pact.len()];
    while started.elapsed() < duration {
        for &index in nodes {
            acked[index].push(pact.write(index, next()));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    acked
}

#[test]
fn hub_down_while_every_district_restarts_the_districts_find_each_other_and_converge() {
    let _serial = serial();
    let Some(mut pact) = NsPact::found(5) else {
        return;
    };
    let all: Vec<usize> = (0..pact.len()).collect();
    let districts: Vec<usize> = (1..pact.len()).collect();
    let mesh = pact.wait_for_full_mesh(MESH_DEADLINE);
    let mut acked = write_each(&pact, &all);
    pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "the first writes");

    // The hub's link goes silent, then every district stops and starts
    // again: none has a live connection left, and their only bootstrap
    // address is the hub's.
    pact.bed.isolate(0).unwrap();
    for &index in &districts {
        pact.stop(index);
    }
    let restarted = Instant::now();
    for &index in &districts {
        pact.start(index);
    }
    let outage_writes = write_each(&pact, &districts);
    acked.extend(outage_writes.iter().cloned());
    let found = pact.wait_until_listed(
        &districts,
        &acked,
        CONVERGE_DEADLINE,
        "the districts converge without the hub",
    );
    let since_restart = restarted.elapsed();
    let hub_listed = pact.listed(0).unwrap();
    assert!(
        outage_writes.iter().all(|id| !hub_listed.contains(id)),
        "the hub received writes while cut off: the fault did not bite"
    );

    pact.bed.reconnect(0).unwrap();
    let hub_back = pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "the hub catches up");
    println!(
        "hub down: full mesh after {mesh:?}; districts restarted without the hub converged \
         {found:?} after their writes ({since_restart:?} after the restarts); \
         the hub had all {} writes {hub_back:?} after its link came back",
        acked.len()
    );
}

#[test]
fn three_three_partition_with_writes_on_both_sides_converges_within_30_s_of_the_heal() {
    let _serial = serial();
    let Some(mut pact) = NsPact::found(6) else {
        return;
    };
    let all: Vec<usize> = (0..pact.len()).collect();
    let (left, right) = ([0, 1, 2], [3, 4, 5]);
    let mesh = pact.wait_for_full_mesh(MESH_DEADLINE);
    let mut before = write_each(&pact, &all);
    pact.wait_until_listed(&all, &before, CONVERGE_DEADLINE, "the first writes");

    pact.bed.partition(&left, &right).unwrap();
    let per_node = write_for(&pact, &all, PARTITION_FOR);
    let left_writes: Vec<String> = left.iter().flat_map(|&i| per_node[i].clone()).collect();
    let right_writes: Vec<String> = right.iter().flat_map(|&i| per_node[i].clone()).collect();
    // Each side converges on its own: the partition cuts between the
    // sides, not within them.
    let mut left_view = before.clone();
    left_view.extend(left_writes.iter().cloned());
    let mut right_view = before.clone();
    right_view.extend(right_writes.iter().cloned());
    pact.wait_until_listed(&left, &left_view, CONVERGE_DEADLINE, "the left side");
    pact.wait_until_listed(&right, &right_view, CONVERGE_DEADLINE, "the right side");

    pact.bed.heal().unwrap();
    before.extend(left_writes.iter().cloned());
    before.extend(right_writes.iter().cloned());
    let healed = pact.wait_until_listed(&all, &before, CONVERGE_DEADLINE, "all six after the heal");
    println!(
        "3/3 partition: full mesh after {mesh:?}; {} + {} writes on the two sides during \
         {PARTITION_FOR:?}; all six nodes listed all {} writes {healed:?} after the heal",
        left_writes.len(),
        right_writes.len(),
        before.len()
    );
    assert!(
        healed <= HEAL_PROMISE,
        "converged {healed:?} after the heal, promised within {HEAL_PROMISE:?}"
    );
}

#[test]
fn asymmetric_partition_loses_and_duplicates_nothing_and_converges_after_the_heal() {
    let _serial = serial();
    let Some(mut pact) = NsPact::found(4) else {
        return;
    };
    let all: Vec<usize> = (0..pact.len()).collect();
    // Packets from the hub's side reach the other side only one way: the
    // left hears the right, the right does not hear the left.
    let (left, right) = ([0, 1], [2, 3]);
    let mesh = pact.wait_for_full_mesh(MESH_DEADLINE);
    let mut acked = write_each(&pact, &all);
    pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "the first writes");

    for &from in &left {
        for &to in &right {
            pact.bed.drop_one_way(from, to).unwrap();
        }
    }
    let per_node = write_for(&pact, &all, PARTITION_FOR);
    let left_writes: Vec<String> = left.iter().flat_map(|&i| per_node[i].clone()).collect();
    for &index in &right {
        let listed = pact.listed(index).unwrap();
        assert!(
            left_writes.iter().all(|id| !listed.contains(id)),
            "node {index} received a write it cannot hear: the fault did not bite"
        );
    }
    acked.extend(per_node.into_iter().flatten());

    pact.bed.heal().unwrap();
    let healed = pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "all after the heal");
    println!(
        "asymmetric partition: full mesh after {mesh:?}; {} writes during {PARTITION_FOR:?} \
         ({} on the side nobody heard); every node listed each of the {} writes exactly once \
         {healed:?} after the heal",
        acked.len() - all.len(),
        left_writes.len(),
        acked.len()
    );
}

/// Down and up times of the flapping link.
const FLAP_DOWN: Duration = Duration::from_millis(1_500);
const FLAP_UP: Duration = Duration::from_millis(1_000);
/// How many times the link goes down.
const FLAPS: usize = 8;

#[test]
fn a_flapping_link_loses_nothing_and_converges_once_it_holds() {
    let _serial = serial();
    let Some(mut pact) = NsPact::found(3) else {
        return;
    };
    let all: Vec<usize> = (0..pact.len()).collect();
    let flapping = 2;
    let mut acked = write_each(&pact, &all);
    pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "the first writes");

    // The district's link drops out and comes back, again and again,
    // while every node writes; each outage is silent.
    for _ in 0..FLAPS {
        pact.bed.isolate(flapping).unwrap();
        acked.extend(write_each(&pact, &all));
        std::thread::sleep(FLAP_DOWN);
        pact.bed.reconnect(flapping).unwrap();
        acked.extend(write_each(&pact, &all));
        std::thread::sleep(FLAP_UP);
    }
    let held = pact.wait_until_listed(&all, &acked, CONVERGE_DEADLINE, "all after the flapping");
    println!(
        "flapping link: {FLAPS} outages of {FLAP_DOWN:?} every {:?} with {} writes; every node \
         listed each write exactly once {held:?} after the link held",
        FLAP_DOWN + FLAP_UP,
        acked.len()
    );
}

/// How many times the writing node is killed.
const KILLS: usize = 30;

/// Writes offers to node `index` one after another until `stop`,
/// recording the ids the API acknowledged. A refused connection while the
/// node is down is not an acknowledgement.
fn write_stream(
    node: support::NodeDir,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
) -> usize {
    let mut attempts = 0;
    while !stop.load(Ordering::Relaxed) {
        attempts += 1;
        match support::post_offer(&node, next()) {
            Some(id) => acked.lock().unwrap().push(id),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    attempts
}

#[test]
fn thirty_sigkills_lose_no_acknowledged_write_checked_alone_on_the_restarted_node() {
    let _serial = serial();
    let Some(mut pact) = NsPact::found(3) else {
        return;
    };
    let all: Vec<usize> = (0..pact.len()).collect();
    let victim = 2;
    pact.wait_for_full_mesh(MESH_DEADLINE);

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (node, stop, acked) = (pact.nodes[victim].clone(), stop.clone(), acked.clone());
        std::thread::spawn(move || write_stream(node, stop, acked))
    };
    let count = || acked.lock().unwrap().len();

    let mut rng = SeededRng::new(30);
    let mut at_kill = Vec::with_capacity(KILLS);
    let mut restart_times = Vec::with_capacity(KILLS);
    for _ in 0..KILLS {
        // Some acknowledged writes in every gap between two kills, and a
        // random moment for the kill, often mid-write.
        let floor = at_kill.last().copied().unwrap_or(0);
        support::wait_for("a write between kills", Duration::from_secs(30), || {
            count() > floor
        });
        std::thread::sleep(Duration::from_millis(100 + rng.below(400) as u64));
        pact.kill(victim);
        let before_kill: Vec<String> = acked.lock().unwrap().clone();
        at_kill.push(before_kill.len());

        // Alone: no peer can hand a lost write back before the check.
        pact.bed.isolate(victim).unwrap();
        let restarting = Instant::now();
        pact.start(victim);
        restart_times.push(restarting.elapsed());
        assert_eq!(
            pact.peers_connected(victim),
            Some(0),
            "the restarted node must be alone when it is checked"
        );
        let listed = pact.listed(victim).unwrap();
        let lost: Vec<&String> = before_kill
            .iter()
            .filter(|id| !listed.contains(id))
            .collect();
        assert!(
            lost.is_empty(),
            "the restarted node lost {} acknowledged writes, e.g. {:?}",
            lost.len(),
            lost.first()
        );
        pact.bed.reconnect(victim).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let attempts = writer.join().unwrap();
    let all_acked: Vec<String> = acked.lock().unwrap().clone();

    let gaps: Vec<usize> = std::iter::once(at_kill[0])
        .chain(at_kill.windows(2).map(|w| w[1] - w[0]))
        .collect();
    assert!(
        gaps.iter().all(|&gap| gap > 0),
        "every gap between kills must hold acknowledged writes: {gaps:?}"
    );
    let converged = pact.wait_until_converged_with(
        &all,
        &all_acked,
        CONVERGE_DEADLINE,
        "every node has every acknowledged write",
    );
    let slowest_restart = restart_times.iter().max().copied().unwrap_or_default();
    println!(
        "{KILLS} SIGKILLs: {} writes acknowledged of {attempts} attempts; acknowledged per gap \
         {gaps:?} (fewest {}); restart to answering at most {slowest_restart:?}; every node \
         listed every write {converged:?} after the last reconnect",
        all_acked.len(),
        gaps.iter().min().copied().unwrap_or(0),
    );
}
