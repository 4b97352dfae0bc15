//! Replays the fuzz corpus (`fuzz/corpus/<target>/`, seeds and every
//! crash ever found) and today's seed inputs through the same decoder
//! functions the cargo-fuzz targets call, on stable: no input may panic,
//! and each must finish well within the hang bound.

// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amtshilfe_tests::decoders::{self, TARGETS};

/// An input slower than this counts as a hang. Deliberately generous: the
/// figure to watch is the slowest input printed below (the aim is under
/// 1 s), and a loaded CI machine must not make this test flaky.
const HANG_BOUND: Duration = Duration::from_secs(10);

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// Runs one input; the failure message if it panicked or hung.
fn replay(
    target: &str,
    name: &str,
    data: &[u8],
    slowest: &mut (Duration, String),
) -> Option<String> {
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| decoders::run(target, data)));
    let took = started.elapsed();
    if took > slowest.0 {
        *slowest = (took, format!("{target}/{name}"));
    }
    match outcome {
        Ok(true) if took <= HANG_BOUND => None,
        Ok(true) => Some(format!("{target}/{name} took {took:?}")),
        Ok(false) => Some(format!("no target named {target}")),
        Err(_) => Some(format!("{target}/{name} panicked")),
    }
}

#[test]
fn every_corpus_input_and_seed_decodes_without_panic_or_hang() {
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut inputs = 0;
    let started = Instant::now();
    for (target, _) in TARGETS {
        let dir = corpus_dir(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("no corpus for {target} at {}: {error}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the corpus of {target} is empty");
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read(&file).unwrap();
            inputs += 1;
            failures.extend(replay(target, &name, &data, &mut slowest));
        }
    }
    for (target, name, data) in decoders::seeds() {
        inputs += 1;
        failures.extend(replay(
            target,
            &format!("{name} (made now)"),
            &data,
            &mut slowest,
        ));
    }
    println!(
        "{inputs} inputs over {} targets in {:?}; slowest {} in {:?}",
        TARGETS.len(),
        started.elapsed(),
        slowest.1,
        slowest.0
    );
    assert!(
        failures.is_empty(),
        "decoder failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_target_has_a_seed() {
    // Without a valid seed the fuzzer starts from nothing and rarely gets
    // past the first length check.
    let seeds = decoders::seeds();
    for (target, _) in TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no seed for {target}"
        );
    }
}
