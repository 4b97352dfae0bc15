//! The deterministic harness over many seeds: 5 to 20 peers each, with
//! message loss, duplication, reordering, partitions and heals, crashes
//! and restarts, membership removals and forged envelopes. Every run must
//! end with identical replicas, no forged or unauthorised change accepted
//! anywhere, and no acknowledged write lost.

use amtshilfe_tests::harness::{
    self, Divergence, HarnessConfig, RunReport, SWEEP_STEPS, peers_for_seed,
};

/// Seeds swept in CI.
const SEEDS: u64 = 200;

/// Runs the seeds `first, first + stride, …` below [`SEEDS`].
fn sweep(first: u64, stride: usize) -> Vec<Result<RunReport, Divergence>> {
    (first..SEEDS)
        .step_by(stride)
        .map(|seed| {
            let config = HarnessConfig::adversarial(peers_for_seed(seed), SWEEP_STEPS);
            harness::run(seed, &config)
        })
        .collect()
}

#[test]
fn every_seed_converges_without_forgeries_or_lost_writes() {
    // Seeds are independent, so they run on every core.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers as u64)
            .map(|first| scope.spawn(move || sweep(first, workers)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a sweep worker panicked"))
            .collect()
    });
    assert_eq!(results.len() as u64, SEEDS);

    let mut failures = Vec::new();
    let (mut writes, mut forgeries, mut shrunk_pacts) = (0, 0, 0);
    for result in results {
        match result {
            Ok(report) => {
                writes += report.acknowledged_writes;
                forgeries += report.forgeries_injected;
                shrunk_pacts += usize::from(report.members_at_end < report.peers);
            }
            Err(divergence) => failures.push(divergence.to_string()),
        }
    }
    println!(
        "{SEEDS} seeds: {writes} acknowledged writes, {forgeries} forgeries injected, {shrunk_pacts} runs removed a member"
    );
    assert!(
        failures.is_empty(),
        "{} of {SEEDS} seeds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The sweep must actually exercise what it claims to.
    assert!(writes > 1_000, "too few writes to mean anything: {writes}");
    assert!(
        forgeries > 100,
        "too few forgeries to mean anything: {forgeries}"
    );
    assert!(shrunk_pacts > 0, "no run removed a member");
}

#[test]
fn a_seed_replays_exactly() {
    let config = HarnessConfig::adversarial(7, SWEEP_STEPS);
    let first = harness::run(42, &config);
    let second = harness::run(42, &config);
    assert_eq!(first, second);
}
