//! `amtshilfe member propose-agreement` against running nodes: terms that
//! break a rule are refused before anything is sent, with the rule named;
//! good terms are signed with the member key from a stick (the node
//! holding none), shown in full first, and take effect on both nodes once
//! the other member approves.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;
use std::time::Duration;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::pact::example_agreement;
use serde_json::Value;
use support::{amtshilfe, get, post, proposal, start_pact, wait_for};

fn pact(node: &support::NodeDir) -> Value {
    let (status, body) = get(node.http, "/api/pact").unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn an_agreement_from_a_file_is_checked_signed_with_the_stick_key_and_agreed_by_majority() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, _children) = start_pact(root.path(), &["Kreis Bergstraße", "Odenwaldkreis"]);
    let members: Vec<MemberId> = nodes
        .iter()
        .map(|n| n.member_key.parse().unwrap())
        .collect();
    let stick = root.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let key = stick.join("member.key");
    std::fs::rename(nodes[0].dir.join("member.key"), &key).unwrap();
    let config = nodes[0].config.to_str().unwrap();
    // The log's heads move on their own (a node declares the incarnation
    // it writes under once it is admitted), so "nothing signed" is read
    // from the proposals.
    let proposals = pact(&nodes[0])["proposals"].clone();

    let mut terms = example_agreement(&members);
    terms.liability_clause = "x".repeat(4_001);
    let bad = root.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_string(&terms).unwrap()).unwrap();
    let refused = Command::new(support::binary())
        .args(["member", "propose-agreement", "--yes", "--file"])
        .arg(&bad)
        .args(["--member-key", key.to_str().unwrap(), "--config", config])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("too_long") && stderr.contains("liability_clause"),
        "{stderr}"
    );
    assert_eq!(pact(&nodes[0])["proposals"], proposals, "nothing signed");

    terms.liability_clause = "Jede Kommune haftet nur für Vorsatz.".into();
    let good = root.path().join("vereinbarung.json");
    std::fs::write(&good, serde_json::to_string(&terms).unwrap()).unwrap();
    let out = amtshilfe(&[
        "member",
        "propose-agreement",
        "--yes",
        "--file",
        good.to_str().unwrap(),
        "--member-key",
        key.to_str().unwrap(),
        "--config",
        config,
    ]);
    assert!(
        out.contains("Jede Kommune haftet nur für Vorsatz."),
        "shown in full: {out}"
    );
    let hash = out
        .split("(proposal ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap()
        .to_owned();
    wait_for("node 1 has the proposal", Duration::from_secs(60), || {
        proposal(&nodes[1], &hash).is_some()
    });
    let (status, body) = post(
        nodes[1].http,
        &format!("/api/pact/proposals/{hash}/approve"),
        "",
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    for node in &nodes {
        wait_for(
            &format!("{} has the agreement in force", node.name),
            Duration::from_secs(60),
            || pact(node)["agreement_in_force"] == hash.as_str(),
        );
    }
}
