//! The pact's governance through the API of running nodes, none of them
//! stopped: a member is admitted (invitation written over the API, the
//! joiner's node joins), an officer is appointed (one approval signed on
//! a node, one by `amtshilfe member approve` with a member key from a
//! stick, the node holding none), and a member is removed: its earlier
//! offers stay on every node, its later writes reach none.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod support;

use std::net::Ipv4Addr;
use std::time::Duration;

use serde_json::{Value, json};
use support::{
    NodeDir, amtshilfe, export_ticket, free_port, get, init_node, offer_json, peer_id, post,
    post_offer, proposal, recover_refused, registry_ids, start, start_pact, terminate, wait_for,
};

fn pact(node: &NodeDir) -> Value {
    let (status, body) = get(node.http, "/api/pact").unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn proposal_state(node: &NodeDir, hash: &str) -> Option<String> {
    proposal(node, hash).and_then(|p| p["state"].as_str().map(str::to_owned))
}

fn wait_state(nodes: &[&NodeDir], hash: &str, state: &str) {
    for node in nodes {
        wait_for(
            &format!("{} has proposal {hash} {state}", node.name),
            Duration::from_secs(60),
            || proposal_state(node, hash).as_deref() == Some(state),
        );
    }
}

fn member_id(node: &NodeDir) -> String {
    // A member's id is its first member key.
    node.member_key.clone()
}

/// How often `node`'s log says that `peer` did not admit it.
fn refusals_by(node: &NodeDir, peer: &NodeDir) -> usize {
    let peer = peer_id(peer);
    std::fs::read_to_string(node.dir.join("node.log"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("did not admit this node") && line.contains(&peer))
        .count()
}

fn lists(node: &NodeDir, id: &str) -> bool {
    registry_ids(node).is_some_and(|ids| ids.contains(id))
}

#[test]
fn a_member_is_admitted_an_officer_appointed_and_a_member_removed_with_no_node_stopped() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, mut children) = start_pact(
        root.path(),
        &["Kreis Bergstraße", "Odenwaldkreis", "Darmstadt-Dieburg"],
    );
    let founders: Vec<&NodeDir> = nodes.iter().collect();

    // Admit: node 0 proposes and writes the invitation over its API.
    let joiner = init_node(
        &root.path().join("node-3"),
        "Kreis Offenbach",
        Ipv4Addr::LOCALHOST,
        free_port(),
        None,
    );
    let invite = json!({
        "name": joiner.name,
        "member_key": joiner.member_key,
        "addresses": [format!("/ip4/127.0.0.1/tcp/{}", nodes[0].p2p_port)],
    });
    let (status, body) = post(nodes[0].http, "/api/pact/invitations", &invite.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let admission = answer["signed"]["proposal"].as_str().unwrap().to_string();
    let invitation = root.path().join("einladung.json");
    std::fs::write(&invitation, answer["invitation"].to_string()).unwrap();
    amtshilfe(&[
        "join",
        invitation.to_str().unwrap(),
        "--config",
        joiner.config.to_str().unwrap(),
    ]);
    wait_state(&founders[1..2], &admission, "open");
    let (status, body) = post(
        nodes[1].http,
        &format!("/api/pact/proposals/{admission}/approve"),
        "",
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    wait_state(&founders, &admission, "applied");
    for node in &founders {
        assert_eq!(pact(node)["member_count"], 4, "{}", node.name);
    }
    children.push(start(&joiner));
    wait_for(
        "the new member's node knows it is admitted",
        Duration::from_secs(60),
        || get(joiner.http, "/api/pact").is_ok_and(|(_, body)| body.contains("\"member_count\":4")),
    );
    let earlier = post_offer(&joiner, 1).unwrap();
    for node in &founders {
        wait_for(
            &format!("{} lists the new member's offer", node.name),
            Duration::from_secs(60),
            || lists(node, &earlier),
        );
    }

    // Appoint an officer for member 0: proposed on node 2, approved on
    // node 0 (the member it serves) through its API, and by member 1
    // with the key from its stick, node 1 holding none.
    let officer_key = root.path().join("officer.key");
    let officer = amtshilfe_node::keys::generate_key_file(&officer_key)
        .unwrap()
        .public();
    let appoint = json!({
        "kind": "appoint_officer",
        "officer_key": officer.to_string(),
        "name": "Gemeinsame ISB Südhessen",
        "serves": [member_id(&nodes[0])],
    });
    let (status, body) = post(nodes[2].http, "/api/pact/proposals", &appoint.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    let appointment = serde_json::from_str::<Value>(&body).unwrap()["proposal"]
        .as_str()
        .unwrap()
        .to_string();
    wait_state(&founders[..2], &appointment, "open");
    let (status, body) = post(
        nodes[0].http,
        &format!("/api/pact/proposals/{appointment}/approve"),
        "",
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let stick = root.path().join("stick-1");
    std::fs::create_dir_all(&stick).unwrap();
    std::fs::rename(nodes[1].dir.join("member.key"), stick.join("member.key")).unwrap();
    assert_eq!(pact(&nodes[1])["holds_member_key"], false);
    let refused = std::process::Command::new(support::binary())
        .args(["member", "approve", &appointment[..16], "--yes", "--config"])
        .arg(&nodes[1].config)
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "without a key the node cannot sign"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("member_key_absent"),
        "{refused:?}"
    );
    let out = amtshilfe(&[
        "member",
        "approve",
        &appointment[..16],
        "--yes",
        "--member-key",
        stick.join("member.key").to_str().unwrap(),
        "--config",
        nodes[1].config.to_str().unwrap(),
    ]);
    assert!(
        out.contains("Gemeinsame ISB Südhessen"),
        "what is signed is shown: {out}"
    );
    assert!(out.contains("applied"), "{out}");
    wait_state(&founders, &appointment, "applied");
    for node in founders.iter().chain([&&joiner]) {
        wait_for(
            &format!("{} knows the officer", node.name),
            Duration::from_secs(60),
            || pact(node)["officers"][0]["serves"][0]["name"] == "Kreis Bergstraße",
        );
    }

    // Remove the new member. Its node is down meanwhile (after the
    // removal no member talks to it), and writes once it is back.
    terminate(children.last_mut().unwrap());
    let remove = json!({ "kind": "remove", "member": joiner.member_key });
    let (status, body) = post(nodes[0].http, "/api/pact/proposals", &remove.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    let removal = serde_json::from_str::<Value>(&body).unwrap()["proposal"]
        .as_str()
        .unwrap()
        .to_string();
    wait_state(&founders[2..], &removal, "open");
    let (status, body) = post(
        nodes[2].http,
        &format!("/api/pact/proposals/{removal}/approve"),
        "",
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    amtshilfe(&[
        "member",
        "approve",
        &removal[..16],
        "--yes",
        "--member-key",
        stick.join("member.key").to_str().unwrap(),
        "--config",
        nodes[1].config.to_str().unwrap(),
    ]);
    wait_state(&founders, &removal, "applied");
    for node in &founders {
        let pact = pact(node);
        assert_eq!(pact["member_count"], 3, "{}", node.name);
        assert_eq!(pact["former_members"][0]["name"], "Kreis Offenbach");
    }
    // Its member key sets up no new node: recovery is refused.
    let ticket = root.path().join("ticket.bundle");
    export_ticket(&nodes[0], &ticket);
    recover_refused(
        &joiner.dir.join("member.key"),
        &ticket,
        &root.path().join("removed-recovered"),
    );
    let refusals_before = refusals_by(&joiner, &nodes[0]);
    let last = children.len() - 1;
    children[last] = start(&joiner);
    // The removed member's node learns of its removal from the first peer
    // that introduces itself, at a moment the test does not choose: before
    // its write (it refuses to write for a removed member), or after it (it
    // holds its own write from then on). Every outcome is checked.
    let later = match post(joiner.http, "/api/offers", &offer_json(2)) {
        Ok((201, body)) => {
            let value: Value = serde_json::from_str(&body).unwrap();
            value["id"].as_str().unwrap().to_string()
        }
        Ok((status, body)) => {
            assert_eq!(status, 403, "{body}");
            assert!(body.contains("not_authorised"), "{body}");
            "no-later-write".to_string()
        }
        Err(error) => panic!("the removed member's node answers: {error}"),
    };
    // Carried by hand in a bundle, its later write is refused by ingress
    // (outside the history frozen at the removal), its earlier ones are
    // known already.
    let carried = root.path().join("removed-member.bundle");
    amtshilfe(&[
        "bundle",
        "export",
        "--out",
        carried.to_str().unwrap(),
        "--config",
        joiner.config.to_str().unwrap(),
    ]);
    let bundle = std::fs::read(&carried).unwrap();
    let bundle = amtshilfe_protocol::bundle::Bundle::from_bytes(&bundle).unwrap();
    // Change chunks travel uncompressed: the record key is in the bytes.
    let carries_later = bundle.envelopes.iter().any(|envelope| {
        envelope
            .change
            .windows(later.len())
            .any(|window| window == later.as_bytes())
    });
    let out = amtshilfe(&[
        "bundle",
        "import",
        carried.to_str().unwrap(),
        "--config",
        nodes[0].config.to_str().unwrap(),
    ]);
    assert!(out.contains(" 0 envelopes applied"), "{out}");
    if carries_later {
        assert!(out.contains("authority_frozen"), "{out}");
    } else {
        // Its own node held the write once it learned of the removal.
        assert!(
            !lists(&joiner, &later),
            "the removed member's node still shows its write"
        );
    }
    // Over the network: once node 0 has met the removed member's node and
    // refused to admit it, no founder lists the later write.
    wait_for(
        "node 0 refuses to admit the removed member's node",
        Duration::from_secs(60),
        || refusals_by(&joiner, &nodes[0]) > refusals_before,
    );
    for node in &founders {
        assert!(
            lists(node, &earlier),
            "{} keeps the earlier offer",
            node.name
        );
        assert!(
            !lists(node, &later),
            "{} took a removed member's write",
            node.name
        );
    }
    for child in &mut children {
        terminate(child);
    }
}
