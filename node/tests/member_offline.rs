//! The member commands with the real binary against running nodes:
//! `amtshilfe member invite` with the member key from a stick (the node
//! holds none) writes an invitation the joiner's `join` takes, and
//! `amtshilfe member decline` records a signed "no" that the other node
//! shows with the decliner's name.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod support;

use std::net::Ipv4Addr;
use std::time::Duration;

use serde_json::Value;
use support::{amtshilfe, free_port, init_node, proposal, start_pact, terminate, wait_for};

#[test]
fn an_offline_key_invites_and_another_member_declines_on_the_command_line() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, mut children) = start_pact(
        root.path(),
        &["Kreis Bergstraße", "Odenwaldkreis", "Darmstadt-Dieburg"],
    );
    let stick = root.path().join("stick-0");
    std::fs::create_dir_all(&stick).unwrap();
    let key_file = stick.join("member.key");
    std::fs::rename(nodes[0].dir.join("member.key"), &key_file).unwrap();

    let joiner = init_node(
        &root.path().join("node-3"),
        "Kreis Offenbach",
        Ipv4Addr::LOCALHOST,
        free_port(),
        None,
    );
    let invitation = root.path().join("einladung.json");
    let address = format!("/ip4/127.0.0.1/tcp/{}", nodes[0].p2p_port);
    let out = amtshilfe(&[
        "member",
        "invite",
        "--name",
        &joiner.name,
        "--key",
        &joiner.member_key,
        "--address",
        &address,
        "--out",
        invitation.to_str().unwrap(),
        "--yes",
        "--member-key",
        key_file.to_str().unwrap(),
        "--config",
        nodes[0].config.to_str().unwrap(),
    ]);
    assert!(
        out.contains("Kreis Offenbach"),
        "what is signed is shown: {out}"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&invitation).unwrap()).unwrap();
    assert_eq!(file["invited_member_key"], joiner.member_key.as_str());
    assert_eq!(file["inviter"], "Kreis Bergstraße");
    let admission = file["proposal"].as_str().unwrap().to_string();
    amtshilfe(&[
        "join",
        invitation.to_str().unwrap(),
        "--config",
        joiner.config.to_str().unwrap(),
    ]);

    wait_for("node 1 has the admission", Duration::from_secs(60), || {
        proposal(&nodes[1], &admission).is_some()
    });
    let out = amtshilfe(&[
        "member",
        "decline",
        &admission[..16],
        "--yes",
        "--config",
        nodes[1].config.to_str().unwrap(),
    ]);
    assert!(out.contains("open"), "a decline is no veto: {out}");
    wait_for("node 0 shows who declined", Duration::from_secs(60), || {
        proposal(&nodes[0], &admission)
            .is_some_and(|p| p["decliners"][0]["name"] == "Odenwaldkreis")
    });
    for child in &mut children {
        terminate(child);
    }
}
