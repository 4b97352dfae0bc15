//! A write acknowledged by `append_envelopes` survives the process dying
//! at once afterwards (no destructors, no clean close). The test re-runs
//! this test binary as the child, filtered to this one test.

use std::process::Command;

use super::*;

/// Set in the child's environment to the store path it should write to.
const CHILD_STORE_ENV: &str = "AMTSHILFE_TEST_CRASH_CHILD_STORE";
/// Exit code by which the child reports that appending failed.
const CHILD_FAILED_EXIT: i32 = 3;

#[test]
fn an_acknowledged_write_survives_abort() {
    if let Ok(path) = std::env::var(CHILD_STORE_ENV) {
        child(path.as_ref());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(3);
    drop(pact.create_store(&dir));

    let test_name = format!(
        "{}::an_acknowledged_write_survives_abort",
        module_path!().split_once("::").unwrap().1
    );
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            test_name.as_str(),
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_STORE_ENV, store_path(&dir))
        .status()
        .unwrap();
    assert_ne!(status.code(), Some(0), "the child must die, not finish");
    assert_ne!(
        status.code(),
        Some(CHILD_FAILED_EXIT),
        "the child could not append"
    );

    let store = Store::open(store_path(&dir)).unwrap();
    let state = store.load().unwrap();
    assert_eq!(state.entries, pact.entries());
    assert_eq!(state.envelopes, envelopes);
}

/// Appends the same entries and envelopes as the parent expects, then dies
/// without unwinding.
fn child(path: &std::path::Path) -> ! {
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(3);
    let outcome = Store::open(path).and_then(|store| {
        store.append_entries(&pact.entries())?;
        store.append_envelopes(&envelopes)?;
        // The store is deliberately never dropped.
        std::mem::forget(store);
        Ok(())
    });
    match outcome {
        Ok(()) => std::process::abort(),
        Err(error) => {
            eprintln!("child: {error}");
            std::process::exit(CHILD_FAILED_EXIT)
        }
    }
}
