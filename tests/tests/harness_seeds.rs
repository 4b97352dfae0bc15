//! The deterministic harness over many seeds: 5 to 20 peers each, with
//! message loss, duplication, reordering, partitions and heals, crashes
//! and restarts, membership removals and forged envelopes. Every run must
//! end with identical replicas, no forged or unauthorised change accepted
//! anywhere, and no acknowledged write lost.

use amtshilfe_tests::harness::{
    self, Divergence, HarnessConfig, Planted, RunReport, SWEEP_STEPS, peers_for_seed,
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
    let (mut equivocations, mut forked_runs, mut second_device_writes) = (0, 0, 0);
    let (mut admissions, mut joiners_admitted, mut posture_records) = (0, 0, 0);
    for result in results {
        match result {
            Ok(report) => {
                writes += report.acknowledged_writes;
                forgeries += report.forgeries_injected;
                shrunk_pacts += usize::from(report.members_at_end < report.peers);
                equivocations += report.equivocations;
                forked_runs += usize::from(report.forks_at_end > 0);
                second_device_writes += report.second_device_writes;
                admissions += report.admissions;
                joiners_admitted += report.joiners_admitted;
                posture_records += report.posture_records;
            }
            Err(divergence) => failures.push(divergence.to_string()),
        }
    }
    println!(
        "{SEEDS} seeds: {writes} acknowledged writes, {forgeries} forgeries injected, \
         {shrunk_pacts} runs removed a member, {equivocations} equivocations and backdated \
         votes, {forked_runs} runs ended with forks settled alike, \
         {second_device_writes} writes from short-lived second devices, \
         {admissions} members proposed for admission with nodes of their own \
         ({joiners_admitted} admitted), {posture_records} sealed posture records held \
         everywhere, no plaintext in any store"
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
    assert!(forked_runs > 10, "too few runs with forks: {forked_runs}");
    assert!(admissions > 10, "too few admissions: {admissions}");
    assert!(
        second_device_writes > 10,
        "too few second-device writes: {second_device_writes}"
    );
    assert!(
        posture_records > 100,
        "too few sealed posture records: {posture_records}"
    );
}

/// The harness checks itself: each planted bug makes some of a handful of
/// seeds fail with the problem it must be caught by.
#[test]
fn planted_bugs_make_seeds_fail() {
    for (planted, symptom) in [
        (Planted::SkipAuthorisation, "forged envelope"),
        (Planted::DropWriteOnCrash, "without its acknowledged write"),
        (Planted::AcceptFork, "other"),
    ] {
        let caught: Vec<String> = (0..12)
            .filter_map(|seed| {
                let config = HarnessConfig {
                    planted: Some(planted),
                    ..HarnessConfig::adversarial(6, SWEEP_STEPS)
                };
                harness::run(seed, &config).err().map(|d| d.to_string())
            })
            .collect();
        assert!(
            caught.iter().any(|problem| problem.contains(symptom)),
            "{planted:?} went unnoticed: {caught:?}"
        );
        println!("{planted:?}: caught on {} of 12 seeds", caught.len());
    }
}

#[test]
fn a_seed_replays_exactly() {
    let config = HarnessConfig::adversarial(7, SWEEP_STEPS);
    let first = harness::run(42, &config);
    let second = harness::run(42, &config);
    assert_eq!(first, second);
}
