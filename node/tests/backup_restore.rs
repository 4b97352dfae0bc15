//! Restoring a node from a backup of its store: what it wrote after the
//! backup comes back from its peer, and its new writes are accepted by the
//! peer without forking its history (the restored store has a new
//! incarnation).
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::{
    NodeDir, amtshilfe, found_pact, get, init_nodes, p2p_address, post, set_bootstrap, start,
    wait_for,
};

fn stop(child: &mut support::Running) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    assert!(child.wait().unwrap().success());
}

fn offer(node: &NodeDir, quantity: u32) -> String {
    let body = serde_json::to_string(&amtshilfe_tests::sample::laptops(
        quantity,
        amtshilfe_node::clock::now_ms(),
    ))
    .unwrap();
    let (status, answer) = post(node.http, "/api/offers", &body).unwrap();
    assert_eq!(status, 201, "{answer}");
    serde_json::from_str::<serde_json::Value>(&answer).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn has_all(node: &NodeDir, ids: &[String]) -> bool {
    get(node.http, "/api/registry")
        .is_ok_and(|(s, body)| s == 200 && ids.iter().all(|id| body.contains(id.as_str())))
}

#[test]
fn a_node_restored_from_backup_gets_its_later_writes_back_and_does_not_fork() {
    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße", "Odenwaldkreis"]);
    let (a, b) = (&nodes[0], &nodes[1]);
    found_pact(root.path(), &nodes);
    set_bootstrap(a, &[p2p_address(b)]);
    let mut b_node = start(b);

    let mut a_node = start(a);
    let before_backup = vec![offer(a, 1), offer(a, 2)];
    wait_for("B has A's first offers", Duration::from_secs(30), || {
        has_all(b, &before_backup)
    });
    stop(&mut a_node);
    let backup = root.path().join("store-backup.redb");
    std::fs::copy(a.dir.join("store.redb"), &backup).unwrap();

    let mut a_node = start(a);
    let after_backup = offer(a, 3);
    wait_for(
        "B has the offer made after the backup",
        Duration::from_secs(30),
        || has_all(b, std::slice::from_ref(&after_backup)),
    );
    stop(&mut a_node);

    // A's disk is lost; it comes back from the backup.
    std::fs::remove_file(a.dir.join("store.redb")).unwrap();
    let out = amtshilfe(&[
        "restore",
        backup.to_str().unwrap(),
        "--config",
        a.config.to_str().unwrap(),
    ]);
    assert!(out.contains("New incarnation"), "{out}");
    let mut a_node = start(a);
    let restored_write = offer(a, 4);

    let all = [before_backup, vec![after_backup, restored_write]].concat();
    wait_for(
        "both nodes hold all four offers",
        Duration::from_secs(60),
        || has_all(a, &all) && has_all(b, &all),
    );
    let metrics = get(b.http, "/metrics").unwrap().1;
    assert!(
        metrics.contains("amtshilfe_envelopes_rejected_total{reason=\"fork\"} 0"),
        "{metrics}"
    );
    stop(&mut a_node);
    stop(&mut b_node);
}
