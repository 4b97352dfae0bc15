//! The deterministic harness over many seeds: 5 to 20 peers each, with
//! message loss, duplication, reordering, partitions and heals, crashes
//! and restarts, membership removals and forged envelopes. Every run must
//! end with identical replicas, no forged or unauthorised change accepted
//! anywhere, and no acknowledged write lost.

use amtshilfe_tests::harness::{self, HarnessConfig};

/// Seeds swept in CI.
const SEEDS: u64 = 200;
use harness::{SWEEP_STEPS as STEPS, peers_for_seed as peers_for};

#[test]
fn every_seed_converges_without_forgeries_or_lost_writes() {
    let mut failures = Vec::new();
    let mut writes = 0;
    let mut forgeries = 0;
    let mut shrunk_pacts = 0;
    for seed in 0..SEEDS {
        let config = HarnessConfig::adversarial(peers_for(seed), STEPS);
        match harness::run(seed, &config) {
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
    let config = HarnessConfig::adversarial(7, STEPS);
    let first = harness::run(42, &config);
    let second = harness::run(42, &config);
    assert_eq!(first, second);
}
