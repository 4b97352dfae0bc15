//! A hit member recovers without its member key, with the real binary:
//! its server and its `member.key` are gone. On the emergency laptop
//! `amtshilfe recover --new-key` makes a new member key and prints its
//! word fingerprint; another member proposes the key rotation over its
//! API, the others compare the fingerprint their pages show and approve
//! over their APIs; once the majority has, the laptop recovers with the
//! new key and a ticket, and its aid request reaches every other node.
//! What the member wrote under the old key stays valid (frozen at the
//! rotation's heads) and its new writes stand beside it.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{
    amtshilfe, board_has, export_ticket, free_port, post, post_offer, post_request, proposal,
    recover, recover_refused, registry_has_all, start, start_pact, terminate, wait_for,
};

/// The value after `label` on a line of `out`.
fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|line| {
            line.split_once(label)
                .map(|(_, rest)| rest.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("{label:?} not in:\n{out}"))
}

#[test]
fn a_member_whose_key_is_gone_recovers_through_a_rotation_approved_by_a_majority() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, mut children) = start_pact(
        root.path(),
        &[
            "Kreis Bergstraße",
            "Odenwaldkreis",
            "Darmstadt-Dieburg",
            "Kreis Offenbach",
        ],
    );
    let hit = &nodes[3];
    let own: Vec<String> = (0..40).map(|n| post_offer(hit, n).unwrap()).collect();
    for node in &nodes[..3] {
        wait_for(
            &format!("{} lists the hit member's offers", node.name),
            Duration::from_secs(120),
            || registry_has_all(node, &own),
        );
    }

    // The server is gone, and its member key with it; a thief kept a copy.
    let stolen = root.path().join("stolen-member.key");
    std::fs::copy(hit.dir.join("member.key"), &stolen).unwrap();
    children[3].kill().unwrap();
    children[3].wait().unwrap();
    std::fs::remove_dir_all(&hit.dir).unwrap();

    let started = Instant::now();
    let laptop = root.path().join("laptop");
    std::fs::create_dir_all(&laptop).unwrap();
    let new_key_file = laptop.join("new-member.key");
    let out = amtshilfe(&["recover", "--new-key", new_key_file.to_str().unwrap()]);
    let new_key = printed(&out, "new member key:");
    let fingerprint = printed(&out, "word fingerprint:");
    assert_eq!(
        fingerprint.split(' ').count(),
        amtshilfe_protocol::fingerprint::FINGERPRINT_WORDS,
        "{out}"
    );

    // Member 0 proposes the rotation over its API.
    let rotate = json!({ "kind": "rotate_key", "member": hit.member_key, "new_key": new_key });
    let (status, body) = post(nodes[0].http, "/api/pact/proposals", &rotate.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    let hash = serde_json::from_str::<Value>(&body).unwrap()["proposal"]
        .as_str()
        .unwrap()
        .to_string();

    // The key the laptop holds recovers nothing yet.
    let early_ticket = root.path().join("early.bundle");
    export_ticket(&nodes[0], &early_ticket);
    recover_refused(&new_key_file, &early_ticket, &root.path().join("too-early"));

    // The others see the same fingerprint on their pages and approve.
    for node in &nodes[1..3] {
        wait_for(
            &format!("{} shows the rotation", node.name),
            Duration::from_secs(60),
            || proposal(node, &hash).is_some(),
        );
        let shown = proposal(node, &hash).unwrap();
        assert_eq!(shown["new_key_fingerprint"], fingerprint.as_str());
        assert_eq!(shown["kind"], "rotate_key");
        assert!(
            shown["text_de"].as_str().unwrap().contains(&hit.name),
            "{shown}"
        );
        assert!(
            !shown["frozen_heads"].as_object().unwrap().is_empty(),
            "the old key's history is frozen at named heads: {shown}"
        );
        let (status, body) = post(
            node.http,
            &format!("/api/pact/proposals/{hash}/approve"),
            "",
        )
        .unwrap();
        assert_eq!(status, 201, "{body}");
    }
    wait_for(
        "the rotation applied on node 0",
        Duration::from_secs(60),
        || proposal(&nodes[0], &hash).is_some_and(|p| p["state"] == "applied"),
    );

    // The laptop recovers with the new key and a ticket from member 0.
    let ticket = root.path().join("ticket.bundle");
    export_ticket(&nodes[0], &ticket);
    // The stolen old key recovers nothing once the rotation applied.
    recover_refused(&stolen, &ticket, &root.path().join("thief"));
    let fresh = root.path().join("node-3-recovered");
    let (recovered, out) = recover(hit, &new_key_file, &ticket, &fresh, free_port());
    assert!(out.contains(&hit.name), "{out}");
    children[3] = start(&recovered);
    let id = post_request(&recovered);
    wait_for("node 0 sees the request", Duration::from_secs(120), || {
        board_has(&nodes[0], &id)
    });
    println!(
        "recovery without the member key: new key to the request seen on another node: {:?}",
        started.elapsed()
    );
    for node in &nodes[1..3] {
        wait_for(
            &format!("{} sees the request", node.name),
            Duration::from_secs(60),
            || board_has(node, &id),
        );
    }
    // The history under the old key stays valid everywhere, and the
    // recovered node gets it back.
    for node in nodes[..3].iter().chain([&recovered]) {
        wait_for(
            &format!("{} lists the offers written under the old key", node.name),
            Duration::from_secs(120),
            || registry_has_all(node, &own),
        );
    }
    for child in &mut children {
        terminate(child);
    }
}
