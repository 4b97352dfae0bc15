//! Replays harness seeds and prints what each run did.
//!
//! `cargo run -p amtshilfe-tests --example replay -- 17` replays seed 17;
//! `-- 0 200` replays seeds 0 to 199, as the CI sweep does.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::time::Instant;

use amtshilfe_tests::harness::{self, HarnessConfig};

fn main() -> ExitCode {
    let numbers: Result<Vec<u64>, _> = std::env::args().skip(1).map(|a| a.parse::<u64>()).collect();
    let (first, end) = match numbers.as_deref() {
        Ok([seed]) => (*seed, seed + 1),
        Ok([first, end]) if first < end => (*first, *end),
        _ => {
            eprintln!("usage: replay SEED | replay FIRST END");
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for seed in first..end {
        let peers = harness::peers_for_seed(seed);
        let started = Instant::now();
        match harness::run(
            seed,
            &HarnessConfig::adversarial(peers, harness::SWEEP_STEPS),
        ) {
            Ok(report) => println!("ok   {:>6.0?} {report:?}", started.elapsed()),
            Err(divergence) => {
                failed += 1;
                println!("FAIL {divergence}");
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
