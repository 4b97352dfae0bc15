//! Offline bundles with the real binary: two members of one pact whose
//! nodes never run at the same time (no network between them) exchange
//! their data by `amtshilfe bundle export` and `bundle import`, against a
//! stopped node (its store) and a running one (its API). A bundle for the
//! peer's known state holds only what it lacks; a tampered bundle and a
//! bundle of another pact are refused with their reasons, and nothing of
//! them is applied.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;

use amtshilfe_protocol::bundle::Bundle;
use support::{
    NodeDir, amtshilfe, binary, found_pact, init_nodes, post_offer, registry_ids, start, terminate,
};

/// `amtshilfe bundle import BUNDLE` into `node` (its store if it is
/// stopped, its API if it runs); what it printed.
fn import(bundle: &Path, node: &NodeDir) -> String {
    amtshilfe(&[
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--config",
        config(node),
    ])
}

/// [`import`], expecting it to be refused; returns stdout and stderr.
fn import_refused(bundle: &Path, node: &NodeDir) -> String {
    let args = [
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--config",
        config(node),
    ];
    let output = Command::new(binary()).args(args).output().unwrap();
    assert!(!output.status.success(), "amtshilfe {args:?} should fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn config(node: &NodeDir) -> &str {
    node.config.to_str().unwrap()
}

fn export(node: &NodeDir, out: &Path, since: Option<&Path>) -> Bundle {
    let mut args = vec![
        "bundle",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--config",
        config(node),
    ];
    if let Some(since) = since {
        args.extend(["--since", since.to_str().unwrap()]);
    }
    amtshilfe(&args);
    Bundle::from_bytes(&std::fs::read(out).unwrap()).unwrap()
}

fn store_counts(node: &NodeDir) -> String {
    amtshilfe(&["status", "--config", config(node)])
}

#[test]
fn bundles_carry_a_pacts_data_between_nodes_with_no_network_and_refuse_tampering() {
    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(
        root.path(),
        &["Kreis Bergstraße", "Odenwaldkreis", "Fremdkreis"],
    );
    let (a, b, stranger) = (&nodes[0], &nodes[1], &nodes[2]);
    found_pact(root.path(), &nodes[..2]);
    // The stranger founds a pact of its own.
    std::fs::create_dir_all(root.path().join("other")).unwrap();
    found_pact(&root.path().join("other"), std::slice::from_ref(stranger));

    // A writes while B is down; B never runs at the same time as A.
    let mut a_node = start(a);
    let first: Vec<String> = (0..12).map(|n| post_offer(a, n).unwrap()).collect();
    let everything = root.path().join("a-all.bundle");
    let bundle = export(a, &everything, None); // through A's API
    assert_eq!(bundle.envelopes.len(), first.len());
    terminate(&mut a_node);

    // Into B's store while B is stopped.
    let out = import(&everything, b);
    assert!(out.contains("12 envelopes applied"), "{out}");
    // A bundle of A's pact is refused by the stranger's pact.
    let before = store_counts(stranger);
    let refused = import_refused(&everything, stranger);
    assert!(refused.contains("wrong_pact"), "{refused}");
    assert_eq!(store_counts(stranger), before, "nothing applied");

    let mut b_node = start(b);
    let listed = registry_ids(b).unwrap();
    assert!(
        first.iter().all(|id| listed.contains(id)),
        "B lists A's offers"
    );

    // B's known state; A writes more; the bundle for B holds only that.
    let state = root.path().join("b.state");
    amtshilfe(&[
        "bundle",
        "state",
        "--out",
        state.to_str().unwrap(),
        "--config",
        config(b),
    ]);
    terminate(&mut b_node);
    let mut a_node = start(a);
    let second: Vec<String> = (20..23).map(|n| post_offer(a, n).unwrap()).collect();
    let delta_path = root.path().join("a-delta.bundle");
    let delta = export(a, &delta_path, Some(&state));
    terminate(&mut a_node);
    assert_eq!(delta.envelopes.len(), second.len(), "only what B lacks");
    assert!(delta.entries.is_empty(), "B has every membership entry");
    let full = std::fs::metadata(&everything).unwrap().len();
    let small = std::fs::metadata(&delta_path).unwrap().len();
    println!("whole bundle {full} bytes, bundle for B's known state {small} bytes");

    // A tampered copy (one envelope's change altered, the frame's checksum
    // made to match again) is refused by the running B, and none of it
    // applies, not even its untouched envelopes.
    let mut tampered = delta.clone();
    let change = &mut tampered.envelopes[1].change;
    let middle = change.len() / 2;
    change[middle] ^= 0x01;
    let tampered_path = root.path().join("tampered.bundle");
    std::fs::write(&tampered_path, tampered.to_bytes().unwrap()).unwrap();
    // A copy damaged in transit fails its checksum.
    let mut damaged = std::fs::read(&delta_path).unwrap();
    let at = damaged.len() / 2;
    damaged[at] ^= 0x10;
    let damaged_path = root.path().join("damaged.bundle");
    std::fs::write(&damaged_path, damaged).unwrap();

    let mut b_node = start(b);
    let before = registry_ids(b).unwrap();
    let refused = import_refused(&tampered_path, b);
    assert!(refused.contains("bundle_items_refused"), "{refused}");
    assert!(refused.contains("bad_signature"), "{refused}");
    let refused = import_refused(&damaged_path, b);
    assert!(refused.contains("bundle_"), "{refused}");
    assert_eq!(
        registry_ids(b).unwrap(),
        before,
        "nothing of a refused bundle applied"
    );

    // The true bundle goes into the running B through its API.
    let out = import(&delta_path, b);
    assert!(out.contains("3 envelopes applied"), "{out}");
    let listed = registry_ids(b).unwrap();
    assert!(first.iter().chain(&second).all(|id| listed.contains(id)));
    // Importing it again changes nothing.
    let out = import(&delta_path, b);
    assert!(
        out.contains("0 envelopes applied, 3 already known"),
        "{out}"
    );
    terminate(&mut b_node);
}
